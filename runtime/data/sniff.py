"""A file's type judged by its bytes, as PocketBase judges an upload (it never trusts the sent type).

The binary asks a content sniffer for a MIME type and its extension: `mimeTypes` refuse an upload whose
sniffed type is not listed (a PNG sent as text/plain is refused, text sent as image/png is accepted), the
sniffed extension completes a name that has none, and the sniffed type is what the file is later served
as. This is a small sniffer of our own for the types people upload; answers were checked one by one
against the binary (tests/api/test_files_oracle.py). Like the binary's, it reads at most the first 3 KiB.
Anything it does not know is `application/octet-stream` with no extension.
"""
from __future__ import annotations

import csv
import json
import re

LIMIT = 3072
OCTET = ("application/octet-stream", "")
_BINARY = bytes(list(range(0, 9)) + [0x0B] + list(range(0x0E, 0x1B)) + list(range(0x1C, 0x20)))  # never in text
# WHATWG's HTML sniffing: one of these tags (any case) after leading whitespace, then a space or `>`.
_HTML_TAGS = (b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div", b"<font", b"<table",
              b"<a", b"<style", b"<title", b"<b", b"<body", b"<br", b"<p", b"<!--")
_SHEBANG = re.compile(rb"^#!\s*\S*?(?:/env\s+)?/?(?:\S*/)?(python[0-9.]*|node|nodejs|perl|lua|tclsh|wish)\b")
_SCRIPTS = {b"python": ("text/x-python", ".py"), b"node": ("text/javascript", ".js"),
            b"nodejs": ("text/javascript", ".js"), b"perl": ("text/x-perl", ".pl"), b"lua": ("text/x-lua", ".lua"),
            b"tclsh": ("text/x-tcl", ".tcl"), b"wish": ("text/x-tcl", ".tcl")}
# Other names the sniffer's types go by: `mimeTypes` may list either.
ALIASES = {"application/xml": "text/xml", "image/vnd.microsoft.icon": "image/x-icon",
           "application/x-zip-compressed": "application/zip", "audio/x-wav": "audio/wav",
           "application/x-gzip": "application/gzip", "application/x-pdf": "application/pdf"}


def _ftyp(head: bytes):
    brand = head[8:12]
    if brand in (b"qt  ",):
        return "video/quicktime", ".mov"
    if brand in (b"M4A ", b"M4B "):
        return "audio/x-m4a", ".m4a"
    if brand.startswith(b"3gp"):
        return "video/3gpp", ".3gp"
    if brand in (b"avif", b"avis"):
        return "image/avif", ".avif"
    if brand in (b"heic", b"heix"):
        return "image/heic", ".heic"
    return "video/mp4", ".mp4"


# Types told by their first bytes alone.
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png", ".png"), (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
          (b"GIF87a", "image/gif", ".gif"), (b"GIF89a", "image/gif", ".gif"), (b"%PDF-", "application/pdf", ".pdf"),
          (b"\x1f\x8b", "application/gzip", ".gz"), (b"BZh", "application/x-bzip2", ".bz2"),
          (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed", ".7z"),
          (b"Rar!\x1a\x07", "application/x-rar-compressed", ".rar"), (b"\x00\x00\x01\x00", "image/x-icon", ".ico"),
          (b"\x00\x00\x02\x00", "image/x-icon", ".ico"), (b"II*\x00", "image/tiff", ".tiff"),
          (b"MM\x00*", "image/tiff", ".tiff"), (b"\x00asm", "application/wasm", ".wasm"),
          (b"wOFF", "font/woff", ".woff"), (b"wOF2", "font/woff2", ".woff2"))
_RIFF = {b"WEBP": ("image/webp", ".webp"), b"WAVE": ("audio/wav", ".wav"), b"AVI ": ("video/x-msvideo", ".avi")}
_BMP_HEADERS = (12, 40, 52, 56, 64, 108, 124)


def _binary_type(head: bytes):
    """A type told by its magic bytes, or None."""
    for magic, mime, ext in _MAGIC:
        if head.startswith(magic):
            return mime, ext
    if head.startswith(b"RIFF"):
        return _RIFF.get(head[8:12])
    if head.startswith(b"PK\x03\x04"):
        if head[30:58] == b"mimetypeapplication/epub+zip":
            return "application/epub+zip", ".epub"
        return "application/zip", ".zip"
    if head.startswith(b"BM") and len(head) >= 18 and int.from_bytes(head[14:18], "little") in _BMP_HEADERS:
        return "image/bmp", ".bmp"
    if head[4:8] == b"ftyp":
        return _ftyp(head)
    if head.startswith(b"OggS"):
        audio = b"OpusHead" in head[:64] or b"\x01vorbis" in head[:64]
        return ("audio/ogg", ".oga") if audio else ("application/ogg", ".ogg")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        if b"webm" in head[:64]:
            return "video/webm", ".webm"
        if b"matroska" in head[:64]:
            return "video/x-matroska", ".mkv"
    return None


def _charset(head: bytes, truncated: bool) -> str:
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if truncated and exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"  # a character cut by the read limit
    return "windows-1252" if any(0x80 <= b <= 0x9F for b in head) else "iso-8859-1"


def _is_html(text: bytes) -> bool:
    lowered = text[:64].lower()
    for tag in _HTML_TAGS:
        if lowered.startswith(tag) and len(lowered) > len(tag) and lowered[len(tag)] in b" >":
            return True
    return False


def _is_json(content: bytes, text: bytes) -> bool:
    if not text[:1] in (b"{", b"["):
        return False
    try:
        json.loads(content)
        return True
    except (ValueError, RecursionError):
        return False


def _separated(text: bytes, truncated: bool, delimiter: str) -> bool:
    """Rows of the same number (more than one) of `delimiter`-separated values, at least two of them."""
    lines = text.decode("utf-8", "replace").splitlines()
    if truncated and lines:
        lines = lines[:-1]  # the last line may be cut
    lines = [line for line in lines if line][:10]
    if len(lines) < 2:
        return False
    try:
        widths = {len(row) for row in csv.reader(lines, delimiter=delimiter)}
    except csv.Error:
        return False
    return len(widths) == 1 and widths.pop() > 1


def _text_type(content: bytes, head: bytes, truncated: bool):
    text = head.lstrip(b" \t\r\n\x0c")
    charset = _charset(head, truncated)
    if _is_html(text):
        return f"text/html; charset={charset}", ".html"
    lowered = text[:512].lower()
    if b"<svg" in lowered and lowered.startswith((b"<svg", b"<?xml", b"<!--", b"<!doctype svg")):
        return "image/svg+xml", ".svg"
    if text.startswith(b"<?xml"):
        if b"<rss" in lowered:
            return "application/rss+xml", ".rss"
        if b"<feed" in lowered:
            return "application/atom+xml", ".atom"
        return "text/xml; charset=utf-8", ".xml"
    if b"<?php" in lowered or text.startswith(b"<?="):
        return "text/x-php", ".php"
    script = _SHEBANG.match(text)
    if script:
        return _SCRIPTS[re.sub(rb"[0-9.]+$", b"", script.group(1))]
    if _is_json(content, text):
        return "application/json", ".json"
    if text.startswith(b"{\\rtf"):
        return "text/rtf", ".rtf"
    if text.upper().startswith(b"BEGIN:VCARD"):
        return "text/vcard", ".vcf"
    if text.upper().startswith(b"BEGIN:VCALENDAR"):
        return "text/calendar", ".ics"
    if _separated(head, truncated, ","):
        return "text/csv", ".csv"
    if _separated(head, truncated, "\t"):
        return "text/tab-separated-values", ".tsv"
    return f"text/plain; charset={charset}", ".txt"


def detect(content: bytes) -> tuple[str, str]:
    """(MIME type as served, with its charset for text; extension with its dot, or "")."""
    if not content:
        return "text/plain", ".txt"
    head = content[:LIMIT]
    found = _binary_type(head)
    if found is not None:
        return found
    for bom, charset in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16le"), (b"\xfe\xff", "utf-16be")):
        if head.startswith(bom):
            return f"text/plain; charset={charset}", ".txt"
    if len(head.translate(None, _BINARY)) != len(head):
        return OCTET
    return _text_type(content, head, len(content) > LIMIT)


def base_type(mime: str) -> str:
    base = mime.split(";", 1)[0].strip().lower()
    return ALIASES.get(base, base)


def type_is(detected: str, wanted: str) -> bool:
    """Whether a sniffed type is the one a field's `mimeTypes` lists (parameters ignored, aliases equal)."""
    return base_type(detected) == base_type(wanted)
