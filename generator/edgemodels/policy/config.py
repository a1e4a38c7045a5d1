"""The catalogue repository's policy config: `.edgemodels-policy.yaml` next to the catalogue.

```yaml
extends: default              # default (the shipped pack) | none
policyFiles: [policies/*.yaml]
rules: {P101: warning, image-tag-not-latest: off}
ignore: [{rule: P103, paths: ["catalogue/legacy/*.yaml"]}]
registries: {allow: [registry.gitlab.com/i4q], public: [docker.io, quay.io]}
params: {anything: custom rules read as params.anything}
```
Paths are relative to the config file. It is found in the catalogue's folder or the
nearest parent folder, up to the repository root (the folder holding `.git`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path

from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.errors import InputError
from edgemodels.policy.model import SEVERITIES, Ignore, JsonValue
from edgemodels.policy.reader import Reader
from edgemodels.repofolders import up_to_repository_root
from edgemodels.suggest import did_you_mean
from edgemodels.yamlio import load_positioned, to_plain
from edgemodels.yamltree import PosMap

CONFIG_NAMES = (".edgemodels-policy.yaml", ".edgemodels-policy.yml")
CONFIG_CODE = ("P006", "policy-config-invalid")
CONFIG_KEYS = (
    "apiVersion",
    "kind",
    "extends",
    "policyFiles",
    "rules",
    "ignore",
    "registries",
    "params",
)
SETTINGS = ("off", "on", *SEVERITIES)
# Registries that serve images without credentials; others need imagePullSecrets (P104).
PUBLIC_REGISTRIES = (
    "docker.io", "quay.io", "ghcr.io", "registry.k8s.io", "gcr.io", "mcr.microsoft.com",
    "public.ecr.aws", "registry.access.redhat.com", "nvcr.io",
)  # fmt: skip


@dataclass(frozen=True)
class Setting:
    """`rules:` entry: a rule (code or name) turned off, on, or to a severity."""

    rule: str
    value: str
    location: Location


@dataclass(frozen=True)
class PolicyConfig:
    path: str | None = None
    base_dir: Path = Path(".")
    use_default_pack: bool = True
    policy_files: tuple[tuple[Path, Location], ...] = ()
    settings: tuple[Setting, ...] = ()
    ignores: tuple[Ignore, ...] = ()
    params: dict[str, JsonValue] = field(default_factory=dict)


def default_params() -> dict[str, JsonValue]:
    return {"registries": {"allow": [], "public": list(PUBLIC_REGISTRIES)}}


def find_config(catalogue: Path) -> Path | None:
    """The config next to the catalogue, or in a parent folder up to the repository root."""
    here = catalogue if catalogue.is_dir() else catalogue.parent
    for _, folder in up_to_repository_root(here):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
    return None


def load_config(
    path: Path | None, shown: str | None = None
) -> tuple[PolicyConfig, list[Diagnostic]]:
    """The config at `path` (None: defaults). A missing file given by the user is an error."""
    if path is None:
        return PolicyConfig(params=default_params()), []
    if not path.is_file():
        raise InputError(f"{path}: policy config not found")
    yf, diags = load_positioned(path, shown)
    base = path.resolve().parent
    if yf.data is None:
        return PolicyConfig(yf.path, base, params=default_params()), [_as_config(d) for d in diags]
    r = Reader(yf, CONFIG_CODE)
    if not isinstance(yf.data, PosMap):
        r.error(Location(yf.path, 1, 1), "the policy config must be a mapping")
        return PolicyConfig(yf.path, base, params=default_params()), r.diagnostics
    return _read(r, yf.data, base), r.diagnostics


def _as_config(d: Diagnostic) -> Diagnostic:
    return Diagnostic(
        d.location, CONFIG_CODE[0], f"{d.message} ({d.code})", "error", CONFIG_CODE[1]
    )


def _read(r: Reader, root: PosMap, base: Path) -> PolicyConfig:
    r.keys(root, CONFIG_KEYS, "the policy config")
    if root.get("kind", "PolicyConfig") != "PolicyConfig":
        r.error(r.where(root, "kind", True), "kind must be PolicyConfig")
    extends = r.string(root, "extends") or "default"
    if extends not in ("default", "none"):
        r.error(r.where(root, "extends", True), "extends must be 'default' or 'none'")
    return PolicyConfig(
        r.file.path,
        base,
        extends != "none",
        _policy_files(r, root, base),
        _settings(r, root),
        _ignores(r, root, base),
        _params(r, root),
    )


def _policy_files(r: Reader, root: PosMap, base: Path) -> tuple[tuple[Path, Location], ...]:
    patterns = r.strings(root, "policyFiles") or []
    loc = r.where(root, "policyFiles", True)
    found: dict[Path, Location] = {}  # by resolved path: overlapping globs load a file once
    for pattern in patterns:
        try:
            matches = sorted(p for p in base.glob(pattern) if p.is_file())
        # pathlib's glob raises ValueError, NotImplementedError, OSError, IndexError or
        # AttributeError on patterns it cannot take ('', '/abs/*', 'a**b', '.', './', too long)
        except Exception:
            shown = pattern if len(pattern) <= 80 else pattern[:77] + "..."
            r.error(loc, f"policyFiles: '{shown}' is not a glob pattern relative to {base}")
            continue
        if not matches:
            r.error(loc, f"policyFiles: '{pattern}' matches no file (relative to {base})")
        for p in matches:
            found.setdefault(p.resolve(), loc)
    return tuple(found.items())


def _settings(r: Reader, root: PosMap) -> tuple[Setting, ...]:
    rules = r.mapping(root, "rules")
    out = []
    for key, value in (rules or {}).items():
        # YAML 1.1 reads a bare `off`/`on` as a boolean.
        text = {False: "off", True: "on"}.get(value, value) if isinstance(value, bool) else value
        loc = r.where(rules, key, value=True)
        if text not in SETTINGS:
            hint = did_you_mean(str(text), SETTINGS)
            r.error(loc, f"rules.{key}: expected one of {', '.join(SETTINGS)}{hint}")
            continue
        out.append(Setting(key, str(text), loc))
    return tuple(out)


def _ignores(r: Reader, root: PosMap, base: Path) -> tuple[Ignore, ...]:
    """`ignore:` entries; their rules are checked once the rules are loaded (loader.py)."""
    seq = r.sequence(root, "ignore")
    out = []
    for item, loc in r.items(seq, "ignore"):
        r.keys(item, ("rule", "rules", "paths"), "an ignore entry")
        rules = (r.strings(item, "rules") or []) + (r.strings(item, "rule") or [])
        paths = r.strings(item, "paths") or []
        if not rules or not paths:
            r.error(loc, "an ignore entry needs 'rule' (or 'rules') and 'paths'")
            continue
        out.append(Ignore(frozenset(rules), tuple(paths), loc))
    unmatched = _matching_nothing([p for ig in out for p in ig.patterns], base)
    for ig in out:
        for pattern in (p for p in ig.patterns if p in unmatched):
            # A warning, not an error: a generated file it names may not exist yet.
            r.error(
                ig.location,
                f"ignore: '{pattern}' matches no file (relative to {base})",
                "warning",
            )
    return tuple(out)


def _matching_nothing(patterns: list[str], base: Path) -> set[str]:
    """The patterns that match no file below `base`, as ignores match: fnmatch on the
    base-relative path (`*` crosses folders). Globbing finds most at once; the others
    need a walk of the folder (`.git` left out)."""
    left = {p for p in patterns if not _globs_a_file(base, p)}
    for folder, dirs, files in os.walk(base) if left else ():
        dirs[:] = sorted(d for d in dirs if d != ".git")
        relative = Path(folder).relative_to(base)
        marked = [d for d in dirs if _link_or_submodule(os.path.join(folder, d))]
        for name in files + marked:
            path = (relative / name).as_posix()
            left -= {p for p in left if fnmatch(path, p)}
        if not left:
            break
    return left


def _link_or_submodule(path: str) -> bool:
    """A folder a link warning is on (codes.IGNORABLE_FINDINGS): a symlink, or a git
    checkout of its own."""
    return os.path.islink(path) or os.path.exists(os.path.join(path, ".git"))


def _globs_a_file(base: Path, pattern: str) -> bool:
    try:
        return any(p.is_file() or _link_or_submodule(str(p)) for p in base.glob(pattern))
    except Exception:  # a pattern pathlib cannot take (see _policy_files); fnmatch may
        return False


def _params(r: Reader, root: PosMap) -> dict[str, JsonValue]:
    params = default_params()
    extra = r.mapping(root, "params")
    if extra is not None:
        params.update(to_plain(extra))
    registries = r.mapping(root, "registries")
    if registries is not None:
        r.keys(registries, ("allow", "public"), "registries")
        merged = dict(params["registries"])  # type: ignore[arg-type]
        for key in ("allow", "public"):
            values = r.strings(registries, key)
            if values is not None:
                merged[key] = [v.rstrip("/") for v in values]
        params["registries"] = merged
    return params
