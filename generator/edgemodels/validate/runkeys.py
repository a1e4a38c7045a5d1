"""The result cache's keys from a run's settings: the checks' key (the schemas, the policies
and their files) and each chart's release inputs; apart from pipeline.py, which runs the
checks. Imported by it, so only once the builds are under way.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from edgemodels.policy import PolicySet
from edgemodels.policy.loader import default_pack_files
from edgemodels.validate import resultcache, unitbounds
from edgemodels.validate.backends import SchemaSettings
from edgemodels.validate.chartrenders import refs_by_chart
from edgemodels.validate.gitpaths import PackageRef


def checks_key(settings: SchemaSettings, policies: PolicySet | None, started_ns: int) -> str | None:
    """What the checks of an object depend on besides it (resultcache.py); None with
    kubeconform, whose findings on all objects come from one process at the end, and when
    a policy file changed since the run started at `started_ns` (after it was read?)."""
    if settings.backend != "builtin" or not policies_settled(policies, started_ns):
        return None
    files = [] if policies is None else sorted(_policy_files(policies))
    values = (
        settings.kubernetes_version,
        settings.strict,
        sorted(settings.skip_kinds),
        settings.k8s_folder,
        policies is not None,
        # `ignore:` paths match the catalogue files findings came from, named from the
        # working folder as the generator named them (policy/engine.py apply_ignores)
        os.getcwd() if policies is not None and policies.ignores else "",
    )
    return resultcache.checks_key(values, files)


def policies_settled(policies: PolicySet | None, started_ns: int) -> bool:
    """Whether no policy file changed since the run started: checked when the checks' key
    is made and again at the end, as the build process reads them once it builds."""
    files = [] if policies is None else _policy_files(policies)
    return all(unitbounds.settled(os.fspath(f), started_ns) for f in files if f.exists())


def _policy_files(policies: PolicySet) -> set[Path]:
    files = {Path(r.origin) for r in policies.rules if r.origin != "default"}
    files.update(default_pack_files())
    if policies.config_path:
        files.add(Path(policies.config_path))
    return files


def release_inputs(
    charts: Sequence[str], refs: Sequence[PackageRef], settings: SchemaSettings
) -> dict[str, str]:
    by_chart = refs_by_chart(refs)
    version = settings.kubernetes_version
    return {c: resultcache.release_inputs(by_chart.get(c, []), version) for c in charts}
