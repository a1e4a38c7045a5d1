"""Which sites each model of a catalogue lands on, as site masks over the inventory's index.

Placements are the hub objects the generator emits (`edgemodels.placement.model_placements`
split by `hub_objects`): one per named target and `follow-<model>` for `followWorkloads`,
or with PlacementRules `follow-<model>-1`, `-2`, ..., one per workload selector. A
Placement is limited to `hub.clusterSets`; a PlacementRule is not. A `follow-<model>`
placement that no workload feeds lands nowhere (the union of no workload placements), not
everywhere. Each placement also carries the image it deploys and the settings it deploys with
(render/settings.py), so a change to either shows where it lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from edgemodels.catalogue.envvars import Env, EnvSource
from edgemodels.catalogue.model import (
    Catalogue,
    ContainerSpec,
    HttpSpec,
    Model,
    Resources,
    SecurityException,
    Selector,
    Workload,
)
from edgemodels.diagnostics import Location
from edgemodels.placement import (
    hub_objects,
    model_placements,
    uses_placement_rules,
    workload_selectors,
)
from edgemodels.plan.quantity import parse_bytes
from edgemodels.plan.sitemasks import MaskCache, offline_dropped
from edgemodels.render.settings import Settings, base_settings, place
from edgemodels.selectors import Mask


@dataclass(frozen=True)
class Deployed:
    """What a placement deploys a model with, besides its version and image. Any of these
    changes the objects on its sites (pods roll out again, or a Job or claim is replaced),
    so a change of one is a change of the model there even under the same version.
    Descriptions, owners and where the entry sits in the catalogue are not here: they reach
    no site."""

    replicas: int
    resources: Resources
    env: Env
    env_from: tuple[EnvSource, ...]
    delivery: str | None
    wrapper: str
    packaging: str
    http: HttpSpec | None
    container: ContainerSpec | None
    security: SecurityException
    namespace: str
    image_pull_secrets: tuple[str, ...]
    helper_image: str  # container models only ("" for HTTP ones, which run no helper)


# Deployed's fields as the catalogue names them, in the order a report lists them.
SETTING_NAMES = {
    "replicas": "replicas",
    "resources": "resources",
    "env": "env",
    "env_from": "envFrom",
    "delivery": "delivery",
    "wrapper": "wrapper",
    "packaging": "packaging",
    "http": "http",
    "container": "container",
    "security": "security",
    "namespace": "namespace",
    "image_pull_secrets": "imagePullSecrets",
    "helper_image": "helperImage",
}


def setting_changes(old: Deployed, new: Deployed) -> tuple[str, ...]:
    """The settings (catalogue names) that differ between two deployments of a model."""
    return tuple(
        shown for name, shown in SETTING_NAMES.items() if getattr(old, name) != getattr(new, name)
    )


@dataclass(frozen=True)
class ModelPlacement:
    """One hub placement of a model: its own Subscription (or Application) on these sites."""

    name: str
    sites: Mask
    image: str
    deployed: Deployed


@dataclass(frozen=True)
class PlacedModel:
    name: str
    version: str
    wrapper: str
    size: int | None  # bytes on disk of a container model, when declared
    delivery: str | None  # container delivery: copy, imageVolume or auto
    sites: Mask
    placements: tuple[ModelPlacement, ...]  # in catalogue order
    location: Location

    def placements_at(self, number: int) -> tuple[str, ...]:
        return tuple(p.name for p in self.placements if p.sites >> number & 1)

    def routes(self) -> tuple[Route, ...]:
        """The model's sites grouped by the placements that give it to them (a few groups:
        one per placement, more only where placements overlap)."""
        groups: list[tuple[tuple[ModelPlacement, ...], Mask]] = [((), self.sites)]
        for p in self.placements:
            split: list[tuple[tuple[ModelPlacement, ...], Mask]] = []
            for via, mask in groups:
                split += [((*via, p), mask & p.sites), (via, mask & ~p.sites)]
            groups = [(via, mask) for via, mask in split if mask]
        return tuple(
            Route(tuple(p.name for p in via), via[0].image, mask, via[0].deployed)
            for via, mask in groups
            if via
        )


@dataclass(frozen=True)
class Route:
    """Sites that get a model through the same placements, and the image and settings they
    run with (the first placement's, if several give it)."""

    placements: tuple[str, ...]
    image: str
    sites: Mask
    deployed: Deployed


@dataclass(frozen=True)
class Evaluation:
    catalogue: Catalogue
    models: tuple[PlacedModel, ...]
    placements: dict[str, Mask]  # every target and follow-<model> placement
    placement_locations: dict[str, Location]
    workloads: dict[str, Mask]  # where each workload runs
    size: int  # number of sites
    # The selectors each placement ORs (empty: a follow placement no workload feeds), to
    # say why one selects no site (D106).
    predicates: dict[str, tuple[Selector, ...]] = field(default_factory=dict)
    # Sites offline longer than spec.hub.offlineTolerationSeconds by the hub export's
    # newest time: its Placements had dropped them already (`offline_dropped`).
    dropped: Mask = 0

    def model(self, name: str) -> PlacedModel | None:
        for placed in self.models:
            if placed.name == name:
                return placed
        return None


def cluster_sets(catalogue: Catalogue) -> tuple[str, ...] | None:
    """The sets a Placement is limited to; None for PlacementRules (no cluster sets)."""
    return None if uses_placement_rules(catalogue) else catalogue.hub.cluster_sets


def workload_mask(cache: MaskCache, workload: Workload) -> Mask:
    """Where a workload runs. Its own placement, so cluster sets do not apply."""
    mask = 0
    for selector in workload_selectors(workload):
        mask |= cache.selector(selector)
    return mask


def evaluate(catalogue: Catalogue, cache: MaskCache) -> Evaluation:
    sets = cluster_sets(catalogue)
    placements: dict[str, Mask] = {}
    where: dict[str, Location] = {}
    predicates: dict[str, tuple[Selector, ...]] = {}
    dropped = 0
    if sets is not None:  # PlacementRules read no taint
        dropped = offline_dropped(cache.sites, catalogue.hub.offline_toleration_seconds)
    for target in catalogue.targets:
        placements[target.name] = cache.placement((target.selector,), sets) & ~dropped
        where[target.name] = target.location
        predicates[target.name] = (target.selector,)
    models = tuple(
        _place_model(catalogue, model, cache, sets, placements, where, predicates, dropped)
        for model in catalogue.models
    )
    workloads = {w.name: workload_mask(cache, w) for w in catalogue.workloads}
    size = cache.sites.index.size
    return Evaluation(catalogue, models, placements, where, workloads, size, predicates, dropped)


def _deployed(catalogue: Catalogue, model: Model, settings: Settings) -> Deployed:
    defaults = catalogue.defaults
    return Deployed(
        settings.replicas,
        settings.resources,
        settings.env,
        model.env_from,
        settings.delivery,
        model.wrapper,
        model.packaging,
        model.http,
        model.container,
        model.security,
        defaults.namespace,
        defaults.image_pull_secrets,
        defaults.helper_image if model.wrapper == "container" else "",
    )


def _place_model(
    catalogue: Catalogue,
    model: Model,
    cache: MaskCache,
    sets: tuple[str, ...] | None,
    placements: dict[str, Mask],
    where: dict[str, Location],
    predicates: dict[str, tuple[Selector, ...]],
    dropped: Mask,
) -> PlacedModel:
    own: list[ModelPlacement] = []
    base = base_settings(catalogue, model)
    # model_placements gives the named targets in order, then follow-<model> if any.
    for number, placement in enumerate(model_placements(catalogue, model)):
        settings = place(catalogue, model, base, placement).settings
        image, deployed = settings.image, _deployed(catalogue, model, settings)
        if number < len(model.targets):
            own.append(ModelPlacement(placement.name, placements[placement.name], image, deployed))
            continue
        # A follow placement without predicates is not generated; D106 still names it.
        for hub in hub_objects(catalogue, placement) if placement.predicates else (placement,):
            mask = cache.placement(hub.predicates, sets) & ~dropped if hub.predicates else 0
            placements[hub.name] = mask
            where[hub.name] = model.location
            predicates[hub.name] = hub.predicates
            own.append(ModelPlacement(hub.name, mask, image, deployed))
    union = 0
    for p in own:
        union |= p.sites
    container = model.container
    size = parse_bytes(container.size) if container and container.size else None
    return PlacedModel(
        name=model.name,
        version=model.version,
        wrapper=model.wrapper,
        size=size,
        delivery=(container.delivery or catalogue.defaults.container_delivery)
        if container
        else None,
        sites=union,
        placements=tuple(own),
        location=model.location,
    )
