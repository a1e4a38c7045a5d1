"""Fixtures shared by the acceptance tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from latin1 import latin1_locale

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


@pytest.fixture(scope="session")
def latin1(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment settings of a locale whose encoding is Latin-1 (latin1.py)."""
    settings = latin1_locale(tmp_path_factory.mktemp("locales"))
    if settings is None:
        pytest.skip("no Latin-1 locale here, and localedef cannot make one")
    return settings
