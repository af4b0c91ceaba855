"""dukpy's two garbage collections around a batch of pages skipped; QuickJS's own kept.

dukpy runs QuickJS's cycle collector (``JS_RunGC``) as each evaluation starts and again as it ends. Each run walks
every live object, shape and compiled function, and pagesvm's frozen runtime holds a few thousand: the pair costs
~185 µs per evaluation on a quiet machine, twice that when the machine's caches are contended, whatever the
evaluation does. Yet QuickJS frees an unreachable object at once by reference counting; a collection only finds
cycles, and QuickJS runs one by itself whenever its heap has grown by half since the last (on allocation).
Around a batch of pages no page code runs, so dukpy's two collections find only what the next growth-triggered
collection would find anyway.

How: dukpy's extension calls ``JS_RunGC`` through its GOT slot, as does QuickJS's own trigger (one library).
``Collections.skip`` points the slot at ``JS_GetRuntimeOpaque``, a function of the same library that takes the
same argument and only reads it; ``keep`` points it back. ``Engine.render_batch`` skips before a batch's
evaluation; the batch's JavaScript keeps as it starts (core.js ``R.collect``, one call into Python), before any
page code runs; ``around`` skips again once the last page is done, and the engine keeps after the evaluation.
A collection QuickJS asked for while the slot was off (its threshold moved) is run when the slot is put back.
No Python runs inside QuickJS for this, so nothing here can lose an exception dukpy is carrying or a time
limit's tick. Nested evaluations (a page's promise jobs, hooks run from a binding) keep dukpy's collections.

Only with dukpy 0.6, on Linux x86_64 and aarch64, in the main thread, when the slot is found and checked
(got_slot.py); ``PAGESVM_JS_GC=dukpy`` keeps dukpy's collections everywhere. ``settle`` (once the runtime is
loaded) runs one collection and sets the first threshold from what is live then; dukpy sets 8 MiB as every
evaluation ends, which ``keep`` undoes after a batch (a heap of ~1 MiB would hold up to 7 MiB of cycles).
"""
from __future__ import annotations

import ctypes
import os
import sys
import threading

from . import got_slot

__all__ = ["Collections", "install"]

_VOIDP = ctypes.c_void_p
_slot: got_slot.Slot | None = None
_off = 0  # the address the slot holds while dukpy's collections are skipped
_lib = None
_reset = 0
counts = {"skipped windows": 0, "collected after": 0}  # for the tests
CHECKED = "0.6."  # the dukpy series whose extension this was checked against (quickjs.py's list)


_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.argtypes, _capsule_pointer.restype = [ctypes.py_object, ctypes.c_char_p], _VOIDP
_capsule_name = ctypes.pythonapi.PyCapsule_GetName
_capsule_name.argtypes, _capsule_name.restype = [ctypes.py_object], ctypes.c_char_p


def install(extension, capsule) -> bool:
    """Find and check dukpy's ``JS_RunGC`` slot (once per process; ``capsule``'s context must have evaluated
    once, so the dynamic linker has filled it in); False where the collections cannot be skipped safely."""
    global _slot, _off, _lib, _reset
    if _slot is not None:
        return True
    if (os.environ.get("PAGESVM_JS_GC", "threshold") == "dukpy" or not sys.platform.startswith("linux")
            or not _checked_dukpy(extension)):
        return False
    path = extension.__file__
    try:
        lib = ctypes.PyDLL(path)  # the extension already loaded: the same handle; calls keep the GIL
        slot = got_slot.find(lib, path, "JS_RunGC", "JS_NewRuntime")
        off = ctypes.cast(lib.JS_GetRuntimeOpaque, _VOIDP).value
        for name, args, result in (("JS_GetGCThreshold", [_VOIDP], ctypes.c_size_t),
                                   ("JS_SetGCThreshold", [_VOIDP, ctypes.c_size_t], None),
                                   ("JS_GetRuntime", [_VOIDP], _VOIDP),
                                   ("JS_ComputeMemoryUsage", [_VOIDP, _VOIDP], None)):
            function = getattr(lib, name)
            function.argtypes, function.restype = args, result
        lib.JS_RunGC.argtypes, lib.JS_RunGC.restype = [_VOIDP], None
    except (OSError, AttributeError):
        return False
    if slot is None or not off:
        return False
    _lib = lib
    rt = _runtime(capsule)
    if rt is None:
        return False
    _reset = lib.JS_GetGCThreshold(rt)  # what dukpy sets as an evaluation ends
    _slot, _off = slot, off
    return True


def _checked_dukpy(extension) -> bool:
    """dukpy's installed version is one this was checked against (its dist-info beside the package; not
    importlib.metadata, which would load ~1 MiB of modules into every worker)."""
    site = os.path.dirname(os.path.dirname(extension.__file__))
    try:
        return any(name.startswith("dukpy-" + CHECKED) and name.endswith(".dist-info") for name in os.listdir(site))
    except OSError:
        return False


class Collections:
    """One interpreter's collections. Inactive (every method does nothing) where ``install`` said no or the
    context's runtime cannot be read: the first field of dukpy's DukPyContext, checked with JS_GetRuntime."""

    def __init__(self, capsule):
        self.rt = _runtime(capsule) if _slot is not None else None
        self.threshold = 0  # the heap size at which QuickJS collects next, as pagesvm keeps it between evaluations
        self._at_skip = None  # QuickJS's threshold when the slot was turned off; None while it is on

    @property
    def active(self) -> bool:
        return self.rt is not None

    def settle(self) -> None:
        """The runtime is loaded: one collection now, and QuickJS's next when the heap has grown by half of
        what is live after it (the rule QuickJS applies after each of its own)."""
        if self.rt is None:
            return
        _lib.JS_RunGC(self.rt)
        usage = (ctypes.c_int64 * 64)()
        _lib.JS_ComputeMemoryUsage(self.rt, usage)
        live = usage[0]  # JSMemoryUsage.malloc_size, its first field
        self.threshold = live + live // 2
        _lib.JS_SetGCThreshold(self.rt, self.threshold)

    def skip(self) -> None:
        """From here, calls of JS_RunGC do nothing (the main thread only: one slot serves every thread)."""
        if self.rt is None or self._at_skip is not None or threading.get_ident() != threading.main_thread().ident:
            return
        now = _lib.JS_GetGCThreshold(self.rt)
        if now != _reset:  # QuickJS's own, after its last collection (a nested evaluation resets it to dukpy's)
            self.threshold = now
        self._at_skip = now
        _slot.write(_off)
        counts["skipped windows"] += 1

    def around(self, done, pages: int):
        """``done`` for a batch of ``pages``: once the last page is done no page code runs, and dukpy's collection
        as the evaluation ends is skipped."""
        if self.rt is None:
            return done
        last = pages - 1

        def finished(index: int, result: dict) -> None:
            done(index, result)
            if index == last:
                self.skip()
        return finished

    def keep(self, ended: bool = False) -> None:
        """JS_RunGC collects again. In the evaluation (core.js R.collect): if QuickJS asked for a collection
        while the slot was off (its threshold moved), now. After it (``ended``): QuickJS's threshold back from
        the one dukpy sets as every evaluation ends (8 MiB), which a heap of ~1 MiB would never reach."""
        at_skip = self._at_skip
        if self.rt is None:
            return
        if at_skip is not None:
            self._at_skip = None
            _slot.write(_slot.target)
            if not ended and _lib.JS_GetGCThreshold(self.rt) != at_skip:
                counts["collected after"] += 1
                _lib.JS_RunGC(self.rt)
                _lib.JS_SetGCThreshold(self.rt, self.threshold)
        if ended and self.threshold:
            _lib.JS_SetGCThreshold(self.rt, self.threshold)


def _runtime(capsule) -> int | None:
    fields = ctypes.cast(_capsule_pointer(capsule, _capsule_name(capsule)), ctypes.POINTER(_VOIDP))
    return fields[0] if fields[0] and fields[1] and _lib.JS_GetRuntime(fields[1]) == fields[0] else None
