"""D138 site-objects-needed (warning): a model reaches sites where its pods now read a
Secret's or ConfigMap's key (env's secretKeyRef, configMapKeyRef) or a whole one (envFrom)
that the model did not read there before: a model added with such a reference, a
reference added, another object or key named, or a placement moved to sites that never
needed it. No plan can see the sites' objects; a pod whose required object or key is
missing waits in CreateContainerConfigError, and a Deployment rolled to it stops the
rollout there with the old pods serving. One finding per model and object, naming the
sites, so whoever makes the objects on the sites knows where before the merge. Optional
references start the pod without them: no finding. Only with --base: without a
comparison every reference would be new on every site.
"""

from __future__ import annotations

from collections.abc import Iterable

from edgemodels.catalogue.envvars import EnvRef, site_reads
from edgemodels.catalogue.model import Catalogue, Model
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.output import plural
from edgemodels.plan.diff import ModelDiff
from edgemodels.plan.evaluate import Deployed, PlacedModel
from edgemodels.plan.sitelist import about, name_list
from edgemodels.plan.sitemasks import Sites
from edgemodels.selectors import Mask, count

CODE = ("D138", "site-objects-needed")


def _reads(deployed: Deployed) -> dict[str, str]:
    """What the pods cannot start without, as a message names it, by the variable that
    reads it ("" for envFrom)."""
    out: dict[str, str] = {}
    for variable, ref in site_reads(deployed.env, deployed.env_from):
        if not ref.optional:
            key = f" (key {ref.key})" if isinstance(ref, EnvRef) else ""
            out.setdefault(f"{ref.kind} {ref.name}{key}", variable)
    return out


Reads = dict[str, list[tuple[str, Mask, str]]]  # object -> (placement, sites, variable)


def _masks(model: PlacedModel | None) -> Reads:
    out: Reads = {}
    for placement in model.placements if model is not None else ():
        for read, variable in _reads(placement.deployed).items():
            out.setdefault(read, []).append((placement.name, placement.sites, variable))
    return out


def _union(entries: Iterable[tuple[str, Mask, str]]) -> Mask:
    mask = 0
    for _, sites, _ in entries:
        mask |= sites
    return mask


def site_object_findings(
    diffs: Iterable[ModelDiff], after: Catalogue, sites: Sites
) -> list[Diagnostic]:
    models = {m.name: m for m in after.models}
    found = []
    for d in diffs:
        if d.after is None or d.name not in models:
            continue
        before = _masks(d.before)
        for read, entries in sorted(_masks(d.after).items()):
            newly = _union(entries) & ~_union(before.get(read, ()))
            if newly:
                placement, _, variable = next(e for e in entries if e[1] & newly)
                where = _where(after, models[d.name], placement, variable)
                found.append(_finding(where, d.name, read, newly, sites, after))
    return found


def _where(after: Catalogue, model: Model, placement: str, variable: str) -> Location:
    """The line that names the object: the variable in the model's overrides for the
    placement's target, in the target's overrides, or in the model's env; envFrom."""
    if not variable:
        return model.location_of("envFrom")
    keys = dict(model.key_locations)
    if (own := keys.get(f"overrides.{placement}.env.{variable}")) is not None:
        return own
    target = next((t for t in after.targets if t.name == placement), None)
    if (
        target is not None
        and (shared := dict(target.key_locations).get(f"overrides.env.{variable}")) is not None
    ):
        return shared
    return keys.get(f"env.{variable}", model.location_of("env"))


def _finding(
    where: Location, model: str, read: str, newly: Mask, sites: Sites, after: Catalogue
) -> Diagnostic:
    message = (
        f"model {model} now reads {read} on {plural(count(newly), 'site')} where it did not"
        f" ({name_list(sites, newly)}): make it in namespace {after.defaults.namespace} on"
        " each before this merges, or its pods there wait (CreateContainerConfigError) and"
        " a rollout stops with the old pods serving"
    )
    return about(Diagnostic(where, CODE[0], message, "warning", CODE[1]), sites, newly)
