// PocketBase's record hooks (onRecordCreate, …Execute, onRecordValidate, onRecordAfter…Success/Error) around
// the saves and deletes of pages, loaders and hook handlers (bindings/record.js calls R.recordWrite).
//
// Python cannot call a JavaScript closure, so JavaScript drives the chain and the innermost e.next() makes the
// Python step: as on the binary (0.40.6, tests/hooks/test_record_hooks_oracle.py), a create runs
//   onRecordCreate → [onRecordValidate → checks] → onRecordCreateExecute → write
// (an update the same with Update; a delete onRecordDelete → onRecordDeleteExecute → delete, unchecked), then
// onRecordAfterCreateSuccess once the outermost transaction commits, or onRecordAfterCreateError at once
// with `e.error` when the chain throws. A handler that does not call e.next() ends the chain without the write
// and the save still succeeds (its Success hooks run), as on the binary. A handler is the closure its file
// registered at the index learned at start-up, made by running the file in this request (hooks.js), so nothing
// of one request reaches another. The table of handlers is set once per interpreter (runtime/hooks/learn.py):
// a site without record hooks never sets R.recordWrite, and its saves are one crossing as before.
(function (G) {
  'use strict';
  const R = G.__pv;
  // event.js's (the request's events released as it ends); a migration's interpreter has no requests.
  const setNext = R.setNext || function (e, next) { e.next = next; };
  let table = null;  // hook name -> [[file, index, filters]], in registration order

  function install(given) {
    given = Object.assign({}, given || {});
    R.mailerSendRefs = given.onMailerSend || null;  // not a record hook: every mail's (api_hooks.js R.mailerSend)
    delete given.onMailerSend;
    table = Object.keys(given).length ? given : null;
    R.recordWrite = table === null ? null : write;
  }
  R.installRecordHooks = install;

  // The registrations of `name` whose filters (collection names or ids; none: every collection) take `c`.
  function matching(name, c) {
    const refs = table[name];
    if (refs === undefined) return [];
    return refs.filter((ref) => ref[2].length === 0 || ref[2].includes(c.name) || ref[2].includes(c.id));
  }
  // Run `name`'s handlers on a fresh event for `record`, the last e.next() calling `final`.
  function fire(name, c, record, final, extra) {
    const refs = matching(name, c);
    if (refs.length === 0) return final ? final() : undefined;
    const list = refs.map((ref) => R.hookEntry(ref).handler);  // the closures, made in this request
    const e = { app: R.app || G.$app, record, next: null };  // R.app: a migration's app (migration_hooks.js)
    if (extra) Object.assign(e, extra);
    let i = 0;
    setNext(e, function next() {
      if (i < list.length) return list[i++](e);
      if (i++ === list.length && final) return final();
      return undefined;
    });
    return e.next();
  }
  // e.error as the binary shows it: a Go error's text for ours, a thrown value as it is.
  function asGoValue(err) { return err instanceof Error && err.name === 'GoError' && err.value ? err.value : err; }
  // A hook's thrown ApiError reaches the save's caller as the binary's Go *ApiError: a GoError whose text is
  // the message (e.error too), still an ApiError for a route's answer. Other thrown values pass as they are.
  function asGoThrown(err) {
    const E = R.hookErrors;
    if (E === undefined || !(err instanceof E.ApiError) || err.name === 'GoError') return err;
    const out = R.apiErrorWith(err.status, err.message, err.data);
    Object.defineProperty(out, 'name', { value: 'GoError' });
    out.value = R.goError(err.message).value;
    return out;
  }
  function relevant(names, c) {
    for (const name of names) if (matching(name, c).length) return true;
    return false;
  }

  const STEPS = {
    Create: ['onRecordCreate', 'onRecordCreateExecute', 'onRecordAfterCreateSuccess', 'onRecordAfterCreateError'],
    Update: ['onRecordUpdate', 'onRecordUpdateExecute', 'onRecordAfterUpdateSuccess', 'onRecordAfterUpdateError'],
    Delete: ['onRecordDelete', 'onRecordDeleteExecute', 'onRecordAfterDeleteSuccess', 'onRecordAfterDeleteError'],
  };

  // A delete's write, as the binary's: in one transaction, each record pointing at it first deleted (cascade) or
  // saved without it (a cleared relation, unchecked) through its own whole chain, in the store's order
  // (DataStore.dependents), then the row alone. Their Success hooks run when that transaction commits (before
  // the outer delete's chain resumes), or with the outermost one; one refusing refuses the whole delete.
  function remove(record) {
    const K = R.appKit;
    const run = () => {
      const answer = K.call('dependents', [K.ref(K.state(record))]);
      const refs = K.fromList(answer);
      for (let i = 0; i < refs.length; i++) write(answer.steps[i] === 'delete' ? 'delete' : 'clear', refs[i]);
      if (answer.refuse) throw K.goError(answer.refuse);
      K.step(record, 'delete', 'only');
    };
    return K.inTransaction() ? run() : K.transaction(run);
  }

  // `later`: where the Success/Error hooks wait for a commit (default: the page's transaction, K.afterCommit).
  // kind: save, delete, or clear (a cleared relation's save: Update's chain without onRecordValidate).
  function write(kind, record, later) {
    const K = R.appKit;
    const c = K.collectionOf(record);
    const op = kind === 'delete' ? 'Delete' : kind === 'clear' || !record.isNew() ? 'Update' : 'Create';
    const names = STEPS[op];
    if (!relevant(op === 'Update' && kind !== 'clear' || op === 'Create' ? names.concat('onRecordValidate') : names, c)) {
      return op === 'Delete' ? remove(record) : K.step(record, 'save', kind === 'clear' ? 'write' : undefined);
    }
    const final = op === 'Delete' ? () => remove(record) : () => K.step(record, 'save', 'write');
    const execute = () => fire(names[1], c, record, final);
    try {
      fire(names[0], c, record, op === 'Delete' || kind === 'clear' ? execute : () => {
        fire('onRecordValidate', c, record, () => K.step(record, 'save', 'validate'));
        return execute();
      });
    } catch (thrown) {
      const err = asGoThrown(thrown);
      fire(names[3], c, record, null, { error: asGoValue(err) });
      throw err;
    }
    (later || K.afterCommit)((committed, failure) => {
      if (committed) fire(names[2], c, record, null);
      else fire(names[3], c, record, null, { error: asGoValue(failure) });
    });
  }

  // A save or delete made by a Python binding (ctx.app, bindings/app_python.py): Python, running inside a call
  // of this request's code, asks back through a nested evaluation (core.js R.nested; runtime/hooks/
  // python_saves.py), so the chain above runs on the record Python holds, with the same event and order.
  // a = [kind, handle, inPythonTransaction] (the record by its handle in the request's RecordSession), or
  // ['end', committed, error] once Python's own outermost run_in_transaction ended. Answers {ok, deferred}
  // or {error, status?, invalid?}.
  const waitingFor = new WeakMap();  // request state -> hooks waiting for Python's transaction
  function fromPython(a) {
    const K = R.appKit, st = R.state;
    if (a[0] === 'end') {
      const waiting = waitingFor.get(st) || [];
      waitingFor.delete(st);
      try {
        for (const later of waiting) later(a[1], a[1] ? undefined : R.goError(String(a[2])));
      } catch (err) {
        return failed(err);
      }
      return { ok: true };
    }
    const record = K.fromAnswer(K.call('sync', [a[1]]));
    let deferred = false;
    // Inside Python's transaction (and not the page's, which K.afterCommit already waits for).
    const later = a[2] && !K.inTransaction() ? (fn) => {
      deferred = true;
      if (!waitingFor.has(st)) waitingFor.set(st, []);
      waitingFor.get(st).push(fn);
    } : undefined;
    try {
      write(a[0], record, later);
    } catch (err) {
      return failed(err);
    }
    const rs = K.state(record);
    if (rs.ops !== null) K.call('sync', [K.ref(rs)]);  // what a hook set after e.next(): Python's record too
    return { ok: true, deferred };
  }
  function failed(err) {
    const out = { error: err instanceof Error ? String(err.message) : String(err) };
    if (err instanceof Error && err.pvInvalid) out.invalid = err.pvInvalid;
    if (R.hookErrors !== undefined && err instanceof R.hookErrors.ApiError) {
      out.status = err.status;
      out.data = err.data;
    }
    return out;
  }
  if (R.nested) R.nested.recordHooks = fromPython;  // a migration's interpreter has no Python bindings

  if (R.config.recordHooks) install(R.config.recordHooks);  // an interpreter replaced after start-up
})(globalThis);
