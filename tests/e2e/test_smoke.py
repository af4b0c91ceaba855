def test_served_page_escapes_query_parameter(serve):
    server = serve("tests/sites/hello")
    res = server.get("/?name=%3Cb%3E")
    assert res.status == 200
    assert res.text == "<h1>Hello &lt;b&gt;</h1>\n"
    assert res.header("Content-Type") == "text/html; charset=utf-8"
