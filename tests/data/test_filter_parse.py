"""The filter scanner and parser (runtime.data.query.lexer/parser): tokens, placeholders, comments, groups and
the binary's error texts (the same texts are checked against the real binary in test_filter_oracle.py)."""
import pytest

from runtime.data.query.lexer import FilterError, Token, scan
from runtime.data.query.parser import Expr, Group, parse


def test_tokens_of_every_kind():
    assert scan("a.b:each ?!= 'x\\'y' && -1.5 <= \"q\" || @now // rest") == [
        Token("identifier", "a.b:each"), Token("sign", "?!="), Token("text", "x'y"), Token("join", "&&"),
        Token("number", -1.5), Token("sign", "<="), Token("text", "q"), Token("join", "||"),
        Token("identifier", "@now")]


def test_backslash_and_quotes_are_unescaped_other_escapes_stay():
    """Observed on the binary (corpus case literals:backslash): `\\\\` is one backslash, `\\n` stays two characters,
    and a quote after an escaped backslash ends the text."""
    assert scan("'a\\\\b\\n'") == [Token("text", "a\\b\\n")]
    assert scan("'x\\\\' || 'y'")[0] == Token("text", "x\\")
    assert scan("'say \\\"hi\\\"'") == [Token("text", 'say "hi"')]


def test_placeholder_names_are_any_params_key():
    """The binary replaces `{:key}` textually: `{:a-b}` is a placeholder when params has the key "a-b"."""
    assert scan("{:a-b} {:a}b}", {"a-b": 1, "a}b": "x"}) == [Token("number", 1.0), Token("text", "x")]
    with pytest.raises(FilterError, match="unexpected character '{'"):
        scan("{:a-b}", {"a": 1})


@pytest.mark.parametrize("value, token", [
    ("it's \"x\" \\", Token("text", "it's \"x\" \\")), (3, Token("number", 3.0)), (2.5, Token("number", 2.5)),
    (True, Token("identifier", "true")), (None, Token("identifier", "null")), ([1, "a"], Token("text", '[1,"a"]')),
])
def test_placeholders_become_value_tokens(value, token):
    assert scan("{:p}", {"p": value}) == [token]


def test_a_placeholder_never_leaves_its_token():
    tree = parse("title = {:p}", {"p": "' || 1=1 //"})
    assert tree.items == [("&&", Expr(Token("identifier", "title"), "=", Token("text", "' || 1=1 //")))]


def test_groups_nest_and_comments_end_at_newline_or_group():
    tree = parse("(a = 1 // c\n || (b = 2 // d)) && c = 3")
    inner = tree.items[0][1]
    assert isinstance(inner, Group) and inner.items[1][0] == "||" and isinstance(inner.items[1][1], Group)
    assert tree.items[1] == ("&&", Expr(Token("identifier", "c"), "=", Token("number", 3.0)))


@pytest.mark.parametrize("text, message", [
    ("a = {:x}", "unexpected character '{'"),
    ("", "empty filter expression"),
    ("// only", "empty filter expression"),
    ("()", "empty filter expression"),
    ("a =", "invalid or incomplete filter expression"),
    ("a == 1", 'invalid sign operator "=="'),
    ("a = 1 & b = 2", 'invalid join operator "&"'),
    ("a = 'x", "invalid quoted text \"'x\""),
    ("(a = 1", "invalid formatted group - missing 1 closing bracket(s)"),
    ("a. = 1", 'invalid identifier "a."'),
    ("a = 1 b", 'expected && or ||, got "b" (identifier)'),
    ("= 1", 'expected left operand (identifier, function, text or number), got "=" (sign)'),
    ("a 1", 'expected a sign operator, got "1" (number)'),
    ("a = &&", 'expected right operand (identifier, function text or number), got "&&" (join)'),
    ("a = -", 'invalid number "-"'),
    ("a / b", "invalid comment"),
])
def test_errors_are_the_binarys(text, message):
    with pytest.raises(FilterError) as caught:
        parse(text)
    assert str(caught.value) == message
