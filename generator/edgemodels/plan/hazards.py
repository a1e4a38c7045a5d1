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

A change of wrapper (http <-> container) needs no finding: the objects of the two kinds
have different names (`<model>` vs `<model>-prefetch`, `<model>-model`, `<model>-copy-*`),
so nothing is handed over; the old ones are pruned and the new ones created.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from edgemodels.catalogue.model import Catalogue, Model
from edgemodels.diagnostics import Diagnostic
from edgemodels.output import plural
from edgemodels.plan.diff import ModelDiff
from edgemodels.plan.evaluate import PlacedModel
from edgemodels.plan.quantity import parse_bytes
from edgemodels.plan.sitelist import about, name_list
from edgemodels.plan.sitemasks import Sites
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
