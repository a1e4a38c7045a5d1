"""The libyaml loader every YAML input is parsed with, and how its tags are resolved.

Tags decide what a scalar becomes. Plain scalars are resolved from a cache, since catalogues
repeat the same keys and values in every file; an explicit tag the value does not fit is a
YAML error, not a crash. validate reads rendered manifests with a loader of its own and
checks its tags the same way (`check_tagged_scalars`), so this is apart from the tree
built from the nodes (yamltree.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

import yaml

try:  # libyaml is in PyYAML's wheels; the pure parser is a slow but correct fallback
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

STR_TAG = "tag:yaml.org,2002:str"


@lru_cache(maxsize=1 << 16)
def _plain_tag(value: str) -> str:
    """The tag of a plain (unquoted) scalar: a function of its text alone, so it is cached.

    Same rules as PyYAML's `BaseResolver.resolve` (safe loaders have no path resolvers);
    catalogues repeat the same keys and values in every file, which this makes cheap.
    """
    resolvers = _Loader.yaml_implicit_resolvers
    for tag, regexp in resolvers.get(value[:1], []) + resolvers.get(None, []):
        if regexp.match(value):
            return str(tag)
    return STR_TAG


class PositionLoader(_Loader):
    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is yaml.ScalarNode and implicit[0]:
            return _plain_tag(value)
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


Construct = Callable[[Any, yaml.Node], Any]


def check_tagged_scalars(loader: type[yaml.constructor.SafeConstructor]) -> None:
    """An explicit tag the value does not fit (`!!int foo`, `!!bool maybe`, `!!timestamp x`)
    made PyYAML's constructors raise ValueError, KeyError or AttributeError: a crash. With
    this, the loader raises a ConstructorError at the value, reported like any YAML error.
    The value is not repeated in the message (it may be a secret)."""
    for name in ("int", "float", "bool", "timestamp"):
        tag = f"tag:yaml.org,2002:{name}"
        loader.add_constructor(tag, _checked(loader.yaml_constructors[tag], name))


def _checked(construct: Construct, name: str) -> Construct:
    def build(loader: Any, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError) as exc:
            problem = f"a value tagged !!{name} that is not a valid {name}"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from exc

    return build


check_tagged_scalars(PositionLoader)
