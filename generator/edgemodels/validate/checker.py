"""The checker of `validate`: the one thread that checks objects (the rules, the built-in
schemas, the name budgets) while the charts render and the builds run, in batches, and
the checks it was given, waited for at the end. pipeline.py makes one per run.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from edgemodels.diagnostics import Diagnostic
from edgemodels.policy import PolicySet
from edgemodels.validate.backends import SchemaSettings, schema_findings
from edgemodels.validate.helm import Rendered
from edgemodels.validate.kustomize import Built
from edgemodels.validate.manifests import Manifest
from edgemodels.validate.objectchecks import name_findings
from edgemodels.validate.offload import Builds
from edgemodels.validate.policies import policy_findings
from edgemodels.validate.report import Finding
from edgemodels.validate.reuse import Reuse

CHECK_BATCH = 500  # rendered objects per call of the manifest rules


@dataclass
class Checker:
    """The one thread that checks objects (the rules, the built-in schemas, the name
    budgets) while charts render and builds run, and what it was given to check."""

    pool: ThreadPoolExecutor
    root: Path
    settings: SchemaSettings
    policies: PolicySet | None
    clean: set[str]
    builds: Builds
    checking: list[Future[tuple[list[Diagnostic], list[Finding]]]] = field(default_factory=list)
    waiting: list[Manifest] = field(default_factory=list)  # rendered, not yet given to it
    # Built objects are checked as the build process sends them (its rules checked them
    # there): here between renders, then as the last builds end; not all at the end.
    checking_built: list[Future[list[Finding]]] = field(default_factory=list)

    @property
    def batched(self) -> bool:
        return self.settings.backend == "builtin"  # kubeconform: one process for everything

    def schemas_and_names(self, manifests: list[Manifest]) -> list[Finding]:
        """The schemas' and name budgets' findings on `manifests`."""
        settings, root, clean = self.settings, self.root, self.clean
        schemas = schema_findings(manifests, settings, root, clean) if self.batched else []
        return schemas + name_findings(manifests)

    def checks(self, manifests: list[Manifest]) -> tuple[list[Diagnostic], list[Finding]]:
        """(the rules' findings, the schemas' and name budgets') on `manifests`."""
        rules = policy_findings(self.root, manifests, self.policies)
        return rules, self.schemas_and_names(manifests)

    def check(self, rendered: Rendered | None) -> None:
        """Given each chart's renders as they are ready, and None once all are: the renders
        and the built objects that arrived meanwhile go to the checker thread."""
        # In batches: a check per chart (600 on the fleet) cost 0.2 s more CPU, in
        # futures and in handing the interpreter lock between threads.
        waiting = self.waiting
        waiting.extend(rendered.manifests if rendered else [])
        if len(waiting) >= CHECK_BATCH or (rendered is None and waiting):
            self.checking.append(self.pool.submit(self.checks, list(waiting)))
            waiting.clear()
        self.checking_built.extend(
            self.pool.submit(self.schemas_and_names, s) for s in self.builds.arrived()
        )

    def collect(self, reuse: Reuse) -> Built:
        """Wait for the checks, the builds' too, and give every finding to `reuse`."""
        for future in self.checking:
            by_rules, by_checks = future.result()
            reuse.record(by_checks, by_rules)
        last = [f for sent in self.builds.coming() for f in self.schemas_and_names(sent)]
        built, checked_built = self.builds.result(self.policies)
        if self.builds.ahead:  # the objects were checked as they came
            reuse.record([f for future in self.checking_built for f in future.result()] + last)
        else:  # built here after all (or on a small tree): checked now
            reuse.record(self.schemas_and_names(built.manifests))
        reuse.record((), checked_built)
        reuse.made_builds(built.manifests, built.findings)
        return built
