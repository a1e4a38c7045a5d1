"""Fixtures shared by the acceptance tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from edgemodels import render


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the models rendered (not taken from the cache), in order."""
    names: list[str] = []
    for kind, renderer in list(render.PACKAGINGS.items()):

        def counting(*args: Any, _renderer: Callable[..., Any] = renderer) -> Any:
            names.append(args[1].model.name)
            return _renderer(*args)

        monkeypatch.setitem(render.PACKAGINGS, kind, counting)
    return names
