// Every record hook appends to $app.store() 'log' (the binary runs each handler in its own VM: no shared JS state).
onRecordCreate((e) => { $app.store().set('log', ($app.store().get('log') || '') + 'create(' + e.record.get('title') + ') '); e.next(); });
onRecordUpdate((e) => { $app.store().set('log', ($app.store().get('log') || '') + 'update(' + e.record.collection().name + ':' + e.record.get('title') + ':' + JSON.stringify(e.record.get('parent')) + JSON.stringify(e.record.get('parents')) + ') ');
  if (e.record.get('title') === 'refuse-update') throw new Error('update refused');
  e.next(); });
onRecordValidate((e) => { $app.store().set('log', ($app.store().get('log') || '') + 'validate(' + e.record.get('title') + ') '); e.next(); });
onRecordUpdateExecute((e) => { $app.store().set('log', ($app.store().get('log') || '') + 'updateExec(' + e.record.get('title') + ') '); e.next(); });
onRecordAfterUpdateSuccess((e) => { $app.store().set('log', ($app.store().get('log') || '') + 'afterUpdate(' + e.record.get('title') + ') '); e.next(); });
onRecordAfterUpdateError((e) => { $app.store().set('log', ($app.store().get('log') || '') + 'updateError(' + e.record.get('title') + ':' + e.error + ') '); e.next(); });
onRecordDelete((e) => { $app.store().set('log', ($app.store().get('log') || '') + 'delete(' + e.record.collection().name + ':' + e.record.get('title') + ') ');
  if (e.record.get('title') === 'refuse') throw new Error('delete refused');
  if (e.record.get('title') === 'skip') return;
  e.next();
  $app.store().set('log', $app.store().get('log') + 'delete-done(' + e.record.get('title') + ') '); });
onRecordDeleteExecute((e) => { $app.store().set('log', ($app.store().get('log') || '') + 'deleteExec(' + e.record.get('title') + ') '); e.next(); });
onRecordAfterDeleteSuccess((e) => { $app.store().set('log', ($app.store().get('log') || '') + 'afterDelete(' + e.record.get('title') + ') '); e.next(); });
onRecordAfterDeleteError((e) => { $app.store().set('log', ($app.store().get('log') || '') + 'deleteError(' + e.record.get('title') + ':' + e.error + ') '); e.next(); });
