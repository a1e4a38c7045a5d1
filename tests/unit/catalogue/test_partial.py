"""A catalogue with schema errors: the reference findings that hold are reported with them,
and nothing a fix of a schema error could change."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgemodels.catalogue import load

MAIN = """\
apiVersion: edgemodels.io/v1alpha1
kind: ModelCatalogue
metadata:
  name: demo
spec:
  git: {url: https://gitlab.com/i4q/deploy.git, branch: main}
  hub: {namespace: edge}
  defaults: {namespace: edge}
  targets:
    all-sites:
      matchLabels: {env: edge}
    spare:
      matchLabels: {env: spare}
"""

MODEL = """\
apiVersion: edgemodels.io/v1alpha1
kind: ModelCatalogue
spec:
  models:
    - name: forecaster
      version: 1.0.0
      wrapper: http
      image: registry.example.com/models/forecaster:1.0.0
      targets: [all-sites]
      http: {port: 8080}
      resources:
        requests: {cpu: 100m}
"""

WORKLOADS = """\
apiVersion: edgemodels.io/v1alpha1
kind: ModelCatalogue
spec:
  workloads:
    - {name: dashboard, uses: [forcaster], matchLabels: {env: edge}}
"""

BROKEN_MODEL = MODEL.replace("[all-sites]", "[all-site]").replace("100m}", "100mm}")
R104 = (
    "catalogue/models/forecaster.yaml:9:17: R104 model 'forecaster' names target 'all-site', "
    "which is not in spec.targets; did you mean 'all-sites'?"
)
S004 = (
    "catalogue/models/forecaster.yaml:12:25: S004 spec.models[0].resources.requests.cpu: "
    "'100mm' is not a Kubernetes quantity such as 500m, 2, 256Mi"
)


def rendered(tmp_path: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        path = tmp_path / "catalogue" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = load(tmp_path / "catalogue", base=tmp_path)
    if any(d.code.startswith("S") for d in result.diagnostics):
        assert result.catalogue is None
    return [d.render() for d in sorted(result.diagnostics)]


def codes(tmp_path: Path, files: dict[str, str]) -> list[str]:
    return [line.split(": ", 1)[1].split(" ", 1)[0] for line in rendered(tmp_path, files)]


def references(tmp_path: Path, files: dict[str, str]) -> list[str]:
    """The R codes found, in order, when there are schema errors."""
    found = codes(tmp_path, {"main.yaml": MAIN, **files})
    assert any(c.startswith("S") for c in found), found
    return [c for c in found if c.startswith("R")]


def test_an_unknown_target_is_reported_with_the_schema_error(tmp_path: Path) -> None:
    files = {"main.yaml": MAIN, "models/forecaster.yaml": BROKEN_MODEL}
    assert rendered(tmp_path, files) == [R104, S004]


def test_the_same_finding_as_once_the_schema_error_is_fixed(tmp_path: Path) -> None:
    fixed = BROKEN_MODEL.replace("100mm", "100m")
    found = rendered(tmp_path, {"main.yaml": MAIN, "models/forecaster.yaml": fixed})
    assert R104 in found
    assert any(" R107 " in f for f in found)  # `spare`, said once the schema is clean


BAD_CPU = MODEL.replace("100m}", "100mm}")
TWICE = """\
apiVersion: edgemodels.io/v1alpha1
kind: ModelCatalogue
spec:
  targets:
    spare: {matchLabels: {env: x}}
  workloads:
    - {name: dashboard, uses: [forecaster], sites: [a]}
"""


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"m.yaml": BAD_CPU, "w.yaml": WORKLOADS}, ["R105"], id="R105"),
        pytest.param(
            {
                "m.yaml": BROKEN_MODEL.replace(
                    "      http:", "      overrides: {all-site: {}}\n      http:"
                )
            },
            ["R104", "R120"],
            id="R120",
        ),
        pytest.param({"a.yaml": MODEL, "b.yaml": BROKEN_MODEL}, ["R101", "R104"], id="R101"),
        pytest.param(
            {"m.yaml": BAD_CPU, "w.yaml": WORKLOADS, "x.yaml": TWICE},
            ["R105", "R102", "R103"],
            id="R102 R103",
        ),
    ],
)
def test_each_reference_finding_comes_with_schema_errors(
    tmp_path: Path, files: dict[str, str], expected: list[str]
) -> None:
    assert references(tmp_path, files) == expected


def test_findings_that_need_the_whole_catalogue_wait(tmp_path: Path) -> None:
    """No R107 for `spare`, R106 for a model that goes nowhere, R211, R204 or R212; the
    R105 holds."""
    model = BAD_CPU.replace("      targets: [all-sites]\n", "").replace(
        "name: forecaster", "name: " + "f" * 40
    )
    model += "      overrides: {spare: {replicas: 2}}\n"
    workload = WORKLOADS.replace(", matchLabels: {env: edge}", "")
    assert references(tmp_path, {"m.yaml": model, "w.yaml": workload}) == ["R105"]


# Two models named `twin`, in files read before the others: their R101 holds whatever a
# file read later turns out to define.
TWINS = {
    "a.yaml": MODEL.replace("forecaster", "twin"),
    "b.yaml": MODEL.replace("forecaster", "twin"),
}
TARGETS_A_LIST = MAIN.split("  targets:")[0] + "  targets: [all-sites, spare]\n"


@pytest.mark.parametrize(
    ("main", "expected"),
    [
        pytest.param(MAIN.replace("    spare:", "    Spare:"), ["R101", "R105"], id="bad name"),
        pytest.param(TARGETS_A_LIST, ["R101", "R105"], id="targets a list"),
        pytest.param(
            MAIN.split("  targets:")[0] + "  targets:\n", ["R101", "R105"], id="targets null"
        ),
        pytest.param(
            MAIN + "      all-site:\n        matchLabels: {env: x}\n",
            ["R101", "R105"],
            id="a target indented into the one above",
        ),
        pytest.param(
            MAIN.replace(
                "matchLabels: {env: spare}",
                "matchLabels:\n        env: spare\n        all-site:\n          matchLabels: {env: x}",
            ),
            ["R101", "R105"],
            id="a target indented into the one above's labels",
        ),
        pytest.param(
            MAIN.replace("{env: spare}", "{env: spare, all-site: {matchLabels: {env: x}}}"),
            ["R101", "R105"],
            id="a target written into a selector",
        ),
        # A part of a file that could define anything: no R105 either.
        pytest.param(MAIN.replace("  targets:", "  target:"), ["R101"], id="targets misspelt"),
        pytest.param(
            MAIN.replace("kind: ModelCatalogue", "kind: ModelCatalog"), ["R101"], id="kind"
        ),
        pytest.param(MAIN.replace("io/v1alpha1", "io/v1"), ["R101"], id="apiVersion"),
        pytest.param(MAIN.replace("spec:", "spek:"), ["R101"], id="spec misspelt"),
    ],
)
def test_no_unknown_target_while_a_target_name_cannot_be_read(
    tmp_path: Path, main: str, expected: list[str]
) -> None:
    """Each of these could define 'all-site' once fixed."""
    files = {"main.yaml": main, "m.yaml": BROKEN_MODEL, "w.yaml": WORKLOADS, **TWINS}
    assert references(tmp_path, files) == expected


MODELS_A_MAPPING = MODEL.split("  models:")[0] + "  models: {name: forecaster}\n"


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        pytest.param(
            BROKEN_MODEL.replace("name: forecaster", "name: Forecaster"),
            ["R101", "R104"],
            id="bad name",
        ),
        pytest.param(
            BROKEN_MODEL.replace("- name: forecaster", "- nme: forecaster"),
            ["R101", "R104"],
            id="no name",
        ),
        pytest.param(MODELS_A_MAPPING, ["R101", "R104"], id="models a mapping"),
        pytest.param(
            MODEL.split("  models:")[0] + "  models:\n", ["R101", "R104"], id="models null"
        ),
        pytest.param(BROKEN_MODEL.replace("  models:", "  modles:"), ["R101"], id="misspelt"),
    ],
)
def test_no_unknown_model_while_a_model_name_cannot_be_read(
    tmp_path: Path, model: str, expected: list[str]
) -> None:
    """The workload's `forcaster` could be that model once fixed."""
    other = BROKEN_MODEL.replace("forecaster", "other")
    files = {"m.yaml": model, "o.yaml": other, "w.yaml": WORKLOADS, **TWINS}
    assert references(tmp_path, files) == expected


@pytest.mark.parametrize(
    "targets",
    ["[all-site, 5]", "[all-site, all-site]", "all-site", "[all-site, [x]]", "{all-site: 1}"],
)
def test_a_malformed_list_is_not_read(tmp_path: Path, targets: str) -> None:
    """Of a `targets` (or `uses`) that is not a list of distinct strings, nothing is said;
    the other model's R104 holds."""
    bad = BROKEN_MODEL.replace("[all-site]", targets)
    other = BROKEN_MODEL.replace("forecaster", "other")
    workload = WORKLOADS.replace("[forcaster]", targets.replace("all-site", "forcaster"))
    assert references(tmp_path, {"m.yaml": bad, "o.yaml": other, "w.yaml": workload}) == ["R104"]


def test_a_duplicate_is_said_only_while_its_first_definition_is_sure(tmp_path: Path) -> None:
    """a.yaml's model is the first `forecaster` however b.yaml's name is fixed; c.yaml's
    `other` is not: b.yaml's model may turn out to be the first `other`."""
    unnamed = BAD_CPU.replace("name: forecaster", "name: Other")
    files = {
        "a.yaml": MODEL,
        "b.yaml": unnamed,
        "c.yaml": MODEL,
        "d.yaml": MODEL.replace("forecaster", "other"),
        "e.yaml": MODEL.replace("forecaster", "other"),
    }
    found = rendered(tmp_path, {"main.yaml": MAIN, **files})
    assert [f for f in found if " R101 " in f] == [
        "catalogue/c.yaml:5:13: R101 model 'forecaster' is defined twice; "
        "first at catalogue/a.yaml:5:13"
    ]


def test_nothing_is_said_past_a_yaml_error(tmp_path: Path) -> None:
    """A file that cannot be read could define anything."""
    files = {"main.yaml": MAIN, "m.yaml": BROKEN_MODEL, "x.yaml": "spec: [\n"}
    assert codes(tmp_path, files) == ["S004", "Y001"]
