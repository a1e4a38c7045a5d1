"""`edgemodels validate` says the same with its result cache as without it, after any edit.

Validate keeps the results of a model folder (a chart, or a kustomize family `models/<m>`
with base/ and overlays/) and of each hub file in $EDGEMODELS_CACHE_DIR and reuses them
while their inputs are unchanged (validate/resultcache.py). Each step below edits the
generated tree (or what else a run reads: the catalogue its findings point at, the policy
config, the options, PATH) the way people do, then validates it with one cache kept across
the steps and with --no-cache. Exit
code, standard output (text and JSON) and standard error must be the same, and a second
cached run, all from the cache, must say it again.

Standard error is read at the file descriptor: Helm's Go code writes there, not to
sys.stderr. Every step is checked as it comes, so a step that fails names the edit. The runs are in
this process, as in test_resident.py (a process each would triple the time); the cache is
on disk, and one test checks that a new process reads what a run kept. The last test
proves the steps tell a wrong cache: one keyed on the tree's files and the options only,
put in the real one's place, fails the steps it should.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from generate_helpers import REPO, sub_edit

from edgemodels.cli import main
from edgemodels.cli import validate as validate_command
from edgemodels.diagnostics import Diagnostic
from edgemodels.validate.run import ValidateOptions

pytestmark = pytest.mark.slow

TREE = "deploy"
SKTIME = f"{TREE}/models/sktime/chart"
FORECASTER = f"{TREE}/models/forecaster/chart"
SCORER = f"{TREE}/models/anomaly-scorer"
TWIN = f"{TREE}/models/twin-scorer"
SUBSCRIPTION = f"{TREE}/hub/synced/subscriptions/forecaster--paint-shop.yaml"
APPLICATION_SET = f"{TREE}/hub/argocd/synced/applicationsets/forecaster--paint-shop.yaml"

# Beside examples/lrt: a Helm model whose releases differ (packageOverrides on one
# placement) and a kustomize model whose three overlays are byte-identical twins.
EXTRAS = """apiVersion: edgemodels.io/v1alpha1
kind: ModelCatalogue
spec:
  models:
    - name: forecaster
      description: Demand forecaster, its own release per placement
      version: 0.3.0
      wrapper: http
      packaging: helm
      image: registry.gitlab.com/i4q/models/forecaster:0.3.0@sha256:{d1}
      targets: [lrt-non-arm, paint-shop]
      http: {{port: 8080, healthPath: /health}}
      resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{memory: 512Mi}}}}
      overrides:
        paint-shop: {{replicas: 2, env: {{LINE: paint}}}}
    - name: twin-scorer
      description: Scorer with the same overlay on every target
      version: 1.0.0
      wrapper: http
      packaging: kustomize
      image: registry.gitlab.com/i4q/models/twin-scorer:1.0.0@sha256:{d2}
      targets: [lrt-non-arm, paint-shop, lrt]
      http: {{port: 9000, healthPath: /healthz}}
      resources: {{requests: {{cpu: 100m, memory: 128Mi}}, limits: {{memory: 256Mi}}}}
""".format(d1="1" * 64, d2="2" * 64)

CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata: {{a: b}}\n"
LISTING = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
TEAM_RULE = """apiVersion: edgemodels.io/v1alpha1
kind: PolicySet
metadata: {name: team}
rules:
  - code: P501
    name: deployment-has-team-label
    severity: warning
    appliesTo: {manifests: [{apiVersions: [apps/v1], kinds: [Deployment]}]}
    validations:
      - expression: "has(object.metadata.labels) && 'team' in object.metadata.labels"
        message: every Deployment names its team
        fieldPath: .metadata.labels
"""

Edit = Callable[[Path], None]


@dataclass(frozen=True)
class Step:
    """An edit of the work folder (None: none), then validate with these options."""

    name: str
    edit: Edit | None
    code: int  # the exit code every run of the step must give: the edit did what it says
    args: tuple[str, ...] = ()
    folder: str = TREE
    kubectl: bool = True  # False: validate with a PATH without kubectl
    dispatcher: bool = False  # True: kubectl runs the kubectl of KUBECONFIG's cluster
    linked_tmp: bool = False  # True: TMPDIR a link to a folder of another depth


@dataclass(frozen=True)
class Said:
    """What one run of validate said."""

    code: int
    out: str  # the text report
    json: str  # the JSON report of the same run
    err: str


# --- the means of the edits, in the work folder (the catalogue repository) --------------


def _write(rel: str, text: str) -> Edit:
    def edit(work: Path) -> None:
        (work / rel).parent.mkdir(parents=True, exist_ok=True)
        (work / rel).write_text(text)

    return edit


def _remove(rel: str) -> Edit:
    def edit(work: Path) -> None:
        path = work / rel
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()

    return edit


def _rename(old: str, new: str) -> Edit:
    return lambda work: (work / old).rename(work / new)


def _copy(old: str, new: str) -> Edit:
    return lambda work: shutil.copytree(work / old, work / new, symlinks=True)


def _link(rel: str, target: str) -> Edit:
    """`rel` made a symlink to `target` (relative to rel's folder), replacing a file there."""

    def edit(work: Path) -> None:
        (work / rel).unlink(missing_ok=True)
        (work / rel).symlink_to(target)

    return edit


def _both(*edits: Edit) -> Edit:
    def edit(work: Path) -> None:
        for one in edits:
            one(work)

    return edit


# --- charts ---------------------------------------------------------------------------

SERVICE_TEMPLATE = f"{SKTIME}/templates/service.yaml"


def template_breaks(tree: str = TREE) -> Edit:
    """A chart template that no longer parses: a render error from the chart's folder."""
    return sub_edit(f"{tree}/models/sktime/chart/templates/service.yaml", r"4 \}\}", "4 }")


def template_fixed() -> Edit:
    """The template back as generated (A-B-A): the result of the first A is right again,
    not the error kept for B."""
    return sub_edit(SERVICE_TEMPLATE, r"4 \}\n", "4 }}\n")


def template_unknown_field() -> Edit:
    """A misspelt field in a template: a schema finding on the template's line."""
    return sub_edit(SERVICE_TEMPLATE, "protocol: TCP", "protocoll: TCP")


def template_comment_above() -> Edit:
    """A comment-only template change: the same objects, the finding one line down."""
    return sub_edit(SERVICE_TEMPLATE, r"\napiVersion: v1", "\n{{/* note */}}\\g<0>")


def template_field_fixed() -> Edit:
    return sub_edit(SERVICE_TEMPLATE, "protocoll: TCP", "protocol: TCP")


def values_default_breaks_schema() -> Edit:
    """A values.yaml default that values.schema.json refuses: a finding on values.yaml."""
    return sub_edit(f"{SKTIME}/values.yaml", r"\nreplicas: 1\n", "\nreplicas: one\n")


def values_default_changed() -> Edit:
    """values.yaml given another valid value: other objects rendered, no finding."""
    return sub_edit(f"{SKTIME}/values.yaml", r"\nreplicas: one\n", "\nreplicas: 3\n")


def schema_refuses_one_placement() -> Edit:
    """values.schema.json tightened so one placement's values (its overrides, replicas: 2)
    break it and the other placement's (the defaults) do not."""
    return sub_edit(
        f"{FORECASTER}/values.schema.json", r'"minimum": 0\n', '"minimum": 0,\n"maximum": 1\n'
    )


def schema_relaxed() -> Edit:
    return sub_edit(
        f"{FORECASTER}/values.schema.json", r'"minimum": 0,\n"maximum": 1\n', '"minimum": 0\n'
    )


def chart_version(old: str, new: str) -> Edit:
    """Chart.yaml's version changed: the chart's identity, not its templates ("one" is no
    SemVer: Helm refuses to load the chart)."""
    return sub_edit(f"{SKTIME}/Chart.yaml", f"\nversion: {old}\n", f"\nversion: {new}\n")


def templates_moved_out() -> Edit:
    """The chart's templates moved out of the tree, an empty templates/ left."""

    def edit(work: Path) -> None:
        (work / f"{SKTIME}/templates").rename(work / "sktime-templates")
        (work / f"{SKTIME}/templates").mkdir()

    return edit


def chart_template_added() -> Edit:
    """A new template in a chart: one more object, with a finding of its own."""
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndatta: {}\n"
    return _write(f"{SKTIME}/templates/extra.yaml", text)


def chart_template_removed_readme_added() -> Edit:
    """The template removed again, and a file that is no template (a README) added."""
    return _both(_remove(f"{SKTIME}/templates/extra.yaml"), _write(f"{SKTIME}/README.md", "# x\n"))


# --- the values of the releases, from the hub objects ---------------------------------


def overrides_break_values() -> Edit:
    """The hub Subscription's packageOverrides of one placement give a value the chart's
    schema refuses: the chart's folder did not change, the values it renders with did."""
    return sub_edit(SUBSCRIPTION, r"replicas: 2\n", "replicas: two\n")


def release_gone() -> Edit:
    """The Subscription of that placement moved out of the tree: the chart has one release
    less to render, and its finding goes with it."""
    return _rename(SUBSCRIPTION, "subscription.yaml")


def release_back() -> Edit:
    return _rename("subscription.yaml", SUBSCRIPTION)


def overrides_changed() -> Edit:
    """Another valid value in the overrides: other objects rendered, no finding."""
    return sub_edit(SUBSCRIPTION, r"replicas: two\n", "replicas: 3\n")


def values_object_breaks() -> Edit:
    """Argo CD: the ApplicationSet's Helm valuesObject of one placement breaks the chart's
    schema; the chart's folder did not change."""
    return sub_edit(APPLICATION_SET, r"replicas: 2\n", "replicas: two\n")


def values_object_changed() -> Edit:
    return sub_edit(APPLICATION_SET, r"replicas: two\n", "replicas: 3\n")


# --- values that disagree in shape with a chart's defaults: Helm logs a warning (K213) ---


def overrides_give_a_table(values: str = "replicas: 3") -> Edit:
    """The Subscription's packageOverrides give a table where values.yaml has a plain value
    (Helm drops the default, and says so on stderr); the schema refuses it too."""
    return sub_edit(SUBSCRIPTION, f"{values}\n", "replicas: {count: 3}\n")


def overrides_plain_again() -> Edit:
    return sub_edit(SUBSCRIPTION, r"replicas: \{count: 3\}\n", "replicas: 3\n")


def default_plain_where_a_table_is_given() -> Edit:
    """values.yaml's default a plain value where one placement's overrides give a table:
    only the chart's folder changed."""
    return sub_edit(f"{FORECASTER}/values.yaml", r"\nenv: \{\}\n", "\nenv: none\n")


def default_table_again() -> Edit:
    return sub_edit(f"{FORECASTER}/values.yaml", r"\nenv: none\n", "\nenv: {}\n")


def override_null() -> Edit:
    """An override of null removes the key: Helm says nothing."""
    return sub_edit(SUBSCRIPTION, r"env:\n +LINE: paint\n", "env: null\n")


def override_null_gone() -> Edit:
    return sub_edit(SUBSCRIPTION, r"env: null\n", "env:\n          LINE: paint\n")


def chart_file_links(target: str) -> Edit:
    """A file of the chart a symlink (Helm follows it and says so; never cached)."""
    return _link(f"{SKTIME}/templates/NOTES.txt", target)


def values_object_gives_a_table() -> Edit:
    return sub_edit(APPLICATION_SET, r"replicas: 3\n", "replicas: {count: 3}\n")


def values_object_plain_again() -> Edit:
    return sub_edit(APPLICATION_SET, r"replicas: \{count: 3\}\n", "replicas: 3\n")


def source_path_other_chart() -> Edit:
    """Argo CD: the Applications of one placement render the other chart with its values."""
    return sub_edit(APPLICATION_SET, "path: models/forecaster/chart", "path: models/sktime/chart")


# --- kustomize families ---------------------------------------------------------------


def base_unknown_field() -> Edit:
    """A base file of a kustomize family edited: every overlay of the family builds it."""
    return sub_edit(f"{SCORER}/base/service.yaml", "protocol: TCP", "protocoll: TCP")


def base_fixed() -> Edit:
    return sub_edit(f"{SCORER}/base/service.yaml", "protocoll: TCP", "protocol: TCP")


def overlay_patch_breaks() -> Edit:
    """An overlay's JSON patch sets a value of the wrong type: one overlay only."""
    return sub_edit(
        f"{SCORER}/overlays/lrt-non-arm/kustomization.yaml", "value: 2\n", "value: two\n"
    )


def overlay_patch_fixed() -> Edit:
    return sub_edit(
        f"{SCORER}/overlays/lrt-non-arm/kustomization.yaml", "value: two\n", "value: 3\n"
    )


def twin_added() -> Edit:
    """One more overlay, byte-identical to the others: a new twin, built as they are."""
    return _copy(f"{TWIN}/overlays/lrt", f"{TWIN}/overlays/extra-site")


def twin_diverges_and_breaks() -> Edit:
    """One twin edited (a namespace of its own, a base that does not exist): it is no
    longer built as its twins are, and only it fails."""
    return sub_edit(
        f"{TWIN}/overlays/extra-site/kustomization.yaml",
        r"namespace: i4q-lrt\nresources:\n- \.\./\.\./base",
        "namespace: other\nresources:\n- ../../basis",
    )


def twin_again() -> Edit:
    """Back to the bytes of its twins."""
    return sub_edit(
        f"{TWIN}/overlays/extra-site/kustomization.yaml",
        "namespace: other\nresources:\n- ../../basis",
        "namespace: i4q-lrt\nresources:\n- ../../base",
    )


def overlay_removed() -> Edit:
    """An overlay a Subscription names removed: two twins left, and a git-path to nothing."""
    return _remove(f"{TWIN}/overlays/paint-shop")


def overlay_restored() -> Edit:
    return _copy(f"{TWIN}/overlays/lrt", f"{TWIN}/overlays/paint-shop")


def build_breaks() -> Edit:
    """A kustomization kustomize refuses (a resource that does not exist): found by
    bisection among the batched builds."""
    listing = f"{SCORER}/overlays/arm-assembly/kustomization.yaml"
    return sub_edit(listing, r"- \.\./\.\./base\n", "- ../../base\n- missing.yaml\n")


def build_fixed() -> Edit:
    return sub_edit(f"{SCORER}/overlays/arm-assembly/kustomization.yaml", r"- missing\.yaml\n", "")


def overlay_folder_linked() -> Edit:
    """An overlay folder that is a symlink to a twin (a walk that does not follow folder
    links misses its files)."""
    return _link(f"{TWIN}/overlays/linked", "lrt")


def overlay_link_target_edited() -> Edit:
    """The overlay the link leads to edited: the linked overlay changed with it."""
    listing = f"{TWIN}/overlays/lrt/kustomization.yaml"
    return sub_edit(listing, "namespace: i4q-lrt\n", "namespace: i4q-lrt-2\n")


# --- files outside the model folder ---------------------------------------------------

OUTSIDE_LISTING = f"{SCORER}/overlays/arm-assembly/kustomization.yaml"
GENERATOR_LISTING = f"{TWIN}/overlays/lrt-non-arm/kustomization.yaml"
BESIDE = f"{TREE}/models/settings.env"


def outside_resource_added() -> Edit:
    """An overlay lists a kustomization outside the tree: its files are inputs of the
    family's results, though they are not in its folder."""
    return _both(
        _write("shared/extra/kustomization.yaml", f"{LISTING}- configmap.yaml\n"),
        _write("shared/extra/configmap.yaml", CONFIG_MAP.format(name="shared")),
        sub_edit(
            OUTSIDE_LISTING, r"- \.\./\.\./base\n", "- ../../base\n- ../../../../../shared/extra\n"
        ),
    )


def outside_file(old: str, new: str) -> Edit:
    """ONLY the file outside the tree edited: nothing in the tree changed."""
    return sub_edit("shared/extra/configmap.yaml", old, new)


def generator_file_beside() -> Edit:
    """A configMapGenerator whose file is beside the model folders (`../../../x`):
    kustomize's load restrictor refuses it."""
    return _both(
        _write(BESIDE, "LINE=paint\n"),
        sub_edit(
            GENERATOR_LISTING,
            r"- \.\./\.\./base\n",
            "- ../../base\nconfigMapGenerator:\n- name: settings\n  envs:\n  - ../../../settings.env\n",
        ),
    )


def beside_file_edited() -> Edit:
    """ONLY the file beside the model folders edited."""
    return sub_edit(BESIDE, "paint", "assembly")


def outside_references_gone() -> Edit:
    """Every reference out of the model folders removed, and the files with them."""
    return _both(
        sub_edit(GENERATOR_LISTING, r"configMapGenerator:\n(.*\n){3}", ""),
        sub_edit(OUTSIDE_LISTING, r"- \.\./\.\./\.\./\.\./\.\./shared/extra\n", ""),
        _remove(BESIDE),
    )


# --- links, stray manifests, renamed folders ------------------------------------------

LINKED = f"{TWIN}/base/service.yaml"


def link_to_outside() -> Edit:
    """A base file made a symlink to a copy outside the tree: kustomize refuses it."""

    def edit(work: Path) -> None:
        (work / "linked").mkdir()
        (work / "linked/service.yaml").write_text((work / LINKED).read_text())
        _link(LINKED, "../../../../linked/service.yaml")(work)

    return edit


def link_inside_base() -> Edit:
    """The link repointed at a file beside it in base/ (kustomize follows it) with a
    misspelt field: the same link name, other contents."""

    def edit(work: Path) -> None:
        text = (work / "linked/service.yaml").read_text()
        (work / f"{TWIN}/base/real.yaml").write_text(text.replace("protocol:", "protocoll:"))
        _link(LINKED, "real.yaml")(work)

    return edit


def link_target_fixed() -> Edit:
    """ONLY the link's target edited: the link itself did not change."""
    return sub_edit(f"{TWIN}/base/real.yaml", "protocoll:", "protocol:")


def link_target_gone() -> Edit:
    """The link's target removed: a dangling link in a base."""
    return _remove(f"{TWIN}/base/real.yaml")


def link_replaced_by_file() -> Edit:
    def edit(work: Path) -> None:
        (work / LINKED).unlink()
        (work / LINKED).write_text((work / "linked/service.yaml").read_text())

    return edit


def manifest_in_model_folder() -> Edit:
    """A plain manifest dropped in a model folder, beside base/ and overlays/."""
    text = CONFIG_MAP.format(name="notes").replace("\ndata:", "\ndatta:")
    return _write(f"{TWIN}/notes.yaml", text)


def family_renamed() -> Edit:
    """A kustomize family's folder renamed: the same files under another name, and git-paths
    that lead nowhere."""
    return _rename(TWIN, f"{TWIN}-b")


# --- what a finding says of the catalogue, policies, options ---------------------------

SCORER_ENTRY = "cat/models/anomaly-scorer.yaml"
ROOT_ALLOWED = ("runAsNonRoot: true", "runAsNonRoot: false")


def runs_as_root(allowed: bool = True) -> Edit:
    """A policy finding (P124) on a base object, shown with the catalogue line it came
    from (False: fixed)."""
    old, new = ROOT_ALLOWED if allowed else ROOT_ALLOWED[::-1]
    return sub_edit(f"{SCORER}/base/deployment.yaml", old, new)


def catalogue_lines_shift() -> Edit:
    """Only the catalogue file changed (a line above the entry): the tree did not, the
    catalogue line the finding shows did."""
    return sub_edit(SCORER_ENTRY, r"^", "# the scorer of the assembly lines\n")


def finding_suppressed() -> Edit:
    """The finding suppressed on the catalogue entry's line: only the catalogue changed."""
    suppressed = "- name: anomaly-scorer  # edgemodels: ignore[P124]\n"
    return sub_edit(SCORER_ENTRY, r"- name: anomaly-scorer\n", suppressed)


def suppression_removed() -> Edit:
    return sub_edit(SCORER_ENTRY, "  # edgemodels: ignore\\[P124\\]", "")


def policy_config(text: str) -> Edit:
    """The policy config (found from the tree up to the repository root) written: nothing
    in the tree changed."""
    return _write(".edgemodels-policy.yaml", text)


def policy_file_added() -> Edit:
    """A policy file of the team's, listed by the config, and P124 turned off."""
    return _both(
        _write("policies/team.yaml", TEAM_RULE),
        policy_config("policyFiles: [policies/*.yaml]\nrules: {P124: off}\n"),
    )


def policy_file_edited() -> Edit:
    """ONLY the policy file edited (its severity): the config did not change."""
    return sub_edit("policies/team.yaml", "severity: warning", "severity: error")


def policy_config_removed() -> Edit:
    return _both(_remove(".edgemodels-policy.yaml"), _remove("policies"))


# --- the same bytes, other paths, other tools ------------------------------------------


def touched() -> Edit:
    """Every file of the tree given a new mtime, and a few written again with the same
    bytes (an editor's save): nothing to find anew."""

    def edit(work: Path) -> None:
        later = time.time() + 5
        for path in (work / TREE).rglob("*"):
            if path.is_file() and not path.is_symlink():
                os.utime(path, (later, later))
        for rel in (f"{SKTIME}/values.yaml", f"{SCORER}/base/deployment.yaml", SUBSCRIPTION):
            (work / rel).write_bytes((work / rel).read_bytes())

    return edit


def same_size_and_mtime(old: str, new: str) -> Edit:
    """Other bytes of the same length, the file's mtime put back (as a copy that keeps
    times leaves it): only the contents tell the change."""
    assert len(old) == len(new)
    rel = f"{TWIN}/base/service.yaml"

    def edit(work: Path) -> None:
        before = (work / rel).stat()
        sub_edit(rel, old, new)(work)
        os.utime(work / rel, ns=(before.st_atime_ns, before.st_mtime_ns))

    return edit


def tree_copied() -> Edit:
    """The whole tree copied to another path (a second checkout): same files, other paths."""
    return _copy(TREE, "elsewhere/deploy")


def tree_swapped_with_copy() -> Edit:
    """The tree replaced by its (edited) copy: the same path, other files."""
    return _both(_rename(TREE, "old-deploy"), _rename("elsewhere/deploy", TREE))


def tree_swapped_back() -> Edit:
    return _both(_rename(TREE, "elsewhere/deploy"), _rename("old-deploy", TREE))


NO_STRICT = ("--no-strict",)
K129 = ("--kubernetes-version", "1.29")

# The edits in the order a session of work might go: cumulative, each broken thing fixed
# before long. (name, edit, exit code, options)
STEPS: list[Step] = [
    Step("template breaks", template_breaks(), 1),
    Step("template fixed", template_fixed(), 0),
    Step("template unknown field", template_unknown_field(), 1),
    Step("template comment moves the finding", template_comment_above(), 1),
    Step(
        "template fixed, values.yaml breaks the schema",
        _both(template_field_fixed(), values_default_breaks_schema()),
        1,
    ),
    Step("values.yaml changed", values_default_changed(), 0),
    Step("schema refuses one placement", schema_refuses_one_placement(), 1),
    Step("schema relaxed", schema_relaxed(), 0),
    Step("Chart.yaml version bumped", chart_version("1.4.2", "1.4.3"), 0),
    Step("Chart.yaml version invalid", chart_version("1.4.3", "one"), 1),
    Step("Chart.yaml version back", chart_version("one", "1.4.2"), 0),
    Step("templates moved out, templates/ empty", templates_moved_out(), 1),
    # Helm's lint warns of a chart without templates/, not of an empty one
    Step("the empty templates/ removed", _remove(f"{SKTIME}/templates"), 1),
    Step("the templates back", _rename("sktime-templates", f"{SKTIME}/templates"), 0),
    Step("template added", chart_template_added(), 1),
    Step("template removed, a README added", chart_template_removed_readme_added(), 0),
    Step("packageOverrides break the values", overrides_break_values(), 1),
    Step("that Subscription gone", release_gone(), 1),
    Step("that Subscription back", release_back(), 1),
    Step("packageOverrides changed", overrides_changed(), 0),
    Step("packageOverrides give a table for a plain default", overrides_give_a_table(), 1),
    Step("that override plain again", overrides_plain_again(), 0),
    Step(
        "values.yaml plain where overrides give a table", default_plain_where_a_table_is_given(), 1
    ),
    Step("values.yaml a table again", default_table_again(), 0),
    Step("an override null: the key gone, no warning", override_null(), 1),
    Step("the override back", override_null_gone(), 0),
    Step("a chart file a link inside the chart", chart_file_links("../Chart.yaml"), 0),
    Step(
        "the link leads out of the tree",
        _both(_write("outside.txt", "notes\n"), chart_file_links("../../../../../outside.txt")),
        0,
    ),
    Step("the link gone", _remove(f"{SKTIME}/templates/NOTES.txt"), 0),
    Step("base edited", base_unknown_field(), 1),
    Step("base fixed", base_fixed(), 0),
    Step("overlay patch breaks", overlay_patch_breaks(), 1),
    Step("overlay patch fixed", overlay_patch_fixed(), 0),
    Step("overlay added, a twin", twin_added(), 0),
    Step("twin diverges and breaks", twin_diverges_and_breaks(), 1),
    Step("twin again", twin_again(), 0),
    Step("overlay removed", overlay_removed(), 1),
    Step("overlay restored", overlay_restored(), 0),
    Step("build breaks", build_breaks(), 1),
    Step("build fixed", build_fixed(), 0),
    # K211: kustomize reads the outside folder here, RHACM's clone lacks it (an error)
    Step("overlay lists a folder outside the tree", outside_resource_added(), 1),
    Step("only the outside file breaks", outside_file("\ndata:", "\ndataa:"), 1),
    Step("only the outside file fixed", outside_file("\ndataa:", "\ndata:"), 1),
    Step("generator reads a file beside the model folders", generator_file_beside(), 1),
    Step("only that file edited", beside_file_edited(), 1),
    Step("references out of the model folders gone", outside_references_gone(), 0),
    Step("base file a link out of the tree", link_to_outside(), 1),
    Step("link repointed inside base/", link_inside_base(), 1),
    Step("only the link's target fixed", link_target_fixed(), 0),
    Step("link's target gone", link_target_gone(), 1),
    Step("link replaced by a file", link_replaced_by_file(), 0),
    Step("overlay folder a link to a twin", overlay_folder_linked(), 0),
    Step("the twin it leads to edited", overlay_link_target_edited(), 0),
    Step("manifest dropped in a model folder", manifest_in_model_folder(), 1),
    Step("that manifest removed", _remove(f"{TWIN}/notes.yaml"), 0),
    Step("family folder renamed", family_renamed(), 1),
    Step("family folder back", _rename(f"{TWIN}-b", TWIN), 0),
    Step("finding from a catalogue entry", runs_as_root(), 1),
    Step("catalogue lines shift", catalogue_lines_shift(), 1),
    Step("finding suppressed in the catalogue", finding_suppressed(), 0),
    Step("suppression unused (P001)", runs_as_root(False), 0),
    Step("suppression removed, finding back", _both(suppression_removed(), runs_as_root()), 1),
    Step("policy rule a warning", policy_config("rules: {P124: warning}\n"), 0),
    Step("policy file added, the rule off", policy_file_added(), 0),
    Step("only the policy file edited", policy_file_edited(), 1),
    Step("policy config removed", policy_config_removed(), 1),
    Step("--no-policies", None, 0, ("--no-policies",)),
    Step(
        "unknown fields, root fixed",
        _both(template_unknown_field(), base_unknown_field(), runs_as_root(False)),
        1,
    ),
    Step("--no-strict", None, 0, NO_STRICT),
    Step("--kubernetes-version 1.29", None, 1, K129),
    Step("--kubernetes-version 1.29 --no-strict", None, 0, (*K129, *NO_STRICT)),
    Step("--skip-kind Service", None, 0, ("--skip-kind", "Service")),
    Step("unknown fields fixed", _both(template_field_fixed(), base_fixed()), 0),
    Step("mtime only", touched(), 0),
    Step("same size and mtime, a field misspelt", same_size_and_mtime("- name:", "- namx:"), 1),
    Step("same size and mtime, fixed", same_size_and_mtime("- namx:", "- name:"), 0),
    Step("tree copied", tree_copied(), 0, folder="elsewhere/deploy"),
    Step("the copy edited", template_breaks("elsewhere/deploy"), 1, folder="elsewhere/deploy"),
    Step("the tree replaced by the copy", tree_swapped_with_copy(), 1),
    Step("swapped back", tree_swapped_back(), 0),
    Step("TMPDIR a link deeper down, a base edited", base_unknown_field(), 1, linked_tmp=True),
    Step("TMPDIR a link deeper down, the base fixed", base_fixed(), 0, linked_tmp=True),
    Step("kubectl a dispatcher", _write("kubeconfig", "cluster: new\n"), 0, dispatcher=True),
    Step("its cluster older", _write("kubeconfig", "cluster: old\n"), 1, dispatcher=True),
    Step("its cluster newer again", _write("kubeconfig", "cluster: new\n"), 0, dispatcher=True),
    Step("kubectl gone, a build broken", build_breaks(), 0, kubectl=False),
    Step("kubectl back", None, 1),
    Step("--require-all without kubectl", None, 2, ("--require-all",), kubectl=False),
    Step("build fixed", build_fixed(), 0),
]

ARGOCD_STEPS: list[Step] = [
    Step("template breaks", template_breaks(), 1),
    Step("template fixed", template_fixed(), 0),
    Step("valuesObject breaks the values", values_object_breaks(), 1),
    Step("valuesObject changed", values_object_changed(), 0),
    Step("valuesObject gives a table for a plain default", values_object_gives_a_table(), 1),
    Step("valuesObject plain again", values_object_plain_again(), 0),
    Step("schema refuses one placement", schema_refuses_one_placement(), 1),
    Step(
        "source path the other chart, schema relaxed",
        _both(source_path_other_chart(), schema_relaxed()),
        0,
    ),
    Step("overlay patch breaks", overlay_patch_breaks(), 1),
    Step("--no-strict", None, 1, NO_STRICT),
    Step("overlay added, a twin, patch fixed", _both(twin_added(), overlay_patch_fixed()), 0),
]

# --- the harness ------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    """The folders of one test."""

    root: Path  # a catalogue repository: cat/, the tree in deploy/, .git
    cache: Path  # the one cache folder of the cached runs, kept across the steps
    schemas: Path  # the session's schema folders, linked into each fresh cache folder
    scratch: Path  # reports and fresh cache folders, outside the repository
    no_kubectl: str  # a PATH without kubectl
    dispatcher: str  # a PATH whose kubectl is DISPATCHER
    linked_tmp: Path  # a link to a folder deeper down (macOS's TMPDIR: /var -> /private/var)


SCHEMA_FOLDERS = ("k8s", "crds")  # k8s_schemas.standalone_root, crd_schemas.kubeconform_location


@pytest.fixture(scope="session")
def schemas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Kubernetes and CRD schema folders made once for every run that starts with no cache
    (building them costs seconds; they are not results)."""
    root = tmp_path_factory.mktemp("schemas")
    for name in SCHEMA_FOLDERS:
        (root / name).mkdir()
    return root


def _path_without(tool: str, scratch: Path) -> str:
    """PATH with every folder that holds `tool` replaced by a folder of links to the rest."""
    folders = []
    for number, folder in enumerate(os.environ["PATH"].split(os.pathsep)):
        if not (Path(folder) / tool).exists():
            folders.append(folder)
            continue
        copy = scratch / f"bin-{number}"
        copy.mkdir(parents=True)
        for entry in Path(folder).iterdir():
            if entry.name != tool:
                (copy / entry.name).symlink_to(entry)
        folders.append(str(copy))
    return os.pathsep.join(folders)


def _make_work(base: Path, schemas: Path, settings_edit: Callable[[str], str]) -> Work:
    """examples/lrt and EXTRAS in cat/, its settings file edited, generated in deploy/."""
    root = base / "repo"
    shutil.copytree(REPO / "examples" / "lrt", root / "cat")
    (root / "cat" / "models" / "extras.yaml").write_text(EXTRAS)
    settings = root / "cat" / "catalogue.yaml"
    settings.write_text(settings_edit(settings.read_text()))
    subprocess.run(["git", "init", "-q", str(root)], check=True)  # where the policy search stops
    with contextlib.chdir(root):
        assert main(["generate", "cat", "-o", TREE]) == 0
    scratch = base / "scratch"
    scratch.mkdir()
    cache = _cache_folder(base / "cache", schemas)
    no_kubectl = _path_without("kubectl", scratch)
    (scratch / "deeper" / "tmp").mkdir(parents=True)
    (scratch / "tmp").symlink_to(scratch / "deeper" / "tmp", target_is_directory=True)
    return Work(root, cache, schemas, scratch, no_kubectl, _dispatcher(scratch), scratch / "tmp")


# kubectl as gcloud's dispatcher runs it: the kubectl of the version of the cluster that
# KUBECONFIG names (asdf's and mise's shims pick one by a file in the working folder). The
# kubectl of an "old" cluster here builds every Service with a field misspelt.
DISPATCHER = """#!/bin/sh
if grep -q old "$KUBECONFIG" 2>/dev/null; then
  if [ "$1" = version ]; then echo '{"clientVersion": {"gitVersion": "v1.27.16"}}'; exit 0; fi
  out=$(env -u KUBECONFIG {real} "$@") || exit $?
  printf '%s\\n' "$out" | sed 's/protocol: TCP/protocoll: TCP/'
  exit 0
fi
exec env -u KUBECONFIG {real} "$@"
"""


def _dispatcher(scratch: Path) -> str:
    """PATH with a folder holding DISPATCHER as kubectl first."""
    real = shutil.which("kubectl")
    assert real is not None
    folder = scratch / "dispatcher"
    folder.mkdir()
    (folder / "kubectl").write_text(DISPATCHER.replace("{real}", real))
    (folder / "kubectl").chmod(0o755)
    return os.pathsep.join([str(folder), os.environ["PATH"]])


def _cache_folder(folder: Path, schemas: Path) -> Path:
    """A cache folder with nothing in it but the session's schemas."""
    folder.mkdir()
    for name in SCHEMA_FOLDERS:
        (folder / name).symlink_to(schemas / name, target_is_directory=True)
    return folder


@contextlib.contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _tmpdir_read_again() -> Iterator[None]:
    """tempfile reads TMPDIR once a process: here once a run, as a process of its own."""
    tempfile.tempdir = None
    try:
        yield
    finally:
        tempfile.tempdir = None


_reports = itertools.count()


def _args(step: Step, report: Path) -> list[str]:
    """validate's arguments: the text report on stdout, the JSON report in a file (one run
    gives both)."""
    return ["validate", step.folder, *step.args, "--format", "json", "--output", str(report)]


def _validate(work: Work, step: Step, cache: Path) -> Said:
    """`edgemodels validate` of the step's folder with this cache folder."""
    report = work.scratch / f"report-{next(_reports)}.json"
    out, err = io.StringIO(), io.StringIO()
    path = os.environ["PATH"] if step.kubectl else work.no_kubectl
    env = {"EDGEMODELS_CACHE_DIR": str(cache), "PATH": path}
    if step.dispatcher:
        env.update(PATH=work.dispatcher, KUBECONFIG=str(work.root / "kubeconfig"))
    if step.linked_tmp:
        env.update(TMPDIR=str(work.linked_tmp))
    args = _args(step, report)
    with (
        _environment(**env),
        _tmpdir_read_again(),
        contextlib.chdir(work.root),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        _fd2_to(work.scratch / f"fd2-{next(_reports)}") as fd2,
    ):
        code = main(args)
    json_report = report.read_text() if report.exists() else ""  # exit 2 writes none
    return Said(code, out.getvalue(), json_report, err.getvalue() + fd2.read_text())


@contextlib.contextmanager
def _fd2_to(path: Path) -> Iterator[Path]:
    """File descriptor 2 (where Go's log writes) into `path` meanwhile."""
    with path.open("wb") as file:
        saved = os.dup(2)
        os.dup2(file.fileno(), 2)
        try:
            yield path
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _cached(work: Work, step: Step) -> Said:
    """A run with the cache kept across the steps."""
    return _validate(work, step, work.cache)


def _uncached(work: Work, step: Step) -> Said:
    """A run that neither reads nor writes the result cache (--no-cache)."""
    return _validate(work, replace(step, args=(*step.args, "--no-cache")), work.cache)


def _check(work: Work, step: Step) -> None:
    """The step's cached run, the uncached run and the cached run again (all from the
    cache now) agree. The cached runs come right after the edit and right before the next
    one: a change within the file system's time granularity of a kept result."""
    warm = _cached(work, step)
    cold = _uncached(work, step)
    assert cold.code == step.code, f"{step.name}: {cold.out}{cold.err}"
    assert cold.code == 2 or json.loads(cold.json)["summary"], step.name  # both reports made
    assert warm == cold, step.name
    assert _cached(work, step) == cold, f"{step.name}, again"


def _only_schemas(schemas: Path) -> None:
    """Nothing but schemas went through the links into the session's schema folders (a
    result kept there would make the uncached runs cached)."""
    kept = {p.relative_to(schemas).parts[:3] for p in schemas.rglob("*")}
    for parts in kept:
        assert parts[0] in SCHEMA_FOLDERS, parts
        if parts[0] == "k8s" and len(parts) == 3:
            assert parts[1].startswith("kubernetes-validate-"), parts
            assert re.fullmatch(r"v[0-9.]+-standalone(-strict)?|\.building-.*", parts[2]), parts


def _argocd(settings: str) -> str:
    assert "    placementKind: Placement\n" in settings
    return settings.replace("    placementKind:", "    delivery: argocd\n    placementKind:", 1)


def _run_steps(work: Work, steps: list[Step]) -> None:
    _check(work, Step("first run", None, 0))
    for step in steps:
        if step.edit is not None:
            step.edit(work.root)
        _check(work, step)
    _only_schemas(work.schemas)


@pytest.fixture(autouse=True)
def _no_kubeconform(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EDGEMODELS_KUBECONFORM", raising=False)


def test_every_step_as_without_the_cache(tmp_path: Path, schemas: Path) -> None:
    _run_steps(_make_work(tmp_path, schemas, lambda text: text), STEPS)


def test_every_argocd_step_as_without_the_cache(tmp_path: Path, schemas: Path) -> None:
    _run_steps(_make_work(tmp_path, schemas, _argocd), ARGOCD_STEPS)


def test_a_new_process_reads_what_a_run_kept(tmp_path: Path, schemas: Path) -> None:
    """The cache is for the next process: one started anew says what a run without the
    cache says, after an edit a run of this process has kept the results of."""
    work = _make_work(tmp_path, schemas, lambda text: text)
    for step in (Step("first run", None, 0), Step("a broken base", base_unknown_field(), 1)):
        if step.edit is not None:
            step.edit(work.root)
        _cached(work, step)
        said = _in_a_process(work, step)
        assert said == _uncached(work, step), step.name
        assert said.code == step.code


def _in_a_process(work: Work, step: Step, **env: str) -> Said:
    """`edgemodels validate` of the step's folder in a process of its own, with `env`."""
    report = work.scratch / f"process-{next(_reports)}.json"
    done = subprocess.run(
        [sys.executable, "-m", "edgemodels", *_args(step, report)],
        cwd=work.root,
        env={**os.environ, "EDGEMODELS_CACHE_DIR": str(work.cache), **env},
        capture_output=True,
        encoding="utf-8",
        errors="replace",
        check=False,
    )
    json_report = report.read_text(encoding="utf-8") if report.exists() else ""
    return Said(done.returncode, done.stdout, json_report, done.stderr)


# Python's own locale coercion off: the locale's encoding is ASCII.
ASCII_LOCALE = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def test_a_run_in_an_ascii_locale_says_the_same(tmp_path: Path, schemas: Path) -> None:
    """kubectl writes UTF-8 whatever the locale: a kustomize model with a value that is
    not ASCII, found by a run in a UTF-8 locale, is what a run in an ASCII one finds (which
    keeps results of its own: file names are other strings there, resultstore.py)."""
    work = _make_work(tmp_path, schemas, lambda text: text)
    label = sub_edit(
        f"{SCORER}/base/deployment.yaml", r"\n  labels:\n", "\n  labels:\n    note: café\n"
    )
    step = Step("a label value that is not ASCII", label, 1)
    label(work.root)
    _cached(work, step)
    _cached(work, step)  # kept now: the edit is older than this run
    said = _in_a_process(work, step, **ASCII_LOCALE)
    assert said == _in_a_process(work, replace(step, args=("--no-cache",)), **ASCII_LOCALE)
    assert said.code == step.code, said.out + said.err
    assert "'café'" in said.out


def _key_of_tree_and_options(folder: Path, options: ValidateOptions) -> str:
    """The files under the tree (links followed as `open` does) and the options: what a
    cache that looks at nothing else would key on."""
    settings = (options.kubernetes_version, options.strict, options.skip_kinds, options.policies)
    key = hashlib.sha256(repr(settings).encode())
    for path in sorted(folder.rglob("*")):
        if path.is_file() and ".edgemodels" not in path.relative_to(folder).parts[:-1]:
            key.update(f"{path.relative_to(folder)}\0".encode() + path.read_bytes())
    return key.hexdigest()


# A cache keyed by the tree's files and the options only: each step marked True is one it
# gets wrong (an input outside the tree or a tool changed), the others it gets right.
NAIVE_STEPS = [
    (Step("overlay lists a folder outside the tree", outside_resource_added(), 1), False),
    (Step("only the outside file breaks", outside_file("\ndata:", "\ndataa:"), 1), True),
    (Step("finding from a catalogue entry", runs_as_root(), 1), False),
    (Step("catalogue lines shift", catalogue_lines_shift(), 1), True),
    (Step("policy rule a warning", policy_config("rules: {P124: warning}\n"), 0), True),
    (Step("kubectl gone", None, 0, kubectl=False), True),
]


def test_the_steps_find_a_cache_that_misses_inputs(
    tmp_path: Path, schemas: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache that keys on too little (the tree's files and the options), in the real
    cache's place, fails the steps marked True and passes the others: the harness tells a
    wrong cache from a right one."""
    real = validate_command.validate_tree

    def naive(folder: Path, options: ValidateOptions) -> list[Diagnostic]:
        if not options.result_cache:  # --no-cache: the run to compare with
            return list(real(folder, options))
        kept = Path(os.environ["EDGEMODELS_CACHE_DIR"]) / "naive"
        kept.mkdir(exist_ok=True)
        entry = kept / _key_of_tree_and_options(folder, options)
        if not entry.exists():
            entry.write_bytes(pickle.dumps(list(real(folder, options))))
        found: list[Diagnostic] = pickle.loads(entry.read_bytes())
        return found

    monkeypatch.setattr(validate_command, "validate_tree", naive)
    work = _make_work(tmp_path, schemas, lambda text: text)
    _check(work, Step("first run", None, 0))
    for step, missed in NAIVE_STEPS:
        if step.edit is not None:
            step.edit(work.root)
        if missed:
            with pytest.raises(AssertionError, match=re.escape(step.name)):
                _check(work, step)
        else:
            _check(work, step)
