"""R230: `spec.hub.argocd.syncOptions`, which go as written into every generated
Application's `syncPolicy.syncOptions`.

Argo CD looks an Application's sync options up by the exact string (`ServerSideApply=true`,
not `ServerSideApply=yes`) and ignores any it does not know, so a misspelt option changes
nothing without a word. The options and values an Application may carry are those of Argo
CD's user guide (argoproj/argo-cd, docs/user-guide/sync-options.md).

`CreateNamespace=true` is what `spec.hub.argocd.createNamespace` writes first: an option of
the list that says otherwise is an error, since Argo CD follows the `true` one in the same
list (or the list's `true` when createNamespace is false).
"""

from __future__ import annotations

from collections.abc import Iterator

from edgemodels.catalogue.sources import Merged
from edgemodels.diagnostics import Diagnostic, finding

CODE, NAME = "R230", "argocd-sync-option"
KNOWN: dict[str, tuple[str, ...]] = {
    "ApplyOutOfSyncOnly": ("true",),
    "ClientSideApplyMigration": ("false",),
    "CreateNamespace": ("true",),
    "Delete": ("false", "confirm"),
    "FailOnSharedResource": ("true",),
    "Prune": ("false", "confirm"),
    "PruneLast": ("true",),
    "PrunePropagationPolicy": ("foreground", "background", "orphan"),
    "Replace": ("true",),
    "RespectIgnoreDifferences": ("true", "false"),
    "ServerSideApply": ("true", "false"),
    "SkipDryRunOnMissingResource": ("true",),
    "Validate": ("false",),
}
CREATE = "CreateNamespace"
_CONTRADICTS = "contradicts createNamespace: "


def check_sync_options(merged: Merged) -> Iterator[Diagnostic]:
    hub = merged.sections.get("hub")
    argo = hub.get("argocd") if hub is not None else None
    if hub is None or not isinstance(argo, dict):
        return
    options = argo.get("syncOptions")
    create = argo.get("createNamespace", True)
    for i, option in enumerate(options if isinstance(options, list) else ()):
        if not isinstance(option, str):
            continue  # the schema's
        problem = _create_namespace(option, create) or _unknown(option)
        if problem:
            where = hub.child("argocd").at("syncOptions", i)
            message = f"sync option '{option}': {problem}"
            if problem.startswith(_CONTRADICTS):
                yield finding(where, CODE, NAME, message)
            else:
                yield finding(where, CODE, NAME, message, "warning")


def _create_namespace(option: str, create: object) -> str:
    """Why a `CreateNamespace=...` entry contradicts createNamespace ("" when it does not)."""
    key, _, value = option.partition("=")
    if key != CREATE or value not in ("true", "false") or (value == "true") == (create is True):
        return ""
    if create is True:
        return (
            _CONTRADICTS
            + "the generated Applications also carry CreateNamespace=true (createNamespace is "
            "true), which Argo CD follows; set spec.hub.argocd.createNamespace: false instead"
        )
    return (
        _CONTRADICTS + "Argo CD then creates the namespace although createNamespace is false; set "
        "spec.hub.argocd.createNamespace instead of this option"
    )


def _unknown(option: str) -> str:
    key, eq, value = option.partition("=")
    if key == CREATE and value == "false":
        return ""  # _create_namespace's, or what createNamespace: false means anyway
    if not eq or key not in KNOWN:
        return (
            "Argo CD ignores an option it does not know; known at the Application level: "
            + ", ".join(f"{k}={'|'.join(v)}" for k, v in KNOWN.items())
        )
    if value in KNOWN[key]:
        return ""
    allowed = " or ".join(f"{key}={v}" for v in KNOWN[key])
    return f"Argo CD matches the exact string and ignores this one; write {allowed}"
