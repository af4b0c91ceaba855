"""Record hooks for migration saves (runtime/render/migrate_hooks.py), without the binary: the pb_hooks files'
onRecord* hooks run around a migration's app.save, change what is stored, their Success hooks wait for the
run's commit, the run's files share app.store() (handed on to the workers), and a hook file that cannot load in
a migration's interpreter is skipped with a warning instead of stopping the run."""
from runtime.data import migrations
from runtime.data.db import Database
from runtime.serve import cli_migrate

HOOKS = """
onRecordCreate((e) => { e.record.set('title', String(e.record.get('title')).toUpperCase()); e.next();
  $app.store().set('log', ($app.store().get('log') || '') + 'create ' + e.app.findAllCollections().length + ' '); }, 'posts');
onRecordAfterCreateSuccess((e) => { $app.store().set('log', $app.store().get('log') + 'after:' + e.record.get('title') + ' '); e.next(); });
routerAdd('GET', '/x', (e) => e.string(200, 'x'), $apis.requireAuth());
"""
MIGRATION_1 = """migrate((app) => {
  const posts = new Collection({ type: "base", name: "posts", fields: [{ name: "title", type: "text" }] });
  app.save(posts);
  app.save(new Record(posts, { title: "a" }));
  app.store().set('log', app.store().get('log') + 'one-done ');
});
"""
MIGRATION_2 = """migrate((app) => {
  app.save(new Record(app.findCollectionByNameOrId("posts"), { title: "b" }));
  app.store().set('seen', app.store().get('log'));
});
"""


def project(tmp_path, hooks):
    (tmp_path / "pb_hooks").mkdir()
    for name, text in hooks.items():
        (tmp_path / "pb_hooks" / name).write_text(text)
    (tmp_path / "pb_migrations").mkdir()
    (tmp_path / "pb_migrations" / "1_one.js").write_text(MIGRATION_1)
    (tmp_path / "pb_migrations" / "2_two.js").write_text(MIGRATION_2)
    return str(tmp_path)


def test_migration_saves_run_the_hooks_and_the_store_goes_on(tmp_path):
    folder = project(tmp_path, {"a.pb.js": HOOKS})
    failed, store = cli_migrate.start_up(folder, str(tmp_path / "data"))
    assert failed is None
    assert store["log"] == "create 7 one-done create 7 after:A after:B "
    assert store["seen"] == "create 7 one-done create 7 "  # the Success hooks wait for the run's commit
    db = Database.open(str(tmp_path / "data"))
    try:
        assert sorted(r[0] for r in db.query("SELECT title FROM posts")) == ["A", "B"]
    finally:
        db.close()


def test_a_hook_file_that_cannot_load_there_is_skipped_with_a_warning(tmp_path, capfd):
    broken = "const lib = require('./nope.js');\nonRecordCreate((e) => { throw new Error('never'); });\n"
    folder = project(tmp_path, {"a.pb.js": HOOKS, "b.pb.js": broken})
    failed, store = cli_migrate.start_up(folder, str(tmp_path / "data"))
    assert failed is None and store["log"].startswith("create 7 one-done")
    err = capfd.readouterr().err
    assert "pagesvm: warning: pb_hooks/b.pb.js:1: " in err and err.count("b.pb.js") == 1


def test_a_failed_run_runs_no_success_hook(tmp_path):
    folder = project(tmp_path, {"a.pb.js": HOOKS})
    (tmp_path / "pb_migrations" / "3_bad.js").write_text("migrate((app) => { throw new Error('no'); });\n")
    failed, store = cli_migrate.start_up(folder, str(tmp_path / "data"))
    assert failed == "pb_migrations/3_bad.js:1: Error: no" and store == {}
    db = Database.open(str(tmp_path / "data"))
    try:
        assert not migrations.history(db) or all(not a.file.endswith(".js") for a in migrations.history(db))
    finally:
        db.close()
