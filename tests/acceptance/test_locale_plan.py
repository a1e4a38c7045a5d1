"""`edgemodels plan --base` on repositories whose path, folders, catalogue files, links,
branches, commit messages and git config are not ASCII, under an ASCII locale (LC_ALL=C
without Python's locale coercion), under LC_ALL=C as Python takes it (its UTF-8 mode) and
under a UTF-8 locale: each says what the UTF-8 locale says, with the real names. The real
program, in a subprocess, on real git repositories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LOCALES = {
    "ascii": {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"},
    "c": {"LC_ALL": "C"},  # Python runs in its UTF-8 mode under the C locale
    "utf8": {"LC_ALL": "C.UTF-8"},
}
UNSET = ("LANG", "LC_CTYPE", "LC_ALL", "PYTHONUTF8", "PYTHONIOENCODING", "PYTHONCOERCECLOCALE")
CAMERA = "catalogue/mod\u00e8les/cam\u00e9ra.yaml"  # catalogue/modèles/caméra.yaml
PRESENT = "pr\u00e9sent"  # présent, a branch


def run(cwd: Path, *args: str, locale: str) -> subprocess.CompletedProcess[bytes]:
    """The program under `locale`; arguments as the bytes a shell passes (UTF-8 text, or
    the bytes a name that is not UTF-8 stands for)."""
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    full = {**env, **LOCALES[locale], "EDGEMODELS_SERVER": "off"}
    return subprocess.run(
        [
            sys.executable.encode(),
            b"-m",
            b"edgemodels",
            *(a.encode("utf-8", "surrogateescape") for a in args),
        ],
        cwd=cwd,
        env={k.encode(): v.encode() for k, v in full.items()},
        capture_output=True,
        timeout=180,
    )


def same_in_every_locale(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """The UTF-8 locale's run, once the others were checked to give the same."""
    expected = run(cwd, *args, locale="utf8")
    assert b"internal error" not in expected.stderr, expected.stderr
    for locale in ("ascii", "c"):
        done = run(cwd, *args, locale=locale)
        assert (done.returncode, done.stdout, done.stderr) == (
            expected.returncode,
            expected.stdout,
            expected.stderr,
        ), locale
    return expected


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.decode()


def add_target(file: Path, name: str) -> None:
    """A target selecting no site (plan's D106) in `file`, used by the model there."""
    text = file.read_text()
    text = text.replace("spec:\n", f"spec:\n  targets:\n    {name}:\n", 1)
    text = text.replace(f"    {name}:\n  targets:\n", f"    {name}:\n", 1)  # a second one
    text = text.replace(f"    {name}:\n", f"    {name}:\n      matchLabels: {{env: none}}\n", 1)
    file.write_text(text.replace("targets: [", f"targets: [{name}, ", 1))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """`dépôt`: anomaly-scorer in catalogue/modèles/caméra.yaml with a target selecting no
    site, sktime in partagé/séries.yaml reached through the link catalogue/liés, committed
    by Zoë on main and on the branch présent. The working copy adds a second such target
    and takes anomaly-scorer off the lrt-non-arm sites."""
    root = tmp_path / "d\u00e9p\u00f4t"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.name", "Zo\u00eb")  # a git config that is not ASCII
    git(root, "config", "user.email", "zoe@example.com")
    shutil.copytree(EXAMPLES / "lrt", root / "catalogue")
    shutil.copy(EXAMPLES / "sites.yaml", root / "sites.yaml")
    (root / CAMERA).parent.mkdir()
    (root / "catalogue/models/anomaly-scorer.yaml").rename(root / CAMERA)
    (root / "partag\u00e9").mkdir()
    (root / "catalogue/models/sktime.yaml").rename(root / "partag\u00e9/s\u00e9ries.yaml")
    os.symlink("../partag\u00e9", root / "catalogue/li\u00e9s")
    add_target(root / CAMERA, "nowhere")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "mod\u00e8les : la cam\u00e9ra")
    git(root, "branch", PRESENT)
    add_target(root / CAMERA, "nowhere-2")
    text = (root / CAMERA).read_text()
    (root / CAMERA).write_text(text.replace(", lrt-non-arm]", "]"))
    return root


def check_plan(out: str, base: str) -> None:
    assert out.startswith(f"Plan for catalogue lrt (catalogue) on 4 sites, compared with {base} (")
    assert "  lrt-site-01, lrt-site-03  anomaly-scorer  -removed  0.9.0\n" in out
    # sktime, read through liés/ at the base too, is unchanged (not added): counted, not listed
    assert "sktime" not in out
    assert "  ... and 3 more models, unchanged (" in out
    new, old = out.split("New findings (2)\n")[1].split("Found at the base too (1)\n")
    assert f"{CAMERA}:5:5: D106 [warning] placement nowhere-2 selects no site" in new
    assert f"{CAMERA}:7:5: D106 [warning] placement nowhere selects no site" in old


def test_plan_base_with_names_not_ascii(repo: Path) -> None:
    done = same_in_every_locale(repo, "plan", "--base", PRESENT, "--allow-removals")
    assert done.returncode == 0, done.stderr
    check_plan(done.stdout.decode(), PRESENT)  # strict: the real names, as UTF-8
    args = ("plan", "--base", PRESENT, "--allow-removals", "--format", "json")
    doc = json.loads(same_in_every_locale(repo, *args).stdout.decode())
    assert doc["base"]["revision"] == PRESENT
    assert [(f["path"], f["line"], f["new"]) for f in doc["findings"] if f["code"] == "D106"] == [
        (CAMERA, 5, True),
        (CAMERA, 7, False),
    ]
    args = (
        "plan",
        "--base",
        PRESENT,
        "--allow-removals",
        "--format",
        "markdown",
        "-o",
        "pl\u00e0n",
    )
    assert same_in_every_locale(repo, *args).returncode == 0
    assert f"`{CAMERA}:5:5` **D106**" in (repo / "pl\u00e0n").read_text()
    args = ("plan", "--base", PRESENT, "--allow-removals", "--format", "json", "-o", "pl\u00e0n")
    assert same_in_every_locale(repo, *args).returncode == 0
    assert json.loads((repo / "pl\u00e0n").read_text()) == doc


def test_plan_base_in_a_clone_and_a_worktree_not_ascii(repo: Path) -> None:
    """A clone's config names its origin, `dépôt`; a linked worktree's `.git` file names
    its git folder, below `dépôt`."""
    clone = repo.parent / "cl\u00f4ne"
    git(repo.parent, "clone", "-q", str(repo), str(clone))
    shutil.copy(repo / CAMERA, clone / CAMERA)
    done = same_in_every_locale(clone, "plan", "--base", "origin/main", "--allow-removals")
    assert done.returncode == 0, done.stderr
    check_plan(done.stdout.decode(), "origin/main")
    tree = repo.parent / "arbr\u00e9"
    git(repo, "worktree", "add", "-q", "--detach", str(tree), "main")
    shutil.copy(repo / CAMERA, tree / CAMERA)
    done = same_in_every_locale(tree, "plan", "--base", PRESENT, "--allow-removals")
    assert done.returncode == 0, done.stderr
    check_plan(done.stdout.decode(), PRESENT)


def test_plan_base_names_not_utf8(tmp_path: Path) -> None:
    """A repository, a folder and a link whose names are bytes that are not UTF-8 (a
    Latin-1 `é`): shown as `\\xNN`, the base's finding still matched to the working one."""
    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/d\xe9p\xf4t"))
    folder = os.fsdecode(b"m\xe8d\xe8les")
    root.mkdir()
    git(root, "init", "-q")
    shutil.copytree(EXAMPLES / "lrt", root / "catalogue")
    shutil.copy(EXAMPLES / "sites.yaml", root / "sites.yaml")
    (root / "catalogue" / folder).mkdir()
    (root / "catalogue/models/anomaly-scorer.yaml").rename(root / "catalogue" / folder / "a.yaml")
    os.symlink(folder, root / "catalogue/lien")  # the same folder again: read once
    add_target(root / "catalogue" / folder / "a.yaml", "nowhere")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "m\u00e8d\u00e8les")
    add_target(root / "catalogue" / folder / "a.yaml", "nowhere-2")
    done = same_in_every_locale(root, "plan", "--base", "main")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode()
    new, old = out.split("New findings (1)\n")[1].split("Found at the base too (1)\n")
    assert new.startswith(
        "catalogue/m\\xe8d\\xe8les/a.yaml:5:5: D106 [warning] placement nowhere-2"
    )
    assert old.startswith("catalogue/m\\xe8d\\xe8les/a.yaml:7:5: D106 [warning] placement nowhere ")
    done = same_in_every_locale(root, "plan", "--base", os.fsdecode(b"ma\xeen"))
    assert done.returncode == 2
    assert done.stderr.decode().startswith(
        "edgemodels: error: --base ma\\xeen: not a revision of "
        f"{os.fsencode(tmp_path).decode()}/d\\xe9p\\xf4t; did you mean 'main'?"
    )


def test_plan_base_errors_name_the_real_names(repo: Path) -> None:
    """A revision close to a branch's name; a link, at the base, out of the repository."""
    done = same_in_every_locale(repo, "plan", "--base", "pr\u00e9snt")
    assert done.returncode == 2
    assert done.stderr.decode().startswith(
        f"edgemodels: error: --base pr\u00e9snt: not a revision of {repo}; "
        f"did you mean '{PRESENT}'? (a commit"
    )
    away = repo.parent / "ailleurs-\u00e9t\u00e9"
    away.mkdir()
    os.symlink(str(away), repo / "catalogue/l\u00e0-bas")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "un lien")
    done = same_in_every_locale(repo, "plan", "--base", "main")
    assert done.returncode == 2
    assert done.stderr.decode() == (
        f"edgemodels: error: --base main: catalogue/l\u00e0-bas is a symlink to '{away}', "
        "outside the repository: its content at that revision is not in git. Commit the "
        "files themselves, or a symlink to a file or folder inside the repository (an "
        "absolute path names a place on the machine that made the link: link by a path "
        "from the link's folder)\n"
    )


def test_plan_base_in_a_bare_repository_whose_config_is_not_ascii(repo: Path) -> None:
    """GitPython read a bare repository's config with the locale's encoding, strictly: a
    user name with `é` (under an ASCII locale) or a Latin-1 byte (under any locale) in it
    stopped plan with a UnicodeDecodeError, an internal error. git says it is bare."""
    bare = repo.parent / "d\u00e9p\u00f4t.git"
    git(repo.parent, "clone", "-q", "--bare", str(repo), str(bare))
    for folder in ("catalogue", "partag\u00e9"):
        shutil.copytree(repo / folder, bare / folder, symlinks=True)
    shutil.copy(repo / "sites.yaml", bare / "sites.yaml")
    for name in (b"Zo\xc3\xab", b"Zo\xeb"):  # Zoë in UTF-8, then in Latin-1
        with open(bare / "config", "ab") as config:
            config.write(b"[user]\n\tname = " + name + b"\n")
        done = same_in_every_locale(bare, "plan", "--base", "main")
        assert done.returncode == 2
        assert done.stderr == b"edgemodels: error: --base: catalogue is in a bare repository\n"


def test_plan_base_with_a_config_not_utf8(repo: Path) -> None:
    """A work tree's config holding a Latin-1 byte: the base is read as in any other."""
    with open(repo / ".git/config", "ab") as config:
        config.write(b"[user]\n\tname = Zo\xeb\n")
    done = same_in_every_locale(repo, "plan", "--base", PRESENT, "--allow-removals")
    assert done.returncode == 0, done.stderr
    check_plan(done.stdout.decode(), PRESENT)
