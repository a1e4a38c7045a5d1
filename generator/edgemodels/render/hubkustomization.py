"""The hub's two kustomizations: `hub/` (applied once, by hand) and `hub/synced/` (applied
by RHACM from the branch), each listing its folder's files in apply order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from edgemodels.catalogue.model import Catalogue
from edgemodels.recall import NOTHING, ONCE, Recall
from edgemodels.render.common import HUB_SYNCED, SYNCED_FOLDERS, SourceInfo, yaml_file

Files = dict[str, bytes]


def with_hub_kustomization(
    catalogue: Catalogue, files: Files, source: SourceInfo, recall: Recall = NOTHING
) -> Files:
    """The two kustomizations: `hub/` (applied once) and `hub/synced/` (applied by RHACM).
    `recall` gives back the file when the same files are listed as before."""
    top = source.where(catalogue.location)
    for folder, order in (("hub", HUB_ORDER), (HUB_SYNCED, SYNCED_ORDER)):
        listed = tuple(_listed(files, folder))
        made = recall.table(f"kustomization {folder}", (listed, order, top))
        files[f"{folder}/kustomization.yaml"] = made.get(
            ONCE, partial(_kustomization_file, listed, order, top)
        )
    return files


HUB_ORDER = ("namespace.yaml", "bindings/", "channel.yaml", "subscription.yaml")
SYNCED_ORDER = ("placements/", "subscriptions/", "applications/")


def hub_kustomization(
    files: Files, order: tuple[str, ...] = HUB_ORDER, folder: str = "hub"
) -> dict[str, Any]:
    """Lists the files of `folder` in `order`, but none of a synced folder in `hub/`'s: the
    admin applies `hub/` once (`kubectl apply -k hub/`), the hub applies `hub/synced/`
    (RHACM) and `hub/argocd/synced/` (Argo CD) from the branch."""
    return _kustomization(_listed(files, folder), order)


def _listed(files: Files, folder: str) -> Iterator[str]:
    """The paths a kustomization of `folder` lists, relative to it, in the files' order."""
    prefix = f"{folder}/"
    synced = tuple(f"{s}/" for s in SYNCED_FOLDERS if s != folder)
    for p in files:
        kustomization = p.endswith("/kustomization.yaml")
        if p.startswith(prefix) and not kustomization and not p.startswith(synced):
            yield p.removeprefix(prefix)


def _kustomization_file(paths: Iterable[str], order: tuple[str, ...], origin: str) -> bytes:
    return yaml_file(_kustomization(paths, order), origin)


def _kustomization(paths: Iterable[str], order: tuple[str, ...]) -> dict[str, Any]:
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": sorted(
            paths, key=lambda p: (next(i for i, o in enumerate(order) if p.startswith(o)), p)
        ),
    }
