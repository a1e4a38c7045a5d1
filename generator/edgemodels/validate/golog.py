"""Go's log lines in what Helm's Go code writes to stderr: the date shape that starts one,
the lines Helm is known to log (HELMS), and where a line ends (a value Helm prints in a
warning can go on over lines) or may begin at the end of what has come so far."""

from __future__ import annotations

import re

GO_LOG = re.compile(rb"[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} ")
DATE_SHAPE = b"0000/00/00 00:00:00 "
# What Helm's Go code is known to log, after the date: its coalescing of values with a
# chart's defaults (the printf lines of its coalesce.go), and its slog lines of the load,
# render and lint (a symlink followed, a missing required value or `fail` in lint, a
# dependency's condition or import-values). Another line of that date shape (another
# thread's Go log, a child's) is not Helm's: it goes on as it came; so would a line of a
# later Helm's that is not in this list.
HELMS = re.compile(
    rb"warning: (?:skipped value for |destination for |cannot overwrite table with non table "
    rb"|skipping globals because |unable to co(?:py|nvert) values)"
    rb"|Conflict: cannot merge map onto non-map for |key \S+ is table\. Skipping"
    rb"|INFO (?:found symbolic link in path\.|funcMap fail\b)"
    rb"|WARN (?:missing required value|returned non-bool value|the method PathValue returned "
    rb"error|ImportValues missing table)\b"
)
# A value Helm prints in a warning can span lines: "... non-table value (line1\nline2\n)".
OPEN_VALUE = re.compile(rb"(?:non-table value|with non table for \S+) \(")
MAX_VALUE_LINES = 1000


def line_end(data: bytes, start: int) -> int | None:
    """The index of the newline that ends the Go log line whose text starts at `start`;
    None when it has not all come."""
    end = data.find(b"\n", start)
    if end < 0:
        return None
    if not OPEN_VALUE.search(data, start, end) or data[end - 1 : end] == b")":
        return end
    for _ in range(MAX_VALUE_LINES):  # the value goes on to a line ending with ")"
        nxt = data.find(b"\n", end + 1)
        if nxt < 0:
            return None
        if GO_LOG.match(data, end + 1):  # the next line is Helm's own: the value ended
            return end
        if data[nxt - 1 : nxt] == b")":
            return nxt
        end = nxt
    return end


def line_start(data: bytes) -> int:
    """Where the end of `data` may begin a Go log line's date; len(data) when it cannot."""
    for start in range(max(0, len(data) - len(DATE_SHAPE) + 1), len(data)):
        tail = data[start:]
        if all(
            (c in b"0123456789") if s == ord("0") else c == s
            for c, s in zip(tail, DATE_SHAPE, strict=False)
        ):
            return start
    return len(data)
