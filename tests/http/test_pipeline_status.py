"""Statuses a page sets: bodiless ones answer with no body, nonsense ones are a clean 500."""
import os


from tests.helpers import SITES, served


server = served(os.path.join(SITES, "status_codes"), "--workers", "1")


def test_204_from_response_html_has_no_body(server):
    res = server.get("/nocontent")
    assert res.status == 204
    assert res.body == b""


def test_304_set_by_the_page_drops_the_rendered_body(server):
    res = server.get("/notmodified")
    assert res.status == 304
    assert res.body == b""


def test_out_of_range_status_is_a_500_with_a_log_line(server):
    res = server.get("/badstatus")
    assert res.status == 500
    assert "set an invalid status 999" in server.log


def test_unusual_but_valid_status_is_kept_with_the_page_body(server):
    res = server.get("/teapot")
    assert res.status == 418
    assert res.text.strip() == "teapot"
    assert "Traceback" not in server.log
