"""`--format json`: the plan as one JSON document. Stable: keys are only added in a new
`schemaVersion`, never renamed or removed within one.

schemaVersion 5 (4 had no `sites` per finding; 3 had no `new` per finding; 2 had no
`settings` per site change; 1 had no `moved` kind, no images and no placements per site
change):

    {
      "schemaVersion": 5,
      "kind": "EdgeModelsPlan",
      "catalogue": "catalogue/",                  # as given on the command line
      "inventory": "sites.yaml",
      "base": {"revision": "origin/main", "commit": "<40 hex>"} | null,
      "summary": {
        "sites": 5000, "models": 500, "placements": 60, "sitesChanged": 12,
        "changes": {"added": 0, "upgraded": 0, "downgraded": 0, "changed": 0, "moved": 0,
                    "removed": 0},
        "findings": {"error": 0, "warning": 0, "info": 0}
      },
      "models": [{"name", "versionBefore", "versionAfter", "sitesBefore", "sitesAfter",
                  "changes": {<kind>: n}}],
      "placements": [{"name", "sitesBefore", "sitesAfter", "changes": {<kind>: n}}],
      "sites": [{"name", "models": [{"name", "version", "image"}],
                 "changes": [{"model", "change", "from", "to", "fromImage", "toImage",
                              "fromPlacements", "toPlacements", "settings"}]}],
      "findings": [{"path", "line", "col", "code", "name", "severity", "message", "origin"?,
                    "sites"?, "new"}]
    }

Without `--base`, every `...Before` is null and every `changes` is zero or empty. A change
kind is one of added, upgraded, downgraded, changed (the version differs but has no order,
or only the image or settings changed), moved (the site keeps the model through other placements, so
its Subscription is replaced: a redeploy), removed; `from`/`to` are versions and
`fromImage`/`toImage` images (null for added/removed), `fromPlacements`/`toPlacements` the
placements that give the model to the site (empty for added/removed), `settings` what it
is deployed with that changed besides the version and image, as the catalogue names them
(replicas, resources, env, delivery, wrapper, packaging, http, container, security,
namespace, imagePullSecrets, helperImage; empty for added/removed). `sites` lists every
site of the inventory in inventory order; `changes` counts (site, model) pairs.
A finding is `new` unless the base had it too (same code, message and file, whatever its
line: see `edgemodels.plan.atbase`); without `--base` every finding is new. `origin`, the
catalogue line a finding on a generated file came from, is there only when known; `sites`,
every site a finding is about (its message names the first ten and how many more), in the
order the message names them, only on a finding about sites (`edgemodels.plan.sitelist`
lists the codes; D106 only when taints keep its sites out).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator

from edgemodels.diagnostics import Diagnostic
from edgemodels.display import shown_in
from edgemodels.output import diagnostic_dict
from edgemodels.plan.diff import SiteChange, SiteModel, generated
from edgemodels.plan.reports import View

SCHEMA_VERSION = 5


def plan_document(view: View) -> dict[str, object]:
    """The whole document as one dict (the CLI streams it with `json_pieces` instead)."""
    return {
        key: list(value) if isinstance(value, Iterator) else value for key, value in _fields(view)
    }


def summary_fields(view: View) -> dict[str, object]:
    """`base`, `summary` and `models`, without making a site's entry."""
    return {key: value for key, value in _fields(view) if key in ("base", "summary", "models")}


def _fields(view: View) -> list[tuple[str, object]]:
    """The top-level keys in order; `sites` is an iterator, one site's dict at a time (the
    whole list of a 3,000-site plan as dicts took 440 MB)."""
    plan = view.plan
    return [
        ("schemaVersion", SCHEMA_VERSION),
        ("kind", "EdgeModelsPlan"),
        ("catalogue", plan.catalogue_path),
        ("inventory", plan.inventory_path),
        ("base", {"revision": plan.base.name, "commit": plan.base.commit} if plan.base else None),
        (
            "summary",
            {
                "sites": plan.sites.index.size,
                "models": len(plan.after.models),
                "placements": len(generated(plan.after)),
                "sitesChanged": view.sites_changed,
                "changes": dict(view.totals),
                "findings": view.severities,
            },
        ),
        (
            "models",
            [
                {
                    "name": row.name,
                    "versionBefore": row.version_before,
                    "versionAfter": row.version_after,
                    "sitesBefore": row.sites_before,
                    "sitesAfter": row.sites_after,
                    "changes": dict(row.changes),
                }
                for row in view.models
            ],
        ),
        (
            "placements",
            [
                {
                    "name": t.name,
                    "sitesBefore": t.sites_before if plan.compared else None,
                    "sitesAfter": t.sites_after,
                    "changes": dict(t.changes),
                }
                for t in plan.placements
            ],
        ),
        ("sites", _sites(view)),
        ("findings", _findings(view)),
    ]


def _findings(view: View) -> list[dict[str, object]]:
    new = set(view.new_findings)
    return [finding_dict(d, d in new) for d in view.findings]


def finding_dict(d: Diagnostic, new: bool) -> dict[str, object]:
    """A finding as the JSON report lists it: `new` when the base did not have it."""
    return {**diagnostic_dict(d), "new": new}


def _sites(view: View) -> Iterator[dict[str, object]]:
    for number, models in enumerate(view.site_models()):
        yield {
            "name": view.site_name(number),
            "models": [_site_model(m) for m in models],
            "changes": [_change(c) for c in view.changes.get(number, ())],
        }


def _site_model(m: SiteModel) -> dict[str, object]:
    return {"name": m.name, "version": m.version, "image": m.image}


def _change(c: SiteChange) -> dict[str, object]:
    return {
        "model": c.model,
        "change": c.kind,
        "from": c.before,
        "to": c.after,
        "fromImage": c.image_before,
        "toImage": c.image_after,
        "fromPlacements": list(c.placements_before),
        "toPlacements": list(c.placements_after),
        "settings": list(c.settings),
    }


def render_json(view: View) -> str:
    return "".join(json_pieces(view))


def json_pieces(view: View) -> Iterator[str]:
    """The report in pieces (a site, a finding at a time) whose concatenation is the
    document: one line per list item, readable, and fast (json's C encoder runs only
    without indent). A site's models and changes are shared by many sites: each is
    encoded once."""
    for number, (key, value) in enumerate(_fields(view)):
        head = f"{',' if number else '{'}\n  {json.dumps(key)}: "
        if key == "sites":
            yield from _listed(head, _site_texts(view))
        elif isinstance(value, list):
            yield from _listed(head, (_dumps(item) for item in value))
        else:
            yield head + _dumps(value)
    yield "\n}\n"


def _listed(head: str, items: Iterable[str]) -> Iterator[str]:
    """A list, one item a line; an empty one as `[]`."""
    empty = True
    for item in items:
        yield (head + "[\n    " if empty else ",\n    ") + item
        empty = False
    yield head + "[]" if empty else "\n  ]"


def _site_texts(view: View) -> Iterator[str]:
    """Each site as `json.dumps` of its dict writes it (default separators), from the
    encoded models and changes it lists."""
    encoded: dict[int, str] = {}  # id() of a SiteModel or SiteChange: all live until the end

    def text(item: SiteModel | SiteChange) -> str:
        found = encoded.get(id(item))
        if found is None:
            made = _site_model(item) if isinstance(item, SiteModel) else _change(item)
            found = encoded[id(item)] = _dumps(made)
        return found

    for number, models in enumerate(view.site_models()):
        changes = view.changes.get(number, ())
        yield (
            f'{{"name": {_dumps(view.site_name(number))}, '
            f'"models": [{", ".join(map(text, models))}], '
            f'"changes": [{", ".join(map(text, changes))}]}}'
        )


# What the bytes of a file name that were not decoded leave in a string (display.py).
SURROGATE = re.compile("[\ud800-\udfff]")


def _dumps(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False)
    if SURROGATE.search(text) is None:  # a file name not decoded as UTF-8 is rare: one scan
        return text
    return json.dumps(shown_in(value), ensure_ascii=False)
