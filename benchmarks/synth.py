"""Synthetic catalogues and site inventories for the scale benchmarks.

    python benchmarks/synth.py -o /tmp/bench --models 1000 --targets 20 --sites 5000 \\
        --workloads 100 --seed 1 --split

writes `OUT/catalogue.yaml` (or, with `--split`, `OUT/catalogue/` with one file for the
settings and targets, one file per model under `models/` and one for the workloads) and
`OUT/sites.yaml` (a SiteInventory). The mix is meant to look like a real fleet: 60% HTTP
services and 40% container-wrapped weights, 60% Helm and 40% Kustomize, targets chosen by
matchLabels and set-based matchExpressions (In, NotIn, Exists), per-architecture images,
per-target overrides, and workloads whose container models follow them.

The output is valid against `schemas/catalogue.schema.json` and clean under
`edgemodels check` (no finding at all): every target is used, every followWorkloads model
is used by a workload, names stay within RHACM's length budgets, and workloads only use
models that follow them (so a plan reports no workload without its model).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

try:
    from yaml import CSafeDumper as Dumper
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as Dumper  # type: ignore[assignment]

API = {"apiVersion": "edgemodels.io/v1alpha1", "kind": "ModelCatalogue"}
LINES = ("assembly", "paint", "welding", "logistics", "packaging", "press")
ENVS = ("prod", "prod", "prod", "staging", "dev")
KINDS = ("forecaster", "detector", "scorer", "classifier", "ocr", "segmenter")
ARCH = "kubernetes.io/arch"
CLUSTER_SET = "cluster.open-cluster-management.io/clusterset"
NAMESPACE = "edge-models"


@dataclass(frozen=True)
class Spec:
    models: int = 100
    targets: int = 10
    sites: int = 200
    workloads: int = 20
    seed: int = 1
    split: bool = True

    @property
    def regions(self) -> int:
        return max(2, min(20, self.sites // 50))


def model_name(i: int) -> str:
    return f"m{i:05d}-{KINDS[i % len(KINDS)]}"


def target_name(j: int) -> str:
    return f"t{j:03d}-{LINES[j % len(LINES)]}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _pinned(image: str) -> str:
    # Pinned by digest: the default policy P101 wants it (an error on production targets).
    return f"{image}@sha256:{_digest(image)}"


def _header(spec: Spec) -> dict[str, Any]:
    return {
        "git": {
            "url": "https://git.example.com/plant/edge-deploy.git",
            "branch": "deploy",
            "path": "fleet",
            "credentialsSecret": "deploy-git",
        },
        "hub": {
            "namespace": NAMESPACE,
            "placementKind": "Placement",
            "delivery": "subscription",
            "clusterSets": ["default"],
            "reconcileRate": "medium",
        },
        "defaults": {
            "namespace": NAMESPACE,
            "imagePullSecrets": ["registry-pull"],
            "packaging": "helm",
            "containerDelivery": "auto",
            "helperImage": _pinned("registry.example.com/mirror/busybox:1.36.1-musl"),
        },
    }


def target(j: int, spec: Spec, rng: random.Random) -> dict[str, Any]:
    """A target: matchLabels on line (and env), plus a set-based requirement most of the time."""
    line = LINES[j % len(LINES)]
    out: dict[str, Any] = {
        "description": f"{line} sites, group {j}",
        "matchLabels": {"line": line, "env": "staging" if j % 7 == 3 else "prod"},
    }
    variant = j % 4
    regions = sorted({f"region-{rng.randrange(spec.regions)}" for _ in range(3)})
    if variant == 0:
        out["matchExpressions"] = [{"key": "region", "operator": "In", "values": regions}]
    elif variant == 1:
        out["matchExpressions"] = [
            {"key": ARCH, "operator": "In", "values": ["arm64"]},
            {"key": "region", "operator": "NotIn", "values": regions[:1]},
        ]
        out["overrides"] = {"replicas": 1, "resources": {"limits": {"memory": "256Mi"}}}
    elif variant == 2:
        out["matchExpressions"] = [{"key": "gpu", "operator": "Exists"}]
        out["production"] = True
    return out


def _targets_of(i: int, spec: Spec, rng: random.Random) -> list[str]:
    # The first target cycles so that every target is used by some model (else R107).
    chosen = [i % spec.targets]
    # Only targets of other lines (matchLabels line) join: targets of one model must not
    # select one site together, or check warns (R213) and plan fails (D112).
    for j in rng.sample(range(spec.targets), min(spec.targets, rng.randrange(3))):
        if all((j - k) % len(LINES) for k in chosen):
            chosen.append(j)
    return [target_name(j) for j in chosen]


def _http_model(i: int, name: str, rng: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {
        "http": {"port": 8000 + i % 1000, "healthPath": "/healthz"},
        "resources": {
            "requests": {"cpu": f"{rng.choice((100, 250, 500))}m", "memory": "256Mi"},
            "limits": {"memory": rng.choice(("512Mi", "1Gi", "2Gi"))},
        },
    }
    if i % 3 == 0:
        out["http"]["readinessPath"] = "/ready"
    if i % 2 == 0:
        out["http"]["ingressPath"] = f"/{name}"
    if i % 4 == 0:
        out["env"] = {"LOG_LEVEL": "info", "THRESHOLD": f"0.{rng.randrange(10, 99)}"}
    if i % 5 == 0:
        out["replicas"] = 2
    return out


def model(i: int, spec: Spec, rng: random.Random, follow: bool) -> dict[str, Any]:
    name = model_name(i)
    http = i % 5 < 3
    packaging = "helm" if i % 5 in (0, 2, 4) else "kustomize"
    version = f"{1 + i % 4}.{i % 10}.{i % 7}"
    image = f"registry.example.com/models/{name}:{version}"
    out: dict[str, Any] = {
        "name": name,
        "description": f"Synthetic {KINDS[i % len(KINDS)]} number {i}",
        "version": version,
        "wrapper": "http" if http else "container",
        "packaging": packaging,
        "image": _pinned(image),
    }
    if http:
        out.update(_http_model(i, name, rng))
        if i % 6 == 0:
            out["images"] = {"arm64": _pinned(f"{image}-arm64")}
    else:
        out["container"] = {"modelPath": "/model", "size": f"{rng.randrange(1, 20) * 50}Mi"}
    if follow:
        out["followWorkloads"] = True
    if not follow or i % 4 == 0:
        out["targets"] = _targets_of(i, spec, rng)
        if i % 8 == 0 and http:  # a container model runs no pod to scale (R207)
            out["overrides"] = {out["targets"][0]: {"replicas": 3}}
    return out


def follow_models(spec: Spec) -> list[int]:
    """Container models that follow workloads (none without workloads: R108)."""
    if not spec.workloads:
        return []
    return [i for i in range(spec.models) if i % 5 >= 3 and i % 2 == 1]


def workload(k: int, spec: Spec, follow: list[int], rng: random.Random) -> dict[str, Any]:
    # Workload k uses follow models k, k+W, k+2W, ...: each follow model gets a user.
    uses = [model_name(i) for i in follow[k :: spec.workloads]]
    if not uses and follow:
        uses = [model_name(follow[k % len(follow)])]
    line = LINES[k % len(LINES)]
    out: dict[str, Any] = {
        "name": f"w{k:04d}-{line}-inspection",
        "description": f"Consumer {k} on the {line} lines",
        "uses": uses,
    }
    if k % 5 == 4:
        out["sites"] = [site_name(rng.randrange(spec.sites)) for _ in range(3)]
        out["sites"] = sorted(set(out["sites"]))
    else:
        out["matchLabels"] = {"line": line}
        if k % 2:
            out["matchExpressions"] = [
                {"key": "region", "operator": "In", "values": [f"region-{k % spec.regions}"]}
            ]
    return out


def catalogue_parts(spec: Spec) -> tuple[dict[str, Any], list[dict[str, Any]], list[Any]]:
    """(header with targets, models, workloads), deterministic for a seed."""
    rng = random.Random(spec.seed)
    header = _header(spec)
    header["targets"] = {target_name(j): target(j, spec, rng) for j in range(spec.targets)}
    follow = follow_models(spec)
    follow_set = set(follow)
    models = [model(i, spec, rng, i in follow_set) for i in range(spec.models)]
    usable = follow if follow else []
    workloads = [workload(k, spec, usable, rng) for k in range(spec.workloads if usable else 0)]
    return header, models, workloads


def site_name(n: int) -> str:
    return f"site-{n:05d}"


def site(n: int, spec: Spec, rng: random.Random) -> dict[str, Any]:
    labels = {
        "env": ENVS[n % len(ENVS)],
        "line": LINES[rng.randrange(len(LINES))],
        "region": f"region-{n % spec.regions}",
        "tier": "gateway" if n % 3 else "server",
        CLUSTER_SET: "default",
    }
    if n % 10 == 0:
        labels["gpu"] = "nvidia"
    out: dict[str, Any] = {
        "name": site_name(n),
        "labels": labels,
        "arch": "arm64" if n % 4 == 1 else "amd64",
        "capacity": {"storage": "2Ti"},
    }
    if n % 5 == 0:
        out["imageVolumes"] = True
    return out


def inventory(spec: Spec) -> dict[str, Any]:
    rng = random.Random(spec.seed + 1)
    return {
        "apiVersion": "edgemodels.io/v1alpha1",
        "kind": "SiteInventory",
        "sites": [site(n, spec, rng) for n in range(spec.sites)],
    }


# A fleet that stays on Subscriptions on purpose says so where policy P112 (Subscriptions
# are deprecated by RHACM) points, so the catalogue is clean under `check --strict`.
KEEP_SUBSCRIPTIONS = (
    "    delivery: subscription\n",
    "    delivery: subscription  # edgemodels: ignore[P112] the Subscription tree is benchmarked\n",
)


def dump(data: Any) -> str:
    text = yaml.dump(data, Dumper=Dumper, sort_keys=False, width=4096)
    return text.replace(*KEEP_SUBSCRIPTIONS, 1)


def document(spec_part: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = dict(API)
    if name:
        doc["metadata"] = {"name": name}
    doc["spec"] = spec_part
    return doc


def write(spec: Spec, out: Path) -> Path:
    """Write the catalogue and sites.yaml into `out`; return the catalogue path."""
    out.mkdir(parents=True, exist_ok=True)
    header, models, workloads = catalogue_parts(spec)
    (out / "sites.yaml").write_text(dump(inventory(spec)), encoding="utf-8")
    if not spec.split:
        path = out / "catalogue.yaml"
        whole = {**header, "models": models, **({"workloads": workloads} if workloads else {})}
        path.write_text(dump(document(whole, "fleet")), encoding="utf-8")
        return path
    root = out / "catalogue"
    (root / "models").mkdir(parents=True, exist_ok=True)
    (root / "catalogue.yaml").write_text(dump(document(header, "fleet")), encoding="utf-8")
    for m in models:
        text = dump(document({"models": [m]}))
        (root / "models" / f"{m['name']}.yaml").write_text(text, encoding="utf-8")
    if workloads:
        text = dump(document({"workloads": workloads}))
        (root / "workloads.yaml").write_text(text, encoding="utf-8")
    return root


def bump_version(model_file: Path, patch: int) -> None:
    """Change one model's version (for the regenerate and plan cases)."""
    lines = model_file.read_text(encoding="utf-8").splitlines(keepends=True)
    for n, line in enumerate(lines):
        if line.lstrip().startswith("version: "):
            major = line.split("version: ")[1].split(".")[0]
            indent = line[: len(line) - len(line.lstrip())]
            lines[n] = f"{indent}version: {major}.99.{patch}\n"
            break
    model_file.write_text("".join(lines), encoding="utf-8")


def parse_args(argv: Sequence[str] | None) -> tuple[Spec, Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    parser.add_argument("--models", type=int, default=Spec.models)
    parser.add_argument("--targets", type=int, default=Spec.targets)
    parser.add_argument("--sites", type=int, default=Spec.sites)
    parser.add_argument("--workloads", type=int, default=Spec.workloads)
    parser.add_argument("--seed", type=int, default=Spec.seed)
    parser.add_argument("--split", action="store_true", help="one model per file")
    a = parser.parse_args(argv)
    if a.models < 1 or a.targets < 1 or a.sites < 1 or a.workloads < 0:
        parser.error("--models, --targets and --sites must be >= 1, --workloads >= 0")
    return Spec(a.models, a.targets, a.sites, a.workloads, a.seed, a.split), a.out


def main(argv: Sequence[str] | None = None) -> int:
    spec, out = parse_args(argv)
    path = write(spec, out)
    print(f"wrote {path} and {out / 'sites.yaml'}: {spec}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
