"""Where an overlay set a field of an object it built: for findings on built objects.

A built object is named by the base file that wrote it (aggregates.py), but an overlay may
have changed the field a finding is about: the generator's overlays patch named targets
with JSON patches (`patches: [{target: ..., patch: "- op: replace ..."}]`). Such a field is
located in the patch, on the value the op set; a field a strategic-merge patch (a hand-
written one, inline or in a file) sets, on that field in the patch. A field the overlay
changed otherwise (`namespace:`, `images:`, a nested overlay) is found by comparing the
built value with the base file's, and located on the overlay's kustomization, at the
entry most likely to have changed it: the base file's line would show another value.
Schema findings and the manifest rules' findings are placed alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgemodels.diagnostics import Location
from edgemodels.policy.reader import offset_location
from edgemodels.validate.discover import kustomization_file
from edgemodels.yamlio import YamlFile, load_positioned, locate, to_plain
from edgemodels.yamltree import PosMap, PosSeq, parse_text

Step = str | int
Locate = Callable[[tuple[Step, ...]], Location | None]
_Patch = tuple[Any, Callable[[tuple[int, int]], Location]]  # content, how to place a position
_MISSING = object()

# The kustomization fields that change an object's field, by the field's last name.
_TRANSFORMERS = {
    "namespace": ("namespace",),
    "name": ("namePrefix", "nameSuffix"),
    "labels": ("labels", "commonLabels"),
    "annotations": ("commonAnnotations",),
    "replicas": ("replicas",),
    "image": ("images",),
}
_PATCHES = ("patches", "patchesStrategicMerge", "patchesJson6902")


@dataclass
class Overlays:
    """The overlays and base files of one tree, each read once, when a finding needs it."""

    root: Path
    _files: dict[Path, YamlFile | None] = field(default_factory=dict)

    def locator(self, overlay: str, base: str, obj: Mapping[str, object]) -> Locate:
        """Where `overlay` set a field of `obj` (built from the base file `base`); None:
        the base file's value is the object's."""

        def locate_field(steps: tuple[Step, ...]) -> Location | None:
            kustomization = kustomization_file(self.root / overlay)
            if kustomization is None:
                return None
            file = self._read(kustomization)
            if file is None or not isinstance(file.data, PosMap):
                return None
            found = self._in_patches(file, kustomization.parent, obj, steps)
            if found is not None or not self._changed(base, obj, steps):
                return found
            return _transformer(file, steps)

        return locate_field

    def _read(self, path: Path) -> YamlFile | None:
        if path not in self._files:
            yf, problems = load_positioned(path)
            self._files[path] = None if problems else yf
        return self._files[path]

    def _in_patches(
        self, file: YamlFile, folder: Path, obj: Mapping[str, object], steps: tuple[Step, ...]
    ) -> Location | None:
        """Where the last patch on `obj` that set the field (or a parent) sets it: the value
        of a JSON patch op, or the field in a strategic-merge patch."""
        found = None
        for entry, patch in self._patches(file, folder):
            if patch is None or not _targets(entry.get("target"), obj):
                continue
            data, place = patch
            if isinstance(data, PosSeq):  # a JSON patch: its ops
                for op in data:
                    if isinstance(op, PosMap):
                        found = _op_location(op, place, steps) or found
            elif isinstance(data, PosMap) and _merges_into(data, obj):
                at = _merge_location(data, obj, steps)
                found = place(at) if at is not None else found
        return found

    def _patches(self, file: YamlFile, folder: Path) -> list[tuple[PosMap, _Patch | None]]:
        """Every patch entry of a kustomization, and its content with how to place it."""
        found = [
            (entry, self._patch(file, folder, entry, "patch", "path"))
            for entry in _entries(file.data, "patches") + _entries(file.data, "patchesJson6902")
        ]
        merges = file.data.get("patchesStrategicMerge") if isinstance(file.data, PosMap) else None
        if not isinstance(merges, PosSeq):
            return found
        for i, item in enumerate(merges):
            if isinstance(item, str):  # a file name, or the patch itself
                entry = PosMap(merges.item_pos[i])
                key = "patch" if "\n" in item.strip() else "path"
                entry[key] = item
                entry.value_pos[key] = merges.item_pos[i]
                found.append((entry, self._patch(file, folder, entry, "patch", "path")))
        return found

    def _patch(
        self, file: YamlFile, folder: Path, entry: PosMap, inline_key: str, path_key: str
    ) -> _Patch | None:
        """A patch's parsed content, inline or in a file, with how to place its positions."""
        inline = entry.get(inline_key)
        if isinstance(inline, str):
            data, _ = parse_text(inline, file.path)
            pos = entry.value_pos[inline_key]

            def place(at: tuple[int, int]) -> Location:
                return offset_location(file, pos, inline, at)

            return data, place
        if not isinstance(entry.get(path_key), str):
            return None
        path = folder / str(entry[path_key])
        inside = path.resolve().is_relative_to(self.root.resolve())
        patch = self._read(path) if inside else None  # kustomize reads none outside
        if patch is None:
            return None
        shown = patch.path

        def place_in_file(at: tuple[int, int]) -> Location:
            return Location(shown, at[0], at[1])

        return patch.data, place_in_file

    def _changed(self, base: str, obj: Mapping[str, object], steps: tuple[Step, ...]) -> bool:
        """Whether the built object's value differs from the one in its base file."""
        file = self._read(self.root / base)
        docs = file.data if file is not None else None
        if not isinstance(docs, PosMap):
            return False  # several documents or unreadable: not compared
        before, after = _value(to_plain(docs), steps), _value(obj, steps)
        if isinstance(before, Mapping | list) and isinstance(after, Mapping | list):
            return False  # a part of it changed: the field itself is the base file's
        return before != after


def _entries(data: Any, key: str) -> list[PosMap]:
    value = data.get(key) if isinstance(data, PosMap) else None
    return [e for e in value if isinstance(e, PosMap)] if isinstance(value, PosSeq) else []


def _targets(target: object, obj: Mapping[str, object]) -> bool:
    """Whether a patch's `target` selects `obj` (selectors are not evaluated: they may)."""
    if not isinstance(target, Mapping):
        return True  # a strategic-merge patch names its object itself; no ops to find
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    api = str(obj.get("apiVersion", ""))
    group, _, version = api.rpartition("/")
    wanted = {"kind": obj.get("kind"), "group": group, "version": version}
    if any(k in target and target[k] != v for k, v in wanted.items()):
        return False
    pattern = target.get("name")
    return not isinstance(pattern, str) or (
        isinstance(name, str) and re.fullmatch(pattern, name) is not None
    )


def _op_location(
    op: PosMap, place: Callable[[tuple[int, int]], Location], steps: tuple[Step, ...]
) -> Location | None:
    """Where `op` set the field at `steps` or a parent of it; None: it did not."""
    path = op.get("path")
    if op.get("op") == "test" or not isinstance(path, str):
        return None
    pointer = [p.replace("~1", "/").replace("~0", "~") for p in path.split("/")[1:]]
    wanted = [str(s) for s in steps]
    if len(pointer) > len(wanted) or any(
        p not in (w, "-") for p, w in zip(pointer, wanted, strict=False)
    ):
        return None  # another field, or a part of this one (the field is still the base's)
    if "value" not in op:  # remove, copy, move: the op itself
        return place(op.pos)
    value = op["value"]
    if isinstance(value, PosMap | PosSeq) and len(pointer) < len(wanted):
        return place(locate(value, steps[len(pointer) :]))
    return place(op.value_pos["value"])


def _merges_into(patch: PosMap, obj: Mapping[str, object]) -> bool:
    """Whether a strategic-merge patch names `obj` (its kind and name)."""
    meta, wanted = patch.get("metadata"), obj.get("metadata")
    name = meta.get("name") if isinstance(meta, Mapping) else None
    own = wanted.get("name") if isinstance(wanted, Mapping) else None
    return patch.get("kind") in (None, obj.get("kind")) and name in (None, own)


def _merge_location(
    patch: PosMap, obj: Mapping[str, object], steps: tuple[Step, ...]
) -> tuple[int, int] | None:
    """Where a strategic-merge patch sets the field at `steps`; None: it does not. A list
    item is matched by its `name` (containers, env, ports merge by name), else by index."""
    node: Any = patch
    built: Any = obj
    pos = None
    for step in steps:
        if isinstance(node, PosMap) and isinstance(step, str) and step in node:
            pos, node = node.value_pos[step], node[step]
            built = built.get(step) if isinstance(built, Mapping) else None
        elif isinstance(node, PosSeq) and isinstance(step, int):
            item = built[step] if isinstance(built, list) and 0 <= step < len(built) else None
            index = _same_item(node, item, step)
            if index is None:
                return None
            pos, node, built = node.item_pos[index], node[index], item
        else:
            return None
    return pos


def _same_item(items: PosSeq, item: object, index: int) -> int | None:
    name = item.get("name") if isinstance(item, Mapping) else None
    if name is not None:
        return next(
            (i for i, e in enumerate(items) if isinstance(e, Mapping) and e.get("name") == name),
            None,
        )
    return index if index < len(items) else None


def _value(obj: object, steps: tuple[Step, ...]) -> object:
    for step in steps:
        if isinstance(obj, Mapping) and isinstance(step, str):
            obj = obj.get(step, _MISSING)
        elif isinstance(obj, list) and isinstance(step, int) and step < len(obj):
            obj = obj[step]
        else:
            return _MISSING
    return obj


def _transformer(file: YamlFile, steps: tuple[Step, ...]) -> Location:
    """The kustomization's entry that most likely changed the field."""
    data = file.data
    last = next((s for s in reversed(steps) if isinstance(s, str)), "")
    for key in (*_TRANSFORMERS.get(last, ()), *_PATCHES):
        if isinstance(data, PosMap) and key in data:
            line, col = data.key_pos[key]
            return Location(file.path, line, col)
    return Location(file.path, 1, 1)
