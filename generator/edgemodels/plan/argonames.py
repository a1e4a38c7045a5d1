"""D128: with Argo CD delivery, sites whose names make their Applications' names longer
than a label value.

Each site a placement selects gets an Application `<catalogue>-<model>-<placement>-<site>`
(render/argoapps.application_template). Under Argo CD's label tracking that name is the
tracking label's value on every object the Application deploys, and the API server refuses
a value over 63 characters: every sync of it fails (render/argocd.py has the facts and
their sources). `check` warns where no cluster name fits (R232); the inventory names the
sites whose own names are too long. One warning per model placement, naming the sites.
Not where the catalogue declares annotation or annotation+label tracking (R232 says why).
"""

from __future__ import annotations

from collections.abc import Callable

from edgemodels.catalogue.argonames import SHORTEN, TRACKING
from edgemodels.diagnostics import Diagnostic, finding
from edgemodels.names import MAX_LABEL_VALUE, cluster_name_room, joined_name
from edgemodels.output import plural
from edgemodels.plan.evaluate import Evaluation
from edgemodels.plan.sitelist import about, name_list
from edgemodels.plan.sitemasks import Sites
from edgemodels.selectors import Mask, count, mask_of

CODE, NAME = "D128", "argocd-application-name-too-long"


def application_name_findings(evaluation: Evaluation, sites: Sites) -> list[Diagnostic]:
    catalogue = evaluation.catalogue
    if catalogue.hub.delivery != "argocd" or not catalogue.hub.argocd.names_are_labels:
        return []
    longer = sites_longer_than(sites)
    found = []
    for model in evaluation.models:
        for placement in model.placements:
            prefix = joined_name(catalogue.name, model.name, placement.name)
            room = max(cluster_name_room(prefix), 0)
            bad = placement.sites & longer(room)
            if bad:
                message = _message(model.name, placement.name, prefix, room, sites, bad)
                found.append(
                    about(finding(model.location, CODE, NAME, message, "warning"), sites, bad)
                )
    return found


def sites_longer_than(sites: Sites) -> Callable[[int], Mask]:
    """room -> the sites whose name is longer than `room` (a plan has a few rooms)."""
    lengths = [len(site.name) for site in sites.inventory.sites]
    masks: dict[int, Mask] = {}

    def longer(room: int) -> Mask:
        if room not in masks:
            masks[room] = mask_of(
                (n for n, size in enumerate(lengths) if size > room), len(lengths)
            )
        return masks[room]

    return longer


def _message(model: str, placement: str, prefix: str, room: int, sites: Sites, bad: Mask) -> str:
    return (
        f"model {model} on placement {placement}: its Argo CD Applications are named "
        f"'{prefix}-<site>', longer than {MAX_LABEL_VALUE} characters for a site name over "
        f"{room}: {plural(count(bad), 'site')} ({name_list(sites, bad)}); under Argo CD's "
        "label tracking (the default of Argo CD 2 and of the OpenShift GitOps operator) the "
        "name is the tracking label's value on every object it deploys, which the API "
        f"server refuses, so every sync there fails; {SHORTEN} or the sites' names, {TRACKING}"
    )
