"""Catalogues split over a folder: merging, and findings that name the right file."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgemodels.catalogue import load
from edgemodels.errors import InputError

from .helpers import BASE

MODEL = """\
apiVersion: edgemodels.io/v1alpha1
kind: ModelCatalogue
spec:
  models:
    - name: {name}
      version: 1.0.0
      wrapper: container
      image: registry.example.com/models/{name}:1.0.0
      targets: [lrt]
"""


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "catalogue" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / "catalogue"


def rendered(tmp_path: Path, files: dict[str, str]) -> list[str]:
    result = load(write(tmp_path, files), base=tmp_path)
    return [d.render() for d in sorted(result.diagnostics)]


def test_models_are_gathered_from_every_file(tmp_path: Path) -> None:
    files = {
        "main.yaml": BASE,
        **{f"models/m{i}.yaml": MODEL.format(name=f"m{i}") for i in range(3)},
    }
    result = load(write(tmp_path, files), base=tmp_path)
    assert result.diagnostics == []
    assert result.catalogue is not None
    assert [m.name for m in result.catalogue.models] == ["sktime", "m0", "m1", "m2"]


def test_same_model_twice_names_both_places(tmp_path: Path) -> None:
    files = {"main.yaml": BASE, "models/a.yaml": MODEL.format(name="sktime")}
    assert rendered(tmp_path, files) == [
        "catalogue/models/a.yaml:5:13: R101 model 'sktime' is defined twice; "
        "first at catalogue/main.yaml:18:13"
    ]


def test_section_defined_twice(tmp_path: Path) -> None:
    other = "apiVersion: edgemodels.io/v1alpha1\nkind: ModelCatalogue\nspec:\n  hub:\n    namespace: x\n"
    assert rendered(tmp_path, {"main.yaml": BASE, "z.yaml": other}) == [
        "catalogue/z.yaml:4:3: R109 spec.hub is defined twice; first at catalogue/main.yaml:9:3"
    ]


def test_schema_error_in_second_file_points_there(tmp_path: Path) -> None:
    bad = MODEL.format(name="m0").replace("wrapper: container", "wrapper: box")
    assert rendered(tmp_path, {"main.yaml": BASE, "models/m0.yaml": bad}) == [
        "catalogue/models/m0.yaml:7:16: S004 spec.models[0].wrapper: 'box' is not one of "
        "http, container"
    ]


def test_other_edgemodels_documents_are_skipped(tmp_path: Path) -> None:
    inventory = "apiVersion: edgemodels.io/v1alpha1\nkind: SiteInventory\nsites: []\n"
    result = load(write(tmp_path, {"main.yaml": BASE, "sites.yaml": inventory}), base=tmp_path)
    assert result.diagnostics == []


def test_folder_without_catalogue(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match=r"no catalogue files .*\(Y014\)"):
        load(tmp_path / "empty", base=tmp_path)


def test_yaml_and_yml_files_are_merged_and_others_not_read(tmp_path: Path) -> None:
    """What the catalogue.yaml of `init` says: *.yaml and *.yml of the folder and its
    subfolders are merged; a *.json file is not read."""
    files = {
        "main.yaml": BASE,
        "models/a.yml": MODEL.format(name="a"),
        "models/b.json": '{"not": "read"',
        "models/notes.txt": "not: [read",
    }
    result = load(write(tmp_path, files), base=tmp_path)
    assert result.diagnostics == []
    assert result.catalogue is not None
    assert [m.name for m in result.catalogue.models] == ["sktime", "a"]
    template = Path(__file__).resolve().parents[3] / "repo-template" / "catalogue"
    comment = (template / "catalogue.yaml").read_text()
    assert "every *.yaml and *.yml file" in comment and "*.json included, are not read" in comment


def test_hidden_folders_are_ignored(tmp_path: Path) -> None:
    files = {"main.yaml": BASE, ".git/junk.yaml": "not: [valid"}
    assert rendered(tmp_path, files) == []


def test_target_defined_in_two_files(tmp_path: Path) -> None:
    other = (
        "apiVersion: edgemodels.io/v1alpha1\nkind: ModelCatalogue\nspec:\n"
        "  targets:\n    lrt:\n      matchLabels: {env: other}\n"
    )
    assert rendered(tmp_path, {"main.yaml": BASE, "z.yaml": other}) == [
        "catalogue/z.yaml:5:5: R102 target 'lrt' is defined twice; first at catalogue/main.yaml:15:5"
    ]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("# - name: old-model\n#   version: 1.0.0\n", "file holds only comments: no YAML document"),
        ("\n", "file is empty"),
    ],
)
def test_a_model_file_commented_out_says_how_a_file_leaves_the_catalogue(
    tmp_path: Path, text: str, said: str
) -> None:
    """Commenting a model file out was "file is empty", with nothing on what to do; a name
    that starts with a dot is how a file leaves the folder (docs/catalogue-guide.md)."""
    found = rendered(tmp_path, {"catalogue.yaml": BASE, "models/old.yaml": text})
    assert found == [
        f"catalogue/models/old.yaml:1:1: Y005 {said}; delete it, or name it .old.yaml: files "
        "whose name starts with a dot are not read"
    ]


CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: scorer-settings
  namespace: edge-models
data:
  threshold: "0.8"
"""


def test_a_kubernetes_object_in_the_catalogue_folder_is_one_finding(tmp_path: Path) -> None:
    """A ConfigMap dropped into catalogue/models/ got one S001 or S004 per field it has (an
    apiVersion, a kind, metadata.namespace, data, ...), none saying that it is no catalogue
    file at all."""
    found = rendered(tmp_path, {"main.yaml": BASE, "models/settings.yaml": CONFIGMAP})
    assert found == [
        "catalogue/models/settings.yaml:2:7: S004 kind: this file is a ConfigMap (apiVersion "
        "v1), no catalogue file (apiVersion edgemodels.io/v1alpha1, kind ModelCatalogue); a "
        "catalogue folder's every *.yaml and *.yml file is read: move it out of the folder, "
        "or name it .settings.yaml"
    ]
