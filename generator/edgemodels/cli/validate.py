"""`edgemodels validate`."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from edgemodels.cli import emit_findings, guarded
from edgemodels.cli.options import fail_on_option, report_options
from edgemodels.cli.paths import PathParam
from edgemodels.cli.terminal import progress
from edgemodels.diagnostics import Diagnostic
from edgemodels.errors import InputError
from edgemodels.validate.k8s_schemas import DEFAULT_KUBERNETES_VERSION
from edgemodels.validate.run import (
    MANIFEST_PATH,
    ValidateOptions,
    enclosing_tree,
    validate_tree,
)

GENERATED_DIR = "generated"  # init.GENERATED_DIR (init imports ruamel.yaml: not loaded here)


def in_folder(d: Diagnostic, folder: Path) -> Diagnostic:
    """A tree-relative path from the working folder; a file outside the tree (absolute, see
    suppressions.outside_tree) from the working folder when it is below it."""
    path = Path(d.location.path)
    if not path.is_absolute():
        return replace(d, location=replace(d.location, path=(folder / path).as_posix()))
    try:  # as policy/loader.py names these files (not imported: the policy engine is heavy)
        shown = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return d
    return replace(d, location=replace(d.location, path=shown))


def default_tree_path() -> Path:
    """generated/ when it holds a generated tree (the layout `init` makes, whose other
    commands default to catalogue/), else the tree the current folder is in (`cd
    generated/hub`), else the generated/ beside the catalogue the current folder is in,
    else the current folder."""
    generated = Path(GENERATED_DIR)
    if (generated / MANIFEST_PATH).is_file():
        return generated
    return enclosing_tree(Path(".")) or _beside_catalogue() or Path(".")


def _beside_catalogue() -> Path | None:
    """`cd catalogue/models`, then check, generate and validate: the first two find the
    catalogue above and generate updates the generated/ beside it, and validate took the
    current folder, catalogue files, and refused it. Only from inside the catalogue's
    folder, which is never a tree to validate itself."""
    # Imported here: the catalogue package takes 0.07-0.1 s to import, rarely needed here.
    from edgemodels.catalogue.default import beside, default_catalogue_path

    try:
        catalogue = default_catalogue_path(Path.cwd())
    except InputError:
        return None
    here, folder = Path.cwd().resolve(), catalogue.resolve()
    inside = catalogue.is_dir() and (here == folder or folder in here.parents)
    generated = beside(catalogue, GENERATED_DIR)
    return generated if inside and (generated / MANIFEST_PATH).is_file() else None


def refuse_missing(directory: Path) -> None:
    """`validate generated` typed in catalogue/: the tree is ../generated, and the words of
    validate_tree (generate it first, with -o generated) would be refused there as well."""
    tree = _beside_catalogue()
    if tree is not None and tree.name == directory.name and not directory.is_absolute():
        raise InputError(
            f"{directory}: no such folder here, in the catalogue's folder (paths start at the "
            f"working folder); the generated tree beside the catalogue is {tree}: "
            f"edgemodels validate {tree}"
        )


@click.command("validate")
@click.argument("directory", required=False, type=PathParam(file_okay=False))
@click.option(
    "--kubernetes-version",
    default=DEFAULT_KUBERNETES_VERSION,
    show_default=True,
    help="Kubernetes schemas to validate against (X.Y or X.Y.0; 1.25 to 1.37).",
)
@click.option(
    "--skip-kind",
    "skip_kinds",
    multiple=True,
    metavar="KIND",
    help="Accept this kind unchecked (Kind or apiVersion/Kind); repeatable. Without it an "
    "unknown kind is an error.",
)
@click.option(
    "--validator",
    type=click.Choice(["auto", "builtin", "kubeconform"]),
    default="auto",
    show_default=True,
    help="Schema backend: kubeconform when on PATH (auto), or the built-in one.",
)
@click.option(
    "--require-all",
    is_flag=True,
    help="Exit 2 instead of skipping a part whose tool is missing (kubectl for kustomize).",
)
@click.option(
    "--strict/--no-strict",
    default=True,
    show_default=True,
    help="Schemas: unknown fields are errors (--no-strict: only types, required fields and "
    "values). Warnings fail the run with --fail-on warning, not with this.",
)
@click.option(
    "--policy-config",
    type=PathParam(dir_okay=False, exists=True),
    help="Policy configuration (default: .edgemodels-policy.yaml found from DIRECTORY up).",
)
@click.option("--no-policies", is_flag=True, help="Skip the manifest policy rules.")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither reuse nor keep the results of model folders that did not change since the "
    "last run (kept in validate/ of $EDGEMODELS_CACHE_DIR, else of $XDG_CACHE_HOME/edgemodels, "
    "else of ~/.cache/edgemodels).",
)
@fail_on_option
@report_options
def command(
    directory: Path | None,
    kubernetes_version: str,
    skip_kinds: tuple[str, ...],
    validator: str,
    require_all: bool,
    strict: bool,
    policy_config: Path | None,
    no_policies: bool,
    no_cache: bool,
    fail_on: str,
    fmt: str,
    output: Path | None,
) -> int:
    """Prove a generated tree will apply, offline, before RHACM pulls it.

    Renders every chart with each placement's values (Helm SDK) and runs Helm lint, builds
    every overlay with `kubectl kustomize`, validates every resulting object and every hub
    manifest against Kubernetes and RHACM/Argo CD JSON Schemas, and checks what RHACM needs
    beyond schemas (channel and placement references, cluster-set bindings, git-paths, name
    budgets). DIRECTORY is the generated tree (default: generated/ when it holds
    .edgemodels/manifest.json, as in a repository made by `init`; else the tree the current
    folder is in; inside the catalogue folder, the generated/ beside it; else the current
    folder), or a folder of hand-written manifests. One with
    neither .edgemodels/manifest.json nor any manifest, chart or kustomization exits 2, and
    so does a folder inside a generated tree, and one that is no generated tree but holds
    one below it or holds catalogue or SiteInventory files.

    Findings are path:line:col: CODE message (K1xx schema, K2xx render/build, K3xx RHACM),
    on the generated file or template, with the catalogue line that produced the object.
    Exit 0 when clean, 1 with errors (or warnings with --fail-on warning), 2 on a bad
    option, an invalid policy config, a missing tool or a folder with nothing to validate.

    \b
    Example:
      edgemodels validate deploy/
      edgemodels validate deploy/ --kubernetes-version 1.31 --format json
      edgemodels validate deploy/ --skip-kind SealedSecret --require-all
    """

    def body() -> int:
        if directory is not None and not directory.exists():
            refuse_missing(directory)
        folder = directory or default_tree_path()

        def notice(finding: Diagnostic) -> None:
            # Before a long build: said at once on stderr (CI logs too), reported again below
            click.echo(f"edgemodels: note: {in_folder(finding, folder).render()}", err=True)

        options = ValidateOptions(
            kubernetes_version=kubernetes_version,
            skip_kinds=skip_kinds,
            validator=validator,  # type: ignore[arg-type]  # click.Choice restricts it
            require_all=require_all,
            strict=strict,
            policies=not no_policies,
            policy_config=policy_config,
            result_cache=not no_cache,
            progress=progress,
            notice=notice,
        )
        # Findings name files relative to the tree; shown relative to where the user is, so
        # editors and CI annotations (GitLab, GitHub, SARIF) can open them.
        diags = [in_folder(d, folder) for d in validate_tree(folder, options)]
        warnings_fail = fail_on == "warning"  # not --strict, which is about schemas
        return emit_findings(diags, fmt, f"validated {folder}", warnings_fail, output=output)

    return guarded(body)
