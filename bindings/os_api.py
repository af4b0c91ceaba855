"""The `$os` family: PocketBase's `$os` for page (and hook) code (os_api.js is the JavaScript half).

Hook and page code is the site owner's, as on PocketBase: it reads and writes the files the server process
may, relative paths from the process's working directory. Running programs (`$os.cmd`, `$os.exec`) is the
exception: only with ``pagesvm serve --allow-exec``. Errors carry Go's texts (``open PATH: no such file or
directory``) and travel back as ``{"error": text}``; os_api.js throws them as GoErrors.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess

from .registry import Registry

FAMILY = Registry()  # this family's names; bindings.builtins includes it in a runtime's registry
OS_JS = FAMILY.js_file(os.path.join(os.path.dirname(os.path.abspath(__file__)), "os_api.js"))
# Go's os.FileMode bits for what stat's st_mode says about a file's kind
GO_KINDS = ((stat.S_ISDIR, 1 << 31), (stat.S_ISLNK, 1 << 27), (stat.S_ISFIFO, 1 << 25), (stat.S_ISSOCK, 1 << 24),
            (stat.S_ISBLK, 1 << 26), (stat.S_ISCHR, (1 << 26) | (1 << 21)))
GO_SPECIAL = ((stat.S_ISUID, 1 << 23), (stat.S_ISGID, 1 << 22), (stat.S_ISVTX, 1 << 20))


def go_error(op: str, path: str, e: OSError) -> dict:
    """``op path: reason`` as Go's *PathError prints it (libc's text, first letter lower-cased)."""
    reason = e.strerror or str(e)
    return {"error": f"{op} {path}: {reason[:1].lower()}{reason[1:]}"}


def go_mode(st_mode: int) -> int:
    mode = stat.S_IMODE(st_mode) & 0o777
    for test, bit in GO_KINDS:
        if test(st_mode):
            mode |= bit
    for flag, bit in GO_SPECIAL:
        if st_mode & flag:
            mode |= bit
    return mode


def _info(name: str, st: os.stat_result) -> dict:
    return {"name": name, "size": st.st_size, "mode": go_mode(st.st_mode), "mtime": st.st_mtime_ns // 1000,  # µs: JSON numbers hold 2**53
            "dir": stat.S_ISDIR(st.st_mode)}


def _stat(ctx, path: str):
    try:
        return {"ok": _info(os.path.basename(path.rstrip("/")) or "/", os.stat(path))}
    except OSError as e:
        return go_error("stat", path, e)


def _read_file(ctx, path: str):
    try:
        with open(path, "rb") as f:
            return {"ok": list(f.read())}
    except IsADirectoryError as e:
        return go_error("read", path, e)
    except OSError as e:
        return go_error("open", path, e)


def _read_dir(ctx, path: str):
    try:
        names = sorted(os.listdir(path))
    except OSError as e:
        return go_error("open", path, e)
    entries = []
    for name in names:
        try:
            entries.append(_info(name, os.lstat(os.path.join(path, name))))
        except OSError:  # removed meanwhile
            continue
    return {"ok": entries}


def _write_file(ctx, path: str, data, perm: int):
    raw = data.encode("utf-8") if isinstance(data, str) else bytes(int(b) & 0xFF for b in data or ())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, int(perm) & 0o7777)
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
    except OSError as e:
        return go_error("open", path, e)
    return {"ok": None}


def _change(op: str, fn, path: str, *args, label: str | None = None):
    try:
        fn(path, *args)
    except OSError as e:
        return go_error(op, label or path, e)
    return {"ok": None}


def _remove(path: str) -> None:
    """Go's os.Remove: unlink, else rmdir; the rmdir error unless the path is not a folder."""
    try:
        os.unlink(path)
    except IsADirectoryError:
        os.rmdir(path)
    except PermissionError:
        if not os.path.isdir(path):
            raise
        os.rmdir(path)


def _remove_all(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def _mkdir_all(path: str, perm: int) -> None:
    if os.path.isdir(path):
        return
    if os.path.lexists(path):
        raise NotADirectoryError(20, "Not a directory")
    os.makedirs(path, perm, exist_ok=True)


def _file_op(ctx, op: str, path: str, *args):
    if op == "mkdir":
        return _change("mkdir", os.mkdir, path, int(args[0]) & 0o7777)
    if op == "mkdirAll":
        return _change("mkdir", _mkdir_all, path, int(args[0]) & 0o7777)
    if op == "remove":
        return _change("remove", _remove, path)
    if op == "removeAll":
        return _change("unlinkat", _remove_all, path)
    if op == "rename":
        return _change("rename", os.rename, path, str(args[0]), label=f"{path} {args[0]}")
    if op == "truncate":
        return _change("truncate", os.truncate, path, int(args[0]))
    raise ValueError(f"unknown file operation {op}")


def _process(ctx, what: str):
    """Values about the process: the working folder, the temporary folder, an environment variable."""
    if what == "getwd":
        return os.getcwd()
    if what == "tempDir":
        return os.environ.get("TMPDIR") or "/tmp"
    return os.environ.get(what[len("env:"):], "") if what.startswith("env:") else None


def _run(ctx, name: str, args: list, options: dict):
    """Run a program (``--allow-exec`` only), within the request's time limit: the limit's interruption
    ends the wait, and subprocess.run kills the child on its way out."""
    if not ctx.options.get("allow_exec"):
        return {"refused": "pagesvm: $os.cmd/$os.exec run programs only when the server is started with --allow-exec"}
    resolved = shutil.which(name) if "/" not in name else name
    if not resolved:
        return {"error": f'exec: "{name}": executable file not found in $PATH'}
    env = options.get("env")
    try:
        done = subprocess.run([resolved, *map(str, args)], cwd=options.get("dir") or None, input=(options.get("stdin") or "").encode("utf-8"),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT if options.get("combined") else subprocess.PIPE,
                              env=dict(e.split("=", 1) for e in env if "=" in e) if env else None)
    except OSError as e:
        return go_error("fork/exec", resolved, e)
    reply = {"ok": list(done.stdout or b""), "stderr": (done.stderr or b"").decode("utf-8", "replace")}
    if done.returncode:
        reply["error"] = f"exit status {done.returncode}" if done.returncode > 0 else f"signal: {-done.returncode}"
    return reply


for _name, _fn in (("stat", _stat), ("readFile", _read_file), ("readDir", _read_dir), ("writeFile", _write_file),
                   ("file", _file_op), ("process", _process), ("run", _run)):
    FAMILY.add(f"pv_os.{_name}", _fn, hidden=True)
