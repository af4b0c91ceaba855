"""`unique_strings` answers a plain id (text starting with a letter or digit) without the JSON-array path: the
answer must be the one the full path gives, for every kind of such text."""
from runtime.data import fields as F

TEXTS = ["a", "abc", "a ", "a\n", "1", "0x1", "é", "日本語", "a,b", "a]", "a[", "x" * 500, "١٢", "ab\u00a0",
         "a [\"b\"]", "Ab cd", "z\t", "9 9"]


def test_plain_ids_answer_as_the_full_path_does():
    for text in TEXTS:
        assert text[:1].isalnum()
        assert F.unique_strings(text) == list(dict.fromkeys(F._string_items(text))) == [text], text


def test_other_texts_still_take_the_full_path():
    assert F.unique_strings(' ["a","b","a"] ') == ["a", "b"]
    assert F.unique_strings("  ") == []
    assert F.unique_strings("") == []
    assert F.unique_strings('["a"') == ["a", '["a"']
    assert F.unique_strings(" x") == [" x"]
    assert F.unique_strings(F.DateTime("2024-01-02 00:00:00.000Z")) == []
