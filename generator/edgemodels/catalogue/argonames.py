"""R232: with Argo CD delivery, Applications whose names no cluster name can keep within a
label value.

An ApplicationSet `<catalogue>-<model>-<placement>` names its Applications
`<that>-<cluster>` (render/argoapps.application_template). Argo CD's label tracking writes an
Application's name, uncut, as the value of its tracking label on every object it deploys,
and the API server refuses a label value over 63 characters, so every sync of such an
Application fails (the facts and their sources: render/argocd.py). The catalogue alone
knows the part before the cluster name; when that part leaves no room for even a one-letter
cluster, every Application of the placement is too long, and this warns. Where the sites'
names make it too long, `plan` says so with the inventory (D128). A warning: with annotation
tracking (Argo CD 3's default, not the OpenShift GitOps operator's) the name is no label,
and `annotation+label` cuts the label; a catalogue that declares either in
`spec.hub.argocd.resourceTrackingMethod` gets neither warning. Unset, it warns: edgemodels
cannot see the Argo CD that syncs the Applications.
"""

from __future__ import annotations

from collections.abc import Iterator

from edgemodels.catalogue.build import build_hub
from edgemodels.catalogue.sources import Merged, Node
from edgemodels.diagnostics import Diagnostic, Location, finding
from edgemodels.names import MAX_LABEL_VALUE, cluster_name_room, joined_name
from edgemodels.placement import FOLLOW_PREFIX

CODE, NAME = "R232", "argocd-application-name-too-long"
SHORTEN = "shorten metadata.name, the model's or the placement's name"
TRACKING = (
    "or have the Argo CD that syncs them (the hub's; with pullModel each site's) track by "
    "annotation (application.resourceTrackingMethod: annotation in argocd-cm; with the "
    "OpenShift GitOps operator, spec.resourceTrackingMethod: annotation in its ArgoCD) and "
    "say so in spec.hub.argocd.resourceTrackingMethod"
)


def check_application_names(merged: Merged) -> Iterator[Diagnostic]:
    hub = build_hub(merged.sections["hub"].data)
    if hub.delivery != "argocd" or not hub.argocd.names_are_labels or merged.name is None:
        return
    catalogue = str(merged.name.data)
    followed = {used for w in merged.workloads for used in w.data.get("uses") or ()}
    for m in merged.models:
        model = str(m.data["name"])
        for placement, where in _placements(m, model, followed):
            prefix = joined_name(catalogue, model, placement)
            if cluster_name_room(prefix) < 1:
                yield finding(where, CODE, NAME, _message(model, placement, prefix), "warning")


def _placements(m: Node, model: str, followed: set[str]) -> Iterator[tuple[str, Location]]:
    """The model's placements as generated, each where the model names it."""
    seen: set[str] = set()
    for i, target in enumerate(m.get("targets") or []):
        if target not in seen:  # one ApplicationSet per placement, however often named
            seen.add(target)
            yield target, m.at("targets", i)
    if m.get("followWorkloads") and model in followed:  # without a workload, none is generated
        yield FOLLOW_PREFIX + model, m.at("followWorkloads")


def _message(model: str, placement: str, prefix: str) -> str:
    return (
        f"model '{model}' on placement '{placement}': its Argo CD Applications are named "
        f"'{prefix}-<cluster>', {len(prefix) + 1} characters before the cluster's name, so "
        f"every one is longer than {MAX_LABEL_VALUE}: under Argo CD's label tracking (the "
        "default of Argo CD 2 and of the OpenShift GitOps operator) that name is the "
        "tracking label's value on every object it deploys, which the API server refuses, "
        f"and every sync fails; {SHORTEN}, {TRACKING}"
    )
