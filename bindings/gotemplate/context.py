"""Go `html/template`'s parsing context: where in an HTML document the output stands.

``Ctx`` is the state (text, tag, attribute value, URL, script, CSS, comments…), the attribute delimiter,
the part of a URL, whether a JS slash would start a regexp, the attribute's type, the element, and the
brace depths of open `${` in JS template literals. ``after_text`` moves a context over template text,
with the same transitions as Go's escaper; the renderer runs it over each text node as it is output
(exec.py), so an action is escaped for the context its text left (Go decides the same statically).
"""
from __future__ import annotations

import html
import re

from .attrs import JS_TYPES, attr_type
from .css import decode_css
from .gofmt import go_quote

(TEXT, TAG, ATTR_NAME, AFTER_NAME, BEFORE_VALUE, HTML_CMT, RCDATA, ATTR, URL, SRCSET, JS, JS_DQ, JS_SQ, JS_TMPL,
 JS_RE, JS_BLOCK_CMT, JS_LINE_CMT, JS_HTML_OPEN_CMT, JS_HTML_CLOSE_CMT, CSS, CSS_DQ, CSS_SQ, CSS_DQ_URL, CSS_SQ_URL,
 CSS_URL, CSS_BLOCK_CMT, CSS_LINE_CMT, ERROR) = range(28)
D_NONE, D_DQ, D_SQ, D_SPACE = range(4)
U_NONE, U_PRE, U_QUERY = range(3)
JS_REGEXP, JS_DIVOP = range(2)
A_NONE, A_SCRIPT, A_SCRIPT_TYPE, A_STYLE, A_URL, A_SRCSET = range(6)
E_NONE, E_SCRIPT, E_STYLE, E_TEXTAREA, E_TITLE = range(5)

COMMENTS = {HTML_CMT, JS_BLOCK_CMT, JS_LINE_CMT, JS_HTML_OPEN_CMT, JS_HTML_CLOSE_CMT, CSS_BLOCK_CMT, CSS_LINE_CMT}
SCRIPT_LITERALS = {JS_DQ, JS_SQ, JS_TMPL, JS_RE}


_FIELDS = ("state", "delim", "url", "js", "attr", "element", "braces")


class Ctx:
    """An interned context: equal contexts are one object, so the renderer's caches hash and compare them
    by identity (a context is looked up at every action)."""
    __slots__ = _FIELDS
    _made: dict = {}

    def __new__(cls, state=TEXT, delim=D_NONE, url=U_NONE, js=JS_REGEXP, attr=A_NONE, element=E_NONE, braces=()):
        key = (state, delim, url, js, attr, element, braces)
        found = cls._made.get(key)
        if found is None:
            found = object.__new__(cls)
            for name, value in zip(_FIELDS, key):
                object.__setattr__(found, name, value)
            cls._made[key] = found
        return found

    def _replace(self, **changes):
        return Ctx(**{name: changes.get(name, getattr(self, name)) for name in _FIELDS})

    def __repr__(self):
        return "Ctx(" + ", ".join(f"{n}={getattr(self, n)!r}" for n in _FIELDS) + ")"


START = Ctx()
_ELEMENTS = {"script": E_SCRIPT, "style": E_STYLE, "textarea": E_TEXTAREA, "title": E_TITLE}
_END_TAGS = {E_SCRIPT: "script", E_STYLE: "style", E_TEXTAREA: "textarea", E_TITLE: "title"}
_CONTENT = {E_NONE: TEXT, E_SCRIPT: JS, E_STYLE: CSS, E_TEXTAREA: RCDATA, E_TITLE: RCDATA}
_ATTR_START = {A_NONE: ATTR, A_SCRIPT: JS, A_SCRIPT_TYPE: ATTR, A_STYLE: CSS, A_URL: URL, A_SRCSET: SRCSET}
_DELIM_ENDS = {D_DQ: '"', D_SQ: "'", D_SPACE: " \t\n\f\r>"}
_REGEXP_KEYWORDS = {"break", "case", "continue", "delete", "do", "else", "finally", "in", "instanceof", "return",
                    "throw", "try", "typeof", "void"}
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[:-][A-Za-z0-9]+)*")  # "x-y", "x:y"; not "x-" nor "x--y"
_SPACES = " \t\n\f\r"


class EscapeError(Exception):
    """Text the escaper cannot follow (Go's ErrBadHTML and friends)."""


def index_any(s: str, chars: str, start: int = 0) -> int:
    """The first index at or after ``start`` of any of ``chars`` in ``s``, or -1 (Go's bytes.IndexAny)."""
    found = [i for i in (s.find(ch, start) for ch in chars) if i >= 0]
    return min(found) if found else -1


def _eat_space(s: str, i: int) -> int:
    while i < len(s) and s[i] in _SPACES:
        i += 1
    return i


def _eat_attr_name(s: str, i: int) -> int:
    for j in range(i, len(s)):
        c = s[j]
        if c in " \t\n\f\r=>":
            return j
        if c in "'\"<":
            raise EscapeError(f"{go_quote(c)} in attribute name: {go_quote(s[:32])}")
    return len(s)


def t_text(c, s):
    k = 0
    while True:
        i = s.find("<", k)
        if i < 0 or i + 1 == len(s):
            return c, len(s)
        if s.startswith("<!--", i):
            return Ctx(HTML_CMT), i + 4
        i += 1
        end = False
        if s[i] == "/":
            if i + 1 == len(s):
                return c, len(s)
            end, i = True, i + 1
        m = _TAG_NAME.match(s, i)
        if m:
            element = E_NONE if end else _ELEMENTS.get(m.group().lower(), E_NONE)
            return Ctx(TAG, element=element), m.end()
        k = i


def t_tag(c, s):
    i = _eat_space(s, 0)
    if i == len(s):
        return c, len(s)
    if s[i] == ">":
        return Ctx(_CONTENT[c.element], element=c.element), i + 1
    j = _eat_attr_name(s, i)
    if i == j:
        raise EscapeError(f"expected space, attr name, or end of tag, but got {go_quote(s[i:])}")
    name = s[i:j].lower()
    kind = attr_type(name)
    attr = A_SCRIPT_TYPE if c.element == E_SCRIPT and name == "type" else \
        {"url": A_URL, "css": A_STYLE, "js": A_SCRIPT, "srcset": A_SRCSET}.get(kind, A_NONE)
    return Ctx(ATTR_NAME if j == len(s) else AFTER_NAME, element=c.element, attr=attr), j


def t_attr_name(c, s):
    i = _eat_attr_name(s, 0)
    return (c._replace(state=AFTER_NAME) if i != len(s) else c), i


def t_after_name(c, s):
    i = _eat_space(s, 0)
    if i == len(s):
        return c, len(s)
    if s[i] != "=":
        return c._replace(state=TAG), i
    return c._replace(state=BEFORE_VALUE), i + 1


def t_before_value(c, s):
    i = _eat_space(s, 0)
    if i == len(s):
        return c, len(s)
    delim = D_SPACE
    if s[i] == "'":
        delim, i = D_SQ, i + 1
    elif s[i] == '"':
        delim, i = D_DQ, i + 1
    return c._replace(state=_ATTR_START[c.attr], delim=delim), i


def t_html_cmt(c, s):
    i = s.find("-->")
    return (START, i + 3) if i >= 0 else (c, len(s))


def t_attr(c, s):
    return c, len(s)


def t_rcdata(c, s):
    i = _special_end(c, s)
    return (START, i) if i < len(s) else (c, len(s))


def t_url(c, s):
    if "#" in s or "?" in s:
        c = c._replace(url=U_QUERY)
    elif _eat_space(s, 0) != len(s) and c.url == U_NONE:
        c = c._replace(url=U_PRE)
    return c, len(s)


def next_js_ctx(s: str, preceding: int) -> int:
    s = s.rstrip("\t\n\f\r \u2028\u2029")
    if not s:
        return preceding
    c, n = s[-1], len(s)
    if c in "+-":
        start = n - 1
        while start > 0 and s[start - 1] == c:
            start -= 1
        return JS_REGEXP if (n - start) & 1 else JS_DIVOP
    if c == ".":
        return JS_DIVOP if n != 1 and s[-2].isdigit() else JS_REGEXP
    if c in ",<>=*%&|^?!~([:;{}":
        return JS_REGEXP
    j = n
    while j > 0 and (s[j - 1].isalnum() or s[j - 1] in "_$"):
        j -= 1
    return JS_REGEXP if s[j:] in _REGEXP_KEYWORDS else JS_DIVOP


def t_js(c, s):
    m = re.search(r"[\"`'/{}<\-#]", s)
    if not m:
        return c._replace(js=next_js_ctx(s, c.js)), len(s)
    i = m.start()
    c = c._replace(js=next_js_ctx(s[:i], c.js))
    ch = s[i]
    if ch in "\"'`":
        return c._replace(state={'"': JS_DQ, "'": JS_SQ, "`": JS_TMPL}[ch], js=JS_REGEXP), i + 1
    if ch == "/":
        if s.startswith("//", i):
            return c._replace(state=JS_LINE_CMT), i + 2
        if s.startswith("/*", i):
            return c._replace(state=JS_BLOCK_CMT), i + 2
        if c.js == JS_REGEXP:
            return c._replace(state=JS_RE), i + 1
        if c.js == JS_DIVOP:
            return c._replace(js=JS_REGEXP), i + 1
        raise EscapeError(f"'/' could start a division or regexp: {go_quote(s[i:i + 32])}")
    if ch == "<" and s.startswith("<!--", i):
        return c._replace(state=JS_HTML_OPEN_CMT), i + 4
    if ch == "-" and s.startswith("-->", i):
        return c._replace(state=JS_HTML_CLOSE_CMT), i + 3
    if ch in "{}":  # a brace precedes a regexp, but the one closing `${`
        if not c.braces:
            return c._replace(js=JS_REGEXP), i + 1
        depth = c.braces[-1] + (1 if ch == "{" else -1)
        if depth >= 0:
            return c._replace(braces=c.braces[:-1] + (depth,), js=JS_REGEXP), i + 1
        return c._replace(braces=c.braces[:-1], state=JS_TMPL), i + 1
    if ch == "#" and i == 0 and s.startswith("#!"):
        return c._replace(state=JS_LINE_CMT), i + 2
    return c, i + 1


def t_js_delimited(c, s):
    specials = {JS_SQ: "\\'", JS_RE: "\\/[]"}.get(c.state, '\\"')
    k, in_set = 0, False
    while True:
        i = index_any(s, specials, k)
        if i < 0:
            break
        ch = s[i]
        if ch == "\\":
            i = _escaped(s, i, "JS string")
        elif ch == "[":
            in_set = True
        elif ch == "]":
            in_set = False
        elif ch == "/" and i > 0 and s[i - 1:i + 7].lower() == "</script":
            i += 1
        elif not in_set:
            return c._replace(state=JS, js=JS_DIVOP), i + 1
        k = i + 1
    if in_set:
        raise EscapeError(f"unfinished JS regexp charset: {go_quote(s)}")
    return c, len(s)


def _escaped(s: str, i: int, what: str) -> int:
    """The index of the character a backslash at ``i`` escapes; none is an error."""
    if i + 1 == len(s):
        raise EscapeError(f"unfinished escape sequence in {what}: {go_quote(s)}")
    return i + 1


def t_js_tmpl(c, s):
    k = 0
    while True:
        i = index_any(s, "`\\$", k)
        if i < 0:
            return c, len(s)
        if s[i] == "\\":
            i = _escaped(s, i, "JS string")
        elif s[i] == "`":
            return c._replace(state=JS), i + 1
        elif s.startswith("${", i):
            return c._replace(state=JS, braces=c.braces + (0,)), i + 2
        k = i + 1


def t_block_cmt(c, s):
    i = s.find("*/")
    if i < 0:
        return c, len(s)
    return c._replace(state=JS if c.state == JS_BLOCK_CMT else CSS), i + 2


def t_line_cmt(c, s):
    ends, back = ("\n\f\r", CSS) if c.state == CSS_LINE_CMT else ("\n\r\u2028\u2029", JS)
    i = index_any(s, ends)
    return (c, len(s)) if i < 0 else (c._replace(state=back), i)


def t_css(c, s):
    k = 0
    while True:
        i = index_any(s, "(\"'/", k)
        if i < 0:
            return c, len(s)
        ch = s[i]
        if ch == "(":
            before = s[:i].rstrip("\t\n\f\r ")
            if before.lower().endswith("url") and not (len(before) > 3 and _css_name(before[-4])):
                j = len(s) - len(s[i + 1:].lstrip("\t\n\f\r "))
                if j < len(s) and s[j] == '"':
                    return c._replace(state=CSS_DQ_URL), j + 1
                if j < len(s) and s[j] == "'":
                    return c._replace(state=CSS_SQ_URL), j + 1
                return c._replace(state=CSS_URL), j
        elif ch == "/":
            if s.startswith("//", i):
                return c._replace(state=CSS_LINE_CMT), i + 2
            if s.startswith("/*", i):
                return c._replace(state=CSS_BLOCK_CMT), i + 2
        else:
            return c._replace(state=CSS_DQ if ch == '"' else CSS_SQ), i + 1
        k = i + 1


def _css_name(ch: str) -> bool:
    return ch.isalnum() or ch in "-_" or ord(ch) >= 0x80


def t_css_str(c, s):
    ends = {CSS_DQ: '\\"', CSS_DQ_URL: '\\"', CSS_SQ: "\\'", CSS_SQ_URL: "\\'"}.get(c.state, "\\\t\n\f\r )")
    k = 0
    while True:
        i = index_any(s, ends, k)
        if i < 0:
            c, n = t_url(c, decode_css(s[k:]))
            return c, len(s)
        if s[i] == "\\":
            i = _escaped(s, i, "CSS string")
        else:
            return c._replace(state=CSS), i + 1
        c, _ = t_url(c, decode_css(s[:i + 1]))
        k = i + 1


TRANSITIONS = {TEXT: t_text, TAG: t_tag, ATTR_NAME: t_attr_name, AFTER_NAME: t_after_name,
               BEFORE_VALUE: t_before_value, HTML_CMT: t_html_cmt, RCDATA: t_rcdata, ATTR: t_attr, URL: t_url,
               SRCSET: t_url, JS: t_js, JS_DQ: t_js_delimited, JS_SQ: t_js_delimited, JS_RE: t_js_delimited,
               JS_TMPL: t_js_tmpl, JS_BLOCK_CMT: t_block_cmt, JS_LINE_CMT: t_line_cmt,
               JS_HTML_OPEN_CMT: t_line_cmt, JS_HTML_CLOSE_CMT: t_line_cmt, CSS: t_css, CSS_DQ: t_css_str,
               CSS_SQ: t_css_str, CSS_DQ_URL: t_css_str, CSS_SQ_URL: t_css_str, CSS_URL: t_css_str,
               CSS_BLOCK_CMT: t_block_cmt, CSS_LINE_CMT: t_line_cmt}


def _special_end(c, s):
    """Index of the element's end tag (`</script` …) in ``s``, or len(s)."""
    if c.element == E_NONE or (c.element == E_SCRIPT and (c.state in SCRIPT_LITERALS or c.state in COMMENTS)):
        return len(s)
    m = re.search(r"</%s(?=[ \t\n\f/>])" % _END_TAGS[c.element], s, re.IGNORECASE)
    return m.start() if m else len(s)


def after_step(c: Ctx, s: str):
    """One transition over the start of ``s``: (new context, characters consumed)."""
    if c.delim == D_NONE:
        i = _special_end(c, s)
        if i == 0:
            return START, 0
        return TRANSITIONS[c.state](c, s[:i])
    ends = _DELIM_ENDS[c.delim]
    i = index_any(s, ends)
    i = len(s) if i < 0 else i
    if c.delim == D_SPACE:
        bad = index_any(s[:i], "\"'<=`")
        if bad >= 0:
            raise EscapeError(f"{go_quote(s[bad])} in unquoted attr: {go_quote(s[:i])}")
    if i == len(s):
        u = html.unescape(s)
        while u:
            c, n = TRANSITIONS[c.state](c, u)
            u = u[n:]
        return c, len(s)
    element = c.element
    if c.state == ATTR and c.element == E_SCRIPT and c.attr == A_SCRIPT_TYPE and \
            s[:i].partition(";")[0].lower().strip() not in JS_TYPES:
        element = E_NONE
    return Ctx(TAG, element=element), i + (0 if c.delim == D_SPACE else 1)
