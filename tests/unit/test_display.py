"""display.shown and the stream error handler: names decoded as surrogates (an ASCII locale,
or bytes that are not UTF-8) become their real name, or a visible \\xNN."""

from __future__ import annotations

import io
import json

from edgemodels.display import ERRORS, quoted, shown, shown_in, unescaped

CAFE_ASCII_LOCALE = "caf\udcc3\udca9.yaml"  # os.fsdecode(b"caf\xc3\xa9.yaml") under LC_ALL=C


def test_shown_decodes_the_name_as_utf8() -> None:
    assert shown(CAFE_ASCII_LOCALE) == "caf\u00e9.yaml"
    assert shown("caf\u00e9.yaml") == "caf\u00e9.yaml"  # decoded already (a UTF-8 locale)
    assert shown("plain.yaml") == "plain.yaml"


def test_bytes_not_utf8_are_a_visible_escape() -> None:
    assert shown("bad\udcff.yaml") == "bad\\xff.yaml"
    assert shown("odd\ud800") == "odd\\ud800"  # a surrogate no byte was decoded to


def test_stream_writes_the_name_as_utf8() -> None:
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="utf-8", errors=ERRORS)
    stream.write(f"{CAFE_ASCII_LOCALE} bad\udcff \u00e9\n")
    stream.flush()
    assert raw.getvalue() == b"caf\xc3\xa9.yaml bad\\xff \xc3\xa9\n"


def test_json_documents_hold_no_lone_surrogate() -> None:
    doc = shown_in({"path": CAFE_ASCII_LOCALE, "list": ["bad\udcff", 1, None]})
    text = json.dumps(doc, ensure_ascii=False)
    assert json.loads(text.encode("utf-8")) == {
        "path": "caf\u00e9.yaml",
        "list": ["bad\\xff", 1, None],
    }


def test_quoted_keeps_the_names_bytes_for_the_output() -> None:
    """As repr quotes and escapes, but a name's surrogates stay, for the output to show
    (repr wrote them as `\\udcc3\\udca9`)."""
    assert quoted(CAFE_ASCII_LOCALE) == f"'{CAFE_ASCII_LOCALE}'"
    assert shown(quoted(CAFE_ASCII_LOCALE)) == "'caf\u00e9.yaml'"
    assert quoted("a\tb\n\\c\u00e9") == "'a\\tb\\n\\\\c\u00e9'"  # as repr: escaped, é kept
    assert quoted("odd\ud800") == "'odd\\ud800'"  # a surrogate no byte was decoded to


def test_unescaped_puts_back_the_surrogates_repr_escaped() -> None:
    """click's messages quote with repr: the surrogates come back, the rest stays."""
    message = f"Error: Invalid value for '--format': {CAFE_ASCII_LOCALE!r} is not one of 'json'."
    assert unescaped(message) == message.replace(repr(CAFE_ASCII_LOCALE), f"'{CAFE_ASCII_LOCALE}'")
    assert shown(unescaped(repr(CAFE_ASCII_LOCALE))) == "'caf\u00e9.yaml'"
    typed = "a\\udcc3 \x1b \\\udcc3"  # a backslash typed before `udcc3`, a control character
    assert unescaped(repr(typed)) == "'a\\\\udcc3 \\x1b \\\\\udcc3'"
    assert unescaped("plain") == "plain"
