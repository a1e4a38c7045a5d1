"""File names that are not ASCII, under an ASCII locale (LC_ALL=C without Python's locale
coercion, as in minimal containers): the output holds their real name as UTF-8, as git's
and kubectl's does, and the JSON reports parse with it. Bytes that are not UTF-8 come out
as a visible `\\xNN`, never as a traceback. The real program, in a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ASCII_LOCALE = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
CAFE = "caf\u00e9"  # café
BROKEN = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: [1\n"
PLACEMENTS = b"gen/hub/synced/placements/"
UNLISTED = (
    b" is not listed in hub/synced/kustomization.yaml: `kubectl apply -k hub/synced` leaves it out"
)


def run(cwd: bytes, *args: bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, **ASCII_LOCALE, "EDGEMODELS_SERVER": "off"}
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"edgemodels", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A folder holding `cat` (examples/lrt) and `gen`, generated from it."""
    root = tmp_path_factory.mktemp("locale")
    shutil.copytree(EXAMPLES / "lrt", root / "cat")
    done = run(os.fsencode(root), b"generate", b"cat", b"-o", b"gen")
    assert done.returncode == 0, done.stderr
    return os.fsencode(root)


def with_manifest(tree: bytes, name: bytes) -> bytes:
    """`gen`, copied, with a manifest that does not parse named `name` among the placements."""
    copy = os.path.join(tree, b"gen-" + name.hex().encode())
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(os.path.join(tree, b"gen"), os.path.join(copy, b"gen"))
    with open(os.path.join(copy, PLACEMENTS, name), "wb") as fh:
        fh.write(BROKEN)
    return copy


def findings_of(stdout: bytes) -> dict[str, object]:
    doc = json.loads(stdout.decode("utf-8"))  # strict UTF-8: no lone surrogate either
    assert isinstance(doc, dict)
    return doc


def test_validate_text_shows_the_real_name(tree: bytes) -> None:
    folder = with_manifest(tree, f"{CAFE}.yaml".encode())
    done = run(folder, b"validate", b"--validator", b"builtin", b"gen")
    name = b"caf\xc3\xa9.yaml"
    assert done.returncode == 1, done.stderr
    assert done.stderr == b""
    assert done.stdout == (
        PLACEMENTS + name + b":1:1: K208 [warning] hub/synced/placements/" + name + UNLISTED + b"\n"
        b"" + PLACEMENTS + name + b":6:1: K108 YAML does not parse: did not find expected ','"
        b" or ']' (the flow sequence started at 5:7)\n"
        b"validated gen: 1 error, 1 warning\n"
    )


def test_validate_json_holds_the_real_name(tree: bytes) -> None:
    folder = with_manifest(tree, f"{CAFE}.yaml".encode())
    for fmt in (b"json", b"gitlab"):
        done = run(folder, b"validate", b"--validator", b"builtin", b"--format", fmt, b"gen")
        assert done.returncode == 1, done.stderr
        assert b"\\ud" not in done.stdout
        assert b"placements/caf\\u00e9.yaml" in done.stdout  # JSON escapes what is not ASCII
    done = run(folder, b"validate", b"--validator", b"builtin", b"--format", b"json", b"gen")
    paths = {f["path"] for f in findings_of(done.stdout)["findings"]}  # type: ignore[attr-defined]
    assert paths == {f"gen/hub/synced/placements/{CAFE}.yaml"}


def test_validate_report_file_and_sarif(tree: bytes) -> None:
    folder = with_manifest(tree, f"{CAFE}.yaml".encode())
    done = run(folder, b"validate", b"--validator", b"builtin", b"--format", b"sarif", b"gen")
    assert done.returncode == 1, done.stderr
    assert b"placements/caf%C3%A9.yaml" in done.stdout
    assert findings_of(done.stdout)["version"] == "2.1.0"
    done = run(
        folder,
        b"validate",
        b"--validator",
        b"builtin",
        b"--format",
        b"json",
        b"-o",
        b"r.json",
        b"gen",
    )
    assert done.returncode == 1, done.stderr
    with open(os.path.join(folder, b"r.json"), "rb") as fh:
        assert (
            f"gen/hub/synced/placements/{CAFE}.yaml"
            in json.loads(fh.read().decode())["findings"][0]["path"]
        )


def test_name_not_utf8_is_escaped_visibly(tree: bytes) -> None:
    folder = with_manifest(tree, b"bad\xff.yaml")
    done = run(folder, b"validate", b"--validator", b"builtin", b"gen")
    assert done.returncode == 1, done.stderr
    assert done.stderr == b""
    assert done.stdout.startswith(PLACEMENTS + b"bad\\xff.yaml:1:1: K208 [warning] ")
    done = run(folder, b"validate", b"--validator", b"builtin", b"--format", b"json", b"gen")
    assert done.returncode == 1, done.stderr
    paths = {f["path"] for f in findings_of(done.stdout)["findings"]}  # type: ignore[attr-defined]
    assert paths == {"gen/hub/synced/placements/bad\\xff.yaml"}


def test_check_shows_the_real_name(tree: bytes) -> None:
    cat = os.path.join(tree, b"cat-dup")
    shutil.rmtree(cat, ignore_errors=True)
    shutil.copytree(os.path.join(tree, b"cat"), cat)
    shutil.copy(
        os.path.join(cat, b"models/sktime.yaml"), os.path.join(cat, b"models/caf\xc3\xa9.yaml")
    )
    done = run(tree, b"check", b"cat-dup")
    assert done.returncode == 1, done.stderr
    assert done.stdout == (
        b"cat-dup/models/sktime.yaml:5:13: R101 model 'sktime' is defined twice;"
        b" first at cat-dup/models/caf\xc3\xa9.yaml:5:13\nchecked cat-dup: 1 error, 0 warnings\n"
    )
    done = run(tree, b"check", b"--format", b"json", b"cat-dup")
    paths = {f["path"] for f in findings_of(done.stdout)["findings"]}  # type: ignore[attr-defined]
    assert paths == {"cat-dup/models/sktime.yaml"}
    assert f"first at cat-dup/models/{CAFE}.yaml:5:13" in str(findings_of(done.stdout))


def test_generate_from_and_into_folders_not_ascii(tree: bytes) -> None:
    """The summary names the output folder; the banners name the catalogue, as under a
    UTF-8 locale (no crash on the catalogue's path)."""
    cat = os.path.join(tree, b"cat-caf\xc3\xa9")
    shutil.rmtree(cat, ignore_errors=True)
    shutil.copytree(os.path.join(tree, b"cat"), cat)
    out = os.path.join(tree, b"g\xc3\xa9n")
    shutil.rmtree(out, ignore_errors=True)
    done = run(tree, b"generate", b"cat-caf\xc3\xa9", b"-o", b"g\xc3\xa9n")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"g\xc3\xa9n: 49 added, 0 changed, 0 removed, 0 unchanged\n")
    with open(os.path.join(out, b"hub/channel.yaml"), "rb") as fh:
        assert fh.readline().startswith(b"# Generated by edgemodels from cat-caf\xc3\xa9/")


def test_plan_json_holds_the_real_name(tree: bytes) -> None:
    shutil.copy(EXAMPLES / "sites.yaml", os.path.join(tree, b"sit\xc3\xa9s.yaml"))
    with open(os.path.join(tree, b"b\xff.yaml"), "wb") as fh:
        fh.write(b"sites: [1\n")
    done = run(tree, b"plan", b"-i", b"sit\xc3\xa9s.yaml", b"--format", b"json", b"cat")
    assert done.returncode == 0, done.stderr
    assert findings_of(done.stdout)["inventory"] == "sit\u00e9s.yaml"
    done = run(tree, b"plan", b"-i", b"b\xff.yaml", b"--format", b"json", b"cat")
    assert done.returncode == 1, done.stderr
    doc = findings_of(done.stdout)
    assert doc["inventory"] == "b\\xff.yaml"
    assert [f["path"] for f in doc["findings"]] == ["b\\xff.yaml"]  # type: ignore[attr-defined]
