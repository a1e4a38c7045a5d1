"""What validate found in a model folder, reused while nothing it depends on changed.

Most of a validate run is the model folders: every chart rendered for each placement and
linted, every kustomize overlay built with kubectl, every object they make checked. Between
two runs on one tree (a commit's hook, a merge request's pipeline) a model or two changed.

A *unit* is a chart folder, or a kustomize family (the folder above `overlays/`, all of its
overlays together: they are twins of each other and built side by side). Its entry holds
the objects it made, the findings of its render or build, and the checks of those objects.
Two keys decide whether an entry is still true:

- the unit's key: every byte and name of its folder, the program (by size and modification
  time: edgemodels' code and data, the Python executable, the libraries findings come from
  (LIBRARIES, with the Helm SDK's Go library or the one HELM_C_LIB names), the kubectl
  binary, and for a kubectl that runs another of its choosing the version it says it runs),
  the tree's path as given and its real path (lint messages and templates are named from
  it), and for a chart the Kubernetes version its lint uses, whether its lint is shared,
  and the hub objects whose values it renders with (their text);
- the checks' key: the Kubernetes version and schemas, `--strict`, `--skip-kind` and the
  policy files (their bytes), and with `ignore:` paths the working folder (they match the
  catalogue files findings came from, named from it). When only this changed, the objects
  are checked again.

Only what did not change while the run read it goes in: every file of a unit must be older
than the run (settled), and so must the policy files for the checks' results (at the end
too: the build process reads them once its first build starts).

Never reused, always run: a folder holding a symlink; a family whose kustomizations name
anything outside it (a resource, a patch, a generator's file, a remote) or a resource that
is not there; a family whose build failed (a build can fail for reasons outside its files:
a timeout, a killed kubectl); everything when a tree has a kustomize overlay that reaches
outside its family (its findings may land anywhere), when kubectl is missing, or with the
kubeconform backend. The hub files, the RHACM and Argo CD checks across objects, and
suppressions always run: they are cheap and look across units.

Where the entries are kept: resultstore.py. What a unit may depend on to go in at all (only
its folder, nothing changed while the run read it): unitbounds.py.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from edgemodels.fsnames import name_bytes
from edgemodels.validate.gitpaths import PackageRef
from edgemodels.validate.kubectl import client_version
from edgemodels.validate.owners import family
from edgemodels.validate.resultstore import FORMAT
from edgemodels.validate.unitbounds import under

# --- keys ----------------------------------------------------------------------------------


def digest(*parts: object) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else name_bytes(str(part))
        h.update(b"%d:" % len(data))
        h.update(data)
    return h.hexdigest()


def _named(kind: bytes, name: str) -> bytes:
    """`kind<length>:<name>`, the name as its bytes: under an ASCII locale a name that is
    not ASCII holds surrogates, which strict UTF-8 refuses (`validate` stopped on it)."""
    raw = os.fsencode(name)
    return kind + b"%d:" % len(raw) + raw


def folder_digest(folder: str) -> str | None:
    """A hash of every name and byte below `folder`; None when it holds a symlink or
    something else than files and folders, or cannot be read."""
    h = hashlib.sha256()
    try:
        return h.hexdigest() if _add_folder(h, folder, "") else None
    except OSError:
        return None


def _add_folder(h: hashlib._Hash, folder: str, rel: str) -> bool:
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda e: e.name)
    for entry in entries:
        name = f"{rel}/{entry.name}"
        if entry.is_symlink():
            return False
        if entry.is_dir():
            h.update(_named(b"d", name))
            if not _add_folder(h, entry.path, name):
                return False
        elif entry.is_file():
            with open(entry.path, "rb") as file:
                data = file.read()
            h.update(_named(b"f", name) + b":%d:" % len(data))
            h.update(data)
        else:
            return False
    return True


# The libraries whose code makes, words or places findings: the Helm SDK (its Go library
# in lib/), the schema validator, the YAML readers, the policies' CEL. Upgraded, their
# files are written anew. (kubernetes-validate: its version names the schema folder.)
LIBRARIES = ("helm_python", "jsonschema_rs", "yaml", "yaml_rs", "ruamel.yaml", "cel")


def program_key(root: Path) -> str:
    """What every unit's result depends on besides its own inputs. The tree's path is
    there as given and from the working folder too, not only as its real path: charts'
    lint messages and template files are named from it."""
    from edgemodels.server.stamp import code_stamp

    where = (os.path.realpath(root), os.path.abspath(root), os.fspath(root))
    libraries = [_library(name) for name in LIBRARIES]
    return digest(FORMAT, code_stamp(), *where, *libraries, _helm_library())


def _library(name: str) -> str:
    """Every file of the installed package `name`, by size and modification time."""
    from importlib.util import find_spec

    spec = find_spec(name)  # not imported: helm_python's import starts Go (0.08 s)
    if spec is None or not spec.origin:
        return f"{name} missing"
    return "\n".join(_stats(os.path.dirname(spec.origin)))


def _helm_library() -> str:
    """The Go library HELM_C_LIB names, which the Helm SDK loads instead of its own."""
    given = os.environ.get("HELM_C_LIB")
    if not given:
        return "packaged"
    path = os.path.realpath(os.path.expanduser(given))
    try:
        if not os.path.isdir(path):
            return _stat(path)
        return "\n".join(_stat(e.path) for e in os.scandir(path) if "helm_c" in e.name)
    except OSError:
        return f"{path} missing"


def _stat(path: str) -> str:
    real = os.path.realpath(path)
    info = os.stat(real)
    return f"{real} {info.st_size} {info.st_mtime_ns}"


def _stats(folder: str) -> list[str]:
    """The files below `folder` (not __pycache__), by size and modification time."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return [f"{folder} missing"]
    found = []
    for entry in entries:
        if entry.is_dir():
            if entry.name != "__pycache__":
                found += _stats(entry.path)
        elif entry.is_file():
            found.append(_stat(entry.path))
    return found


def checks_key(settings: Iterable[object], policy_files: Iterable[Path]) -> str:
    """The checks' key: `settings` as given, and the bytes of the policy files."""
    parts: list[object] = [FORMAT, *settings]
    for path in policy_files:
        try:
            parts += [path, path.read_bytes()]
        except OSError as exc:
            parts += [path, f"unreadable: {exc}"]
    return digest(*parts)


def chart_key(
    program: str, root: Path, chart: str, shared: bool, inputs: str, content: str | None
) -> str | None:
    """A chart's key. `content`: a hash of its folder made on the way by chartlint (None:
    made here)."""
    if not program:
        return None
    how = "lint walk"
    if content is None:
        how, content = "walk", folder_digest(os.path.join(root, chart))
    if content is None:
        return None
    return digest(program, "chart", chart, how, content, shared, inputs)


def release_inputs(refs: Sequence[PackageRef], kube_version: str) -> str:
    """What of the hub objects pointing at a chart its renders read: their text (which
    their data is read from, and findings on their values are placed by) and where in it
    they are."""
    parts: list[object] = [kube_version]
    for ref in refs:
        m = ref.manifest
        parts += [
            m.source.path,
            m.source.index,
            m.line,
            m.context,
            hashlib.sha256(m.source.text.encode()).hexdigest(),  # its data, and positions
            ref.pointer,
            ref.raw,
            ref.relative,
            ref.problem,
        ]
    return digest(*parts)


# --- families ------------------------------------------------------------------------------


def family_keys(
    program: str, root: Path, builds: Sequence[str], contained: set[int]
) -> dict[str, str | None]:
    """{family folder: its key, or None when it is never reused}. Every family is None when
    one overlay reaches outside its family (`contained` lacks it) or kubectl is missing.
    Whether its own kustomizations stay inside it is asked before it goes in
    (stays_inside), not here, where families are taken."""
    members: dict[str, list[str]] = {}
    for target in builds:
        members.setdefault(family(target), []).append(target)
    kubectl = shutil.which("kubectl")
    tool = kubectl_key(kubectl) if kubectl else None
    if not program or tool is None or len(contained) < len(builds) or _nested(members):
        return dict.fromkeys(members)
    program = digest(program, tool)
    top = os.fspath(root)
    found: dict[str, str | None] = {}
    for home, targets in members.items():
        content = folder_digest(os.path.join(top, home))
        found[home] = (
            None if content is None else digest(program, "family", home, content, *sorted(targets))
        )
    return found


def kubectl_key(binary: str) -> str | None:
    """The kubectl on PATH by size and modification time; one that runs a kubectl of its
    choosing by the version it says it runs too, asked as the builds would ask it: gcloud's
    dispatcher (beside its kubectl.1.NN) picks the one of the cluster KUBECONFIG names, a
    shim (a script; a link to mise, aqua or snap) the one its configuration names. None:
    it cannot say."""
    try:
        real = os.path.realpath(binary)
        found = _stat(real)
        if not _dispatches(real):
            return found
    except OSError:
        return None
    version = client_version(binary)
    return None if version is None else f"{found}\n{version}"


_VERSIONED = re.compile(r"kubectl\.[0-9]")


def _dispatches(real: str) -> bool:
    if not os.path.basename(real).startswith("kubectl"):
        return True  # a link to a program that runs many tools
    with open(real, "rb") as file:
        if file.read(2) == b"#!":
            return True
    return any(_VERSIONED.match(name) for name in os.listdir(os.path.dirname(real)))


def _nested(members: Mapping[str, object]) -> bool:
    """Whether a family folder holds another (their files would be both's)."""
    return any(under(home, members) is not None for home in members)
