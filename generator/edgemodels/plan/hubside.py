"""Changes of the catalogue's hub side that the plan shows as harmless but that take every
model off the sites, or take effect only once someone applies hub/ again.

- D116 hub-moved (error*): the catalogue's name or `spec.hub.namespace` changes. Every hub
  object is named after them, so the running hub Subscription applies a `hub/synced/` whose
  objects are all new: it deletes every model Subscription it made (each purges its models
  from every site) and creates the new ones, which name a Channel that exists only once
  `hub/` is applied again; the old hub Subscription keeps running until it is deleted by
  hand. A mass removal by another road, so it is one of the removal guards: a warning with
  `--allow-removals`, never suppressed in the catalogue (D113).
- D117 hub-bootstrap-changed (warning): a setting that the hand-applied part of `hub/`
  carries (some also in synced objects) changes (git url, branch, path, credentials
  Secret, CA, TLS check, reconcile rate, placement kind, cluster sets): the hub
  Subscription applies `hub/synced/` only, so the change takes effect when someone applies
  `hub/` again (`kubectl apply -k hub/`).
- D137 placements-unbound (error*): `spec.hub.placementKind` PlacementRule -> Placement. A
  Placement selects only from the cluster sets bound to its namespace, and the bindings are
  in the hand-applied `hub/bindings/`: the hub Subscription applies `hub/synced/` at its
  next poll, the PlacementRules go and the Placements that replace them select no cluster,
  so every model Subscription loses its clusters and RHACM purges every site, until
  someone applies the bindings. They must exist before the publish, which no plan can see:
  a removal guard, like D116.
  With Argo CD delivery the same two hazards hold for the hub Application `<catalogue>-hub`,
  which syncs and prunes `hub/argocd/synced/`: a new catalogue name or
  `spec.hub.argocd.namespace` renames or moves every object there, so the running
  Application prunes every ApplicationSet (their Applications go; the sites' objects too
  unless preserveResourcesOnDeletion) while the new one exists only once `hub/` is applied
  again (D116); git url, branch, path, `spec.hub.argocd.project` and the cluster sets are
  carried by the hand-applied Application and bindings only (D117). During a migration
  that keeps the Subscriptions both sides are checked.
(*) a warning with `--allow-removals`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Diagnostic, Location, Severity
from edgemodels.plan.guards import setting_at

KIND = "spec.hub.placementKind"


@dataclass(frozen=True)
class _HubSide:
    """One hub object that applies a synced folder from the branch, and what names it."""

    identity: Callable[[Catalogue], dict[str, object]]  # renames every synced object
    bootstrap: Callable[[Catalogue], dict[str, object]]  # carried by the hand-applied part
    runner: str  # the object that keeps applying the synced folder
    namespace: Callable[[Catalogue], str]
    loss: str  # what the running one deletes at its next sync
    carriers: str  # the hand-applied objects, and what the hub applies instead


def _git(catalogue: Catalogue) -> dict[str, object]:
    git = catalogue.git
    return {"spec.git.url": git.url, "spec.git.branch": git.branch, "spec.git.path": git.path}


def _subscription_bootstrap(catalogue: Catalogue) -> dict[str, object]:
    git, hub = catalogue.git, catalogue.hub
    return {
        **_git(catalogue),
        "spec.git.credentialsSecret": git.credentials_secret,
        "spec.git.caConfigMap": git.ca_configmap,
        "spec.git.insecureSkipVerify": git.insecure_skip_verify,
        "spec.hub.reconcileRate": hub.reconcile_rate,
        KIND: hub.placement_kind,
        "spec.hub.clusterSets": ", ".join(hub.cluster_sets),
    }


def _argocd_bootstrap(catalogue: Catalogue) -> dict[str, object]:
    hub = catalogue.hub
    return {
        **_git(catalogue),
        "spec.hub.argocd.project": hub.argocd.project,
        "spec.hub.clusterSets": ", ".join(hub.cluster_sets),
    }


SUBSCRIPTION_SIDE = _HubSide(
    lambda c: {"metadata.name": c.name, "spec.hub.namespace": c.hub.namespace},
    _subscription_bootstrap,
    "hub Subscription",
    lambda c: c.hub.namespace,
    "deletes every model Subscription at its next poll, and every site loses its models",
    "the Channel, the hub Subscription, the bindings; RHACM applies hub/synced/ only",
)
ARGOCD_SIDE = _HubSide(
    lambda c: {"metadata.name": c.name, "spec.hub.argocd.namespace": c.hub.argocd.namespace},
    _argocd_bootstrap,
    "hub Application",
    lambda c: c.hub.argocd.namespace,
    "prunes every ApplicationSet it made at its next sync, and with them their Applications "
    "(the sites keep their objects, unmanaged, only with preserveResourcesOnDeletion)",
    "the hub Application, the Argo CD bindings; Argo CD applies hub/argocd/synced/ only",
)


def _sides(catalogue: Catalogue) -> list[_HubSide]:
    hub = catalogue.hub
    sides = [ARGOCD_SIDE] if hub.delivery == "argocd" else []
    if hub.delivery != "argocd" or hub.argocd.migration == "keep-subscriptions":
        sides.append(SUBSCRIPTION_SIDE)
    return sides


def _changed(old: dict[str, object], new: dict[str, object]) -> dict[str, str]:
    """The changed settings by key: `{"spec.git.url": "spec.git.url a -> b"}`."""
    return {
        key: f"{key} {_shown(old[key])} -> {_shown(new[key])}"
        for key in old
        if old[key] != new[key]
    }


def _shown(value: object) -> str:
    """A setting's value as the catalogue would say it: a left-out one is not `None`."""
    if value is None:
        return "(not set)"
    return '""' if value == "" else str(value)


def hub_findings(
    before: Catalogue,
    after: Catalogue,
    allow: bool,
    settings: Mapping[str, Location] | None = None,
) -> list[Diagnostic]:
    """D116 hub-moved, D117 hub-bootstrap-changed and D137 placements-unbound (module
    docstring), for each hub side
    the catalogue has before and after; each at the first changed setting (`settings`:
    where they stand, else the catalogue's metadata.name)."""
    if before is after:
        return []
    settings = settings or {}
    sides = [s for s in _sides(after) if s in _sides(before)]
    found = [
        _moved(before, after, side, moved, allow, settings)
        for side in sides
        if (moved := _changed(side.identity(before), side.identity(after)))
    ]
    by_key: dict[str, str] = {}
    for side in sides:
        by_key |= _changed(side.bootstrap(before), side.bootstrap(after))
    if SUBSCRIPTION_SIDE in sides and _unbound(before, after):
        found.append(_unbound_finding(before, after, allow, settings))
        del by_key[KIND]  # D137 says when to apply what
    changed = list(dict.fromkeys(by_key.values()))
    if changed:
        carriers = "; and ".join(side.carriers for side in sides)
        message = (
            f"{'; '.join(changed)}: the hand-applied part of hub/ carries this "
            f"({carriers}), which no publish applies, so after the publish apply hub/ again "
            "(kubectl apply -k hub/) for it to take effect"
        )
        where = setting_at(settings, next(iter(by_key)), after)
        found.append(Diagnostic(where, "D117", message, "warning", "hub-bootstrap-changed"))
    return found


def _unbound(before: Catalogue, after: Catalogue) -> bool:
    """PlacementRules give way to Placements on the Subscription side, with models placed."""
    kinds = (before.hub.placement_kind, after.hub.placement_kind)
    return kinds == ("PlacementRule", "Placement") and bool(before.models)


def _unbound_finding(
    before: Catalogue, after: Catalogue, allow: bool, settings: Mapping[str, Location]
) -> Diagnostic:
    hub = after.hub
    message = (
        f"{KIND} PlacementRule -> Placement: a Placement selects only from the cluster sets "
        f"bound to its namespace, and the ManagedClusterSetBindings of "
        f"{', '.join(hub.cluster_sets)} (namespace {hub.namespace}) are in the hand-applied "
        "hub/bindings/, which no publish applies: at its next poll the hub Subscription "
        "replaces the PlacementRules with Placements that select no cluster, and RHACM "
        "removes every model from every site until the bindings exist. Bind the sets before "
        "the publish (kubectl apply -f hub/bindings/ of the generated tree, by a user allowed "
        f"to bind them; kubectl get managedclustersetbindings -n {hub.namespace} shows them)"
        + ("" if allow else ", then pass --allow-removals")
    )
    severity: Severity = "warning" if allow else "error"
    where = setting_at(settings, KIND, after)
    return Diagnostic(where, "D137", message, severity, "placements-unbound")


def _moved(
    before: Catalogue,
    after: Catalogue,
    side: _HubSide,
    moved: dict[str, str],
    allow: bool,
    settings: Mapping[str, Location],
) -> Diagnostic:
    old_hub = f"{before.name}-hub"
    message = (
        f"the hub side moves ({'; '.join(moved.values())}): every hub object is named after these, "
        f"so the running {side.runner} {old_hub} (namespace {side.namespace(before)}) "
        f"{side.loss}, until hub/ is applied again"
        + (
            " (with the credentials Secret in the new namespace)"
            if side is SUBSCRIPTION_SIDE
            else ""
        )
        + f"; {old_hub} itself stays until deleted by hand. Plan a window: publish, apply "
        f"hub/ at once, then delete the old {side.runner}"
        + ("" if allow else "; pass --allow-removals if this is intended")
    )
    severity: Severity = "warning" if allow else "error"
    where = setting_at(settings, next(iter(moved)), after)
    return Diagnostic(where, "D116", message, severity, "hub-moved")
