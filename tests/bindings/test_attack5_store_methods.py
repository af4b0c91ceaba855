"""Attack: `$app.store()` answered one object shared by every request of the worker, and it was not frozen (every
other object requests share is), so one request could replace its methods for all later ones: a page assigning
`$app.store().get = ...` (or `set`, to collect what other requests store) changed what every later request's
`$app.store()` did. The store's values are shared by design (PocketBase's app store); its methods are not."""
import pytest

PAGES = {
    "pb_hooks/pages/poison.ejs": """<%
try { const s = $app.store(); s.get = () => 'POISON'; s.set = () => {}; s.extra = 1 } catch (e) {}
%>done""",
    "pb_hooks/pages/read.ejs": """<%
$app.store().set('k', 'real')
%><%= $app.store().get('k') %> <%= typeof $app.store().extra %>""",
}


@pytest.fixture
def server(serve_pages):
    return serve_pages(PAGES, "--workers", "1")


def test_a_request_cannot_replace_the_store_methods_of_later_requests(server):
    assert server.get("/read").text.strip() == "real undefined"
    assert server.get("/poison").text.strip() == "done"
    assert server.get("/read").text.strip() == "real undefined"
