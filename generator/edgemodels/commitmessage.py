"""What a publish commit says: a subject counting the models added, upgraded, removed,
moved to another catalogue file (sourcemoves.py) or given other settings, the changes per
target, the files touched (those whose CRLF line ends alone were normalised apart: no
setting, nothing to apply), the hand edits --force discarded, and the provenance trailer.

The message ends with the note on changed hub/ files that nothing on the hub applies by
itself (hubnote.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from edgemodels.deployed import (
    DeployedModel,
    by_target,
    diff_models,
    files_by_model,
    index_files,
    summarize,
)
from edgemodels.gitpublish.destination import redact
from edgemodels.hubnote import hand_applied, hub_note
from edgemodels.output import plural
from edgemodels.publishoptions import Context
from edgemodels.sourcemoves import Before, model_sources, moved_only
from edgemodels.tree import MANIFEST_PATH, digest
from edgemodels.treemanifest import Provenance, recorded_provenance
from edgemodels.treeplan import Plan

NOTHING_BEFORE = Before()  # a first publish, or a previous tree not read
# A model's README.md (models/<m>/README.md) describes it: changed alone (a description the
# sites do not see, new wording) it changes nothing on a site, as the tree's README does not.
MODEL_README = "README.md"


def commit_message(
    ctx: Context, old: Mapping[str, DeployedModel], plan: Plan, before: Before = NOTHING_BEFORE
) -> str:
    """`before`: what the previous tree says (its models' catalogue files, its files'
    digests, and which edgemodels wrote it)."""
    new = index_files(ctx.tree)
    changes = diff_models(old, new)
    normalised = line_ends_only(plan, before, ctx.tree)
    touched = [p for p in (*plan.added, *plan.changed, *plan.removed) if p not in normalised]
    owned, shared = files_by_model(touched, {*old, *new})
    deployed = {c.model for c in changes}
    # Same version, other files: a setting (resources, env, replicas...) or the image, or
    # only the catalogue file that defines the model.
    redone = {
        m: files
        for m, files in owned.items()
        if m in new and m not in deployed and any(f != MODEL_README for f in files)
    }
    sources = model_sources(redone, ctx.tree, ctx.tree.get)
    moved = moved_only(_changed_only(redone, plan), before, sources, ctx.tree)
    redone = {m: files for m, files in redone.items() if m not in moved}
    upgrade = _upgrade(before.provenance, recorded_provenance(ctx.tree.get(MANIFEST_PATH)))
    settings = "" if upgrade.alone else _settings_subject(sorted(redone))
    subjects = [summarize(changes), _moved_subject(moved), settings, upgrade.subject]
    subjects.append(NORMALISED_SUBJECT if normalised else "")
    placements = _placements_changed(touched, plan)
    subjects.append(_placement_subject(placements))
    counts = ", ".join(filter(None, subjects))
    subject = f"edgemodels: publish {ctx.header}: " + (counts or "settings changed")
    body = ["Changes per target:", *by_target(changes)] if changes else []
    if moved:
        body += [*([""] if body else []), MOVED_HEAD]
        body += _moved_lines(moved, new)
    if redone:
        body += [
            *([""] if body else []),
            upgrade.heading or "Same version, generated files changed:",
        ]
        body += _redone_lines(redone, new, before.sources, sources)
    if placements:
        body += [*([""] if body else []), *_placement_lines(placements, new)]
    others = [p for p in shared if p != "README.md" and not p.startswith(".edgemodels/")]
    others = [p for p in others if not _PLACEMENT_FILE.match(p)]
    if others and not changes and not redone and not moved:
        # a changed placement can take models off sites: not "no model ... removed" then
        lead = "Also" if placements else "No model was added, upgraded or removed;"
        body += [f"{lead} changed: {_listed(others)}."]
    elif not body and not upgrade.alone and (touched or not normalised):
        body = ["No model was added, upgraded or removed; generated settings changed."]
    if normalised:
        body += [*([""] if body else []), NORMALISED.format(_listed(normalised))]
    if upgrade.note:
        body += [*([""] if body else []), upgrade.note]
    files = (
        f"Files under {ctx.dest.path or '/'}: {len(plan.added)} added, "
        f"{len(plan.changed)} changed, {len(plan.removed)} removed"
    )
    parts = [subject, "", *body, "", files]
    note = hub_note(hand_applied(touched), plan.added, ctx.tree, before.hub_objects)
    if note:
        parts += ["", note + "."]
    if plan.overwritten:
        parts += ["", *_discarded(ctx.dest.path, plan.overwritten)]
    if ctx.options.message_extra:
        parts += ["", redact(ctx.options.message_extra.strip())]
    return "\n".join([*parts, "", ctx.trailer]) + "\n"


NORMALISED_SUBJECT = "line ends normalised"
NORMALISED = (
    "Line ends normalised, nothing else: the branch held these files with CRLF line ends, "
    "and they are written with LF as generated (no setting changed, nothing to apply on the "
    "hub): {}."
)


def line_ends_only(plan: Plan, before: Before, tree: Mapping[str, bytes]) -> tuple[str, ...]:
    """The changed files whose generated bytes are those the last publish recorded (its
    manifest's sha256): the branch held them with CRLF line ends (tree.as_written), and
    this publish writes them with LF again, nothing else. A hand edit --force discards is
    not one."""
    discarded = set(plan.overwritten)
    return tuple(
        p
        for p in plan.changed
        if p not in discarded and p in tree and before.digests.get(p) == digest(tree[p])
    )


@dataclass(frozen=True)
class _Upgrade:
    """What the message says of a branch another edgemodels version wrote."""

    subject: str = ""  # in the subject's counts
    heading: str = ""  # over the models whose files changed, instead of "Same version"
    note: str = ""  # a paragraph of the body
    alone: bool = False  # the catalogue is the same: every change is the new version's


def _upgrade(before: Provenance | None, after: Provenance | None) -> _Upgrade:
    """A new edgemodels changes generated files that no catalogue setting changed: with
    the same catalogue (its digest) they are all its own, and the message says so rather
    than "settings of <model> changed", which would send a reader to the catalogue's
    history for a change that is not there."""
    if before is None or after is None or before.edgemodels_version == after.edgemodels_version:
        return _Upgrade()
    versions = f"edgemodels {before.edgemodels_version} -> {after.edgemodels_version}"
    same = (before.catalogue_name, before.catalogue_digest) == (
        after.catalogue_name,
        after.catalogue_digest,
    )
    if same:
        return _Upgrade(
            f"regenerated by {versions}",
            f"Same catalogue, generated files changed by {versions}:",
            f"The catalogue is the same as at the last publish ({after.catalogue_digest}): "
            f"every change here comes from {versions}.",
            alone=True,
        )
    return _Upgrade(
        note=f"The branch was generated by edgemodels {before.edgemodels_version}: some of "
        f"these changes may come from {versions}, not from the catalogue."
    )


MAX_NAMED = 3  # models named in the subject


MAX_FILES = 5  # files named per model


MOVED_HEAD = (
    "Moved to another catalogue file, nothing else changed (the sites get the new file's "
    "name in the edgemodels.io/source annotation of the objects' metadata; no pod restarts):"
)


def _changed_only(redone: Mapping[str, list[str]], plan: Plan) -> dict[str, list[str]]:
    """The models whose files were only changed (none added or removed), with the paths of
    those files in the tree."""
    kept = set(plan.changed)
    out = {}
    for model, files in redone.items():
        paths = [f if f.startswith("hub/") else f"models/{model}/{f}" for f in files]
        if all(p in kept for p in paths):
            out[model] = paths
    return out


def _moved_subject(moved: Mapping[str, tuple[str, str]]) -> str:
    if not moved:
        return ""
    named = _named(sorted(moved))
    pairs = set(moved.values())
    if len(pairs) == 1:
        [(old, new)] = pairs
        return f"{named} moved from {old} to {new}"
    return f"{named} moved to other catalogue files"


def _moved_lines(
    moved: Mapping[str, tuple[str, str]], new: Mapping[str, DeployedModel]
) -> list[str]:
    lines = []
    for model in sorted(moved)[:MAX_DISCARDED]:
        where = ", ".join(sorted(new[model].placements)) or "no placement"
        old_file, new_file = moved[model]
        lines.append(f"  {model} {new[model].version} ({where}): {old_file} -> {new_file}")
    if len(moved) > MAX_DISCARDED:
        lines.append(f"  ... and {len(moved) - MAX_DISCARDED} more")
    return lines


# A placement's object (Placement, PlacementRule; with Argo CD the one its ApplicationSets
# follow): a selector narrowed there takes its models off sites with no model file changed.
_PLACEMENT_FILE = re.compile(r"^hub/(?:argocd/)?synced/placements/([^/]+)\.yaml$")


def _placements_changed(touched: Sequence[str], plan: Plan) -> list[str]:
    """The placements whose object changed in place (not added or removed with a target)."""
    changed = set(plan.changed)
    found = (_PLACEMENT_FILE.match(p) for p in touched if p in changed)
    return sorted({m.group(1) for m in found if m})


def _placement_subject(placements: list[str]) -> str:
    if len(placements) == 1:
        return f"placement {placements[0]} changed"
    return f"{plural(len(placements), 'placement')} changed" if placements else ""


def _placement_lines(placements: list[str], new: Mapping[str, DeployedModel]) -> list[str]:
    """Each changed placement and the models it deploys, which reach or leave the sites it
    selects now or no longer (`plan --base` names them)."""
    lines = [
        "Placements changed: the sites they select may differ, and with them the sites their "
        "models reach (edgemodels plan --base names them):"
    ]
    for name in placements[:MAX_DISCARDED]:
        models = sorted(m for m, d in new.items() if name in d.placements)
        deploys = f"{plural(len(models), 'model')} ({_named(models)})" if models else "no model"
        lines.append(f"  {name}: {deploys}")
    if len(placements) > MAX_DISCARDED:
        lines.append(f"  ... and {len(placements) - MAX_DISCARDED} more")
    return lines


def _settings_subject(models: list[str]) -> str:
    if not models:
        return ""
    return f"settings of {_named(models)} changed"


def _named(models: list[str]) -> str:
    named = ", ".join(models[:MAX_NAMED])
    if len(models) > MAX_NAMED:
        named += f" and {len(models) - MAX_NAMED} more"
    return named


def _redone_lines(
    redone: Mapping[str, list[str]],
    new: Mapping[str, DeployedModel],
    old_sources: Mapping[str, str],
    new_sources: Mapping[str, str],
) -> list[str]:
    """`  detector 1.0.0 (all-sites): chart/values.yaml` per model, at most MAX_DISCARDED;
    a model that also moved to another catalogue file says from where to where."""
    lines = []
    for model in sorted(redone)[:MAX_DISCARDED]:
        where = ", ".join(sorted(new[model].placements)) or "no placement"
        line = f"  {model} {new[model].version} ({where}): {_listed(redone[model])}"
        old_file, new_file = old_sources.get(model), new_sources.get(model)
        if old_file and new_file and old_file != new_file:
            line += f" (and moved from {old_file} to {new_file})"
        lines.append(line)
    if len(redone) > MAX_DISCARDED:
        lines.append(f"  ... and {len(redone) - MAX_DISCARDED} more")
    return lines


def _listed(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:MAX_FILES])
    return shown + (f" and {len(paths) - MAX_FILES} more" if len(paths) > MAX_FILES else "")


MAX_DISCARDED = 50


def _discarded(prefix: str, paths: Sequence[str]) -> list[str]:
    """The hand edits on the branch that --force replaced: the commit says which, so the
    branch's history shows what was lost and where to find it (the commit before)."""
    shown = [
        f"  {prefix.rstrip('/') + '/' if prefix else ''}{path}" for path in paths[:MAX_DISCARDED]
    ]
    if len(paths) > MAX_DISCARDED:
        shown.append(f"  ... and {len(paths) - MAX_DISCARDED} more")
    files = plural(len(paths), "file")
    head = f"Hand edits discarded (--force), {files}; the parent commit has them:"
    return [head, *shown]
