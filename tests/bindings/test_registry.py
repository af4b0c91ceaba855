"""The registry itself: how registrations are checked and how JS arguments map onto Python ones."""
import pytest

from bindings.registry import BindingError, DuplicateBinding, Registry


def test_second_registration_is_refused_naming_both_modules_unless_override():
    reg = Registry()
    reg.add("greet", lambda ctx, name: name)
    with pytest.raises(DuplicateBinding, match=r"'greet' is registered twice: by \S*test_registry and by \S*test_registry"):
        reg.add("greet", lambda ctx, name: name)
    replaced = reg.add("greet", lambda ctx, name: name.upper(), override=True)
    assert reg.bindings["greet"] is replaced and replaced.call(None, ["ann"]) == "ANN"


def test_namespace_and_function_of_the_same_name_clash():
    reg = Registry()
    reg.add("shop.price", lambda ctx, q: q)
    with pytest.raises(DuplicateBinding, match="'shop'"):
        reg.add("shop", lambda ctx: 1)


@pytest.mark.parametrize("name", ["", "1x", "a..b", "a-b", "shop.", None])
def test_names_must_be_javascript_identifiers(name):
    with pytest.raises(ValueError):
        Registry().add(name, lambda ctx: 1)


def test_trailing_plain_object_feeds_keyword_only_parameters_only():
    reg = Registry()

    def price(ctx, qty, *, currency="EUR"):
        return [qty, currency]

    def echo(ctx, value):
        return value

    b = reg.add("price", price)
    assert b.call(None, [3, {"currency": "USD"}]) == [3, "USD"]
    assert b.call(None, [3]) == [3, "EUR"]
    assert reg.add("echo", echo).call(None, [{"currency": "x"}]) == {"currency": "x"}  # no keyword-only: positional


def test_python_override_of_a_javascript_binding_is_marked_for_late_install():
    reg = Registry()
    reg.add("redirect", type("redirect", (), {"__doc__": "js"}), js=True)
    b = reg.add("redirect", lambda ctx, path: path, override=True)
    assert b.replaces_js and not b.js
    assert [x.name for x in reg.python_bindings()] == ["redirect"]


def test_defer_and_cache_exclude_each_other_and_ctx_is_required():
    with pytest.raises(ValueError, match="exclude"):
        Registry().add("x", lambda ctx: 1, defer=True, cache=True)
    with pytest.raises(ValueError, match="ctx"):
        Registry().add("y", lambda: 1)


def test_binding_error_carries_message_and_status():
    e = BindingError("out of stock", status=409)
    assert (e.message, e.status, str(e)) == ("out of stock", 409, "out of stock")
    assert BindingError("bad").status == 400
