"""Kubernetes and OCI name syntax: label keys and values, DNS names, image references,
versions. Pure functions, shared by the catalogue checks, the generator and the policies."""

from __future__ import annotations

import re
from dataclasses import dataclass

from edgemodels.display import quoted

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Service names: ValidateServiceName in kubernetes pkg/apis/core/validation (a DNS-1123 label
# that starts with a letter).
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
LOOSE_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._+-]{0,62}$")
# A branch name git accepts (a safe subset of git check-ref-format), never an option.
GIT_BRANCH = re.compile(r"^(?!-)(?!.*\.\.)(?!.*//)[A-Za-z0-9._/-]+(?<![./])$")

# Length budgets of the objects generated from catalogue names.
MAX_APPLICATION_NAME = 37  # RHACM console/application limit
MAX_LABEL_VALUE = 63
MAX_OBJECT_NAME = 253


def joined_name(*parts: str) -> str:
    """`parts` joined with '-', kept within a label value: a longer join is cut and ends
    with 8 hex digits of its sha256 (RHACM labels what a Subscription deploys with its
    name, and decisions carry Placement names)."""
    name = "-".join(parts)
    if len(name) <= MAX_LABEL_VALUE:
        return name
    from hashlib import sha256  # here: most names fit, and OpenSSL is slow to load

    digest = sha256(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_LABEL_VALUE - 9].rstrip('-')}-{digest}"


def cluster_name_room(prefix: str) -> int:
    """How long a cluster name may be for `<prefix>-<cluster>`, an Argo CD Application's
    name (render/argoapps.application_template), to stay a label value: Argo CD's label
    tracking puts the Application's name on every object it deploys (render/argocd.py)."""
    return MAX_LABEL_VALUE - len(prefix) - 1


def argocd_instance_label(application: str) -> str:
    """The value `annotation+label` tracking gives the label app.kubernetes.io/instance for
    an Application's name: cut to 63 characters, then without trailing characters other
    than letters and digits (argo-cd util/argo/resource_tracking.go, SetAppInstance)."""
    if len(application) <= MAX_LABEL_VALUE:
        return application
    return _NOT_ALPHANUMERIC_END.sub("", application[:MAX_LABEL_VALUE])


_NOT_ALPHANUMERIC_END = re.compile(r"[^A-Za-z0-9]+$")


def label_key_problem(key: str) -> str | None:
    """Why `key` is not a valid label key, or None."""
    prefix, _, name = key.rpartition("/")
    if "/" in key and not prefix:
        return "empty prefix before '/'"
    if prefix and (len(prefix) > MAX_OBJECT_NAME or not DNS_SUBDOMAIN.match(prefix)):
        return f"prefix '{prefix}' is not a DNS subdomain"
    if not name:
        return "empty name"
    if len(name) > MAX_LABEL_VALUE:
        return f"name part is {len(name)} characters; the limit is 63"
    if not LABEL_NAME.match(name):
        return "name part must be alphanumeric, '-', '_' or '.', starting and ending alphanumeric"
    return None


def label_value_problem(value: str) -> str | None:
    if value == "":
        return None
    if len(value) > MAX_LABEL_VALUE:
        return f"{len(value)} characters; the limit is 63"
    if not LABEL_NAME.match(value):
        return "must be alphanumeric, '-', '_' or '.', starting and ending alphanumeric"
    return None


_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_HOST_PART = r"[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?"
_DOMAIN = rf"(?:{_HOST_PART}(?:\.{_HOST_PART})*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?"
IMAGE_REF = re.compile(
    rf"^(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$"
)
DOCKER_HUB = "docker.io"


@dataclass(frozen=True)
class ImageRef:
    registry: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"


def parse_image(ref: str) -> ImageRef | None:
    """Split an image reference as container runtimes do; None when it does not parse."""
    if len(ref) > 4096:
        return None
    m = IMAGE_REF.match(ref)
    if not m:
        return None
    domain, path = m.group("domain"), m.group("path")
    # "a/b" is a Docker Hub path unless the first part looks like a host.
    if domain and not ("." in domain or ":" in domain or domain == "localhost" or "[" in domain):
        path, domain = f"{domain}/{path}", None
    if domain is None:
        domain = DOCKER_HUB
        if "/" not in path:
            path = f"library/{path}"
    digest = m.group("digest")
    if digest and not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
        return None
    return ImageRef(domain, path, m.group("tag"), m.group("digest"))


def version_problem(version: str, packaging: str) -> str | None:
    if packaging == "helm" and not SEMVER.match(version):
        return f"Helm charts need a semantic version such as 1.4.2: {_semver_problem(version)}"
    if not LOOSE_VERSION.match(version):
        return "use letters, digits, '.', '_', '+' and '-' (at most 63 characters)"
    return None


# What YAML reads as a number and a person meant as a version: 2, 2.2, 1.10.
_NUMBER_VERSION = re.compile(r"(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?")


def number_version_hint(written: str, packaging: str | None) -> str:
    """What to write for a version YAML read as a number (`version: 2.2`), all at once: in
    quotes and, unless the model is known to be packaged with kustomize (`packaging` None:
    not known from its file, so Helm, the default), as MAJOR.MINOR.PATCH. `written` is the
    text as typed: `1.10` is the number 1.1, and "1.1.0" would be another version."""
    if packaging == "kustomize":
        return f'write it in quotes, "{written}"'
    m = _NUMBER_VERSION.fullmatch(written)
    if m is None:
        return (
            'write it in quotes and as MAJOR.MINOR.PATCH, such as "1.4.2", which Helm charts need'
        )
    return (
        f'write "{m[1]}.{m[2] or 0}.0", in quotes and as MAJOR.MINOR.PATCH, which Helm charts need'
    )


def _semver_problem(version: str) -> str:
    """What keeps a version from being SemVer, in the words a person would use."""
    if version[:1] in ("v", "V"):
        return f"drop the leading '{version[0]}'"
    core = re.split(r"[-+]", version, maxsplit=1)[0]
    parts = core.split(".")
    if not all(p.isdigit() for p in parts):
        return "MAJOR.MINOR.PATCH must be numbers"
    if len(parts) != 3:
        return f"MAJOR.MINOR.PATCH must be three numbers, this has {len(parts)}"
    if any(len(p) > 1 and p.startswith("0") for p in parts):
        return "numbers have no leading zeros"
    return "the pre-release or build part after '-' or '+' is not valid"


def git_branch_problem(branch: str) -> str | None:
    if not GIT_BRANCH.match(branch) or branch.endswith(".lock"):
        return f"not a valid branch name: {quoted(branch)}"
    return None


def repo_folder_problem(path: str, absolute_ok: bool = False) -> str | None:
    """Why `path` is not a folder inside a repository (posix, relative), or None.
    `absolute_ok`: a leading '/' means the root (spec.git.path, read that way by RHACM);
    an option given on the command line must be relative, or it is a mistake."""
    if path.startswith("/") and not absolute_ok:
        return f"must be a folder inside the repository (relative), not {quoted(path)}"
    clean = path.strip("/")
    parts = clean.split("/") if clean else []
    if any(p in ("..", ".git") for p in parts):
        return f"must be a folder inside the repository, not {quoted(path)}"
    if any(p in ("", ".") for p in parts):  # the folder meant is plain: say how to write it
        plain = "/".join(p for p in parts if p not in ("", "."))
        return (
            f"must be a folder inside the repository, written as {quoted(plain)} (no '.' "
            f"or empty part), not {quoted(path)}"
        )
    return None


IMAGE_FORM = "registry/repository[:tag][@sha256:digest]"


def image_problem(ref: str) -> str:
    """Why `ref` does not parse (for a reference `parse_image` refused), in the words of
    the part that is wrong; the expected form when no single part is to blame. A reference
    that names no registry also says where sites would pull it from (as P101 does)."""
    return _image_problem(ref) + _pulled_from(ref)


def _pulled_from(ref: str) -> str:
    """` (it names no registry, so sites would pull docker.io/library/sktime)`, or ''."""
    if any(c.isspace() for c in ref) or "://" in ref:
        return ""
    name = ref.partition("@")[0]
    first, slash, _ = name.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return ""
    path = name.rsplit(":", 1)[0] if ":" in name.rsplit("/", 1)[-1] else name
    if not path:
        return ""
    path = path if "/" in path else f"library/{path}"
    return f" (it names no registry, so sites would pull {DOCKER_HUB}/{path})"


def _image_problem(ref: str) -> str:
    if not ref.strip() or any(c.isspace() for c in ref):
        return "it contains a space; an image reference has none"
    if m := re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://", ref):
        return f"drop the '{m.group(1)}://': an image reference has no scheme"
    name, _, digest = ref.partition("@")
    problem = _digest_problem(digest) if digest else None
    if problem:
        return problem
    last = name.rsplit("/", 1)[-1]
    if ":" in last and not re.fullmatch(r"[\w][\w.-]{0,127}", last.split(":", 1)[1]):
        return "the tag after ':' must be letters, digits, '_', '.' or '-' (at most 128)"
    first, slash, rest = name.partition("/")
    is_host = slash and ("." in first or ":" in first or first == "localhost")
    path = rest if is_host else name
    path = path.rsplit(":", 1)[0] if ":" in path.rsplit("/", 1)[-1] else path
    if path != path.lower():
        return f"the repository path must be lower case: '{path.lower()}'"
    return f"expected {IMAGE_FORM}"


def _digest_problem(digest: str) -> str | None:
    algorithm, colon, hexa = digest.partition(":")
    if not colon:
        return "the digest after '@' needs its algorithm: '@sha256:<64 hex digits>'"
    if algorithm != "sha256":
        return f"a '{algorithm}' digest: only sha256 digests are accepted"
    if not re.fullmatch(r"[0-9a-fA-F]*", hexa):
        return "the sha256 digest has characters other than the hex digits 0-9 and a-f"
    if len(hexa) != 64:
        return (
            f"the sha256 digest has {len(hexa)} hex digits; it needs 64 (copy it whole, "
            "e.g. from `skopeo inspect` or the registry's page)"
        )
    if hexa != hexa.lower():
        return "the sha256 digest must be lower case"
    return None
