"""The parse cache: a filter's text is scanned and parsed once per process, its `{:name}`s kept as placeholder
tokens; each call binds its own params into a fresh tree.

Why only the parse: what the tree compiles to depends on the bound values (a `null` or a number changes the SQL,
a `%` in a `~` value changes the escaping) and on the schema, which resolve.py reads afresh on every call — so a
collection saved by a migration, another worker or `pagesvm migrate` is seen by the very next query, and no
entry can ever hold a value of one call for another. The key is the text and the params names it uses (a name
not in params leaves `{`, the binary's `unexpected character '{'`, so the names decide how the text scans).
"""
from __future__ import annotations

from functools import lru_cache

from .lexer import Token, placeholder_token
from .parser import Expr, Group, parse

SIZE = 1024


@lru_cache(maxsize=SIZE)
def _parsed(text: str, names: tuple) -> Group:
    return parse(text, dict.fromkeys(names), names_only=True)


def placeholder_names(text: str, params) -> tuple:
    """The params keys that appear as `{:key}` in text, sorted (the cache key's second half)."""
    if not params or "{:" not in text:
        return ()
    return tuple(sorted(k for k in params if isinstance(k, str) and "{:" + k + "}" in text))


def parse_cached(text: str, params=None) -> Group:
    """The tree of `text` with `params` bound: the cached tree itself when it has no placeholder (compiling
    never changes a tree), else a new tree holding this call's values."""
    names = placeholder_names(text, params)
    tree = _parsed(text, names)
    return bind(tree, params) if names else tree


def bind(group: Group, params) -> Group:
    """A copy of `group` with every placeholder token replaced by its value's token from params."""
    out = Group()
    for join, item in group.items:
        if isinstance(item, Group):
            out.items.append((join, bind(item, params)))
        else:
            out.items.append((join, Expr(_bound(item.left, params), item.op, _bound(item.right, params))))
    return out


def _bound(token: Token, params) -> Token:
    return placeholder_token(params[token.value]) if token.kind == "placeholder" else token


def cache_info():
    """functools' hit/miss counters of the parse cache (tests, diagnostics)."""
    return _parsed.cache_info()


def clear() -> None:
    _parsed.cache_clear()
