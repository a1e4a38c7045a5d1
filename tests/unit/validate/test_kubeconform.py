"""The kubeconform backend, tested WITHOUT kubeconform: it is not installable here.

No package registry this project can reach ships kubeconform, and CI cannot build it. So
its adapter is tested against recorded real output: the `-output json` example of
kubeconform.md section 3 (fixtures/kubeconform-reference-section3.json), which a fake
`kubeconform` on PATH replays while recording the argv it was called with. A test against
the real binary runs only when one is on PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from edgemodels.errors import ToolMissingError
from edgemodels.validate import kubeconform
from edgemodels.validate.pointers import parse_pointer
from edgemodels.validate.run import ValidateOptions, validate_tree
from edgemodels.validate.violations import Violation

FIXTURES = Path(__file__).parent / "fixtures"
RECORDED = FIXTURES / "kubeconform-reference-section3.json"

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.27
        resource:
          limits:
            memory: 128Mi
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  a: "1"
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
stringData:
  token: x
"""

SUBSCRIPTIONS = """\
apiVersion: apps.open-cluster-management.io/v1
kind: Subscription
metadata:
  name: web-sub
  namespace: apps
spec:
  channel: apps/web
  placement:
    placementRef:
      kind: Placement
      name: web
---
apiVersion: apps.open-cluster-management.io/v1
kind: Subscription
metadata:
  name: web-sub-typo
  namespace: apps
spec:
  chanel: apps/web
  placement:
    placementRef:
      kind: Placement
      name: web
"""

DUP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: dup
data:
  a: "1"
  a: "2"
"""

WIDGET = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"


def recorded_tree(root: Path) -> Path:
    """The four files the recorded run validated, at the paths it names (ex/*.yaml)."""
    files = {
        "web.yaml": WEB,
        "subscription.yaml": SUBSCRIPTIONS,
        "dup.yaml": DUP,
        "widget.yaml": WIDGET,
    }
    for name, text in files.items():
        (root / "ex").mkdir(parents=True, exist_ok=True)
        (root / "ex" / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def fake_kubeconform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `kubeconform` on PATH that prints the recorded JSON; returns where argv is written."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "kubeconform"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        "with open(os.environ['FAKE_KUBECONFORM_ARGV'], 'w') as f:\n"
        "    json.dump(sys.argv, f)\n"
        "sys.stdout.write(open(os.environ['FAKE_KUBECONFORM_OUTPUT']).read())\n"
        "sys.exit(1)\n",  # kubeconform exits 1 on any invalid resource
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    argv_file = tmp_path / "argv.json"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_KUBECONFORM_ARGV", str(argv_file))
    monkeypatch.setenv("FAKE_KUBECONFORM_OUTPUT", str(RECORDED))
    monkeypatch.delenv("EDGEMODELS_KUBECONFORM", raising=False)
    return argv_file


def test_recorded_output_parses() -> None:
    results = kubeconform.parse_output(RECORDED.read_text())
    assert [r.status for r in results].count("statusInvalid") == 2
    web = results[0]
    assert web.key == ("ex/web.yaml", "Deployment", "web", "apps/v1")
    assert web.errors == (
        ("/spec/template/spec/containers/0", "additional properties 'resource' not allowed"),
    )
    assert kubeconform.missing_schema_kind(results[-1]) == "Widget"


def test_recorded_messages_become_the_builtin_wording() -> None:
    results = kubeconform.parse_output(RECORDED.read_text())
    web, typo = results[0], results[4]
    assert kubeconform.violations_of(web, {}) == [
        Violation(
            ("spec", "template", "spec", "containers", "0", "resource"),
            "K101",
            "unknown field 'resource' in /spec/template/spec/containers/0",
            at_key=True,
        )
    ]
    assert [v.message for v in kubeconform.violations_of(typo, {})] == [
        "/spec: missing required field 'channel'",
        "unknown field 'chanel' in /spec",
    ]


def test_collapsed_validation_errors_fall_back_to_msg() -> None:
    """With ref-based schemas kubeconform collapses validationErrors at the $ref boundary
    (kubeconform.md section 2.2, fix 2); the detail is only in msg. Shaped after that text."""
    result = kubeconform.Result(
        "x.yaml",
        "Deployment",
        "web",
        "apps/v1",
        "statusInvalid",
        "jsonschema validation failed with 'file:///s.json#' - at '/spec/replicas': got string, "
        "want integer - at '/spec': missing property 'selector'",
        (("/spec", "validation failed"),),
    )
    data = {"spec": {"replicas": "two"}}
    assert [v.message for v in kubeconform.violations_of(result, data)] == [
        "/spec/replicas: got string, want integer",
        "/spec: missing required field 'selector'",
    ]


@pytest.mark.parametrize(
    ("text", "code", "message"),
    [
        ("got string, want null or integer", "K102", "/a: got string, want integer"),
        (
            "value must be one of 'Git', 'GitHub'",
            "K104",
            "/a: value must be one of 'Git', 'GitHub'",
        ),
        ("value must be 'v1'", "K104", "/a: value must be 'v1'"),
        ("maxLength: got 70, want 63", "K105", "/a: maxLength: got 70, want 63"),
        (
            "'Bad_x' does not match pattern '^[a-z]+\\\\.x$'",
            "K105",
            "/a: 'Bad_x' does not match pattern '^[a-z]+\\\\.x$'",
        ),
        ("oneOf failed, none matched", "K110", "/a: oneOf failed, none matched"),
        ("missing properties 'a', 'b'", "K103", "/a: missing required field 'a'"),
    ],
)
def test_message_forms(text: str, code: str, message: str) -> None:
    result = kubeconform.Result("f", "K", "n", "v1", "statusInvalid", "", (("/a", text),))
    first = kubeconform.violations_of(result, {"a": "two" if code == "K102" else "Bad_x"})[0]
    assert (first.code, first.message) == (code, message)


def test_argv_never_uses_the_network_default(tmp_path: Path) -> None:
    argv = kubeconform.build_argv(
        "kc",
        "1.33.0",
        True,
        "/c/crds{{ .StrictSuffix }}/x.json",
        tmp_path,
        ["Kustomization"],
        ["a.yaml"],
    )
    assert argv[:3] == ["kc", "-output", "json"]
    locations = [argv[i + 1] for i, a in enumerate(argv) if a == "-schema-location"]
    assert locations == ["/c/crds{{ .StrictSuffix }}/x.json", str(tmp_path)]  # CRDs first
    assert not any("http" in a or a == "default" for a in argv)
    assert "-strict" in argv and argv[-1] == "a.yaml"
    assert argv[argv.index("-kubernetes-version") + 1] == "1.33.0"
    assert "-strict" not in kubeconform.build_argv("kc", "1.33.0", False, "c", tmp_path, [], [])


def test_replayed_run_gives_the_builtin_findings(
    tmp_path: Path, cache_dir: Path, fake_kubeconform: Path
) -> None:
    root = recorded_tree(tmp_path / "tree")
    common = {
        "kubernetes_version": "1.37",
        "skip_kinds": ("Secret",),
        "cache_dir": cache_dir,
        "policies": False,
    }
    replayed = validate_tree(root, ValidateOptions(validator="kubeconform", **common))  # type: ignore[arg-type]
    builtin = validate_tree(root, ValidateOptions(validator="builtin", **common))  # type: ignore[arg-type]
    assert replayed == builtin
    schema = sorted((d.path, d.line, d.col, d.code) for d in replayed if d.code.startswith("K1"))
    assert schema == [
        ("ex/dup.yaml", 7, 3, "K109"),  # our loader; the file is staged, not passed as is
        ("ex/subscription.yaml", 18, 1, "K103"),
        ("ex/subscription.yaml", 19, 3, "K101"),
        ("ex/web.yaml", 17, 9, "K101"),
        ("ex/widget.yaml", 1, 13, "K106"),
    ]

    argv = json.loads(fake_kubeconform.read_text())
    assert Path(argv[0]).name == "kubeconform"
    locations = [argv[i + 1] for i, a in enumerate(argv) if a == "-schema-location"]
    assert locations[0].startswith(str(cache_dir)) and "{{ .StrictSuffix }}" in locations[0]
    assert (Path(locations[1]) / "v1.37.0-standalone-strict" / "deployment-apps-v1.json").is_file()
    crd_root = Path(locations[0].split("/crds{{")[0])
    assert (crd_root / "crds-strict/apps.open-cluster-management.io/subscription_v1.json").is_file()
    assert (crd_root / "crds/apps.open-cluster-management.io/subscription_v1.json").is_file()
    assert argv[argv.index("-skip") + 1] == "Kustomization,Secret"
    assert argv[argv.index("-kubernetes-version") + 1] == "1.37.0"
    files = argv[argv.index("-strict") + 1 :]
    assert {"ex/web.yaml", "ex/subscription.yaml", "ex/widget.yaml"} <= set(files)
    assert "ex/dup.yaml" not in files  # duplicate key: validated from a staged copy
    assert not any("http" in a for a in argv)


def test_output_that_is_not_json_is_a_tool_failure(
    tmp_path: Path, cache_dir: Path, fake_kubeconform: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("flag provided but not defined: -nope\n")
    monkeypatch.setenv("FAKE_KUBECONFORM_OUTPUT", str(garbage))
    root = recorded_tree(tmp_path / "tree")
    with pytest.raises(ToolMissingError, match="kubeconform failed"):
        validate_tree(root, ValidateOptions(validator="kubeconform", cache_dir=cache_dir))


def test_kubeconform_requested_but_missing(
    tree: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tree))  # no kubeconform (nor anything else) there
    monkeypatch.delenv("EDGEMODELS_KUBECONFORM", raising=False)
    with pytest.raises(ToolMissingError, match="kubeconform not found"):
        validate_tree(tree, ValidateOptions(validator="kubeconform", cache_dir=cache_dir))


@pytest.mark.parametrize("validator", ["auto", "kubeconform"])
def test_a_kubeconform_named_in_the_environment_that_is_not_there_is_an_error(
    tree: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, validator: str
) -> None:
    """A CI that sets $EDGEMODELS_KUBECONFORM asked for that program: with --validator auto
    the run fell back to the builtin validator without a word when it was not there."""
    monkeypatch.setenv("EDGEMODELS_KUBECONFORM", str(tree / "nonexistent" / "kubeconform"))
    with pytest.raises(ToolMissingError, match=r"\$EDGEMODELS_KUBECONFORM=.*nonexistent.*no such"):
        validate_tree(tree, ValidateOptions(validator=validator, cache_dir=cache_dir))
    # The builtin validator does not run kubeconform: the setting does not matter to it.
    validate_tree(tree, ValidateOptions(validator="builtin", cache_dir=cache_dir))


@pytest.mark.skipif(shutil.which("kubeconform") is None, reason="kubeconform is not on PATH")
def test_real_kubeconform_agrees_with_builtin(tmp_path: Path, cache_dir: Path) -> None:
    root = recorded_tree(tmp_path / "tree")
    common = {
        "kubernetes_version": "1.37",
        "skip_kinds": ("Secret",),
        "cache_dir": cache_dir,
        "policies": False,
    }
    real = validate_tree(root, ValidateOptions(validator="kubeconform", **common))  # type: ignore[arg-type]
    assert real == validate_tree(root, ValidateOptions(validator="builtin", **common))  # type: ignore[arg-type]


def test_pointer_segments() -> None:
    assert parse_pointer("/spec/a~1b/0") == ("spec", "a/b", "0")
    assert parse_pointer("") == ()


# Python's own locale coercion off: the locale's encoding is ASCII.
ASCII_LOCALE = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def test_output_beyond_ascii_is_read_as_utf8_whatever_the_locale(
    tmp_path: Path, cache_dir: Path
) -> None:
    """kubeconform is a Go program: it writes UTF-8 whatever the locale. Its stand-in here
    (kubeconform itself is not installable) prints the recorded output's shape, for a file
    and a field whose names are not ASCII, as raw UTF-8 as kubeconform does. Run in an
    ASCII locale, in a process of its own, validate read it in that locale's encoding and
    stopped (UnicodeDecodeError, exit 3); with the name read right but not matched to the
    file as this process names it, the finding was dropped ("no findings")."""
    tree = tmp_path / "tree"
    (tree / "ex").mkdir(parents=True)
    (tree / "ex" / "café.yaml").write_text(WEB.replace("resource:", "résumé:"), encoding="utf-8")
    web = json.loads(RECORDED.read_text(encoding="utf-8"))["resources"][0]
    text = json.dumps({"resources": [web]}, ensure_ascii=False)
    output = tmp_path / "output.json"
    output.write_bytes(
        text.replace("ex/web.yaml", "ex/café.yaml").replace("'resource'", "'résumé'").encode()
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stand_in = bin_dir / "kubeconform"
    stand_in.write_text(
        f"#!{sys.executable}\nimport sys\n"
        f"sys.stdout.buffer.write(open({str(output)!r}, 'rb').read())\nsys.exit(1)\n",
        encoding="utf-8",
    )
    stand_in.chmod(stand_in.stat().st_mode | stat.S_IEXEC)
    env = {
        **os.environ,
        **ASCII_LOCALE,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "EDGEMODELS_CACHE_DIR": str(cache_dir),
        "EDGEMODELS_SERVER": "off",
    }
    env.pop("EDGEMODELS_KUBECONFORM", None)
    reports = {}
    for validator in ("kubeconform", "builtin"):
        report = tmp_path / f"{validator}.json"
        args = ["validate", "--validator", validator, "--no-cache", "--no-policies", "tree"]
        done = subprocess.run(
            [sys.executable, "-m", "edgemodels", *args, "--format", "json", "-o", str(report)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            check=False,
        )
        assert done.returncode == 1, done.stderr.decode("utf-8", "replace")
        reports[validator] = json.loads(report.read_text(encoding="utf-8"))
    assert reports["kubeconform"] == reports["builtin"]
    [found] = reports["kubeconform"]["findings"]
    assert (found["code"], found["line"], found["col"]) == ("K101", 17, 9)
    assert found["path"].startswith("tree/ex/caf") and "'résumé'" in found["message"]
