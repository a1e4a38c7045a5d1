"""Catalogues, sites and inventories built directly as typed data (no loader)."""

from __future__ import annotations

from edgemodels.catalogue.model import (
    Catalogue,
    ContainerDelivery,
    ContainerSpec,
    Defaults,
    GitSpec,
    HttpSpec,
    HubSpec,
    Model,
    Operator,
    PlacementKind,
    Requirement,
    Selector,
    Target,
    Workload,
)
from edgemodels.diagnostics import Location
from edgemodels.plan.quantity import parse_bytes
from edgemodels.plan.sitemasks import Sites, index_sites
from edgemodels.sites import Inventory, Site

CATALOGUE_FILE = "catalogue.yaml"


def req(key: str, operator: Operator, *values: str) -> Requirement:
    return Requirement(key, operator, tuple(values))


def sel(labels: dict[str, str] | None = None, *exprs: Requirement) -> Selector:
    return Selector(tuple((labels or {}).items()), tuple(exprs))


def target(name: str, selector: Selector, line: int = 10) -> Target:
    return Target(name, selector, location=Location(CATALOGUE_FILE, line, 5))


def http_model(
    name: str, version: str = "1.0.0", targets: tuple[str, ...] = (), follow: bool = False
) -> Model:
    return Model(
        name=name,
        version=version,
        wrapper="http",
        packaging="helm",
        image=f"registry.example/{name}:{version}",
        targets=targets,
        follow_workloads=follow,
        http=HttpSpec(port=8080),
        location=Location(CATALOGUE_FILE, 40, 7),
    )


def container_model(
    name: str,
    version: str = "1.0.0",
    targets: tuple[str, ...] = (),
    follow: bool = False,
    size: str | None = None,
    delivery: ContainerDelivery | None = None,
) -> Model:
    return Model(
        name=name,
        version=version,
        wrapper="container",
        packaging="kustomize",
        image=f"registry.example/{name}:{version}",
        targets=targets,
        follow_workloads=follow,
        container=ContainerSpec(size=size, delivery=delivery),
        location=Location(CATALOGUE_FILE, 60, 7),
    )


def workload(
    name: str, uses: tuple[str, ...], selector: Selector | None = None, sites: tuple[str, ...] = ()
) -> Workload:
    return Workload(name, uses, selector, sites, location=Location(CATALOGUE_FILE, 80, 7))


def catalogue(
    targets: tuple[Target, ...],
    models: tuple[Model, ...],
    workloads: tuple[Workload, ...] = (),
    kind: PlacementKind = "Placement",
    cluster_sets: tuple[str, ...] = ("default",),
) -> Catalogue:
    return Catalogue(
        name="test",
        git=GitSpec(url="https://git.example/models.git", branch="deploy"),
        hub=HubSpec(namespace="models", placement_kind=kind, cluster_sets=cluster_sets),
        defaults=Defaults(namespace="models"),
        targets=targets,
        models=models,
        workloads=workloads,
        location=Location(CATALOGUE_FILE, 4, 9),
    )


def site(
    name: str,
    labels: dict[str, str] | None = None,
    capacity: str | None = None,
    image_volumes: bool | None = None,
    line: int = 0,
) -> Site:
    """A site as the loader makes it: with the `name` label."""
    given = dict(labels or {})
    given.setdefault("name", name)
    return Site(
        name=name,
        labels=tuple(sorted(given.items())),
        capacity=parse_bytes(capacity) if capacity else None,
        image_volumes=image_volumes,
        location=Location("sites.yaml", line or 1, 5),
    )


def sites(*members: Site) -> Sites:
    return index_sites(Inventory("sites.yaml", "SiteInventory", members))
