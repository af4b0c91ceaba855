"""Go `html/template`'s escaping: template text rewritten for its context, and the escaper functions an
action's value passes through (which ones, and in which order, depends on the context: context.py).

``text(ctx, s)`` is Go's escapeText (comments dropped, stray `<` in text as `&lt;`, `</script` inside
script literals hidden); ``escapers(ctx)`` is escapeAction's choice of functions, with the context after
the action; ``ESCAPERS`` maps each function name to its Python twin, byte for byte.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal

from . import context as C
from .attrs import attr_type
from .css import decode_css
from .builtins import FUNCS
from .gofmt import HTML, sprint, sprint_value
from .textesc import escape_html

FAILSAFE = "ZgotmplZ"


def stringify(args):
    """(text, is_html): Go's stringify; untyped nil arguments are skipped, a lone string is itself."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0], isinstance(args[0], HTML)
    return sprint(*[a for a in args if a is not None]), False


def _table(pairs):
    return {ord(k): v for k, v in pairs.items()}


_HTML = _table({"\0": "\ufffd", '"': "&#34;", "&": "&amp;", "'": "&#39;", "+": "&#43;", "<": "&lt;", ">": "&gt;"})
_HTML_NORM = {k: v for k, v in _HTML.items() if k != ord("&")}
_NOSPACE = _table({"\0": "&#xfffd;", "\t": "&#9;", "\n": "&#10;", "\v": "&#11;", "\f": "&#12;", "\r": "&#13;",
                   " ": "&#32;", '"': "&#34;", "&": "&amp;", "'": "&#39;", "+": "&#43;", "<": "&lt;", "=": "&#61;",
                   ">": "&gt;", "`": "&#96;"})
_NOSPACE_NORM = {k: v for k, v in _NOSPACE.items() if k != ord("&")}
_LOW = {i: "\\u%04x" % i for i in range(0x20)}
_LOW.update(_table({"\t": "\\t", "\n": "\\n", "\v": "\\u000b", "\f": "\\f", "\r": "\\r"}))
_JS_STR = _LOW | _table({'"': "\\u0022", "`": "\\u0060", "&": "\\u0026", "'": "\\u0027", "+": "\\u002b",
                               "/": "\\/", "<": "\\u003c", ">": "\\u003e", "\\": "\\\\",
                               "\u2028": "\\u2028", "\u2029": "\\u2029"})
_JS_TMPL = _JS_STR | _table({"$": "\\u0024", "{": "\\u007b", "}": "\\u007d"})
_JS_RE = _LOW | _table({'"': "\\u0022", "$": "\\$", "&": "\\u0026", "'": "\\u0027", "(": "\\(", ")": "\\)",
                              "*": "\\*", "+": "\\u002b", "-": "\\-", ".": "\\.", "/": "\\/", "<": "\\u003c",
                              ">": "\\u003e", "?": "\\?", "[": "\\[", "\\": "\\\\", "]": "\\]", "^": "\\^",
                              "{": "\\{", "|": "\\|", "}": "\\}", "\u2028": "\\u2028", "\u2029": "\\u2029"})
_CSS = _table({"\0": "\\0", "\t": "\\9", "\n": "\\a", "\f": "\\c", "\r": "\\d", '"': "\\22", "&": "\\26",
               "'": "\\27", "(": "\\28", ")": "\\29", "+": "\\2b", "/": "\\2f", ":": "\\3a", ";": "\\3b",
               "<": "\\3c", ">": "\\3e", "\\": "\\\\", "{": "\\7b", "}": "\\7d"})
_RAW_BYTE = re.compile("[\udc80-\udcff]")  # a byte of a rune `slice` cut in two (surrogateescape)
_NONCHAR = re.compile("[\ufdd0-\ufdef\ufff0-\uffff\udc80-\udcff]")  # a cut rune's byte reads as U+FFFD


def html_escaper(*args):
    s, is_html = stringify(args)
    return s if is_html else escape_html(s)


def rcdata_escaper(*args):
    s, is_html = stringify(args)
    return s.translate(_HTML_NORM) if is_html else escape_html(s)


def attr_escaper(*args):
    s, is_html = stringify(args)
    return strip_tags(s).translate(_HTML_NORM) if is_html else escape_html(s)


def strip_tags(markup: str) -> str:
    """The text of trusted markup put in an attribute: tags and comments dropped (Go's stripTags)."""
    out, c, i, all_text = [], C.START, 0, True
    n = len(markup)
    while i != n:
        if c.delim == C.D_NONE:
            st = c.state
            if c.element != C.E_NONE and st not in (C.TAG, C.ATTR_NAME, C.AFTER_NAME, C.BEFORE_VALUE, C.ATTR):
                st = C.RCDATA
            d, read = C.TRANSITIONS[st](c, markup[i:])
            i1 = i + read
            if c.state in (C.TEXT, C.RCDATA):
                j = i1
                if d.state != c.state:
                    k = markup.rfind("<", i, i1)
                    j = k if k >= 0 else j
                out.append(markup[i:j])
            else:
                all_text = False
            c, i = d, i1
            continue
        ends = C._DELIM_ENDS[c.delim]
        i1 = C.index_any(markup, ends, i)
        if i1 < 0:
            break
        if c.delim != C.D_SPACE:
            i1 += 1
        c, i = C.Ctx(C.TAG, element=c.element), i1
    if all_text:
        return markup
    if c.state in (C.TEXT, C.RCDATA):
        out.append(markup[i:])
    return "".join(out)


def nospace_escaper(*args):
    s, is_html = stringify(args)
    if s == "":
        return FAILSAFE
    s = strip_tags(s).translate(_NOSPACE_NORM) if is_html else s.translate(_NOSPACE)
    return _NONCHAR.sub(lambda m: "&#x%x;" % (0xFFFD if m.group() >= "\udc80" and m.group() <= "\udcff"
                                              else ord(m.group())), s)


def name_filter(*args):
    s, _ = stringify(args)
    if not s:
        return FAILSAFE
    s = s.lower()
    if attr_type(s) != "plain" or not re.fullmatch(r"[0-9a-z]+", s):
        return FAILSAFE
    return s


def comment_escaper(*args):
    return ""


def safe_url(s: str) -> bool:
    protocol, colon, _ = s.partition(":")
    return not colon or "/" in protocol or protocol.lower() in ("http", "https", "mailto")


def url_filter(*args):
    s, _ = stringify(args)
    return s if safe_url(s) else "#" + FAILSAFE


_KEEP = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
_RESERVED = frozenset(b"!#$&*+,/:;=?@[]")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_QUERY_BYTES = [chr(c) if c in _KEEP else "%%%02x" % c for c in range(256)]
_NORM_BYTES = [chr(c) if c in _KEEP or c in _RESERVED else "%%%02x" % c for c in range(256)]


_URL_PLAIN = re.compile(r"[A-Za-z0-9\-._~!#$&*+,/:;=?@\[\]]*\Z")
_QUERY_PLAIN = re.compile(r"[A-Za-z0-9\-._~]*\Z")


def process_url(s: str, norm: bool) -> str:
    """Go's processURLOnto: bytes outside the kept set as lower-case %xx; normalising keeps RFC 3986's
    reserved characters and valid %xx escapes."""
    if (_URL_PLAIN if norm else _QUERY_PLAIN).match(s):
        return s
    raw = s.encode("utf-8", "surrogateescape")
    table = _NORM_BYTES if norm else _QUERY_BYTES
    if not (norm and b"%" in raw):
        return "".join([table[c] for c in raw])
    out = []
    for i, c in enumerate(raw):
        out.append("%" if c == 37 and i + 2 < len(raw) and raw[i + 1] in _HEX and raw[i + 2] in _HEX else table[c])
    return "".join(out)


def url_normalizer(*args):
    return process_url(stringify(args)[0], True)


def url_escaper(*args):
    return process_url(stringify(args)[0], False)


def _srcset_element(s: str) -> str:
    start = len(s) - len(s.lstrip(" \t\n\f\r"))
    end = next((i for i in range(start, len(s)) if s[i] in " \t\n\f\r"), len(s))
    url = s[start:end]
    if safe_url(url) and all(c in " \t\n\f\r" or (c.isascii() and c.isalnum()) for c in s[end:]):
        return s[:start] + process_url(url, True) + s[end:]
    return "#" + FAILSAFE


def srcset_escaper(*args):
    s, _ = stringify(args)
    return ",".join(_srcset_element(part) for part in s.split(","))


def go_json(v) -> str:
    """encoding/json.Marshal: sorted keys, <>& and U+2028/9 escaped, Go's float text."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _json_float(v)
    if isinstance(v, list):
        return "[" + ",".join(go_json(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(go_json(str(k)) + ":" + go_json(v[k]) for k in sorted(v)) + "}"
    text = _RAW_BYTE.sub("\ufffd", json.dumps(str(v), ensure_ascii=False))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _json_float(f: float) -> str:
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        m, _, e = repr(f).partition("e")
        return (m[:-2] if m.endswith(".0") else m) + "e" + ("-" if e.startswith("-") else "+") + e.lstrip("+-").lstrip("0")
    if f.is_integer():
        return str(int(f))
    return format(Decimal(repr(f)), "f")  # shortest digits, never an exponent


def js_val_escaper(*args):
    value = args[0] if len(args) == 1 else sprint(*args)
    if _has_complex(value):
        return " /* json: unsupported type: complex128 */null "
    text = go_json(value)
    if not text:
        return " null "
    pad = _ident(text[0]) or _ident(text[-1])
    return f" {text} " if pad else text


def _has_complex(v) -> bool:
    if isinstance(v, complex):
        return True
    if isinstance(v, list):
        return any(_has_complex(x) for x in v)
    return isinstance(v, dict) and any(_has_complex(x) for x in v.values())


def _ident(ch: str) -> bool:
    return ch.isalnum() or ch in "_$" or ord(ch) >= 0x80


def js_str_escaper(*args):
    return stringify(args)[0].translate(_JS_STR)


def js_tmpl_escaper(*args):
    return stringify(args)[0].translate(_JS_TMPL)


def js_regexp_escaper(*args):
    return stringify(args)[0].translate(_JS_RE) or "(?:)"


def css_escaper(*args):
    s, out = stringify(args)[0], []
    for i, ch in enumerate(s):
        repl = _CSS.get(ord(ch))
        if repl is None:
            out.append(ch)
            continue
        out.append(repl)
        nxt = s[i + 1:i + 2]
        if repl != "\\\\" and (nxt == "" or nxt in "0123456789abcdefABCDEF \t\n\f\r"):
            out.append(" ")
    return "".join(out)


def css_value_filter(*args):
    b = decode_css(stringify(args)[0])
    for i, ch in enumerate(b):
        if ch in "\0\"'()/;@[\\]`{}<>" or (ch == "-" and i and b[i - 1] == "-"):
            return FAILSAFE
    ident = "".join(ch for ch in b if ch.isascii() and (ch.isalnum() or ch in "-_")).lower()
    if "expression" in ident or "mozbinding" in ident:
        return FAILSAFE
    return b


def eval_args(*args):
    """html/template's evalArgs (what `{{html a b}}` is rewritten to feed `html`): nil prints as <nil>."""
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return sprint(*args)


ESCAPERS = {"htmlescaper": html_escaper, "attrescaper": attr_escaper, "rcdataescaper": rcdata_escaper,
            "nospaceescaper": nospace_escaper, "htmlnamefilter": name_filter, "commentescaper": comment_escaper,
            "urlfilter": url_filter, "urlnormalizer": url_normalizer, "urlescaper": url_escaper,
            "srcsetescaper": srcset_escaper, "jsvalescaper": js_val_escaper, "jsstrescaper": js_str_escaper,
            "jstmpllitescaper": js_tmpl_escaper, "jsregexpescaper": js_regexp_escaper,
            "cssescaper": css_escaper, "cssvaluefilter": css_value_filter,
            "html": FUNCS["html"], "urlquery": FUNCS["urlquery"], "js": FUNCS["js"], "print": eval_args}
EQUIVALENT = {"attrescaper": "html", "htmlescaper": "html", "rcdataescaper": "html", "urlescaper": "urlquery",
              "urlnormalizer": "urlquery"}
_URLISH = {C.URL, C.CSS_DQ, C.CSS_SQ, C.CSS_DQ_URL, C.CSS_SQ_URL, C.CSS_URL}
_SIMPLE = {C.JS_DQ: "jsstrescaper", C.JS_SQ: "jsstrescaper", C.JS_TMPL: "jstmpllitescaper",
           C.JS_RE: "jsregexpescaper", C.CSS: "cssvaluefilter", C.TEXT: "htmlescaper", C.RCDATA: "rcdataescaper",
           C.SRCSET: "srcsetescaper"}


def nudge(c):
    if c.state == C.TAG:
        return c._replace(state=C.ATTR_NAME)
    if c.state == C.BEFORE_VALUE:
        return c._replace(state=C._ATTR_START[c.attr], delim=C.D_SPACE, attr=C.A_NONE)
    if c.state == C.AFTER_NAME:
        return c._replace(state=C.ATTR_NAME, attr=C.A_NONE)
    return c


def escapers(c):
    """(escaper names for an action in context ``c``, the context after it): Go's escapeAction."""
    c = nudge(c)
    s = []
    if c.state in _URLISH:
        if c.url == C.U_NONE:
            s.append("urlfilter")
        if c.url in (C.U_NONE, C.U_PRE):
            s.append("cssescaper" if c.state in (C.CSS_DQ, C.CSS_SQ) else "urlnormalizer")
        else:
            s.append("urlescaper")
    elif c.state == C.JS:
        s.append("jsvalescaper")
        c = c._replace(js=C.JS_DIVOP)
    elif c.state in _SIMPLE:
        s.append(_SIMPLE[c.state])
    elif c.state in (C.ATTR_NAME, C.TAG):
        c = c._replace(state=C.ATTR_NAME)
        s.append("htmlnamefilter")
    elif c.state in C.COMMENTS:
        s.append("commentescaper")
    if c.delim == C.D_SPACE:
        s.append("nospaceescaper")
    elif c.delim != C.D_NONE:
        s.append("attrescaper")
    return s, c


_SCRIPT_TAGS = re.compile(r"(?i)<(script|/script|!--)")


def _hide_script_tags(s: str) -> str:
    """`<script`, `</script` and `<!--` inside a script literal, as Go writes them: `\\x3C` for the `<`."""
    return _SCRIPT_TAGS.sub(lambda m: "\\x3C" + m.group(1), s)


def text(c, s: str):
    """(s as html/template outputs it in context ``c``, the context after it): Go's escapeText."""
    out, written, i = [], 0, 0
    while i != len(s):
        c1, n = C.after_step(c, s[i:])
        i1 = i + n
        if c.state in (C.TEXT, C.RCDATA):
            end = i1
            if c1.state != c.state:
                j = s.rfind("<", i, i1)
                if j >= 0:
                    end = j
            for j in range(i, end):
                if s[j] == "<" and not s[j:j + 9].upper().startswith("<!DOCTYPE"):
                    out.append(s[written:j])
                    out.append("&lt;")
                    written = j + 1
        elif c.state in C.COMMENTS and c.delim == C.D_NONE:
            if c.state == C.JS_BLOCK_CMT:
                out.append("\n" if any(ch in s[written:i1] for ch in "\n\r\u2028\u2029") else " ")
            elif c.state == C.CSS_BLOCK_CMT:
                out.append(" ")
            written = i1
        if c.state != c1.state and c1.state in C.COMMENTS and c1.delim == C.D_NONE:
            cs = i1 - 2
            if c1.state in (C.HTML_CMT, C.JS_HTML_OPEN_CMT):
                cs -= 2
            elif c1.state == C.JS_HTML_CLOSE_CMT:
                cs -= 1
            out.append(s[written:cs])
            written = i1
        if c.state in C.SCRIPT_LITERALS and _SCRIPT_TAGS.search(s, i, i1):
            out.append(s[written:i])
            out.append(_hide_script_tags(s[i:i1]))
            written = i1
        if i == i1 and c == c1:
            raise C.EscapeError(f"infinite loop at {s[i:]!r}")
        c, i = c1, i1
    if written == 0:
        return s, c
    if c.state not in C.COMMENTS or c.delim != C.D_NONE:
        out.append(s[written:])
    return "".join(out), c


def print_value(v) -> str:
    return sprint_value(v)
