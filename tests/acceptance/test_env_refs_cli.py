"""Env vars read from a Secret's or ConfigMap's key on the site, through the installed
`edgemodels`: check takes them, generate writes only the object's name and key, validate
(Helm's render of each placement's values, kustomize's build, the Kubernetes schemas)
passes the result, and plan names the placement whose variable changed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from installed import EXAMPLES, edit, run

EDITS = [
    (  # Helm packaging: a Secret's key in the model, a target turning a plain value into one
        "models/sktime.yaml",
        "      resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {memory: 1Gi}}\n",
        "      resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {memory: 1Gi}}\n"
        "      envFrom: [{secretRef: {name: sktime-settings}}]\n"
        "      env:\n"
        "        LOG_LEVEL: info\n"
        "        DB_PASSWORD: {secretKeyRef: {name: sktime-db, key: password}}\n",
    ),
    (
        "catalogue.yaml",
        "      description: Every site of the LRT line\n      matchLabels: {env: lrt}\n",
        "      description: Every site of the LRT line\n      matchLabels: {env: lrt}\n"
        "      overrides:\n"
        "        env: {LOG_LEVEL: {configMapKeyRef: {name: lrt-logging, key: level,"
        " optional: true}}}\n",
    ),
    (  # Kustomize packaging: a reference in one target's overrides only
        "models/anomaly-scorer.yaml",
        "lrt-non-arm: {replicas: 2}",
        "lrt-non-arm: {replicas: 2, env: {API_TOKEN: {secretKeyRef: {name: scorer, key: t}}}}",
    ),
]


@pytest.fixture
def with_refs(tmp_path: Path) -> Path:
    shutil.copytree(EXAMPLES / "lrt", tmp_path / "catalogue")
    shutil.copy(EXAMPLES / "sites.yaml", tmp_path / "sites.yaml")
    for name, old, new in EDITS:
        edit(tmp_path / "catalogue" / name, old, new)
    return tmp_path


def test_check_generate_validate_pass_and_the_tree_names_only_the_objects(
    with_refs: Path,
) -> None:
    checked = run("check", "catalogue", cwd=with_refs)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    generated = run("generate", "catalogue", "-o", "out", cwd=with_refs)
    assert generated.returncode == 0, generated.stdout + generated.stderr
    validated = run("validate", "out", cwd=with_refs)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "no findings" in validated.stdout
    out = with_refs / "out"
    subscription = (out / "hub/synced/subscriptions/sktime--lrt.yaml").read_text()
    assert "name: lrt-logging" in subscription and "kind: ConfigMap" in subscription
    overlay = (out / "models/anomaly-scorer/overlays/lrt-non-arm/kustomization.yaml").read_text()
    assert "secretKeyRef:" in overlay and "name: scorer" in overlay
    assert "secretKeyRef" not in (out / "models/anomaly-scorer/base/deployment.yaml").read_text()
    assert (
        "envFrom:\n- secretRef:\n    name: sktime-settings\n"
        in (out / "models/sktime/chart/values.yaml").read_text()
    )


def test_a_reference_validate_cannot_render_is_a_finding(with_refs: Path) -> None:
    """The chart's values schema holds what a placement may set: a hand edit that sets a
    field it does not know is refused by Helm, through validate, at the Subscription."""
    assert run("generate", "catalogue", "-o", "out", cwd=with_refs).returncode == 0
    path = with_refs / "out/hub/synced/subscriptions/sktime--lrt.yaml"
    edit(path, "optional: true", "optional: true\n            extra: 1")
    validated = run("validate", "out", "--format", "json", cwd=with_refs)
    assert validated.returncode == 1, validated.stdout + validated.stderr
    assert "extra" in validated.stdout


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_plan_says_the_env_changed_on_the_sites_of_the_placement(with_refs: Path) -> None:
    git("init", "-q", "-b", "main", cwd=with_refs)
    git("add", "catalogue", "sites.yaml", cwd=with_refs)
    git("commit", "-qm", "catalogue", cwd=with_refs)
    # The ConfigMap's key renamed, and no longer optional: a change of the pods, same version.
    edit(with_refs / "catalogue/catalogue.yaml", "key: level, optional: true", "key: log-level")
    planned = run(
        "plan",
        "-i",
        "sites.yaml",
        "catalogue",
        "--base",
        "HEAD",
        "--format",
        "json",
        cwd=with_refs,
    )
    assert planned.returncode == 0, planned.stdout + planned.stderr
    changes = [
        (site["name"], change["model"], change["settings"])
        for site in json.loads(planned.stdout)["sites"]
        for change in site.get("changes", [])
    ]
    assert changes and all(c[1:] == ("sktime", ["env"]) for c in changes), changes
    # The key is new, and no longer optional: whoever makes the objects learns where.
    needed = [f for f in json.loads(planned.stdout)["findings"] if f["code"] == "D138"]
    assert [(f["severity"], sorted(f["sites"])) for f in needed] == [
        ("warning", sorted(c[0] for c in changes))
    ]
    assert "ConfigMap lrt-logging (key log-level)" in needed[0]["message"]
    # At the variable in the target's overrides that names it, not at the model.
    assert (needed[0]["path"], needed[0]["line"]) == (
        "catalogue/catalogue.yaml",
        line_of(with_refs / "catalogue/catalogue.yaml", "key: log-level"),
    )


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_d138_stands_at_the_variable_that_names_the_object(with_refs: Path) -> None:
    git("init", "-q", "-b", "main", cwd=with_refs)
    git("add", "catalogue", "sites.yaml", cwd=with_refs)
    git("commit", "-qm", "catalogue", cwd=with_refs)
    scorer, sktime = (
        with_refs / "catalogue/models/anomaly-scorer.yaml",
        with_refs / "catalogue/models/sktime.yaml",
    )
    edit(scorer, "key: t}", "key: t2}")  # a model's overrides for one target
    edit(sktime, "key: password}", "key: pw}")  # the model's own env
    edit(sktime, "name: sktime-settings", "name: sktime-conf")  # envFrom
    planned = run("plan", "catalogue", "--base", "HEAD", "--format", "json", cwd=with_refs)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    needed = {
        (f["path"], f["line"])
        for f in json.loads(planned.stdout)["findings"]
        if f["code"] == "D138"
    }
    assert needed == {
        ("catalogue/models/anomaly-scorer.yaml", line_of(scorer, "key: t2}")),
        ("catalogue/models/sktime.yaml", line_of(sktime, "key: pw}")),
        ("catalogue/models/sktime.yaml", line_of(sktime, "sktime-conf")),
    }


def test_plan_names_no_object_the_sites_already_read(with_refs: Path) -> None:
    git("init", "-q", "-b", "main", cwd=with_refs)
    git("add", "catalogue", "sites.yaml", cwd=with_refs)
    git("commit", "-qm", "catalogue", cwd=with_refs)
    edit(with_refs / "catalogue/models/sktime.yaml", "version: 1.4.2", "version: 1.4.3")
    planned = run("plan", "catalogue", "--base", "HEAD", "--format", "json", cwd=with_refs)
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert json.loads(planned.stdout)["summary"]["changes"]["upgraded"] > 0
    assert not [f for f in json.loads(planned.stdout)["findings"] if f["code"] == "D138"]


def test_publish_takes_the_tree_and_its_readmes_name_the_objects(with_refs: Path) -> None:
    """The READMEs say where each variable comes from; the credential scan of what a
    commit stores read `DB_PASSWORD=<Secret ...>` there as a literal password, and refused
    to publish any catalogue with a reference."""
    git("init", "-q", "--bare", "deploy.git", cwd=with_refs)
    git("init", "-q", "-b", "main", cwd=with_refs)
    git("add", "catalogue", cwd=with_refs)
    git("commit", "-qm", "catalogue", cwd=with_refs)
    published = run(
        "publish",
        "catalogue",
        "--repo",
        with_refs / "deploy.git",
        "--create-branch",
        cwd=with_refs,
    )
    assert published.returncode == 0, published.stdout + published.stderr
    show = subprocess.run(
        ["git", "show", "acm-dev:models/sktime/README.md"],
        cwd=with_refs / "deploy.git",
        capture_output=True,
        text=True,
        check=True,
    )
    assert (
        "env DB_PASSWORD from Secret sktime-db key password,"
        " LOG_LEVEL from ConfigMap lrt-logging key level (optional)"
    ) in show.stdout
    assert (
        "- Reads on each site, in namespace `i4q-lrt`: ConfigMap `lrt-logging` key `level`"
        " (optional), Secret `sktime-db` key `password`, Secret `sktime-settings`, every key."
        " Make them there"
    ) in show.stdout
