"""EJS template text → JavaScript function source, with a line map back to the template.

Pure Python on purpose (no dukpy, no Tornado): it is the part of pagesvm that decides
byte-for-byte output, so it must be easy to read and to test in isolation.

The tag grammar and whitespace rules reproduce ejs 3.1 (what PocketPages renders with):
the same tokenizer, the same mode machine, the same ``-%>`` / ``_%>`` trimming.
The generated code differs from ejs' in shape only:

* Names are bound as plain function locals instead of ``with (locals)`` — QuickJS pays
  ~25% on a list page for ``with``. A template compiled for ``include(name, data)``
  gets one variant per set of data keys (see ``local_names``).
* Every template newline is kept as a newline in the generated code, so a generated
  line maps to a template line through ``line_map`` (kept nearly 1:1 for readability).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

# ejs 3.1's tag tokenizer (delimiter %, open <, close >), alternatives in the same order.
_TAG_RE = re.compile(r"(<%%|%%>|<%=|<%-|<%_|<%#|<%|%>|-%>|_%>)")
_SLURP_OPEN_RE = re.compile(r"[ \t]*<%_")
_SLURP_CLOSE_RE = re.compile(r"_%>[ \t]*")
_LEADING_BREAK_RE = re.compile(r"^(?:\r\n|\r|\n)")
_TRAILING_SEMI_RE = re.compile(r";(\s*)$")
# PocketPages' own rewrite, exactly: lower case, no attributes, `<% $1 %>` (with the spaces).
_SCRIPT_SERVER_RE = re.compile(r"<script\s+server>([\s\S]*?)</script>")
_RESERVED = frozenset(
    "break case catch class const continue debugger default delete do else enum export "
    "extends false finally for function if import in instanceof new null return super "
    "switch this throw true try typeof var void while with yield let static implements "
    "interface package private protected public await arguments eval".split()
)

_EVAL, _ESCAPED, _RAW, _COMMENT, _LITERAL = "eval", "escaped", "raw", "comment", "literal"
_OPENERS = {"<%": _EVAL, "<%_": _EVAL, "<%=": _ESCAPED, "<%-": _RAW, "<%#": _COMMENT}
_CLOSERS = ("%>", "-%>", "_%>")


class TemplateSyntaxError(Exception):
    """A template that cannot be turned into code (an unclosed tag)."""

    name = "Error"  # what ejs throws for it (a plain Error, not a JavaScript SyntaxError)

    def __init__(self, message: str, path: str, line: int):
        super().__init__(f"{path}:{line}: {message}")
        self.message, self.path, self.line = message, path, line


@dataclass
class CompiledTemplate:
    """JavaScript source of a factory ``(function(){ const __pvKit=…; return function(__api, __locals){…} })``.

    ``line_map[i]`` is the template line of generated line ``i + 1`` of ``source``.
    """

    path: str
    source: str
    line_map: list[int] = field(default_factory=list)
    unclosed_line: int | None = None  # line of a `(`, `[` or `{` in the code that is never closed
    # The render function's body is ``source[body_start:-body_tail]``: core.js checks that it parses
    # as a function body on its own (page code must not close the function and reopen one). Both
    # ends are counted in the ASCII wrapper, so they are the same in UTF-16 (JavaScript) units.
    body_start: int = 0
    body_tail: int = 0

    def template_line(self, generated_line: int) -> int:
        if not self.line_map:
            return 1
        index = min(max(generated_line - 1, 0), len(self.line_map) - 1)
        return self.line_map[index]


def is_js_identifier(name: str) -> bool:
    """A name usable as a bare variable (Unicode letters too, as ``with (locals)`` allows)."""
    return name.replace("$", "_").isidentifier() and name not in _RESERVED


def preprocess(text: str) -> str:
    """Turn ``<script server>`` blocks into EJS code tags (same lines) as PocketPages does."""
    return _SCRIPT_SERVER_RE.sub(lambda m: "<% " + m.group(1) + " %>", text)


def tokenize(text: str) -> list[str]:
    """Split template text into tags and the text between them, as ejs does."""
    text = _SLURP_OPEN_RE.sub("<%_", text)
    text = _SLURP_CLOSE_RE.sub("_%>", text)
    return [piece for piece in _TAG_RE.split(text) if piece]


class _OpenBrackets:
    """Brackets the template's code opens and never closes, by template line.

    JavaScript reports an unclosed block at the end of the input; ejs reports no line at
    all. The line of the bracket left open is the one worth showing. Strings and comments
    are skipped; a regex literal containing a bracket can mislead it (then the end is shown).
    """

    def __init__(self):
        self.stack: list[int] = []

    def feed(self, code: str, line: int) -> None:
        i, n, quote = 0, len(code), None
        while i < n:
            c = code[i]
            if quote:
                if c == "\\":
                    line += code[i + 1:i + 2] == "\n"
                    i += 2
                    continue
                if c == quote:
                    quote = None
            elif c in "'\"`":
                quote = c
            elif code.startswith("//", i):  # to the newline, which is counted below
                end = code.find("\n", i)
                i = n if end < 0 else end
                continue
            elif code.startswith("/*", i):
                end = code.find("*/", i + 2)
                end = n if end < 0 else end + 2
                line += code.count("\n", i, end)
                i = end
                continue
            elif c in "([{":
                self.stack.append(line)
            elif c in ")]}" and self.stack:
                self.stack.pop()
            line += c == "\n"
            i += 1


class _Generator:
    """The ejs 3.1 mode machine, emitting JavaScript statements with a line map."""

    def __init__(self, path: str, parts_output: bool = False):
        self.path = path
        self.parts_output = parts_output
        self.parts: list[str] = []
        self.line_map: list[int] = [1]
        self.template_line = 1
        self.mode: str | None = None
        self.truncate = False
        self.brackets = _OpenBrackets()

    # -- emitting -----------------------------------------------------------------
    def _emit(self, js: str, template_newlines: int = 0, extra_newlines: int = 0) -> None:
        """Append code whose newlines are the template's own, plus a few of ours."""
        self.parts.append(js)
        for _ in range(template_newlines):
            self.template_line += 1
            self.line_map.append(self.template_line)
        for _ in range(extra_newlines):
            self.line_map.append(self.template_line)

    def _output(self, text: str, consumed: str) -> None:
        """Append literal output; ``consumed`` is the template text it stands for."""
        newlines = consumed.count("\n")
        js = self._append(json.dumps(text, ensure_ascii=False)) if text else ""
        self._emit(js + "\n" * newlines, template_newlines=newlines)

    def _append(self, expression: str) -> str:
        return (";__pvParts[__pvCount++]=" if self.parts_output else ";__output+=") + expression

    def _add_output(self, line: str) -> None:
        consumed = line
        if self.truncate:
            line = _LEADING_BREAK_RE.sub("", line, count=1)
            self.truncate = False
        self._output(line, consumed)

    # -- the mode machine ---------------------------------------------------------
    def scan(self, tokens: list[str]) -> None:
        for index, token in enumerate(tokens):
            if token.startswith("<%") and not token.startswith("<%%"):
                closing = tokens[index + 2] if index + 2 < len(tokens) else None
                if closing not in _CLOSERS:
                    raise TemplateSyntaxError(
                        f'Could not find matching close tag for "{token}".', self.path, self.template_line
                    )
            self._scan_token(token)

    def _scan_token(self, token: str) -> None:
        if token in _OPENERS:
            self.mode = _OPENERS[token]
        elif token == "<%%":
            self.mode = _LITERAL
            self._output("<%", token)
        elif token == "%%>":
            self.mode = _LITERAL
            self._output("%>", token)
        elif token in _CLOSERS:
            if self.mode == _LITERAL:
                self._add_output(token)
            self.mode = None
            self.truncate = token[0] in "-_"
        elif self.mode in (_EVAL, _ESCAPED, _RAW):
            self._code(token)
        elif self.mode == _COMMENT:
            self._emit("\n" * token.count("\n"), template_newlines=token.count("\n"))
        else:  # text, or literal mode after <%%
            self._add_output(token)

    def _code(self, code: str) -> None:
        self.brackets.feed(code, self.template_line)
        # A trailing // comment would swallow what follows: end it with a newline.
        extra = "\n" if code.rfind("//") > code.rfind("\n") else ""
        if self.mode == _EVAL:
            # Like ejs' __line: QuickJS gives no line for some statements (`var x = a.b`),
            # only the enclosing function's; the tag's own line is then the best we know.
            js = f";__line={self.template_line};" + code + extra
        else:
            fn = "__esc" if self.mode == _ESCAPED else "__str" if self.parts_output else "__raw"
            expression = _TRAILING_SEMI_RE.sub(r"\1", code + extra)
            js = self._append(f"{fn}({expression})")
        # The extra newline comes after every newline of the template's code.
        self._emit(js, template_newlines=code.count("\n"), extra_newlines=len(extra))

    def body(self) -> str:
        return "".join(self.parts)


# Code that can name a variable without writing it out (units.py template_words uses the same test).
DYNAMIC_NAMES_RE = re.compile(r"\beval\b|\\u")


def _mentions(text: str, name: str) -> bool:
    return re.search(r"(?<![\w$])" + re.escape(name) + r"(?![\w$])", text) is not None


def _parts_output(text: str) -> bool:
    """Collect output in an array joined at the end, unless the code can touch ``__output``.

    QuickJS copies the whole string on every ``+=``, so a long page costs the square of its
    length. ``echo``, ``__append`` and code naming ``__output`` keep the string (an ``echo``
    inside an output tag is overwritten by that tag's own ``+=``, as before).
    """
    return re.search(r"\becho\b|\b__append\b|__output", text) is None


def _header(api_names: tuple[str, ...], local_names: tuple[str, ...], text: str, parts_output: bool) -> str:
    """One line binding the context API and include data as locals of the template.

    Only the API names the text mentions are bound (a render reads ~50 names otherwise): a name it never
    writes out can reach a local only through a direct ``eval`` or a ``\\u`` escape, and then every name is.
    """
    if not DYNAMIC_NAMES_RE.search(text):
        api_names = tuple(name for name in api_names if _mentions(text, name))
    bindings = [f"{name}=__api.{name}" for name in api_names]
    local_names = tuple(name for name in local_names if is_js_identifier(name))
    bindings += [f"{name}=__locals.{name}" for name in local_names]
    parts = ["var __pvParts=[],__pvCount=0,__line=1" if parts_output else "var __output='',__line=1"]
    if bindings:
        parts.append("var " + ",".join(bindings))
    if re.search(r"\becho\b", text):
        parts.append("var echo=function(){__output+=__R.echoText(arguments)}")
    if re.search(r"\blocals\b", text):
        parts.append("var locals=__R.mergeLocals(__api,__locals)")
        # `locals.x` and a bare `x` are one variable under ejs' `with (locals)`: keep them so.
        live = [n for n in dict.fromkeys(api_names + local_names) if n != "locals" and _mentions(text, n)]
        if live:
            pairs = ",".join(f"{n}:[function(){{return {n}}},function(v){{{n}=v}}]" for n in live)
            parts.append("__R.liveLocals(locals,{" + pairs + "})")
    if re.search(r"\b__append\b", text):
        parts.append("var __append=function(s){if(s!=null)__output+=s}")
    return ";".join(parts) + ";try{"


# The factory runs once per interpreter and its variables are seen by every request of the template,
# so page code must not be able to assign any: its one variable is a `const` (not a parameter: the kit
# comes as arguments[0], which the render function's own `arguments` hides). The names the generated
# code uses are the render function's locals, set on each call: a page that assigns one changes its
# own request only (and local reads cost QuickJS less than closure reads).
_FACTORY = ("(function(){{const __pvKit=arguments[0];return function({params}){{"
            "var __R=__pvKit,__esc=__pvKit.esc,{out}=__pvKit.{out_fn};")
RENDER_PARAMS = "__api,__locals"


def compile_template(
    text: str,
    path: str,
    api_names: tuple[str, ...] = (),
    local_names: tuple[str, ...] = (),
) -> CompiledTemplate:
    """Compile EJS ``text`` (from ``path``, used in messages) to a JS factory source."""
    text = preprocess(text)
    parts_output = _parts_output(text)
    generator = _Generator(path, parts_output)
    generator.scan(tokenize(text))
    # The header is line 1 of the unit; the template's first line starts on line 2.
    result = "__pvParts.join('')" if parts_output else "__output"
    factory = _FACTORY.format(out="__str" if parts_output else "__raw", out_fn="str" if parts_output else "raw",
                              params=RENDER_PARAMS)
    body = (_header(tuple(api_names), tuple(local_names), text, parts_output) + "\n" + generator.body()
            + "\n}catch(__e){throw __R.atLine(__e,__line)}return " + result)
    tail = "}})"
    source = factory + body + tail
    line_map = [1] + generator.line_map + [generator.template_line]
    unclosed = generator.brackets.stack[-1] if generator.brackets.stack else None
    return CompiledTemplate(path=path, source=source, line_map=line_map, unclosed_line=unclosed,
                            body_start=len(factory), body_tail=len(tail))
