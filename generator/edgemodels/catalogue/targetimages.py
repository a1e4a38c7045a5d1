"""R229: a target's `overrides.image` replaces the image of every model on the target.

Which image a placement deploys, the first one set (render/settings.py,
`placement_image`): the model's `overrides.<target>.image`, the target's
`overrides.image`, the model's `images.<arch>` for the architecture the placement pins,
the model's `image`. A target-wide image is written once but meant for one model: on a
target shared by several models each of them would run it (a scorer's image in the
ranker's pods), and it silently replaces a model's per-architecture `images`, which are
that model's own. Either is said where the image is set; the image stays as it is (the
generated output does not change), as a model's `overrides.<target>.image` says the same
for that model alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

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
        message = _problem(t, image, models)
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


def _problem(target: str, image: str, models: list[Node]) -> str:
    fix = f"set it in the model's overrides.{target}.image instead"
    names = sorted(str(m.get("name")) for m in models)
    if len(names) > 1:
        return (
            f"target '{target}': overrides.image '{image}' replaces the image of each of its "
            f"{len(names)} models ({named(names)}), their images per architecture "
            f"included: different models would all run this one image; {fix}, for each "
            "model it belongs to"
        )
    with_images = [m for m in models if m.get("images")]
    if with_images:
        name = with_images[0].get("name")
        return (
            f"target '{target}': overrides.image '{image}' replaces model '{name}''s images "
            f"per architecture (images) as well as its image there; {fix}"
        )
    return ""
