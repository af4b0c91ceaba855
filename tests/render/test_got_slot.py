"""got_slot finds the GOT slot through which a loaded library calls one of its functions, and answers None
rather than guess: a file that is not ELF, a symbol the library never calls through a slot, a load address the
two symbols disagree on, a slot not holding the function."""
from __future__ import annotations

import ctypes
import sys

import pytest

from runtime.render import got_slot, quickjs

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ELF and /proc/self/maps: Linux only")

PATH = quickjs._dukpy.__file__
LIB = ctypes.PyDLL(PATH)


def _address(name: str) -> int:
    return ctypes.cast(getattr(LIB, name), ctypes.c_void_p).value


def test_the_slot_of_js_rungc_holds_its_address_and_is_writable():
    quickjs.PagesInterpreter()  # an evaluation has run: the dynamic linker filled the slot in
    slot = got_slot.find(LIB, PATH, "JS_RunGC", "JS_NewRuntime")
    assert slot is not None
    assert slot.target == _address("JS_RunGC") and slot.read() in (slot.target, _address("JS_GetRuntimeOpaque"))
    assert got_slot._writable(slot.address) and not got_slot._writable(_address("JS_RunGC"))  # data, not code


def test_no_guessing(tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not a library")
    assert got_slot.find(LIB, str(text), "JS_RunGC", "JS_NewRuntime") is None
    assert got_slot.find(LIB, PATH, "JS_GetRuntimeOpaque", "JS_NewRuntime") is None  # never called through a slot
    assert got_slot.find(LIB, PATH, "JS_RunGC", "no_such_function") is None
    assert got_slot.find(ctypes.CDLL(None), PATH, "JS_RunGC", "JS_NewRuntime") is None  # a handle that does not hold them


def test_a_slot_not_holding_the_function_is_refused(monkeypatch):
    quickjs.PagesInterpreter()
    monkeypatch.setattr(got_slot.Slot, "read", lambda self: 0)  # as before lazy binding resolved it
    assert got_slot.find(LIB, PATH, "JS_RunGC", "JS_NewRuntime") is None
