"""Changes of how the catalogue is delivered that the model diff cannot see: the same models
on the same sites, but another deployer on the hub.

- D118 delivery-switched (error*): a hub side leaves the branch outside the migration of
  docs/argocd.md, "Moving from Subscriptions to Argo CD". The Subscription side goes when
  `hub/synced/` leaves the branch: the Subscriptions are deleted (by the hub Subscription, or
  by hand at step 3), and RHACM removes what each deployed from its sites (for Helm,
  `helm uninstall`) unless the objects already carry `do-not-delete` there
  (stolostron/multicloud-operators-subscription, pkg/synchronizer/kubernetes/synchronizer.go,
  DeleteSingleSubscribedResource). So the marks must reach the sites in an earlier publish
  than the one that drops the Subscriptions: only `keep-subscriptions` -> `subscriptions-
  removed` is safe; no migration, `subscriptions-removed` at once, or leaving
  `keep-subscriptions` for no migration at all lets sites lose their models. The Argo CD side
  goes when `hub/argocd/synced/` leaves the branch: the hub Application then fails to compare
  (its path is gone) and neither updates nor prunes its ApplicationSets, which keep applying
  the models while the new Subscriptions deploy the same objects, which RHACM refuses as
  another deployer's ("exists and owned by others"); edgemodels has no migration that way.
  A removal guard like D116: a warning with `--allow-removals`, never suppressed inline.
(*) a warning with `--allow-removals`.

A change of `spec.hub.argocd.pullModel` keeps the deployer (Argo CD) but changes which one
syncs each site's Application: plan/pullmodel.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Diagnostic, Location, Severity
from edgemodels.output import plural
from edgemodels.plan.diff import ModelDiff
from edgemodels.plan.guards import setting_at
from edgemodels.plan.sitelist import about, name_list
from edgemodels.plan.sitemasks import Sites
from edgemodels.selectors import count

# Read in a catalogue repository, which has a README of its own: name whose docs they are.
MIGRATION = 'edgemodels\' docs/argocd.md, "Moving from Subscriptions to Argo CD"'


def _subscriptions(catalogue: Catalogue) -> bool:
    hub = catalogue.hub
    return hub.delivery != "argocd" or hub.argocd.migration == "keep-subscriptions"


def _marked_before_removal(before: Catalogue, after: Catalogue) -> bool:
    """The only safe way out of the Subscription side: the sites carried the do-not-delete
    marks through a keep-subscriptions publish, and keep them while the Subscriptions go."""
    return (
        before.hub.delivery == "argocd"
        and before.hub.argocd.migration == "keep-subscriptions"
        and after.hub.argocd.migration == "subscriptions-removed"
    )


def _describe(catalogue: Catalogue) -> str:
    hub = catalogue.hub
    if hub.delivery != "argocd":
        return "delivery subscription"
    return f"delivery argocd, migration {hub.argocd.migration or 'none'}"


def delivery_findings(
    diffs: Iterable[ModelDiff],
    before: Catalogue,
    after: Catalogue,
    sites: Sites,
    allow: bool,
    settings: Mapping[str, Location] | None = None,
) -> list[Diagnostic]:
    """D118 delivery-switched (module docstring), at the setting that changed (`settings`:
    where they stand, else the catalogue's metadata.name)."""
    if before is after:
        return []
    settings = settings or {}
    switched = (
        "spec.hub.delivery"
        if before.hub.delivery != after.hub.delivery
        else "spec.hub.argocd.migration"
    )
    at = setting_at(settings, switched, after)
    found = []
    held = 0
    for d in diffs:
        held |= d.kept
    switch = f"{_describe(before)} -> {_describe(after)}"
    where = f"{plural(count(held), 'site')} ({name_list(sites, held)})" if held else "the sites"
    severity: Severity = "warning" if allow else "error"
    allow_hint = "" if allow else "; pass --allow-removals if this is intended"
    if _subscriptions(before) and not _subscriptions(after):
        if not _marked_before_removal(before, after):
            message = (
                f"{switch}: this publish drops the Subscription side (hub/synced/), and when "
                "the Subscriptions are deleted RHACM removes what each deployed (helm "
                f"uninstall for Helm models) from {where} unless the objects already carry "
                "the migration's do-not-delete marks there, which only an earlier publish "
                "with migration keep-subscriptions puts on them; publish with "
                "spec.hub.argocd.migration: keep-subscriptions first, verify, then "
                f"subscriptions-removed ({MIGRATION}){allow_hint}"
            )
            found.append(
                about(Diagnostic(at, "D118", message, severity, "delivery-switched"), sites, held)
            )
    elif before.hub.delivery == "argocd" and after.hub.delivery != "argocd":
        message = (
            f"{switch}: hub/argocd/synced/ leaves the branch, so the hub Application "
            f"{before.name}-hub fails to compare (its path is gone) and neither updates nor "
            "prunes its ApplicationSets: Argo CD keeps applying the models on "
            f"{where} while the Subscriptions deploy the same objects, which RHACM refuses "
            "as another deployer's (exists and owned by others); edgemodels has no "
            "migration this way: remove the models in one merge, delete the hub Application "
            f"by hand, then switch{allow_hint}"
        )
        found.append(
            about(Diagnostic(at, "D118", message, severity, "delivery-switched"), sites, held)
        )
    return found
