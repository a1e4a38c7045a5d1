"""A catalogue change reaches the sites whole: RHACM's update of a Kustomize model's objects,
modelled, leaves each site object equal to the newly generated one (no stale keys).

RHACM updates an existing object (stolostron/multicloud-operators-subscription,
pkg/synchronizer/kubernetes/synchronizer.go `updateResourceByTemplateUnit`) with
`jsonpatch.CreateThreeWayJSONMergePatch(tpl, tpl, live)` applied as a JSON merge patch,
unless the object says `reconcile-option: replace` (then a PUT of the template); Services,
ServiceAccounts and Namespaces are always merged. Helm models are upgraded by Helm's own
three-way merge, which removes keys, so only Kustomize models are modelled here.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from edgemodels.catalogue.model import Catalogue, ContainerSpec, SecurityException

from .samples import fleet, seed
from .test_site_manifests import all_packaged, site_outputs
from .tooling import by_key, render, write_out

RECONCILE_OPTION = "apps.open-cluster-management.io/reconcile-option"
ALWAYS_MERGED = {"Service", "ServiceAccount", "Namespace"}  # `isSpecialResource`


def merge_patch(live: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
    """The three-way patch with original = modified = template: what the template sets that
    the live object lacks or holds otherwise; keys only the live object has are not deleted
    (the original, being the template, never had them)."""
    patch: dict[str, Any] = {}
    for key, value in template.items():
        current = live.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            nested = merge_patch(current, value)
            if nested:
                patch[key] = nested
        elif key not in live or current != value:
            patch[key] = value  # lists and scalars are replaced whole
    return patch


def apply_merge_patch(target: Any, patch: dict[str, Any]) -> dict[str, Any]:
    """RFC 7386."""
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict):
            out[key] = apply_merge_patch(out.get(key), value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def rhacm_update(live: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
    """The object on the site after RHACM applied `template` over `live`."""
    annotations = template["metadata"].get("annotations") or {}
    if annotations.get(RECONCILE_OPTION) == "replace" and template["kind"] not in ALWAYS_MERGED:
        return copy.deepcopy(template)
    return apply_merge_patch(live, merge_patch(live, template))


def test_the_model_of_rhacm_keeps_a_removed_key_unless_replaced() -> None:
    # The defect the generator must avoid, as RHACM shows it: a merge never removes a key.
    live = {"kind": "ConfigMap", "metadata": {"name": "m"}, "data": {"a": "1", "b": "2"}}
    template = {"kind": "ConfigMap", "metadata": {"name": "m"}, "data": {"a": "3"}}
    assert rhacm_update(live, template)["data"] == {"a": "3", "b": "2"}
    template["metadata"]["annotations"] = {RECONCILE_OPTION: "replace"}
    assert rhacm_update(live, template) == template
    service = {**template, "kind": "Service"}
    assert rhacm_update({**live, "kind": "Service"}, service)["data"] == {"a": "3", "b": "2"}


def _one_model(catalogue: Catalogue, name: str) -> Catalogue:
    cat = all_packaged(catalogue, "kustomize")
    return replace(cat, models=tuple(m for m in cat.models if m.name == name), workloads=())


def _copy_to_image_volume() -> tuple[Catalogue, Catalogue]:
    cat = _one_model(fleet(), "embeddings")
    model = cat.models[0]
    assert model.container is not None
    spec = model.container

    def delivered(how: str) -> Catalogue:
        container = ContainerSpec(spec.model_path, spec.size, how)  # type: ignore[arg-type]
        return replace(cat, models=(replace(model, container=container),))

    return delivered("copy"), delivered("imageVolume")


def _exception_removed() -> tuple[Catalogue, Catalogue]:
    new = _one_model(seed(), "lrt")
    model = new.models[0]
    assert model.http is not None
    exception = SecurityException(True, True, "vendor image needs root")
    # The old one also had pull secrets and a runAsUser the new one drops.
    old_model = replace(model, security=exception, http=replace(model.http, run_as_user=1001))
    old = replace(new, models=(old_model,))
    return old, replace(new, defaults=replace(new.defaults, image_pull_secrets=()))


@pytest.mark.parametrize(
    "change",
    [_copy_to_image_volume, _exception_removed],
    ids=["copy-to-imageVolume", "exception-pull-secrets-runAsUser-removed"],
)
def test_site_objects_equal_the_new_ones_after_rhacm_updates_them(
    change: Any, tmp_path: Path
) -> None:
    old_catalogue, new_catalogue = change()
    before = _site_objects(old_catalogue, tmp_path / "old")
    after = _site_objects(new_catalogue, tmp_path / "new")
    kept = set(before) & set(after)
    assert kept, "the change must update objects, not only replace them"
    changed = {key for key in kept if before[key] != after[key]}
    assert changed  # the scenario does change the objects it keeps
    for key in sorted(kept):
        assert rhacm_update(before[key], after[key]) == after[key], key


def _site_objects(catalogue: Catalogue, root: Path) -> dict[tuple[str, str, str], Any]:
    tree = render(catalogue)
    outputs = site_outputs(tree, write_out(tree, root))
    return {
        (sub, kind, name): obj
        for sub, objects in outputs.items()
        for (kind, name), obj in by_key(objects).items()
    }
