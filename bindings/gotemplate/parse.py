"""Go `text/template`'s parser: tokens (lex.py) -> trees of the small nodes of nodes.py, one per defined
template, with Go's parse errors ("template: NAME:LINE: ...") word for word.
"""
from __future__ import annotations

import ast

from .gofmt import GoInt, go_quote
from .lex import TemplateError, lex
from .nodes import Action, Arg, Branch, Call, Command, Loop, Pipe, Text


def parse_number(source: str, name: str, line: int):
    """A number literal as Go's parser types it: int64 for integers (hex, octal, binary, runes), else float64."""
    text = source.replace("_", "")
    try:
        if text.startswith("'"):
            value = ast.literal_eval(text) if len(source) > 2 else ""
            if len(value) != 1:
                raise TemplateError(f"template: {name}:{line}: malformed character constant: {source}")
            return GoInt(ord(value))
        if text.endswith("i"):  # complex128, printed (1+2i)
            if not any(c.isdigit() for c in text):
                raise ValueError("no digits")
            return complex(text[:-1] + "j")
        body, sign = text.lstrip("+-"), -1 if text.startswith("-") else 1
        low = body.lower()
        if low.startswith(("0x", "0b", "0o")) and "." not in low and "p" not in low:
            return GoInt(sign * int(body, 0))
        if low.startswith("0x") and "p" not in low:
            raise ValueError("a hexadecimal fraction needs its p exponent")
        if body.isdigit():
            return GoInt(sign * int(body, 8 if len(body) > 1 and body[0] == "0" else 10))
        return sign * (float.fromhex(body) if low.startswith("0x") else float(body))
    except (ValueError, SyntaxError):
        raise TemplateError(f'template: {name}:{line}: illegal number syntax: "{source}"') from None


class Parser:
    def __init__(self, name: str, text: str, funcs):
        self.name, self.funcs = name, funcs
        self.tokens, self.k = lex(name, text), 0
        self.defined: dict[str, list] = {}
        self.vars = ["$"]
        self.action_line = 0
        self.ranges = 0  # open {{range}}s: where {{break}} and {{continue}} may stand

    def fail(self, message, tok=None):
        tok = tok or self.tokens[min(self.k, len(self.tokens) - 1)]
        raise TemplateError(f"template: {self.name}:{tok[3]}: {message}")

    def next(self):
        tok = self.tokens[self.k]
        self.k += 1
        kind = tok[0]
        if kind == "left":
            self.action_line = tok[3]
        elif kind == "right":
            self.action_line = 0
        elif kind == "error":
            self.lex_error(tok)
        return tok

    def lex_error(self, tok):
        extra = ""
        if self.action_line and self.action_line != tok[3]:
            extra = f" in action started at {self.name}:{self.action_line}"
            if tok[1].endswith(" action"):
                extra = extra[len(" in action"):]
        self.fail(tok[1] + extra, tok)

    def peek(self):
        return self.tokens[self.k]

    def look(self):
        """The next token that is not a space, read without reporting a lexical error (Go's peek)."""
        k = self.k
        while self.tokens[k][0] == "space":
            k += 1
        return self.tokens[k]

    def next_nonspace(self):
        tok = self.next()
        while tok[0] == "space":
            tok = self.next()
        return tok

    def peek_nonspace(self):
        tok = self.next_nonspace()
        self.k -= 1
        return tok

    def expect(self, kind, context):
        tok = self.next_nonspace()
        if tok[0] != kind:
            self.unexpected(tok, context)
        return tok

    def unexpected(self, tok, context):
        if tok[0] == "error":
            self.lex_error(tok)
        self.fail(f"unexpected {_shown(tok)} in {context}", tok)

    def parse(self) -> dict:
        body, stop = self.item_list(top=True)
        self.define(self.name, body)
        return self.defined

    def define(self, name, body):
        """Go's treeSet add: an empty body never replaces one, two bodies with content are an error."""
        known = self.defined.get(name)
        if known is None or not _has_content(known):
            self.defined[name] = body
        elif _has_content(body):
            self.fail(f'template: multiple definition of template "{name}"', self.tokens[self.k - 1])

    def item_list(self, top=False):
        """Nodes up to {{end}} / {{else}} (returned as the stop keyword) or, at the top, EOF."""
        items = []
        while True:
            tok = self.next()
            kind = tok[0]
            if kind == "eof":
                if not top:
                    self.fail("unexpected EOF", tok)
                return items, None
            if kind == "text":
                items.append(Text(tok[1]))
                continue
            word = self.peek_nonspace()
            if word[0] == "keyword":
                self.next_nonspace()
                if word[1] in ("end", "else"):
                    ahead = self.look()
                    if not (word[1] == "else" and ahead[0] == "keyword" and ahead[1] in ("if", "with")):
                        self.expect("right", word[1])  # `{{else if`/`{{else with` go on as a branch
                    if top:
                        self.fail(f"unexpected {{{{{word[1]}}}}}", word)
                    return items, word
                node = self.keyword(word, top)
                if node is not None:
                    items.append(node)
                continue
            pipe = self.pipeline("command", "right")
            items.append(Action(pipe.pos, tok[3], pipe))

    def keyword(self, word, top):
        w = word[1]
        if w in ("if", "range", "with"):
            return self.branch(w, word)
        if w in ("break", "continue"):
            self.expect("right", f"{{{{{w}}}}}")
            if not self.ranges:
                self.fail(f"{{{{{w}}}}} outside {{{{range}}}}", word)
            return Loop(w, word[2], word[3])
        if w == "template":
            return self.template_call(word)
        if w in ("define", "block"):
            if w == "define" and not top:
                self.fail("unexpected <define> in command", word)
            name_tok = self.next_nonspace()
            if name_tok[0] not in ("string", "rawstring"):
                self.unexpected(name_tok, f"{w} clause")
            name = ast.literal_eval(name_tok[1])
            pipe = None
            if w == "define":
                self.expect("right", "define clause")
            else:
                pipe = self.pipeline("block clause", "right")
            saved, self.vars = self.vars, ["$"]
            body, stop = self.item_list()
            self.vars = saved
            if stop[1] != "end":
                self.fail("unexpected {{else}}", stop)
            self.define(name, body)
            return Call(name, name_tok[2], name_tok[3], pipe) if w == "block" else None
        self.unexpected(word, "command")

    def branch(self, kind, word):
        mark = len(self.vars)
        pipe = self.pipeline(kind, "right")
        self.ranges += kind == "range"
        body, stop = self.item_list()
        self.ranges -= kind == "range"
        other = None
        if stop[1] == "else":
            nxt = self.look()
            if nxt[0] == "keyword" and nxt[1] == kind and kind in ("if", "with"):
                self.next_nonspace()
                other = [self.branch(kind, nxt)]
            else:
                other, stop = self.item_list()
                if stop[1] != "end":
                    self.fail("expected end; found {{else}}", stop)
        del self.vars[mark:]
        return Branch(kind, pipe.pos, word[3], pipe, body, other)

    def template_call(self, word):
        tok = self.next_nonspace()
        if tok[0] not in ("string", "rawstring"):
            self.unexpected(tok, "template clause")
        name = ast.literal_eval(tok[1])
        pipe = None
        if self.peek_nonspace()[0] != "right":
            pipe = self.pipeline("template clause", "right")
        else:
            self.next_nonspace()
        return Call(name, tok[2], tok[3], pipe)

    def pipeline(self, context, end):
        start = self.peek_nonspace()
        decl, assign = [], False
        while self.look()[0] == "variable":  # Go's decls: `$x :=`, `$x =`, and range's `$i, $v :=`
            save = self.k
            var = self.next_nonspace()
            after = self.look()
            if after[0] in ("declare", "assign"):
                self.next_nonspace()
                assign = after[0] == "assign"  # an undefined one fails when run, as in Go
                decl.append(var[1])
                self.vars.append(var[1])
                break
            if after[0] == "comma":
                self.next_nonspace()
                decl.append(var[1])
                self.vars.append(var[1])
                if context == "range" and len(decl) < 2:
                    if self.look()[0] in ("variable", "right", "rparen"):
                        continue
                    self.fail("range can only initialize variables", after)
                self.fail(f"too many declarations in {context}", after)
            self.k = save
            break
        cmds = []
        while True:
            tok = self.next_nonspace()
            if tok[0] == end:
                if not cmds:
                    self.fail(f"missing value for {context}", tok)
                for i, cmd in enumerate(cmds[1:]):
                    if cmd.args[0].kind in ("bool", "dot", "nil", "number", "string"):
                        self.fail(f"non executable command in pipeline stage {i + 2}", tok)
                return Pipe(start[2], decl, assign, cmds)
            if tok[0] not in _OPERAND_START:
                self.unexpected(tok, context)
            self.k -= 1
            cmds.append(self.command(end))

    def command(self, end):
        """Operands up to the end of the pipeline or a `|` (consumed), as Go's command()."""
        args, pos = [], self.peek_nonspace()[2]
        while True:
            self.peek_nonspace()
            arg = self.operand()
            if arg is not None:
                args.append(arg)
            tok = self.next()
            if tok[0] == "space":
                continue
            if tok[0] in ("right", "rparen"):
                self.k -= 1
            elif tok[0] != "pipe":
                self.unexpected(tok, "operand")
            break
        if not args:
            self.fail("empty command")
        return Command(pos, args)

    def operand(self):
        node = self.term()
        if node is None:
            return None
        if self.peek()[0] == "field":
            fields, pos = [], self.peek()[2]
            while self.peek()[0] == "field":
                fields.append(self.next()[1][1:])
            if node.kind == "field":
                return Arg("field", node.value + fields, pos)
            if node.kind == "variable":
                return Arg("variable", node.value + fields, pos)
            if node.kind in ("bool", "string", "number", "nil", "dot"):
                self.fail(f"unexpected . after term {str(node)!r}".replace("'", '"'))
            return Arg("chain", (node, fields), pos)
        return node

    def term(self):
        tok = self.next_nonspace()
        kind, value, pos = tok[0], tok[1], tok[2]
        if kind == "ident":
            if value not in self.funcs:
                self.fail(f'function "{value}" not defined', tok)
            return Arg("ident", value, pos)
        if kind == "dot":
            return Arg("dot", None, pos)
        if kind == "nil":
            return Arg("nil", None, pos)
        if kind == "variable":
            if value not in self.vars:
                self.fail(f'undefined variable "{value}"', tok)
            return Arg("variable", [value], pos)
        if kind == "field":
            return Arg("field", [value[1:]], pos)
        if kind == "bool":
            return Arg("bool", value == "true", pos)
        if kind in ("number", "char"):
            return Arg("number", (parse_number(value, self.name, tok[3]), value), pos)
        if kind in ("string", "rawstring"):
            return Arg("string", (ast.literal_eval(value) if kind == "string" else value[1:-1], value), pos)
        if kind == "lparen":
            pipe = self.pipeline("parenthesized pipeline", "rparen")
            return Arg("pipe", pipe, pos)
        self.k -= 1
        return None


_OPERAND_START = {"bool", "char", "dot", "field", "ident", "number", "nil", "rawstring", "string", "variable",
                  "lparen"}


def _shown(tok) -> str:
    """A token as Go's item.String() shows it in "unexpected ..." messages."""
    kind, value = tok[0], tok[1]
    if kind == "eof":
        return "EOF"
    if kind in ("keyword", "dot", "nil"):
        return f"<{value}>"
    if len(value) > 10:
        return go_quote(value[:10]) + "..."
    return go_quote(value)


def _has_content(body) -> bool:
    return any(not isinstance(n, Text) or n.text.strip() for n in body)


def parse(name: str, text: str, funcs) -> dict:
    """{template name: body} for ``text`` (its top level under ``name``, plus every define and block)."""
    return Parser(name, text, funcs).parse()
