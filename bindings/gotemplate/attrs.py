"""What an HTML attribute holds, by its name (Go's attrType): the escaper treats a URL, a style, a script
handler or a srcset differently from plain text, and refuses a name that is neither plain nor known.
``JS_TYPES``: the `<script type=...>` values whose content is still JavaScript."""
from __future__ import annotations

_URL_ATTRS = {"action", "archive", "background", "cite", "classid", "codebase", "data", "formaction", "href",
              "icon", "longdesc", "manifest", "poster", "profile", "src", "usemap", "xmlns"}
# Go's attrTypeMap entries that are neither URLs nor plain text (a value there is never a safe name).
_UNSAFE_ATTRS = {"accept-charset", "async", "challenge", "charset", "content", "crossorigin", "defer", "enctype",
                 "form", "formenctype", "formmethod", "formnovalidate", "http-equiv", "keytype", "language",
                 "method", "novalidate", "pattern", "rel", "sandbox", "type", "value"}


def attr_type(name: str) -> str:
    """'url', 'css', 'js', 'srcset', 'html', 'unsafe' or 'plain' for an attribute name (Go's attrType)."""
    if name.startswith("data-"):
        name = name[5:]
    elif ":" in name:
        prefix, _, short = name.partition(":")
        if prefix == "xmlns":
            return "url"
        name = short
    if name in _URL_ATTRS:
        return "url"
    if name == "style":
        return "css"
    if name == "srcset":
        return "srcset"
    if name == "srcdoc":
        return "html"
    if name in _UNSAFE_ATTRS:
        return "unsafe"
    if name == "srclang":
        return "plain"
    if name.startswith("on"):
        return "js"
    if "src" in name or "uri" in name or "url" in name:
        return "url"
    return "plain"


JS_TYPES = {"application/ecmascript", "application/javascript", "application/json", "application/ld+json",
             "application/x-ecmascript", "application/x-javascript", "module", "text/ecmascript",
             "text/javascript", "text/javascript1.0", "text/javascript1.1", "text/javascript1.2",
             "text/javascript1.3", "text/javascript1.4", "text/javascript1.5", "text/jscript", "text/livescript",
             "text/x-ecmascript", "text/x-javascript"}
