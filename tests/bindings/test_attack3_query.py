"""Attack: query keys named like Object.prototype's members. ``request.url.query`` dropped them
(bindings/request.js) but ``params`` kept them, so ``?hasOwnProperty=1`` made
``params.hasOwnProperty('id')`` throw (a 500 chosen by the visitor) and the two disagreed."""
from runtime import create_app
from tests.helpers import request, write_site
from tests.http.test_mount import serve_in_thread

PAGE = ("<%- JSON.stringify({p: Object.keys(params).sort(), q: Object.keys(request.url.query).sort(), "
        "has: params.hasOwnProperty('a'), str: String(params), polluted: ({}).polluted === undefined}) %>")


def test_params_and_the_url_query_agree_and_never_shadow_object_methods(tmp_path):
    site = write_site(tmp_path / "site", {"q.ejs": PAGE})
    query = ("hasOwnProperty=1&toString=x&valueOf=2&__proto__[polluted]=1&constructor=1&__lookupGetter__=1"
             "&isPrototypeOf=1&a=1&a=2&b[]=1")
    with serve_in_thread(lambda: create_app(site, data_dir=str(tmp_path / "data"))) as port:
        res = request("127.0.0.1", port, "GET", "/q?" + query)
    assert res.status == 200, res.text
    got = res.json()
    assert got["p"] == got["q"] == ["__proto__[polluted]", "a", "b[]"]
    assert got["has"] is True and got["str"] == "[object Object]" and got["polluted"] is True
