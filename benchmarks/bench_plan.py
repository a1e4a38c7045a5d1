"""Scale benchmark of the plan's evaluation, beyond loading (not a test).

    .venv/bin/python benchmarks/bench_plan.py [--sites 5000] [--models 500] [--targets 50]

Builds a synthetic fleet directly as typed data (no YAML): sites with region, line, env,
architecture, tier and cluster-set labels; targets mixing matchLabels with In, NotIn, Exists
and DoesNotExist; models on one to three targets, a tenth of them following workloads; a base
catalogue that differs (versions bumped and lowered, models removed, two targets re-aimed).
Then it times what `edgemodels plan --base` does after loading: site index, both
catalogues' placements, the diff, per-placement totals and every guard, and separately the
per-site views the reports need. Peak memory (tracemalloc) is measured in a second run, and
the evaluation is repeated at several fleet sizes to show how memory grows.
"""

from __future__ import annotations

import argparse
import gc
import random
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace

from edgemodels.catalogue.model import (
    Catalogue,
    ContainerSpec,
    Defaults,
    GitSpec,
    HttpSpec,
    HubSpec,
    Model,
    Requirement,
    Selector,
    Target,
    Workload,
)
from edgemodels.plan.core import build_plan
from edgemodels.plan.diff import site_changes, site_models
from edgemodels.plan.sitemasks import index_sites
from edgemodels.selectors import CLUSTER_SET_LABEL
from edgemodels.sites import Inventory, Site

REGIONS = [f"r{n:02}" for n in range(20)]
LINES = ["assembly", "paint", "welding", "logistics", "packaging", "press"]
ENVS = ["prod", "prod", "prod", "staging", "dev"]


def make_sites(count: int, rng: random.Random) -> Inventory:
    sites = []
    for n in range(count):
        labels = {
            "name": f"site-{n:05}",
            "region": rng.choice(REGIONS),
            "line": rng.choice(LINES),
            "env": rng.choice(ENVS),
            "kubernetes.io/arch": rng.choice(["amd64", "amd64", "arm64"]),
            "tier": rng.choice("abc"),
            CLUSTER_SET_LABEL: "default",
        }
        if rng.random() < 0.3:
            labels["gpu"] = "true"
        sites.append(Site(f"site-{n:05}", tuple(sorted(labels.items())), capacity=50 * 2**30))
    return Inventory("synthetic", "SiteInventory", tuple(sites))


def make_selector(rng: random.Random) -> Selector:
    labels = [("line", rng.choice(LINES))] if rng.random() < 0.6 else []
    if rng.random() < 0.5:
        labels.append(("env", rng.choice(ENVS)))
    exprs = []
    if rng.random() < 0.5:
        exprs.append(Requirement("region", "In", tuple(rng.sample(REGIONS, rng.randint(2, 8)))))
    if rng.random() < 0.3:
        exprs.append(Requirement("tier", "NotIn", (rng.choice("abc"),)))
    if rng.random() < 0.2:
        exprs.append(Requirement("gpu", rng.choice(["Exists", "DoesNotExist"])))
    return Selector(tuple(labels), tuple(exprs))


def make_catalogue(models: int, targets: int, rng: random.Random) -> Catalogue:
    target_list = tuple(Target(f"t{n:02}", make_selector(rng)) for n in range(targets))
    model_list = []
    for n in range(models):
        follow = n % 10 == 0
        container = n % 5 < 2
        model_list.append(
            Model(
                name=f"m{n:03}",
                version=f"1.{rng.randint(0, 9)}.0",
                wrapper="container" if container else "http",
                packaging="helm",
                image=f"registry.example/m{n:03}:1",
                targets=()
                if follow
                else tuple(t.name for t in rng.sample(target_list, rng.randint(1, 3))),
                follow_workloads=follow,
                http=None if container else HttpSpec(8080),
                container=ContainerSpec(size=f"{rng.randint(50, 400)}Mi") if container else None,
            )
        )
    followed = [m.name for m in model_list if m.follow_workloads]
    workloads = tuple(
        Workload(f"w{n:02}", tuple(rng.sample(followed, min(3, len(followed)))), make_selector(rng))
        for n in range(max(1, models // 10))
    )
    return Catalogue(
        "bench",
        GitSpec("https://git.example/x.git", "main"),
        HubSpec("models"),
        Defaults("models"),
        target_list,
        tuple(model_list),
        workloads,
    )


def make_base(work: Catalogue, rng: random.Random) -> Catalogue:
    """The working catalogue as it was before: other versions, two more models, 2 targets moved."""
    models = []
    for model in work.models:
        if rng.random() < 0.2:
            model = replace(model, version=f"1.{rng.randint(0, 9)}.1")
        models.append(model)
    extra = [replace(work.models[1], name=f"gone-{n}") for n in range(10)]
    targets = tuple(
        replace(t, selector=make_selector(rng)) if n < 2 else t for n, t in enumerate(work.targets)
    )
    return replace(work, models=tuple(models + extra), targets=targets)


def timed(label: str, call: Callable[[], object]) -> object:
    gc.collect()
    start = time.perf_counter()
    result = call()
    print(f"  {label:<44} {time.perf_counter() - start:8.3f} s")
    return result


def run(sites: int, models: int, targets: int, seed: int) -> None:
    rng = random.Random(seed)
    inventory = make_sites(sites, rng)
    work = make_catalogue(models, targets, rng)
    base = make_base(work, rng)
    print(
        f"{sites:,} sites x {models} models x {targets} targets ({len(work.workloads)} workloads)"
    )

    def evaluate() -> object:
        return build_plan(work, index_sites(inventory), base, compared=True)

    plan, diags = timed("evaluation (index, placements, diff, guards)", evaluate)  # type: ignore[misc]
    timed("per-site changes (report input)", lambda: site_changes(plan.diffs))
    pairs = timed("per-site model lists (report input)", lambda: site_models(plan.after))
    placed = sum(len(p) for p in pairs)  # type: ignore[union-attr]
    print(f"  {placed:,} (site, model) placements, {len(diags)} findings")
    tracemalloc.start()
    evaluate()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak memory of the evaluation (tracemalloc)  {peak / 2**20:8.1f} MiB")


def scaling(models: int, targets: int, seed: int) -> None:
    print("\nevaluation time and peak memory by fleet size:")
    for sites in (1250, 2500, 5000, 10000, 20000):
        rng = random.Random(seed)
        inventory = make_sites(sites, rng)
        work = make_catalogue(models, targets, rng)
        base = make_base(work, rng)
        gc.collect()
        start = time.perf_counter()
        build_plan(work, index_sites(inventory), base, compared=True)
        elapsed = time.perf_counter() - start
        tracemalloc.start()
        build_plan(work, index_sites(inventory), base, compared=True)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  {sites:>6,} sites: {elapsed:6.3f} s, {peak / 2**20:7.1f} MiB peak")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=5000)
    parser.add_argument("--models", type=int, default=500)
    parser.add_argument("--targets", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-scaling", action="store_true", help="skip the memory-by-size runs")
    args = parser.parse_args()
    run(args.sites, args.models, args.targets, args.seed)
    if not args.no_scaling:
        scaling(args.models, args.targets, args.seed)


if __name__ == "__main__":
    main()
