"""Field paths as Kubernetes writes them in `validations[].fieldPath`.

`.spec.containers[0].image`, `.metadata.labels['app.kubernetes.io/name']`. Parsed into the
steps `locate` takes; `secrets_scan.field_path` is the inverse.
"""

from __future__ import annotations

import re

Step = str | int

_TOKEN_RE = re.compile(
    r"""\.(?P<name>[A-Za-z_][A-Za-z0-9_-]*)      # .name
      | \[(?P<index>[0-9]+)\]                    # [0]
      | \['(?P<quoted>(?:[^'\\]|\\.)*)'\]        # ['key.with/dots']
    """,
    re.VERBOSE,
)


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
