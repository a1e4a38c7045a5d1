"""Python shims for the Kubernetes CEL library functions policies use.

`common-expression-language` implements core CEL only; Kubernetes adds quantity, URL, regex
and list functions (k8s.io/apiserver/pkg/cel/library). These shims give rules written for a
Kubernetes ValidatingAdmissionPolicy the same functions here. Opaque Kubernetes types
(quantity, URL) are CEL maps with one reserved key, so they can be passed between functions
and compared with `==`; rules must not look inside them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

from edgemodels.kubequantity import EXACT, quantity_value

QUANTITY_KEY = "__quantity__"
URL_KEY = "__url__"
_INT64 = 2**63
MAX_SUM_DIGITS = 10**6
_PLAIN_DIGITS = 30  # trailing zeros a quantity's text writes out before it takes an exponent

# --- quantity ------------------------------------------------------------------------------


def _parse_quantity(value: object) -> Decimal:
    """The value resource.ParseQuantity gives, as Kubernetes' quantity() does. A number is
    taken as its JSON text: a catalogue's `cpu: 1` or a manifest's `cpu: 0.5` reaches the
    API server as that text, and an admission policy sees the quantity it stored. Text is
    parsed as it is: k8s.io/apiserver's quantity() calls ParseQuantity without the
    TrimSpace the API server's JSON decoding does, so `quantity(' 1Gi')` is an error."""
    exact = quantity_value(value, trim=False)
    if exact is None:
        raise ValueError(f"quantities must match the regular expression of a quantity: {value!r}")
    return exact


def _as_quantity(value: Decimal) -> dict[str, str]:
    """One text per value (so `==` between quantities compares values): plain digits, or
    `1E+2147483647` where they would be too many to write out."""
    normal = value.normalize(EXACT)
    if normal == 0:
        return {QUANTITY_KEY: "0"}
    exponent = int(normal.as_tuple().exponent)
    return {QUANTITY_KEY: format(normal, "f") if exponent <= _PLAIN_DIGITS else str(normal)}


def _value(q: object) -> Decimal:
    if isinstance(q, Mapping) and QUANTITY_KEY in q:
        return Decimal(str(q[QUANTITY_KEY]))
    if isinstance(q, bool):
        raise TypeError("no such overload: expected a quantity")
    if isinstance(q, int):
        return Decimal(q)
    raise TypeError(f"no such overload: expected a quantity, got {type(q).__name__}")


def quantity(text: object) -> dict[str, str]:
    return _as_quantity(_parse_quantity(text))


def is_quantity(text: object) -> bool:
    return quantity_value(text, trim=False) is not None


def compare_to(a: object, b: object) -> int:
    x, y = _value(a), _value(b)
    return (x > y) - (x < y)


def is_less_than(a: object, b: object) -> bool:
    return compare_to(a, b) < 0


def is_greater_than(a: object, b: object) -> bool:
    return compare_to(a, b) > 0


def as_integer(q: object) -> int:
    value = _value(q)
    if value != value.to_integral_value() or not -_INT64 <= value < _INT64:
        raise ValueError("cannot convert value to integer")
    return int(value)


def as_approximate_float(q: object) -> float:
    return float(_value(q))


def is_integer(q: object) -> bool:
    value = _value(q)
    return value == value.to_integral_value() and -_INT64 <= value < _INT64


def sign(q: object) -> int:
    value = _value(q)
    return (value > 0) - (value < 0)


def _digits(a: Decimal, b: Decimal) -> int:
    """How many digits an exact sum of a and b can take (both not zero)."""
    low = min(int(a.as_tuple().exponent), int(b.as_tuple().exponent))
    return max(a.adjusted(), b.adjusted()) - low + 2


def add(a: object, b: object) -> dict[str, str]:
    """Quantity.Add: exact (inf.Dec) at any size, so 1e19 + 1e19 is 2e19."""
    return _sum(_value(a), _value(b))


def sub(a: object, b: object) -> dict[str, str]:
    """Quantity.Sub: exact, as add."""
    return _sum(_value(a), _value(b).copy_negate())


def _sum(x: Decimal, y: Decimal) -> dict[str, str]:
    """x + y, exact. A sum that needs more than MAX_SUM_DIGITS digits (1e2147483647 + 1) is
    an evaluation error here, where the API server would write out every digit."""
    if x and y and _digits(x, y) > MAX_SUM_DIGITS:
        raise ValueError("quantity sum too large to compute exactly")
    return _as_quantity(EXACT.add(x, y))


# --- URL -----------------------------------------------------------------------------------


def _check_url(text: str) -> str:
    parts = urlsplit(text)
    if not (parts.scheme and parts.netloc) and not text.startswith("/"):
        raise ValueError(f"URL must be an absolute URI or an absolute path: {text!r}")
    return text


def url(text: str) -> dict[str, str]:
    return {URL_KEY: _check_url(text)}


def is_url(text: str) -> bool:
    try:
        _check_url(text)
    except ValueError:
        return False
    return True


def _url(u: object) -> str:
    if isinstance(u, Mapping) and URL_KEY in u:
        return str(u[URL_KEY])
    raise TypeError("no such overload: expected a URL")


def get_scheme(u: object) -> str:
    return urlsplit(_url(u)).scheme


def get_host(u: object) -> str:
    return urlsplit(_url(u)).netloc.rpartition("@")[2]


def get_hostname(u: object) -> str:
    return urlsplit(_url(u)).hostname or ""


def get_port(u: object) -> str:
    port = urlsplit(_url(u)).port
    return "" if port is None else str(port)


def get_escaped_path(u: object) -> str:
    return urlsplit(_url(u)).path


def get_query(u: object) -> dict[str, list[str]]:
    return parse_qs(urlsplit(_url(u)).query, keep_blank_values=True)


# --- regex and lists -----------------------------------------------------------------------


def find(text: str, pattern: str) -> str:
    match = re.search(pattern, text)
    return match.group(0) if match else ""


def find_all(text: str, pattern: str, limit: int = -1) -> list[str]:
    found = [m.group(0) for m in re.finditer(pattern, text)]
    return found if limit < 0 else found[:limit]


def is_sorted(items: Sequence[Any]) -> bool:
    return all(items[i] <= items[i + 1] for i in range(len(items) - 1))


def index_of(container: Any, item: Any, offset: int = 0) -> int:
    """Kubernetes lists `indexOf`, and cel-go strings `indexOf(substr, offset)`."""
    if isinstance(container, str):
        if not 0 <= offset <= len(container):
            raise IndexError(f"indexOf: offset {offset} out of range")
        return container.find(item, offset)
    for i, value in enumerate(container):
        if value == item and type(value) is type(item):
            return i
    return -1


def last_index_of(container: Any, item: Any, offset: int | None = None) -> int:
    if isinstance(container, str):
        return container.rfind(item) if offset is None else container.rfind(item, 0, offset + 1)
    for i in range(len(container) - 1, -1, -1):
        if container[i] == item and type(container[i]) is type(item):
            return i
    return -1


KUBERNETES_SHIMS: dict[str, Callable[..., Any]] = {
    "quantity": quantity,
    "isQuantity": is_quantity,
    "compareTo": compare_to,
    "isLessThan": is_less_than,
    "isGreaterThan": is_greater_than,
    "asInteger": as_integer,
    "asApproximateFloat": as_approximate_float,
    "isInteger": is_integer,
    "sign": sign,
    "add": add,
    "sub": sub,
    "url": url,
    "isURL": is_url,
    "getScheme": get_scheme,
    "getHost": get_host,
    "getHostname": get_hostname,
    "getPort": get_port,
    "getEscapedPath": get_escaped_path,
    "getQuery": get_query,
    "find": find,
    "findAll": find_all,
    "isSorted": is_sorted,
    "indexOf": index_of,
    "lastIndexOf": last_index_of,
}
