"""R222: two catalogue entries whose generated objects would get the same name.

Generated names are concatenations (`<model>-<placement>`, `follow-<model>`,
`<catalogue>-<model>-<placement>`, `<model>-prefetch`), so different entries can meet: model
`a-b` on target `c` and model `a` on target `b-c` both make Subscription `a-b-c`. The tree
would hold one object in two files and `kubectl kustomize hub` fails (K315 in `validate`).
Names are not changed to avoid it: a new name redeploys every site. Each name is built as
the renderers build it (render/acm.py, render/argocd.py, render/site.py); one dict keyed on
(kind, namespace, name), so the check is linear in the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import NamedTuple

from edgemodels.catalogue.build import build_hub, build_workload
from edgemodels.catalogue.model import HubSpec, Selector
from edgemodels.catalogue.permodel import targets_context
from edgemodels.catalogue.sources import Merged, Node
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.names import joined_name
from edgemodels.placement import FOLLOW_PREFIX, workload_selectors
from edgemodels.recall import NOTHING, Recall

Key = tuple[str, str, str]  # kind, namespace, name
# Not an object: the label `app` a model's Subscriptions carry (its name), as RHACM's hub
# labels the hub Subscription (render/acm.app_labels), and which the model's Application
# selects on, so a model named like the hub Subscription would list it as its own.
APP_LABEL = "label app"


# Named tuples, not frozen dataclasses: a few are made per model and target on every load,
# and a frozen dataclass sets each field through object.__setattr__ (and builds its
# methods with exec at import): about a sixth of this check's time at 1,000 models.


class Where(NamedTuple):
    """A position, computed only for a finding: locating every object was half the check."""

    node: Node
    steps: tuple[str | int, ...] = ()
    key: bool = False

    def location(self) -> Location:
        return self.node.at(*self.steps, key=self.key)


class Named(NamedTuple):
    """One generated object: what makes it (`source`, same source = same object) and where."""

    key: Key
    source: str
    where: Where


class Placed(NamedTuple):
    """One hub placement of a model, as the renderers name it."""

    name: str  # target name or follow-<model>
    source: str
    where: Where  # the placement's definition
    used_at: Where  # where the model asks for it
    predicates: int


def check_names(merged: Merged, recall: Recall = NOTHING) -> Iterator[Diagnostic]:
    first: dict[Key, Named] = {}
    for named in _objects(merged, recall):
        seen = first.setdefault(named.key, named)
        if seen.source != named.source:
            kind, _, name = named.key
            message = (
                f"{kind} '{name}' of {named.source} has the same name as the one of "
                f"{seen.source} at {seen.where.location()}; rename one of them"
            )
            if kind == APP_LABEL:
                message = (
                    f"{named.source} labels its Subscriptions app={name}, as RHACM labels "
                    f"the hub Subscription {name} ({seen.source} at "
                    f"{seen.where.location()}): the model's Application, which selects on "
                    "that label, would show the hub Subscription as part of the model; "
                    "rename the model"
                )
            yield Diagnostic(
                named.where.location(), "R222", message, "error", "duplicate-generated-name"
            )


def _objects(merged: Merged, recall: Recall = NOTHING) -> Iterator[Named]:
    hub = build_hub(merged.sections["hub"].data)
    namespace = str(merged.sections["defaults"].data["namespace"])
    catalogue = str(merged.name.data) if merged.name is not None else ""
    follows = _follow_selectors(merged)
    subscriptions = hub.delivery == "subscription" or hub.argocd.migration == "keep-subscriptions"
    if subscriptions and merged.name is not None:  # render/acm.hub_subscription
        name = joined_name(catalogue, "hub")
        where = Where(merged.name)
        yield Named(("Subscription", hub.namespace, name), "the catalogue's hub side", where)
        yield Named((APP_LABEL, hub.namespace, name), "the catalogue's hub side", where)
    # A model's objects read the hub, the defaults, the catalogue's name, the targets and
    # the workloads that use it besides its own entry.
    context = (
        hub,
        str(merged.sections["defaults"].get("containerDelivery", "auto")),
        namespace,
        catalogue,
        tuple((k, tuple(v)) for k, v in sorted(follows.items())),
        targets_context(merged),
    )
    each = partial(_model_objects, merged, hub, catalogue, namespace, follows, subscriptions)
    table = recall.table("names", context)
    for m in merged.models:
        yield from table.get(m.data, partial(each, m))


def _model_objects(
    merged: Merged,
    hub: HubSpec,
    catalogue: str,
    namespace: str,
    follows: dict[str, list[Selector]],
    subscriptions: bool,
    m: Node,
) -> list[Named]:
    model = str(m.data["name"])
    found = list(_site_objects(merged, m, model, namespace))
    if subscriptions:
        found.append(
            Named((APP_LABEL, hub.namespace, model), f"model '{model}'", Where(m, ("name",)))
        )
    for p in _placements(merged, m, model, follows):
        if subscriptions:
            found += _subscription_side(hub, model, p)
        if hub.delivery == "argocd":
            found += _argocd_side(hub, catalogue, model, p)
    return found


def _placements(
    merged: Merged, m: Node, model: str, follows: dict[str, list[Selector]]
) -> Iterator[Placed]:
    for i, t in enumerate(m.get("targets") or []):
        node = merged.targets.get(t)
        used_at = Where(m, ("targets", i))
        where = (
            Where(node, (), bool(node.path) and isinstance(node.path[-1], str))
            if node is not None
            else used_at
        )
        yield Placed(t, f"target '{t}'", where, used_at, 1)
    count = len(follows.get(model, ()))
    if m.get("followWorkloads") and count:  # without a consumer nothing is rendered
        where = Where(m, ("followWorkloads",))
        yield Placed(
            FOLLOW_PREFIX + model, f"model '{model}' (followWorkloads)", where, where, count
        )


def _follow_selectors(merged: Merged) -> dict[str, list[Selector]]:
    """model -> the distinct selectors of the workloads using it (follow_placement's predicates)."""
    found: dict[str, list[Selector]] = {}
    for node in merged.workloads:
        workload = build_workload(node)
        for used in workload.uses:
            selectors = found.setdefault(used, [])
            for sel in workload_selectors(workload):
                if sel not in selectors:
                    selectors.append(sel)
    return found


def _hub_placement_names(hub: HubSpec, p: Placed) -> list[str]:
    """As render/acm.hub_placements: a PlacementRule cannot OR selectors, so one per selector."""
    if hub.placement_kind == "Placement" or p.predicates == 1:
        return [p.name]
    return [f"{p.name}-{i}" for i in range(1, p.predicates + 1)]


def _subscription_side(hub: HubSpec, model: str, p: Placed) -> Iterator[Named]:
    where = f"model '{model}' on {p.source}"
    for name in _hub_placement_names(hub, p):
        yield Named((hub.placement_kind, hub.namespace, name), p.source, p.where)
        yield Named(("Subscription", hub.namespace, f"{model}-{name}"), where, p.used_at)


def _argocd_side(hub: HubSpec, catalogue: str, model: str, p: Placed) -> Iterator[Named]:
    # render/argocd.argo_name joins with '-' and hashes only a long join, so two names are
    # equal exactly when their joins are.
    ns = hub.argocd.namespace
    placement = f"{catalogue}-{p.name}"
    yield Named(("Placement", ns, placement), p.source, p.where)
    yield Named(("GitOpsCluster", ns, placement), p.source, p.where)
    appset = f"{catalogue}-{model}-{p.name}"
    yield Named(("ApplicationSet", ns, appset), f"model '{model}' on {p.source}", p.used_at)


def _site_objects(merged: Merged, m: Node, model: str, namespace: str) -> Iterator[Named]:
    """Deployments share the sites' namespace: an HTTP model's is `<model>`, a container
    model's image-volume prefetch is `<model>-prefetch` (render/site.py)."""
    source = f"model '{model}'"
    if m.data["wrapper"] == "http":
        yield Named(("Deployment", namespace, model), source, Where(m, ("name",)))
        return
    wanted = (m.get("container") or {}).get("delivery") or merged.sections["defaults"].get(
        "containerDelivery", "auto"
    )
    if wanted != "copy":
        yield Named(("Deployment", namespace, f"{model}-prefetch"), source, Where(m, ("name",)))
