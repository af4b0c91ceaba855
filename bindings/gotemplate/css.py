"""CSS escapes, decoded as Go's html/template reads them: before following a CSS string or url(...)
(context.py) and before judging a value put in a style (escape.py's cssvaluefilter)."""
from __future__ import annotations


def decode_css(s: str) -> str:
    """CSS escapes decoded as Go's decodeCSS: `\\hex` (up to 6 digits, one optional space after),
    `\\c` as c, and a backslash that ends the text dropped."""
    if "\\" not in s:
        return s
    out, i, n = [], 0, len(s)
    while i < n:
        j = s.find("\\", i)
        if j < 0:
            out.append(s[i:])
            break
        out.append(s[i:j])
        if j + 1 >= n:
            break
        k = j + 1
        while k < n and k < j + 7 and s[k] in "0123456789abcdefABCDEF":
            k += 1
        if k == j + 1:
            out.append(s[j + 1])
            i = j + 2
            continue
        code = int(s[j + 1:k], 16)
        if code > 0x10FFFF:
            code, k = code // 16, k - 1
        out.append("\ufffd" if 0xD800 <= code <= 0xDFFF else chr(code))
        if k < n and s[k] in " \t\n\f\r":
            k += 2 if s.startswith("\r\n", k) else 1
        i = k
    return "".join(out)
