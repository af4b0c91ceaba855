"""`$security.randomStringByRegex(pattern, flags?)`: a random string the pattern matches, as PocketBase makes it.

PocketBase walks Go's parsed regexp: a class gives one of its runes uniformly, `.` one of [A-Za-z0-9], an
alternation one branch, and a repeat `{min,max}` draws n in [min, max) (so `?` never repeats, `*` gives 0-5
and `+` 1-5: an open end is 6, and Go's draw excludes its bound). Anchors and word boundaries are refused as
Go's "unsupported pattern operator N". Patterns are parsed with Python's own parser, whose syntax agrees with
Go's on what such patterns use; a parse error carries Go's prefix (its text may differ from Go's).
"""
from __future__ import annotations

import re
import secrets

try:  # Python 3.11+
    from re import _constants as C, _parser as P
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C
    import sre_parse as P

OPEN_REPEAT = 6  # PocketBase's defaultMaxRepeat
ANY = ((ord("A"), ord("Z")), (ord("a"), ord("z")), (ord("0"), ord("9")))
CATEGORIES = {  # Go's Perl classes are ASCII
    C.CATEGORY_DIGIT: ((48, 57),), C.CATEGORY_SPACE: ((9, 10), (12, 13), (32, 32)),
    C.CATEGORY_WORD: ((48, 57), (65, 90), (95, 95), (97, 122)),
}
NEGATED = {C.CATEGORY_NOT_DIGIT: C.CATEGORY_DIGIT, C.CATEGORY_NOT_SPACE: C.CATEGORY_SPACE,
           C.CATEGORY_NOT_WORD: C.CATEGORY_WORD}
GO_OPS = {C.AT_BEGINNING: 7, C.AT_BEGINNING_STRING: 7, C.AT_END: 8, C.AT_END_STRING: 8, C.AT_BOUNDARY: 9,
          C.AT_NON_BOUNDARY: 10}
LITERAL_FLAG = 2  # Go's syntax.Literal
MAX_RUNE = 0x10FFFF


class Unsupported(Exception):
    pass


def _complement(ranges):
    out, start = [], 0
    for lo, hi in sorted(ranges):
        if lo > start:
            out.append((start, lo - 1))
        start = max(start, hi + 1)
    if start <= MAX_RUNE:
        out.append((start, MAX_RUNE))
    return out


def _class_ranges(items):
    ranges, negate = [], False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            ranges.append((av, av))
        elif op is C.RANGE:
            ranges.append(av)
        elif op is C.CATEGORY:
            ranges.extend(CATEGORIES[av] if av in CATEGORIES else _complement(CATEGORIES[NEGATED[av]]))
    return _complement(ranges) if negate else ranges


def _pick(ranges) -> str:
    total = sum(hi - lo + 1 for lo, hi in ranges)
    if total <= 0:
        raise Unsupported("no runes to choose from")
    n = secrets.randbelow(total)
    for lo, hi in ranges:
        if n <= hi - lo:
            return chr(lo + n)
        n -= hi - lo + 1
    raise AssertionError("unreachable")


def _repeat(items, low, high, out):
    high = OPEN_REPEAT if high == C.MAXREPEAT else high
    high = max(high, low)
    n = low + (secrets.randbelow(high - low) if high != low else 0)
    for _ in range(n):
        _write(items, out)


def _write(items, out):
    for op, av in items:
        if op is C.LITERAL:
            out.append(chr(av))
        elif op is C.NOT_LITERAL:
            out.append(_pick(_complement([(av, av)])))
        elif op is C.IN:
            out.append(_pick(_class_ranges(av)))
        elif op is C.ANY:
            out.append(_pick(ANY))
        elif op is C.BRANCH:
            branches = av[1]
            _write(branches[secrets.randbelow(len(branches))], out)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT) or op.name == "POSSESSIVE_REPEAT":
            _repeat(av[2], av[0], av[1], out)
        elif op is C.SUBPATTERN:
            _write(av[-1], out)
        elif op is C.AT:
            raise Unsupported(f"unsupported pattern operator {GO_OPS.get(av, 5)}")
        else:
            raise Unsupported(f"unsupported pattern operator {op}")


def random_by_regex(ctx, pattern: str, flags=None):
    """{"ok": text} or {"error": Go's text}."""
    if flags is not None and int(flags) & LITERAL_FLAG:
        return {"ok": pattern}
    try:
        parsed = P.parse(pattern)
    except re.error as e:
        text = str(e.msg)
        if "missing )" in text:
            text = "missing closing )"
        elif "unbalanced parenthesis" in text:
            text = "unexpected )"
        return {"error": f"error parsing regexp: {text}: `{pattern}`"}
    out: list[str] = []
    try:
        _write(list(parsed), out)
    except Unsupported as e:
        return {"error": str(e)}
    return {"ok": "".join(out)}
