"""Reference findings of a catalogue with schema errors are sound (catalogue/partial.py).

Random split catalogues, schema-valid but with reference findings (unknown targets and
models, overrides of unknown targets, names defined twice), get one schema error injected:

- in a field no reference check reads (a version, an image, a selector, a section), the
  reference findings are exactly those of the catalogue without it: none lost, none added;
- in a field they read (a name, `targets`, `uses`, `overrides`, `spec.targets`, a section's
  key, `kind`), they are some of those: nothing a fix could take away.

And any value at any place of such a catalogue gives findings, never a crash.

Every file is one line of JSON, each value padded with spaces to the width it had before
the injection, so that every other finding stays on its line and column and the findings
compare as text, "first at" included.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edgemodels.catalogue import load

from .conftest import FIGURES, FUZZ_EXAMPLES

REFERENCE_CODES = frozenset({"R101", "R102", "R103", "R104", "R105", "R120"})
TARGETS = ["edge", "lab", "plant"]
MODELS = ["fc", "det", "scorer"]
WIDTH = 16  # of every scalar and key: room for any value injected in its place
Path_ = tuple[str | int, ...]
RECORDED: Path_ = ("recorded",)  # in a file's widths once they are complete


@st.composite
def models(draw: st.DrawFn) -> dict[str, Any]:
    name = draw(st.sampled_from(MODELS))
    return {
        "name": name,
        "version": "1.0.0",
        "wrapper": "container",
        "image": f"registry.example.com/m/{name}:1.0.0",
        "targets": draw(st.lists(st.sampled_from([*TARGETS, "edg"]), max_size=3, unique=True)),
        "overrides": draw(
            st.dictionaries(st.sampled_from([*TARGETS, "labb"]), st.just({}), max_size=2)
        ),
    }


@st.composite
def workloads(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "name": draw(st.sampled_from(["wa", "wb"])),
        "uses": draw(
            st.lists(st.sampled_from([*MODELS, "fcc"]), min_size=1, max_size=2, unique=True)
        ),
        "matchLabels": {"env": "x"},
    }


@st.composite
def files(draw: st.DrawFn) -> list[dict[str, Any]]:
    """One to three files; the first holds the sections and the name."""
    docs = []
    for i in range(draw(st.integers(1, 3))):
        spec: dict[str, Any] = {}
        if i == 0:
            spec["git"] = {"url": "https://gitlab.com/i4q/deploy.git", "branch": "main"}
            spec["hub"] = {"namespace": "edge"}
            spec["defaults"] = {"namespace": "edge"}
        chosen = draw(st.lists(st.sampled_from(TARGETS), max_size=2, unique=True))
        if chosen or i == 0:
            spec["targets"] = {t: {"matchLabels": {"env": t}} for t in chosen}
        if found := draw(st.lists(models(), max_size=2)):
            spec["models"] = found
        if found := draw(st.lists(workloads(), max_size=2)):
            spec["workloads"] = found
        doc = {"apiVersion": "edgemodels.io/v1alpha1", "kind": "ModelCatalogue"}
        docs.append({**doc, **({"metadata": {"name": "demo"}} if i == 0 else {}), "spec": spec})
    return docs


# --- one line of padded JSON per file ------------------------------------------------------


@dataclass
class Layout:
    """How each file was written: the width of each key and value (by the path of the
    catalogue before the injection); empty until the clean catalogue is written."""

    widths: list[dict[Path_, int]]

    @property
    def clean(self) -> bool:
        return not self.widths


def _text(value: Any, path: Path_, widths: dict[Path_, int], renamed: dict[Path_, str]) -> str:
    if isinstance(value, dict):
        items = [
            _padded(json.dumps(renamed.get((*path, k), k)), ("key", *path, k), widths)
            + ": "
            + _text(v, (*path, k), widths, renamed)
            for k, v in value.items()
        ]
        text = "{" + ", ".join(items) + "}"
    elif isinstance(value, list):
        items = [_text(v, (*path, i), widths, renamed) for i, v in enumerate(value)]
        text = "[" + ", ".join(items) + "]"
    else:
        text = json.dumps(value)
    return _padded(text, path, widths)


def _padded(text: str, path: Path_, widths: dict[Path_, int]) -> str:
    """`text` as wide as before the injection; before it, at least WIDTH wide. The
    parts of an injected value are as they come (its whole is padded)."""
    if path not in widths:
        if RECORDED in widths:
            return text
        widths[path] = max(len(text), WIDTH)
    assert len(text) <= widths[path], (path, text)
    return text + " " * (widths[path] - len(text))


def write(
    root: Path, docs: list[dict[str, Any]], layout: Layout, injection: Injection | None
) -> Path:
    clean = layout.clean
    folder = root / "catalogue"
    folder.mkdir(parents=True)
    for i, doc in enumerate(docs):
        widths: dict[Path_, int] = {} if clean else layout.widths[i]
        renamed = {}
        if injection is not None and injection.file == i and injection.rename is not None:
            renamed[injection.path] = injection.rename
        (folder / f"c{i}.yaml").write_text(_text(doc, (), widths, renamed) + "\n", "utf-8")
        if clean:
            widths[RECORDED] = 0
            layout.widths.append(widths)
    return folder


# --- injections ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Injection:
    file: int
    path: Path_
    value: Any = None
    rename: str | None = None  # the last key of `path` written so, its value kept

    def apply(self, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.rename is not None:
            return docs  # done as the file is written
        docs = json.loads(json.dumps(docs))
        parent: Any = docs[self.file]
        for step in self.path[:-1]:
            parent = parent[step]
        parent[self.path[-1]] = self.value
        return docs


BAD = (5, None, "Not_A_Name", ["x"], {"a": 1}, True)
NOT_A_LIST_OF_STRINGS = (5, None, "x", {"a": 1}, True, [5])


def _unread(docs: list[dict[str, Any]]) -> list[Injection]:
    """Schema errors in fields no reference check reads."""
    found = [
        Injection(0, ("spec", "git", "url"), 5),
        Injection(0, ("spec", "hub", "namespace"), "Not_A_Name"),
        Injection(0, ("spec", "defaults", "namespace"), ["x"]),
        Injection(0, ("metadata", "name"), "Not_A_Name"),
        Injection(0, ("spec", "git"), "x"),
    ]
    for f, doc in enumerate(docs):
        spec = doc["spec"]
        for t in spec.get("targets", {}):
            found.append(Injection(f, ("spec", "targets", t, "matchLabels"), "x"))
            found.append(Injection(f, ("spec", "targets", t), 5))
            found.append(Injection(f, ("spec", "targets", t, "matchLabels"), rename="matchLabel"))
        for i, _ in enumerate(spec.get("models", [])):
            at: Path_ = ("spec", "models", i)
            found.append(Injection(f, (*at, "version"), 2))
            found.append(Injection(f, (*at, "wrapper"), "grpc"))
            found.append(Injection(f, (*at, "image"), {"a": 1}))
            found.append(Injection(f, (*at, "version"), rename="vresion"))
        for i, _ in enumerate(spec.get("workloads", [])):
            found.append(Injection(f, ("spec", "workloads", i, "matchLabels"), 7))
    return found


def _read(docs: list[dict[str, Any]]) -> list[Injection]:
    """Schema errors in fields the reference checks read."""
    found = []
    for f, doc in enumerate(docs):
        spec = doc["spec"]
        found += [Injection(f, ("kind",), "ModelCatalog"), Injection(f, ("apiVersion",), "v1")]
        found.append(Injection(f, ("spec",), rename="spek"))
        found += [Injection(f, ("spec", key), rename=key[:-1]) for key in spec]
        # (a mapping for `targets` would define other names, not break one)
        found += [
            Injection(f, ("spec", key), bad)
            for key in spec
            for bad in BAD
            if not (key == "targets" and isinstance(bad, dict))
        ]
        for t in spec.get("targets", {}):
            found.append(Injection(f, ("spec", "targets", t), rename="Not_A_Name"))
        for kind, listed in (("models", "targets"), ("workloads", "uses")):
            for i, entry in enumerate(spec.get(kind, [])):
                at: Path_ = ("spec", kind, i)
                found += [Injection(f, at, bad) for bad in BAD if not isinstance(bad, dict)]
                found += [Injection(f, (*at, "name"), bad) for bad in BAD]
                found += [Injection(f, (*at, listed), bad) for bad in NOT_A_LIST_OF_STRINGS]
                for j, _ in enumerate(entry[listed]):
                    found += [Injection(f, (*at, listed, j), bad) for bad in (5, None, ["x"])]
                    if j:
                        found.append(Injection(f, (*at, listed, j), entry[listed][0]))
                if kind == "models":  # (any key is a valid key of `overrides`)
                    found += [Injection(f, (*at, "overrides"), bad) for bad in (5, "x", ["x"])]
    return found


def _findings(docs: list[dict[str, Any]], layout: Layout, injection: Injection | None) -> list[str]:
    with tempfile.TemporaryDirectory(prefix="edgemodels-partial-") as tmp:
        result = load(write(Path(tmp), docs, layout, injection), base=Path(tmp))
    return sorted(d.render() for d in result.diagnostics)


def _codes(found: list[str]) -> set[str]:
    return {line.split(": ", 1)[1].split(" ", 1)[0] for line in found}


def _references(found: list[str]) -> list[str]:
    return [line for line in found if line.split(": ", 1)[1].split(" ", 1)[0] in REFERENCE_CODES]


def _both(docs: list[dict[str, Any]], injection: Injection) -> tuple[list[str], list[str]]:
    """The findings of the catalogue, and of it with the injection."""
    layout = Layout([])
    clean = _findings(docs, layout, None)
    assert not any(c[0] in "SY" for c in _codes(clean)), clean
    broken = _findings(injection.apply(docs), layout, injection)
    codes = _codes(broken)
    assert any(c.startswith("S") for c in codes), (injection, broken)
    assert not any(c.startswith("Y") for c in codes), (injection, broken)
    # Nothing past the references: no placement, name budget or policy finding.
    assert {c for c in codes if not c.startswith("S")} <= REFERENCE_CODES, broken
    return _references(clean), _references(broken)


SETTINGS = settings(
    max_examples=max(30, FUZZ_EXAMPLES),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(docs=files(), data=st.data())
def test_a_schema_error_elsewhere_changes_no_reference_finding(
    docs: list[dict[str, Any]], data: st.DataObject
) -> None:
    injection = data.draw(st.sampled_from(_unread(docs)), label="injection")
    clean, broken = _both(docs, injection)
    assert broken == clean, injection
    FIGURES["partial references: schema errors elsewhere"] += 1
    FIGURES["partial references: reference findings kept"] += len(broken)


@SETTINGS
@given(docs=files(), data=st.data())
def test_a_schema_error_in_a_name_adds_no_reference_finding(
    docs: list[dict[str, Any]], data: st.DataObject
) -> None:
    injection = data.draw(st.sampled_from(_read(docs)), label="injection")
    clean, broken = _both(docs, injection)
    assert set(broken) <= set(clean), injection
    FIGURES["partial references: schema errors in names"] += 1
    FIGURES["partial references: reference findings left out"] += len(clean) - len(broken)


SCALARS = (
    st.none() | st.booleans() | st.integers() | st.sampled_from([*TARGETS, *MODELS, "", "X_1"])
)
KEYS = st.sampled_from(["name", "targets", "uses", "spec", "edge"])
FLAT = SCALARS | st.lists(SCALARS, max_size=3) | st.dictionaries(KEYS, SCALARS, max_size=3)
JSON = FLAT | st.lists(FLAT, max_size=3) | st.dictionaries(KEYS, FLAT, max_size=3)


def _paths(value: Any, path: Path_ = ()) -> list[Path_]:
    found = [path]
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*path, i))
    return found


@SETTINGS
@given(docs=files(), data=st.data())
def test_any_value_anywhere_gives_findings_not_a_crash(
    docs: list[dict[str, Any]], data: st.DataObject
) -> None:
    file = data.draw(st.integers(0, len(docs) - 1), label="file")
    path = data.draw(st.sampled_from(_paths(docs[file])[1:]), label="path")
    docs = Injection(file, path, data.draw(JSON, label="value")).apply(docs)
    with tempfile.TemporaryDirectory(prefix="edgemodels-partial-") as tmp:
        folder = Path(tmp) / "catalogue"
        folder.mkdir()
        for i, doc in enumerate(docs):
            (folder / f"c{i}.yaml").write_text(json.dumps(doc) + "\n", encoding="utf-8")
        result = load(folder, base=Path(tmp))
    codes = {d.code for d in result.diagnostics}
    if any(c.startswith("S") for c in codes):
        assert {c for c in codes if not c.startswith("S")} <= REFERENCE_CODES, codes
    FIGURES["partial references: random values loaded"] += 1
