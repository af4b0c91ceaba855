"""Record files on disk as PocketBase 0.40 keeps them: names, the storage folder, atomic writes, safe reads.

A file of a record lives at `<data dir>/storage/<collection id>/<record id>/<name>`, beside a
`<name>.attrs` JSON the binary's blob driver reads back (the sniffed content type, the original name,
the MD5): files written here are served by the real PocketBase from the same folder and the reverse.
Names are the binary's (observed): the upload's base name cut at its last one or two dots, the stem in
snake case (ASCII words only, camel humps split, at most 100 characters, ten random [a-z0-9] more when
under 3), `_` and ten random [a-z0-9], then the extension without odd characters or empty dot parts
(its last 20 characters) or, when none is left, the sniffed one.

A name or id never reaches the filesystem unless it is one plain path segment, and a file is opened
without following a symbolic link in its last component, inside a folder that really is under storage.
A file is written to a temporary name in its folder and renamed into place, so a killed process leaves
no half file under a name a record holds.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import stat as stat_modes

from . import sniff

STORAGE = "storage"
ATTRS = ".attrs"
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_EXT_JUNK = re.compile(r"[^A-Za-z0-9_.*\-+=#]+")
_WORD_SPLIT = re.compile(r"[^A-Za-z0-9]+")  # Go's `[\W_]+`: \w is ASCII there
_TEMP_PREFIX = ".pagesvm-upload-"


def random_part(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def base_name(name: str) -> str:
    """The last path part of an upload's name, as Go's multipart reader gives it (`a/b/c.txt` → `c.txt`)."""
    if not name:
        return "."
    stripped = name.rstrip("/")
    return stripped.rsplit("/", 1)[-1] if stripped else "/"


def snakecase(text: str) -> str:
    """Words of ASCII letters and digits joined by `_`, an upper-case letter after a non-upper one starting
    a new word, lower-cased (`fileV2Name3` → `file_v2_name3`, `HTTPServer` → `httpserver`)."""
    out = []
    for word in _WORD_SPLIT.split(text):
        if not word:
            continue
        if out:
            out.append("_")
        for i, char in enumerate(word):
            if char.isupper() and i > 0 and not word[i - 1].isupper():
                out.append("_")
            out.append(char)
    return "".join(out).lower()


def extract_extension(name: str) -> str:
    """The name's last one or two dotted parts (`a.tar.gz` → `.tar.gz`, `a.b.c.txt` → `.c.txt`)."""
    last = name.rfind(".")
    if last < 0:
        return ""
    before = name.rfind(".", 0, last)
    return name[before:] if before >= 0 else name[last:]


def clean_extension(ext: str) -> str:
    """Odd characters and empty dot parts dropped (`..txt` → `.txt`, `.gz.` → `.gz`, `.` → ``)."""
    parts = [part for part in _EXT_JUNK.sub("", ext).split(".") if part]
    return "." + ".".join(parts) if parts else ""


def stored_name(original: str, content: bytes) -> str:
    """The name PocketBase would store an upload called `original` under (random parts differ)."""
    original = base_name(original)
    ext = extract_extension(original)
    clean = clean_extension(ext) or sniff.detect(content)[1]
    if len(clean) > 20:
        clean = "." + clean[-20:]
    stem = snakecase(original[:len(original) - len(ext)] if ext else original)
    if len(stem) < 3:
        stem += random_part()
    elif len(stem) > 100:
        stem = stem[:100]
    return f"{stem}_{random_part()}{clean}"


def plain_segment(value) -> bool:
    """Whether a name or id can be one path segment: no separator, no NUL, not `.`/`..`, not too long."""
    return (isinstance(value, str) and 0 < len(value) <= 255 and value not in (".", "..")
            and "/" not in value and "\\" not in value and "\x00" not in value)


class FileStorage:
    """The storage folder of one data folder."""

    def __init__(self, data_dir: str):
        self.root = os.path.join(os.path.abspath(data_dir), STORAGE)

    def folder(self, collection_id: str, record_id: str) -> str:
        if not (plain_segment(collection_id) and plain_segment(record_id)):
            raise ValueError("invalid storage path")
        return os.path.join(self.root, collection_id, record_id)

    def path(self, collection_id: str, record_id: str, name: str) -> str:
        if not plain_segment(name) or name.endswith(ATTRS):
            raise ValueError("invalid file name")
        return os.path.join(self.folder(collection_id, record_id), name)

    # -- writing -------------------------------------------------------------------------------------------
    def write(self, collection_id: str, record_id: str, name: str, content: bytes, original: str = "",
              content_type: str = "") -> str:
        """Place a file and its `.attrs` atomically (temp file in the same folder, fsync, rename)."""
        target = self.path(collection_id, record_id, name)
        folder = os.path.dirname(target)
        os.makedirs(folder, exist_ok=True)
        content_type = content_type or sniff.detect(content)[0]
        attrs = {"user.cache_control": "", "user.content_disposition": "", "user.content_encoding": "",
                 "user.content_language": "", "user.content_type": content_type,
                 "user.metadata": {"original-filename": original or name},
                 "md5": base64.b64encode(hashlib.md5(content).digest()).decode("ascii")}
        _atomic_write(target + ATTRS, json.dumps(attrs, separators=(",", ":")).encode("utf-8"))
        _atomic_write(target, content)
        return target

    def delete(self, collection_id: str, record_id: str, name: str) -> None:
        """Remove a file and its `.attrs` (and the record's folder once empty); a missing file is no error."""
        target = self.path(collection_id, record_id, name)
        for path in (target, target + ATTRS):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        try:
            os.rmdir(os.path.dirname(target))
        except OSError:
            pass  # other files remain (or it is gone already)

    def delete_record(self, collection_id: str, record_id: str) -> None:
        """Remove a deleted record's whole folder (what the binary does once the delete committed)."""
        folder = self.folder(collection_id, record_id)
        if os.path.isdir(folder) and not os.path.islink(folder):
            shutil.rmtree(folder, ignore_errors=True)

    # -- reading -------------------------------------------------------------------------------------------
    def open(self, collection_id: str, record_id: str, name: str):
        """(open binary file, its os.stat, its attrs dict) or None when it is missing or not a plain file
        inside storage. The caller closes the file."""
        try:
            target = self.path(collection_id, record_id, name)
        except ValueError:
            return None
        root = os.path.realpath(self.root)
        if os.path.commonpath([root, os.path.realpath(os.path.dirname(target))]) != root:
            return None
        try:
            fd = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None
        handle = os.fdopen(fd, "rb")
        stat = os.fstat(fd)
        if not stat_modes.S_ISREG(stat.st_mode):
            handle.close()
            return None
        return handle, stat, _read_attrs(target + ATTRS)


def _read_attrs(path: str) -> dict:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(fd, "rb") as handle:
            value = json.loads(handle.read(1 << 16))
        return value if isinstance(value, dict) else {}
    except (OSError, ValueError):
        return {}


def _atomic_write(target: str, content: bytes) -> None:
    temp = os.path.join(os.path.dirname(target), _TEMP_PREFIX + random_part(16))
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
