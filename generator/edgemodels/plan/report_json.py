"""`--format json`: the plan as one JSON document. Stable: keys are only added in a new
`schemaVersion`, never renamed or removed within one.

schemaVersion 4 (3 had no `new` per finding; 2 had no `settings` per site change; 1 had no
`moved` kind, no images and no placements per site change):

    {
      "schemaVersion": 4,
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
                    "new"}]
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
catalogue line a finding on a generated file came from, is there only when known.
"""

from __future__ import annotations

import json

from edgemodels.diagnostics import Diagnostic
from edgemodels.output import diagnostic_dict
from edgemodels.plan.diff import SiteChange
from edgemodels.plan.reports import View

SCHEMA_VERSION = 4


def plan_document(view: View) -> dict[str, object]:
    plan = view.plan
    return {
        "schemaVersion": SCHEMA_VERSION,
        "kind": "EdgeModelsPlan",
        "catalogue": plan.catalogue_path,
        "inventory": plan.inventory_path,
        "base": ({"revision": plan.base.name, "commit": plan.base.commit} if plan.base else None),
        "summary": {
            "sites": plan.sites.index.size,
            "models": len(plan.after.models),
            "placements": len(plan.after.placements),
            "sitesChanged": view.sites_changed,
            "changes": dict(view.totals),
            "findings": view.severities,
        },
        "models": [
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
        "placements": [
            {
                "name": t.name,
                "sitesBefore": t.sites_before if plan.compared else None,
                "sitesAfter": t.sites_after,
                "changes": dict(t.changes),
            }
            for t in plan.placements
        ],
        "sites": _sites(view),
        "findings": _findings(view),
    }


def _findings(view: View) -> list[dict[str, object]]:
    new = set(view.new_findings)
    return [finding_dict(d, d in new) for d in view.findings]


def finding_dict(d: Diagnostic, new: bool) -> dict[str, object]:
    """A finding as the JSON report lists it: `new` when the base did not have it."""
    return {**diagnostic_dict(d), "new": new}


def _sites(view: View) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for number, models in enumerate(view.site_models()):
        out.append(
            {
                "name": view.site_name(number),
                "models": [
                    {"name": m.name, "version": m.version, "image": m.image} for m in models
                ],
                "changes": [_change(c) for c in view.changes.get(number, ())],
            }
        )
    return out


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
    """One line per list item: readable, and fast (json's C encoder runs only without indent)."""
    fields = []
    for key, value in plan_document(view).items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(json.dumps(item, ensure_ascii=False) for item in value)
            text = f"[\n    {items}\n  ]"
        else:
            text = json.dumps(value, ensure_ascii=False)
        fields.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(fields) + "\n}\n"
