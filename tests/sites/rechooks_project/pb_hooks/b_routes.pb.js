// The oracle's routes (tests/hooks/test_record_hooks_oracle.py): each POST runs one save, delete or transaction
// and appends its outcome to the log the record hooks write in $app.store(); GET /t/log answers and clears it.
routerAdd('GET', '/t/log', (e) => { const text = $app.store().get('log') || ''; $app.store().set('log', ''); return e.string(200, text); });
routerAdd('POST', '/t/{op}', (e) => {
  const op = e.request.pathValue('op');
  const body = e.requestInfo().body;
  const say = (s) => $app.store().set('log', ($app.store().get('log') || '') + s + ' ');
  const find = () => $app.findFirstRecordByFilter(body.c || 'posts', 'title = {:t}', { t: body.title });
  let out = '';
  try {
    if (op === 'create') { const r = new Record($app.findCollectionByNameOrId(body.c || 'posts'), { title: body.title }); $app.save(r); out = 'saved:' + r.get('title'); }
    else if (op === 'update') { const r = find(); r.set('title', body.to); $app.save(r); out = 'updated:' + r.get('title'); }
    else if (op === 'delete') { $app.delete(find()); out = 'deleted'; }
    else if (op === 'tx') { $app.runInTransaction((tx) => { const r = new Record(tx.findCollectionByNameOrId('posts'), { title: body.title }); tx.save(r); say('in-tx-saved'); }); say('after-tx'); out = 'tx'; }
    else if (op === 'txfail') { $app.runInTransaction((tx) => { const r = new Record(tx.findCollectionByNameOrId('posts'), { title: body.title }); tx.save(r); say('in-tx-saved'); throw new Error('undo'); }); }
    else if (op === 'count') { out = 'count:' + $app.findRecordsByFilter(body.c || 'posts', 'title = {:t}', '', 0, 0, { t: body.title }).length; }
  } catch (err) { out = 'error:' + String(err.message || err); }
  say('=> ' + out);
  return e.string(200, out);
});
