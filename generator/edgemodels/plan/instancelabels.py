"""D130: under Argo CD's `annotation+label` tracking, two Applications on one site whose
names Argo CD cuts to the same label value.

With `spec.hub.argocd.resourceTrackingMethod: annotation+label`, Argo CD tracks what an
Application deploys by the annotation argocd.argoproj.io/tracking-id, which holds the whole
name, and also writes the label app.kubernetes.io/instance for other tools, cut to 63
characters (names.argocd_instance_label; render/argocd.py has the sources). So long names
break no sync (R232 and D128 stay silent), but two Applications can get one label value.
The Applications of one ApplicationSet each go to another site, so only those of two
ApplicationSets on one site matter: Argo CD still tells them apart, a tool that reads the
label does not. Every label starts with its ApplicationSet's whole name (at most 63
characters, ending in a letter or digit), so two can only meet when one ApplicationSet's
name begins with the other's, and only on a site whose name makes the longer one's
Application pass 63: placements `line` and `line-2` of a 61-character ApplicationSet
`...-line` on a site `2a`, where `...-line-2a` is cut to `...-line-2`. One warning per
pair of model placements, at the longer one's model, naming the sites.
"""

from __future__ import annotations

from collections.abc import Iterator

from edgemodels.diagnostics import Diagnostic, finding
from edgemodels.names import argocd_instance_label, cluster_name_room, joined_name
from edgemodels.output import plural
from edgemodels.plan.argonames import sites_longer_than
from edgemodels.plan.evaluate import Evaluation, ModelPlacement, PlacedModel
from edgemodels.plan.sitelist import about, name_list
from edgemodels.plan.sitemasks import Sites
from edgemodels.selectors import Mask, count, mask_of, members

CODE, NAME = "D130", "argocd-instance-label-collision"
Generated = tuple[str, PlacedModel, ModelPlacement]  # an ApplicationSet's name, its source


def instance_label_findings(evaluation: Evaluation, sites: Sites) -> list[Diagnostic]:
    hub = evaluation.catalogue.hub
    if hub.delivery != "argocd" or hub.argocd.resource_tracking_method != "annotation+label":
        return []
    longer = sites_longer_than(sites)
    found = []
    for shorter, longest in _prefixed_pairs(_application_sets(evaluation)):
        # Only where the longer name's Applications are cut can the labels meet.
        both = shorter[2].sites & longest[2].sites & longer(cluster_name_room(longest[0]))
        clash = _clashing(shorter[0], longest[0], both, sites)
        if clash:
            where = longest[1].location
            message = _message(shorter, longest, clash, sites)
            found.append(about(finding(where, CODE, NAME, message, "warning"), sites, clash))
    return found


def _application_sets(evaluation: Evaluation) -> list[Generated]:
    catalogue = evaluation.catalogue.name
    named = [
        (joined_name(catalogue, model.name, placement.name), model, placement)
        for model in evaluation.models
        for placement in model.placements
    ]
    return sorted(named, key=lambda generated: generated[0])


def _prefixed_pairs(names: list[Generated]) -> Iterator[tuple[Generated, Generated]]:
    """Each pair whose first name begins the second: in sorted order, the names a name
    begins follow it at once."""
    for i, shorter in enumerate(names):
        for longest in names[i + 1 :]:
            if not longest[0].startswith(shorter[0]):
                break
            if longest[0] != shorter[0]:  # one name twice is R222's, an error of check
                yield shorter, longest


def _clashing(shorter: str, longest: str, both: Mask, sites: Sites) -> Mask:
    names = sites.inventory.sites
    same = (
        n
        for n in members(both)
        if argocd_instance_label(f"{shorter}-{names[n].name}")
        == argocd_instance_label(f"{longest}-{names[n].name}")
    )
    return mask_of(same, len(names))


def _message(shorter: Generated, longest: Generated, clash: Mask, sites: Sites) -> str:
    first = sites.inventory.sites[members(clash)[0]].name
    label = argocd_instance_label(f"{longest[0]}-{first}")
    return (
        f"model {longest[1].name} on placement {longest[2].name} and model "
        f"{shorter[1].name} on placement {shorter[2].name}: under Argo CD's annotation+label "
        f"tracking their Applications '{longest[0]}-<site>' and '{shorter[0]}-<site>' get "
        f"one app.kubernetes.io/instance label, cut to 63 characters, on "
        f"{plural(count(clash), 'site')} ({name_list(sites, clash)}; on {first}: "
        f"'{label}'); Argo CD tracks by annotation and tells them apart, but a tool that "
        "reads the label takes the objects of one for the other's; rename the model or the "
        "placement, or track by annotation alone (resourceTrackingMethod: annotation in "
        "argocd-cm and in spec.hub.argocd)"
    )
