"""Render cache keys (render/memo.py) digest the repr of the catalogue types: every field
of every type a render reads must show in its repr, in a stable order, or a changed field
would leave a stale render in place."""

from __future__ import annotations

import dataclasses
import typing
from types import UnionType

from edgemodels.catalogue.model import Catalogue
from edgemodels.render.common import RenderOptions
from edgemodels.render.settings import ModelPlan


def _reachable(roots: tuple[type, ...]) -> dict[type, dict[str, object]]:
    """Every dataclass reachable from `roots` through field types, with its field types."""
    found: dict[type, dict[str, object]] = {}
    todo = list(roots)
    while todo:
        cls = todo.pop()
        if cls in found or not dataclasses.is_dataclass(cls):
            continue
        hints = typing.get_type_hints(cls)
        found[cls] = hints
        stack = list(hints.values())
        while stack:
            hint = stack.pop()
            stack.extend(typing.get_args(hint))
            if isinstance(hint, type) and dataclasses.is_dataclass(hint):
                todo.append(hint)
    return found


TYPES = _reachable((Catalogue, ModelPlan, RenderOptions))


def test_the_walk_reaches_the_nested_types() -> None:
    names = {cls.__name__ for cls in TYPES}
    assert {"Model", "Target", "Selector", "Requirement", "Overrides", "Location"} <= names
    assert {"Settings", "Placed", "TargetPlacement", "Resources", "HubSpec", "ArgoSpec"} <= names


def test_every_field_shows_in_the_generated_repr() -> None:
    for cls in TYPES:
        params = cls.__dataclass_params__  # type: ignore[attr-defined]
        assert params.repr and params.frozen, cls
        made_by = cls.__repr__.__code__.co_filename
        assert made_by in ("<string>", dataclasses.__file__), f"{cls} has its own __repr__"
        hidden = [f.name for f in dataclasses.fields(cls) if not f.repr]
        assert not hidden, f"{cls.__name__} hides {hidden} from its repr"


def test_no_field_holds_an_unordered_or_opaque_value() -> None:
    """A set's repr order changes between processes; an object's default repr is its
    address: either would make every key new on every run."""
    allowed = (str, int, bool, type(None))
    for cls, hints in TYPES.items():
        for name, hint in hints.items():
            stack = [hint]
            while stack:
                h = stack.pop()
                origin = typing.get_origin(h)
                assert origin not in (set, frozenset, dict), f"{cls.__name__}.{name}: {h}"
                if origin in (tuple, typing.Literal, typing.Union, UnionType):
                    stack.extend(a for a in typing.get_args(h) if a is not Ellipsis)
                    continue
                if origin is typing.Literal or isinstance(h, str | int | bool):
                    continue
                assert h in allowed or (isinstance(h, type) and dataclasses.is_dataclass(h)), (
                    f"{cls.__name__}.{name}: {h}"
                )
