"""Attack: a Record kept across requests (in `$app.store()`, which outlives a request) names its record by a
handle of the request that made it. Handles restarted at 1 in every request, so the kept Record's handle named
whatever record the NEXT request made first: setting and saving the stale Record wrote the other record (here,
the fresh record's title is overwritten). A stale Record must be refused, never taken for another one."""
import os
import shutil

from tests.helpers import SITES, write_site

PAGES = {
    "pb_hooks/pages/keep.ejs": """<%
const kept = $app.findRecordById('posts', 'seededbymigrate')
$app.store().set('kept', kept)
%>kept <%= kept.id %>""",
    "pb_hooks/pages/reuse.ejs": """<%
const mine = new Record('posts', {title: 'fresh'})
$app.save(mine)
let out
try {
  const old = $app.store().get('kept')
  old.set('title', 'hijacked')
  $app.save(old)
  out = 'saved'
} catch (e) { out = 'refused: ' + e.message }
%><%= out %> / <%= $app.findRecordById('posts', mine.id).getString('title') %>""",
}


def test_a_record_kept_from_another_request_is_refused_not_confused(serve, tmp_path):
    project = write_site(tmp_path / "project", PAGES)
    shutil.copytree(os.path.join(SITES, "records_project", "pb_migrations"), os.path.join(project, "pb_migrations"))
    server = serve(project, "--workers", "1", data_dir=tmp_path / "project" / "pb_data")
    assert server.get("/keep").text.startswith("kept seededbymigrate")
    answer = server.get("/reuse")
    assert answer.status == 200, answer.text
    refused, title = answer.text.split(" / ")
    assert title.strip() == "fresh", answer.text  # the new record was not overwritten
    assert refused.startswith("refused: ") and "another request" in refused, answer.text
