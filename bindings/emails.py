"""When two typed email addresses are the same account, and which characters an address may not hold.

Two strings a person cannot tell apart must not become two accounts (one of them an attacker's):
``é`` typed precomposed (NFC) or as ``e`` + combining accent (NFD), ``ß`` or ``SS``, and an
address with a zero-width space or a right-to-left override in it. So addresses are compared by
``email_key`` (canonical caseless matching, with NFC as the one normal form), and an address that
holds a character nobody can see, or one that reorders the text around it, is refused outright.
"""
from __future__ import annotations

import unicodedata

# Format (Cf: zero-width, bidi controls, tags, soft hyphen), controls, separators, private-use,
# surrogate and unassigned code points: none of them is visible, or reliably so, in an address.
_REFUSED_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cs", "Cn", "Zs", "Zl", "Zp"})
# Invisible characters in other categories: the combining grapheme joiner, Hangul and braille
# fillers/blanks, Khmer inherent vowels, Mongolian and generic variation selectors.
_INVISIBLE = frozenset(
    [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x180B, 0x180C, 0x180D, 0x180F, 0x2800, 0x3164, 0xFFA0]
    + list(range(0xFE00, 0xFE10)) + list(range(0xE0100, 0xE01F0))
)


def hidden_character(email: str) -> str | None:
    """The first invisible or direction-changing character in ``email`` (as U+XXXX), or None."""
    for ch in email:
        if ord(ch) in _INVISIBLE or unicodedata.category(ch) in _REFUSED_CATEGORIES:
            return f"U+{ord(ch):04X}"
    return None


def email_key(email: str | None) -> str | None:
    """The form two addresses share exactly when they are the same to a reader.

    NFD before case folding so that folding sees decomposed letters, NFC after so the key has one
    normal form. Registered in SQLite as ``pagesvm_email_key`` for lookups; never stored.
    """
    if email is None:
        return None
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", email.strip()).casefold())
