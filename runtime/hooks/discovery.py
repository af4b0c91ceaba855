"""Finding the hook files: ``pb_hooks/*.pb.js`` in file-name order, as PocketBase loads them,
without the file that only starts PocketPages (pagesvm serves the pages itself)."""
from __future__ import annotations

import os
import re

HOOK_UNIT_PREFIX = "pb_hooks/"  # a hook file's unit path: never a pages-root path (those live under pb_hooks/pages)
_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
# require('pocketpages') or require(`${__hooks}/pages…`), alone or bound to names.
_LOADER_STATEMENT = re.compile(
    r"""(?:(?:const|let|var)\s+(?:\{[^}]*\}|[\w$]+)\s*=\s*)?require\(\s*(?:['"]pocketpages['"]|`\$\{__hooks\}/pages[^`]*`)\s*\)\s*;?""")
_LOADER_USE = re.compile(r"(?:routerUse|onBootstrap)\(\s*[\w$]+\s*\)\s*;?")


def find_hooks_dir(folder: str) -> str | None:
    """PROJECT/pb_hooks, or the pages root's parent when it is a pb_hooks folder, or None."""
    folder = os.path.abspath(folder)
    for candidate in (os.path.join(folder, "pb_hooks"), os.path.dirname(folder)):
        if os.path.basename(candidate) == "pb_hooks" and os.path.isdir(candidate):
            return candidate
    return None


def is_pocketpages_loader(text: str) -> bool:
    """True for a file that only requires PocketPages (and maybe hands what it exports to
    ``routerUse``/``onBootstrap``): PocketBase's way of serving the pages, which pagesvm does itself."""
    code = _COMMENTS.sub("", text)
    if not _LOADER_STATEMENT.search(code):
        return False
    rest = _LOADER_USE.sub("", _LOADER_STATEMENT.sub("", code))
    return rest.strip(" \t\r\n;") == ""


def hook_files(hooks_dir: str | None) -> list[str]:
    """The ``*.pb.js`` file names of ``hooks_dir`` to run, sorted as PocketBase sorts them."""
    if not hooks_dir or not os.path.isdir(hooks_dir):
        return []
    names = []
    for name in sorted(os.listdir(hooks_dir)):
        path = os.path.join(hooks_dir, name)
        if not name.endswith(".pb.js") or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            if is_pocketpages_loader(f.read()):
                continue
        names.append(name)
    return names
