"""The words of findings for the mistakes people make by hand: each says which part is
wrong and what to write instead, at the line and column of the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import BASE, CONTAINER, messages, sub

IMAGE = "registry.gitlab.com/i4q/lrt/sktime:1.4.2"
DIGEST = "3ff88d8252a1d379ee60f809fd7342bed3ca35e9e8a8184afdb1e62577c0ad5f"


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        (f"{IMAGE}@sha256:{DIGEST[:60]}", "the sha256 digest has 60 hex digits; it needs 64"),
        (f"{IMAGE}@{DIGEST}", "the digest after '@' needs its algorithm: '@sha256:<64 hex"),
        (f"https://{IMAGE}", "drop the 'https://': an image reference has no scheme"),
        (
            "registry.gitlab.com/i4q/LRT/sktime:1.4.2",
            "the repository path must be lower case: 'i4q/lrt/sktime'",
        ),
        (f"{IMAGE}@sha256:{DIGEST[:63]}g", "the sha256 digest has characters other than the hex"),
    ],
)
def test_an_invalid_image_says_which_part_is_wrong(tmp_path: Path, image: str, reason: str) -> None:
    (found,) = messages(tmp_path, sub(f"image: {IMAGE}", f"image: {image}"))
    assert found.startswith("catalogue.yaml:21:14: R205 '")
    assert f"' is not a valid image reference: {reason}" in found


@pytest.mark.parametrize(
    ("image", "reason"),
    [
        (
            f"sktime@{DIGEST}",
            "the digest after '@' needs its algorithm: '@sha256:<64 hex digits>' (it names no "
            "registry, so sites would pull docker.io/library/sktime)",
        ),
        (
            f"i4q/sktime:1.4.2@sha256:{DIGEST[:60]}",
            "the sha256 digest has 60 hex digits; it needs 64 (copy it whole, e.g. from `skopeo "
            "inspect` or the registry's page) (it names no registry, so sites would pull "
            "docker.io/i4q/sktime)",
        ),
        (
            f"{IMAGE}@{DIGEST}",
            "the digest after '@' needs its algorithm: '@sha256:<64 hex digits>'",
        ),
        (f"https://{IMAGE}", "drop the 'https://': an image reference has no scheme"),
    ],
)
def test_an_invalid_image_without_a_registry_says_where_it_would_be_pulled_from(
    tmp_path: Path, image: str, reason: str
) -> None:
    (found,) = messages(tmp_path, sub(f"image: {IMAGE}", f"image: {image}"))
    assert found == f"catalogue.yaml:21:14: R205 '{image}' is not a valid image reference: {reason}"


ENV_MISTAKES = [  # (the model's env, what check says)
    (
        "LOG LEVEL: debug",
        "catalogue.yaml:24:13: S004 spec.models[0].env: 'LOG LEVEL' is not an environment"
        " variable name every Kubernetes version takes (letters, digits, '_', '-' and '.',"
        " not starting with a digit)",
    ),
    (
        "T: {valueFrom: {secretKeyRef: {name: c, key: k}}}",
        "catalogue.yaml:24:17: S001 unknown field 'valueFrom' in spec.models[0].env.T: write"
        " {secretKeyRef: {name, key}} (or configMapKeyRef) without it",
    ),
    (
        "T: {secretKeyRef: {name: c, key: k}, configMapKeyRef: {name: c, key: k}}",
        "catalogue.yaml:24:16: S004 spec.models[0].env.T: give one of configMapKeyRef or"
        " secretKeyRef, got 2",
    ),
    (
        "T: {secretKeyRef: {name: Creds, key: k}}",
        "catalogue.yaml:24:38: S004 spec.models[0].env.T.secretKeyRef.name: 'Creds' is not a"
        " DNS-1123 subdomain (lower-case letters, digits, '-' and '.', each part starting and"
        " ending with a letter or digit)",
    ),
    (
        "T: ",
        "catalogue.yaml:24:16: S003 spec.models[0].env.T: expected string, got null",
    ),
    (
        "T: 0.5",
        "catalogue.yaml:24:16: S003 spec.models[0].env.T: expected string, got number 0.5"
        " (YAML read it as a number or boolean: put it in quotes)",
    ),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "matchLabels: {env: lrt}",
            "matchExpressions: [{key: env, operator: in, values: [lrt]}]",
            "catalogue.yaml:16:47: S004 spec.targets.lrt.matchExpressions[0].operator: 'in' is "
            "not one of In, NotIn, Exists, DoesNotExist; did you mean 'In'?",
        ),
        (
            "ingressPath: /api}",
            "ingressPath: /api}\n      resources: {limits: {memory: 2GB}}",
            "catalogue.yaml:24:36: S004 spec.models[0].resources.limits.memory: '2GB' is not a "
            "Kubernetes quantity such as 500m, 2, 256Mi; did you mean '2Gi'? (Ki, Mi, Gi are "
            "powers of 1024; no 'B')",
        ),
        (
            "port: 8080",
            'port: "8080"',
            "catalogue.yaml:23:20: S003 spec.models[0].http.port: expected integer, got string "
            "'8080' (remove the quotes: 8080)",
        ),
        (
            "targets: [lrt]",
            "targets: lrt",
            "catalogue.yaml:22:16: S003 spec.models[0].targets: expected list, got string 'lrt' "
            "(write it as a list: [lrt])",
        ),
        (
            "ingressPath: /api}",
            "ingressPath: /api}\n      env: [{name: LOG_LEVEL, value: debug}]",
            "catalogue.yaml:24:12: S003 spec.models[0].env: expected mapping, got list "
            "[{name: 'LOG_LEVEL', value: 'debug'}] (not the Kubernetes list of name/value: write "
            "NAME: value pairs, {LOG_LEVEL: 'debug'})",
        ),
        (
            "ingressPath: /api}",
            "ingressPath: /api}\n      env: {DEBUG: yes}",
            "catalogue.yaml:24:20: S003 spec.models[0].env.DEBUG: expected string, got boolean "
            "true (YAML read it as a number or boolean: put it in quotes)",
        ),
        (
            "      matchLabels: {env: lrt}\n",
            "      matchLabels: {env: lrt}\n    forecaster:\n      version: 1.0.0\n"
            "      wrapper: http\n      image: quay.io/i4q/f:1.0.0\n",
            "catalogue.yaml:18:7: S001 target 'forecaster' has model fields (version, wrapper, "
            "image): a model goes under spec.models, as a list item '- name: forecaster'",
        ),
        (  # labels as kubectl shows them: said "expected string, got null" at the '}'
            "matchLabels: {env: lrt}",
            "matchLabels: {env=lrt}",
            "catalogue.yaml:16:21: S003 spec.targets.lrt.matchLabels.env=lrt: expected string, "
            "got null (YAML read 'env=lrt' as a key without a value: YAML pairs a key and its "
            "value with ': ', not '='; write {env: lrt})",
        ),
        (
            "matchLabels: {env: lrt}",
            "matchLabels: {env:lrt}",
            "catalogue.yaml:16:21: S003 spec.targets.lrt.matchLabels.env:lrt: expected string, "
            "got null (YAML read 'env:lrt' as a key without a value: a space must follow the ':' "
            "of a key; write {env: lrt})",
        ),
        (
            "matchLabels: {env: lrt}",
            "matchLabels: env=lrt,line=assembly",
            "catalogue.yaml:16:20: S003 spec.targets.lrt.matchLabels: expected mapping, got "
            "string 'env=lrt,line=assembly' (YAML pairs a key and its value with ': ', not '='; "
            "write {env: lrt, line: assembly})",
        ),
        (
            "matchLabels: {env: lrt}",
            "matchLabels: [{env: lrt}, {line: assembly}]",
            "catalogue.yaml:16:20: S003 spec.targets.lrt.matchLabels: expected mapping, got "
            "list [{env: 'lrt'}, {line: 'assembly'}] (one mapping, not a list of them: "
            "{env: lrt, line: assembly})",
        ),
        (  # a list of kubectl's pairs
            "matchLabels: {env: lrt}",
            "matchLabels: [env=lrt, line=assembly]",
            "catalogue.yaml:16:20: S003 spec.targets.lrt.matchLabels: expected mapping, got "
            "list ['env=lrt', 'line=assembly'] (YAML pairs a key and its value with ': ', not "
            "'='; write {env: lrt, line: assembly})",
        ),
        (
            "matchLabels: {env: lrt}",
            'matchExpressions: ["kubernetes.io/arch in (arm64, amd64)"]',
            "catalogue.yaml:16:26: S003 spec.targets.lrt.matchExpressions[0]: expected mapping, "
            "got string 'kubernetes.io/arch in (arm64, amd64)' (a selector expression is a "
            "mapping: {key: kubernetes.io/arch, operator: In, values: [arm64, amd64]})",
        ),
        (  # a URL is no key:value pair
            "  git:\n    url: https://gitlab.com/i4q/LRT.git\n    branch: acm-dev\n",
            "  git: https://gitlab.com/i4q/LRT.git\n",
            "catalogue.yaml:6:8: S003 spec.git: expected mapping, got string "
            "'https://gitlab.com/i4q/LRT.git'",
        ),
        *(
            ("ingressPath: /api}\n", f"ingressPath: /api}}\n      env: {{{env}}}\n", said)
            for env, said in ENV_MISTAKES
        ),
    ],
)
def test_schema_findings_say_what_to_write(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert messages(tmp_path, sub(old, new)) == [expected]


VERSION_AT = "catalogue.yaml:19:16: S003 spec.models[0].version: expected string, got "


@pytest.mark.parametrize(
    ("typed", "packaging", "expected", "fixed"),
    [
        (
            "2.2",
            "",
            'number 2.2 (YAML read it as a number: write "2.2.0", in quotes and as '
            "MAJOR.MINOR.PATCH, which Helm charts need)",
            '"2.2.0"',
        ),
        (
            "1.10",
            "",
            'number 1.1 (YAML read 1.10 as the number 1.1: write "1.10.0", in quotes and as '
            "MAJOR.MINOR.PATCH, which Helm charts need)",
            '"1.10.0"',
        ),
        (
            "3",
            "\n      packaging: helm",
            'integer 3 (YAML read it as a number: write "3.0.0", in quotes and as '
            "MAJOR.MINOR.PATCH, which Helm charts need)",
            '"3.0.0"',
        ),
        (
            "2.2",
            "\n      packaging: kustomize",
            'number 2.2 (YAML read it as a number: write it in quotes, "2.2")',
            '"2.2"',
        ),
    ],
)
def test_a_version_yaml_reads_as_a_number_is_fixed_in_one_round(
    tmp_path: Path, typed: str, packaging: str, expected: str, fixed: str
) -> None:
    """Quoting alone used to be the first of two rounds: then R206 asked for three parts."""
    before = sub("wrapper: http", "wrapper: http" + packaging)
    assert messages(tmp_path, sub("version: 1.4.2", f"version: {typed}", before)) == [
        VERSION_AT + expected
    ]
    assert messages(tmp_path, sub("version: 1.4.2", f"version: {fixed}", before)) == []


def test_a_version_packaged_with_kustomize_by_the_file_defaults_is_only_quoted(
    tmp_path: Path,
) -> None:
    text = sub("    imagePullSecrets:", "    packaging: kustomize\n    imagePullSecrets:")
    (found,) = messages(tmp_path, sub("version: 1.4.2", "version: 2.2", text))
    assert found.endswith('(YAML read it as a number: write it in quotes, "2.2")')


FOLLOWED = sub(
    "      targets: [lrt]\n",
    "      followWorkloads: true\n",
    BASE + "  workloads:\n    - name: detector\n      uses: [sktme]\n      sites: [s1]\n",
)


def test_a_misspelt_model_in_uses_is_reported_once_not_also_on_the_model(
    tmp_path: Path,
) -> None:
    found = messages(tmp_path, FOLLOWED)
    assert [m for m in found if "R107" not in m] == [
        "catalogue.yaml:26:14: R105 workload 'detector' uses model 'sktme', which is not in "
        "spec.models; did you mean 'sktime'?"
    ]


def test_a_model_defined_twice_is_reported_once_not_also_as_its_own_path_clash(
    tmp_path: Path,
) -> None:
    model = BASE[BASE.index("    - name: sktime") :]
    (found,) = messages(tmp_path, BASE + model)
    assert found.startswith("catalogue.yaml:24:13: R101 model 'sktime' is defined twice; first at")


def test_an_unknown_target_like_none_lists_the_defined_ones_at_most_ten(tmp_path: Path) -> None:
    text = sub("targets: [lrt]", "targets: [lrt, prod]")
    assert [m for m in messages(tmp_path, text) if "R104" in m] == [
        "catalogue.yaml:22:22: R104 model 'sktime' names target 'prod', which is not in "
        "spec.targets; spec.targets defines lrt"
    ]
    more = "".join(f"    zone-{n:02}:\n      matchLabels: {{zone: z{n}}}\n" for n in range(12))
    text = sub("  models:\n", more + "  models:\n", text)
    (found,) = [m for m in messages(tmp_path, text) if "R104" in m]
    assert found.endswith(
        "; spec.targets defines lrt, zone-00, zone-01, zone-02, zone-03, zone-04, zone-05, "
        "zone-06, zone-07, zone-08 and 3 more"
    )
    text = sub("[lrt, prod]", "[lrt, zone-1]", text)
    (found,) = [m for m in messages(tmp_path, text) if "R104" in m]
    assert found.endswith("; did you mean 'zone-11'?")


def test_an_override_for_a_target_renamed_since_lists_the_defined_ones(tmp_path: Path) -> None:
    """A target renamed (lrt to lrt-sites), a model's override still under the old name:
    R120 said only "not in spec.targets", as difflib finds lrt far from lrt-sites."""
    text = sub("    lrt:\n", "    lrt-sites:\n", sub("targets: [lrt]", "targets: [lrt-sites]"))
    text = sub(
        "ingressPath: /api}", "ingressPath: /api}\n      overrides: {lrt: {replicas: 2}}", text
    )
    assert [m for m in messages(tmp_path, text) if "R120" in m] == [
        "catalogue.yaml:24:19: R120 model 'sktime' overrides target 'lrt', which is not in "
        "spec.targets; spec.targets defines lrt-sites"
    ]


ARGOCD = sub("    namespace: i4q-lrt\n", "    namespace: i4q-lrt\n    delivery: argocd\n")
BRACES = (
    "'{{name}}' of Helm model 'sktime' contains '{{': with spec.hub.delivery argocd it goes"
    " into the ApplicationSet's helm.valuesObject, whose template Argo CD fills per cluster"
    " ({{name}}, {{server}} become the cluster's), while Subscriptions pass it as written;"
    " write the value without '{{'"
)


def test_with_argocd_a_helm_value_with_braces_that_the_applicationset_fills_is_named(
    tmp_path: Path,
) -> None:
    text = sub(
        "ingressPath: /api}\n",
        "ingressPath: /api}\n      env: {SITE: '{{name}}', MODE: fast}\n"
        "      overrides:\n        lrt: {env: {MODE: '{{name}}'}}\n",
        ARGOCD,
    )
    assert [m for m in messages(tmp_path, text) if "R226" in m] == [
        f"catalogue.yaml:25:19: R226 [warning] {BRACES}",  # env goes whole: MODE changes
        f"catalogue.yaml:27:27: R226 [warning] {BRACES}",
    ]
    # no placement changes env: it stays in the chart's values.yaml, not templated
    alone = sub("      overrides:\n        lrt: {env: {MODE: '{{name}}'}}\n", "", text)
    assert [m for m in messages(tmp_path, alone) if "R226" in m] == []
    # Subscriptions pass values as written
    assert [
        m for m in messages(tmp_path, sub("    delivery: argocd\n", "", text)) if "R226" in m
    ] == []


def _sync_options(tmp_path: Path, argocd: str) -> list[str]:
    text = sub("    delivery: argocd\n", f"    delivery: argocd\n    argocd: {argocd}\n", ARGOCD)
    return [m for m in messages(tmp_path, text) if "R230" in m]


def test_sync_options_argo_cd_would_ignore_or_that_contradict_create_namespace_are_named(
    tmp_path: Path,
) -> None:
    """Argo CD looks sync options up by their exact string and ignores the others; the
    generated list starts with CreateNamespace=true, which wins over a `false` after it."""
    options = "[ServerSideApply=true, ServerSideApply=yes, Bogus, CreateNamespace=false]"
    found = _sync_options(tmp_path, f"{{syncOptions: {options}}}")
    assert [m.split(": ", 1)[0] for m in found] == [
        "catalogue.yaml:12:50",  # each at its own entry
        "catalogue.yaml:12:71",
        "catalogue.yaml:12:78",
    ]
    assert found[0].endswith(
        "R230 [warning] sync option 'ServerSideApply=yes': Argo CD matches the exact string "
        "and ignores this one; write ServerSideApply=true or ServerSideApply=false"
    )
    unknown = "R230 [warning] sync option 'Bogus': Argo CD ignores an option it does not know"
    assert unknown in found[1]
    assert "R230 sync option 'CreateNamespace=false': contradicts createNamespace" in found[2]
    # createNamespace: false, and an option that creates it anyway
    off = _sync_options(tmp_path, "{createNamespace: false, syncOptions: [CreateNamespace=true]}")
    assert len(off) == 1 and "R230 sync option 'CreateNamespace=true': contradicts" in off[0]
    agreeing = "{createNamespace: false, syncOptions: [CreateNamespace=false, PruneLast=true]}"
    assert _sync_options(tmp_path, agreeing) == []
    assert _sync_options(tmp_path, "{syncOptions: [CreateNamespace=true, Prune=confirm]}") == []


def test_channel_settings_that_argo_cd_delivery_drops_are_named(tmp_path: Path) -> None:
    """Only the Channel reads spec.git.credentialsSecret, caConfigMap, insecureSkipVerify;
    while keep-subscriptions holds a Channel they still count."""
    git = "    branch: acm-dev\n"
    text = sub(git, f"{git}    credentialsSecret: lrt-git\n    insecureSkipVerify: true\n", ARGOCD)
    found = [m for m in messages(tmp_path, text) if "R231" in m]
    assert [m.split(" R231", 1)[0] for m in found] == [
        "catalogue.yaml:9:5:",
        "catalogue.yaml:10:5:",
    ]
    assert found[0].endswith(
        "R231 [warning] spec.git.credentialsSecret has no effect with spec.hub.delivery "
        "argocd: only the RHACM Channel reads it; give Argo CD the repository's credentials "
        "and TLS settings as a repository Secret (label argocd.argoproj.io/secret-type: "
        "repository) in its namespace (and, with pullModel, on every site: its Argo CD "
        "clones the repository), and remove it"
    )
    keep = sub(
        "    delivery: argocd\n",
        "    delivery: argocd\n    argocd: {migration: keep-subscriptions}\n",
        text,
    )
    assert [m for m in messages(tmp_path, keep) if "R231" in m] == []
    subscriptions = sub("    delivery: argocd\n", "", text)
    assert [m for m in messages(tmp_path, subscriptions) if "R231" in m] == []


def test_a_namespace_mismatch_during_the_move_does_not_advise_argocd_delivery(
    tmp_path: Path,
) -> None:
    """At keep-subscriptions the catalogue delivers with Argo CD already: the fix is to
    align the namespaces, or each model runs in both."""
    text = sub(
        "  hub:\n    namespace: i4q-lrt\n  defaults:\n    namespace: i4q-lrt",
        "  hub:\n    namespace: i4q-lrt\n    delivery: argocd\n"
        "    argocd: {migration: keep-subscriptions}\n  defaults:\n    namespace: other",
    )
    (found,) = [m for m in messages(tmp_path, text) if "R208" in m]
    assert "or deliver with spec.hub.delivery: argocd" not in found
    assert found.endswith(
        "set spec.defaults.namespace and spec.hub.namespace alike before the move (its step "
        "0): while the Subscriptions are kept, both sides deploy the models, the "
        "ApplicationSets into 'other', so they would run twice"
    )


TWO_TARGETS = sub("  models:\n", "    paint:\n      matchLabels: {env: paint}\n  models:\n")


def test_targets_missing_their_comma_are_one_finding_that_says_so(tmp_path: Path) -> None:
    """`targets: [lrt paint]` is one name to YAML: R104 said "did you mean 'lrt'?", and
    R107 (paint used by no model) and R211 (an override for paint) followed from it."""
    text = sub("targets: [lrt]", "targets: [lrt paint]", TWO_TARGETS)
    text = sub(
        "ingressPath: /api}", "ingressPath: /api}\n      overrides: {paint: {replicas: 2}}", text
    )
    assert messages(tmp_path, text) == [
        "catalogue.yaml:24:17: R104 model 'sktime' names target 'lrt paint', which is not in "
        "spec.targets; YAML reads it as one name: separate the items with ', ': write [lrt, paint]"
    ]


@pytest.mark.parametrize("written", ["[lrt; paint]", "[lrt|paint]", "\n        - lrt,paint"])
def test_targets_split_by_another_mark_than_a_comma_are_told_so(
    tmp_path: Path, written: str
) -> None:
    text = sub("targets: [lrt]", f"targets: {written}", TWO_TARGETS)
    (found,) = messages(tmp_path, text)
    assert found.endswith(
        "; YAML reads it as one name: separate the items with ', ': write [lrt, paint]"
    )


def test_a_list_item_indented_deeper_than_the_one_above_is_said_to_be_so(tmp_path: Path) -> None:
    """`- lrt` then `  - paint` two columns deeper: YAML reads one name, 'lrt - paint'."""
    text = sub("targets: [lrt]", "targets:\n        - lrt\n          - paint", TWO_TARGETS)
    assert messages(tmp_path, text) == [
        "catalogue.yaml:25:11: R104 model 'sktime' names target 'lrt - paint', which is not in "
        "spec.targets; YAML reads it as one name, as an item indented deeper than the one "
        "above it continues that item's text: indent every '- ' of the list alike"
    ]


def test_a_workload_using_models_without_their_comma_is_told_so(tmp_path: Path) -> None:
    text = BASE + CONTAINER
    text += "  workloads:\n    - {name: inspect, uses: [sktime det], matchLabels: {env: lrt}}\n"
    found = [m for m in messages(tmp_path, text) if "R105" in m]
    assert found == [
        "catalogue.yaml:30:30: R105 workload 'inspect' uses model 'sktime det', which is not in "
        "spec.models; YAML reads it as one name: separate the items with ', ': write [sktime, det]"
    ]


def test_a_target_listed_twice_is_reported_at_its_second_entry(tmp_path: Path) -> None:
    """S004 said "['lrt', 'paint', 'lrt'] has non-unique elements", Python's words, at the
    list's start."""
    text = sub("targets: [lrt]", "targets: [lrt, paint, lrt]", TWO_TARGETS)
    assert messages(tmp_path, text) == [
        "catalogue.yaml:24:29: S004 spec.models[0].targets: 'lrt' is listed twice (first at "
        "24:17): remove one"
    ]


ARM = "registry.gitlab.com/i4q/lrt/sktime-arm:1.4.2"


@pytest.mark.parametrize(
    ("arch", "meant"),
    [
        ("aarch64", "arm64"),
        ("x86_64", "amd64"),
        ("linux/arm64", "arm64"),
        ("armv7l", "arm"),
        ("arm/v7", "arm"),
    ],
)
def test_an_image_for_an_architecture_kubernetes_does_not_name_is_an_error(
    tmp_path: Path, arch: str, meant: str
) -> None:
    """`images: {aarch64: ...}` passed: no node is labelled kubernetes.io/arch=aarch64, so the
    image was never deployed, and the arm64 sites ran the amd64 one."""
    text = sub("      targets: [lrt]", f"      images: {{{arch}: {ARM}}}\n      targets: [lrt]")
    assert messages(tmp_path, text) == [
        f"catalogue.yaml:22:16: R233 images: '{arch}' is no architecture Kubernetes names "
        f"(nodes are labelled kubernetes.io/arch with Go's names: amd64, arm64, arm, ppc64le, "
        f"s390x, ...), so no site would get this image; did you mean '{meant}'?"
    ]


def test_an_arch_override_kubernetes_does_not_name_is_an_error(tmp_path: Path) -> None:
    text = sub(
        "      matchLabels: {env: lrt}",
        "      matchLabels: {env: lrt}\n      overrides: {arch: arm}",
    )
    assert [m for m in messages(tmp_path, text) if "R233" in m] == []  # arm (32-bit) is one
    text = sub("overrides: {arch: arm}", "overrides: {arch: ARM64}", text)
    assert messages(tmp_path, text) == [
        "catalogue.yaml:17:25: R233 overrides.arch: 'ARM64' is no architecture Kubernetes "
        "names (nodes are labelled kubernetes.io/arch with Go's names: amd64, arm64, arm, "
        "ppc64le, s390x, ...), so no site would get its image from images; did you mean 'arm64'?"
    ]


def test_an_arch_override_of_no_architecture_is_not_also_excluded_by_the_selector(
    tmp_path: Path,
) -> None:
    """R228 ("its sites would get the aarch64 image") said the same mistake again."""
    arm = "matchLabels: {env: lrt, kubernetes.io/arch: arm64}\n      overrides: {arch: aarch64}"
    codes = [m.split()[1] for m in messages(tmp_path, sub("matchLabels: {env: lrt}", arm))]
    assert codes == ["R233"]


def test_a_selector_on_an_architecture_kubernetes_does_not_name_is_an_error(
    tmp_path: Path,
) -> None:
    text = sub("matchLabels: {env: lrt}", "matchLabels: {env: lrt, kubernetes.io/arch: aarch64}")
    assert messages(tmp_path, text) == [
        "catalogue.yaml:16:51: R233 kubernetes.io/arch: 'aarch64' is no architecture Kubernetes "
        "names (nodes are labelled kubernetes.io/arch with Go's names: amd64, arm64, arm, "
        "ppc64le, s390x, ...), so the selector matches no site; did you mean 'arm64'?"
    ]


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (
            "'paint|assembly'",
            "; a label has one value: for any of several, write matchExpressions: "
            "[{key: line, operator: In, values: [paint, assembly]}]",
        ),
        (
            "'paint, assembly'",
            "; a label has one value: for any of several, write matchExpressions: "
            "[{key: line, operator: In, values: [paint, assembly]}]",
        ),
        (
            "'*'",
            "; for any value, write matchExpressions: [{key: line, operator: Exists}]",
        ),
        (
            "'!paint'",
            "; for any value but paint, write matchExpressions: "
            "[{key: line, operator: NotIn, values: [paint]}]",
        ),
    ],
)
def test_a_label_value_written_as_a_rule_gets_the_expression_to_write(
    tmp_path: Path, value: str, hint: str
) -> None:
    """kubectl's and regular expressions' ways of saying "any of", "any", "not" in
    matchLabels got only R202's "must be alphanumeric ..."."""
    text = sub("matchLabels: {env: lrt}", f"matchLabels: {{env: lrt, line: {value}}}")
    (found,) = messages(tmp_path, text)
    assert found.startswith("catalogue.yaml:16:37: R202 label value ")
    assert found.endswith(hint)
