"""Kubernetes resource quantities as the API server parses and compares them.

Shared by `check` (R221, on the catalogue's resources) and `validate` (K330, K331, on the
generated objects), so both say the same about one value; imports only the standard library,
as `check` starts on every commit.

The grammar is k8s.io/apimachinery's resource.Quantity: an optional sign, digits with an
optional fraction, then a binary suffix (Ki Mi Gi Ti Pi Ei), a decimal one (n u m k M G T
P E, or none) or a decimal exponent (e or E and an integer). A minus sign before digits
that are all 0 (`-0`, `-0m`, `-0.0`) is zero, as ParseQuantity reads it, not a negative.

Values are exact decimals (inf.Dec upstream): only a binary-suffixed value is capped at
2^63-1, so `1e19` stays 10^19 and `1e2147483647` 10^2147483647, compared without writing
out its digits.

The API server reads a manifest's quantity through Quantity.UnmarshalJSON, which trims the
text first (`ParseQuantity(strings.TrimSpace(...))`), so `" 1Gi"` is 1Gi to it; CEL's
quantity() calls ParseQuantity as it is, and refuses it (quantity_value's `trim`).
"""

from __future__ import annotations

import re
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, ROUND_UP, Context, Decimal
from functools import lru_cache
from typing import NamedTuple

QUANTITY = re.compile(  # matched whole: `$` would take a trailing newline
    r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"  # sign, number
    r"([KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?"  # binary, decimal or exponent suffix
)
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}  # powers of 2
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
# ParseQuantity caps a value at 2^63-1 (maxAllowed) only when its suffix is binary
# (`format == BinarySI`); a decimal, plain or exponent one keeps its exact inf.Dec.
_MAX_BINARY = Decimal(2**63 - 1)
_NANO = Decimal("1e-9")  # and rounds a finer one up, away from zero, to nanos
INT32_MAX = 2**31 - 1
# What UnmarshalJSON's strings.TrimSpace takes off a quantity as kubectl (Go's encoding/json)
# sends it: Go's unicode.IsSpace, less what that encoder writes as an escape (\t \n \r \v
# \f U+2028 U+2029), whose backslash is no space. kubectl 1.27-1.33 decoding a Pod (`set
# resources --local`) take " 1Gi", U+00A0 and U+3000 around it, and refuse "\t1Gi".
TRIMMED = " \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
TRIMMED += "\u200a\u202f\u205f\u3000"
# The work past which a value takes the API server about 10 s or more to parse and write out
# (kubectl 1.32 and 1.33 on one x86 machine, `create quota --hard=cpu=VALUE --dry-run=client`
# printing it with `-o jsonpath`).
# The digits of the power of ten it rounds a scale below nano with: 1e-10000000 1.8 s,
# 1e-20000000 5.6 s, 1e-30000000 9.1 s (1.33: 10.9 s), 1e-100000000 77 s (1.33). The factors
# of ten it strips one division at a time to write out a value of more than 18 digits with a
# scale above nano: 1234567890123456789e100000 1.7 s, e200000 6.7 s, e250000 11 s (both),
# e300000 15.5 s, e1000000 over 60 s. Growing as n^1.6 and n^2, a control plane a few times
# slower than that machine reaches a minute, the API server's default request timeout.
SLOW_ROUNDING = 30 * 10**6 - 9  # 1e-30000000's
SLOW_ZEROS = 250 * 10**3 + 9  # 1234567890123456789e250000's
# Every digit kept at any exponent: a value has no more digits than its text (an exponent
# adds none), so nothing here grows with the exponent, and a sum is as exact as inf.Dec's.
EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)
# A minus sign, then a digit other than 0 before any suffix: a magnitude that is not zero
# stays so (rounded up, away from zero), so this is below zero; `-0`, `-0.0m`, `-0e3` are 0.
_NEGATIVE = re.compile(r"-[0.]*[1-9]")


class Parsed(NamedTuple):
    """A quantity as ParseQuantity reads it, the exponent it was written with, and the work
    it costs the API server (slow_reading)."""

    value: Decimal
    exponent: int  # after e or E; 0 for a suffix. Beyond INT32_MAX: see exponent_refused
    rounding: int = 0  # digits of the power of ten ParseQuantity rounds to nanos with
    zeros: int = 0  # factors of ten writing it out strips one division at a time


def quantity_value(value: object, trim: bool = True) -> Decimal | None:
    """The exact value the API server holds for a quantity (resource.ParseQuantity: rounded
    up, away from zero, to a whole nano; a binary-suffixed one capped at 2^63-1 in
    magnitude), or None when it does not parse (K330's to report) or is no string or
    number. An exponent beyond int32 is wrapped as API servers before the bound wrap it
    (exponent_refused says so). `trim=False` reads it as CEL's quantity() does, with no
    TRIMMED space taken off."""
    parsed = parse_quantity(value, trim)
    return None if parsed is None else parsed.value


def parse_quantity(value: object, trim: bool = True) -> Parsed | None:
    """quantity_value, with the exponent as written."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    text = str(value)  # a YAML number reaches the API server as its JSON text
    return _parse_text(trimmed(text) if trim else text)


def trimmed(text: str) -> str:
    """A quantity's text as ParseQuantity gets it from UnmarshalJSON: TRIMMED space off."""
    return text.strip(TRIMMED)


@lru_cache(maxsize=1024)
def _parse_text(text: str) -> Parsed | None:
    """parse_quantity of a quantity's text: a tree repeats a few (`128Mi`, `500m`) in
    thousands of containers, and exact arithmetic on each was most of K331's time."""
    match = QUANTITY.fullmatch(text)
    if match is None:
        return None
    whole, _, fraction = match[1].lstrip("+-").partition(".")
    suffix = match[3] or ""
    if suffix in _BINARY:
        shifted = EXACT.multiply(Decimal(whole + fraction), Decimal(2 ** _BINARY[suffix]))
        parsed = Parsed(min(_nano(shifted.scaleb(-len(fraction), EXACT)), _MAX_BINARY), 0)
    else:
        written = _DECIMAL[suffix] if suffix in _DECIMAL else _exponent(suffix[1:])
        if written is None:
            return None  # an exponent beyond int64: no quantity to any API server
        parsed = _decimal(whole, fraction, written)
    if text.startswith("-") and parsed.value:
        return parsed._replace(value=parsed.value.copy_negate())
    return parsed


def _decimal(whole: str, fraction: str, written: int) -> Parsed:
    """A decimal-suffixed, plain or exponent quantity's magnitude: exact, at any size."""
    power = _scale(written, len(fraction))
    exact = _nano(Decimal(whole + fraction).scaleb(power, EXACT))
    # ParseQuantity's int64 path (at most maxInt64Factors digits, in whole nanos, its int32
    # scale not wrapped) costs nothing. Its inf.Dec path rounds a scale below nano with a
    # power of ten as long as the shift; a scale above it it multiplies out to nanos, and
    # writing the value out (CanonicalizeBytes, as storing it does) strips those factors of
    # ten and the digits' own trailing zeros again one big division each.
    int64_path = len(whole.lstrip("0") or "0") + len(fraction) <= 18 and -9 <= power < 2**31
    if int64_path or not exact:
        return Parsed(exact, written)
    if power < -9:
        return Parsed(exact, written, rounding=-(power + 9))
    digits = whole + fraction
    return Parsed(exact, written, zeros=power + 9 + len(digits) - len(digits.rstrip("0")))


def _exponent(text: str) -> int | None:
    """strconv.ParseInt(text, 10, 64): any number of leading zeros (`e0...03` is e3, which
    int() refuses past 4300 digits), None beyond int64."""
    sign, digits = ("-" if text[0] == "-" else ""), text.lstrip("+-").lstrip("0")
    if len(digits) > 19:
        return None
    exponent = int(sign + (digits or "0"))
    return exponent if -(2**63) <= exponent < 2**63 else None


def _scale(exponent: int, places: int) -> int:
    """The power of ten of a number's digits, as ParseQuantity reaches it: the exponent cut
    to an int32 (interpret's `int32(parsed)`), less the digits after the point, in int32
    arithmetic. Below int32's range that wraps to the top of it (both its paths agree:
    the int64 one subtracts, the inf.Dec one negates the int32 and adds)."""
    power = (exponent + 2**31) % 2**32 - 2**31 - places
    return power + 2**32 if power <= -(2**31) else power


def _nano(exact: Decimal) -> Decimal:
    """Rounded up, away from zero, to a whole nano (`amount.Round(amount, Nano.infScale(),
    inf.RoundUp)`); a value already in whole nanos is left as it is, at any size."""
    if int(exact.as_tuple().exponent) >= -9:
        return exact
    return exact.quantize(_NANO, rounding=ROUND_UP, context=EXACT)


# A sign, a point and a suffix with no digit between them (`Mi`, `.`, `-`, `e3`, `e-10`).
_NO_DIGITS = re.compile(r"[+-]?\.?(?:[KMGTPE]i|[numkMGTPE]|[eE]([+-]?[0-9]+))?")


def reads_as_zero(text: str) -> bool:
    """Whether a quantity written without digits (`Mi`, `.`, `-`, `e3`) is 0 to the API
    server. ParseQuantity takes the missing digits for 0 (kubectl 1.27-1.33 print 0),
    but only on its int64 path, which a scale of -9 or more takes: below that (`e-10`,
    `.e-10`, `e4294967286`, cut to -10 as an int32) it parses the empty number as an
    inf.Dec and refuses it ("unable to parse numeric part of quantity"). An exponent
    beyond ±2147483647, which newer API servers refuse, is not taken for 0 either."""
    match = _NO_DIGITS.fullmatch(text)
    if not text or match is None:
        return False
    if match[1] is None:
        return True
    exponent = _exponent(match[1])
    return exponent is not None and abs(exponent) <= INT32_MAX and _scale(exponent, 0) >= -9


def exponent_refused(value: object) -> str | None:
    """Why a quantity whose exponent is beyond ±2147483647 (INT32_MAX) is an error (`has an
    exponent beyond ...`, to follow the value in a message), or None for any other. Newer
    API servers refuse it (Kubernetes PR #141203 bounds interpret's exponent to
    [-MaxInt32, MaxInt32]); older ones cut it to an int32 and read another number
    entirely (`1e4294967297` is 10). Shared by K330 and check's S004."""
    parsed = parse_quantity(value)
    if parsed is None or abs(parsed.exponent) <= INT32_MAX:
        return None
    slow = ", after a long time spent writing out its digits" if _slow(parsed) else ""
    return (
        f"has an exponent beyond ±{INT32_MAX}: newer API servers refuse it, and "
        f"older ones cut the exponent to 32 bits and read it as {shown(parsed.value)}{slow}"
    )


def _slow(parsed: Parsed) -> bool:
    return parsed.rounding >= SLOW_ROUNDING or parsed.zeros >= SLOW_ZEROS


def slow_reading(value: object) -> str | None:
    """Why a quantity whose exponent every API server takes costs it a long time to parse
    (to follow the value in a message), or None: the work grows with the exponent, not the
    text (SLOW_ROUNDING, SLOW_ZEROS). Shared by K330 and check's S004."""
    parsed = parse_quantity(value)
    if parsed is None or abs(parsed.exponent) > INT32_MAX or not _slow(parsed):
        return None
    if parsed.rounding:
        how = f"it rounds it to nanos with a power of ten of {parsed.rounding} digits"
    else:
        how = (
            f"to write it out, as it does to store it, it strips {parsed.zeros} factors of "
            "ten one division at a time"
        )
    return f"takes the API server a long time to parse ({how})"


def shown(value: Decimal) -> str:
    """A value in a message: plain digits while short, else `15e2147483647`."""
    sign, digits, exponent = value.as_tuple()
    places = int(exponent)
    if -9 <= places <= 6:
        return format(value, "f")
    text = "".join(map(str, digits)).rstrip("0") or "0"
    places += len(digits) - len(text)
    return f"{'-' if sign else ''}{text}e{places}" if text != "0" else "0"


def negative(text: str) -> bool:
    """Whether a quantity's text is below zero to the API server, which refuses it where a
    quantity may not be negative. `-0` (and `-0m`, `-0.0`, `-0Gi`) is zero, which it takes
    (ValidateNonnegativeQuantity compares the parsed value with zero)."""
    return _NEGATIVE.match(text) is not None


def quantity_text(value: object) -> str:
    """A catalogue quantity as the generated manifests carry it: as text. A YAML number
    (`cpu: 1`, `cpu: 0.5`) becomes the JSON text kubectl would send for it (an int exactly,
    a float as its shortest round-trip digits, so 0.1 stays `0.1`), which the API server
    parses as that quantity. Quoted, it passes through Helm untouched, where a number in
    values would be a float64: an int above 2^53 would change and a large one come out as
    `1e+21`. -0.0 (which the schema's minimum of 0 takes) is written `0`; space the API
    server trims (`" 1Gi"`) is left out, so no reader of the tree sees other text than the
    cluster holds."""
    if isinstance(value, float):
        return repr(abs(value))
    return trimmed(str(value))  # `" 1Gi"` as the API server stores it
