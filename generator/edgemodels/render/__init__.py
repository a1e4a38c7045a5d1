"""Catalogue -> FileTree: every file of the generated GitOps tree (docs/generated-tree.md).

Pure: no I/O. Each model is planned once (settings per placement) and rendered once; hub
objects shared by models (Placements of targets) are rendered once. Given a cache, a model
whose inputs are unchanged since the last run is not rendered again (render/memo.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial

from edgemodels.catalogue.model import Catalogue, Model
from edgemodels.errors import signals_held
from edgemodels.progress import Progress, no_progress
from edgemodels.recall import NOTHING, Recall
from edgemodels.render.acm import hub_common, hub_model_files, target_origins
from edgemodels.render.common import RenderOptions, SourceInfo
from edgemodels.render.helm import render_chart
from edgemodels.render.hubkustomization import with_hub_kustomization
from edgemodels.render.kustomize import render_kustomize
from edgemodels.render.memo import context_key, model_key
from edgemodels.render.modelreadme import render_model_readme
from edgemodels.render.readme import render_readme
from edgemodels.render.settings import ModelPlan, plan_model
from edgemodels.tree import FileTree, check_path
from edgemodels.treecache import TreeCache

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
    cache: TreeCache | None = None,
    recall: Recall = NOTHING,
) -> FileTree:
    """Every generated file except the manifest (added by `tree.finalize_tree`). `recall`
    gives back what was worked out for a model object already met (a resident server's)."""
    opts = replace(options or RenderOptions(), tools_image=catalogue.defaults.helper_image)
    rest = replace(catalogue, models=())  # what plan_model reads besides the model
    planned = recall.table("plan", rest)
    plans = [planned.get(m, partial(plan_model, catalogue, m)) for m in catalogue.models]
    subscriptions = catalogue.hub.delivery == "subscription"
    unit = _Unit(catalogue, source_info, opts, subscriptions)
    context = context_key(catalogue, source_info, opts) if cache else b""
    where = (source_info.catalogue_path, source_info.base_dir, source_info.shown_from)
    keyed = recall.table("key", (context, where))
    tree: FileTree = hub_common(catalogue, source_info) if subscriptions else {}
    with progress(plans, "rendering models") as bar:
        for plan in bar:
            origin, key = keyed.get(plan.model, partial(_key, source_info, context, plan.model))
            files: Mapping[str, bytes]
            if cache is None:
                files = unit.render(plan, origin)
            else:
                files = cache.render(key) or unit.render(plan, origin)
                cache.remember(key, files)
            for path, data in files.items():
                tree.setdefault(path, data)  # hub Placements are shared: the first stands
    if subscriptions:
        tree = with_hub_kustomization(catalogue, tree, source_info, recall)
    else:
        # Imported here: most catalogues deliver by Subscription, and every regenerate
        # pays for each module it imports. A stop meanwhile waits for the import to end.
        with signals_held():
            from edgemodels.render.argocd import with_argocd

        tree = with_argocd(catalogue, plans, source_info, tree)
    tree["README.md"] = render_readme(catalogue, plans, source_info, recall)
    for path in tree:
        check_path(path)
    return dict(sorted(tree.items()))


def _key(source: SourceInfo, context: bytes, model: Model) -> tuple[str, str]:
    """The model's origin (banners) and its render's cache key."""
    origin = source.where(model.location, "models", model.name)
    return origin, model_key(context, model, origin) if context else ""


class _Unit:
    """What one model renders to: its package, and its hub objects for Subscriptions."""

    def __init__(
        self, catalogue: Catalogue, source: SourceInfo, opts: RenderOptions, hub: bool
    ) -> None:
        self.catalogue, self.source, self.opts, self.hub = catalogue, source, opts, hub
        self.targets = target_origins(catalogue, source)

    def render(self, plan: ModelPlan, origin: str) -> dict[str, bytes]:
        files = PACKAGINGS[plan.model.packaging](self.catalogue, plan, origin, self.opts)
        readme = render_model_readme(self.catalogue, plan, origin)
        files[f"models/{plan.model.name}/README.md"] = readme
        if self.hub:
            files.update(hub_model_files(self.catalogue, plan, self.source, self.targets))
        return files
