"""A Mermaid flowchart of placements -> sites for the markdown report.

Few changed sites: one node per site, coloured by its change kind, linked from each placement
that carries the change. Many: one node per change kind, linked with the number of (site,
model) changes each placement carries. Without a base: placements -> sites when the
inventory is small, else placements with their site counts.
"""

from __future__ import annotations

from edgemodels.plan.diff import CHANGE_KINDS, ChangeKind, generated
from edgemodels.plan.reports import View
from edgemodels.selectors import members

ICON: dict[ChangeKind, str] = {
    "added": "🟢",
    "upgraded": "🔵",
    "downgraded": "🟠",
    "changed": "🟣",
    "moved": "🟡",
    "removed": "🔴",
}
COLOUR: dict[ChangeKind, str] = {
    "added": "#c8f7c5",
    "upgraded": "#c5dcf7",
    "downgraded": "#f7dcc5",
    "changed": "#e3c5f7",
    "moved": "#c5f7ee",
    "removed": "#f7c5c5",
}
MAX_DIAGRAM_SITES = 30


def label(text: str) -> str:
    return text.replace('"', "#quot;")


def diagram(view: View) -> list[str]:
    plan = view.plan
    ids = {t.name: f"p{n}" for n, t in enumerate(plan.placements)}
    lines = ["```mermaid", "flowchart LR"]
    for t in plan.placements:
        count = t.sites_after if t.sites_after is not None else 0
        sites = "site" if count == 1 else "sites"
        lines.append(f'  {ids[t.name]}["{label(t.name)}<br/>{count} {sites}"]')
    if plan.compared and view.sites_changed <= MAX_DIAGRAM_SITES:
        lines += _changed_sites(view, ids)
    elif plan.compared:
        lines += _kind_buckets(view, ids)
    elif plan.sites.index.size <= MAX_DIAGRAM_SITES:
        for name, mask in generated(plan.after).items():
            lines += [f"  {ids[name]} --> s{n}" for n in members(mask)]
        lines += [f'  s{n}(["{label(s.name)}"])' for n, s in enumerate(plan.sites.inventory.sites)]
    lines += [f"  classDef {kind} fill:{COLOUR[kind]},stroke:#555" for kind in CHANGE_KINDS]
    lines += ["  classDef mixed fill:#f7f3c5,stroke:#555", "```"]
    return lines


def _changed_sites(view: View, ids: dict[str, str]) -> list[str]:
    plan = view.plan
    changed = set(view.changes)
    edges: dict[tuple[str, int], set[ChangeKind]] = {}
    for d in plan.diffs:
        for kind, mask in d.masks().items():
            source = d.before if kind == "removed" else d.after
            for placement in source.placements if source else ():
                for number in members(mask & placement.sites):
                    if number in changed:
                        edges.setdefault((placement.name, number), set()).add(kind)
    lines = []
    for (name, number), kinds in sorted(edges.items()):
        icons = "".join(ICON[k] for k in CHANGE_KINDS if k in kinds)
        lines.append(f'  {ids[name]} -->|"{icons}"| s{number}')
    for number, changes in view.changes.items():
        kinds = {c.kind for c in changes}
        style = next(iter(kinds)) if len(kinds) == 1 else "mixed"
        lines.append(f'  s{number}(["{label(view.site_name(number))}"]):::{style}')
    return lines


def _kind_buckets(view: View, ids: dict[str, str]) -> list[str]:
    lines = []
    for kind in CHANGE_KINDS:
        if view.totals[kind]:
            lines.append(f'  k_{kind}(["{ICON[kind]} {view.totals[kind]} {kind}"]):::{kind}')
    for t in view.plan.placements:
        for kind in CHANGE_KINDS:
            if t.changes[kind]:
                lines.append(f'  {ids[t.name]} -->|"{t.changes[kind]}"| k_{kind}')
    return lines
