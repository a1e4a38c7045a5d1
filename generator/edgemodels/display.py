"""File names shown to the user: their real name, written as UTF-8 whatever the locale.

Python decodes file names with the locale's encoding. Under an ASCII locale (LC_ALL=C
without Python's locale coercion, as in some CI runners and minimal containers) every byte
above 127 becomes a lone surrogate (surrogateescape): `café.yaml` is `caf\\udcc3\\udca9.yaml`,
which an ASCII stream shows as `caf??` and JSON as surrogate escapes no JSON reader takes.
Under any locale, a name whose bytes are not valid UTF-8 holds such surrogates too. (A
locale of another encoding, Latin-1, decodes those bytes as other text: the program runs
in Python's UTF-8 mode there, launch.py.)

These strings stay as they are inside the program (they are what opens the file); they
become text where they leave it: stdout and stderr are UTF-8 with the `edgemodels-names`
error handler, and the JSON reports pass their strings through `shown`. As git and kubectl
do, the output is UTF-8 whatever the locale. Bytes that are not UTF-8 come out as a visible
`\\xNN`, never as a crash or an invalid byte.

Imported by launch.py before anything else: it imports only what the interpreter has
loaded already.
"""

from __future__ import annotations

import codecs
import io
import sys

TYPE_CHECKING = False  # not typing's: this module imports only what is loaded already
if TYPE_CHECKING:
    import re

ERRORS = "edgemodels-names"


def shown(text: str) -> str:
    """`text` with the bytes of file names that were decoded as surrogates decoded as UTF-8;
    bytes that are not UTF-8 become `\\xNN`. Text without surrogates is returned as it is."""
    if text.isascii():  # nearly every name: nothing to do
        return text
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no byte was decoded to: shown as its code
        raw = text.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace")


def quoted(name: str) -> str:
    """`name` between quotes, its control characters escaped as `repr` escapes them, its
    surrogates kept for the output to show: `repr` wrote the `é` of a name decoded under
    an ASCII locale as `\\udcc3\\udca9`, which no output turns back into `é`."""
    inner = "".join(c if "\udc80" <= c <= "\udcff" else repr(c)[1:-1] for c in name)
    return f"'{inner}'"


def unescaped(text: str) -> str:
    """`text`, written with `repr`'s quoting (click's messages), with the surrogates `repr`
    escaped (`\\udcc3\\udca9`) put back, for the output to show as the name they stand
    for: the same message as under a UTF-8 locale. Other escapes stay as they are."""
    if "\\udc" not in text:
        return text
    import re  # only for such a message

    return re.sub(r"\\(\\|udc[89a-f][0-9a-f])", _surrogate, text)


def _surrogate(match: re.Match[str]) -> str:
    escape = match.group(1)
    return match.group(0) if escape == "\\" else chr(int(escape[1:], 16))


def _names(exc: UnicodeError) -> tuple[str | bytes, int]:
    """The error handler: what an encoder cannot encode (lone surrogates) as UTF-8 bytes."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return shown(exc.object[exc.start : exc.end]).encode("utf-8"), exc.end


codecs.register_error(ERRORS, _names)


def setup_streams() -> None:
    """stdout and stderr write UTF-8 with the handler above, whatever the locale; a stream
    that is not the interpreter's own (a test's capture) is left as it is."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(encoding="utf-8", errors=ERRORS)


def shown_in(value: object) -> object:
    """`value` (a JSON document: dicts, lists, strings, numbers) with `shown` applied to
    every string in it, keys too, so the JSON written holds no lone surrogate."""
    if isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return {shown(str(k)) if isinstance(k, str) else k: shown_in(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [shown_in(v) for v in value]
    return value
