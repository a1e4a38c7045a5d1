"""R229: a target's `overrides.image` replaces the image of every model on the target.

Which image a placement deploys, the first one set (render/settings.py,
`placement_image`): the model's `overrides.<target>.image`, the target's
`overrides.image`, the model's `images.<arch>` for the architecture the placement pins,
the model's `image`. A target-wide image is written once but meant for one model: on a
target shared by several models each of them would run it (a scorer's image in the
ranker's pods), and it silently replaces a model's `images.<arch>` for the architecture
the target pins, which is that model's own. Either is said where the image is set; the
image stays as it is (the generated output does not change), and a model's
`overrides.<target>.image` says the same for that model alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from edgemodels.catalogue.model import ARCH_LABEL
from edgemodels.catalogue.sources import Merged, Node
from edgemodels.changegroups import named
from edgemodels.diagnostics import Diagnostic, finding


def check_target_images(merged: Merged) -> Iterator[Diagnostic]:
    for t, target in merged.targets.items():
        overrides = target.get("overrides")
        image = overrides.get("image") if isinstance(overrides, Mapping) else None
        if not isinstance(image, str):
            continue
        models = [m for m in merged.models if _takes_target_image(m, t)]
        message = _problem(t, target, image, models)
        if message:
            yield finding(
                target.at("overrides", "image"),
                "R229",
                "target-image-replaces-models-images",
                message,
                "warning",
            )


def _takes_target_image(model: Node, target: str) -> bool:
    """On the target, with no image of its own for it."""
    targets = model.get("targets")
    if not isinstance(targets, list) or target not in targets:
        return False
    own = model.get("overrides")
    over = own.get(target) if isinstance(own, Mapping) else None
    return not (isinstance(over, Mapping) and over.get("image"))


def _problem(target: str, target_node: Node, image: str, models: list[Node]) -> str:
    fix = f"set it in the model's overrides.{target}.image instead"
    names = sorted(str(m.get("name")) for m in models)
    if len(names) > 1:
        return (
            f"target '{target}': overrides.image '{image}' replaces the image of each of its "
            f"{len(names)} models ({named(names)}), their images per architecture "
            f"included: different models would all run this one image; {fix}, for each "
            "model it belongs to"
        )
    for model in models:
        arch = _pinned_arch(model, target_node, target)
        images = model.get("images")
        if arch and isinstance(images, Mapping) and arch in images:
            return (
                f"target '{target}': overrides.image '{image}' replaces model "
                f"'{model.get('name')}''s images.{arch} (the architecture the target pins) "
                f"as well as its image there; {fix}"
            )
    return ""


def _pinned_arch(model: Node, target_node: Node, target: str) -> str | None:
    """The architecture a model's placement on the target pins, as render/settings.py
    `placement_arch` reads it: an overrides.arch (the model's for the target, else the
    target's), else `kubernetes.io/arch` required to one value by the selector."""
    own = model.get("overrides")
    over = own.get(target) if isinstance(own, Mapping) else None
    for overrides in (over, target_node.get("overrides")):
        if isinstance(overrides, Mapping) and isinstance(overrides.get("arch"), str):
            return str(overrides["arch"])
    labels = target_node.get("matchLabels")
    if isinstance(labels, Mapping) and isinstance(labels.get(ARCH_LABEL), str):
        return str(labels[ARCH_LABEL])
    for expr in target_node.get("matchExpressions") or []:
        if not isinstance(expr, Mapping) or expr.get("key") != ARCH_LABEL:
            continue
        values = expr.get("values")
        if expr.get("operator") == "In" and isinstance(values, list) and len(values) == 1:
            return str(values[0])
    return None
