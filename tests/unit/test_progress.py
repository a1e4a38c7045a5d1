"""Long steps report progress through the `progress` parameter, which the CLI fills in
with a bar only for a person at a terminal."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from edgemodels.generate import GenerateOptions, generate
from edgemodels.validate.run import ValidateOptions, validate_tree

T = TypeVar("T")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lrt"


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, int, int]] = []  # label, items, items iterated

    @contextmanager
    def __call__(self, items: Sequence[T], label: str) -> Iterator[Iterable[T]]:
        done = []

        def counting() -> Iterator[T]:
            for item in items:
                done.append(item)
                yield item

        yield counting()
        self.seen.append((label, len(items), len(done)))


def test_generate_and_validate_report_their_long_loops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDGEMODELS_CACHE_DIR", str(tmp_path / "cache"))
    recorder = Recorder()
    result = generate(GenerateOptions(EXAMPLE, tmp_path / "out", progress=recorder))
    assert result.plan is not None
    validate_tree(tmp_path / "out", ValidateOptions(validator="builtin", progress=recorder))
    assert recorder.seen == [("rendering models", 4, 4), ("rendering charts", 2, 2)]
