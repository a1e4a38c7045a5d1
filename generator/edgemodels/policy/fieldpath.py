"""Field paths as Kubernetes writes them in `validations[].fieldPath`.

`.spec.containers[0].image`, `.metadata.labels['app.kubernetes.io/name']`. Parsed into the
steps `locate` takes; `secrets_scan.field_path` is the inverse.

An edgemodels extension, after JSONPath-Plus's `~` (a property's name): a path ending in
`~` points at the field's key, where its name is written, and for a field that is not
written at the key of the deepest one on the path that is (`.spec.defaults.helperImage~`
without helperImage: the `defaults:` line). Without it a finding is at the field's value,
and a missing field's at its parent's value: for a block mapping, its first key's line.
"""

from __future__ import annotations

import re

Step = str | int
KEY_MARK = "~"

_TOKEN_RE = re.compile(
    r"""\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)      # .name
      | \[(?P<index>[0-9]+)\]                    # [0]
      | \['(?P<quoted>(?:[^'\\]|\\.)*)'\]        # ['key.with/dots']
    """,
    re.VERBOSE,
)


def parse_field_target(text: str) -> tuple[tuple[Step, ...], bool]:
    """The steps of a field path, and whether it points at the key (a trailing `~`)."""
    text = text.strip()
    key = text.endswith(KEY_MARK)
    return parse_field_path(text.removesuffix(KEY_MARK)), key


def parse_field_path(text: str) -> tuple[Step, ...]:
    """Steps of a field path; raise ValueError with the offending position."""
    text = text.strip()
    if text in ("", "."):
        return ()
    if not text.startswith((".", "[")):
        text = "." + text  # Kubernetes also accepts `spec.replicas`
    steps: list[Step] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            raise ValueError(f"invalid field path {text!r} at character {pos + 1}")
        if match.group("name") is not None:
            steps.append(match.group("name"))
        elif match.group("index") is not None:
            steps.append(int(match.group("index")))
        else:
            steps.append(re.sub(r"\\(.)", r"\1", match.group("quoted")))
        pos = match.end()
    return tuple(steps)
