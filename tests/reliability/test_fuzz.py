"""Hostile input through the real CLI: every case ends in exit 0, 1 or 2, never a crash.

Mutations of the shipped example (catalogue files, inventory, workload export, policy
config, the default policy files, and the generated tree for `validate`) are drawn by
hypothesis and fed to every command that reads the mutated file, in this process (fast)
and a few through a fresh interpreter. A case fails on exit 3, a traceback, or when a
command takes longer than the time bound (EDGEMODELS_FUZZ_CASE_SECONDS, default 20 s).

CI runs EDGEMODELS_FUZZ_EXAMPLES cases (default 60); set it to thousands for a long run.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from edgemodels.tree import WORKING_FILES

from .conftest import FIGURES, FUZZ_EXAMPLES
from .mutate import OPS, Mutation, apply
from .workspace import (
    CASE_SECONDS,
    EDGEMODELS,
    Result,
    build_case,
    commands_for,
    describe,
    input_files,
    run,
)

VALIDATE_EXAMPLES = max(4, FUZZ_EXAMPLES // 10)
SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large]
# No shrinking: a Mutation is already short to read, and shrinking a slow case takes minutes.
PHASES = (Phase.explicit, Phase.reuse, Phase.generate)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_case(tmp_path_factory.mktemp("fuzz") / "case")


@contextmanager
def case_copy(template: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="edgemodels-fuzz-") as tmp:
        case = Path(tmp) / "case"
        shutil.copytree(template, case, symlinks=True)
        yield case


def assert_handled(result: Result) -> None:
    """Findings (0/1) or a clean refusal (2): never a crash, a traceback, or a hang."""
    assert result.code in (0, 1, 2), describe(result)
    assert "internal error" not in result.err and "Traceback" not in result.err, describe(result)
    assert result.seconds < CASE_SECONDS, describe(result)
    if result.code == 2:
        assert "edgemodels: error:" in result.err or "Error:" in result.err, describe(result)


def mutations(files: list[str]) -> st.SearchStrategy[Mutation]:
    return st.builds(
        Mutation,
        op=st.sampled_from(OPS),
        file=st.sampled_from(files),
        where=st.lists(st.integers(0, 5000), max_size=7).map(tuple),
        pick=st.integers(0, 1000),
    )


def _input_files() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        return input_files(build_case(Path(tmp) / "case", generate=False))


INPUTS = _input_files()


@settings(max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=SLOW, phases=PHASES)
@given(mutation=mutations(INPUTS))
def test_mutated_inputs_give_findings_or_a_clean_refusal(
    template: Path, mutation: Mutation
) -> None:
    with case_copy(template) as case:
        target = case / mutation.file
        target.write_bytes(apply(mutation, target.read_bytes()))
        for args in commands_for(case, mutation.file):
            result = run(args)
            assert_handled(result)
            FIGURES["fuzz: commands run on mutated inputs"] += 1
            FIGURES[f"fuzz: exit {result.code}"] += 1
    FIGURES["fuzz: mutated input cases"] += 1


def _tree_files() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        case = build_case(Path(tmp) / "case")
        return sorted(
            p.relative_to(case).as_posix()
            for p in (case / "out").rglob("*")
            if p.is_file() and p.relative_to(case / "out").as_posix() not in WORKING_FILES
        )


TREE_FILES = _tree_files()


@pytest.mark.slow
@settings(max_examples=VALIDATE_EXAMPLES, deadline=None, suppress_health_check=SLOW, phases=PHASES)
@given(mutation=mutations(TREE_FILES))
def test_validate_on_a_tree_with_a_mutated_file(template: Path, mutation: Mutation) -> None:
    with case_copy(template) as case:
        target = case / mutation.file
        target.write_bytes(apply(mutation, target.read_bytes()))
        result = run(["validate", str(case / "out"), "--validator", "builtin"])
        assert_handled(result)
        # A generated file changed by hand is what `generate --check` is there to catch.
        check = run(["generate", str(case / "cat"), "-o", str(case / "out"), "--check"])
        assert_handled(check)
    FIGURES["fuzz: validate runs on mutated trees"] += 1


@pytest.mark.slow
def test_a_few_cases_through_a_fresh_interpreter(template: Path) -> None:
    """The installed program prints no traceback either (no in-process capture involved)."""
    cases = [
        Mutation("alias-bomb", "cat/catalogue.yaml", (), 0),
        Mutation("invalid-utf8", "sites.yaml", (40,), 1),
        Mutation("deep", "cat/models/sktime.yaml", (1, 0, 0), 4),
        Mutation("tag", "policies/pods.yaml", (300,), 2),
    ]
    for mutation in cases:
        with case_copy(template) as case:
            target = case / mutation.file
            target.write_bytes(apply(mutation, target.read_bytes()))
            for args in commands_for(case, mutation.file)[:2]:
                done = subprocess.run(
                    [*EDGEMODELS, *args],
                    capture_output=True,
                    text=True,
                    timeout=CASE_SECONDS + 30,
                    check=False,
                )
                assert done.returncode in (0, 1, 2), done.stderr
                assert "Traceback" not in done.stderr and "internal error" not in done.stderr
                FIGURES["fuzz: subprocess runs"] += 1
