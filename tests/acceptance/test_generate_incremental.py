"""Regenerating with the cache in `.edgemodels/cache`: only the models that changed are
rendered, files whose stat is unchanged are not read, and the tree is byte for byte what
a run without any cache writes. A damaged or foreign cache costs time, never correctness."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from generate_helpers import CASES, REPO, files_of, run_generate
from test_generate_lifecycle import Repo, catalogue, dump, model

from edgemodels import (
    cachewrite,
    codedigest,
    folderplan,
    generate,
    tree,
    treecache,
    treemanifest,
    yamlio,
    yamljson,
    yamltree,
)
from edgemodels.tree import MANIFEST_PATH
from edgemodels.treecache import BLOB_PATH, CACHE_PATH, MAGIC
from edgemodels.treemanifest import read_manifest

ALL_MODELS = ["api", "vocab", "web", "weights"]


def fresh(tmp_path: Path, doc: dict[str, Any]) -> dict[str, bytes]:
    """The tree a first run (no cache, empty folder) writes for `doc`."""
    root = tmp_path / "fresh"
    root.mkdir(exist_ok=True)
    (root / "catalogue.yaml").write_text(dump(doc))
    out = root / f"out-{len(list(root.iterdir()))}"
    assert run_generate(str(root / "catalogue.yaml"), "-o", str(out)) == 0
    return files_of(out)


def test_a_version_bump_renders_that_model_only(
    tmp_path: Path, rendered: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, doc = Repo(tmp_path), catalogue()
    assert repo.generate(doc) == 0
    assert sorted(rendered) == ALL_MODELS
    assert (repo.out / CACHE_PATH).is_file()
    rendered.clear()
    assert repo.generate(doc) == 0
    assert rendered == []
    assert "0 added, 0 changed, 0 removed" in capsys.readouterr().out
    model(doc, "api")["version"] = "1.1.0"
    assert repo.generate(doc) == 0
    assert rendered == ["api"]
    assert repo.files() == fresh(tmp_path, doc)


def test_a_change_outside_the_models_renders_every_model(
    tmp_path: Path, rendered: list[str]
) -> None:
    repo, doc = Repo(tmp_path), catalogue()
    assert repo.generate(doc) == 0
    for change in (
        # Both namespaces: apart, a Helm model's is refused (R208).
        lambda d: [d["spec"][s].update(namespace="plant-2") for s in ("defaults", "hub")],
        lambda d: d["spec"]["targets"]["edge"]["matchLabels"].update(tier="edge-2"),
        lambda d: d["spec"]["hub"].update(placementKind="PlacementRule"),
    ):
        change(doc)
        rendered.clear()
        assert repo.generate(doc) == 0
        assert sorted(rendered) == ALL_MODELS
        assert repo.files() == fresh(tmp_path, doc)


def test_moving_a_model_down_the_file_rerenders_it(tmp_path: Path, rendered: list[str]) -> None:
    """Banners cite the catalogue line: a model that moved is a model that changed."""
    repo, doc = Repo(tmp_path), catalogue()
    assert repo.generate(doc) == 0
    rendered.clear()
    doc["spec"]["models"].reverse()
    assert repo.generate(doc) == 0
    assert sorted(rendered) == ALL_MODELS
    assert repo.files() == fresh(tmp_path, doc)


CATALOGUES = {
    "generate-seed": CASES / "generate-seed" / "catalogue.yaml",
    "generate-lrt": REPO / "examples" / "lrt",
    "generate-rules": CASES / "generate-rules" / "catalogue",
    "delivery-argocd": CASES / "delivery-argocd" / "catalogue.yaml",
    "delivery-migration": CASES / "delivery-migration" / "catalogue.yaml",
}


@pytest.mark.parametrize("case", sorted(CATALOGUES))
def test_a_second_run_from_the_cache_leaves_every_golden_tree_as_it_is(
    case: str, tmp_path: Path, rendered: list[str]
) -> None:
    source = CATALOGUES[case]
    assert source.exists(), source
    out = tmp_path / "out"
    assert run_generate(str(source), "-o", str(out)) == 0
    first = files_of(out)
    rendered.clear()
    assert run_generate(str(source), "-o", str(out), "--check") == 0
    assert run_generate(str(source), "-o", str(out)) == 0
    assert rendered == []
    assert files_of(out) == first == files_of(CASES / case / "expected")


def test_a_hand_edit_that_keeps_size_and_mtime_is_still_caught(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stat record holds ctime and inode too: restoring the mtime hides nothing."""
    repo, doc = Repo(tmp_path), catalogue()
    assert repo.generate(doc) == 0
    time.sleep(treecache.RACY_NS / 1e9 * 2)  # past the racy window of the last files written
    assert repo.generate(doc) == 0  # records every file, including the last ones written
    path = repo.out / "models/api/chart/values.yaml"
    cache, manifest = treecache.load_cache(repo.out), read_manifest(repo.out)
    cache.bind(manifest.files, manifest.raw)
    assert "models/api/chart/values.yaml" in cache.records
    before = os.stat(path)
    data = path.read_bytes()
    edited = data.replace(b"replicas: 1", b"replicas: 9")
    assert edited != data and len(edited) == len(data)
    with open(path, "r+b") as fh:  # in place: same inode
        fh.write(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    capsys.readouterr()
    assert repo.generate(doc, "--check") == 1
    assert repo.generate(doc) == 1
    assert "D301" in capsys.readouterr().out
    assert path.read_bytes() == edited  # kept


def test_a_deleted_file_of_an_unchanged_model_comes_back(
    tmp_path: Path, rendered: list[str]
) -> None:
    repo, doc = Repo(tmp_path), catalogue()
    assert repo.generate(doc) == 0
    before = repo.files()
    (repo.out / "models/web/base/deployment.yaml").unlink()
    rendered.clear()
    assert repo.generate(doc) == 0
    assert rendered == []
    assert repo.files() == before


Change = Callable[[dict[str, Any], bytes], tuple[dict[str, Any], bytes]]


def _cache_with(out: Path, change: Change) -> None:
    """Rewrite the cache's index and blob through `change`."""
    index_file, blob_file = out / CACHE_PATH, out / BLOB_PATH
    raw = index_file.read_bytes()
    start = len(MAGIC) + 8
    end = start + int.from_bytes(raw[len(MAGIC) : start], "big")
    index, blob = change(json.loads(raw[start:end]), blob_file.read_bytes())
    head = json.dumps(index).encode()
    index_file.write_bytes(MAGIC + len(head).to_bytes(8, "big") + head + raw[end:])
    blob_file.write_bytes(blob)


def _flip_first_bytes(index: dict[str, Any], blob: bytes) -> tuple[dict[str, Any], bytes]:
    """One byte changed in every model's render: each must fail its digest."""
    data = bytearray(blob)
    for at, *_ in index["renders"].values():
        data[at] ^= 1
    return index, bytes(data)


def _swap_lengths(index: dict[str, Any], blob: bytes) -> tuple[dict[str, Any], bytes]:
    """The first two files of every render listed with each other's length: the same
    bytes in all, cut at another place. Each listing must fail its digest."""
    renders = {}
    for key, (at, table, digest) in index["renders"].items():
        parts = table.split("\0")
        if len(parts) >= 6:
            parts[1], parts[4] = parts[4], parts[1]
        renders[key] = [at, "\0".join(parts), digest]
    return {**index, "renders": renders}, blob


BAD_ENTRIES: list[Any] = [
    "x",
    [0],
    [0, "p\0-1\0s", "d"],
    [0, 7, "d"],
    [-5, "", "d"],
    [0, "p\0x\0s", "d"],
    [0, "p\0" + "1", "d"],
    None,
]


def _garble_entries(index: dict[str, Any], blob: bytes) -> tuple[dict[str, Any], bytes]:
    keys = sorted(index["renders"])
    bad = {key: BAD_ENTRIES[i % len(BAD_ENTRIES)] for i, key in enumerate(keys)}
    return {**index, "renders": bad}, blob


def _write(path: Path, data: bytes) -> None:
    path.write_bytes(data)


def _index(out: Path, data: bytes) -> None:
    _write(out / CACHE_PATH, data)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "empty": lambda out: _index(out, b""),
    "not a cache": lambda out: _index(out, b"renders: []\n"),
    "cut in half": lambda out: _index(out, (out / CACHE_PATH).read_bytes()[:1000]),
    "index not JSON": lambda out: _index(out, MAGIC + (3).to_bytes(8, "big") + b"{{{"),
    "index length past the end": lambda out: _index(out, MAGIC + (1 << 40).to_bytes(8, "big")),
    "renders of the wrong type": lambda out: _cache_with(
        out, lambda i, b: ({**i, "renders": [1, 2]}, b)
    ),
    "entries of the wrong shape": lambda out: _cache_with(out, _garble_entries),
    "render past the blob": lambda out: _cache_with(out, lambda i, b: (i, b[: len(b) // 2])),
    "render bytes changed": lambda out: _cache_with(out, _flip_first_bytes),
    "render listing changed": lambda out: _cache_with(out, _swap_lengths),
    "blob of another run": lambda out: _cache_with(out, lambda i, b: (i, b"x" * 16 + b[16:])),
    "blob missing": lambda out: (out / BLOB_PATH).unlink(),
    "stats of another manifest": lambda out: _cache_with(
        out, lambda i, b: ({**i, "manifest": "0" * 64}, b)
    ),
    "stats cut short": lambda out: _index(out, (out / CACHE_PATH).read_bytes()[:-7]),
    "written by other code": lambda out: _cache_with(out, lambda i, b: ({**i, "code": "x"}, b)),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_a_damaged_or_foreign_cache_is_ignored(
    damage: str, tmp_path: Path, rendered: list[str]
) -> None:
    repo, doc = Repo(tmp_path), catalogue()
    assert repo.generate(doc) == 0
    DAMAGE[damage](repo.out)
    model(doc, "web")["version"] = "2.0.0"
    rendered.clear()
    assert repo.generate(doc) == 0
    # Damage to the stats alone costs reading every file; the renders still count. A blob
    # cut short loses the renders past its end (each is checked when used).
    if damage == "render past the blob":
        assert "web" in rendered and len(rendered) > 1
    else:
        assert sorted(rendered) == (["web"] if damage.startswith("stats") else ALL_MODELS)
    assert repo.files() == fresh(tmp_path, doc)
    assert treecache.load_cache(repo.out).renders  # the next run has a good cache again


@pytest.mark.parametrize("real", [True, False])
def test_the_code_digest_reads_every_module_in_path_order(tmp_path: Path, real: bool) -> None:
    """What the cache's code digest covers: every *.py of the package, as rglob finds them."""
    package = Path(codedigest.__file__).parent if real else tmp_path
    if not real:
        for name in ("a.py", "a_b.py", "a/b.py", "a-b/c.py", "z/y/x.py", "n.txt", "q/r.pyc"):
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / name).write_text("pass\n")
    listed = [Path(*parts) for parts in codedigest._modules(str(package))]
    assert listed == sorted(package.rglob("*.py"))


def test_a_file_changed_in_the_tick_it_was_recorded_is_not_trusted() -> None:
    """A record is kept only for a file whose ctime is older than the racy window."""
    cache = treecache.TreeCache()

    def st(ctime_ns: int) -> os.stat_result:
        return os.stat_result((0o100644, 7, 1, 1, 0, 0, 10, 0, 0, 0, 0.0, 0.0, 0.0, 0, 5, ctime_ns))

    now = 10_000_000_000_123
    cache.saw("fresh", st(now - 1_000_000), "a", now)  # 1 ms old
    cache.saw("old", st(now - treecache.RACY_NS - 1), "b", now)
    cache.saw("whole-second fs", st(now - 123 - 1_000_000_000), "c", now)
    cache.saw("whole-second fs, old", st(now - 123 - 3_000_000_000), "d", now)
    assert sorted(cache.seen) == ["old", "whole-second fs, old"]
    assert cache.known_sha("old", st(now - treecache.RACY_NS - 1)) is None  # not loaded
    loaded = treecache.TreeCache(records=cache.seen)
    assert loaded.known_sha("old", st(now - treecache.RACY_NS - 1)) == "b"
    assert loaded.known_sha("old", st(now - treecache.RACY_NS)) is None


def test_the_cache_is_git_ignored_and_check_writes_none(tmp_path: Path) -> None:
    repo, doc = Repo(tmp_path), catalogue()
    repo.file.write_text(dump(doc))
    assert run_generate(str(repo.file), "-o", str(repo.out), "--check") == 1
    assert not (repo.out / CACHE_PATH).exists()
    assert repo.generate(doc) == 0
    ignored = (repo.out / ".edgemodels/.gitignore").read_text().splitlines()
    assert {"/cache", "/cache.tmp", "/cache.blob", "/cache.blob.tmp"} <= set(ignored)
    assert treecache.MANIFEST == MANIFEST_PATH


def test_no_cache_renders_everything_and_leaves_the_cache_alone(
    tmp_path: Path, rendered: list[str]
) -> None:
    """For a cache that crossed a trust boundary (say, restored from a shared CI cache)."""
    repo, doc = Repo(tmp_path), catalogue()
    assert repo.generate(doc, "--no-cache") == 0
    assert not (repo.out / CACHE_PATH).exists()
    assert repo.generate(doc) == 0
    _cache_with(repo.out, _flip_first_bytes)
    poisoned = [(repo.out / name).read_bytes() for name in (CACHE_PATH, BLOB_PATH)]
    rendered.clear()
    model(doc, "web")["version"] = "2.0.0"
    assert repo.generate(doc, "--no-cache") == 0
    assert sorted(rendered) == ALL_MODELS
    assert [(repo.out / name).read_bytes() for name in (CACHE_PATH, BLOB_PATH)] == poisoned


def test_new_renders_are_appended_and_the_blob_is_compacted_when_mostly_unused(
    tmp_path: Path, rendered: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, doc = Repo(tmp_path), catalogue()
    blob = repo.out / BLOB_PATH
    assert repo.generate(doc) == 0
    first = blob.read_bytes()
    model(doc, "api")["version"] = "1.1.0"
    assert repo.generate(doc) == 0
    second = blob.read_bytes()
    assert second.startswith(first)  # appended: same identity, nothing rewritten
    cache = treecache.load_cache(repo.out)
    entries = {key: entry for key in cache.renders if (entry := cache.entry(key)) is not None}
    new = sorted((e.at, key) for key, e in entries.items() if e.at >= len(first))
    # api's render and the catalogue file's new tree: nothing else was added
    assert [key.startswith("yaml:") for _, key in new] in ([True, False], [False, True])
    assert new[0][0] == len(first)
    last = entries[new[-1][1]]
    assert len(second) == last.at + sum(length for _, length, _ in last.files)
    render = next(entries[key] for _, key in new if not key.startswith("yaml:"))
    assert "models/api/chart/Chart.yaml" in {path for path, _, _ in render.files}
    monkeypatch.setattr(cachewrite, "COMPACT_SLACK", 0)
    sizes = []
    for minor in range(2, 6):
        model(doc, "api")["version"] = f"1.{minor}.0"
        rendered.clear()
        assert repo.generate(doc) == 0
        assert rendered == ["api"]
        sizes.append(blob.stat().st_size)
    live = sum(
        len(d) for p, d in repo.files().items() if not p.startswith((".", "README", "hub/k"))
    )
    assert max(sizes) <= 2 * live + treecache.ID_BYTES
    assert not blob.read_bytes().startswith(first[: treecache.ID_BYTES])  # a new blob
    assert repo.files() == fresh(tmp_path, doc)


def test_files_whose_stat_is_unchanged_are_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, doc = Repo(tmp_path), catalogue()
    assert repo.generate(doc) == 0
    time.sleep(treecache.RACY_NS / 1e9 * 2)
    assert repo.generate(doc) == 0  # the files written last are recorded now too
    read = count_reads(monkeypatch)
    model(doc, "api")["version"] = "1.1.0"
    assert repo.generate(doc) == 0
    assert set(read) == {MANIFEST_PATH}
    time.sleep(treecache.RACY_NS / 1e9 * 2)  # api's new files were written in the last tick
    assert repo.generate(doc) == 0
    (repo.out / "models/web/base/service.yaml").touch()  # a new stat: read, found unchanged
    read.clear()
    assert repo.generate(doc) == 0
    assert set(read) == {MANIFEST_PATH, "models/web/base/service.yaml"}


def count_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the generated files read to compare them."""
    read: list[str] = []
    real = tree.read_regular

    def counting(root: Path, path: str) -> bytes | None:
        read.append(path)
        return real(root, path)

    # Replaced where it is looked up: the manifest is read in one, the files in the other.
    for module in (treemanifest, folderplan):
        monkeypatch.setattr(module, "read_regular", counting)
    return read


def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the catalogue files parsed (not taken from the cache), in order."""
    parsed: list[str] = []
    real = yamltree.parse_text

    def counting(text: str, shown: str) -> Any:
        parsed.append(shown)
        return real(text, shown)

    # Replaced where load_positioned looks it up: a catalogue file is parsed through it.
    monkeypatch.setattr(yamlio, "parse_text", counting)
    return parsed


def test_catalogue_files_that_did_not_change_are_not_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "lrt"
    shutil.copytree(REPO / "examples" / "lrt", source)
    out = tmp_path / "out"
    assert run_generate(str(source), "-o", str(out)) == 0
    first = files_of(out)
    parsed = count_parses(monkeypatch)
    assert run_generate(str(source), "-o", str(out)) == 0
    assert parsed == []
    assert files_of(out) == first
    model_file = source / "models" / "sktime.yaml"
    model_file.write_text(model_file.read_text().replace("description:", "description: New."))
    assert run_generate(str(source), "-o", str(out)) == 0
    assert [Path(p).name for p in parsed] == ["sktime.yaml"]
    assert files_of(out) == fresh_tree(tmp_path, source)


def test_the_content_of_unchanged_catalogue_files_is_not_digested_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The manifest's catalogue digest is made of each file's content digest (a canonical
    JSON of its tree), kept in the cache beside the tree: only changed files cost one."""
    source = tmp_path / "lrt"
    shutil.copytree(REPO / "examples" / "lrt", source)
    out = tmp_path / "out"
    assert run_generate(str(source), "-o", str(out)) == 0
    digested: list[object] = []

    def counting(data: Any) -> str:
        digested.append(data)
        return yamljson.content_digest(data)

    monkeypatch.setattr(treecache, "content_digest", counting)
    monkeypatch.setattr(generate, "content_digest", counting)
    assert run_generate(str(source), "-o", str(out)) == 0
    assert digested == []
    model_file = source / "models" / "sktime.yaml"
    model_file.write_text(model_file.read_text().replace("description:", "description: New."))
    assert run_generate(str(source), "-o", str(out)) == 0
    assert len(digested) == 1
    assert files_of(out) == fresh_tree(tmp_path, source)


def fresh_tree(tmp_path: Path, source: Path) -> dict[str, bytes]:
    out = tmp_path / "fresh-out"
    assert run_generate(str(source), "-o", str(out), "--no-cache") == 0
    return files_of(out)


def test_a_file_with_a_credential_looking_value_is_parsed_and_scanned_every_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only trees without such a value are kept, so taking one from the cache can skip
    the credential scan (D305) without ever skipping a credential."""
    source = tmp_path / "lrt"
    shutil.copytree(REPO / "examples" / "lrt", source)
    model_file = source / "models" / "sktime.yaml"
    lines = model_file.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "description:" in line)
    lines[at] = (
        '      description: "Docs: https://reader:hunter2@docs.example.com/"'
        "  # edgemodels: ignore[D305]\n"
    )
    model_file.write_text("".join(lines))
    out = tmp_path / "out"
    assert run_generate(str(source), "-o", str(out)) == 0
    parsed = count_parses(monkeypatch)
    assert run_generate(str(source), "-o", str(out)) == 0
    assert [Path(p).name for p in parsed] == ["sktime.yaml"]
    model_file.write_text("".join(lines).replace("  # edgemodels: ignore[D305]", ""))
    capsys.readouterr()
    assert run_generate(str(source), "-o", str(out)) == 1
    assert "D305" in capsys.readouterr().out
