// The signed-in user as pages see it (`request.auth`, `auth`): a record object shaped like
// PocketBase's, built from the public fields Python loaded from the database.
// Changes made with .set() stay in this request's copy; nothing is written back.
//
// The class is shared by every request of the interpreter, and page code reaches it
// (`Object.getPrototypeOf(auth).constructor`), so nothing it holds may outlive a request:
// * a record's fields live in a map on the request state (R.state.records), so a method called
//   in one request only ever sees records made in that request, whatever `this` it is given;
// * only the runtime can make a record: the constructor wants a token held by this closure,
//   so page code cannot file an entry under a shared object (Object.prototype);
// * the class, its prototype and its methods are frozen by lockdown.js (R.shared), like every
//   other intrinsic, so a property put on a method does not stay for the next request.
(function (R) {
  'use strict';
  const HIDDEN = new Set(['password', 'passwordHash', 'tokenKey']);
  const UNSAFE = R.UNSAFE_KEYS;  // core.js
  const SUPERUSERS = '_superusers';
  const MINT = Object.freeze({});  // never leaves this closure
  const DROPPED = Object.freeze([...HIDDEN, ...UNSAFE]);
  function cleanRecord(record) {
    if (record === null || typeof record !== 'object' || Object.getPrototypeOf(record) !== Object.prototype) return false;
    for (let i = 0; i < DROPPED.length; i++) if (own(record, DROPPED[i])) return false;
    return true;
  }

  function own(o, key) { return Object.prototype.hasOwnProperty.call(o, key); }

  // The fields of a record made in the current request; anything else is refused.
  function fieldsOf(record) {
    const st = R.state;
    const fields = st && st.records ? st.records.get(record) : undefined;
    if (fields === undefined) throw new TypeError('pagesvm: not an auth record of this request');
    return fields;
  }

  // `record` is the runtime's own fresh object (parsed from Python's JSON for this request, never seen by
  // page code): kept as the fields when no key must be dropped, which is what Python sends (public_record).
  function AuthRecord(token, record) {
    if (token !== MINT || new.target !== AuthRecord) throw new TypeError('pagesvm: auth records are made by the runtime');
    const st = R.state;
    if (!st) throw new TypeError('pagesvm: an auth record belongs to a request');
    let fields = record;
    if (!cleanRecord(record)) {
      fields = {};
      for (const key of Object.keys(record || {})) {
        if (!HIDDEN.has(key) && !UNSAFE.has(key)) fields[key] = record[key];
      }
    }
    (st.records || (st.records = new WeakMap())).set(this, fields);
  }

  // Plain values, as PocketPages' docs read them (`auth.email`, `request.auth.id`).
  for (const name of ['id', 'email', 'created', 'updated', 'collectionId', 'collectionName']) {
    Object.defineProperty(AuthRecord.prototype, name, {
      get() { return fieldsOf(this)[name]; },
      enumerable: true,
    });
  }

  Object.assign(AuthRecord.prototype, {
    get(field) {
      const fields = fieldsOf(this);
      return own(fields, field) ? fields[field] : undefined;
    },
    set(field, value) {
      field = String(field);
      if (HIDDEN.has(field) || UNSAFE.has(field)) throw new Error("auth.set: '" + field + "' cannot be set on a page");
      fieldsOf(this)[field] = value;
    },
    has(field) { return own(fieldsOf(this), field); },
    verified() { return fieldsOf(this).verified === true; },
    isSuperuser() { return fieldsOf(this).collectionName === SUPERUSERS; },
    collection() {
      const fields = fieldsOf(this);
      return { id: fields.collectionId, name: fields.collectionName || 'users' };
    },
    toJSON() { return Object.assign({}, fieldsOf(this)); },
    toString() { return '[auth record ' + fieldsOf(this).id + ']'; },
  });

  // Shared by every request of this interpreter: lockdown.js freezes the whole graph.
  R.shared.push(AuthRecord);
  R.makeRecord = function (record) { return new AuthRecord(MINT, record); };  // record: a non-null object (core.js R.setAuth)
})(__pv);
