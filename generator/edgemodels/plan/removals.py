"""The removal guards of a plan with a base: how many sites may lose models.

- D101 mass-removal (error*): models are removed from more sites than the removal limit
  (`--max-removals`); a site where a model moves to other placements counts (its objects
  are deleted, then deployed again). One finding per change that removes (removalcauses.py),
  at its line, each counting the whole change against the limit.
- D102 site-left-empty (error*): a site loses every model it had.
- D111 removals-kept-on-sites (info): with Argo CD delivery and preserveResourcesOnDeletion,
  removed models keep their last objects on those sites, unmanaged, until deleted there.
(*) warnings with `--allow-removals`. The other checks of a plan are in plan/guards.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from edgemodels.catalogue.model import Catalogue
from edgemodels.diagnostics import Diagnostic, Location, Severity, finding
from edgemodels.display import quoted
from edgemodels.errors import UsageError
from edgemodels.output import are, plural
from edgemodels.plan.diff import ModelDiff
from edgemodels.plan.removalcauses import Cause
from edgemodels.plan.sitelist import about, cut, name_list
from edgemodels.plan.sitemasks import Sites
from edgemodels.selectors import Mask, count


@dataclass(frozen=True)
class RemovalLimit:
    """Removal from more than `sites` sites or more than `percent` % of them trips the guard."""

    sites: int | None = 5
    percent: float | None = 10.0

    def exceeded(self, removed: int, total: int) -> bool:
        return bool(self.arms_exceeded(removed, total))

    def arms_exceeded(self, removed: int, total: int) -> list[str]:
        """The arms of the limit `removed` of `total` sites is over ("5 sites", "10% of
        sites"): the message names these, not the whole limit (2 is not over 5 sites)."""
        arms = []
        if self.sites is not None and removed > self.sites:
            arms.append(plural(self.sites, "site"))
        # A share below one site would make every removal on a small fleet (10% of 3
        # sites) a mass removal, and a guard that always fires is labelled away: one site
        # is never "many". D102 still guards a site left empty; 0% and `--max-removals 0`
        # guard every removal.
        over_share = self.percent is not None and removed * 100 > self.percent * total
        if over_share and total > 0 and (removed > 1 or self.percent == 0):
            arms.append(f"{self.percent:g}% of sites")
        return arms

    def __str__(self) -> str:
        parts = []
        if self.sites is not None:
            parts.append(plural(self.sites, "site"))
        if self.percent is not None:
            parts.append(f"{self.percent:g}% of sites")
        return " or ".join(parts)


DEFAULT_REMOVAL_LIMIT = RemovalLimit()


_LIMIT = re.compile(r"^(\d{1,9})(%?)$|^(\d{1,3}(?:\.\d+)?)%$")


def parse_removal_limit(text: str) -> RemovalLimit:
    """`N` (sites) or `P%` (share of the inventory)."""
    match = _LIMIT.match(text.strip())
    if not match:
        raise UsageError(
            "--max-removals: expected a number of sites (5) or a percentage (10%), "
            f"got {quoted(text)}"
        )
    if match.group(1) is not None and not match.group(2):
        return RemovalLimit(sites=int(match.group(1)), percent=None)
    percent = float(match.group(1) or match.group(3))
    if percent > 100:
        raise UsageError(f"--max-removals: a percentage is at most 100%, got {quoted(text)}")
    return RemovalLimit(sites=None, percent=percent)


def _over_the_limit(limit: RemovalLimit, arms: list[str]) -> str:
    """The arm(s) of the limit exceeded, and the whole limit said once."""
    if len(arms) > 1:  # over both: the limit itself, once
        return f"{limit}, whichever is smaller (over both)"
    if arms[0] != str(limit):
        return f"{arms[0]} (the limit is {limit}, whichever is smaller)"
    return arms[0]


MAX_MODELS_NAMED = 5  # models a D101 message names; the plan's tables list them all


def _models_leaving(leaving_sites: list[tuple[str, int]]) -> str:
    """The models D101 counts, the most sites first ("2 models (a from 40 sites, b from 3)"):
    a publish stopped by the guard shows no table, and its finding alone must say which."""
    leaving = sorted(((n, name) for name, n in leaving_sites if n), key=lambda i: (-i[0], i[1]))
    named = [
        f"{name} from {plural(n, 'site') if i == 0 else n}" for i, (n, name) in enumerate(leaving)
    ]
    return f"{plural(len(leaving), 'model')} ({cut(named, MAX_MODELS_NAMED)})"


def removal_findings(
    diffs: Iterable[ModelDiff],
    sites: Sites,
    where: Location,
    limit: RemovalLimit,
    allow: bool,
    causes: list[Cause] | None = None,
) -> list[Diagnostic]:
    """D101 mass-removal and D102 site-left-empty. D101 is one finding per cause (`causes`,
    see removalcauses.py), at its line, each counting the whole change against the limit;
    without causes, or with none known, one at `where`."""
    diffs = list(diffs)
    severity: Severity = "warning" if allow else "error"
    hint = "" if allow else "; pass --allow-removals if this is intended"
    found: list[Diagnostic] = []
    removed = moved = 0
    had = has = 0
    for d in diffs:
        removed |= d.removed
        moved |= d.moved
        had |= d.before.sites if d.before else 0
        has |= d.after.sites if d.after else 0
    total = sites.index.size
    # A moved model's old Subscription is deleted, and RHACM deletes what it deployed (the
    # new one cannot take objects another Subscription owns): removed, then deployed again.
    gone = removed | moved
    if gone and limit.exceeded(count(gone), total):
        only_moved = count(gone & ~removed)
        why = (
            f"; {only_moved} of them only to get them again through other placements: a "
            "moved model's old Subscription is deleted, and its objects with it"
            if only_moved
            else ""
        )
        share = f"{count(gone) * 100 / total:.1f}".removesuffix(".0")
        over = _over_the_limit(limit, limit.arms_exceeded(count(gone), total))
        head = (
            f"models are removed from {count(gone)} of {plural(total, 'site')} ({share}%{why}), "
            f"over the limit of {over}"
        )
        whole = [(d.name, count(d.removed | d.moved)) for d in diffs]
        if not causes or (len(causes) == 1 and not causes[0].what):
            message = f"{head}: {_models_leaving(whole)} from {name_list(sites, gone)}{hint}"
            found.append(
                about(finding(where, "D101", "mass-removal", message, severity), sites, gone)
            )
        else:
            found += [_at_cause(c, len(causes), head, hint, sites, severity) for c in causes]
    emptied = had & ~has
    if emptied:
        message = (
            f"{plural(count(emptied), 'site')} {are(count(emptied))} left with none of the "
            f"models {'it' if count(emptied) == 1 else 'they'} had: "
            f"{name_list(sites, emptied)}{hint}"
        )
        at = _emptied_by(causes or [], emptied) or where
        empty = finding(at, "D102", "site-left-empty", message, severity)
        found.append(about(empty, sites, emptied))
    return found


def _emptied_by(causes: list[Cause], emptied: Mask) -> Location | None:
    """Where the one change that takes models from the emptied sites stands, as D101 does;
    None when several do, or what does has no line of its own."""
    by = [c for c in causes if c.sites & emptied]
    return by[0].location if len(by) == 1 and by[0].what else None


def _at_cause(
    cause: Cause, causes: int, head: str, hint: str, sites: Sites, severity: Severity
) -> Diagnostic:
    """D101 at one cause: the whole change's count, then what this cause takes where."""
    models = _models_leaving([(name, count(mask)) for name, mask in cause.models])
    what = cause.what or "what the catalogue does not say (the inventory or the hub's settings)"
    if causes == 1:  # where it stands says which
        said = f"{head}: {models} from {name_list(sites, cause.sites)}"
    else:
        said = (
            f"{head}; 1 of {causes} changes that remove them (each a D101 at its line), "
            f"through {what}: {models} from {name_list(sites, cause.sites)}"
        )
    said += cause.note
    return about(
        finding(cause.location, "D101", "mass-removal", said + hint, severity), sites, cause.sites
    )


def preserved_removal_findings(
    catalogue: Catalogue, diffs: Iterable[ModelDiff], sites: Sites
) -> list[Diagnostic]:
    """D111: removals that Argo CD will not carry out, because it preserves resources."""
    argo = catalogue.hub.argocd
    if catalogue.hub.delivery != "argocd" or not argo.preserve_resources_on_deletion:
        return []
    found = []
    for d in diffs:
        if d.removed:
            message = (
                f"model '{d.name}' leaves {plural(count(d.removed), 'site')} "
                f"({name_list(sites, d.removed)}), but Argo CD preserves resources on deletion: "
                "its last objects stay there, "
                f"unmanaged; delete them on {'the site' if count(d.removed) == 1 else 'each site'}"
                f" (label edgemodels.io/model={d.name})"
            )
            kept = finding(catalogue.location, "D111", "removals-kept-on-sites", message, "info")
            found.append(about(kept, sites, d.removed))
    return found
