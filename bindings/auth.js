// The signed-in user as pages see it (`request.auth`, `auth`): a record object shaped like
// PocketBase's, built from the public fields Python loaded from the database.
// Changes made with .set() stay in this request's copy; nothing is written back.
(function (R) {
  'use strict';
  const HIDDEN = new Set(['password', 'passwordHash', 'tokenKey']);
  const UNSAFE = new Set(['__proto__', 'constructor', 'prototype']);
  const SUPERUSERS = '_superusers';
  const fieldsOf = new WeakMap();

  function own(o, key) { return Object.prototype.hasOwnProperty.call(o, key); }

  function AuthRecord(record) {
    const fields = {};
    for (const key of Object.keys(record || {})) {
      if (!HIDDEN.has(key) && !UNSAFE.has(key)) fields[key] = record[key];
    }
    fieldsOf.set(this, fields);
  }

  // Plain values, as PocketPages' docs read them (`auth.email`, `request.auth.id`).
  for (const name of ['id', 'email', 'created', 'updated', 'collectionId', 'collectionName']) {
    Object.defineProperty(AuthRecord.prototype, name, {
      get() { return fieldsOf.get(this)[name]; },
      enumerable: true,
    });
  }

  Object.assign(AuthRecord.prototype, {
    get(field) {
      const fields = fieldsOf.get(this);
      return own(fields, field) ? fields[field] : undefined;
    },
    set(field, value) {
      field = String(field);
      if (HIDDEN.has(field) || UNSAFE.has(field)) throw new Error("auth.set: '" + field + "' cannot be set on a page");
      fieldsOf.get(this)[field] = value;
    },
    has(field) { return own(fieldsOf.get(this), field); },
    verified() { return fieldsOf.get(this).verified === true; },
    isSuperuser() { return fieldsOf.get(this).collectionName === SUPERUSERS; },
    collection() {
      const fields = fieldsOf.get(this);
      return { id: fields.collectionId, name: fields.collectionName || 'users' };
    },
    toJSON() { return Object.assign({}, fieldsOf.get(this)); },
    toString() { return '[auth record ' + fieldsOf.get(this).id + ']'; },
  });

  // Shared by every request of this interpreter: no page may change them.
  Object.freeze(AuthRecord.prototype);
  Object.freeze(AuthRecord);
  R.makeRecord = function (record) { return new AuthRecord(record); };
})(__pv);
