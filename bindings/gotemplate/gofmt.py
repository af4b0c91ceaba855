"""Values as Go prints them, and text/template's built-in functions.

Data arrives as JSON from the JSVM half, typed as PocketBase's goja exports a JavaScript value: integers
that fit are int64 (Python int), other numbers float64 (float), strings, bools, null (None),
arrays ``[]interface {}`` (list) and objects ``map[string]interface {}`` (dict). ``HTML`` marks a string
the `raw` function returned (Go's ``template.HTML``): the escapers pass it through.
"""
from __future__ import annotations

import math
import re
import urllib.parse


class HTML(str):
    """template.HTML: trusted markup (PocketBase's `raw`)."""


class GoInt(int):
    """An integer literal of the template text: Go's `int` (data numbers are `int64`)."""


class FuncError(Exception):
    """A built-in function's failure: Go reports it as "error calling NAME: MESSAGE"."""


def type_name(v) -> str:
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, GoInt):
        return "int"
    if isinstance(v, int):
        return "int64"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, complex):
        return "complex128"
    if isinstance(v, HTML):
        return "template.HTML"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "[]interface {}"
    return "map[string]interface {}"


def fmt_float(f: float, verb: str = "g", prec: int = -1) -> str:
    """strconv.FormatFloat(f, verb, prec, 64); %v is 'g' with the shortest digits."""
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if math.isnan(f):
        return "NaN"
    if verb == "g" and prec < 0:
        digits = repr(abs(f))
        mant, _, exp = digits.partition("e")
        point = mant.find(".")
        ds = mant.replace(".", "").lstrip("0")
        lead = len(mant.replace(".", "")) - len(mant.replace(".", "").lstrip("0"))
        dp = (point if point >= 0 else len(mant)) + (int(exp) if exp else 0) - lead
        ds = ds.rstrip("0") or "0"
        x = dp - 1
        sign = "-" if math.copysign(1, f) < 0 else ""
        if ds == "0":
            return sign + "0"
        if x < -4 or x >= 6:  # strconv's shortest %g switches to an exponent at 1e+06

            m = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
            return f"{sign}{m}e{'-' if x < 0 else '+'}{abs(x):02d}"
        if dp <= 0:
            return sign + "0." + "0" * -dp + ds
        if dp >= len(ds):
            return sign + ds + "0" * (dp - len(ds))
        return sign + ds[:dp] + "." + ds[dp:]
    if verb == "e":
        text = "%.*e" % (6 if prec < 0 else prec, f)
        m, _, e = text.partition("e")
        return f"{m}e{e[0]}{int(e[1:]):02d}"
    if verb == "g":
        return "%.*g" % (prec, f)
    return "%.*f" % (6 if prec < 0 else prec, f)


def sprint_value(v, top=True) -> str:
    """fmt's %v."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return fmt_float(v)
    if isinstance(v, complex):
        imag = fmt_float(v.imag)
        return f"({fmt_float(v.real)}{'' if imag[0] in '+-' else '+'}{imag}i)"
    if isinstance(v, str):
        return str(v)
    if isinstance(v, list):
        return "[" + " ".join(sprint_value(x, False) for x in v) + "]"
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{sprint_value(v[k], False)}" for k in sorted(v)) + "]"
    return str(v)


def sprint(*args) -> str:
    """fmt.Sprint: a space between operands when neither is a string."""
    out = []
    for i, a in enumerate(args):
        if i and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(sprint_value(a))
    return "".join(out)


def sprintln(*args) -> str:
    return " ".join(sprint_value(a) for a in args) + "\n"


_VERB = re.compile(r"%([-+# 0]*)(\d+|\*)?(\.(\d+|\*)?)?(.|\Z)", re.DOTALL)


def sprintf(fmt: str, *args) -> str:
    """fmt.Sprintf for the verbs templates use (v s d q t f e g x X c %), with flags, width and precision."""
    args, out, pos = list(args), [], 0
    used = 0
    for m in _VERB.finditer(fmt):
        out.append(fmt[pos:m.start()])
        pos = m.end()
        flags, width, dot, prec, verb = m.groups()
        if verb == "%":
            out.append("%")
            continue
        if not verb:
            out.append("%!(NOVERB)")
            continue
        if used >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        v = args[used]
        used += 1
        precision = -1 if dot is None else int(prec) if prec and prec != "*" else 0
        out.append(_format_one(v, verb, flags, precision, False, int(width) if width and width != "*" else 0))
    out.append(fmt[pos:])
    if used < len(args):
        out.append("%!(EXTRA " + ", ".join(f"{type_name(a)}={sprint_value(a)}" for a in args[used:]) + ")")
    return "".join(out)


def _pad(text: str, flags: str, width: int) -> str:
    """fmt's width: spaces before (after with `-`), or zeros after any sign with `0`."""
    pad = width - len(text)
    if pad <= 0:
        return text
    if "-" in flags:
        return text + " " * pad
    if "0" in flags:
        sign = text[0] if text[:1] in ("+", "-") else ""
        return sign + "0" * pad + text[len(sign):]
    return " " * pad + text


def _hex_float(f: float, prec: int, upper: bool) -> str:
    mantissa, _, exp = f.hex().partition("p")
    head, _, digits = mantissa.partition(".")
    digits = digits.rstrip("0") if prec < 0 else (digits + "0" * prec)[:prec]
    sign, exp = ("-" if exp.startswith("-") else "+"), exp.lstrip("+-")
    text = f"{head}{'.' + digits if digits else ''}p{sign}{int(exp):02d}"
    return text.upper().replace("0X", "0X") if upper else text


def _format_one(v, verb, flags, prec, nested=False, width=0):
    """One operand under one verb, as fmt prints it (slices and maps element by element)."""
    def bad():
        return f"%!{verb}({type_name(v)}={_format_one(v, 'v', flags, prec, nested, width)})"

    if verb == "T":
        return _pad(type_name(v), flags, width)
    if verb == "v":
        if isinstance(v, (list, dict)):
            return _container(v, "v", flags, prec, width)
        if isinstance(v, float) and prec >= 0:
            return _pad(fmt_float(v, "g", prec), flags, width)
        if isinstance(v, str) and prec >= 0:
            return _pad(v[:prec], flags, width)
        return _pad(sprint_value(v), flags, width)
    if v is None:
        return "<nil>" if nested else f"%!{verb}(<nil>)"
    if isinstance(v, (list, dict)):
        return _container(v, verb, flags, prec, width)
    if isinstance(v, bool):
        return _pad("true" if v else "false", flags, width) if verb == "t" else bad()
    if isinstance(v, str):
        if verb == "s":
            return _pad(v if prec < 0 else v[:prec], flags, width)
        if verb == "q":
            return _pad(go_quote(v), flags, width)
        if verb in "xX":
            text = v.encode("utf-8", "surrogateescape").hex()
            return _pad(text.upper() if verb == "X" else text, flags, width)
    elif isinstance(v, int):
        sign = "+" if "+" in flags and v >= 0 else ""
        if verb == "c":
            return _pad(chr(v) if 0 <= v <= 0x10FFFF else "\ufffd", flags, width)
        if verb == "q":
            return _pad(go_quote(chr(v) if 0 <= v <= 0x10FFFF else "\ufffd", "'"), flags, width)
        if verb in "dxXob":
            return _pad(sign + format(v, verb), flags, width)
    elif isinstance(v, float):
        sign = "+" if "+" in flags and v >= 0 else ""
        if verb in "fFeE":
            return _pad(sign + fmt_float(v, verb.lower(), prec), flags, width)
        if verb in "gG":
            return _pad(sign + (fmt_float(v, "g", prec) if prec >= 0 else fmt_float(v)), flags, width)
        if verb in "xX":
            return _pad(sign + _hex_float(v, prec, verb == "X"), flags, width)
    return bad()


def _container(v, verb, flags, prec, width):
    if isinstance(v, list):
        return "[" + " ".join(_format_one(x, verb, flags, prec, True, width) for x in v) + "]"
    return "map[" + " ".join(f"{_format_one(k, verb, flags, prec, True, width)}:"
                             f"{_format_one(v[k], verb, flags, prec, True, width)}" for k in sorted(v)) + "]"


def html_escape(s: str) -> str:
    """text/template's `html` (template.HTMLEscapeString)."""
    return (s.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("\0", "\ufffd"))


def js_escape(s: str) -> str:
    """text/template's `js` (template.JSEscapeString)."""
    out = []
    for c in s:
        if c in "\\'\"":
            out.append("\\" + c)
        elif c in "<>&=":
            out.append("\\u%04X" % ord(c))
        elif ord(c) < 0x80 and not c.isprintable() or c in "\u2028\u2029":
            out.append("\\u%04X" % ord(c))
        else:
            out.append(c)
    return "".join(out)


def query_escape(s: str) -> str:
    """url.QueryEscape."""
    return urllib.parse.quote_plus(s, safe="-_.~")


def go_quote(s: str, quote: str = '"') -> str:
    """strconv.Quote (or QuoteRune with ``quote="'"``): printable characters kept, the rest escaped."""
    out = []
    for ch in s:
        if ch == quote or ch == "\\":
            out.append("\\" + ch)
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r", "\a": "\\a", "\b": "\\b", "\f": "\\f",
                        "\v": "\\v"}.get(ch) or ("\\x%02x" % ord(ch) if ord(ch) < 0x80 else
                                               "\\u%04x" % ord(ch) if ord(ch) < 0x10000 else "\\U%08x" % ord(ch)))
    return quote + "".join(out) + quote
