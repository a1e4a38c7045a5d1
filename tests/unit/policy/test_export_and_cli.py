"""`edgemodels policy export` writes real admission policies; `rules` / `rule` describe rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import kubernetes_validate
import pytest
import yaml
from click.testing import CliRunner

from edgemodels.cli.policy import command as policy_command
from edgemodels.cli.rules import command as rules_command
from edgemodels.cli.rules import rule_command
from edgemodels.diagnostics import Location
from edgemodels.policy import load_policies
from edgemodels.policy.cel_env import new_context
from edgemodels.policy.cel_import import cel
from edgemodels.policy.evaluate import Subject, bind, run_rule
from edgemodels.policy.export import ExportOptions, export_blocker, export_objects, plural
from edgemodels.policy.files import load_policy_file
from edgemodels.policy.model import Rule

from .helpers import manifest_findings

KUBERNETES = "1.33.0"


def run(command: click.Command, *args: str) -> tuple[str, str, int]:
    """stdout, stderr and the exit code the command returns (as `edgemodels.cli.main` does)."""
    result = CliRunner().invoke(command, list(args), standalone_mode=False)
    assert result.exception is None, result.exception
    return result.stdout, result.stderr, int(result.return_value)


def export_text(*args: str) -> tuple[str, str, int]:
    return run(policy_command, "export", *args)


def test_export_is_valid_against_the_kubernetes_schema(tmp_path: Path) -> None:
    out, err, code = export_text("--catalogue", str(tmp_path))
    assert code == 0, err
    docs = [d for d in yaml.safe_load_all(out) if d]
    kinds = [d["kind"] for d in docs]
    assert (
        kinds.count("ValidatingAdmissionPolicy")
        == kinds.count("ValidatingAdmissionPolicyBinding")
        >= 5
    )
    for doc in docs:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)  # raises when invalid
    names = {d["metadata"]["name"] for d in docs}
    assert "edgemodels-p124-pod-runs-as-non-root" in names
    assert (
        "not exported: P122 no-credentials-in-manifests: uses functions Kubernetes does not have"
        in err
    )


def test_the_catalogue_rules_left_out_are_noted(tmp_path: Path) -> None:
    """As the help says: a user who expects every rule hears why those are missing."""
    catalogue = [
        r.code for r in load_policies(None, None).rules if r.enabled and r.scope == "catalogue"
    ]
    _, err, _ = export_text("--catalogue", str(tmp_path))
    notes = [line for line in err.splitlines() if "catalogue rules" in line]
    assert notes == [
        f"edgemodels: not exported: catalogue rules {', '.join(catalogue)}: "
        "they check the catalogue, not Kubernetes objects"
    ]
    assert "P101" in catalogue


def test_a_broken_export_would_be_caught_by_the_schema() -> None:
    objects, _ = export_objects(load_policies(None, None), ExportOptions(("P121",)))
    policy = objects[0]
    policy["spec"]["validations"][0]["messageExpresion"] = "typo"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(policy, KUBERNETES, strict=True)


def test_exported_policy_keeps_the_rule() -> None:
    objects, skipped = export_objects(
        load_policies(None, None), ExportOptions(("P124",), False, "Ignore")
    )
    assert skipped == []
    policy, binding = objects
    spec = policy["spec"]
    assert spec["failurePolicy"] == "Ignore"
    assert {"apiGroups": ["batch"], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
            "resources": ["jobs", "cronjobs"]} in spec["matchConstraints"]["resourceRules"]  # fmt: skip
    assert "matchConditions" not in spec  # they cannot read variables; `exempt` is one
    names = [v["name"] for v in spec["variables"]]
    assert names == ["pod", "podMetadata", "exempt", "podNonRoot", "checked"]
    assert spec["validations"][0]["expression"].startswith("(variables.checked).all(item, ")
    assert spec["validations"][0]["reason"] == "Forbidden"
    assert binding["spec"] == {
        "policyName": "edgemodels-p124-pod-runs-as-non-root",
        "validationActions": ["Deny"],
    }  # --all-objects: no objectSelector


def admission_messages(policy: dict[str, Any], obj: object) -> list[str]:
    """The messages of the validations an admission policy fails on `obj`, computed as the
    API server does: match conditions, then the variables in order, then each validation."""
    ctx = cel.Context()
    bind(ctx, "object", obj)
    spec = policy["spec"]
    if not all(cel.compile(c["expression"]).execute(ctx) for c in spec.get("matchConditions", [])):
        return []
    variables: dict[str, object] = {}
    for v in spec.get("variables", []):
        bind(ctx, "variables", variables)
        variables[v["name"]] = cel.compile(v["expression"]).execute(ctx)
    bind(ctx, "variables", variables)
    return [
        cel.compile(v["messageExpression"]).execute(ctx)
        for v in spec["validations"]
        if cel.compile(v["expression"]).execute(ctx) is not True
    ]


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: sktime-7d4b9c-x2x7p
  labels: {app.kubernetes.io/managed-by: edgemodels}
spec:
  securityContext: {runAsNonRoot: false}
  containers:
    - {name: model, image: sktime:1.4.2, securityContext: {readOnlyRootFilesystem: false}}
    - {name: sidecar, image: proxy:1.0, securityContext: {readOnlyRootFilesystem: true}}
  initContainers:
    - {name: tools, image: busybox:1.36, securityContext: {readOnlyRootFilesystem: false}}
"""


@pytest.mark.parametrize(
    ("code", "annotation", "offending"),
    [("P124", "edgemodels.io/run-as-root", ["model", "sidecar", "tools"]),
     ("P125", "edgemodels.io/writable-root-filesystem", ["model", "tools"])],
)  # fmt: skip
def test_exported_pod_rules_admit_what_validate_passes(
    tmp_path: Path, code: str, annotation: str, offending: list[str]
) -> None:
    (policy, _), _ = export_objects(load_policies(None, None), ExportOptions((code,)))
    pod = yaml.safe_load(POD)
    (message,) = admission_messages(policy, pod)  # Kubernetes: the first failing container's
    assert message.startswith("container 'model' of Pod 'sktime-7d4b9c-x2x7p'")
    found = [d for d in manifest_findings(tmp_path, POD) if d.code == code]
    assert [d.message.split("'")[1] for d in found] == offending
    # The annotation a declared exception puts on the pod template, which Pods inherit.
    pod["metadata"]["annotations"] = {annotation: "vendor image"}
    assert admission_messages(policy, pod) == []
    exempt = POD.replace("  labels:", f"  annotations: {{{annotation}: vendor image}}\n  labels:")
    assert [d for d in manifest_findings(tmp_path, exempt) if d.code == code] == []


def test_warning_rules_warn_instead_of_deny(tmp_path: Path) -> None:
    config = tmp_path / ".edgemodels-policy.yaml"
    config.write_text("rules: {P123: warning}\n", encoding="utf-8")
    objects, _ = export_objects(load_policies(config, tmp_path), ExportOptions(("P123",)))
    binding = objects[1]
    assert binding["spec"]["validationActions"] == ["Warn", "Audit"]
    assert binding["spec"]["matchResources"] == {
        "objectSelector": {"matchLabels": {"app.kubernetes.io/managed-by": "edgemodels"}}
    }


def test_export_refuses_a_rule_kubernetes_cannot_run(tmp_path: Path) -> None:
    _, err, code = export_text("--rule", "P122", "--catalogue", str(tmp_path))
    assert code == 2
    assert "cannot be exported" in err and "credentials" in err
    _, err, code = export_text("--rule", "P101", "--catalogue", str(tmp_path))
    assert code == 2 and "catalogue rule" in err


HINT = "; it has min, max and sum only as list members, [a, b].max()"


@pytest.mark.parametrize(
    ("expression", "blocker"),
    [
        ("object.spec.replicas <= max(1, 0)", "max(...)"),
        ("min([3, 1]) == 1 && sum([1, 2]) == 3", "min(...), sum(...)"),
        ("[1, 0].max() == 1 && [3, 1].min() == 1 && [1, 2]. sum ( ) == 3", ""),
        ("'max(1, 2)' != '' // a max(1, 2) in a comment\n", ""),
        ("math.greatest(1, 2) == 2 && max(1, 2) == 2", "math.greatest, max(...)"),
    ],
)
def test_export_refuses_list_functions_kubernetes_has_only_as_members(
    tmp_path: Path, expression: str, blocker: str
) -> None:
    path = tmp_path / "p.yaml"
    rule = {"code": "P601", "name": "replicas", "validations": [{"expression": expression}],
            "appliesTo": {"manifests": [{"apiVersions": ["apps/v1"], "kinds": ["Deployment"]}]}}  # fmt: skip
    policy = {"apiVersion": "edgemodels.io/v1alpha1", "kind": "PolicySet",
              "metadata": {"name": "t"}, "rules": [rule]}  # fmt: skip
    path.write_text(yaml.safe_dump(policy), encoding="utf-8")
    (loaded,), diags = load_policy_file(path, "p.yaml", "p.yaml")
    assert diags == []
    assert check_rule(loaded, {"spec": {"replicas": 1}}) == []  # they all run here
    expected = f"uses functions Kubernetes does not have ({blocker}){HINT}"
    assert export_blocker(loaded) == (expected if blocker else "")
    if blocker:  # and the CLI says why it leaves the rule out
        config = tmp_path / "c.yaml"
        config.write_text("policyFiles: [p.yaml]\n", encoding="utf-8")  # and the default pack
        out, err, code = export_text("--config", str(config), "--catalogue", str(tmp_path))
        assert code == 0 and "P601" not in out
        assert f"not exported: P601 replicas: {expected}" in err


def check_rule(rule: Rule, obj: dict[str, object]) -> list[str]:
    subject = Subject(Location("o.yaml", 1, 1), lambda steps, key=False: Location("o.yaml", 1, 1))
    ctx = new_context(rule.functions())
    bind(ctx, "object", obj)
    return [d.message for d in run_rule(ctx, rule, subject)]


def test_export_to_a_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "admission.yaml"
    _, err, code = export_text("-o", str(target), "--rule", "P121", "--catalogue", str(tmp_path))
    assert code == 0
    docs = [d for d in yaml.safe_load_all(target.read_text()) if d]
    assert [d["kind"] for d in docs] == [
        "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding",
    ]
    assert "wrote 1 policies" in err


@pytest.mark.parametrize(
    ("kind", "resource"),
    [("Deployment", "deployments"), ("Placement", "placements"), ("Policy", "policies"),
     ("Ingress", "ingresses"), ("ConfigMap", "configmaps"), ("Gateway", "gateways")],
)  # fmt: skip
def test_plural(kind: str, resource: str) -> None:
    assert plural(kind) == resource


def test_rules_lists_every_rule(tmp_path: Path) -> None:
    out, _, code = run(rules_command, "--catalogue", str(tmp_path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["code", "name", "severity", "enabled", "scope", "source"]
    assert "P101  image-pinned-by-digest            error*    yes      catalogue  default" in lines
    assert any(
        line.startswith("P124  pod-runs-as-non-root") and "manifests" in line for line in lines
    )


def test_rules_json_shows_config_changes(tmp_path: Path) -> None:
    (tmp_path / ".edgemodels-policy.yaml").write_text(
        "rules: {P102: off, P101: info}\n", encoding="utf-8"
    )
    out, _, _ = run(rules_command, "--catalogue", str(tmp_path), "--format", "json")
    rows = {row["code"]: row for row in json.loads(out)}
    assert rows["P102"]["enabled"] == "no"
    assert rows["P101"]["severity"] == "info"


def test_rules_json_gives_a_severity_tools_can_read(tmp_path: Path) -> None:
    """The text table marks a severity that depends on the object with `*` and a footnote;
    JSON has no footnote, so it gives the plain severity and says so in a field of its own."""
    out, _, code = run(rules_command, "--catalogue", str(tmp_path), "--format", "json")
    assert code == 0
    rows = {row["code"]: row for row in json.loads(out)}
    assert {row["severity"] for row in rows.values()} <= {"error", "warning", "info"}
    assert (rows["P101"]["severity"], rows["P101"]["severityDependsOnObject"]) == ("error", True)
    assert (rows["P102"]["severity"], rows["P102"]["severityDependsOnObject"]) == ("error", False)


def test_rules_reports_a_broken_policy_and_lists_the_rest(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text(
        "apiVersion: edgemodels.io/v1alpha1\nkind: PolicySet\nmetadata: {name: t}\nrules:\n"
        "  - {code: P501, name: x, appliesTo: {catalogue: [model]}, validations: [{expression: 'nope('}]}\n",
        encoding="utf-8",
    )
    (tmp_path / ".edgemodels-policy.yaml").write_text(
        "policyFiles: [team.yaml]\n", encoding="utf-8"
    )
    out, err, code = run(rules_command, "--catalogue", str(tmp_path))
    assert code == 1
    assert "team.yaml:5:" in err and "P003" in err
    assert "P101" in out


def test_rule_prints_documentation(tmp_path: Path) -> None:
    text, _, code = run(rule_command, "image-tag-not-latest", "--catalogue", str(tmp_path))
    assert code == 0
    assert text.startswith("P102 image-tag-not-latest\n")
    for heading in ("What:", "Why:", "Fails:", "Passes:"):
        assert f"\n{heading}\n" in text
    assert "image: registry.gitlab.com/i4q/lrt/sktime:latest" in text
    assert "# edgemodels: ignore[P102]" in text
    assert "\n  findings:  one per failing element of imageRefs(object)\n" in text


def test_a_code_is_taken_in_any_case_as_the_other_codes_are(tmp_path: Path) -> None:
    """`edgemodels rule d304` worked and `rule p101` did not: a policy code was matched as
    typed, where every other code, and a suppression's, is taken in any case."""
    for args in (("p102",), ("d304",)):
        text, _, code = run(rule_command, *args, "--catalogue", str(tmp_path))
        assert code == 0 and text.split()[0] == args[0].upper()
    out, err, code = export_text("--catalogue", str(tmp_path), "--rule", "p124")
    assert code == 0, err
    names = [d["metadata"]["name"] for d in yaml.safe_load_all(out) if d]
    assert names and all(n.startswith("edgemodels-p124-") for n in names)


def test_rule_unknown_code(tmp_path: Path) -> None:
    _, err, code = run(rule_command, "P999", "--catalogue", str(tmp_path))
    assert code == 2
    assert "no rule or code 'P999'" in err


def test_rule_says_which_validation_gives_a_finding_per_element(tmp_path: Path) -> None:
    """A rule with a plain validation and a forEach one gives one finding per object for
    the first and one per element for the second: the summary names both."""
    (tmp_path / "team.yaml").write_text(
        "apiVersion: edgemodels.io/v1alpha1\nkind: PolicySet\nmetadata: {name: t}\nrules:\n"
        "  - code: P501\n    name: mixed\n    severity: warning\n"
        "    appliesTo: {catalogue: [model]}\n    validations:\n"
        "      - {expression: \"!object.version.startsWith('0.')\", message: pre-release}\n"
        "      - {forEach: imageRefs(object), expression: \"imageDigest(item.ref) != ''\", "
        "message: unpinned, fieldPathExpression: item.path}\n",
        encoding="utf-8",
    )
    (tmp_path / ".edgemodels-policy.yaml").write_text("policyFiles: [team.yaml]\n", "utf-8")
    text, _, code = run(rule_command, "P501", "--catalogue", str(tmp_path))
    assert code == 0
    assert (
        "\n  findings:  one per object (validation 1); one per failing element of "
        "imageRefs(object) (validation 2)\n"
    ) in text
