"""Go `text/template`'s lexer: template text -> a flat list of tokens.

Tokens are tuples ``(kind, value, pos, line)``: ``pos`` is the byte offset into the source (Go reports
byte columns in its execution errors), ``line`` the 1-based line. Kinds: text, left, right, space, field,
variable, dot, ident, keyword, string, rawstring, char, number, bool, nil, pipe, lparen, rparen, declare
(``:=``), assign (``=``), comma, other (any other printable ASCII character), error, eof. Go's lexer runs
ahead of its parser only one token, so a lexical error is an ``error`` token that ends the list: the
parser reports it only if it gets that far (an earlier parse error wins, as in Go).
"""
from __future__ import annotations

import re
from itertools import accumulate

KEYWORDS = {"block", "break", "continue", "define", "else", "end", "if", "range", "template", "with"}
_SPACE = " \t\r\n"
_TERMINATORS = " \t\r\n.,|:)("
_NAME = re.compile(r"[A-Za-z0-9_\u0080-\U0010ffff]+")  # after `$` or `.`: Go's alphanumerics
_IDENT = re.compile(r"[A-Za-z_\u0080-\U0010ffff][A-Za-z0-9_\u0080-\U0010ffff]*")


class TemplateError(Exception):
    """A parse or execution failure, its message exactly the Go error's text."""


class _Stop(Exception):
    pass


def byte_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogateescape"))


def go_rune(c: str) -> str:
    """fmt's %#U: U+002D '-'."""
    return "U+%04X '%s'" % (ord(c), c) if c.isprintable() else "U+%04X" % ord(c)


class Lexer:
    def __init__(self, name: str, text: str):
        self.name, self.text, self.tokens = name, text, []
        self.i = 0
        # byte offsets of each character, only when some character is not ASCII
        self.offsets = None if text.isascii() else [0, *accumulate(byte_len(c) for c in text)]
        self.seen, self.seen_line = 0, 1  # line counting resumes from the last position asked

    def fail(self, message: str, at: int | None = None):
        at = self.i if at is None else at
        self.tokens.append(("error", message, self.bpos(at), self.line_at(at)))
        raise _Stop()

    def emit(self, kind, value, start):
        self.tokens.append((kind, value, self.bpos(start), self.line_at(start)))

    def bpos(self, index: int) -> int:
        return index if self.offsets is None else self.offsets[index]

    def line_at(self, index: int) -> int:
        if index < self.seen:
            return 1 + self.text.count("\n", 0, index)
        self.seen_line += self.text.count("\n", self.seen, index)
        self.seen = index
        return self.seen_line

    def run(self) -> list:
        try:
            self.scan()
        except _Stop:
            return self.tokens
        n = len(self.text)
        self.tokens.append(("eof", "", self.bpos(n), self.line_at(n)))
        return self.tokens

    def scan(self) -> None:
        text, n = self.text, len(self.text)
        while self.i < n:
            left = text.find("{{", self.i)
            if left < 0:
                self.emit("text", text[self.i:], self.i)
                break
            end_text = left
            trim = text[left + 2:left + 3] == "-" and text[left + 3:left + 4] in tuple(_SPACE)
            if trim:
                while end_text > self.i and text[end_text - 1] in _SPACE:
                    end_text -= 1
            if end_text > self.i:
                self.emit("text", text[self.i:end_text], self.i)
            self.i = left + (4 if trim else 2)  # "{{- " with its space, as Go's trim marker
            self.action(left)

    def right_delim(self, at: int):
        """(index after the right delimiter, trim the text after) when one starts at ``at``, else None."""
        text = self.text
        if text.startswith("}}", at):
            return at + 2, False
        if text[at:at + 1] in tuple(_SPACE) and text.startswith("-}}", at + 1):
            return at + 4, True
        return None

    def after_right(self, end) -> None:
        index, trim = end
        if trim:
            while index < len(self.text) and self.text[index] in _SPACE:
                index += 1
        self.i = index

    def at_terminator(self, j: int) -> bool:
        return j >= len(self.text) or self.text[j] in _TERMINATORS or self.text.startswith("}}", j)

    def action(self, left: int) -> None:
        text = self.text
        if text.startswith("/*", self.i):  # only right after `{{` or `{{- `, as Go's lexer looks for it
            close = text.find("*/", self.i + 2)
            if close < 0:
                self.fail("unclosed comment")
            end = self.right_delim(close + 2)
            if end is None:
                self.fail("comment ends before closing delimiter")
            self.after_right(end)
            return
        self.emit("left", "{{", left)
        depth = 0
        while True:
            i = self.i
            if i >= len(text):
                self.fail("unclosed action")
            end = self.right_delim(i)
            if end is not None:
                if depth:
                    self.fail("unclosed left paren")
                self.emit("right", "}}", i)
                self.after_right(end)
                return
            c = text[i]
            if c in _SPACE:
                j = i
                while j < len(text) and text[j] in _SPACE and self.right_delim(j) is None:
                    j += 1
                self.emit("space", text[i:j], i)
                self.i = max(j, i + 1)
            elif c in "|(),=":
                depth += {"(": 1, ")": -1}.get(c, 0)
                if depth < 0:
                    self.fail("unexpected right paren")
                kind = {"|": "pipe", "(": "lparen", ")": "rparen", ",": "comma", "=": "assign"}[c]
                self.emit(kind, c, i)
                self.i += 1
            elif c == ":":
                if not text.startswith(":=", i):
                    self.fail("expected :=")
                self.emit("declare", ":=", i)
                self.i += 2
            elif c == '"':
                self.quoted(i, '"', "string", "unterminated quoted string")
            elif c == "'":
                self.quoted(i, "'", "char", "unterminated character constant")  # its form: parse.py
            elif c == "`":
                close = text.find("`", i + 1)
                if close < 0:
                    self.fail("unterminated raw quoted string")
                self.emit("rawstring", text[i:close + 1], i)
                self.i = close + 1
            elif c == "$" or (c == "." and i + 1 < len(text) and not text[i + 1].isdigit()):
                m = _NAME.match(text, i + 1)
                j = m.end() if m else i + 1
                self.word(i, j, "variable" if c == "$" else "field" if m else "dot")
            elif c.isdigit() or c in "+-.":
                self.number(i)
            elif _IDENT.match(text, i):
                word = _IDENT.match(text, i).group()
                kind = "keyword" if word in KEYWORDS else "bool" if word in ("true", "false") else \
                    "nil" if word == "nil" else "ident"
                self.word(i, i + len(word), kind)
            elif c.isascii() and c.isprintable():
                self.emit("other", c, i)
                self.i += 1
            else:
                self.fail(f"unrecognized character in action: {go_rune(c)}")

    def word(self, i: int, j: int, kind: str) -> None:
        if not self.at_terminator(j):
            self.i = j
            self.fail(f"bad character {go_rune(self.text[j])}")
        self.emit(kind, self.text[i:j], i)
        self.i = j

    def quoted(self, i: int, quote: str, kind: str, unterminated: str) -> None:
        text, j = self.text, i + 1
        while True:
            if j >= len(text) or text[j] == "\n":
                self.fail(unterminated)
            if text[j] == "\\":
                j += 2
                continue
            if text[j] == quote:
                break
            j += 1
        self.emit(kind, text[i:j + 1], i)
        self.i = j + 1

    def number(self, i: int) -> None:
        """Go's lexNumber: one number, or a complex `1+2i`; anything else is "bad number syntax"."""
        end, ok = self.scan_number(i)
        if ok and end < len(self.text) and self.text[end] in "+-":
            end, ok = self.scan_number(end)
            ok = ok and self.text[end - 1] == "i"
        if not ok:
            self.fail(f'bad number syntax: "{self.text[i:end]}"')
        self.emit("number", self.text[i:end], i)
        self.i = end

    def scan_number(self, j: int):
        """Go's scanNumber from ``j``: (end, ok) - sign, base prefix, digits, fraction, exponent, `i`, and
        no letter after (which is taken in, as Go shows it in the error)."""
        text = self.text

        def run(chars):
            nonlocal j
            while j < len(text) and text[j] in chars:
                j += 1

        def accept(chars):
            nonlocal j
            if j < len(text) and text[j] in chars:
                j += 1
                return True
            return False

        accept("+-")
        digits = "0123456789_"
        if accept("0"):
            for marks, base in (("xX", "0123456789abcdefABCDEF_"), ("oO", "01234567_"), ("bB", "01_")):
                if accept(marks):
                    digits = base
                    break
        run(digits)
        if accept("."):
            run(digits)
        if len(digits) == 11 and accept("eE") or len(digits) == 23 and accept("pP"):
            accept("+-")
            run("0123456789_")
        accept("i")
        if j < len(text) and (text[j].isalnum() or text[j] == "_"):
            return j + 1, False
        return j, True


def lex(name: str, text: str) -> list:
    return Lexer(name, text).run()
