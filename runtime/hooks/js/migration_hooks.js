// The pb_hooks files' record hooks for the saves a migration makes, in a migration's own interpreter
// (runtime/render/migrate_hooks.py evaluates this, then record_hooks.js, then each hook file, before the
// migration file). As on PocketBase, whose hooks are registered before migrations run, a migration's
// `app.save(record)` runs onRecordCreate → onRecordValidate → onRecordCreateExecute → the write, and the
// ...Success hooks wait for the run's one transaction to commit (every pending file's up()), in order.
//
// Only what a hook file needs to load is here: the registering globals (routes, cron and middlewares are
// ignored: they belong to the workers), `$apis`, `Middleware`, the API error classes, `console`, `__hooks`.
// A hook file sees `$app` as the migration's `app` (the binary's `e.app` there is the transaction's app);
// a file needing more (`require`, `$security`…) is skipped with a warning by the Python half.
var __pvMigrationHooks = (function (G, hooksDir) {
  'use strict';
  const records = G.__pvRecords;
  const entries = [];  // every on* registration of the files loaded: {name, handler, filters}
  const waiting = [];  // the ...Success hooks waiting for the run's commit
  const RECORD = /^onRecord(Validate|(Create|Update|Delete)(Execute)?|After(Create|Update|Delete)(Success|Error))$/;
  const ignored = function () {};

  function registering(name) {
    return function (handler, ...filters) {
      if (typeof handler !== 'function') throw new TypeError('[' + name + '] the handler must be a function');
      entries.push({ name, handler, filters: filters.map(String) });
    };
  }
  const models = ['Model', 'Record', 'Collection'];
  const names = ['onBootstrap', 'onServe', 'onTerminate', 'onBackupCreate', 'onBackupRestore', 'onSettingsReload',
    'onMailerSend', 'onRecordEnrich', 'onRealtimeConnectRequest', 'onRealtimeSubscribeRequest', 'onRealtimeMessageSend',
    'onBatchRequest', 'onFileDownloadRequest', 'onFileTokenRequest', 'onSettingsListRequest', 'onSettingsUpdateRequest',
    'onRecordsListRequest', 'onRecordViewRequest', 'onCollectionsListRequest', 'onCollectionViewRequest',
    'onCollectionsImportRequest'];
  for (const m of models) {
    names.push('on' + m + 'Validate');
    for (const op of ['Create', 'Update', 'Delete']) {
      names.push('on' + m + op, 'on' + m + op + 'Execute', 'on' + m + 'After' + op + 'Success', 'on' + m + 'After' + op + 'Error');
      if (m !== 'Model') names.push('on' + m + op + 'Request');
    }
  }
  ['Auth', 'AuthWithPassword', 'AuthWithOAuth2', 'AuthRefresh', 'RequestPasswordReset', 'ConfirmPasswordReset',
    'RequestVerification', 'ConfirmVerification', 'RequestEmailChange', 'ConfirmEmailChange', 'RequestOTP',
    'AuthWithOTP'].forEach((n) => names.push('onRecord' + n + 'Request'));
  ['AuthAlert', 'PasswordReset', 'Verification', 'EmailChange', 'OTP'].forEach((n) => names.push('onMailerRecord' + n + 'Send'));
  for (const name of names) G[name] = registering(name);
  G.routerAdd = G.routerUse = G.cronAdd = G.cronRemove = ignored;

  class Middleware {
    constructor(func, priority, id) { this.func = func; this.priority = Number(priority) || 0; this.id = id == null ? '' : String(id); }
  }
  const passing = () => new Middleware((e) => e.next(), 0, '');
  G.Middleware = Middleware;
  G.$apis = { requireAuth: passing, requireSuperuserAuth: passing, requireGuestOnly: passing, bodyLimit: passing,
    gzip: passing, skipSuccessActivityLog: passing };
  class ApiError extends Error {
    constructor(status, message, data) { super(String(message == null ? '' : message)); this.status = Number(status) || 400; this.data = data || {}; }
  }
  G.ApiError = ApiError;
  [['BadRequestError', 400], ['NotFoundError', 404], ['ForbiddenError', 403], ['UnauthorizedError', 401],
    ['TooManyRequestsError', 429], ['InternalServerError', 500]].forEach(([name, status]) => {
    G[name] = class extends ApiError { constructor(message, data) { super(status, message, data); } };
  });
  const say = (...args) => G.call_python('pv_migration_log', args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  G.console = { log: say, info: say, warn: say, error: say, debug: say };
  Object.defineProperty(G, '__hooks', { value: hooksDir, enumerable: false });

  // record_hooks.js's runtime: its handlers are the closures registered here; its e.app the migration's app.
  const runtime = {
    config: {},
    app: G.__pvApp,
    appKit: Object.assign({}, records.kit, { afterCommit(later) { waiting.push(later); } }),
    hookEntry(ref) { return entries[ref[1]]; },
    get recordWrite() { return records.recordWrite; },
    set recordWrite(fn) { records.recordWrite = fn; },
  };
  return {
    runtime,
    // After the files loaded: the record hooks' table (hook name -> [[0, index, filters]]), registration order.
    install() {
      const table = {};
      entries.forEach((entry, i) => {
        if (RECORD.test(entry.name)) (table[entry.name] || (table[entry.name] = [])).push([0, i, entry.filters]);
      });
      runtime.installRecordHooks(table);
    },
    // The run committed: the waiting ...Success hooks, in order; what they throw is reported, not raised.
    committed() {
      const failures = [];
      for (const later of waiting.splice(0)) {
        try { later(true); } catch (err) { failures.push(String(err && err.stack ? err + '\n' + err.stack : err)); }
      }
      return failures;
    },
  };
})(globalThis, __pvHooksDir);
