"""dukpy's two garbage collections around a batch of pages skipped; QuickJS's own kept.

dukpy runs QuickJS's cycle collector (``JS_RunGC``) as each evaluation starts and again as it ends. Each run walks
every live object, shape and compiled function, and pagesvm's frozen runtime holds a few thousand: the pair costs
~185 µs per evaluation on a quiet machine, twice that when the machine's caches are contended, whatever the
evaluation does. Yet QuickJS frees an unreachable object at once by reference counting; a collection only finds
cycles, and QuickJS runs one by itself whenever its heap has grown by half since the last (on allocation).
Around a batch of pages no page code runs, so dukpy's two collections find only what the next growth-triggered
collection would find anyway.

How: dukpy's extension calls ``JS_RunGC`` through its GOT slot, as does QuickJS's own trigger (one library).
``Collections`` points the slot at ``JS_GetRuntimeOpaque``, a function of the same library that takes the same
argument and only reads it, and back: off as ``Engine.render_batch`` begins a batch's evaluation, on as the
batch's JavaScript starts (core.js ``R.collect``, one call into Python) before any page code runs, off once the
last page is done (``around``), on when the evaluation ends. A collection QuickJS asked for while the slot was
off (its threshold moved) is run when the slot is put back.
No Python runs inside QuickJS for this, so nothing here can lose an exception dukpy is carrying or a time
limit's tick. A nested evaluation inside a batch (a page's promise jobs, hooks run from a binding) is handled
the same way (``nested``): off as it begins, on as its JavaScript starts, off once its answer is made.

Only with dukpy 0.6, on Linux x86_64 and aarch64, in the main thread, when the slot is found and checked
(got_slot.py); ``PAGESVM_JS_GC=dukpy`` keeps dukpy's collections everywhere. ``settle`` (once the runtime is
loaded) runs one collection and sets the threshold from what is live then, and again after a batch in which
QuickJS collected (its own threshold then came from what the pages held); dukpy sets 8 MiB as every evaluation
ends, which ``end`` undoes (a heap of ~1 MiB would hold up to 7 MiB of cycles).
"""
from __future__ import annotations

import ctypes
import gc
import os
import sys
import threading

from . import got_slot

__all__ = ["Collections", "install"]

_VOIDP = ctypes.c_void_p
_slot: got_slot.Slot | None = None
_off = 0  # the address the slot holds while dukpy's collections are skipped
_lib = None
counts = {"skipped windows": 0, "collected after": 0}  # for the tests
HEADROOM = 8 << 20  # the most the heap may grow past what is live before QuickJS collects
CHECKED = "0.6."  # the dukpy series whose extension this was checked against (quickjs.py's list)


_capsule_pointer = ctypes.pythonapi.PyCapsule_GetPointer
_capsule_pointer.argtypes, _capsule_pointer.restype = [ctypes.py_object, ctypes.c_char_p], _VOIDP
_capsule_name = ctypes.pythonapi.PyCapsule_GetName
_capsule_name.argtypes, _capsule_name.restype = [ctypes.py_object], ctypes.c_char_p


def install(extension, capsule) -> bool:
    """Find and check dukpy's ``JS_RunGC`` slot (once per process; ``capsule``'s context must have evaluated
    once, so the dynamic linker has filled it in); False where the collections cannot be skipped safely."""
    global _slot, _off, _lib
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
        for name, args, result in (("JS_RunGC", [_VOIDP], None),
                                   ("JS_GetGCThreshold", [_VOIDP], ctypes.c_size_t),
                                   ("JS_SetGCThreshold", [_VOIDP, ctypes.c_size_t], None),
                                   ("JS_GetRuntime", [_VOIDP], _VOIDP),
                                   ("JS_IsJobPending", [_VOIDP], ctypes.c_bool),
                                   ("JS_ComputeMemoryUsage", [_VOIDP, _VOIDP], None)):
            function = getattr(lib, name)
            function.argtypes, function.restype = args, result
    except (OSError, AttributeError):
        return False
    if slot is None or not off:
        return False
    _lib = lib
    if _runtime(capsule) is None:  # dukpy's context is not laid out as checked
        return False
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
    context's runtime cannot be read: the first field of dukpy's DukPyContext, checked with JS_GetRuntime.

    A batch: ``begin`` (slot off), ``resume`` (core.js R.collect: on), ``around``'s last page (off), ``end`` (on)."""

    def __init__(self, capsule):
        self.rt = _runtime(capsule) if _slot is not None else None
        self.threshold = 0  # the heap size at which QuickJS collects next, as pagesvm sets it between batches
        self._off_since = None  # QuickJS's threshold when the slot was turned off; None while it is on
        self._python_gc = False  # Python's collector was on when the slot was turned off
        self._batch = False  # begun, not yet ended
        self._resettle = False  # end measures what is live again

    @property
    def active(self) -> bool:
        return self.rt is not None

    def jobs_pending(self) -> bool:
        """Whether QuickJS holds promise jobs for this interpreter (True where that cannot be asked)."""
        return self.rt is None or _lib.JS_IsJobPending(self.rt)

    def settle(self) -> None:
        """A collection now, and QuickJS's next when the heap has grown by half of what is live after it (the
        rule QuickJS applies after each of its own), by 8 MiB at most (dukpy's cap is 128 MiB)."""
        if self.rt is None:
            return
        _lib.JS_RunGC(self.rt)
        usage = (ctypes.c_int64 * 64)()
        _lib.JS_ComputeMemoryUsage(self.rt, usage)
        live = usage[0]  # JSMemoryUsage.malloc_size, its first field
        self.threshold = live + min(live // 2, HEADROOM)
        _lib.JS_SetGCThreshold(self.rt, self.threshold)

    def begin(self) -> None:
        """A batch's evaluation starts: dukpy's collection as it does is skipped (the main thread only: one slot
        serves every thread)."""
        if self.rt is None or self._batch or threading.get_ident() != threading.main_thread().ident:
            return
        self._batch, self._resettle = True, True  # until the last page is done
        _lib.JS_SetGCThreshold(self.rt, self.threshold)  # an evaluation outside a batch left dukpy's 8 MiB
        self._off()

    def resume(self) -> None:
        """The batch's JavaScript starts (core.js R.collect), before any page code: QuickJS collects again, and
        now if it asked to while the slot was off (its threshold moved)."""
        since = self._on()
        if since is not None and _lib.JS_GetGCThreshold(self.rt) != since:
            counts["collected after"] += 1
            self.settle()

    def nested(self) -> int | None:
        """A nested evaluation is about to start while a batch's page code runs (a page's promise jobs, hooks run
        from a binding): dukpy's collection as it starts is skipped. Its JavaScript resumes collections before
        anything runs (core.js nestedEntry, ``pv.gc``) and pauses them once its answer is made (``pause``), so
        dukpy's collection as it ends is skipped too. When so, QuickJS's threshold now, for ``nested_done``; else
        None."""
        if self.rt is None or not self._batch or self._off_since is not None:
            return None
        threshold = _lib.JS_GetGCThreshold(self.rt)
        self._off()
        return threshold

    def pause(self) -> None:
        """``pv.gcoff``: a nested evaluation's answer is made. Unless making it queued promise jobs (a page object's
        toJSON settling a promise), which dukpy runs before the evaluation ends: they are page code, so collections
        stay on for them, and dukpy's collection at the end runs too."""
        if self._batch and not self.jobs_pending():
            self._off()

    def nested_done(self, began: int) -> None:
        """The nested evaluation ``nested`` answered ``began`` for is over, however it ended: the slot is JS_RunGC's
        again, and QuickJS's threshold is what it was as its JavaScript ended (or as it began, if it never got
        that far), not dukpy's 8 MiB."""
        since = self._on()
        _lib.JS_SetGCThreshold(self.rt, since if since is not None else began)

    def around(self, done, pages: int):
        """``done`` for a batch of ``pages``: once the last page is done no page code runs (render.js drains a
        request's late promise jobs before its result), and dukpy's collection as the evaluation ends is skipped."""
        if self.rt is None:
            return done
        last = pages - 1

        def finished(index: int, result: dict) -> None:
            done(index, result)
            if index == last and self._batch:
                # QuickJS collected during the batch (its threshold moved): what was live then was the pages'
                self._resettle = _lib.JS_GetGCThreshold(self.rt) != self.threshold
                self._off()
        return finished

    def end(self) -> None:
        """The evaluation is over: JS_RunGC collects again, and QuickJS's threshold is pagesvm's again (dukpy
        sets 8 MiB as every evaluation ends), measured afresh if QuickJS collected during the batch, or the
        batch ended before its last page."""
        if not self._batch:
            return
        self._on()
        self._batch = False
        if self._resettle:
            self.settle()
        else:
            _lib.JS_SetGCThreshold(self.rt, self.threshold)

    def _off(self) -> None:
        if self._off_since is not None:
            return
        self._off_since = _lib.JS_GetGCThreshold(self.rt)
        # Python's collector could free another interpreter meanwhile (JS_FreeRuntime collects through the slot)
        self._python_gc = gc.isenabled()
        gc.disable()
        _slot.write(_off)
        counts["skipped windows"] += 1

    def _on(self):
        """The slot back to JS_RunGC (first: nothing may leave it off); QuickJS's threshold when it was turned off."""
        since = self._off_since
        if since is None:
            return None
        _slot.write(_slot.target)
        self._off_since = None
        if self._python_gc:
            gc.enable()
        return since


def _runtime(capsule) -> int | None:
    fields = ctypes.cast(_capsule_pointer(capsule, _capsule_name(capsule)), ctypes.POINTER(_VOIDP))
    return fields[0] if fields[0] and fields[1] and _lib.JS_GetRuntime(fields[1]) == fields[0] else None
