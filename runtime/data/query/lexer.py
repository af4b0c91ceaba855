"""The filter language's tokens, scanned the way PocketBase's filter scanner does, error texts included.

What the binary accepts is the rule: a group `( ... )` is one token whose inside is scanned again (so a `//`
comment inside parentheses ends at the closing one), text is `'...'` or `"..."` where only the quote itself can be
escaped (other backslashes stay), a number is `-?digits(.digits)?`, an identifier starts with a letter, `@`, `_`
or `#` and goes on over letters, digits, `_`, `.` and `:`. Placeholders `{:name}` are replaced by the value of
`params[name]` as a value token (never as text spliced into the filter, so a value can never end a quoted string
early); a name not in params leaves `{`, which is the binary's `unexpected character '{'`. A NUL ends the
text (parser.parse cuts it there), as the binary's scanner reads it as its end-of-input mark.
"""
from __future__ import annotations

import json
import math
from typing import NamedTuple

SIGNS = ("=", "!=", "~", "!~", "<", "<=", ">", ">=", "?=", "?!=", "?~", "?!~", "?<", "?<=", "?>", "?>=")
_SIGN_CHARS = "=?!><~"


class FilterError(ValueError):
    """A filter the binary refuses; the text is the binary's (without findRecordsByFilter's prefix)."""


class Token(NamedTuple):
    kind: str     # "identifier", "text", "number", "sign", "join", "group"
    value: object  # str, or float for a number


def placeholder_token(value) -> Token:
    """The token a `{:name}` stands for, as the binary's replacement (null, bools, numbers, else quoted text)."""
    if value is None:
        return Token("identifier", "null")
    if isinstance(value, bool):
        return Token("identifier", "true" if value else "false")
    if isinstance(value, (int, float)):
        return Token("number", float(value)) if math.isfinite(value) else Token("identifier", repr(float(value)))
    if isinstance(value, str):
        return Token("text", value)  # observed: quotes and backslashes arrive intact
    return Token("text", json.dumps(value, separators=(",", ":"), ensure_ascii=False))


def _is_ident_start(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ch in "@_#"


def _is_ident_part(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("0" <= ch <= "9") or ch in "_.:"


def _quoted(ch: str) -> str:
    """Go's %q of one character."""
    if ch == "'":
        return "'\\''"
    if ch == "\\":
        return "'\\\\'"
    return "'" + (ch if ch.isprintable() else ("\\x%02x" % ord(ch) if ord(ch) < 0x80 else ch)) + "'"


def _go_q(text: str) -> str:
    """Go's %q of a string (what error messages show)."""
    return json.dumps(text, ensure_ascii=False)


def _placeholder_at(text: str, pos: int, params) -> str | None:
    """The longest params name `k` with `{:k}` at pos: the binary replaces `{:k}` textually, so any key works
    (`{:a-b}`, `{:a}b}`); None when no key fits (then `{` is the binary's `unexpected character '{'`)."""
    if not text.startswith("{:", pos):
        return None
    best = None
    for name in params:
        if isinstance(name, str) and text.startswith("}", pos + 2 + len(name)) and text.startswith(name, pos + 2):
            best = name if best is None or len(name) > len(best) else best
    return best


def _unescape(inside: str) -> str:
    """A quoted text's value: `\\\\`, `\\'` and `\\"` lose their backslash, any other backslash stays (observed:
    `'back\\slash'` and `'back\\\\slash'` both match the text back\\slash)."""
    if "\\" not in inside:
        return inside
    out, i, n = [], 0, len(inside)
    while i < n:
        ch = inside[i]
        if ch == "\\" and i + 1 < n and inside[i + 1] in "\\'\"":
            out.append(inside[i + 1])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def scan(text: str, params=None, names_only: bool = False) -> list[Token]:
    """Every significant token of `text` (whitespace and comments dropped); FilterError on the first bad one.

    A `{:name}` whose name is in params is its value's token, or with `names_only` a ("placeholder", name) token
    bound later (the parse cache keeps trees without values)."""
    tokens, pos, n = [], 0, len(text)
    while pos < n:
        ch = text[pos]
        if ch in " \t\n":
            pos += 1
        elif ch == "(":
            pos = _scan_group(text, pos, tokens)
        elif _is_ident_start(ch):
            end = pos + 1
            while end < n and _is_ident_part(text[end]):
                end += 1
            literal = text[pos:end]
            if end < n and text[end] == "(":
                raise FilterError(f"unknown function {_go_q(literal)}")
            if literal[-1] in ".:" or (len(literal) == 1 and literal in "@_#"):
                raise FilterError(f"invalid identifier {_go_q(literal)}")
            tokens.append(Token("identifier", literal))
            pos = end
        elif ch == "-" or "0" <= ch <= "9":
            pos = _scan_number(text, pos, tokens)
        elif ch in "'\"":
            end, literal = _scan_text(text, pos)
            tokens.append(Token("text", _unescape(literal[1:-1])))
            pos = end
        elif ch in _SIGN_CHARS:
            end = pos
            while end < n and text[end] in _SIGN_CHARS:
                end += 1
            if text[pos:end] not in SIGNS:
                raise FilterError(f"invalid sign operator {_go_q(text[pos:end])}")
            tokens.append(Token("sign", text[pos:end]))
            pos = end
        elif ch in "&|":
            end = pos
            while end < n and text[end] in "&|":
                end += 1
            if text[pos:end] not in ("&&", "||"):
                raise FilterError(f"invalid join operator {_go_q(text[pos:end])}")
            tokens.append(Token("join", text[pos:end]))
            pos = end
        elif ch == "/":
            if text[pos + 1:pos + 2] != "/":
                raise FilterError("invalid comment")
            newline = text.find("\n", pos)
            pos = n if newline < 0 else newline + 1
        elif ch == "{" and params and (name := _placeholder_at(text, pos, params)) is not None:
            tokens.append(Token("placeholder", name) if names_only else placeholder_token(params[name]))
            pos += len(name) + 3
        else:
            raise FilterError(f"unexpected character {_quoted(ch)}")
    return tokens


def _scan_number(text: str, pos: int, tokens: list) -> int:
    end, had_dot = pos, False
    while end < len(text):
        ch = text[end]
        if "0" <= ch <= "9" or (ch == "-" and end == pos) or (ch == "." and not had_dot):
            had_dot = had_dot or ch == "."
            end += 1
        else:
            break
    literal = text[pos:end]
    if literal == "-" or literal[0] == "." or literal[-1] == ".":
        raise FilterError(f"invalid number {_go_q(literal)}")
    tokens.append(Token("number", float(literal)))
    return end


def scan_text_end(text: str, pos: int) -> int:
    """Where the quoted text starting at pos ends (FilterError when it does not)."""
    return _scan_text(text, pos)[0]


def _scan_text(text: str, pos: int) -> tuple[int, str]:
    """The end of the quoted text starting at pos and its literal with the quotes (a backslash escapes the next
    character, so `'x\\\\'` ends at its last quote, as in the binary)."""
    quote, end = text[pos], pos + 1
    while end < len(text):
        ch = text[end]
        end += 1
        if ch == "\\":
            end += 1
        elif ch == quote:
            return end, text[pos:end]
    raise FilterError(f"invalid quoted text {_go_q(text[pos:end])}")


def _scan_group(text: str, pos: int, tokens: list) -> int:
    """A parenthesised group as one token holding its inside (quoted text inside skipped whole)."""
    depth, end = 1, pos + 1
    while end < len(text):
        ch = text[end]
        if ch == "(":
            depth += 1
        elif ch in "'\"":
            end = _scan_text(text, end)[0]
            continue
        elif ch == ")":
            depth -= 1
            if depth == 0:
                tokens.append(Token("group", text[pos + 1:end]))
                return end + 1
        end += 1
    raise FilterError(f"invalid formatted group - missing {depth} closing bracket(s)")
