"""Attack: a record value that JSON carries but a binding reply may not (runtime.render.json_values.non_json): an
integer beyond 2**53 in a number field (a form's `1e16`) or inside a json field, or a json field nested deeper
than 200. Before the fix the save committed and then threw `pv_app.save returned a non-JSON value`, and from then
on `$app.findRecordById` of that record threw too: one visitor's submission made the record unreadable (and so
undeletable) by every page, and a record PocketBase itself stored so could not be read at all."""
import json
import os
import shutil

from tests.helpers import SITES, write_site

PAGES = {
    "pb_hooks/pages/make.ejs": """<%
let made
try { const r = new Record('posts', body()); $app.save(r); made = r.id } catch (e) { made = 'THROWN ' + e.message }
%><%= made %>""",
    "pb_hooks/pages/show/[id].ejs": """<%
let out
try {
  const r = $app.findRecordById('posts', params.id)
  out = JSON.stringify({views: r.getInt('views'), get: r.get('views'), meta: r.publicExport().meta, str: JSON.stringify(r)})
} catch (e) { out = 'THROWN ' + e.message }
%><%- out %>""",
}


def _deep(n):
    value = "bottom"
    for _ in range(n):
        value = [value]
    return value


def test_big_numbers_and_deep_json_are_saved_and_read_back(serve, tmp_path):
    project = write_site(tmp_path / "project", PAGES)
    shutil.copytree(os.path.join(SITES, "records_project", "pb_migrations"), os.path.join(project, "pb_migrations"))
    server = serve(project, "--workers", "1", data_dir=tmp_path / "project" / "pb_data")
    meta = {"n": 10 ** 20, "deep": _deep(300)}
    made = server.request("POST", "/make", body=json.dumps({"title": "big", "views": 1e16, "meta": meta}),
                          headers={"Content-Type": "application/json"})
    assert made.status == 200 and len(made.text.strip()) == 15, made.text
    shown = server.get("/show/" + made.text.strip())
    assert shown.status == 200 and not shown.text.startswith("THROWN"), shown.text
    got = json.loads(shown.text)
    assert got["views"] == 10 ** 16 and got["get"] == 10 ** 16
    assert got["meta"] == json.loads(json.dumps(meta))
    assert json.loads(got["str"])["meta"]["n"] == 1e20
