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
from collections.abc import Callable
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


def run(
    cwd: bytes, *args: bytes, locale: dict[str, str] = ASCII_LOCALE
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, **locale, "EDGEMODELS_SERVER": "off"}
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


def test_check_names_a_links_target_by_its_real_name(tree: bytes) -> None:
    """A link to nothing (Y016) names where it leads: the name read from the disk was
    quoted with repr, which wrote the ASCII locale's form of `é` as surrogate escapes."""
    cat = os.path.join(tree, b"cat-link")
    shutil.rmtree(cat, ignore_errors=True)
    shutil.copytree(os.path.join(tree, b"cat"), cat)
    os.symlink(b"absent-caf\xc3\xa9.yaml", os.path.join(cat, b"models/li\xc3\xa9.yaml"))
    done = run(tree, b"check", b"cat-link")
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(
        b"cat-link/models/li\xc3\xa9.yaml:1:1: Y016 a symlink to 'absent-caf\xc3\xa9.yaml', "
        b"which leads to no file or folder here"
    )
    assert done.stdout == run(tree, b"check", b"cat-link", locale={"LC_ALL": "C.UTF-8"}).stdout


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
    assert done.stdout.startswith(b"g\xc3\xa9n: 53 added, 0 changed, 0 removed, 0 unchanged\n")
    with open(os.path.join(out, b"hub/channel.yaml"), "rb") as fh:
        assert fh.readline().startswith(b"# Generated by edgemodels from cat-caf\xc3\xa9/")


def test_init_writes_the_names_it_is_given(tree: bytes) -> None:
    """--git-url and --path from the command line went into catalogue.yaml in their
    ASCII-locale form: the YAML dumper wrote the surrogates as escapes that no YAML reader
    takes, and init stopped ('the new catalogue does not generate'). A refused --path or
    --branch is named as given."""
    url = b"https://git.example.com/d\xc3\xa9p\xc3\xb4t.git"
    done = run(
        tree, b"init", b"pl\xc3\xa4nt", b"--no-git", b"--git-url", url, b"--path", b"caf\xc3\xa9"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"created catalogue 'pl-nt' in pl\xc3\xa4nt (")
    with open(os.path.join(tree, b"pl\xc3\xa4nt/catalogue/catalogue.yaml"), "rb") as fh:
        text = fh.read()
    assert b"    url: " + url + b"\n" in text
    assert b'    path: "caf\xc3\xa9"  ' in text
    done = run(tree, b"init", b"autre", b"--no-git", b"--path", b"/caf\xc3\xa9")
    assert done.stderr == (
        b"edgemodels: error: --path must be a folder inside the repository (relative), "
        b"not '/caf\xc3\xa9'\n"
    )
    done = run(tree, b"init", b"autre", b"--no-git", b"--branch", b"d\xc3\xa9v..x")
    assert done.stderr == b"edgemodels: error: --branch: not a valid branch name: 'd\xc3\xa9v..x'\n"


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


def run_utf8(cwd: bytes, *args: bytes) -> subprocess.CompletedProcess[bytes]:
    return run(cwd, *args, locale={"LC_ALL": "C.UTF-8"})


INVALID = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\ndata:\n  a: 1\n"
SCORER = b"gen/models/anomaly-scorer"


def _chart_folder(gen: bytes) -> None:
    os.makedirs(os.path.join(gen, b"models/sktime/chart/templates/caf\xc3\xa9"))
    with open(os.path.join(gen, b"models/sktime/chart/templates/caf\xc3\xa9/x.yaml"), "wb") as fh:
        fh.write(INVALID)


def _base_lists(gen: bytes) -> None:
    base = os.path.join(gen, b"models/anomaly-scorer/base")
    with open(os.path.join(base, b"kustomization.yaml"), "ab") as fh:
        fh.write(b"- caf\xc3\xa9/x.yaml\n")
    os.mkdir(os.path.join(base, b"caf\xc3\xa9"))
    with open(os.path.join(base, b"caf\xc3\xa9/x.yaml"), "wb") as fh:
        fh.write(INVALID)


def _overlay_named(gen: bytes) -> None:
    overlays = os.path.join(gen, b"models/anomaly-scorer/overlays")
    overlay = os.path.join(overlays, b"caf\xc3\xa9")
    shutil.copytree(os.path.join(overlays, b"lrt-non-arm"), overlay)
    with open(os.path.join(overlay, b"x.yaml"), "wb") as fh:
        fh.write(INVALID)
    with open(os.path.join(overlay, b"kustomization.yaml"), "rb") as fh:
        text = fh.read().replace(b"- ../../base\n", b"- ../../base\n- x.yaml\n")
    with open(os.path.join(overlay, b"kustomization.yaml"), "wb") as fh:
        fh.write(text)


def _file_in_base(gen: bytes) -> None:
    with open(os.path.join(gen, b"models/anomaly-scorer/base/caf\xc3\xa9.yaml"), "wb") as fh:
        fh.write(INVALID)


def _chart_named(gen: bytes) -> None:
    chart = os.path.join(gen, b"models/caf\xc3\xa9")
    shutil.copytree(os.path.join(gen, b"models/sktime"), chart)
    with open(os.path.join(chart, b"chart/templates/x.yaml"), "wb") as fh:
        fh.write(INVALID)


def _broken_template(gen: bytes) -> None:
    os.makedirs(os.path.join(gen, b"models/sktime/chart/templates/caf\xc3\xa9"))
    with open(os.path.join(gen, b"models/sktime/chart/templates/caf\xc3\xa9/x.yaml"), "wb") as fh:
        fh.write(BROKEN)


def _entry_outside(gen: bytes) -> None:
    """K211 names the kustomization's line that lists the folder outside the tree."""
    outside = os.path.join(os.path.dirname(gen), b"caf\xc3\xa9-dehors")
    os.makedirs(outside, exist_ok=True)
    with open(os.path.join(outside, b"kustomization.yaml"), "wb") as fh:
        fh.write(b"resources:\n- x.yaml\n")
    with open(os.path.join(outside, b"x.yaml"), "wb") as fh:
        fh.write(INVALID.replace(b"Bad_Name", b"outside"))
    with open(os.path.join(gen, b"models/anomaly-scorer/base/kustomization.yaml"), "ab") as fh:
        fh.write(b"- ../../../../caf\xc3\xa9-dehors\n")


EDITS = [
    _chart_folder,
    _entry_outside,
    _chart_named,
    _broken_template,
    _base_lists,
    _overlay_named,
    _file_in_base,
]


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: e.__name__)
def test_validate_names_not_ascii_in_charts_and_kustomizations(
    tree: bytes, edit: Callable[[bytes], None]
) -> None:
    """A folder or file `café`: in a chart's templates, as a chart's model folder, listed
    by a base, as an overlay, beside a base's files. The ASCII locale's run says what a
    UTF-8 one says. It stopped (exit 3) where a name was hashed as strict UTF-8 (the result
    cache, the lint cache, the twins) or handed to Helm (which takes UTF-8), where a name
    read as text (a kustomization's entry, kubectl's origin of an object, Helm's template
    name) was joined with one from the disk; it placed findings elsewhere (the overlay's
    kustomization, the chart's Chart.yaml) where such a name was looked up on disk; and the
    build's aggregate kustomization held the name as JSON escapes kustomize refuses."""
    folder = os.path.join(tree, b"names-" + edit.__name__.encode())
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(os.path.join(tree, b"gen"), os.path.join(folder, b"gen"))
    edit(os.path.join(folder, b"gen"))
    done = run(folder, b"validate", b"--validator", b"builtin", b"gen")
    assert b"internal error" not in done.stderr, done.stderr
    expected = run_utf8(folder, b"validate", b"--validator", b"builtin", b"--no-cache", b"gen")
    assert (done.returncode, done.stdout) == (expected.returncode, expected.stdout)
    assert b"caf\xc3\xa9" in done.stdout or edit is _file_in_base
    if edit is _entry_outside:
        assert b"/base/kustomization.yaml:7:3: K211 '../../../../caf\xc3\xa9-dehors'" in done.stdout


def test_validate_origins_in_a_catalogue_folder_not_ascii(tree: bytes) -> None:
    """A finding on a generated object names the catalogue line it came from: the
    catalogue in `café/`, named by the objects' edgemodels.io/source (text read from the
    tree), was opened with that text as a path, which the ASCII locale cannot encode."""
    cat = os.path.join(tree, b"caf\xc3\xa9")
    shutil.rmtree(cat, ignore_errors=True)
    shutil.copytree(os.path.join(tree, b"cat"), cat)
    done = run_utf8(tree, b"generate", b"caf\xc3\xa9", b"-o", b"gen-origins")
    assert done.returncode == 0, done.stderr
    sub = os.path.join(tree, b"gen-origins/hub/synced/subscriptions/sktime--lrt.yaml")
    with open(sub, "rb") as fh:
        text = fh.read().replace(b"  name: sktime-lrt\n", b"  name: Sktime_lrt\n", 1)
    with open(sub, "wb") as fh:
        fh.write(text)
    done = run(tree, b"validate", b"--validator", b"builtin", b"gen-origins")
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(
        b"gen-origins/hub/synced/subscriptions/sktime--lrt.yaml:5:9: K105 "
    )
    assert b" (from caf\xc3\xa9/models/sktime.yaml:5:7)\n" in done.stdout


def test_validate_cache_kept_in_another_locale(tree: bytes) -> None:
    """A run in a UTF-8 locale, then one in an ASCII one: the second says what it says on
    its own, in the same order (the kept findings held the UTF-8 locale's form of the
    name, which sorted apart from the ASCII locale's)."""
    folder = with_manifest(tree, f"{CAFE}.yaml".encode())
    os.rename(
        os.path.join(folder, PLACEMENTS, f"{CAFE}.yaml".encode()),
        os.path.join(folder, b"gen/hub/synced/caf\xc3\xa9.yaml"),
    )
    first = run_utf8(folder, b"validate", b"--validator", b"builtin", b"gen")
    done = run(folder, b"validate", b"--validator", b"builtin", b"gen")
    assert (done.returncode, done.stdout) == (first.returncode, first.stdout)
    assert done.stdout.index(b" K208 ") < done.stdout.index(b" K108 ")
