"""Where ``require(name)`` leads: Node's CommonJS resolution, kept inside the project folder.

The JavaScript half is js/modules.js; this half only names files. A name is

* relative (``./x``, ``../x``): from the requiring file's folder, as a file (``x``, ``x.js``, ``x.json``)
  or a folder (its ``package.json`` ``main``, then ``index.js`` / ``index.json``);
* absolute: a path inside the project (``${__hooks}/lib/x.js``); otherwise, in pages, the root
  ``_private`` lookup as before (``/x``);
* bare: in pages the ``_private`` lookup first (PocketPages' rule), then a package in ``node_modules``
  folders from the requiring file's folder up to the project folder, then from the working directory up
  (goja's rule) when it lies in the project. A package's ``exports`` map (string, conditions, subpaths,
  ``*`` patterns; conditions "require" and "default") wins over ``main``.

Paths come back relative to the pages root, as every unit path is; a project file outside the pages
root reads ``../lib/x.js``. A file reached through a symlink must still lie in the project, and dot
files are never found outside ``node_modules``. ES-module-only code (``.mjs``, a ``"type": "module"``
package, an ``exports`` map with no CommonJS entry) is an error naming the package: pagesvm's
``require()`` is CommonJS, as goja's is.
"""
from __future__ import annotations

import json
import os
import posixpath

from .site import MODULE_EXTENSIONS, Site

CONDITIONS = ("require", "default")


class RequireError(ValueError):
    """A name that resolves to something ``require()`` refuses to load (the message says why)."""


class ModuleResolver:
    def __init__(self, site: Site, cwd: str | None = None):
        self.site = site
        self.root = site.root
        self.project = site.project
        cwd = os.path.realpath(cwd or os.getcwd())
        # goja looks in node_modules from the working directory up: only the part inside the project counts
        self._cwd_dirs = self._node_dirs(cwd) if _inside(cwd, self.project) else []
        self._packages: dict[str, tuple] = {}  # package.json path -> (mtime, size, parsed)

    def find(self, from_file: str, name: str) -> str | None:
        """The unit path ``require(name)`` loads from ``from_file``, None when there is none (Node's
        "Cannot find module"); RequireError when the file found may not be loaded."""
        name = str(name)
        if not name or "\0" in name or "\\" in name:
            return None
        origin = os.path.normpath(os.path.join(self.root, *from_file.split("/")))
        folder = os.path.dirname(origin)
        if name.startswith(("./", "../")) or name in (".", ".."):
            return self._as_path(os.path.normpath(os.path.join(folder, name)), name.endswith("/"))
        in_pages = not from_file.startswith("../") and "node_modules" not in from_file.split("/")
        if name.startswith("/"):
            target = os.path.normpath(name)
            if _inside(target, self.project) or _inside(os.path.realpath(target), self.project):
                return self._as_path(target if _inside(target, self.project) else os.path.realpath(target), False)
            found = self.site.find_private(from_file, name, MODULE_EXTENSIONS) if in_pages else None
            if found is None:
                raise RequireError(f"require: '{name}' is outside the project folder")
            return found
        if in_pages:
            found = self.site.find_private(from_file, name, MODULE_EXTENSIONS)
            if found:
                return found
        return self._package(folder, name)

    # -- files and folders -------------------------------------------------------------------
    def _as_path(self, base: str, folder_only: bool) -> str | None:
        if not _inside(base, self.project):
            return None
        found = (None if folder_only else self._file(base)) or self._folder(base)
        return self._unit_path(found) if found else None

    def _file(self, base: str) -> str | None:
        for candidate in (base,) + tuple(base + ext for ext in MODULE_EXTENSIONS):
            if os.path.isfile(candidate):
                return candidate
        return None

    def _folder(self, base: str) -> str | None:
        main = self._package_json(os.path.join(base, "package.json")).get("main")
        if isinstance(main, str) and main:
            target = os.path.normpath(os.path.join(base, main))
            if _inside(target, base):
                found = self._file(target) or self._file(os.path.join(target, "index"))
                if found:
                    return found
        return self._file(os.path.join(base, "index"))

    def _unit_path(self, full: str) -> str:
        """The unit path of a file found, once it passed the project checks."""
        rel = os.path.relpath(full, self.root).replace(os.sep, "/")
        parts = rel.split("/")
        packaged = "node_modules" in parts
        if not packaged and any(p.startswith(".") and p != ".." for p in parts):
            raise RequireError(f"require: dot files are never loaded ({rel})")
        if not _inside(os.path.realpath(full), self.project):
            raise RequireError(f"require: {rel} leads outside the project folder (a symlink)")
        if packaged:
            self._refuse_esm(full)
        return rel

    # -- packages ----------------------------------------------------------------------------
    def _package(self, folder: str, name: str) -> str | None:
        parts = name.split("/")
        size = 2 if name.startswith("@") else 1
        package, sub = "/".join(parts[:size]), "/".join(parts[size:])
        if len(parts) < size or any(p in ("", ".", "..") for p in parts[:size]):
            return None
        seen = set()
        for modules in self._node_dirs(folder) + self._cwd_dirs:
            if modules in seen:
                continue
            seen.add(modules)
            home = os.path.join(modules, package)
            meta = self._package_json(os.path.join(home, "package.json"))
            if "exports" in meta:
                return self._exported(home, package, meta["exports"], "./" + sub if sub else ".")
            found = self._as_path(os.path.normpath(os.path.join(home, sub)) if sub else home, False)
            if found:
                return found
        return None

    def _node_dirs(self, folder: str) -> list[str]:
        """``node_modules`` folders from ``folder`` up to the project folder (Node's NODE_MODULES_PATHS)."""
        dirs = []
        while _inside(folder, self.project) or folder == self.project:
            if os.path.basename(folder) != "node_modules":
                candidate = os.path.join(folder, "node_modules")
                if os.path.isdir(candidate):
                    dirs.append(candidate)
            if folder == self.project:
                break
            folder = os.path.dirname(folder)
        return dirs

    def _exported(self, home: str, package: str, exports, sub: str) -> str | None:
        if isinstance(exports, dict) and any(str(k).startswith(".") for k in exports):
            table = exports
        else:
            table = {".": exports}
        target, star = table.get(sub), None
        if sub not in table:
            best = ""
            for key in table:
                head, mark, tail = key.partition("*")
                if mark and sub.startswith(head) and sub.endswith(tail) and len(sub) >= len(head) + len(tail) and len(head) > len(best):
                    best, target, star = head, table[key], sub[len(head):len(sub) - len(tail)]
            if not best:
                raise RequireError(f"require: '{_join(package, sub)}': subpath '{sub}' is not exported by package '{package}'")
        chosen = _condition(target, star)
        if chosen is None:
            if _mentions_import(target):
                raise RequireError(f"require: package '{package}' is an ES module only (its \"exports\" have no "
                                   f"\"require\" or \"default\" entry for '{sub}'); pagesvm's require() loads CommonJS")
            raise RequireError(f"require: '{_join(package, sub)}' is not exported by package '{package}'")
        full = os.path.normpath(os.path.join(home, chosen))
        if not chosen.startswith("./") or not _inside(full, home) or "node_modules" in chosen.split("/"):
            raise RequireError(f"require: package '{package}' exports an invalid target {chosen!r}")
        return self._unit_path(full) if os.path.isfile(full) else None

    def _refuse_esm(self, full: str) -> None:
        """An ES module in a package is refused by name: ``.mjs``, or ``.js`` under ``"type": "module"``."""
        folder, meta = os.path.dirname(full), {}
        if full.endswith(".mjs"):
            kind = "an ES module (.mjs)"
        elif full.endswith(".js"):
            while os.path.basename(folder) != "node_modules" and folder != self.project:
                meta = self._package_json(os.path.join(folder, "package.json"))
                if meta:
                    break
                folder = os.path.dirname(folder)
            if meta.get("type") != "module":
                return
            kind = 'an ES module ("type": "module")'
        else:
            return
        rel = os.path.relpath(full, self.root).replace(os.sep, "/")
        package = _package_of(rel)
        raise RequireError(f"require: package '{package}' is {kind} and pagesvm's require() loads CommonJS only ({rel})")

    def _package_json(self, path: str) -> dict:
        """A package.json, parsed once per change; {} when there is none."""
        try:
            st = os.stat(path)
        except OSError:
            return {}
        cached = self._packages.get(path)
        if cached and cached[0] == st.st_mtime_ns and cached[1] == st.st_size:
            return cached[2]
        if not _inside(os.path.realpath(path), self.project):
            raise RequireError(f"require: {path} leads outside the project folder (a symlink)")
        try:
            with open(path, encoding="utf-8") as f:
                meta = json.load(f)
        except (ValueError, OSError) as e:
            raise RequireError(f"require: invalid package.json {os.path.relpath(path, self.root)}: {e}") from None
        meta = meta if isinstance(meta, dict) else {}
        self._packages[path] = (st.st_mtime_ns, st.st_size, meta)
        return meta


def _condition(target, star):
    """The exports target chosen by the "require" and "default" conditions (arrays: the first that fits)."""
    if isinstance(target, str):
        return target.replace("*", star) if star is not None else target
    if isinstance(target, list):
        for item in target:
            chosen = _condition(item, star)
            if chosen is not None:
                return chosen
    elif isinstance(target, dict):
        for key, value in target.items():
            if key in CONDITIONS:
                chosen = _condition(value, star)
                if chosen is not None:
                    return chosen
    return None


def _mentions_import(target) -> bool:
    if isinstance(target, list):
        return any(_mentions_import(t) for t in target)
    return isinstance(target, dict) and any(k == "import" or _mentions_import(v) for k, v in target.items())


def _package_of(rel: str) -> str:
    parts = rel.split("/")
    at = len(parts) - 1 - parts[::-1].index("node_modules")
    return "/".join(parts[at + 1:at + 3] if parts[at + 1].startswith("@") else parts[at + 1:at + 2])


def _join(package: str, sub: str) -> str:
    return package if sub == "." else package + sub[1:]


def _inside(path: str, folder: str) -> bool:
    return path.startswith(folder + os.sep)
