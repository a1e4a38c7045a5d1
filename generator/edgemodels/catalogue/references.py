"""References between the catalogue's entries: names defined twice (R101, R103), targets,
overrides and models named but not defined (R104, R120, R105, with the closest spelling),
and placements that lead nowhere (R106, R107, R108, R211).

The findings on names not defined are shared with partial.py, which reports those that
still hold while files have schema errors.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from functools import partial

from edgemodels.catalogue.permodel import each_model
from edgemodels.catalogue.sources import Merged, Node
from edgemodels.diagnostics import Diagnostic, finding
from edgemodels.recall import Recall


def check_duplicates(merged: Merged) -> Iterator[Diagnostic]:
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
    return finding(
        node.at("name"),
        code,
        f"duplicate-{kind}",
        f"{kind} '{name}' is defined twice; first at {first.at('name')}",
    )


def check_references(merged: Merged, recall: Recall) -> Iterator[Diagnostic]:
    models = {m.data["name"] for m in merged.models}
    used_by_workloads = {u for w in merged.workloads for u in w.data["uses"]}
    # A misspelt `uses` entry is R105 with a did-you-mean; the model it meant is not also R108.
    used_by_workloads |= {_closest(u, models) or u for u in used_by_workloads - models}
    used_by_workloads |= {w for u in used_by_workloads for w in comma_missing(u, models)}
    context = (tuple(merged.targets), frozenset(used_by_workloads))
    each = partial(_model_references, merged.targets, used_by_workloads)
    yield from each_model(merged, recall, "references", context, each)
    used_targets = {t for m in merged.models for t in m.get("targets") or []}
    # `[a b]` (a comma missing) is R104 saying so; a and b are not also unused targets.
    used_targets |= {w for t in used_targets for w in comma_missing(t, merged.targets)}
    for w in merged.workloads:
        yield from unknown_models(w, models)
    for t, node in merged.targets.items():
        if t not in used_targets:
            yield finding(
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
    named = m.get("targets") or []
    named = [*named, *(w for t in named for w in comma_missing(t, targets))]
    for t in m.get("overrides") or {}:
        if t not in targets:
            yield unknown_override(m, t, targets)
        elif t not in named:
            yield finding(
                m.at("overrides", t, key=True),
                "R211",
                "override-for-unused-target",
                f"model '{name}' overrides target '{t}' but is not deployed to it",
                "warning",
            )
    follow = bool(m.get("followWorkloads"))
    if not m.get("targets") and not follow:
        yield finding(
            m.at("name"),
            "R106",
            "model-without-placement",
            f"model '{name}' has neither targets nor followWorkloads: it would go nowhere",
        )
    if follow and name not in used_by_workloads:
        yield finding(
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
            yield finding(
                m.at("targets", i),
                "R104",
                "unknown-target",
                f"model '{m.data['name']}' names target '{t}', which is not in spec.targets"
                + (_comma_hint(t, targets) or _hint(t, targets) or _defined(targets)),
            )


def unknown_override(m: Node, t: str, targets: Mapping[str, object]) -> Diagnostic:
    """R120: model `m` overrides `t`, which `targets` does not define."""
    return finding(
        m.at("overrides", t, key=True),
        "R120",
        "override-for-unknown-target",
        f"model '{m.data['name']}' overrides target '{t}', which is not in spec.targets"
        + (_hint(t, targets) or _defined(targets)),
    )


def unknown_models(w: Node, models: Collection[str]) -> Iterator[Diagnostic]:
    """R105: the entries of workload `w`'s `uses` that are not in `models`."""
    for i, u in enumerate(w.data["uses"]):
        if u not in models:
            yield finding(
                w.at("uses", i),
                "R105",
                "unknown-model",
                f"workload '{w.data['name']}' uses model '{u}', which is not in spec.models"
                + (_comma_hint(u, models) or _hint(u, models)),
            )


def comma_missing(name: str, known: Collection[str]) -> list[str]:
    """The names in `name` when it is several known names that YAML read as one string:
    `[lrt paint]` or `[lrt; paint]`, with no comma between them, or a block list's `- paint`
    indented deeper than the `- lrt` above it, which continues its text ('lrt - paint');
    else none."""
    words = [w for w in _SEPARATORS.split(name) if w and w != "-"]
    if len(words) < 2 or name in known or not all(w in known for w in words):
        return []
    return words


def _comma_hint(name: str, known: Collection[str]) -> str:
    words = comma_missing(name, known)
    if not words:
        return ""
    if "-" in name.split():
        return (
            "; YAML reads it as one name, as an item indented deeper than the one above it "
            "continues that item's text: indent every '- ' of the list alike"
        )
    return f"; YAML reads it as one name: separate the items with ', ': write [{', '.join(words)}]"


_SEPARATORS = re.compile(r"[\s,;|]+")  # `[a b]`, `[a; b]`, `- a,b` (a block list's item)


def _closest(name: str, known: Iterable[str]) -> str | None:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1)
    return close[0] if close else None


def _hint(name: str, known: Iterable[str]) -> str:
    close = _closest(name, known)
    return f"; did you mean '{close}'?" if close else ""


MAX_LISTED = (
    10  # target names listed in an R104 or R120 without a close spelling (fleets have hundreds)
)


def _defined(targets: Mapping[str, object]) -> str:
    """The targets there are, for a name that is like none of them."""
    names = sorted(targets)
    if not names:
        return "; spec.targets defines none"
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return f"; spec.targets defines {', '.join(names[:MAX_LISTED])}{more}"
