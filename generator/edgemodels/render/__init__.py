"""Catalogue -> FileTree: every file of the generated GitOps tree (see docs LAYOUT).

Pure: no I/O. Each model is planned once (settings per placement) and rendered once; hub
objects shared by models (Placements of targets) are rendered once.
"""

from __future__ import annotations

from collections.abc import Callable

from edgemodels.catalogue.model import Catalogue
from edgemodels.progress import Progress, no_progress
from edgemodels.render.acm import render_hub
from edgemodels.render.argocd import with_argocd
from edgemodels.render.common import RenderOptions, SourceInfo
from edgemodels.render.helm import render_chart
from edgemodels.render.kustomize import render_kustomize
from edgemodels.render.readme import render_readme
from edgemodels.render.settings import ModelPlan, plan_model
from edgemodels.tree import FileTree, check_path

__all__ = ["RenderOptions", "SourceInfo", "render_catalogue"]

PackagingRenderer = Callable[[Catalogue, ModelPlan, str, RenderOptions], dict[str, bytes]]

# Explicit registry: one renderer per packaging (tested for completeness).
PACKAGINGS: dict[str, PackagingRenderer] = {
    "helm": render_chart,
    "kustomize": render_kustomize,
}


def render_catalogue(
    catalogue: Catalogue,
    source_info: SourceInfo,
    options: RenderOptions | None = None,
    progress: Progress = no_progress,
) -> FileTree:
    """Every generated file except the manifest (added by `tree.finalize_tree`)."""
    opts = options or RenderOptions()
    plans = [plan_model(catalogue, m) for m in catalogue.models]
    tree: FileTree = {}
    with progress(plans, "rendering models") as bar:
        for plan in bar:
            origin = source_info.where(plan.model.location)
            tree.update(PACKAGINGS[plan.model.packaging](catalogue, plan, origin, opts))
    if catalogue.hub.delivery == "subscription":
        tree.update(render_hub(catalogue, plans, source_info))
    else:
        tree = with_argocd(catalogue, plans, source_info, tree)
    tree["README.md"] = render_readme(catalogue, plans, source_info)
    for path in tree:
        check_path(path)
    return dict(sorted(tree.items()))
