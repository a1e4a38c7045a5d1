"""The catalogue repository's control over rules: inline suppression, the policy config
(severity, off, per-path ignore, extra policy files), and how the config is found."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from edgemodels.catalogue import load
from edgemodels.catalogue.entries import catalogue_entries
from edgemodels.check import check_owns
from edgemodels.errors import InputError
from edgemodels.policy import check_catalogue, check_manifests, load_policies
from edgemodels.policy.config import find_config
from edgemodels.validate.policies import validate_owns

from .helpers import (
    HEADER,
    SKTIME,
    catalogue_findings,
    default_policies,
    manifest,
    suppressed,
    where,
)

TARGETS = "  targets:\n    lrt: {matchLabels: {env: lrt}, production: true}\n  models:\n"  # 8-10
UNPINNED = SKTIME.replace(
    SKTIME.splitlines()[3], "      image: registry.gitlab.com/i4q/lrt/sktime:1.4.2"
)
# the model starts on line 11; its image is on line 14


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_inline_suppression_drops_the_finding(tmp_path: Path) -> None:
    text = (
        HEADER + TARGETS + UNPINNED.replace(":1.4.2\n", ":1.4.2  # edgemodels: ignore[P101]\n", 1)
    )
    found = catalogue_findings(tmp_path, text)
    assert (14, 14, "P101") in where(found)
    after = suppressed(found, {"catalogue.yaml": tmp_path / "catalogue.yaml"})
    assert where(after, "P101") == []
    assert where(after, "P001") == []


def test_suppression_that_matches_nothing_is_reported(tmp_path: Path) -> None:
    text = (
        HEADER
        + TARGETS
        + UNPINNED.replace("wrapper: http\n", "wrapper: http  # edgemodels: ignore[P105]\n")
    )
    found = catalogue_findings(tmp_path, text)
    after = suppressed(found, {"catalogue.yaml": tmp_path / "catalogue.yaml"})
    assert where(after, "P001") == [(13, 22, "P001")]
    assert (14, 14, "P101") in where(after)


def test_manifest_finding_is_suppressed_on_its_catalogue_line(tmp_path: Path) -> None:
    source = write(
        tmp_path / "catalogue" / "sktime.yaml", "a: 1\nb: 2  # edgemodels: ignore[P121]\n"
    )
    obj = manifest(
        tmp_path,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n"
        "  annotations: {edgemodels.io/source: 'catalogue/sktime.yaml:2'}\n",
    )
    found = check_manifests(default_policies(tmp_path), [obj])
    assert where(found) == [(1, 1, "P121")]
    assert suppressed(found, {"catalogue/sktime.yaml": source}) == []


def test_severity_override(tmp_path: Path) -> None:
    policies = default_policies(tmp_path, "rules: {P101: info, P105: warning}\n")
    found = catalogue_findings(tmp_path, HEADER + TARGETS + UNPINNED.replace(
        "limits: {memory: 1Gi}", "limits: {}"), policies)  # fmt: skip
    severities = {d.code: d.severity for d in found}
    assert severities["P101"] == "info"  # even on a production target
    assert severities["P105"] == "warning"


def test_rule_turned_off_by_code_and_by_name(tmp_path: Path) -> None:
    policies = default_policies(tmp_path, "rules:\n  P101: off\n  image-tag-not-latest: off\n")
    text = HEADER + TARGETS + UNPINNED.replace(":1.4.2\n", ":latest\n", 1)
    assert where(catalogue_findings(tmp_path, text, policies), "P101") == []
    assert where(catalogue_findings(tmp_path, text, policies), "P102") == []
    assert not policies.rule("P101").enabled and not policies.rule("P102").enabled
    # and without the config both fire
    fresh = catalogue_findings(tmp_path, text, load_policies(None, None))
    assert {"P101", "P102"} <= {d.code for d in fresh}


def test_per_path_ignore(tmp_path: Path) -> None:
    folder = tmp_path / "catalogue"
    write(folder / "catalogue.yaml", HEADER + TARGETS.replace("  models:\n", ""))
    model_doc = "apiVersion: edgemodels.io/v1alpha1\nkind: ModelCatalogue\nspec:\n  models:\n"
    write(folder / "legacy" / "old.yaml", model_doc + UNPINNED.replace("sktime", "old"))
    write(folder / "models" / "new.yaml", model_doc + UNPINNED.replace("sktime", "new"))
    config = write(
        tmp_path / ".edgemodels-policy.yaml",
        "ignore:\n  - rule: P101\n    paths: ['catalogue/legacy/*.yaml']\n",
    )
    result = load(folder, base=tmp_path)
    policies = load_policies(None, folder)
    assert policies.config_path is not None and policies.config_path.endswith(config.name)
    found = check_catalogue(policies, catalogue_entries(result.merged))
    p101 = sorted(d.path for d in found if d.code == "P101")
    assert p101 == ["catalogue/models/new.yaml"]


def test_custom_policy_file_adds_a_rule(tmp_path: Path) -> None:
    write(
        tmp_path / "policies" / "team.yaml",
        """\
apiVersion: edgemodels.io/v1alpha1
kind: PolicySet
metadata: {name: team}
rules:
  - code: P501
    name: no-prerelease-on-production
    severity: warning
    appliesTo: {catalogue: [model]}
    matchConditions:
      - name: production
        expression: targets.exists(t, has(targets[t].production) && targets[t].production)
    validations:
      - expression: "!object.version.startsWith('0.')"
        fieldPath: .version
        messageExpression: "'version ' + object.version + ' is a pre-release'"
""",
    )
    policies = default_policies(tmp_path, "policyFiles: [policies/*.yaml]\n")
    assert policies.rule("P501").origin.endswith("policies/team.yaml")
    text = HEADER + TARGETS + UNPINNED.replace("version: 1.4.2", "version: 0.9.0")
    found = [d for d in catalogue_findings(tmp_path, text, policies) if d.code == "P501"]
    assert [(d.line, d.col, d.severity, d.message) for d in found] == [
        (12, 16, "warning", "version 0.9.0 is a pre-release")
    ]


def test_extends_none_keeps_only_the_repository_rules(tmp_path: Path) -> None:
    policies = default_policies(tmp_path, "extends: none\n")
    assert policies.rules == ()
    assert catalogue_findings(tmp_path, HEADER + TARGETS + UNPINNED, policies) == []


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "rule: {P101: off}\n",
            [(1, 1, "P006", "unknown field 'rule' in the policy config; did you mean 'rules'?")],
        ),
        (
            "rules: {P101: loud}\n",
            [(1, 15, "P006", "rules.P101: expected one of off, on, error, warning, info")],
        ),
        ("rules: {P999: off}\n", [(1, 15, "P006", "rules: no rule with code or name 'P999'")]),
        ("extends: mine\n", [(1, 10, "P006", "extends must be 'default' or 'none'")]),
        (
            "policyFiles: [nothing/*.yaml]\n",
            [(1, 14, "P006", "policyFiles: 'nothing/*.yaml' matches no file")],
        ),
        (
            "ignore:\n  - rule: P101\n",
            [(2, 5, "P006", "an ignore entry needs 'rule' (or 'rules') and 'paths'")],
        ),
        (
            "ignore:\n  - {rule: P1O1, paths: ['*.yaml']}\n",
            [(2, 5, "P006", "ignore: no rule with code or name 'P1O1'")],
        ),
        ("rules: [P101]\n", [(1, 8, "P006", "'rules' must be a mapping")]),
        ("rules: {P101: off\n", [(2, 1, "P006", "")]),
    ],
)
def test_bad_config_is_a_finding(
    tmp_path: Path, config: str, expected: list[tuple[int, int, str, str]]
) -> None:
    path = write(tmp_path / ".edgemodels-policy.yaml", config)
    policies = load_policies(path, tmp_path)
    got = [(d.line, d.col, d.code, d.message) for d in policies.diagnostics]
    assert [g[:3] for g in got] == [e[:3] for e in expected]
    for (_, _, _, message), (_, _, _, wanted) in zip(got, expected, strict=True):
        assert message.startswith(wanted)
    assert all(d.path.endswith(".edgemodels-policy.yaml") for d in policies.diagnostics)


def test_missing_config_given_explicitly_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="policy config not found"):
        load_policies(tmp_path / "nope.yaml", tmp_path)


def test_config_is_found_up_to_the_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    config = write(repo / ".edgemodels-policy.yaml", "rules: {P101: off}\n")
    catalogue = repo / "catalogue" / "models"
    catalogue.mkdir(parents=True)
    assert find_config(catalogue) == config.resolve()
    # a config above the repository root does not belong to it
    write(tmp_path / ".edgemodels-policy.yaml", "extends: none\n")
    config.unlink()
    assert find_config(catalogue) is None


TEAM_RULE = """\
apiVersion: edgemodels.io/v1alpha1
kind: PolicySet
metadata: {name: team}
rules:
  - code: P501
    name: no-sktime
    severity: warning
    appliesTo: {catalogue: [model]}
    validations:
      - expression: "object.name != 'sktime'"
"""


def test_overlapping_policy_file_globs_load_each_file_once(tmp_path: Path) -> None:
    write(tmp_path / "policies" / "team.yaml", TEAM_RULE)
    policies = default_policies(
        tmp_path, "policyFiles: [policies/*.yaml, policies/team.yaml, ./policies/team.yaml]\n"
    )
    assert [r.code for r in policies.rules if r.code == "P501"] == ["P501"]


def test_ignore_path_matching_no_file_is_a_warning(tmp_path: Path) -> None:
    write(tmp_path / "catalogue" / "legacy" / "old.yaml", "a: 1\n")
    config = write(
        tmp_path / ".edgemodels-policy.yaml",
        "ignore:\n"
        "  - {rule: P101, paths: ['catalogue/*/old.yaml', 'catalogue/*.yaml']}\n"  # fnmatch: found
        "  - {rule: image-pinned-by-digest, paths: ['catalogue/legacy']}\n",  # a folder, not a file
    )
    policies = load_policies(config, tmp_path)
    got = [(d.line, d.col, d.code, d.severity, d.message) for d in policies.diagnostics]
    assert got == [
        (3, 5, "P006", "warning", f"ignore: 'catalogue/legacy' matches no file (relative to "
         f"{tmp_path.resolve()})")
    ]  # fmt: skip


@pytest.mark.parametrize("pattern", ["catalogue/sktime.yaml", "catalogue/*.yaml"])
def test_per_path_ignore_matches_the_catalogue_file_of_a_manifest_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str
) -> None:
    monkeypatch.chdir(tmp_path)  # the generator names catalogue files relative to here
    write(tmp_path / "catalogue" / "sktime.yaml", "spec:\n  models:\n    - name: sktime\n")
    obj = manifest(
        tmp_path,
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n  annotations:\n"
        "    edgemodels.io/source: 'catalogue/sktime.yaml#models/sktime'\n",
    )
    assert where(check_manifests(default_policies(tmp_path), [obj])) == [(1, 1, "P121")]
    config = f"ignore: [{{rule: P121, paths: ['{pattern}']}}]\n"
    assert check_manifests(default_policies(tmp_path, config), [obj]) == []


@pytest.mark.parametrize("entry", ["P101", "p101", "image-pinned-by-digest"])
def test_a_suppression_names_a_rule_by_code_in_any_case_or_by_name(
    tmp_path: Path, entry: str
) -> None:
    text = (
        HEADER + TARGETS + UNPINNED.replace(":1.4.2\n", f":1.4.2  # edgemodels: ignore[{entry}]\n")
    )
    found = catalogue_findings(tmp_path, text)
    after = suppressed(found, {"catalogue.yaml": tmp_path / "catalogue.yaml"})
    assert where(after, "P101") == [] and where(after, "P001") == []


def test_each_command_reports_the_unused_suppressions_of_its_own_codes(tmp_path: Path) -> None:
    # service-name-invalid and unknown-field name a code of each command (R225 / K328,
    # S001 / K101): neither can tell that the other did not use them.
    entries = (
        "P105, p105, http-model-memory-limit, P121, no-secret-objects, K999, no-such-rule, "
        "service-name-invalid, unknown-field, K328"
    )
    text = HEADER + TARGETS + UNPINNED.replace("wrapper: http\n", f"wrapper: http  # edgemodels: ignore[{entries}]\n")  # fmt: skip
    path = {"catalogue.yaml": tmp_path / "catalogue.yaml"}
    found = catalogue_findings(tmp_path, text)
    policies = default_policies(tmp_path)

    def unused(owned: Callable[[str], bool]) -> list[str]:
        after = suppressed(found, path, owned)
        return [d.message.split()[2] for d in after if d.code == "P001"]

    # check: the catalogue rules by code or name, and what names nothing
    assert unused(check_owns(policies)) == [
        "P105",
        "http-model-memory-limit",
        "no-such-rule",
        "p105",
    ]
    # validate: the manifest rules and K codes
    assert unused(validate_owns(policies)) == ["K328", "K999", "P121", "no-secret-objects"]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            "rules: {image-tag-latest: off}\n",
            "rules: no rule with code or name 'image-tag-latest'; did you mean "
            "'image-tag-not-latest'?",
        ),
        (
            "rules: {P101: of}\n",
            "rules.P101: expected one of off, on, error, warning, info; did you mean 'off'?",
        ),
        (
            "rules: {P101: Warning}\n",
            "rules.P101: expected one of off, on, error, warning, info; did you mean 'warning'?",
        ),
        (
            "ignore:\n  - {rule: p101, paths: ['*.yaml']}\n",
            "ignore: no rule with code or name 'p101'; did you mean 'P101'?",
        ),
    ],
)
def test_a_misspelt_rule_or_severity_gets_a_did_you_mean(
    tmp_path: Path, config: str, expected: str
) -> None:
    path = write(tmp_path / ".edgemodels-policy.yaml", config)
    assert [d.message for d in load_policies(path, tmp_path).diagnostics] == [expected]
