"""Collection-level refusals in a migration, the same failing file run by the real PocketBase and by pagesvm:
the message a failing migration reports must be the binary's, word for word (table-driven, one binary run per
case on a copy of one prepared data folder)."""
import re
import shutil
import subprocess

import pytest

from runtime.data import migrations
from tests.data.test_migrations_oracle import pagesvm_migrate
from tests.helpers import pocketbase_binary

INIT = """migrate((app) => {
  app.save(new Collection({name: "posts", fields: [{name: "title", type: "text"}]}));
})
"""
CASES = {
    "duplicate collection name": 'app.save(new Collection({name: "Posts"}));',
    "invalid collection name": 'app.save(new Collection({name: "bad name"}));',
    "invalid field name": 'app.save(new Collection({name: "x", fields: [{name: "bad name", type: "text"}]}));',
    "reserved field name": 'app.save(new Collection({name: "x", fields: [{name: "expand", type: "text"}]}));',
    "relation to a missing collection": 'app.save(new Collection({name: "x", fields: '
                                        '[{name: "r", type: "relation", collectionId: "nope", maxSelect: 1}]}));',
    "invalid index": 'app.save(new Collection({name: "x", fields: [{name: "a", type: "text"}], '
                     'indexes: ["CREATE INDEX bad ON x"]}));',
    "index on a missing column": 'app.save(new Collection({name: "x", fields: [{name: "a", type: "text"}], '
                                 'indexes: ["CREATE INDEX idx_b ON x (b)"]}));',
    "duplicate index name": 'app.save(new Collection({name: "x", fields: [{name: "a", type: "text"}], '
                            'indexes: ["CREATE INDEX idx_a ON x (a)", "CREATE INDEX idx_a ON x (a)"]}));',
    "renaming a system field": 'const u = app.findCollectionByNameOrId("users"); '
                               'u.fields.getByName("email").name = "mail"; app.save(u);',
    "renaming a system collection": 'const u = app.findCollectionByNameOrId("_superusers"); u.name = "supers"; '
                                    'app.save(u);',
    "view with a wildcard": 'app.save(new Collection({type: "view", name: "v", viewQuery: "SELECT * FROM posts"}));',
    "view without id": 'app.save(new Collection({type: "view", name: "v", viewQuery: "SELECT title FROM posts"}));',
    "view SQLite refuses": 'app.save(new Collection({type: "view", name: "v", '
                           'viewQuery: "SELECT id, nope FROM posts"}));',
    "view column of too many parts": 'app.save(new Collection({type: "view", name: "v", '
                                     'viewQuery: "SELECT id, title || 1 AS t FROM posts"}));',
    "view column without a name": 'app.save(new Collection({type: "view", name: "v", '
                                  'viewQuery: "SELECT id, COUNT(*) FROM posts"}));',
    "view repeating a column": 'app.save(new Collection({type: "view", name: "v", '
                               'viewQuery: "SELECT id, title, title FROM posts"}));',
}


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    pocketbase_binary()
    base = tmp_path_factory.mktemp("errors")
    folder = base / "m"
    folder.mkdir()
    (folder / "1700000000_init.js").write_text(INIT)
    done = subprocess.run([pocketbase_binary(), "migrate", "up", "--dir", str(base / "pb"), "--migrationsDir",
                           str(folder)], capture_output=True, text=True, timeout=60, cwd=str(base))
    assert done.returncode == 0, done.stderr
    pagesvm_migrate(base / "pv", str(folder))
    return base


@pytest.mark.parametrize("case", list(CASES))
def test_a_refused_collection_is_told_as_the_binary_tells_it(prepared, tmp_path, case):
    folder = tmp_path / "m"
    shutil.copytree(prepared / "m", folder)
    (folder / "1700000001_case.js").write_text("migrate((app) => {\n  " + CASES[case] + "\n})\n")
    for side in ("pb", "pv"):
        shutil.copytree(prepared / side, tmp_path / side)
    done = subprocess.run([pocketbase_binary(), "migrate", "up", "--dir", str(tmp_path / "pb"), "--migrationsDir",
                           str(folder)], capture_output=True, text=True, timeout=60, cwd=str(tmp_path))
    theirs = re.search(r"failed to apply migration 1700000001_case\.js: (.*)$", done.stderr.strip())
    assert done.returncode != 0 and theirs, done.stdout + done.stderr
    with pytest.raises(migrations.MigrationError) as err:
        pagesvm_migrate(tmp_path / "pv", str(folder))
    assert (err.value.file, err.value.line) == ("1700000001_case.js", 2)
    assert err.value.message == theirs.group(1)
