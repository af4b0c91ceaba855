"""Finding the hook files: ``pb_hooks/*.pb.js`` in file-name order, as PocketBase loads them,
without the file that only starts PocketPages (pagesvm serves the pages itself)."""
from __future__ import annotations

import os
import re

# A hook file's unit path, relative to the pages root (PROJECT/pb_hooks/pages) as every unit path is: a project
# file outside the root (render/site.py source_path), so require() inside it resolves from pb_hooks/.
HOOK_UNIT_PREFIX = "../"


def shown(unit: str) -> str:
    """A hook unit's path as messages name it: ``pb_hooks/FILE``."""
    return "pb_hooks/" + unit[len(HOOK_UNIT_PREFIX):] if unit.startswith(HOOK_UNIT_PREFIX) else unit
_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
# require('pocketpages') or require(`${__hooks}/pages…`), alone or bound to names.
_LOADER_STATEMENT = re.compile(
    r"""(?:(?:const|let|var)\s+(?:\{[^}]*\}|[\w$]+)\s*=\s*)?require\(\s*(?:['"]pocketpages['"]|`\$\{__hooks\}/pages[^`]*`)\s*\)\s*;?""")
_LOADER_USE = re.compile(r"(?:routerUse|onBootstrap)\(\s*[\w$]+\s*\)\s*;?")


def find_hooks_dir(pages_root: str) -> str | None:
    """The pb_hooks folder of a pages root PROJECT/pb_hooks/pages (which need not exist), or None."""
    pages_root = os.path.abspath(pages_root)
    parent = os.path.dirname(pages_root)
    if os.path.basename(pages_root) == "pages" and os.path.basename(parent) == "pb_hooks" and os.path.isdir(parent):
        return parent
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
    return _scan(hooks_dir)[0]


def pages_loader(hooks_dir: str | None) -> str | None:
    """The name of the first file that starts PocketPages, or None. PocketPages serves the pages from a
    ``routerUse`` middleware registered as that file loads, so it sits among the project's own
    ``routerUse`` middlewares at that file's place in name order (``runtime/http/hook_routes.py``)."""
    loaders = _scan(hooks_dir)[1]
    return loaders[0] if loaders else None


def _scan(hooks_dir: str | None) -> tuple[list[str], list[str]]:
    """(the hook files to run, PocketPages' loader files), both in PocketBase's name order."""
    if not hooks_dir or not os.path.isdir(hooks_dir):
        return [], []
    names, loaders = [], []
    for name in sorted(os.listdir(hooks_dir)):
        path = os.path.join(hooks_dir, name)
        if not name.endswith(".pb.js") or not os.path.isfile(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            (loaders if is_pocketpages_loader(f.read()) else names).append(name)
    return names, loaders
