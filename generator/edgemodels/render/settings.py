"""A model's effective settings: its defaults, and what each placement changes.

Every renderer reads these instead of the raw catalogue, so Helm values, kustomize
overlays and the README always agree on which image, replicas, resources, env and
delivery a placement gets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from edgemodels.catalogue.envvars import Env
from edgemodels.catalogue.model import (
    ARCH_LABEL,
    IMAGE_VOLUME_LABEL,
    Catalogue,
    Model,
    Resources,
    Selector,
)
from edgemodels.placement import TargetPlacement, model_placements
from edgemodels.render.common import DEFAULT_MODEL_SIZE

FileDelivery = Literal["copy", "imageVolume"]


@dataclass(frozen=True)
class Settings:
    """What one model runs with (on one placement, or by default)."""

    image: str
    replicas: int
    resources: Resources
    env: Env
    delivery: FileDelivery | None  # container models only


@dataclass(frozen=True)
class Placed:
    """One placement of a model with the settings it gets there."""

    placement: TargetPlacement
    settings: Settings
    arch: str | None


@dataclass(frozen=True)
class ModelPlan:
    model: Model
    base: Settings
    placed: tuple[Placed, ...]  # placements that select something, in catalogue order
    empty: tuple[TargetPlacement, ...]  # follow placements without any workload selector

    @property
    def deliveries(self) -> tuple[FileDelivery, ...]:
        """The container deliveries in use, default first."""
        found: list[FileDelivery] = []
        for s in (self.base, *(p.settings for p in self.placed)):
            if s.delivery is not None and s.delivery not in found:
                found.append(s.delivery)
        return tuple(found)

    @property
    def model_size(self) -> str:
        return (self.model.container.size if self.model.container else None) or DEFAULT_MODEL_SIZE


def plan_model(catalogue: Catalogue, model: Model) -> ModelPlan:
    """Reads `model` and the catalogue outside its models, never another model: render
    caches are keyed on exactly that (render/memo.py)."""
    base = base_settings(catalogue, model)
    placed: list[Placed] = []
    empty: list[TargetPlacement] = []
    for placement in model_placements(catalogue, model):
        if not placement.predicates:
            empty.append(placement)
            continue
        placed.append(place(catalogue, model, base, placement))
    return ModelPlan(model, base, tuple(placed), tuple(empty))


def base_settings(catalogue: Catalogue, model: Model) -> Settings:
    return Settings(
        image=model.image,
        replicas=model.replicas,
        resources=model.resources,
        env=tuple(sorted(model.env)),
        delivery=_default_delivery(catalogue, model),
    )


def _wanted(catalogue: Catalogue, model: Model) -> str:
    own = model.container.delivery if model.container else None
    return own or catalogue.defaults.container_delivery


def _default_delivery(catalogue: Catalogue, model: Model) -> FileDelivery | None:
    if model.wrapper != "container":
        return None
    return "imageVolume" if _wanted(catalogue, model) == "imageVolume" else "copy"


def place(catalogue: Catalogue, model: Model, base: Settings, placement: TargetPlacement) -> Placed:
    over = placement.overrides
    arch = placement_arch(placement)
    settings = replace(
        base,
        image=placement_image(model, placement),
        replicas=over.replicas if over.replicas is not None else base.replicas,
        resources=base.resources.merged(over.resources),
        env=tuple(sorted({**dict(base.env), **dict(over.env)}.items())),
        delivery=_delivery(catalogue, model, placement),
    )
    return Placed(placement, settings, arch)


def placement_arch(placement: TargetPlacement) -> str | None:
    return placement.overrides.arch or required_value(placement.predicates, ARCH_LABEL)


def placement_image(model: Model, placement: TargetPlacement) -> str:
    """The placement's own image, else the model's for the arch it pins, else the model's.
    `edgemodels plan` reads it too, so a new image shows as a change where it is deployed."""
    arch = placement_arch(placement)
    return placement.overrides.image or dict(model.images).get(arch or "", "") or model.image


def _delivery(
    catalogue: Catalogue, model: Model, placement: TargetPlacement
) -> FileDelivery | None:
    if model.wrapper != "container":
        return None
    wanted = _wanted(catalogue, model)
    if wanted == "auto":
        supported = required_value(placement.predicates, IMAGE_VOLUME_LABEL) == "true"
        return "imageVolume" if supported else "copy"
    return "imageVolume" if wanted == "imageVolume" else "copy"


def required_value(predicates: tuple[Selector, ...], key: str) -> str | None:
    """The one value every predicate pins `key` to (`key In [v]`), else None."""
    values: set[str] = set()
    for selector in predicates:
        pinned = {
            r.values[0]
            for r in selector.requirements()
            if r.key == key and r.operator == "In" and len(r.values) == 1
        }
        if len(pinned) != 1:
            return None
        values |= pinned
    return values.pop() if len(values) == 1 else None


HTTP_SETTINGS = ("image", "replicas", "resources", "env")
CONTAINER_SETTINGS = ("image", "delivery")  # a files-only delivery has no pods to size


def differences(model: Model, base: Settings, placed: Settings) -> dict[str, object]:
    """Settings of a placement that differ from the model's defaults, by name."""
    out: dict[str, object] = {}
    names = CONTAINER_SETTINGS if model.wrapper == "container" else HTTP_SETTINGS
    for name in names:
        if getattr(placed, name) != getattr(base, name):
            out[name] = getattr(placed, name)
    return out
