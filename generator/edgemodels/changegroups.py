"""Changed files of a generated tree in groups, for text: a fleet-wide version bump changes
two files in every model folder, and one line per file (1,800 on a 1,000-model fleet) says
the same thing over and over. Machine formats keep one finding per file (CI annotations
point at files); these are for a person reading a log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from edgemodels.output import plural

NAMED = 3  # a group names this many folders or files, then "and N more"
MODELS = "models"


def folder_of(path: str) -> tuple[str, str]:
    """(folder, the rest of the path): `models/NAME` for a model's files, whatever their
    depth; the parent folder ("" at the top) for the others."""
    parts = path.split("/")
    if parts[0] == MODELS and len(parts) > 2:
        return f"{MODELS}/{parts[1]}", "/".join(parts[2:])
    head, _, name = path.rpartition("/")
    return head, name


def named(names: Sequence[str]) -> str:
    """`a, b, c and 4 more`."""
    more = len(names) - NAMED
    return ", ".join(names[:NAMED]) + (f" and {more} more" if more > 0 else "")


Changes = tuple[tuple[str, str], ...]  # (verb, path in the folder), sorted


def by_folder(changes: Iterable[tuple[str, str]]) -> dict[str, Changes]:
    """(verb, path) pairs per folder, in path order."""
    folders: dict[str, list[tuple[str, str]]] = {}
    for verb, path in changes:
        folder, rest = folder_of(path)
        folders.setdefault(folder, []).append((verb, rest))
    return {folder: tuple(sorted(rows, key=lambda r: r[1])) for folder, rows in folders.items()}


def change_groups(changes: Iterable[tuple[str, str]]) -> list[tuple[str, list[str], Changes]]:
    """(folder, model names, changes): model folders with the same changes share a group
    (folder `models`, their names listed); every other folder is a group of its own (no
    names). Model groups first, the largest first, then the other folders in path order."""
    models: dict[Changes, list[str]] = {}
    others: list[tuple[str, list[str], Changes]] = []
    for folder, rows in sorted(by_folder(changes).items()):
        if folder.startswith(f"{MODELS}/"):
            models.setdefault(rows, []).append(folder.split("/", 1)[1])
        else:
            others.append((folder, [], rows))
    grouped = sorted(models.items(), key=lambda g: -len(g[1]))
    return [(MODELS, names, rows) for rows, names in grouped] + others


def group_texts(changes: Iterable[tuple[str, str]], verbs: dict[str, str]) -> list[tuple[str, str]]:
    """(folder, what changed in it) per group of change_groups: `change 1 file
    (chart/values.yaml) in each of 297 model folders (a, b, c and 294 more)` at `models`, a
    single model's at its own folder."""
    texts = []
    for folder, models, rows in change_groups(changes):
        text = describe(rows, verbs)
        if len(models) == 1:
            folder = f"{folder}/{models[0]}"
        elif models:
            text += f" in each of {len(models)} model folders ({named(models)})"
        texts.append((folder, text))
    return texts


def describe(rows: Changes, verbs: dict[str, str]) -> str:
    """`change 2 files (chart/Chart.yaml, chart/values.yaml)`, `add 1 and remove 2 files
    (...)`: the verbs in `verbs` order."""
    counts = [(verbs[v], sum(r[0] == v for r in rows)) for v in verbs]
    said = [f"{verb} {n}" for verb, n in counts if n]
    text = " and ".join(said)
    return f"{text} {'file' if len(rows) == 1 else 'files'} ({named([r[1] for r in rows])})"


def top_folder_counts(paths: Iterable[str]) -> list[str]:
    """A first write lists its top folders, not 9,578 paths: `hub/ (2857 files)`,
    `models/ (6718 files in 1000 model folders)`, and the files at the top by name."""
    files: dict[str, int] = {}
    models: set[str] = set()
    for path in paths:
        top, slash, _ = path.partition("/")
        files[top + slash] = files.get(top + slash, 0) + 1
        if top == MODELS and slash:
            models.add(folder_of(path)[0])
    lines = []
    for top, n in sorted(files.items()):
        if not top.endswith("/"):
            lines.append(top)
            continue
        within = f" in {plural(len(models), 'model folder')}" if top == f"{MODELS}/" else ""
        lines.append(f"{top} ({plural(n, 'file')}{within})")
    return lines
