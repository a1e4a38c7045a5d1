"""Messages that quote an argument: under an ASCII locale (LC_ALL=C without Python's
locale coercion) `repr` wrote an argument that is not ASCII with the surrogates it is
decoded to (`'caf\\udcc3\\udca9'`); each says what the UTF-8 locale says, the real
name, and bytes that are not UTF-8 as `\\xNN`. The real program, in a subprocess."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from test_locale_plan import EXAMPLES, run, same_in_every_locale

CAFE = "caf\u00e9"  # café
LATIN1_CAFE = os.fsdecode(b"caf\xe9")  # the bytes of a Latin-1 `café`: not UTF-8


def said(cwd: Path, *args: str) -> str:
    """stderr of a usage error, the same under every locale."""
    done = same_in_every_locale(cwd, *args)
    assert done.returncode == 2, done.stderr
    return done.stderr.decode()  # strict: UTF-8


def last_line(text: str) -> str:
    return text.splitlines()[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((CAFE,), f"Error: No such command '{CAFE}'."),
        (("ch\u00e9ck",), "Error: No such command 'ch\u00e9ck'. Did you mean 'check'?"),
        ((LATIN1_CAFE,), "Error: No such command 'caf\\xe9'."),
        (("check", "--format\u00e9"), "Error: No such option '--format\u00e9'. Did you mean"),
        (
            ("check", "--format", CAFE),
            f"Error: Invalid value for '--format': '{CAFE}' is not one of 'github',",
        ),
        (("publish", "--retries", CAFE), f"Error: Invalid value for '--retries': '{CAFE}' is"),
        (
            ("server", "start", "--idle-timeout", CAFE),
            f"Error: Invalid value for '--idle-timeout': '{CAFE}' is not a duration such as",
        ),
        (
            ("plan", "--max-removals", f"{CAFE}%"),
            "edgemodels: error: --max-removals: expected a number of sites (5) or a "
            f"percentage (10%), got '{CAFE}%'",
        ),
    ],
)
def test_arguments_are_quoted_as_given(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    assert last_line(said(tmp_path, *args)).startswith(message)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding `gen`, generated from examples/lrt, whose models have overlays."""
    root = tmp_path_factory.mktemp("messages")
    shutil.copytree(EXAMPLES / "lrt", root / "cat")
    done = run(root, "generate", "cat", "-o", "gen", locale="utf8")
    assert done.returncode == 0, done.stderr
    return root


def test_kubernetes_version_quoted_as_given(generated: Path) -> None:
    text = said(generated, "validate", "--kubernetes-version", f"1.{CAFE}", "gen")
    assert text.startswith(f"edgemodels: error: no Kubernetes schemas for version '1.{CAFE}';")


def test_tools_that_do_not_run_are_named_as_given(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The system's error was written with Python's own text for it, which quotes the
    file name with repr: `[Errno 13] Permission denied: '.../caf\\udcc3\\udca9'`."""
    not_a_program = tmp_path / f"{CAFE}-kubeconform"
    not_a_program.write_text("no")  # not executable
    monkeypatch.setenv("EDGEMODELS_KUBECONFORM", str(not_a_program))
    text = said(generated, "validate", "--validator", "kubeconform", "gen")
    assert text == (
        f"edgemodels: error: cannot run kubeconform ({not_a_program}): Permission denied\n"
    )
    monkeypatch.delenv("EDGEMODELS_KUBECONFORM")
    folder = tmp_path / f"bin-{CAFE}"
    folder.mkdir()
    (folder / "kubectl").write_bytes(b"\x7fELF, not quite\0")
    (folder / "kubectl").chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    done = same_in_every_locale(generated, "validate", "--validator", "builtin", "gen")
    assert done.returncode == 1, done.stderr
    out = done.stdout.decode()
    assert f"K206 kustomize build failed: cannot run {folder}/kubectl: Exec format error\n" in out


def test_a_journal_that_does_not_read_is_named_as_given(generated: Path) -> None:
    out = generated / "g\u00e9n"
    shutil.copytree(generated / "gen", out)
    (out / ".edgemodels/journal.json").mkdir()
    text = said(generated, "generate", "cat", "-o", out.name)
    assert text == (
        f"edgemodels: error: cannot read the journal {out.name}/.edgemodels/journal.json: "
        "Is a directory\n"
    )
