"""Each default catalogue rule: a failing and a passing catalogue, with (line, col, code).

Every case is HEADER (7 lines) + a body, loaded by the real catalogue loader; body lines
start at line 8.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import (
    HEADER,
    SKTIME,
    catalogue_findings,
    default_policies,
    where,
)

TARGETS = """\
  targets:
    lrt: {matchLabels: {env: lrt}}
    plant: {production: true, matchLabels: {site: plant}}
  models:
"""  # lines 8-11; a model starts at 12


def model(**fields: str) -> str:
    """SKTIME with fields replaced (value None-like "" removes the field)."""
    lines = SKTIME.splitlines()
    out = []
    for line in lines:
        key = line.strip().removeprefix("- ").split(":")[0]
        if key in fields and key != "name":
            if fields[key]:
                out.append(f"      {key}: {fields[key]}")
            continue
        out.append(line)
    known = {line.strip().removeprefix("- ").split(":")[0] for line in lines}
    out += [f"      {k}: {v}" for k, v in fields.items() if k not in known and v]
    return "\n".join(out) + "\n"


PINNED = SKTIME.splitlines()[3].split(": ", 1)[1]

CASES = [
    # P101: the image line (15), column of the value; error on a production target
    (
        "P101-prod",
        model(image="registry.gitlab.com/i4q/lrt/sktime:1.4.2", targets="[plant]"),
        None,
        "P101",
        [(15, 14, "P101")],
    ),
    (
        "P101-arch-image",
        model(images="{arm64: 'registry.gitlab.com/i4q/lrt/sktime:1.4.2-arm64'}"),
        None,
        "P101",
        [(19, 23, "P101")],
    ),
    (
        "P101-target-override",
        TARGETS.replace("{env: lrt}}", "{env: lrt}, overrides: {image: 'r.example.com/x:1'}}")
        + SKTIME,
        None,
        "P101",
        [(9, 55, "P101")],
    ),
    ("P101-pass", SKTIME, None, "P101", []),
    # P102
    (
        "P102-latest",
        model(image="registry.gitlab.com/i4q/lrt/sktime:latest"),
        None,
        "P102",
        [(15, 14, "P102")],
    ),
    (
        "P102-no-tag",
        model(image="registry.gitlab.com/i4q/lrt/sktime"),
        None,
        "P102",
        [(15, 14, "P102")],
    ),
    ("P102-pass-tag", model(image="registry.gitlab.com/i4q/lrt/sktime:1.4.2"), None, "P102", []),
    (
        "P102-pass-digest",
        model(image="registry.gitlab.com/i4q/lrt/sktime@sha256:" + "a" * 64),
        None,
        "P102",
        [],
    ),
    # P103: only with an allow-list
    (
        "P103-outside",
        model(image="docker.io/someone/sktime:1.4.2"),
        "registries: {allow: [registry.gitlab.com/i4q]}",
        "P103",
        [(15, 14, "P103")],
    ),
    (
        "P103-prefix-is-not-host",
        model(image="registry.gitlab.com/other/sktime:1.4.2"),
        "registries: {allow: [registry.gitlab.com/i4q]}",
        "P103",
        [(15, 14, "P103")],
    ),
    ("P103-pass", SKTIME, "registries: {allow: [registry.gitlab.com/i4q]}", "P103", []),
    ("P103-pass-host", SKTIME, "registries: {allow: [registry.gitlab.com]}", "P103", []),
    ("P103-no-allow-list", model(image="docker.io/someone/sktime:1.4.2"), None, "P103", []),
    # P104: see test_p104_private_registry_without_pull_secret (needs another header)
    # P105 / P106: on the model (12:7) when resources are missing, else on resources.x
    ("P105-no-resources", model(resources=""), None, "P105", [(12, 7, "P105")]),
    (
        "P105-no-limits",
        model(resources="{requests: {cpu: 250m}}"),
        None,
        "P105",
        [(18, 18, "P105")],
    ),
    ("P105-pass", SKTIME, None, "P105", []),
    (
        "P106-no-request",
        model(resources="{limits: {memory: 1Gi}}"),
        None,
        "P106",
        [(18, 18, "P106")],
    ),
    ("P106-pass", SKTIME, None, "P106", []),
    # P107
    (
        "P107-no-size",
        model(wrapper="container", http="", resources="", container="{modelPath: /model}"),
        None,
        "P107",
        [(17, 18, "P107")],
    ),
    (
        "P107-pass",
        model(
            wrapper="container", http="", resources="", container="{modelPath: /model, size: 2Gi}"
        ),
        None,
        "P107",
        [],
    ),
    # P108: the target's name
    (
        "P108-empty",
        "  targets:\n    lrt: {description: every site}\n  models:\n" + SKTIME,
        None,
        "P108",
        [(9, 5, "P108")],
    ),
    (
        "P108-pass-labels",
        "  targets:\n    lrt: {matchLabels: {env: lrt}}\n  models:\n" + SKTIME,
        None,
        "P108",
        [],
    ),
    (
        "P108-pass-allowed",
        "  targets:\n    lrt: {allowAllClusters: true}\n  models:\n" + SKTIME,
        None,
        "P108",
        [],
    ),
    # P109
    (
        "P109-blank-reason",
        model(security="{writableRootFilesystem: true, reason: ' '}"),
        None,
        "P109",
        [(19, 17, "P109")],
    ),
    ("P109-pass", model(security="{runAsRoot: true, reason: binds port 80}"), None, "P109", []),
    # P110: the exact value
    (
        "P110-env-token",
        model(env="{HF_TOKEN: hf_" + "aB3" * 12 + "}"),
        None,
        "P110",
        [(19, 23, "P110")],
    ),
    (
        "P110-url-password",
        model(image="registry.gitlab.com/i4q/lrt/sktime:1.4.2").replace(
            "8080}", "8080, ingressPath: /api}"
        )
        + "  workloads:\n    - name: w\n      uses: [sktime]\n      description: https://bot:s3cret-Pa55@example.com/x\n"
        + "      matchLabels: {a: b}\n",
        None,
        "P110",
        [(22, 20, "P110")],
    ),
    ("P110-pass", model(env="{HF_TOKEN_FILE: /run/secrets/hf, MODE: fast}"), None, "P110", []),
    # Rules with forEach: one finding per credential or image, each at its own value
    (
        "P110-each-credential",
        model(env="{HF_TOKEN: hf_" + "aB3" * 12 + ", NOTE: AKIAIOSFODNN7EXAMPLE}").replace(
            "{port: 8080}", "{port: 8080, ingressPath: /api}"
        )
        + "      description: https://bot:s3cret-Pa55@example.com/x\n",
        None,
        "P110",
        [(19, 23, "P110"), (19, 70, "P110"), (20, 20, "P110")],
    ),
    (
        "P101-each-image",
        model(
            image="registry.gitlab.com/i4q/lrt/sktime:1.4.2",
            images="{arm64: 'registry.gitlab.com/i4q/lrt/sktime:1.4.2-arm64'}",
        ),
        None,
        "P101",
        [(15, 14, "P101"), (19, 23, "P101")],
    ),
    (
        "P102-each-image",
        model(
            image="registry.gitlab.com/i4q/lrt/sktime",
            images="{arm64: 'registry.gitlab.com/i4q/lrt/sktime:latest', amd64: " + PINNED + "}",
        ),
        None,
        "P102",
        [(15, 14, "P102"), (19, 23, "P102")],
    ),
    (
        "P103-each-image",
        model(
            image="docker.io/someone/sktime:1.4.2",
            images="{arm64: 'quay.io/x/sktime:1.4.2', amd64: registry.gitlab.com/i4q/s:1}",
        ),
        "registries: {allow: [registry.gitlab.com/i4q]}",
        "P103",
        [(15, 14, "P103"), (19, 23, "P103")],
    ),
]
CASES = [(*c[:1], c[1] if c[1].startswith("  targets") else TARGETS + c[1], *c[2:]) for c in CASES]


@pytest.mark.parametrize(
    ("body", "config", "code", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_catalogue_rule(
    tmp_path: Path, body: str, config: str | None, code: str, expected: list[tuple[int, int, str]]
) -> None:
    policies = default_policies(tmp_path, config)
    found = catalogue_findings(tmp_path, HEADER + body, policies)
    assert where(found, code) == expected


def test_p101_is_a_warning_off_production(tmp_path: Path) -> None:
    body = TARGETS + model(image="registry.gitlab.com/i4q/lrt/sktime:1.4.2")
    (finding,) = [d for d in catalogue_findings(tmp_path, HEADER + body) if d.code == "P101"]
    assert (finding.line, finding.severity) == (15, "warning")
    prod = TARGETS + model(image="registry.gitlab.com/i4q/lrt/sktime:1.4.2", targets="[lrt, plant]")
    (finding,) = [d for d in catalogue_findings(tmp_path, HEADER + prod) if d.code == "P101"]
    assert finding.severity == "error"
    assert "production target" in finding.message


def test_p104_private_registry_without_pull_secret(tmp_path: Path) -> None:
    no_secret = HEADER.replace(", imagePullSecrets: [i4qregistry]", "")
    found = catalogue_findings(tmp_path, no_secret + TARGETS + SKTIME)
    assert where(found, "P104") == [(15, 14, "P104")]
    (finding,) = [d for d in found if d.code == "P104"]
    arch = model(images="{arm64: 'docker.io/x/s:1', amd64: 'registry.example.com/s:1'}")
    each = catalogue_findings(tmp_path, no_secret + TARGETS + arch)
    assert where(each, "P104") == [(15, 14, "P104"), (19, 49, "P104")]  # not docker.io's
    assert "registry.gitlab.com" in finding.message and finding.severity == "warning"
    public = no_secret + TARGETS + model(image="docker.io/library/python:3.12@sha256:" + "b" * 64)
    assert where(catalogue_findings(tmp_path, public), "P104") == []


def test_p111_placement_rule(tmp_path: Path) -> None:
    text = HEADER.replace(
        "hub: {namespace: i4q-lrt}", "hub: {namespace: i4q-lrt, placementKind: PlacementRule}"
    )
    found = catalogue_findings(tmp_path, text + TARGETS + SKTIME)
    assert where(found, "P111") == [(6, 44, "P111")]
    (finding,) = [d for d in found if d.code == "P111"]
    assert "placementKind: Placement" in finding.message and "Migration" in finding.message
    passing = HEADER.replace(
        "hub: {namespace: i4q-lrt}", "hub: {namespace: i4q-lrt, placementKind: Placement}"
    )
    assert where(catalogue_findings(tmp_path, passing + TARGETS + SKTIME), "P111") == []


def test_p112_subscription_delivery_warning(tmp_path: Path) -> None:
    found = catalogue_findings(tmp_path, HEADER + TARGETS + SKTIME)
    (note,) = [d for d in found if d.code == "P112"]
    assert (note.line, note.col, note.severity) == (6, 8, "warning")
    assert "argocd" in note.message
    argocd = HEADER.replace(
        "hub: {namespace: i4q-lrt}", "hub: {namespace: i4q-lrt, delivery: argocd}"
    )
    assert where(catalogue_findings(tmp_path, argocd + TARGETS + SKTIME), "P112") == []


def test_clean_catalogue_has_only_the_delivery_note(tmp_path: Path) -> None:
    found = catalogue_findings(tmp_path, HEADER + TARGETS + SKTIME)
    assert where(found) == [(6, 8, "P112")]


WEIGHTS = (
    "    - name: weights\n"
    "      version: 1.0.0\n"
    "      wrapper: container\n"
    f"      image: registry.gitlab.com/i4q/lrt/weights:1.0.0@sha256:{'c' * 64}\n"
    "      container: {modelPath: /models, size: 1Gi}\n"
    "      targets: [TARGET]\n"
)


def test_the_helper_image_is_checked_where_container_models_run(tmp_path: Path) -> None:
    """P101/P103 see the helper image (spec.defaults.helperImage, else the built-in busybox
    tag on Docker Hub), on the defaults line, only when a container model uses it."""
    on_prod = TARGETS + WEIGHTS.replace("TARGET", "plant")
    (finding,) = [d for d in catalogue_findings(tmp_path, HEADER + on_prod) if d.code == "P101"]
    assert (finding.line, finding.severity) == (7, "error")
    assert "docker.io/library/busybox:1.36.1-musl" in finding.message
    # The user never wrote the built-in image: the message says where to set it instead.
    assert finding.message.startswith("the built-in helper image ")
    assert "set spec.defaults.helperImage to it with @sha256:<digest>" in finding.message
    off_prod = TARGETS + WEIGHTS.replace("TARGET", "lrt")
    found = [d for d in catalogue_findings(tmp_path, HEADER + off_prod) if d.code == "P101"]
    assert [(d.line, d.severity) for d in found] == [(7, "warning")]
    assert where(catalogue_findings(tmp_path, HEADER + TARGETS + SKTIME), "P101") == []
    pinned = HEADER.replace(
        "imagePullSecrets: [i4qregistry]}",
        "imagePullSecrets: [i4qregistry],\n    helperImage: mirror.example.com/busybox@sha256:"
        + "d" * 64
        + "}",
    )
    assert where(catalogue_findings(tmp_path, pinned + on_prod), "P101") == []
    allow = default_policies(tmp_path, "registries: {allow: [registry.gitlab.com/i4q]}")
    found = catalogue_findings(tmp_path, HEADER + off_prod, allow)
    assert where(found, "P103") == [(7, 13, "P103")]
    (builtin,) = [d for d in found if d.code == "P103"]
    assert builtin.message.endswith("; set spec.defaults.helperImage to a copy in one of them")
    (written,) = [
        d for d in catalogue_findings(tmp_path, pinned + off_prod, allow) if d.code == "P103"
    ]
    assert (written.line, written.col) == (8, 18)
    assert written.message.startswith("image 'mirror.example.com/busybox@sha256:")
    assert "spec.defaults.helperImage" not in written.message


def test_the_helper_image_is_checked_for_a_model_that_follows_its_workloads(
    tmp_path: Path,
) -> None:
    """A container model placed only by `followWorkloads` (no `targets`) runs the copy Job
    on its workloads' sites all the same: the built-in, tag-only helper image is P101 (a
    warning: the follow placement is on no production target) and P103 there too."""
    follows = WEIGHTS.replace("      targets: [TARGET]\n", "      followWorkloads: true\n")
    uses = "  workloads:\n    - {name: inspect, uses: [weights], matchLabels: {line: paint}}\n"
    found = catalogue_findings(tmp_path, HEADER + TARGETS + follows + uses)
    (finding,) = [d for d in found if d.code == "P101"]
    assert (finding.line, finding.severity) == (7, "warning")
    assert finding.message.startswith("the built-in helper image ")
    allow = default_policies(tmp_path, "registries: {allow: [registry.gitlab.com/i4q]}")
    found = catalogue_findings(tmp_path, HEADER + TARGETS + follows + uses, allow)
    assert where(found, "P103") == [(7, 13, "P103")]


@pytest.mark.parametrize(
    ("image", "pulled"),
    [
        ("sktime:1.4.2", " (it names no registry, so sites pull docker.io/library/sktime)"),
        ("i4q/sktime:1.4.2", " (it names no registry, so sites pull docker.io/i4q/sktime)"),
        ("docker.io/library/sktime:1.4.2", ""),
        ("registry.gitlab.com/i4q/lrt/sktime:1.4.2", ""),
    ],
)
def test_p101_says_where_an_image_without_a_registry_is_pulled_from(
    tmp_path: Path, image: str, pulled: str
) -> None:
    found = catalogue_findings(tmp_path, HEADER + TARGETS + model(image=image))
    assert [(d.line, d.code, d.message) for d in found if d.code.startswith("P10")] == [
        (
            15,
            "P101",
            f"image '{image}' is not pinned by digest{pulled}; append @sha256:<digest> so every"
            " site runs exactly the image that was tested",
        )
    ]


def test_a_field_path_ending_in_a_tilde_points_at_the_key(tmp_path: Path) -> None:
    """`~` (edgemodels): the key of the field, or of the deepest one written on the path;
    without it the value, and for a missing field its parent's value (a block mapping's
    first key), as findings and suppressions have always had it."""
    (tmp_path / "team.yaml").write_text(
        "apiVersion: edgemodels.io/v1alpha1\nkind: PolicySet\nmetadata: {name: t}\nrules:\n"
        "  - code: P501\n    name: where\n    appliesTo: {catalogue: [catalogue]}\n"
        "    validations:\n"
        + "".join(
            f"      - {{expression: 'false', message: '{path}', fieldPath: '{path}'}}\n"
            for path in (
                ".spec.defaults",
                ".spec.defaults~",
                ".spec.defaults.helperImage",
                ".spec.defaults.helperImage~",
                ".spec.defaults.namespace~",
                ".spec.git.url~",
            )
        ),
        encoding="utf-8",
    )
    policies = default_policies(tmp_path, "extends: none\npolicyFiles: [team.yaml]\n")
    block = HEADER.replace(
        "  defaults: {namespace: i4q-lrt, imagePullSecrets: [i4qregistry]}\n",
        "  defaults:\n    namespace: i4q-lrt\n",
    )
    found = catalogue_findings(tmp_path, block + TARGETS + SKTIME, policies)
    assert sorted((d.message, d.line, d.col) for d in found) == [
        (".spec.defaults", 8, 5),  # the value: its first key
        (".spec.defaults.helperImage", 8, 5),  # missing: its parent's value
        (".spec.defaults.helperImage~", 7, 3),  # missing: the key of defaults
        (".spec.defaults.namespace~", 8, 5),
        (".spec.defaults~", 7, 3),
        (".spec.git.url~", 5, 9),  # a flow mapping's key
    ]
