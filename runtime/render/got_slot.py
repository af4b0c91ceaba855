"""Where a loaded shared library's calls to one of its own functions go (Linux, ELF64, x86_64 and aarch64).

A shared library built position-independent calls even its own exported functions through the procedure
linkage table, which jumps through one pointer per function: that function's slot in the global offset table,
filled in by the dynamic linker. Pointing the slot elsewhere redirects every such call. ``gc_gate.py`` does that
for dukpy's ``JS_RunGC``; this module finds the slot from the library's relocation entries and checks it before
anything is written: the slot holds the function's address (the dynamic linker has resolved it), and the page
it lies on is writable (outside the part the linker made read-only). Anything unexpected gives ``None`` and the
library is left as it is.
"""
from __future__ import annotations

import ctypes
import struct

__all__ = ["Slot", "find"]

# e_machine -> (JUMP_SLOT, GLOB_DAT) relocation types: a call through the PLT, or a direct load of the GOT entry
_MACHINES = {62: (7, 6), 183: (1026, 1025)}
_SHT_RELA, _SHT_DYNSYM = 4, 11


class Slot:
    """One GOT slot of a loaded library: ``address`` in this process, ``target`` the function it held when found."""

    def __init__(self, address: int, target: int):
        self.address = address
        self.target = target
        self._cell = ctypes.c_void_p.from_address(address)

    def read(self) -> int:
        return self._cell.value or 0

    def write(self, value: int) -> None:
        self._cell.value = value


def _sections(f) -> tuple[int, list[tuple]]:
    head = f.read(64)
    if head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:  # ELF64, little-endian
        raise ValueError("not a little-endian ELF64 file")
    machine, = struct.unpack_from("<H", head, 18)
    shoff, = struct.unpack_from("<Q", head, 40)
    shentsize, shnum = struct.unpack_from("<HH", head, 58)
    if machine not in _MACHINES or shentsize != 64 or not shoff or not shnum:
        raise ValueError(f"unsupported ELF machine {machine} or no section headers")
    f.seek(shoff)
    table = f.read(64 * shnum)
    # (type, offset, size, link, entsize) of each section header
    return machine, [struct.unpack_from("<4xI16xQQI12xQ", table, 64 * i) for i in range(shnum)]


def _read(f, offset: int, size: int) -> bytes:
    f.seek(offset)
    return f.read(size)


def _lookup(path: str, symbol: str, others: tuple[str, ...]):
    """(the GOT slot's offset from the load address, {name: symbol value} for ``symbol`` and ``others``)."""
    wanted = (symbol, *others)
    with open(path, "rb") as f:
        machine, sections = _sections(f)
        dynsym = next((i for i, s in enumerate(sections) if s[0] == _SHT_DYNSYM), None)
        if dynsym is None:
            raise ValueError("no dynamic symbol table")
        _, sym_off, sym_size, str_link, _ = sections[dynsym]
        symbols = _read(f, sym_off, sym_size)
        names = _read(f, sections[str_link][1], sections[str_link][2])
        encoded = {name.encode(): name for name in wanted}
        index, values = None, {}
        for i in range(len(symbols) // 24):
            name_at, = struct.unpack_from("<I", symbols, 24 * i)
            name = names[name_at:names.find(b"\0", name_at)]
            if name in encoded:
                values[encoded[name]] = struct.unpack_from("<Q", symbols, 24 * i + 8)[0]
                if name == wanted[0].encode():
                    index = i
        if index is None or len(values) != len(wanted):
            raise ValueError(f"{symbol} or another wanted symbol is not exported")
        kinds = _MACHINES[machine]
        found = []
        for kind, offset, size, link, _ in sections:
            if kind != _SHT_RELA or link != dynsym:
                continue
            entries = _read(f, offset, size)
            for at in range(0, len(entries) - 23, 24):
                r_offset, r_info = struct.unpack_from("<QQ", entries, at)
                if r_info >> 32 == index and (r_info & 0xFFFFFFFF) in kinds:
                    found.append(r_offset)
        if len(found) != 1:
            raise ValueError(f"{len(found)} relocations for {symbol}, expected one")
        return found[0], values


def _writable(address: int) -> bool:
    with open("/proc/self/maps") as maps:
        for line in maps:
            span, perms = line.split(None, 2)[:2]
            low, high = (int(part, 16) for part in span.split("-"))
            if low <= address < high:
                return perms[:2] == "rw"
    return False


def find(lib: ctypes.CDLL, path: str, symbol: str, check: str) -> Slot | None:
    """The GOT slot through which the library loaded as ``lib`` (from the file ``path``) calls ``symbol``, or None.

    ``check``, another exported function, confirms the load address the two symbols imply."""
    try:
        offset, values = _lookup(path, symbol, (check,))
        real = ctypes.cast(getattr(lib, symbol), ctypes.c_void_p).value
        base = real - values[symbol]
        if ctypes.cast(getattr(lib, check), ctypes.c_void_p).value - values[check] != base:
            return None
        address = base + offset
        if not _writable(address):
            return None
        slot = Slot(address, real)
        return slot if slot.read() == real else None
    except (OSError, ValueError, AttributeError, struct.error):
        return None
