"""`edgemodels publish`: the generated tree, committed to the branch RHACM pulls, and pushed.

Where publish runs git, through GitPython (`plan --base` reads git in plan/gitrev.py).
GitPython needs the `git` program: it is imported here, before any module of the package,
so that a missing `git` is the same clear error whichever module is imported first.
Guarantees:
- Only the folder `path` of the branch changes; the rest of the branch is left alone, and
  inside it only files edgemodels owns (its manifest) are changed or removed.
- The branch is not checked out: the commit is made from git objects (`commit_objects`),
  unless the clone needs a work tree (`CloneSetup.work_tree`, `branch_entries`).
- Nothing is committed when the tree is already there. Pushes are never forced: when the
  branch moved meanwhile the push is rejected, and the tree is written again on top of
  the new branch head and pushed again, a bounded number of times. A commit that could not
  be pushed is kept in the working clone (ref `refs/edgemodels/unpushed/<branch>`).
- In a --workdir, files are discarded and branches moved only in a clone publish made or
  took as its own (`workdir.py`): another clone is taken only when nothing in it could be lost.
- Credentials come from git's credential helpers, or from EDGEMODELS_GIT_TOKEN (and
  EDGEMODELS_GIT_USERNAME) through a helper defined in the environment for the deploy
  repository's https host only (plain http:// only with --allow-http-token), never from the
  catalogue; `user:password@` is removed from every URL that is printed.
- git never prompts (GIT_TERMINAL_PROMPT=0): a missing credential fails at once.
- Any locale: GitPython only runs git here (`Clone`, not its Repo, which decodes git's
  config with the locale's encoding), names reach git as the bytes they stand for
  (fsnames.py), and what git says about paths and refs is read as bytes.

    destination.py  where publish pushes and how git runs for it (URL, branch, folder;
                    author, timeout, credentials), and git's failures in plain words
    clone.py        the working clone: temporary or --workdir, and the fetch
    branch.py       the deploy branch in the clone: fetched, set locally, its commits kept
    objects.py      the commit made from git objects, without a checkout
    push.py         the commit through a checkout, and the push, never forced
    history.py      what commits publish did not make (a revert) changed since its last
    source.py       the repositories publish only reads or starts: the catalogue's commit,
                    `init`'s repository, a commit of --tool-repo
"""

from __future__ import annotations

import logging

from edgemodels.errors import ToolMissingError

try:
    import git  # noqa: F401 (its own check that the git program is there)
except ImportError as exc:  # GitPython raises this when no git executable is found
    raise ToolMissingError(f"publish needs git: {exc}") from exc

# GitPython logs git's stderr itself (with URLs in it); publish reports errors, redacted.
logging.getLogger("git").addHandler(logging.NullHandler())
logging.getLogger("git").propagate = False
