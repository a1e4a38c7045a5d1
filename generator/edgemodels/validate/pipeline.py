"""What `validate_tree` does once the kustomize builds are under way: render the charts
(chartrenders.py), load the plain manifests, check everything (checker.py: objects as they
come), gather the findings and apply the catalogue's suppressions (suppressions.py).
run.py starts the builds and walks the tree before it imports this module (and with it
those three).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Literal, cast

from edgemodels.diagnostics import Diagnostic, sort_diagnostics
from edgemodels.errors import InputError, ToolMissingError, UsageError
from edgemodels.policy import PolicySet, load_policies
from edgemodels.policy.loader import refuse_invalid_config
from edgemodels.validate import cores, k8s_schemas, kubeconform
from edgemodels.validate.acm_checks import acm_findings, hub_findings
from edgemodels.validate.argocd_checks import argocd_findings
from edgemodels.validate.backends import SchemaSettings, schema_findings
from edgemodels.validate.chartlint import shared_lints
from edgemodels.validate.chartrenders import render_charts
from edgemodels.validate.checker import Checker
from edgemodels.validate.discover import TreeLayout
from edgemodels.validate.gitpaths import PackageRef, package_refs
from edgemodels.validate.helm import Rendered
from edgemodels.validate.kustomize import Built
from edgemodels.validate.listed import (
    interrupted_write,
    listed_files,
    missing_files,
    objectless_templates,
)
from edgemodels.validate.manifests import Manifest, Source, manifests_of
from edgemodels.validate.offload import Builds
from edgemodels.validate.report import Finding, finding, merge
from edgemodels.validate.reuse import Reuse
from edgemodels.validate.run import ParsedDocument, ValidateOptions
from edgemodels.validate.runkeys import checks_key, policies_settled, release_inputs
from edgemodels.validate.streamload import holds_no_object, not_utf8
from edgemodels.validate.suppressions import catalogue_files, catalogue_suppressions, outside_tree


def prepare(options: ValidateOptions) -> SchemaSettings:
    """Check the options and make the schema folders ready (cached after the first run)."""
    version = k8s_schemas.normalize_version(options.kubernetes_version)
    cache_dir = options.cache_dir or k8s_schemas.default_cache_dir()
    binary = kubeconform.find_binary(options.kubeconform)
    named = options.kubeconform or os.environ.get("EDGEMODELS_KUBECONFORM")
    if named and binary is None and options.validator != "builtin":
        # Asked for by name: not there is an error, not a quiet fall-back to the builtin one.
        where = named if options.kubeconform else f"$EDGEMODELS_KUBECONFORM={named}"
        raise ToolMissingError(f"{where}: no such program (kubeconform)")
    if options.validator == "kubeconform" and binary is None:
        raise ToolMissingError("--validator kubeconform: kubeconform not found on PATH")
    if options.validator not in ("auto", "builtin", "kubeconform"):
        raise UsageError(f"unknown validator {options.validator!r}")
    backend: Literal["builtin", "kubeconform"] = "builtin"
    if options.validator == "kubeconform" or (options.validator == "auto" and binary):
        backend = "kubeconform"
    folder = k8s_schemas.ensure_standalone(version, options.strict, cache_dir)
    return SchemaSettings(
        version,
        options.strict,
        folder,
        folder.parent,
        cache_dir,
        tuple(options.skip_kinds),
        backend,
        binary if backend == "kubeconform" else None,
    )


def load_plain(
    root: Path, paths: Iterable[str], reuse: Reuse | None = None, empty: set[str] | None = None
) -> tuple[list[Manifest], list[Finding], set[str]]:
    """(manifests, findings, files that loaded cleanly) of the tree's plain manifest files;
    a file the result cache holds as it is now is not parsed again. The files that hold
    no object (only comments, or nothing) are added to `empty`."""
    manifests: list[Manifest] = []
    found: list[Finding] = []
    clean: set[str] = set()
    for rel in paths:
        try:
            data = (root / rel).read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {root / rel}: {exc.strerror or exc}") from exc
        if empty is not None and holds_no_object(data):
            empty.add(rel)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:  # a finding: the rest of the tree is still checked
            found.append((not_utf8(rel, data, exc), ""))
            continue
        entry = reuse.take_file(rel, text) if reuse is not None else None
        if entry is not None:
            docs, problems = list(entry.manifests), list(cast(tuple[Finding, ...], entry.made))
        else:
            parsed, diagnostics = manifests_of(rel, text)
            docs, problems = parsed, [(p, "") for p in diagnostics]
            if reuse is not None:
                reuse.made_file(rel, docs, problems)
        manifests.extend(docs)
        found.extend(problems)
        if not problems:
            clean.add(rel)
    return manifests, found, clean


def _hub_checks(
    hub: list[Manifest], refs: Sequence[PackageRef], root: Path
) -> tuple[list[Diagnostic], list[Finding]]:
    return [], hub_findings(hub, refs, root)


def check_tree(
    root: Path,
    options: ValidateOptions,
    layout: TreeLayout,
    builds: Builds,
    reuse: Reuse | None = None,
) -> list[Diagnostic]:
    """Every finding on the tree at `root`, sorted, once `builds` has been given `layout`
    (without the families `reuse` took from the result cache).

    Helm renders here meanwhile; its Go code releases the GIL, so charts render side by side
    too, in threads (Go does not survive fork). The rules and the built-in schemas check the
    plain manifests meanwhile, and the rendered ones in batches as charts are done, which
    leaves little for the end, when only one core has work.
    """
    reuse = reuse or Reuse.off()
    with ThreadPoolExecutor(1) as pool:
        settings, policies = _read_checks(options, root, reuse)
        empty = set(layout.objectless)
        plain, found, clean = load_plain(root, layout.plain_files, reuse, empty)
        found += _layout_findings(root, layout, empty)
        refs = package_refs(plain, root)
        checker = Checker(pool, root, settings, policies, clean, builds)
        fresh = reuse.unchecked_files() if reuse.on else None
        checking_plain = pool.submit(
            checker.checks, plain if fresh is None else [m for m in plain if m.source.path in fresh]
        )
        hub = pool.submit(_hub_checks, plain, refs, root)
        content: dict[str, str | None] = {}
        sharing = shared_lints(root, layout.charts, content if reuse.on else None)
        inputs = partial(release_inputs, layout.charts, refs, settings)
        taken = reuse.take_charts(layout.charts, inputs, sharing, content)
        # The objects of the charts and families: checked in batches, each finding recorded
        # for the result cache by the unit it lands in.
        checker.checking = [pool.submit(checker.checks, batch) for batch in reuse.unchecked()]
        rendered, lint_found = _render(root, layout, refs, options, checker, sharing, taken)
        builds.renders_done()
        every = _with_renders(plain, layout.charts, rendered, taken, reuse, found)
        found.extend(lint_found)
        checker.check(None)
        by_rules, by_plain = checking_plain.result()
        reuse.record_files(by_plain, by_rules)
        found += hub.result()[1]
        built = checker.collect(reuse)
    return _final_findings(checker, reuse, plain, every, built, refs, found)


def _read_checks(
    options: ValidateOptions, root: Path, reuse: Reuse
) -> tuple[SchemaSettings, PolicySet | None]:
    """The schema settings and the policies; the key of the checks for the result cache."""
    settings = prepare(options)
    policies = load_policies(options.policy_config, root) if options.policies else None
    if policies is not None:
        refuse_invalid_config(policies)
    reuse.checks = checks_key(settings, policies, reuse.started_ns)
    return settings, policies


def _layout_findings(root: Path, layout: TreeLayout, empty: set[str]) -> list[Finding]:
    """What the walk of the tree found, and the files its listing names that are missing."""
    found: list[Finding] = []
    found += [(refused, "") for refused in layout.refused]  # their builds are not made
    found += [(duplicate, "") for duplicate in layout.duplicates]
    found += [(slow, "") for slow in layout.slow]
    listed = listed_files(root) or []
    empty.update(objectless_templates(root, layout.charts, listed))
    found += missing_files(root, listed, empty)
    found += interrupted_write(root)
    return found


def _render(
    root: Path,
    layout: TreeLayout,
    refs: Sequence[PackageRef],
    options: ValidateOptions,
    checker: Checker,
    sharing: Mapping[str, str],
    taken: Mapping[str, Rendered],
) -> tuple[dict[str, Rendered], list[Finding]]:
    """Every chart rendered, in threads, each given to `checker` as it is done."""
    with ThreadPoolExecutor(max_workers=cores.available()) as pool:
        return render_charts(
            root,
            layout.charts,
            refs,
            checker.settings,
            pool,
            options,
            checker.check,
            checker.builds.render_gate(),
            sharing,
            taken,
        )


def _with_renders(
    plain: list[Manifest],
    charts: Sequence[str],
    rendered: Mapping[str, Rendered],
    taken: Mapping[str, Rendered],
    reuse: Reuse,
    found: list[Finding],
) -> list[Manifest]:
    """The plain and rendered objects; the renders' findings are added to `found`, and
    what was rendered (not taken from the result cache) is given to `reuse`."""
    every = list(plain)
    for chart in charts:
        every.extend(rendered[chart].manifests)
        found.extend(rendered[chart].findings)
        if chart not in taken:
            reuse.made_chart(chart, rendered[chart], rendered[chart].manifests)
    return every


def _final_findings(
    checker: Checker,
    reuse: Reuse,
    plain: list[Manifest],
    every: list[Manifest],
    built: Built,
    refs: Sequence[PackageRef],
    found: list[Finding],
) -> list[Diagnostic]:
    """With the checks done: the findings across objects and those kept from the result
    cache joined to `found`, the catalogue's suppressions applied, the cache saved."""
    root, policies = checker.root, checker.policies
    kept, kept_found, kept_diags = reuse.taken()
    every.extend(built.manifests)
    every.extend(kept)
    found.extend(built.findings)
    files_found, files_diags = reuse.files_taken()
    found += reuse.found + kept_found + reuse.files_found + files_found
    if not checker.batched:  # kubeconform: one process for everything
        found.extend(schema_findings(every, checker.settings, root, checker.clean))
    found.extend(argocd_findings(plain, every, refs, root))
    rules_found = reuse.files_diags + files_diags + reuse.diags + kept_diags
    diags = merge(found) + (rules_found if policies is not None else [])
    elsewhere = list(policies.diagnostics) if policies is not None else []
    kept_suppressed = catalogue_suppressions(
        diags + elsewhere, catalogue_files(every), policies, root
    )
    if not policies_settled(policies, reuse.started_ns):
        reuse.checks = None  # edited while the run read them (the build process too, later)
    reuse.save()
    return sort_diagnostics(outside_tree(diags, kept_suppressed))


def check_documents(
    documents: Sequence[ParsedDocument], options: ValidateOptions, root: Path | None = None
) -> list[Diagnostic]:
    """What run.validate_documents does (it imports this module only when called)."""
    settings = prepare(options)
    manifests: list[Manifest] = []
    found: list[Finding] = []
    for doc in documents:
        manifest = Manifest({}, Source(doc.path, doc.text, doc.index))
        if not isinstance(doc.data, dict):
            found.append(
                finding(manifest, (), "K107", "document is not a mapping, not a Kubernetes object")
            )
            continue
        manifests.append(Manifest(doc.data, manifest.source))
    refs = package_refs(manifests, root) if root is not None else []
    found.extend(schema_findings(manifests, settings, root or Path.cwd(), set()))
    found.extend(acm_findings(manifests, manifests, refs, root or Path.cwd()))
    found.extend(argocd_findings(manifests, manifests, refs, root or Path.cwd()))
    return sort_diagnostics(merge(found))
