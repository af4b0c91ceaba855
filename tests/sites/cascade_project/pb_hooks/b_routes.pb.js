// The oracle's routes: POST /t/seed makes a tree without logging, POST /t/delete deletes one parent by title,
// GET /t/log answers and clears the log, GET /t/left lists every record left.
routerAdd('GET', '/t/log', (e) => { const text = $app.store().get('log') || ''; $app.store().set('log', ''); return e.string(200, text); });
routerAdd('GET', '/t/left', (e) => {
  const out = [];
  for (const c of ['parents', 'kids', 'grandkids', 'tags']) {
    for (const r of $app.findRecordsByFilter(c, '', 'title', 0, 0)) {
      out.push(c + ':' + r.get('title') + ':' + JSON.stringify(r.get('parent') || r.get('kid') || '') + JSON.stringify(r.get('parents') || ''));
    }
  }
  return e.string(200, out.join(' '));
});
routerAdd('POST', '/t/{op}', (e) => {
  const op = e.request.pathValue('op');
  const body = e.requestInfo().body;
  const say = (s) => $app.store().set('log', ($app.store().get('log') || '') + s + ' ');
  let out = '';
  try {
    if (op === 'seed') {
      // body.tree: [[collection, title, field, parentTitle-or-list]] in order; ids looked up by title
      for (const [c, title, field, ref] of body.tree) {
        const r = new Record($app.findCollectionByNameOrId(c), { title });
        if (field) {
          const target = c === 'grandkids' ? 'kids' : 'parents';
          const id = (t) => $app.findFirstRecordByFilter(target, 'title = {:t}', { t }).id;
          r.set(field, Array.isArray(ref) ? ref.map(id) : id(ref));
        }
        $app.save(r);
      }
      $app.store().set('log', '');
      out = 'seeded';
    } else if (op === 'delete') {
      $app.delete($app.findFirstRecordByFilter('parents', 'title = {:t}', { t: body.title }));
      out = 'deleted';
    } else if (op === 'txdelete') {
      $app.runInTransaction((tx) => { tx.delete(tx.findFirstRecordByFilter('parents', 'title = {:t}', { t: body.title })); say('in-tx'); });
      out = 'tx-deleted';
    }
  } catch (err) { out = 'error:' + String(err.message || err); }
  say('=> ' + out);
  return e.string(200, out);
});
