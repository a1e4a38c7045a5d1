"""Checks beyond the schema: references, names, selectors, images, versions, budgets.

They run on the merged, schema-valid catalogue and point at the line that is wrong. While the
files have schema errors, partial.py runs those of references that still hold.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from functools import partial
from urllib.parse import urlsplit

from edgemodels.catalogue.collisions import check_names
from edgemodels.catalogue.derived import (
    check_argocd_braces,
    check_ingress_paths,
    check_resources,
)
from edgemodels.catalogue.overlaps import overlap_findings
from edgemodels.catalogue.permodel import each_model
from edgemodels.catalogue.sources import Merged, Node
from edgemodels.diagnostics import Diagnostic, Location, Severity
from edgemodels.names import (
    DNS1035_LABEL,
    MAX_APPLICATION_NAME,
    MAX_LABEL_VALUE,
    image_problem,
    label_key_problem,
    label_value_problem,
    parse_image,
    version_problem,
)
from edgemodels.placement import FOLLOW_PREFIX
from edgemodels.recall import NOTHING, Recall

Check = Callable[[Merged, Recall], Iterable[Diagnostic]]


def _d(loc: Location, code: str, name: str, msg: str, sev: Severity = "error") -> Diagnostic:
    return Diagnostic(loc, code, msg, sev, name)


def check_merged(merged: Merged, recall: Recall = NOTHING) -> list[Diagnostic]:
    """Every check's findings. `recall` (a resident server's) gives back a model's findings
    when its entry is the very data checked before, in the same context (`each_model`)."""
    diags = list(_missing_sections(merged))
    if diags:
        return diags
    for check in CHECKS:
        diags.extend(check(merged, recall))
    return diags


def _whole(check: Callable[[Merged], Iterable[Diagnostic]]) -> Check:
    """A check cheap enough to run whole every time."""
    return lambda merged, recall: check(merged)


def _missing_sections(merged: Merged) -> Iterator[Diagnostic]:
    first = Location(merged.files[0].path, 1, 1) if merged.files else Location("<catalogue>")
    if merged.name is None:
        yield _d(first, "S101", "missing-section", "no file of the catalogue sets metadata.name")
    for section in ("git", "hub", "defaults"):
        if section not in merged.sections:
            yield _d(
                first, "S101", "missing-section", f"no file of the catalogue defines spec.{section}"
            )


def _duplicates(merged: Merged) -> Iterator[Diagnostic]:
    for kind, code, nodes in (
        ("model", "R101", merged.models),
        ("workload", "R103", merged.workloads),
    ):
        seen: dict[str, Node] = {}
        for node in nodes:
            name = node.data["name"]
            if name in seen:
                yield duplicate_name(kind, code, node, seen[name])
            else:
                seen[name] = node


def duplicate_name(kind: str, code: str, node: Node, first: Node) -> Diagnostic:
    """R101, R103: `node` is a second model or workload of `first`'s name."""
    name = node.data["name"]
    return _d(
        node.at("name"),
        code,
        f"duplicate-{kind}",
        f"{kind} '{name}' is defined twice; first at {first.at('name')}",
    )


def _references(merged: Merged, recall: Recall) -> Iterator[Diagnostic]:
    models = {m.data["name"] for m in merged.models}
    used_by_workloads = {u for w in merged.workloads for u in w.data["uses"]}
    # A misspelt `uses` entry is R105 with a did-you-mean; the model it meant is not also R108.
    used_by_workloads |= {_closest(u, models) or u for u in used_by_workloads - models}
    context = (tuple(merged.targets), frozenset(used_by_workloads))
    each = partial(_model_references, merged.targets, used_by_workloads)
    yield from each_model(merged, recall, "references", context, each)
    used_targets = {t for m in merged.models for t in m.get("targets") or []}
    for w in merged.workloads:
        yield from unknown_models(w, models)
    for t, node in merged.targets.items():
        if t not in used_targets:
            yield _d(
                node.path_key(),
                "R107",
                "unused-target",
                f"target '{t}' is used by no model",
                "warning",
            )


def _model_references(
    targets: Mapping[str, Node], used_by_workloads: set[str], m: Node
) -> Iterator[Diagnostic]:
    """R104, R120, R211, R106, R108 of one model; reads only the target names."""
    name = m.data["name"]
    yield from unknown_targets(m, targets)
    for t in m.get("overrides") or {}:
        if t not in targets:
            yield unknown_override(m, t, targets)
        elif t not in (m.get("targets") or []):
            yield _d(
                m.at("overrides", t, key=True),
                "R211",
                "override-for-unused-target",
                f"model '{name}' overrides target '{t}' but is not deployed to it",
                "warning",
            )
    follow = bool(m.get("followWorkloads"))
    if not m.get("targets") and not follow:
        yield _d(
            m.at("name"),
            "R106",
            "model-without-placement",
            f"model '{name}' has neither targets nor followWorkloads: it would go nowhere",
        )
    if follow and name not in used_by_workloads:
        yield _d(
            m.at("followWorkloads"),
            "R108",
            "follow-without-workloads",
            f"model '{name}' follows workloads, but no workload uses it",
        )


def unknown_targets(
    m: Node, targets: Mapping[str, object], maybe: Collection[str] = ()
) -> Iterator[Diagnostic]:
    """R104: the entries of model `m`'s `targets` that `targets` does not define (nor
    `maybe`, names that may be targets, not listed as such)."""
    for i, t in enumerate(m.get("targets") or []):
        if t not in targets and t not in maybe:
            yield _d(
                m.at("targets", i),
                "R104",
                "unknown-target",
                f"model '{m.data['name']}' names target '{t}', which is not in spec.targets"
                + (_hint(t, targets) or _defined(targets)),
            )


def unknown_override(m: Node, t: str, targets: Mapping[str, object]) -> Diagnostic:
    """R120: model `m` overrides `t`, which `targets` does not define."""
    return _d(
        m.at("overrides", t, key=True),
        "R120",
        "override-for-unknown-target",
        f"model '{m.data['name']}' overrides target '{t}', which is not in spec.targets"
        + _hint(t, targets),
    )


def unknown_models(w: Node, models: Collection[str]) -> Iterator[Diagnostic]:
    """R105: the entries of workload `w`'s `uses` that are not in `models`."""
    for i, u in enumerate(w.data["uses"]):
        if u not in models:
            yield _d(
                w.at("uses", i),
                "R105",
                "unknown-model",
                f"workload '{w.data['name']}' uses model '{u}', which is not in spec.models"
                + _hint(u, models),
            )


def _closest(name: str, known: Iterable[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1)
    return close[0] if close else None


def _hint(name: str, known: Iterable[str]) -> str:
    close = _closest(name, known)
    return f"; did you mean '{close}'?" if close else ""


MAX_LISTED = 10  # target names listed in an R104 without a close spelling (fleets have hundreds)


def _defined(targets: Mapping[str, object]) -> str:
    """The targets there are, for a name that is like none of them."""
    names = sorted(targets)
    if not names:
        return "; spec.targets defines none"
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return f"; spec.targets defines {', '.join(names[:MAX_LISTED])}{more}"


def _selector_nodes(merged: Merged) -> Iterator[Node]:
    yield from merged.targets.values()
    yield from merged.workloads


def _selectors(merged: Merged) -> Iterator[Diagnostic]:
    for node in _selector_nodes(merged):
        for key, value in (node.get("matchLabels") or {}).items():
            yield from _label(node, ("matchLabels", key), key, value)
        for i, expr in enumerate(node.get("matchExpressions") or []):
            yield from _expression(node.child("matchExpressions", i), expr)


def _label(node: Node, path: tuple[str | int, ...], key: str, value: str) -> Iterator[Diagnostic]:
    problem = label_key_problem(key)
    if problem:
        yield _d(
            node.at(*path, key=True), "R201", "invalid-label-key", f"label key '{key}': {problem}"
        )
    problem = label_value_problem(value)
    if problem:
        yield _d(node.at(*path), "R202", "invalid-label-value", f"label value '{value}': {problem}")


def _expression(node: Node, expr: dict[str, object]) -> Iterator[Diagnostic]:
    key, op = str(expr["key"]), str(expr["operator"])
    values = list(expr.get("values") or [])  # type: ignore[call-overload]
    problem = label_key_problem(key)
    if problem:
        yield _d(node.at("key"), "R201", "invalid-label-key", f"label key '{key}': {problem}")
    if op in ("In", "NotIn") and not values:
        yield _d(
            node.at("operator"),
            "R203",
            "incoherent-selector",
            f"operator {op} needs at least one value",
        )
    # Kubernetes wants the list empty for these, not absent: `values: []` is fine.
    if op in ("Exists", "DoesNotExist") and values:
        yield _d(node.at("values"), "R203", "incoherent-selector", f"operator {op} takes no values")
    for i, v in enumerate(values):
        problem = label_value_problem(str(v))
        if problem:
            yield _d(
                node.at("values", i), "R202", "invalid-label-value", f"label value '{v}': {problem}"
            )


def _models(merged: Merged, recall: Recall) -> Iterator[Diagnostic]:
    default_packaging = merged.sections["defaults"].get("packaging", "helm")
    each = partial(_model_findings, default_packaging)
    yield from each_model(merged, recall, "models", default_packaging, each)


def _model_findings(default_packaging: str, m: Node) -> Iterator[Diagnostic]:
    name = m.data["name"]
    yield from _budgets(m, name)
    packaging = m.get("packaging", default_packaging)
    problem = version_problem(str(m.data["version"]), packaging)
    if problem:
        yield _d(
            m.at("version"),
            "R206",
            "invalid-version",
            f"version '{m.data['version']}': {problem}",
        )
    yield from _images(m)
    wrapper = m.data["wrapper"]
    if wrapper == "http" and not DNS1035_LABEL.match(name):
        yield _d(
            m.at("name"),
            "R225",
            "service-name-invalid",
            f"http model '{name}' names its Service, which must start with a letter "
            "(a DNS-1035 label): every site would refuse it; rename the model",
        )
    other = "container" if wrapper == "http" else "http"
    if wrapper == "http" and "http" not in m.data:
        yield _d(
            m.at("wrapper"),
            "R207",
            "wrapper-settings",
            f"model '{name}' is an http model but has no http section (port, healthPath)",
        )
    if other in m.data:
        yield _d(
            m.at(other, key=True),
            "R207",
            "wrapper-settings",
            f"model '{name}' is a {wrapper} model; the {other} section does not apply",
        )
    if wrapper == "container":
        yield from _podless(m, name)


POD_SETTINGS = ("replicas", "resources", "env")  # of the model's own pods: HTTP models only


def _podless(m: Node, name: str) -> Iterator[Diagnostic]:
    """R207 (warning): a container model runs no pod of its own (a workload loads its
    files), so its pod settings, and those of its per-target overrides, go nowhere; they
    used to be dropped without a word. A target's overrides are not flagged: they serve
    every model on the target, HTTP ones too."""
    places: list[tuple[str | int, ...]] = [()]
    overrides = m.get("overrides")
    if isinstance(overrides, dict):
        places += [("overrides", t) for t, o in overrides.items() if isinstance(o, dict)]
    for place in places:
        settings = m.child(*place).data if place else m.data
        for key in POD_SETTINGS:
            if key in settings:
                where = f"overrides for target '{place[1]}'" if place else "model"
                yield _d(
                    m.at(*place, key, key=True),
                    "R207",
                    "wrapper-settings",
                    f"'{key}' of container model '{name}' ({where}) has no effect: a "
                    "container model runs no pod of its own, the workload that loads its "
                    f"files does; set {key} on that workload, or remove it here",
                    "warning",
                )


def _budgets(m: Node, name: str) -> Iterator[Diagnostic]:
    if len(name) > MAX_APPLICATION_NAME:
        yield _d(
            m.at("name"),
            "R204",
            "name-too-long",
            f"model name '{name}' is {len(name)} characters; RHACM application names are "
            f"limited to {MAX_APPLICATION_NAME}",
        )
    placements = list(m.get("targets") or [])
    if m.get("followWorkloads"):
        placements.append(FOLLOW_PREFIX + name)
    for p in placements:
        sub = f"{name}-{p}"
        if len(sub) > MAX_LABEL_VALUE:
            yield _d(
                m.at("name"),
                "R204",
                "name-too-long",
                f"subscription name '{sub}' would be {len(sub)} characters; the limit is "
                f"{MAX_LABEL_VALUE}: shorten the model or target name",
            )


def _images(m: Node) -> Iterator[Diagnostic]:
    refs: list[tuple[tuple[str | int, ...], str]] = [(("image",), m.data["image"])]
    refs += [(("images", arch), ref) for arch, ref in (m.get("images") or {}).items()]
    refs += [
        (("overrides", t, "image"), o["image"])
        for t, o in (m.get("overrides") or {}).items()
        if "image" in o
    ]
    for path, ref in refs:
        if parse_image(ref) is None:
            yield _d(
                m.at(*path),
                "R205",
                "invalid-image",
                f"'{ref}' is not a valid image reference: {image_problem(ref)}",
            )


def _workloads(merged: Merged) -> Iterator[Diagnostic]:
    for w in merged.workloads:
        if not (w.get("matchLabels") or w.get("matchExpressions") or w.get("sites")):
            yield _d(
                w.at("name"),
                "R212",
                "workload-without-placement",
                f"workload '{w.data['name']}' says nothing about where it runs "
                "(matchLabels, matchExpressions or sites)",
            )


def _settings(merged: Merged) -> Iterator[Diagnostic]:
    git, hub, defaults = (merged.sections[s] for s in ("git", "hub", "defaults"))
    yield from _git_url(git)
    for t, node in merged.targets.items():
        image = (node.get("overrides") or {}).get("image")
        if image is not None and parse_image(image) is None:
            yield _d(
                node.at("overrides", "image"),
                "R205",
                "invalid-image",
                f"target '{t}': '{image}' is not a valid image reference: {image_problem(image)}",
            )
    if defaults.data["namespace"] != hub.data["namespace"]:
        yield _d(
            defaults.at("namespace"),
            "R208",
            "namespace-mismatch",
            f"models go to namespace '{defaults.data['namespace']}' but RHACM puts namespaced "
            f"resources in the Subscription's namespace '{hub.data['namespace']}' unless the "
            "subscription is created by a subscription-admin",
            "warning",
        )
    yield from _placement_rule_settings(hub)


def _placement_rule_settings(hub: Node) -> Iterator[Diagnostic]:
    """R224: PlacementRules have no cluster sets and no tolerations (acm-api.md), so the
    hub settings for them would be dropped without a word."""
    if hub.data.get("placementKind") != "PlacementRule":
        return
    for key, effect in (
        ("clusterSets", "every managed cluster the selector matches is chosen, in any set"),
        ("offlineTolerationSeconds", "sites that go offline are not kept for that time"),
    ):
        if key in hub.data:
            yield _d(
                hub.at(key, key=True),
                "R224",
                "ignored-with-placementrule",
                f"hub.{key} has no effect with placementKind PlacementRule: {effect}; use "
                "placementKind Placement, or remove it",
                "warning",
            )


def _git_url(git: Node) -> Iterator[Diagnostic]:
    problem = git_url_problem(git.data["url"])
    if problem is not None:
        yield _d(git.at("url"), *problem)


def git_url_problem(url: str) -> tuple[str, str, str] | None:
    """(code, name, message) when the deploy repository's URL is refused (R209, R210);
    `edgemodels init` asks before writing anything."""
    try:
        parts = urlsplit(url)
    except ValueError:  # an unbalanced '[' (IPv6 literal) used to crash check: R210 below
        parts = urlsplit("")
    # Before the ssh early return: `ssh://user:password@host` carries a password too.
    if parts.password is not None or (parts.username and parts.scheme in ("http", "https")):
        return (
            "R209",
            "credentials-in-url",
            "git url carries credentials; remove them and name a Secret in credentialsSecret",
        )
    if url.startswith(("git@", "ssh://", "file://")):
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        # A folder is what a first trial has at hand; it is where publish pushes, not what
        # the hub clones, so the message says where a folder goes.
        folder = not parts.scheme and url.startswith(("/", ".", "~"))
        return (
            "R210",
            "invalid-git-url",
            "git url must be https://host/path, ssh://host/path or git@host:path"
            + (
                " (the URL RHACM clones goes here; to push to a repository in a folder, "
                f"run: edgemodels publish --repo {url})"
                if folder
                else ""
            ),
        )
    return None


CHECKS: tuple[Check, ...] = (
    _whole(_duplicates),
    _references,
    _whole(_selectors),
    overlap_findings,
    _models,
    _whole(_workloads),
    _whole(_settings),
    check_resources,
    check_names,
    _whole(check_ingress_paths),
    _whole(check_argocd_braces),
)
