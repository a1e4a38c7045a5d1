"""Random valid-shaped catalogues: whatever generates is locked down, and what loosens a
default said so in the catalogue (`security` with a reason).

Catalogues are drawn from a small grammar (targets, HTTP and container models in both
packagings, env, replicas, resources, security exceptions), generated through the CLI, and
every workload of the result is rendered (Helm SDK, kubectl kustomize) and checked.
"""

from __future__ import annotations

import string
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from .conftest import FIGURES, FUZZ_EXAMPLES
from .workloads import site_objects, violations, workloads
from .workspace import describe, run

EXAMPLES = max(10, FUZZ_EXAMPLES // 6)
# Some names are something else to YAML (booleans, null, numbers) unless quoted.
NAME = st.from_regex(r"[a-z][a-z0-9]{0,7}", fullmatch=True) | st.sampled_from(
    ["n", "y", "no", "on", "off", "yes", "true", "null", "123", "0x1f"]
)
DIGEST = "@sha256:" + "5" * 64
LIMITED = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}}


@st.composite
def models(draw: st.DrawFn, name: str, targets: list[str]) -> dict[str, Any]:
    # An http model's Service is named after it and must start with a letter (R225).
    wrappers = ["http", "container"] if name[0].isalpha() else ["container"]
    wrapper = draw(st.sampled_from(wrappers))
    model: dict[str, Any] = {
        "name": name,
        "version": "{}.{}.{}".format(*draw(st.tuples(*[st.integers(0, 20)] * 3))),
        "wrapper": wrapper,
        "packaging": draw(st.sampled_from(["helm", "kustomize"])),
        "image": f"registry.gitlab.com/i4q/models/{name}:1.0.0{DIGEST}",
        "targets": draw(st.lists(st.sampled_from(targets), min_size=1, max_size=2, unique=True)),
    }
    if wrapper == "http":
        model["http"] = {"port": draw(st.integers(1024, 65535))}
        model["replicas"] = draw(st.integers(1, 3))
        model["resources"] = draw(st.sampled_from([LIMITED, {"requests": {"cpu": "50m"}}]))
    else:
        model["container"] = {"size": "1Gi", "delivery": draw(st.sampled_from(["copy", "auto"]))}
    model["env"] = draw(
        st.dictionaries(
            st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True),
            st.text(string.ascii_letters + string.digits + " -_./:", max_size=16),
            max_size=3,
        )
    )
    security = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "runAsRoot": st.booleans(),
                    "writableRootFilesystem": st.booleans(),
                    "reason": st.just("the vendor image writes to /var and binds port 80"),
                }
            ),
        )
    )
    if security is not None:
        model["security"] = security
    return model


@st.composite
def catalogues(draw: st.DrawFn) -> dict[str, Any]:
    targets = draw(
        st.dictionaries(
            NAME,
            st.fixed_dictionaries(
                {"matchLabels": st.dictionaries(st.sampled_from(["env", "line"]), NAME, min_size=1)}
            ),
            min_size=1,
            max_size=3,
        )
    )
    names = draw(st.lists(NAME, min_size=1, max_size=3, unique=True))
    return {
        "apiVersion": "edgemodels.io/v1alpha1",
        "kind": "ModelCatalogue",
        "metadata": {"name": "fuzz"},
        "spec": {
            "git": {"url": "https://gitlab.com/i4q/deploy.git", "branch": "main"},
            "hub": {"namespace": "edge"},
            "defaults": {"namespace": "edge", "imagePullSecrets": ["registry"]},
            "targets": targets,
            "models": [draw(models(n, sorted(targets))) for n in names],
        },
    }


def _exceptions(doc: dict[str, Any]) -> dict[str, tuple[bool, bool]]:
    found = {}
    for model in doc["spec"]["models"]:
        security = model.get("security", {})
        found[model["name"]] = (
            bool(security.get("runAsRoot")),
            bool(security.get("writableRootFilesystem")),
        )
    return found


def _model_of(obj: dict[str, Any]) -> str:
    labels = obj.get("metadata", {}).get("labels", {})
    return str(labels.get("edgemodels.io/model") or labels.get("app.kubernetes.io/name"))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
@given(doc=catalogues())
def test_generated_workloads_of_random_catalogues_are_locked_down(doc: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory(prefix="edgemodels-fuzzcat-") as tmp:
        catalogue = Path(tmp) / "catalogue.yaml"
        catalogue.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        out = Path(tmp) / "out"
        result = run(["generate", str(catalogue), "-o", str(out)])
        assert result.code in (0, 1), describe(result)
        if result.code == 1:
            return  # catalogue findings (e.g. a name budget): nothing generated
        allowed = _exceptions(doc)
        checked = 0
        for obj in workloads(site_objects(out)):
            root_ok, writable_ok = allowed[_model_of(obj)]
            problems = violations(obj, root_ok, writable_ok)
            unlimited = [p for p in problems if p.endswith("no memory limit")]
            assert [p for p in problems if p not in unlimited] == [], problems
            if unlimited:  # only a model that declares no limit; `check` refuses it (P105)
                check = run(["check", str(catalogue)])
                assert check.code == 1 and "P105" in check.out, describe(check)
            checked += 1
        FIGURES["fuzz: random catalogues generated"] += 1
        FIGURES["security: workloads of random catalogues checked"] += checked
