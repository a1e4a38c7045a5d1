"""A model's environment variables: plain text, or a key of a Secret or ConfigMap on the site.

The catalogue writes `NAME: value` for plain text and `NAME: {secretKeyRef: {name, key}}`
(or `configMapKeyRef`) for a value the site holds: the pod reads it through `valueFrom`,
and the catalogue, the generated tree and git only ever hold the object's name and key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

RefKind = Literal["Secret", "ConfigMap"]
# The catalogue's and Kubernetes' fields, for a key (env) and for a whole object (envFrom).
KEY_REFS: dict[str, RefKind] = {"secretKeyRef": "Secret", "configMapKeyRef": "ConfigMap"}
OBJECT_REFS: dict[str, RefKind] = {"secretRef": "Secret", "configMapRef": "ConfigMap"}
_KEY_FIELD = {kind: field for field, kind in KEY_REFS.items()}
_OBJECT_FIELD = {kind: field for field, kind in OBJECT_REFS.items()}


@dataclass(frozen=True)
class EnvRef:
    """A key of a Secret or ConfigMap in the model's namespace on the site."""

    kind: RefKind
    name: str
    key: str
    optional: bool = False

    def value_from(self) -> dict[str, Any]:
        """The container's `valueFrom`, as Kubernetes spells it."""
        ref: dict[str, Any] = {"name": self.name, "key": self.key}
        if self.optional:
            ref["optional"] = True
        return {_KEY_FIELD[self.kind]: ref}

    def __str__(self) -> str:
        """As a README names it: `from Secret creds key token`. Never `NAME=...`, which
        reads as a literal value to the credential scans (secrets_text.py)."""
        optional = " (optional)" if self.optional else ""
        return f"from {self.kind} {self.name} key {self.key}{optional}"


@dataclass(frozen=True)
class EnvSource:
    """Every key of a Secret or ConfigMap in the model's namespace on the site (envFrom)."""

    kind: RefKind
    name: str
    optional: bool = False

    def env_from(self) -> dict[str, Any]:
        """The container's `envFrom` entry, as Kubernetes spells it."""
        ref: dict[str, Any] = {"name": self.name}
        if self.optional:
            ref["optional"] = True
        return {_OBJECT_FIELD[self.kind]: ref}

    def __str__(self) -> str:
        return f"{self.kind} {self.name}" + (" (optional)" if self.optional else "")


def build_env_from(items: list[dict[str, Any]] | None) -> tuple[EnvSource, ...]:
    """A checked catalogue's `envFrom`, in its order (a later source wins a name)."""
    out = []
    for item in items or ():
        ((field, ref),) = item.items()  # the schema allows exactly one
        out.append(EnvSource(OBJECT_REFS[field], str(ref["name"]), bool(ref.get("optional"))))
    return tuple(out)


EnvValue = str | EnvRef
Env = tuple[tuple[str, EnvValue], ...]


def build_env(mapping: dict[str, Any] | None) -> Env:
    """A checked catalogue's `env`, sorted by name."""
    return tuple(sorted((str(k), _value(v)) for k, v in (mapping or {}).items()))


def _value(value: Any) -> EnvValue:
    if not isinstance(value, dict):
        return str(value)
    ((source, ref),) = value.items()  # the schema allows exactly one
    return EnvRef(KEY_REFS[source], str(ref["name"]), str(ref["key"]), bool(ref.get("optional")))


def container_env(env: Env) -> list[dict[str, Any]]:
    """A container's `env` list."""
    return [
        {"name": k, "value": v} if isinstance(v, str) else {"name": k, "valueFrom": v.value_from()}
        for k, v in env
    ]


def has_refs(*envs: Env) -> bool:
    """Whether any variable of `envs` is a reference."""
    return any(isinstance(v, EnvRef) for env in envs for _, v in env)


def site_reads(env: Env, env_from: tuple[EnvSource, ...]) -> list[tuple[str, EnvRef | EnvSource]]:
    """What the pods read on the site, by the variable that reads it ("" for envFrom)."""
    refs: list[tuple[str, EnvRef | EnvSource]] = [(k, v) for k, v in env if isinstance(v, EnvRef)]
    return refs + [("", source) for source in env_from]


def helm_env_vars(env: Env) -> dict[str, dict[str, Any]]:
    """Helm values `envVars` of a chart with a reference somewhere: every variable as an
    entry with all its fields set. Helm merges a placement's values over the chart's key by
    key, so a placement's entry replaces the default's whole, never leaving a field of it
    (a Secret's `optional`, a plain value beside a reference) behind."""
    return {k: _flat(v) for k, v in env}


def _flat(value: EnvValue) -> dict[str, Any]:
    if isinstance(value, str):
        return {"kind": "Value", "value": value, "name": "", "key": "", "optional": False}
    return {
        "kind": value.kind,
        "value": "",
        "name": value.name,
        "key": value.key,
        "optional": value.optional,
    }
