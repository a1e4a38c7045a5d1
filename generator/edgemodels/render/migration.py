"""Marks on every site object while a catalogue moves from Subscriptions to Argo CD.

Deleting a Subscription makes RHACM purge everything it deployed
(stolostron/multicloud-operators-subscription, pkg/synchronizer/kubernetes/synchronizer.go),
except objects annotated `apps.open-cluster-management.io/do-not-delete: "true"`. A Helm
chart delivered by a Subscription runs as a HelmRelease, whose deletion is a `helm
uninstall`; that keeps only objects annotated `helm.sh/resource-policy: keep`. With both
marks on every object, the Subscriptions can go while Argo CD keeps running the models.

The marks are added to what the packaging renderers wrote, without changing it otherwise:
a chart gets them in its metadata helper (so every template carries them), a kustomize
model gets a Component, `components/keep-on-sites`, that every overlay includes last.
Only object metadata is marked, never a pod template, so no pod restarts because of it.
"""

from __future__ import annotations

from typing import Any

import yaml

from edgemodels.catalogue.model import Catalogue
from edgemodels.render.common import SourceInfo, yaml_file
from edgemodels.render.settings import ModelPlan
from edgemodels.tree import FileTree
from edgemodels.yamldump import dump_yaml

DO_NOT_DELETE = "apps.open-cluster-management.io/do-not-delete"
RESOURCE_POLICY = "helm.sh/resource-policy"
MARKS = {DO_NOT_DELETE: "true", RESOURCE_POLICY: "keep"}
KEEP_COMPONENT = "keep-on-sites"
# Every site object carries this label (render.common.site_labels); the Component selects by it.
SITE_SELECTOR = "app.kubernetes.io/managed-by=edgemodels"
_HELPER_LINE = "  edgemodels.io/source: {{ .source | quote }}\n"


def mark_site_objects(
    tree: FileTree, catalogue: Catalogue, plans: list[ModelPlan], source: SourceInfo
) -> FileTree:
    """`tree` with the keep marks on every site object of every model."""
    out = dict(tree)
    for plan in plans:
        origin = source.where(plan.model.location, "models", plan.model.name)
        root = f"models/{plan.model.name}"
        if plan.model.packaging == "helm":
            helpers = f"{root}/chart/templates/_helpers.tpl"
            out[helpers] = mark_helpers(out[helpers])
            continue
        out[f"{root}/components/{KEEP_COMPONENT}/kustomization.yaml"] = yaml_file(
            keep_component(), origin
        )
        for path in [p for p in out if p.startswith(f"{root}/overlays/")]:
            out[path] = include_component(out[path], origin)
    return out


def mark_helpers(text: bytes) -> bytes:
    """The chart's metadata helper, writing the marks after the source annotation."""
    helpers = text.decode()
    if helpers.count(_HELPER_LINE) != 1:  # a bug, not a user error: exit 3 with a message
        raise RuntimeError("the chart's metadata helper changed: cannot add the keep marks")
    marks = "".join(f'  {key}: "{value}"\n' for key, value in MARKS.items())
    return helpers.replace(_HELPER_LINE, _HELPER_LINE + marks).encode()


def keep_component() -> dict[str, Any]:
    ops = [
        {"op": "add", "path": f"/metadata/annotations/{_escape(key)}", "value": value}
        for key, value in MARKS.items()
    ]
    return {
        "apiVersion": "kustomize.config.k8s.io/v1alpha1",
        "kind": "Component",
        "patches": [
            {
                "target": {"labelSelector": SITE_SELECTOR},
                "patch": dump_yaml(ops),
            }
        ],
    }


def _escape(key: str) -> str:
    """A JSON pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def include_component(overlay: bytes, origin: str) -> bytes:
    """The overlay with the keep Component last, after the delivery components it adds to."""
    data = yaml.load(overlay, Loader=yaml.CSafeLoader)
    data["components"] = [*data.get("components", []), f"../../components/{KEEP_COMPONENT}"]
    return yaml_file(data, origin)
