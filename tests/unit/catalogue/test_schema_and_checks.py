"""Each catalogue check: an inline catalogue and the expected (line, col, code)."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgemodels.catalogue import load, suppressions_of

from .helpers import BASE, findings, messages


def test_base_catalogue_is_clean(tmp_path: Path) -> None:
    assert findings(tmp_path, BASE) == []


def sub(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


SECOND_MODEL = """\
    - name: ranker
      version: 1.0.0
      wrapper: http
      image: registry.gitlab.com/i4q/lrt/ranker:1.0.0
      targets: [lrt]
      http: {port: 8080, healthPath: /health, ingressPath: /rank}
"""


CASES = {
    # schema
    "unknown field with hint": (  # not also S002 'wrapper' missing: it is the misspelt key
        sub("      wrapper: http\n", "      wraper: http\n"),
        [(20, 7, "S001")],
    ),
    "a missing field is reported when the unknown one is another": (
        sub("      wrapper: http\n", "      colour: http\n"),
        [(18, 7, "S002"), (20, 7, "S001")],
    ),
    "wrong type": (sub("port: 8080", "port: eighty"), [(23, 20, "S003")]),
    "number where text is needed": (sub("version: 1.4.2", "version: 1.10"), [(19, 16, "S003")]),
    "enum": (sub("wrapper: http", "wrapper: rest"), [(20, 16, "S004")]),
    "pattern": (sub("  name: lrt", "  name: LRT"), [(4, 9, "S004")]),
    "wrong apiVersion": (sub("edgemodels.io/v1alpha1", "edgemodels.io/v1"), [(1, 13, "S004")]),
    "missing required in a list item": (
        sub("      image: registry.gitlab.com/i4q/lrt/sktime:1.4.2\n", ""),
        [(18, 7, "S002")],
    ),
    "runAsUser is not root": (
        sub("ingressPath: /api}", "ingressPath: /api, runAsUser: 0}"),
        [(23, 77, "S004")],
    ),
    "runAsUser is a number, not a name": (
        sub("ingressPath: /api}", "ingressPath: /api, runAsUser: appuser}"),
        [(23, 77, "S003")],
    ),
    "runAsUser is a number, not a quoted one": (
        sub("ingressPath: /api}", "ingressPath: /api, runAsUser: '10001'}"),
        [(23, 77, "S003")],
    ),
    "runAsUser above the largest UID": (
        sub("ingressPath: /api}", "ingressPath: /api, runAsUser: 2147483648}"),
        [(23, 77, "S004")],
    ),
    "runAsUser a UID": (sub("ingressPath: /api}", "ingressPath: /api, runAsUser: 10001}"), []),
    "unknown field inside a flow mapping": (
        sub("healthPath: /health", "helthPath: /health"),
        [(23, 26, "S001")],
    ),
    # Kubernetes before 1.34 refuses any other name; the pod would never start on the site
    "env var name starting with a digit": (
        sub("ingressPath: /api}\n", "ingressPath: /api}\n      env: {OK.dot-dash_1: a, 1BAD: b}\n"),
        [(24, 31, "S004")],
    ),
    "env var name with a space, in a target's overrides": (
        sub("{env: lrt}\n", "{env: lrt}\n      overrides:\n        env:\n          has space: x\n"),
        [(19, 11, "S004")],
    ),
    "env var from a Secret's key and an optional ConfigMap's": (
        sub(
            "ingressPath: /api}\n",
            "ingressPath: /api}\n      env: {T: {secretKeyRef: {name: creds, key: token}},"
            " C: {configMapKeyRef: {name: a.b, key: k, optional: true}}}\n",
        ),
        [],
    ),
    "envFrom a Secret and an optional ConfigMap": (
        sub(
            "ingressPath: /api}\n",
            "ingressPath: /api}\n      envFrom: [{secretRef: {name: s}},"
            " {configMapRef: {name: c.d, optional: true}}]\n",
        ),
        [],
    ),
    "envFrom naming a key, or both kinds": (
        sub(
            "ingressPath: /api}\n",
            "ingressPath: /api}\n      envFrom: [{secretRef: {name: s, key: k}},"
            " {secretRef: {name: s}, configMapRef: {name: c}}]\n",
        ),
        [(24, 39, "S001"), (24, 49, "S004")],
    ),
    "env var reference misspelt": (
        sub("ingressPath: /api}\n", "ingressPath: /api}\n      env: {T: {secretRef: {}}}\n"),
        [(24, 17, "S001")],
    ),
    "env var reference without its key": (
        sub(
            "ingressPath: /api}\n",
            "ingressPath: /api}\n      env: {T: {secretKeyRef: {name: c}}}\n",
        ),
        [(24, 31, "S002")],
    ),
    # merged sections
    "missing section": (
        sub("  defaults:\n    namespace: i4q-lrt\n    imagePullSecrets: [i4qregistry]\n", ""),
        [(1, 1, "S101")],
    ),
    # references
    "unknown target": (sub("targets: [lrt]", "targets: [lrt, prod]"), [(22, 22, "R104")]),
    "override for a misspelt target": (
        sub(
            "      targets: [lrt]\n",
            "      targets: [lrt]\n      overrides: {lrtx: {replicas: 2}}\n",
        ),
        [(23, 19, "R120")],
    ),
    "override for a target the model is not on": (
        sub(
            "  models:\n",
            "    spare:\n      matchLabels: {env: spare}\n  models:\n",
        ).replace("      targets: [lrt]\n", "      targets: [lrt]\n      overrides: {spare: {}}\n"),
        [(17, 5, "R107"), (25, 19, "R211")],
    ),
    "no placement": (sub("      targets: [lrt]\n", ""), [(15, 5, "R107"), (18, 13, "R106")]),
    "unused target": (
        sub("  models:\n", "    spare:\n      matchLabels: {env: spare}\n  models:\n"),
        [(17, 5, "R107")],
    ),
    # names and selectors
    "bad label key": (sub("{env: lrt}", "{'bad key': lrt}"), [(16, 21, "R201")]),
    "bad label value": (sub("{env: lrt}", "{env: 'not ok'}"), [(16, 26, "R202")]),
    "In without values": (
        sub(
            "      matchLabels: {env: lrt}\n",
            "      matchExpressions: [{key: env, operator: In}]\n",
        ),
        [(16, 47, "R203")],
    ),
    "Exists with values": (
        sub(
            "      matchLabels: {env: lrt}\n",
            "      matchExpressions: [{key: env, operator: Exists, values: [a]}]\n",
        ),
        [(16, 63, "R203")],
    ),
    "Exists with an empty list of values": (
        sub(
            "      matchLabels: {env: lrt}\n",
            "      matchExpressions: [{key: env, operator: Exists, values: []}]\n",
        ),
        [],
    ),
    "DoesNotExist with an empty list of values": (
        sub(
            "      matchLabels: {env: lrt}\n",
            "      matchExpressions: [{key: gpu, operator: DoesNotExist, values: []}]\n",
        ),
        [],
    ),
    "name over the application budget": (
        sub("name: sktime", "name: " + "m" * 38),
        [(18, 13, "R204")],
    ),
    # its Service is named after it, and a Service name must start with a letter
    "http model name starting with a digit": (
        sub("name: sktime", "name: 3d-sktime"),
        [(18, 13, "R225")],
    ),
    "container model name starting with a digit": (  # no Service: a DNS-1123 name is enough
        BASE.replace("name: sktime", "name: 3d-sktime")
        .replace("wrapper: http", "wrapper: container")
        .replace("      http: {port: 8080, healthPath: /health, ingressPath: /api}\n", ""),
        [],
    ),
    "invalid image": (
        sub("image: registry.gitlab.com/i4q/lrt/sktime:1.4.2", "image: 'Registry/UPPER case'"),
        [(21, 14, "R205")],
    ),
    "helm needs semver": (sub("version: 1.4.2", "version: v1.4"), [(19, 16, "R206")]),
    "http model without http section": (
        sub("      http: {port: 8080, healthPath: /health, ingressPath: /api}\n", ""),
        [(20, 16, "R207")],
    ),
    "pod settings of a container model": (  # no pod of its own: they went nowhere unsaid
        BASE.replace("wrapper: http", "wrapper: container").replace(
            "      http: {port: 8080, healthPath: /health, ingressPath: /api}\n",
            "      container: {modelPath: /m, size: 1Gi}\n      replicas: 2\n"
            "      env: {A: b}\n      envFrom: [{secretRef: {name: s}}]\n"
            "      overrides:\n        lrt: {resources: {}, image: x/y:1}\n",
        ),
        [(24, 7, "R207"), (25, 7, "R207"), (26, 7, "R207"), (28, 15, "R207")],
    ),
    "a target's image for its one model": (
        sub(
            "      matchLabels: {env: lrt}\n",
            "      matchLabels: {env: lrt}\n      overrides: {image: x/y:2}\n",
        ),
        [],
    ),
    "a target's image replaces its one model's image for the architecture it pins": (
        sub(
            "      matchLabels: {env: lrt}\n",
            "      matchLabels: {env: lrt}\n      overrides: {image: x/y:2, arch: arm64}\n",
        )
        + "      images: {arm64: x/sktime:1.4.2-arm64}\n",
        [(17, 26, "R229")],
    ),
    "a target's image and the architecture its selector pins": (
        sub(
            "      matchLabels: {env: lrt}\n",
            "      matchLabels: {env: lrt, kubernetes.io/arch: arm64}\n"
            "      overrides: {image: x/y:2}\n",
        )
        + "      images: {arm64: x/sktime:1.4.2-arm64}\n",
        [(17, 26, "R229")],
    ),
    "a target's image on a target that pins no architecture of the model's images": (
        sub(
            "      matchLabels: {env: lrt}\n",
            "      matchLabels: {env: lrt}\n      overrides: {image: x/y:2}\n",
        )
        + "      images: {arm64: x/sktime:1.4.2-arm64}\n",
        [],
    ),
    "a target's image for several models": (
        sub(
            "      matchLabels: {env: lrt}\n",
            "      matchLabels: {env: lrt}\n      overrides: {image: x/y:2}\n",
        )
        + SECOND_MODEL,
        [(17, 26, "R229")],
    ),
    "a target's image for one of two models, the other with its own": (
        sub(
            "      matchLabels: {env: lrt}\n",
            "      matchLabels: {env: lrt}\n      overrides: {image: x/y:2}\n",
        )
        + SECOND_MODEL
        + "      overrides: {lrt: {image: x/ranker:2}}\n",
        [],
    ),
    "credentials in git url": (
        sub("https://gitlab.com", "https://bot:glpat-secret@gitlab.com"),
        [(7, 10, "R209")],
    ),
    "namespace mismatch": (
        sub("  defaults:\n    namespace: i4q-lrt", "  defaults:\n    namespace: other"),
        [(12, 16, "R208")],
    ),
    "namespace mismatch, kustomize models only": (
        sub(
            "  defaults:\n    namespace: i4q-lrt",
            "  defaults:\n    namespace: other\n    packaging: kustomize",
        ),
        [(12, 16, "R208")],
    ),
    "namespace mismatch with argocd delivery: the Applications deploy into the models' namespace": (
        sub(
            "  hub:\n    namespace: i4q-lrt\n  defaults:\n    namespace: i4q-lrt",
            "  hub:\n    namespace: i4q-lrt\n    delivery: argocd\n  defaults:\n    namespace: other",
        ),
        [],
    ),
    "namespace mismatch while the Subscriptions are kept": (
        sub(
            "  hub:\n    namespace: i4q-lrt\n  defaults:\n    namespace: i4q-lrt",
            "  hub:\n    namespace: i4q-lrt\n    delivery: argocd\n"
            "    argocd: {migration: keep-subscriptions}\n  defaults:\n    namespace: other",
        ),
        [(14, 16, "R208")],
    ),
    "suppressed warning": (
        sub(
            "  defaults:\n    namespace: i4q-lrt",
            "  defaults:\n    namespace: other  # edgemodels: ignore[R208]\n"
            "    packaging: kustomize",
        ),
        [],
    ),
    "unused suppression": (
        sub("    branch: acm-dev", "    branch: acm-dev  # edgemodels: ignore[R208]"),
        [(8, 22, "P001")],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_check(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    assert findings(tmp_path, text) == expected


def test_did_you_mean(tmp_path: Path) -> None:
    text = sub("healthPath: /health", "helthPath: /health")
    assert any("did you mean 'healthPath'?" in m for m in messages(tmp_path, text))


def test_secret_never_echoed(tmp_path: Path) -> None:
    text = sub("https://gitlab.com", "https://bot:glpat-secret@gitlab.com")
    assert not any("glpat-secret" in m for m in messages(tmp_path, text))


def test_override_target_hint(tmp_path: Path) -> None:
    text = sub("      targets: [lrt]\n", "      targets: [lrt]\n      overrides: {lrtx: {}}\n")
    assert any("did you mean 'lrt'?" in m for m in messages(tmp_path, text))


def test_workload_references(tmp_path: Path) -> None:
    text = BASE + (
        "  workloads:\n"
        "    - name: inspect\n"
        "      uses: [sktim]\n"
        "      matchLabels: {line: a}\n"
        "    - name: lonely\n"
        "      uses: [sktime]\n"
    )
    assert findings(tmp_path, text) == [(26, 14, "R105"), (28, 13, "R212")]
    assert any("did you mean 'sktime'?" in m for m in messages(tmp_path, text))


def test_follow_without_workloads(tmp_path: Path) -> None:
    text = sub("      targets: [lrt]\n", "      followWorkloads: true\n")
    assert findings(tmp_path, text) == [(15, 5, "R107"), (22, 24, "R108")]


def test_a_finding_named_by_code_and_name_uses_both_entries(tmp_path: Path) -> None:
    """`ignore[R107, unused-target]` names one finding twice: neither entry is unused."""
    text = sub("      targets: [lrt]\n", "      followWorkloads: true\n").replace(
        "    lrt:\n", "    lrt:  # edgemodels: ignore[R107, unused-target]\n"
    )
    assert findings(tmp_path, text) == [(22, 24, "R108")]


def test_entries_run_together_are_told_to_be_separated_by_commas(tmp_path: Path) -> None:
    text = sub("      targets: [lrt]\n", "      followWorkloads: true\n").replace(
        "    lrt:\n", "    lrt:  # edgemodels: ignore[R107 unused-target]\n"
    )
    (tmp_path / "catalogue.yaml").write_text(text, encoding="utf-8")
    result = load(tmp_path / "catalogue.yaml", base=tmp_path)
    unused = [d.message for d in suppressions_of(result) if d.code == "P001"]
    assert len(unused) == 1 and unused[0] == (
        "suppression of R107 unused-target matches no finding on this line "
        "(entries of ignore[...] are separated by commas)"
    )


def test_structural_errors_cannot_be_suppressed(tmp_path: Path) -> None:
    text = sub("targets: [lrt]", "targets: [lrt, prod]  # edgemodels: ignore[R104]")
    assert findings(tmp_path, text) == [(22, 22, "R104"), (22, 29, "P001")]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("port: 8080", "port: null", "http.port: expected integer, got null"),
        ("port: 8080", "port: eighty", "expected integer, got string 'eighty'"),
        (
            "ingressPath: /api}",
            "ingressPath: /api, runAsUser: 0}",
            "http.runAsUser: 0 is less than the minimum of 1",
        ),
        ("{env: lrt}", "[env]", "expected mapping, got list ['env']"),
        ("version: 1.4.2", "version: '1.2'", "1.4.2: MAJOR.MINOR.PATCH must be three numbers"),
        ("version: 1.4.2", "version: 01.2.3", "1.4.2: numbers have no leading zeros"),
        ("version: 1.4.2", "version: latest", "1.4.2: MAJOR.MINOR.PATCH must be numbers"),
        ("version: 1.4.2", "version: v1.4.2", "1.4.2: drop the leading 'v'"),
        (
            "      targets: [lrt]\n",
            "      targets: [lrt]\n      resources: {limits: {memory: lots}}\n",
            "'lots' is not a Kubernetes quantity such as 500m, 2, 256Mi",
        ),
        ("    lrt:\n", "    " + "t" * 51 + ":\n", "is 51 characters; it must have at most 50"),
    ],
)
def test_plain_messages(tmp_path: Path, old: str, new: str, expected: str) -> None:
    shown = messages(tmp_path, sub(old, new))
    assert any(expected in m for m in shown), shown


def test_namespace_mismatch_is_an_error_for_helm_models_and_a_warning_for_kustomize_ones(
    tmp_path: Path,
) -> None:
    """RHACM installs a Subscription's chart in the Subscription's namespace whoever made
    it, and moves a Kustomize model's objects there unless a subscription-admin did."""
    other = sub("  defaults:\n    namespace: i4q-lrt", "  defaults:\n    namespace: other")
    (tmp_path / "catalogue.yaml").write_text(other, encoding="utf-8")
    [helm] = [d for d in load(tmp_path / "catalogue.yaml", base=tmp_path).diagnostics]
    assert (helm.code, helm.severity) == ("R208", "error")
    assert helm.message.startswith(
        "Helm models (sktime) would run in namespace 'i4q-lrt', not in "
        "spec.defaults.namespace 'other': RHACM installs a Subscription's chart as a Helm "
        "release in the Subscription's namespace 'i4q-lrt'"
    )
    kustomize = other.replace(
        "    namespace: other\n", "    namespace: other\n    packaging: kustomize\n"
    )
    (tmp_path / "catalogue.yaml").write_text(kustomize, encoding="utf-8")
    [kust] = [d for d in load(tmp_path / "catalogue.yaml", base=tmp_path).diagnostics]
    assert (kust.code, kust.severity) == ("R208", "warning")
    assert kust.message.startswith(
        "Kustomize models run in spec.defaults.namespace 'other' only if the hub Subscription "
        "was created by a subscription-admin; otherwise RHACM puts them in the Subscription's "
        "namespace 'i4q-lrt'"
    )


def test_a_target_image_for_several_models_names_them_and_the_way_out(tmp_path: Path) -> None:
    text = sub(
        "      matchLabels: {env: lrt}\n",
        "      matchLabels: {env: lrt}\n      overrides: {image: x/y:2}\n",
    )
    [shown] = [m for m in messages(tmp_path, text + SECOND_MODEL) if "R229" in m]
    assert shown.endswith(
        "R229 [warning] target 'lrt': overrides.image 'x/y:2' replaces the image of each of "
        "its 2 models (ranker, sktime), their images per architecture included: different "
        "models would all run this one image; set it in the model's overrides.lrt.image "
        "instead, for each model it belongs to"
    )
