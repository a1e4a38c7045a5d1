"""D122 image-for-another-arch: a site gets a model's image meant for another architecture.

A placement deploys one image to all its sites: its target's `overrides.image`, else the
model's `images` entry for the architecture the placement pins (`overrides.arch`, or a
selector that requires one `kubernetes.io/arch`), else the model's `image`. A placement
that pins no architecture (a `follow-<model>` placement whose workloads run on amd64 and
arm64 sites, a target on a mixed line) so deploys `image` even to the sites whose
architecture has its own entry in `images`: they pull an image the catalogue says is not
theirs (no matching manifest, or an exec format error), and their workloads run without the
model. Only sites whose architecture the inventory states are checked, and only images the
placement chose from the model (an `overrides.image` is the operator's own choice).
"""

from __future__ import annotations

from edgemodels.catalogue.model import ARCH_LABEL, Catalogue, Requirement, Selector
from edgemodels.diagnostics import Diagnostic
from edgemodels.output import plural
from edgemodels.plan.evaluate import Evaluation, ModelPlacement
from edgemodels.plan.sitelist import about, name_list
from edgemodels.plan.sitemasks import MaskCache
from edgemodels.selectors import count


def arch_findings(evaluation: Evaluation, cache: MaskCache) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    catalogue = evaluation.catalogue
    by_name = {placed.name: placed for placed in evaluation.models}
    for model in catalogue.models:
        if not model.images:
            continue
        placed = by_name.get(model.name)
        chosen = {model.image, *dict(model.images).values()}
        for placement in placed.placements if placed else ():
            if placement.image not in chosen:
                continue  # a target's overrides.image
            for arch, image in model.images:
                if image == placement.image:
                    continue
                wrong = placement.sites & cache.selector(_pinned(arch))
                if wrong:
                    found.append(_finding(catalogue, model.name, arch, placement, wrong, cache))
    return found


def _pinned(arch: str) -> Selector:
    return Selector((), (Requirement(ARCH_LABEL, "In", (arch,)),))


def _finding(
    catalogue: Catalogue,
    name: str,
    arch: str,
    placement: ModelPlacement,
    wrong: int,
    cache: MaskCache,
) -> Diagnostic:
    model = catalogue.model(name)
    # A target whose sites are all of that architecture (one arm64 line of a small fleet)
    # needs only to say so; a mixed placement must be split, or its image shared.
    remedy = (
        f"every site of target {placement.name} is {arch}: give it `overrides: {{arch: {arch}}}`"
        f" (or require {ARCH_LABEL} In [{arch}] in its selector), and it deploys images.{arch}"
        if wrong == placement.sites and any(t.name == placement.name for t in catalogue.targets)
        else "a placement deploys one image to all its sites (give `image` one "
        "multi-architecture reference, or place the model per "
        f"architecture: targets with {ARCH_LABEL} In [{arch}] / NotIn [{arch}])"
    )
    message = (
        f"model {name}: placement {placement.name} deploys {placement.image} to "
        f"{plural(count(wrong), arch + ' site')}, but the model's images.{arch} is the image "
        f"for {'it' if count(wrong) == 1 else 'them'}: {name_list(cache.sites, wrong)}; {remedy}"
    )
    other = Diagnostic(
        model.location_of("images"), "D122", message, "error", "image-for-another-arch"
    )
    return about(other, cache.sites, wrong)
