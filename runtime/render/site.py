"""A pages root on disk: safe site-relative paths, file signatures, `_private` lookup.

Every path handed to page code or the interpreter is site-relative with `/` separators
and is checked to stay inside the root (symlinks included).
"""
from __future__ import annotations

import os
import posixpath
import stat
from dataclasses import dataclass

TEMPLATE_EXTENSIONS = (".ejs", ".md")
MODULE_EXTENSIONS = (".js", ".json")


class SiteError(Exception):
    """The folder given is not a usable pages root."""


def find_pages_root(folder: str) -> str:
    """Accept a pages root or a project folder containing ``pb_hooks/pages``."""
    folder = os.path.abspath(folder)
    if not os.path.exists(folder) and os.path.basename(os.path.dirname(folder)) == "pb_hooks" \
            and os.path.isdir(os.path.dirname(folder)):
        return folder  # the empty pages root of a project with hook files only
    if not os.path.isdir(folder):
        raise SiteError(f"site folder not found: {folder}")
    nested = os.path.join(folder, "pb_hooks", "pages")
    if os.path.isdir(nested) or os.path.isdir(os.path.dirname(nested)):
        return nested  # a project with hook files but no pages has an empty pages root
    return folder


@dataclass(frozen=True)
class Signature:
    mtime_ns: int
    size: int


def file_id(path: str) -> tuple[int, int] | None:
    """(device, inode) of what ``path`` leads to, None when nothing: a folder's identity, whatever its name."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def within(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or lies below it (both resolved)."""
    return path == folder or path.startswith(folder + os.sep)


def walk_below(root: str, parts: list[str]) -> tuple[str, bool]:
    """``root`` joined with ``parts`` (no `.` or `..` among them), looked at one lstat each instead of resolving every
    folder from ``/`` down; from the first symlink on, the rest is resolved in full, and True then says the path
    must still be checked to lie where it should."""
    path = root
    for i, part in enumerate(parts):
        path = os.path.join(path, part)
        if os.path.islink(path):
            return os.path.realpath(os.path.join(path, *parts[i + 1:])), True
    return path, False


def _folders_below(project: str, root: str) -> list[str]:
    """The folders from just below ``project`` down to ``root`` (``root`` alone when it is the project)."""
    if root == project:
        return [root]
    chain, path = [], project
    for part in os.path.relpath(root, project).split(os.sep):
        path = os.path.join(path, part)
        chain.append(path)
    return chain


def _folder_chain_id(chain: list[str]) -> tuple[int, int] | None:
    """(device, inode) of the chain's last folder when each of its paths is a folder itself (lstat), else None."""
    ident = None
    for path in chain:
        try:
            st = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISDIR(st.st_mode):
            return None
        ident = (st.st_dev, st.st_ino)
    return ident


def project_folder(pages_root: str) -> str:
    """The project a pages root belongs to: ``PROJECT`` for ``PROJECT/pb_hooks/pages``, else the root itself.
    ``require()`` reaches files (``pb_hooks/lib``, ``node_modules``) anywhere in it, and nothing outside."""
    parent = os.path.dirname(pages_root)
    if os.path.basename(pages_root) == "pages" and os.path.basename(parent) == "pb_hooks":
        return os.path.dirname(parent)
    return pages_root


class Site:
    def __init__(self, root: str):
        self.root = os.path.realpath(root)
        self.project = project_folder(self.root)
        # The root and the folders between it and the project (pb_hooks, pages), and the root's identity while
        # each of them is a folder, not a link: see abspath. None (every path resolved in full) when the root
        # was reached through a link at start: a folder of the project on the way could later become one.
        self._chain = _folders_below(self.project, self.root)
        self._root_id = _folder_chain_id(self._chain) if os.path.abspath(root) == self.root else None

    # -- paths ------------------------------------------------------------------------
    def abspath(self, rel: str) -> str:
        """``rel`` as a path inside the root, its symlinks followed; PermissionError when it leads out.

        Resolving the whole path (``realpath``) costs an lstat for every folder from ``/`` down, and a request can
        ask several times (assets, its +404.ejs, static files). While the root is still the folder resolved at
        start, only the parts below it are looked at, one lstat each, and a path is resolved in full only when one
        of them is a symlink, or the path holds `.` or `..`. "Still the folder": the root and each folder between
        it and the project are folders, not links (an lstat each: a project's checkout may replace `pages` by a
        link to a folder elsewhere that took the root's inode), and the root has the inode it had at start. A
        root given through a link (`pages -> x/pages`) is always resolved in full: `x` could become a link."""
        parts = [p for p in rel.split("/") if p]
        if "." not in parts and ".." not in parts and self._root_id is not None \
                and _folder_chain_id(self._chain) == self._root_id:
            full, linked = walk_below(self.root, parts)
            if not linked:
                return full
        else:
            full = os.path.realpath(os.path.join(self.root, *parts))
        if not within(full, self.root):
            raise PermissionError(f"{rel!r} is outside the pages root")
        return full

    def source_path(self, rel: str) -> str:
        """``abspath`` for a unit's source, which may also be a project file outside the pages root: the
        module resolver names those ``../lib/x.js`` (relative to the root); they must stay in the project."""
        if not rel.startswith("../"):
            return self.abspath(rel)
        full = os.path.realpath(os.path.join(self.root, *rel.split("/")))
        if not full.startswith(self.project + os.sep):
            raise PermissionError(f"{rel!r} is outside the project folder")
        return full

    def relpath(self, full: str) -> str:
        return os.path.relpath(full, self.root).replace(os.sep, "/")

    def is_file(self, rel: str) -> bool:
        # A file that is not there needs no resolving (most asks: a folder without +layout.ejs or +404.ejs);
        # the plain join follows the same symlinks as the resolved path, so it finds what that would.
        if not os.path.isfile(os.path.join(self.root, *[p for p in rel.split("/") if p])):
            return False
        try:
            return os.path.isfile(self.abspath(rel))
        except PermissionError:
            return False

    def signature(self, rel: str) -> Signature | None:
        try:
            st = os.stat(self.abspath(rel))
        except (OSError, PermissionError):
            return None
        return Signature(st.st_mtime_ns, st.st_size)

    def read_text(self, rel: str) -> str:
        with open(self.abspath(rel), encoding="utf-8") as f:
            return f.read()

    def read_source(self, rel: str) -> str:
        """A template, module or Markdown file as text, without a UTF-8 byte-order mark
        (ejs strips it from the files it reads; left in, it would reach the client).
        Bytes, not text mode: universal newlines would turn "\r\n" and a lone "\r" into
        "\n", and ejs passes both through to the output unchanged."""
        with open(self.source_path(rel), "rb") as f:
            return f.read().decode("utf-8").removeprefix("\ufeff")

    def read_bytes(self, rel: str) -> bytes:
        with open(self.abspath(rel), "rb") as f:
            return f.read()

    # -- lookups ------------------------------------------------------------------------
    def _first_existing(self, base: str | None, extensions: tuple[str, ...]) -> str | None:
        if base is None:
            return None
        for candidate in (base,) + tuple(base + ext for ext in extensions):
            if candidate and not candidate.endswith("/") and self.is_file(candidate):
                return candidate
        return None

    def find_private(self, from_file: str, name: str, extensions: tuple[str, ...]) -> str | None:
        """SPEC §3 lookup: `_private/NAME` from the caller's folder up to the root.

        A leading ``/`` means the root's ``_private`` (then, as PocketPages does, a path
        from the root); each leading ``../`` skips the nearest level. Whatever the name,
        the file found lies inside a ``_private`` folder and is no dot file: a ``..`` in
        the middle of a name cannot reach ``+load.js``, pages or anything else.
        """
        name = str(name)
        if "\0" in name or "\\" in name:
            return None
        if name.startswith("/"):
            rest = name.lstrip("/")
            return self._in_private("", rest, extensions) or self._in_private(None, rest, ())
        folder = posixpath.dirname(from_file)
        while name.startswith("../"):
            name = name[3:]
            folder = posixpath.dirname(folder) if folder else None
            if folder is None:
                return None
        while True:
            found = self._in_private(folder, name, extensions)
            if found:
                return found
            if not folder:
                return None
            folder = posixpath.dirname(folder)

    def _in_private(self, folder: str | None, name: str, extensions: tuple[str, ...]) -> str | None:
        """``FOLDER/_private/NAME`` (with an extension), if it stays in that ``_private`` folder.

        ``folder=None``: NAME is a path from the root, which must itself pass through a
        ``_private`` folder (``/blog/_private/card``).
        """
        if folder is None:
            base = _join(name)
            parts = base.split("/") if base else []
            if "_private" not in parts[:-1]:
                return None
        else:
            private = _join(folder, "_private")
            base = _join(private, name)
            if base is None or not base.startswith(private + "/"):
                return None
            parts = base.split("/")
        if any(part.startswith(".") for part in parts):
            return None
        return self._first_existing(base, extensions)

    def find_module(self, from_file: str, name: str) -> str | None:
        """``require(name)``: relative to the requiring file, else the `_private` lookup."""
        if name.startswith("./") or name.startswith("../"):
            base = _join(posixpath.dirname(from_file), name)
            if base is None:
                return None
            return self._first_existing(base, MODULE_EXTENSIONS) or self._first_existing(_join(base, "index"), MODULE_EXTENSIONS)
        return self.find_private(from_file, name, MODULE_EXTENSIONS)

    def walk(self):
        """Yield every file as a site-relative path, sorted, never following symlinked folders out."""
        for folder, dirs, files in os.walk(self.root):
            dirs.sort()
            for filename in sorted(files):
                yield self.relpath(os.path.join(folder, filename))


def _join(*parts: str | None) -> str | None:
    """Join and normalise site-relative parts; None when the result leaves the root."""
    joined = posixpath.normpath("/".join(p for p in parts if p))
    if joined == ".":
        return ""
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    return joined
