"""The `$filepath` family: Go's path/filepath for page (and hook) code, in JavaScript (filepath.js).

Only `glob` touches the disk: these hidden bindings list a folder (sorted, as Go's Glob reads it) and
tell whether a path exists. Paths are the process's, relative ones to its working directory, as on PocketBase.
"""
from __future__ import annotations

import os

from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
FILEPATH_JS = FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "filepath.js"))


def _list(ctx, folder: str):
    """The sorted names in ``folder``, or None when it cannot be read (Glob then skips it)."""
    try:
        return sorted(os.listdir(folder))
    except OSError:
        return None


def _exists(ctx, path: str) -> bool:
    return os.path.lexists(path)


FAMILY.add("pv_filepath.list", _list, hidden=True)
FAMILY.add("pv_filepath.exists", _exists, hidden=True)
