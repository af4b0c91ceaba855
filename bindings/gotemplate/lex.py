"""Go `text/template`'s lexer: template text -> a flat list of tokens.

Tokens are tuples ``(kind, value, pos, line)``: ``pos`` is the byte offset into the source (Go reports
byte columns in its execution errors), ``line`` the 1-based line. Kinds: text, left, right, space, field,
variable, dot, ident, keyword, string, rawstring, char, number, bool, nil, pipe, lparen, rparen, declare
(``:=``), assign (``=``), comma, eof; an error is raised as ``TemplateError`` with Go's text.
"""
from __future__ import annotations

import re

KEYWORDS = {"block", "break", "continue", "define", "else", "end", "if", "range", "template", "with"}
_SPACE = " \t\r\n"
_NUMBER = re.compile(r"[+-]?(0[xX][0-9a-fA-F_]+(\.[0-9a-fA-F_]*)?([pP][+-]?\d+)?|0[bB][01_]+|0[oO][0-7_]+|"
                     r"(\d[\d_]*)?\.?[\d_]*([eE][+-]?\d+)?)i?")
_IDENT = re.compile(r"[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*")


class TemplateError(Exception):
    """A parse or execution failure, its message exactly the Go error's text."""


def byte_len(text: str) -> int:
    return len(text.encode("utf-8"))


class Lexer:
    def __init__(self, name: str, text: str):
        self.name, self.text, self.tokens = name, text, []
        self.i, self.line = 0, 1
        self.boffset = 0  # byte offset of self.i (Go positions are bytes)

    def fail(self, message: str, line: int | None = None):
        raise TemplateError(f"template: {self.name}:{line or self.line}: {message}")

    def emit(self, kind, value, start):
        self.tokens.append((kind, value, self.bpos(start), self.line_at(start)))

    def bpos(self, index: int) -> int:
        return byte_len(self.text[:index])

    def line_at(self, index: int) -> int:
        return 1 + self.text.count("\n", 0, index)

    def run(self) -> list:
        text, n = self.text, len(self.text)
        while self.i < n:
            left = text.find("{{", self.i)
            if left < 0:
                self.emit("text", text[self.i:], self.i)
                break
            end_text = left
            trim = text.startswith("{{- ", left) or text.startswith("{{-\t", left) or \
                text.startswith("{{-\n", left) or text.startswith("{{-\r", left)
            if trim:
                while end_text > self.i and text[end_text - 1] in _SPACE:
                    end_text -= 1
            if end_text > self.i:
                self.emit("text", text[self.i:end_text], self.i)
            self.i = left + (3 if trim else 2)
            self.action(left)
        self.tokens.append(("eof", "", self.bpos(n), self.line_at(n)))
        return self.tokens

    def right_trim(self, at: int) -> int | None:
        """Index after '}}' when a right delimiter (with or without ' -') starts at ``at``, else None."""
        text = self.text
        if text.startswith("}}", at):
            return at + 2
        if text[at:at + 1] in (" ", "\t", "\r", "\n") and text.startswith("-}}", at + 1):
            return -(at + 4)  # negative: trim the text that follows
        return None

    def after_right(self, end: int) -> None:
        if end < 0:
            end = -end
            while end < len(self.text) and self.text[end] in _SPACE:
                end += 1
        self.i = end

    def action(self, left: int) -> None:
        text = self.text
        start_line = self.line_at(left)
        probe = self.i
        while probe < len(text) and text[probe] in _SPACE:
            probe += 1
        if text.startswith("/*", probe):
            close = text.find("*/", probe + 2)
            if close < 0:
                self.fail("unclosed comment", start_line)
            end = self.right_trim(close + 2)
            if end is None:
                self.fail("comment ends before closing delimiter", start_line)
            self.after_right(end)
            return
        self.emit("left", "{{", left)
        depth = 0
        while True:
            i = self.i
            if i >= len(text):
                self.fail("unclosed action", start_line)
            end = self.right_trim(i)
            if end is not None and depth == 0:
                self.emit("right", "}}", i)
                self.after_right(end)
                return
            c = text[i]
            if c in _SPACE:
                j = i
                while j < len(text) and text[j] in _SPACE and self.right_trim(j) is None:
                    j += 1
                self.emit("space", text[i:j], i)
                self.i = j if j > i else i + 1
            elif c == "|":
                self.emit("pipe", c, i); self.i += 1
            elif c == "(":
                depth += 1; self.emit("lparen", c, i); self.i += 1
            elif c == ")":
                depth -= 1
                if depth < 0:
                    self.fail(f"unexpected right paren")
                self.emit("rparen", c, i); self.i += 1
            elif c == ",":
                self.emit("comma", c, i); self.i += 1
            elif text.startswith(":=", i):
                self.emit("declare", ":=", i); self.i += 2
            elif c == "=":
                self.emit("assign", c, i); self.i += 1
            elif c == '"':
                self.quoted(i, '"', "string", "unterminated quoted string")
            elif c == "'":
                self.quoted(i, "'", "char", "unterminated character constant")
            elif c == "`":
                close = text.find("`", i + 1)
                if close < 0:
                    self.fail("unterminated raw quoted string")
                self.emit("rawstring", text[i:close + 1], i); self.i = close + 1
            elif c == "$":
                m = _IDENT.match(text, i + 1)
                j = m.end() if m else i + 1
                self.emit("variable", text[i:j], i); self.i = j
            elif c == ".":
                m = _IDENT.match(text, i + 1)
                if m:
                    self.emit("field", text[i:m.end()], i); self.i = m.end()
                elif i + 1 < len(text) and text[i + 1].isdigit():
                    self.number(i)
                else:
                    self.emit("dot", ".", i); self.i += 1
            elif c.isdigit() or (c in "+-" and i + 1 < len(text) and (text[i + 1].isdigit() or text[i + 1] == ".")):
                self.number(i)
            elif _IDENT.match(text, i):
                word = _IDENT.match(text, i).group()
                kind = "keyword" if word in KEYWORDS else "bool" if word in ("true", "false") else \
                    "nil" if word == "nil" else "ident"
                self.emit(kind, word, i); self.i = i + len(word)
            else:
                self.fail(f"unrecognized character in action: {_go_quote_rune(c)}")

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
        m = _NUMBER.match(self.text, i)
        j = m.end() if m and m.end() > i else i + 1
        if j < len(self.text) and (self.text[j].isalnum() or self.text[j] == "_"):
            self.fail(f"bad number syntax: {_go_quote(self.text[i:j + 1])}")
        self.emit("number", self.text[i:j], i)
        self.i = j


def _go_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _go_quote_rune(c: str) -> str:
    return "'" + c.replace("\\", "\\\\").replace("'", "\\'") + "'" if c.isprintable() else "U+%04X" % ord(c)


def lex(name: str, text: str) -> list:
    return Lexer(name, text).run()
