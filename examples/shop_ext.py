"""An example pagesvm extension: a tiny shop whose pages call Python.

Serve it:   pagesvm serve examples/site --ext examples/shop_ext.py
Mount it:   python examples/mount_app.py      (the same site under /shop in a Tornado app)
List it:    pagesvm bindings --ext examples/shop_ext.py
"""
from bindings import BindingError, binding, on_request

PRODUCTS = {"tea": 2.5, "cake": 4.0}
STOCK = 10


@binding("greet")
def greet(ctx, name):
    """Say hello: a page calls greet("Ann")."""
    return f"Hello {name}"


@binding("shop.price")
def price(ctx, qty, *, currency="EUR"):
    """Price of QTY cups of tea; shop.price(3, {currency: "USD"}) passes the keyword."""
    if qty > STOCK:
        raise BindingError("out of stock", status=409)
    return {"qty": qty, "total": qty * PRODUCTS["tea"], "currency": currency}


@binding("shop.products", cache=True)
def products(ctx):
    """The product list; pure, so repeated calls in one request are answered from a memo."""
    return [{"name": name, "price": value} for name, value in sorted(PRODUCTS.items())]


@binding("shop.addToCart")
def add_to_cart(ctx, item):
    """Put ITEM in the cart cookie (its path follows the mount prefix) and return the cart."""
    if item not in PRODUCTS:
        raise BindingError(f"no such product: {item}", status=404)
    cart = [i for i in ctx.request.cookies.get("cart", "").split(",") if i] + [item]
    ctx.response.set_cookie("cart", ",".join(cart), httpOnly=True)
    return cart


@on_request
def tenant(ctx):
    """Before any middleware: which tenant this request is for, as data.tenant."""
    return {"tenant": ctx.request.headers.get("x-tenant", "public")}
