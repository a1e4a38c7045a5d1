"""Changes of a kept model that the plan shows as harmless but that sites refuse or that
take the model down on the way.

- D114 copy-volume-resized (error when it shrinks, warning when it grows): `container.size`
  of a container model changes on sites that keep it with copy delivery. The size is the
  request of its claim `<model>-model`, whose spec the API server does not let shrink
  ("field can not be less than previous value") and lets grow only when the claim's
  StorageClass has `allowVolumeExpansion: true`, which k3s's default `local-path` lacks. The
  patch of the claim fails at every reconcile; with Helm the whole release upgrade fails
  with it, so the other changes of that upgrade are marked failed too. `container.size` is
  compared, not the claim's size (which the renderer derives from it); an absent size is
  the default the claim gets. A site the model moves to other placements on gets a new
  claim (the old one is purged), unless Argo CD leaves the old one in place.
- D123 copy-volume-class-changed (error): `container.storageClassName` of a container model
  changes (set, dropped or renamed) on sites that keep it with copy delivery. The API
  server refuses any change of a bound claim's storageClassName ("spec is immutable after
  creation except resources.requests..."), so the patch fails at every reconcile as with
  D114, and a Pending claim keeps its class too. Which sites it counts is D114's.
- D115 packaging-hand-over (error): `packaging` changes (helm <-> kustomize) on sites that
  keep the model, with Subscription delivery. The same objects pass from Helm to the
  Subscription or back: Helm refuses to install over objects it did not create ("invalid
  ownership metadata"), and the Subscription refuses objects another deployer owns ("exists
  and owned by others"), so the change either stalls (helm -> kustomize keeps the old
  release running, as nothing is pruned) or leaves the model absent between the prune and
  Helm's next retry; the copy volume of a container model is deleted and created again, its
  weights copied again. An error, not a warning: unlike a size increase there is no site on
  which it goes through cleanly, and the safe way is cheap (remove the model in one merge,
  add it back with the new packaging in the next, or give it a new name). Argo CD renders
  both packagings itself and applies plain objects, so there is no hand-over there.

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
  With Argo CD delivery the same two hazards hold for the hub Application `<catalogue>-hub`,
  which syncs and prunes `hub/argocd/synced/`: a new catalogue name or
  `spec.hub.argocd.namespace` renames or moves every object there, so the running
  Application prunes every ApplicationSet (their Applications go; the sites' objects too
  unless preserveResourcesOnDeletion) while the new one exists only once `hub/` is applied
  again (D116); git url, branch, path, `spec.hub.argocd.project` and the cluster sets are
  carried by the hand-applied Application and bindings only (D117). During a migration
  that keeps the Subscriptions both sides are checked.
(*) a warning with `--allow-removals`.

A change of wrapper (http <-> container) needs no finding: the objects of the two kinds
have different names (`<model>` vs `<model>-prefetch`, `<model>-model`, `<model>-copy-*`),
so nothing is handed over; the old ones are pruned and the new ones created.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from edgemodels.catalogue.model import Catalogue, Model
from edgemodels.diagnostics import Diagnostic, Location, Severity
from edgemodels.output import plural
from edgemodels.plan.diff import ModelDiff
from edgemodels.plan.evaluate import PlacedModel, Sites
from edgemodels.plan.guards import setting_at
from edgemodels.plan.quantity import parse_bytes
from edgemodels.plan.sitelist import about, name_list
from edgemodels.render.common import DEFAULT_MODEL_SIZE
from edgemodels.selectors import Mask, count


def purging_deployer(catalogue: Catalogue) -> str | None:
    """What deletes a moved model's objects before its new placement applies them again:
    the old Subscription (its ManifestWork is purged), or an Argo CD Application that does
    not preserve resources. None where the objects stay (Argo CD preserving resources on
    deletion, or a migration's do-not-delete marks): no gap, and the new deployer patches
    the objects left in place, so a moved site's claim is resized like a kept one."""
    hub = catalogue.hub
    if hub.delivery != "argocd":
        return "Subscription"
    if hub.argocd.migration is not None or hub.argocd.preserve_resources_on_deletion:
        return None
    return "Application"


def _copy_sites(model: PlacedModel) -> Mask:
    """Sites that get the model with copy delivery, so with a claim."""
    mask = 0
    for p in model.placements:
        if p.deployed.delivery == "copy":
            mask |= p.sites
    return mask


def _size(model: Model) -> str:
    return (model.container.size if model.container else None) or DEFAULT_MODEL_SIZE


def _kept_claims(d: ModelDiff, after: Catalogue) -> Mask:
    """Sites whose claim of the model is patched: it keeps copy delivery there. A moved
    site's claim is purged with the old placement and made anew, where a deployer purges."""
    assert d.before is not None and d.after is not None
    purged = d.moved if purging_deployer(after) else 0
    return d.kept & ~purged & _copy_sites(d.before) & _copy_sites(d.after)


def _storage_class(model: Model) -> str | None:
    return model.container.storage_class if model.container else None


def _claims_kept(
    diffs: Iterable[ModelDiff], before: Catalogue, after: Catalogue
) -> Iterator[tuple[Model, Model, Mask]]:
    """(old model, new model, sites keeping its claim) of each model whose copy claim is
    patched on some site: what D114 and D123 compare."""
    old_models = {m.name: m for m in before.models}
    new_models = {m.name: m for m in after.models}
    for d in diffs:
        if d.before is None or d.after is None:
            continue
        kept = _kept_claims(d, after)
        if kept:
            yield old_models[d.name], new_models[d.name], kept


def storage_class_findings(
    diffs: Iterable[ModelDiff], before: Catalogue, after: Catalogue, sites: Sites
) -> list[Diagnostic]:
    """D123 copy-volume-class-changed: one finding per model whose claim would change class."""
    found = []
    for old, new, kept in _claims_kept(diffs, before, after):
        was, now = _storage_class(old), _storage_class(new)
        if was != now:
            found.append(_class_changed(new, (was, now), kept, sites))
    return found


def _class_changed(
    model: Model, classes: tuple[str | None, str | None], kept: Mask, sites: Sites
) -> Diagnostic:
    was, now = (c if c is not None else "(cluster default)" for c in classes)
    claim = f"{model.name}-model"
    fails = (
        "; with Helm the whole release upgrade fails with it"
        if model.packaging == "helm"
        else "; RHACM's patch of it fails at every reconcile"
    )
    message = (
        f"container model {model.name}: container.storageClassName {was} -> {now} on "
        f"{_keeping(kept)} with copy delivery "
        f"({name_list(sites, kept)}): the API server refuses to change the storageClassName "
        f"of its claim {claim}{fails}; keep the class, or give the model a new name (a new "
        "claim, the weights copied to it), or remove it in one merge and add it back in the next"
    )
    where = model.location_of("container.storageClassName")
    return about(
        Diagnostic(where, "D123", message, "error", "copy-volume-class-changed"), sites, kept
    )


def _keeping(kept: Mask) -> str:
    """'1 site that keeps it', '2 sites that keep it': one site is the usual case on a
    small fleet."""
    number = count(kept)
    return f"{plural(number, 'site')} that {'keeps' if number == 1 else 'keep'} it"


def resize_findings(
    diffs: Iterable[ModelDiff], before: Catalogue, after: Catalogue, sites: Sites
) -> list[Diagnostic]:
    """D114 copy-volume-resized: one finding per model whose claim would change size."""
    found = []
    for old, new, kept in _claims_kept(diffs, before, after):
        was, now = _size(old), _size(new)
        old_bytes, new_bytes = parse_bytes(was), parse_bytes(now)
        if old_bytes is None or new_bytes is None or old_bytes == new_bytes:
            continue  # an unreadable size is the schema's finding
        found.append(_resized(new, (was, now), new_bytes < old_bytes, kept, sites))
    return found


def _resized(
    model: Model, sizes: tuple[str, str], shrinks: bool, kept: Mask, sites: Sites
) -> Diagnostic:
    was, now = sizes
    where = model.location_of("container.size")
    claim = f"{model.name}-model"
    change = (
        f"container model {model.name}: container.size {was} -> {now} on "
        f"{_keeping(kept)} with copy delivery ({name_list(sites, kept)})"
    )
    fails = (
        " (with Helm the whole release upgrade fails with it)"
        if model.packaging == "helm"
        else " (RHACM's patch of it fails at every reconcile)"
    )
    instead = (
        "give the model a new name (a new claim, the weights copied to it), or remove it in "
        "one merge and add it back in the next"
    )
    if shrinks:
        message = (
            f"{change}: the API server refuses to shrink its claim {claim}{fails}; keep "
            f"the size, or {instead}"
        )
        return about(
            Diagnostic(where, "D114", message, "error", "copy-volume-resized"), sites, kept
        )
    message = (
        f"{change}: growing its claim {claim} needs volume expansion (a StorageClass with "
        "allowVolumeExpansion: true), which k3s's default local-path lacks, so such sites "
        f"refuse it{fails}; there, {instead}"
    )
    return about(Diagnostic(where, "D114", message, "warning", "copy-volume-resized"), sites, kept)


def hand_over_findings(
    diffs: Iterable[ModelDiff], after: Catalogue, sites: Sites
) -> list[Diagnostic]:
    """D115 packaging-hand-over: one finding per model whose packaging changes on kept sites."""
    hub = after.hub
    if hub.delivery == "argocd" and hub.argocd.migration != "keep-subscriptions":
        return []
    new_models = {m.name: m for m in after.models}
    found = []
    for d in diffs:
        if d.before is None or d.after is None or not d.kept:
            continue
        old = next(iter(d.before.placements), None)
        new = next(iter(d.after.placements), None)
        if old is None or new is None or old.deployed.packaging == new.deployed.packaging:
            continue
        found.append(
            _handed_over(new_models[d.name], old.deployed.packaging, d.kept, d.after, sites)
        )
    return found


def _handed_over(
    model: Model, was: str, kept: Mask, placed: PlacedModel, sites: Sites
) -> Diagnostic:
    copy = _copy_sites(placed) & kept
    volume = (
        f"; on {count(copy)} of them its copy volume {model.name}-model is deleted and made "
        "again (Terminating while workloads use it), the weights copied again"
        if copy
        else ""
    )
    message = (
        f"model {model.name}: packaging {was} -> {model.packaging} on "
        f"{_keeping(kept)} ({name_list(sites, kept)}): the same objects pass from one deployer to "
        "the other, and Helm refuses objects it did not create while the Subscription refuses "
        "objects Helm owns, so the change stalls or the model is absent until a retry"
        f"{volume}; instead remove the model in one merge and add it back with the new "
        "packaging in the next, or give it a new name"
    )
    handed = Diagnostic(
        model.location_of("packaging"), "D115", message, "error", "packaging-hand-over"
    )
    return about(handed, sites, kept)


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
        "spec.hub.placementKind": hub.placement_kind,
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
    """D116 hub-moved and D117 hub-bootstrap-changed (module docstring), for each hub side
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
