"""Checks on what a model gets on each of its targets once the overrides are merged.

They read the merged catalogue (positions) and merge with the same methods the renderer
uses (`Overrides.merged`, then `Resources.merged`), so a finding means a generated pod the
API server would reject.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from edgemodels.catalogue.build import build_overrides, build_resources
from edgemodels.catalogue.model import Overrides, Resources
from edgemodels.catalogue.permodel import each_model, targets_context
from edgemodels.catalogue.sources import Merged, Node
from edgemodels.diagnostics import Diagnostic, Location
from edgemodels.kubequantity import quantity_value
from edgemodels.recall import NOTHING, Recall
from edgemodels.resourcerules import LimitProblem, integer_resource, limit_problem, whole


def check_resources(merged: Merged, recall: Recall = NOTHING) -> Iterator[Diagnostic]:
    """R221: a request its limit does not allow (the rules of K331), on the model itself or
    on one of its targets."""
    each = partial(_model_resources, merged)
    yield from each_model(merged, recall, "resources", targets_context(merged), each)


def _model_resources(merged: Merged, m: Node) -> Iterator[Diagnostic]:
    """One model's R221s; reads the targets besides the model. None for a container model:
    it runs no pod of its own (a workload loads its files; its copy and prefetch pods have
    fixed resources), so its resources and those its targets' overrides bring go to no pod
    the API server could refuse. R207 says the model's own go nowhere; R221 there said the
    opposite, and sent the user to fix a setting that has no effect."""
    if m.get("wrapper") == "container":
        return
    own = build_resources(m.get("resources")) or Resources()
    seen: set[tuple[str, Location]] = set()
    for target in [None, *(m.get("targets") or [])]:
        effective = own
        if target is not None:
            effective = own.merged(_placement_overrides(merged, m, target).resources)
        for key, values, problem in _refused(effective):
            request_at = _source(merged, m, target, "requests", key)
            limit_at = _source(merged, m, target, "limits", key) if values[1] else None
            found = _refused_finding(m, target, key, values, problem, (request_at, limit_at))
            if (key, found.location) not in seen:  # the same setting, on every target
                seen.add((key, found.location))
                yield found
        for kind, key, value in _fractions(effective):
            where = _source(merged, m, target, kind, key)[1]
            if (key, where) not in seen:
                seen.add((key, where))
                on = f" on target '{target}'" if target is not None else ""
                message = (
                    f"model '{m.data['name']}'{on} sets {kind}.{key} to {value}: {key} is "
                    "counted in whole units, and Kubernetes rejects a pod that asks for a "
                    'fraction of one ("must be an integer")'
                )
                yield Diagnostic(where, "R227", message, "error", "fractional-extended-resource")


def _fractions(res: Resources) -> Iterator[tuple[str, str, str]]:
    """(requests or limits, resource, value) for each extended resource set to a fraction
    of a unit (`nvidia.com/gpu: 0.5`), which the API server refuses as K330 says."""
    for kind, values in (("requests", res.requests), ("limits", res.limits)):
        for key, value in values:
            exact = quantity_value(value)
            if exact is not None and integer_resource(key) and not whole(exact):
                yield kind, key, value


def _placement_overrides(merged: Merged, m: Node, target: str) -> Overrides:
    """The target's overrides merged with the model's own for it, as `model_placements` does."""
    node = merged.targets.get(target)
    of_target = build_overrides(node.get("overrides") if node is not None else None)
    of_model = (m.get("overrides") or {}).get(target)
    return of_target.merged(build_overrides(of_model) if of_model is not None else None)


def _refused(res: Resources) -> Iterator[tuple[str, tuple[str, str | None], LimitProblem]]:
    """(resource, (request, limit or None), problem) for each request the API server
    refuses against its limit, compared as it compares quantities. A value that does not
    parse cannot reach here: the schema takes a quantity only where the API server does."""
    limits = dict(res.limits)
    for key, request in res.requests:
        limit = limits.get(key)
        asked = quantity_value(request)
        allowed = quantity_value(limit) if limit is not None else None
        if asked is None or (limit is not None and allowed is None):
            continue
        problem = limit_problem(key, asked, allowed)
        if problem is not None:
            yield key, (request, limit), problem


Source = tuple[int, Location]  # how specific the setting is (2: model's override for the target)


def _source(merged: Merged, m: Node, target: str | None, kind: str, key: str) -> Source:
    """Where the value in force comes from: the model's override for the target, the
    target's overrides, else the model's own resources (the merge's order of precedence)."""
    if target is not None:
        path = ("overrides", target, "resources", kind, key)
        if _has(m.data, path):
            return 2, m.at(*path)
        node = merged.targets.get(target)
        own = ("overrides", *path[2:])  # a target's overrides are its own, not per target
        if node is not None and _has(node.data, own):
            return 1, node.at(*own)
    return 0, m.at("resources", kind, key)


def _has(data: object, path: tuple[str | int, ...]) -> bool:
    for step in path:
        if not isinstance(data, dict) or step not in data:
            return False
        data = data[step]
    return True


def _refused_finding(
    m: Node,
    target: str | None,
    key: str,
    values: tuple[str, str | None],
    problem: LimitProblem,
    sources: tuple[Source, Source | None],
) -> Diagnostic:
    (request, limit), (request_at, limit_at) = values, sources
    on = f" on target '{target}'" if target is not None else ""
    asked = f"model '{m.data['name']}'{on} requests {key} {request} (at {request_at[1]})"
    if problem == "no-limit" or limit_at is None:
        message = (
            f"{asked} but sets no {key} limit: {key} cannot be overcommitted, so Kubernetes "
            f"rejects a pod whose {key} limit is not set equal to its request; set "
            f"limits.{key} to {request}"
        )
    elif problem == "not-equal":
        message = (
            f"{asked} but its limit is {limit} (at {limit_at[1]}): {key} cannot be "
            "overcommitted, so Kubernetes rejects a pod whose request is not equal to its limit"
        )
    else:
        message = (
            f"{asked} but its limit is {limit} (at {limit_at[1]}): Kubernetes rejects a pod "
            "whose request is above its limit"
        )
    # At the value the more specific setting brings in (it is what makes this placement's
    # pod wrong); on a tie, at the request, as K331 points at it in the generated pod.
    where = request_at if limit_at is None or request_at[0] >= limit_at[0] else limit_at
    return Diagnostic(where[1], "R221", message, "error", "request-over-limit")


Route = tuple[str, tuple[str, ...]]  # target, path elements


def check_ingress_paths(merged: Merged) -> Iterator[Diagnostic]:
    """R223: two HTTP models on one target whose Ingresses claim the same path. Nested paths
    (`/api` and `/api/v1`) are not a clash: Ingress routes a request to the longest matching
    Prefix path, so each model keeps its own requests."""
    first: dict[Route, Node] = {}
    for m in merged.models:
        path = (m.get("http") or {}).get("ingressPath") if m.data["wrapper"] == "http" else None
        if path is None:
            continue
        elements = _elements(str(path))
        for target in dict.fromkeys(m.get("targets") or []):
            earlier = first.setdefault((target, elements), m)
            # a model defined twice (R101) does not also clash with itself
            if earlier is not m and earlier.data["name"] != m.data["name"]:
                yield _ingress_finding(m, earlier, target)


def _ingress_finding(later: Node, earlier: Node, target: str) -> Diagnostic:
    mine, theirs = later.data["http"]["ingressPath"], earlier.data["http"]["ingressPath"]
    message = (
        f"model '{later.data['name']}' takes ingress path '{mine}' on target '{target}', and "
        f"model '{earlier.data['name']}' (at {earlier.at('http', 'ingressPath')}) takes "
        f"'{theirs}' there: both Ingresses claim the same path on every site"
    )
    return Diagnostic(
        later.at("http", "ingressPath"), "R223", message, "error", "ingress-path-conflict"
    )


def _elements(path: str) -> tuple[str, ...]:
    """Prefix matching is element-wise and ignores a trailing '/': `/api/` is `/api`, and
    `/api` does not take `/apis`."""
    return tuple(e for e in path.split("/") if e)


def check_argocd_braces(merged: Merged) -> Iterator[Diagnostic]:
    """R226 (warning): with Argo CD delivery, the values a placement changes in a Helm model
    go into the ApplicationSet's `template.spec.source.helm.valuesObject`, and the
    ApplicationSet controller renders its template with fasttemplate, replacing `{{name}}`,
    `{{server}}` and the other generator parameters per cluster ("An Argo CD Application is
    created by combining the parameters from the generator with fields of the template (via
    {{values}})", https://argo-cd.readthedocs.io/en/release-2.9/operator-manual/applicationset/Template/).
    Subscription delivery passes them literally, so such a value differs by delivery. Checked
    where those values come from: the model's per-target overrides, the overrides of its
    targets, and its env (env goes whole when a placement changes one variable)."""
    if merged.sections["hub"].get("delivery") != "argocd":
        return
    default_packaging = merged.sections["defaults"].get("packaging", "helm")
    used: dict[str, None] = {}  # targets of Helm models: their overrides are checked once
    for m in merged.models:
        if m.get("packaging", default_packaging) != "helm":
            continue
        name = f"Helm model '{m.data['name']}'"
        targets = [t for t in m.get("targets") or [] if t in merged.targets]
        used.update(dict.fromkeys(targets))
        overrides = [("overrides", t) for t in (m.get("overrides") or {})]
        env_changes = any(_has(m.data, (*o, "env")) for o in overrides) or any(
            _has(merged.targets[t].data, ("overrides", "env")) for t in targets
        )
        for path in [*overrides, *([("env",)] if env_changes else [])]:
            yield from _braces(m, path, name)
    for t in used:
        yield from _braces(merged.targets[t], ("overrides",), f"target '{t}' (a Helm model's)")


def _braces(node: Node, path: tuple[str | int, ...], owner: str) -> Iterator[Diagnostic]:
    if not _has(node.data, path):
        return
    for where, text in _strings(node.child(*path).data):
        if "{{" in text:
            yield _braces_finding(node.at(*path, *where), owner, text)


def _strings(
    data: object, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*path, i))


def _braces_finding(where: Location, owner: str, text: str) -> Diagnostic:
    message = (
        f"'{text}' of {owner} contains '{{{{': with spec.hub.delivery argocd it goes"
        " into the ApplicationSet's helm.valuesObject, whose template Argo CD fills per cluster"
        " ({{name}}, {{server}} become the cluster's), while Subscriptions pass it as written;"
        " write the value without '{{'"
    )
    return Diagnostic(where, "R226", message, "warning", "argocd-template-braces")
