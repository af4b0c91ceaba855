"""Whether a Python value crosses to JavaScript unchanged: what a binding returns is checked before it is sent
(engine.py), as is what an on_request hook adds to a page's data (runtime/http/pipeline.py). JSON alone would
pass values JavaScript reads differently (an integer beyond 2**53 loses digits) or refuse them with an error
that names no binding."""
from __future__ import annotations

_JSON_SCALARS = (str, bool, type(None))
MAX_SAFE_INTEGER = 2 ** 53 - 1


def non_json(value, depth: int = 0) -> str | None:
    """What in ``value`` cannot cross to JavaScript unchanged (a type name), or None."""
    if isinstance(value, _JSON_SCALARS):
        return None
    if isinstance(value, int):
        return None if abs(value) <= MAX_SAFE_INTEGER else "integer beyond 2**53"
    if isinstance(value, float):
        return None if value == value and value not in (float("inf"), float("-inf")) else "float " + repr(value)
    if depth > 200:
        return "nesting deeper than 200"
    if isinstance(value, (list, tuple)):
        return next((bad for v in value if (bad := non_json(v, depth + 1))), None)
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                return f"{type(k).__name__} key"
            bad = non_json(v, depth + 1)
            if bad:
                return bad
        return None
    return type(value).__name__
