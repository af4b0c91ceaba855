// The JavaScript half of running one pb_migrations file (runtime/render/migrate.py is the Python half).
//
// Evaluated in a fresh interpreter, in the same evaluation as the migration file and right before
// it: `migrate(up, down)` keeps the two functions, then `__pvRunMigration(direction)` calls one of
// them with `app`. What a migration reaches is PocketBase 0.23+'s JSVM as migrations in the wild use
// it: `new Collection({...})`, typed field constructors, `collection.fields.add/addAt/getByName/
// getById/removeById/removeByName`, `addIndex/removeIndex/getIndex`, `unmarshal`, and `app.save`,
// `app.delete` (of a collection, or of a `new Record`: bindings/record.js), `app.findRecordById`,
// `app.findCollectionByNameOrId`, `app.findAllCollections`, `app.runInTransaction`,
// `app.db().newQuery(sql).bind({...}).execute()` and the queries of bindings/app_query.js. Each app call crosses into Python as JSON and
// answers `{ok}` or `{error}`; an error is thrown as PocketBase prints a Go error (no "Error: ").
//
// Past --migration-timeout Python answers every call `{stop: true}` (runtime/render/migrate.py): the
// timer's alarm may land inside a Python call, where it becomes an error the file could catch and
// loop on. Spinning here instead leaves the alarm to QuickJS's interrupt, which no try/catch holds.
// bindings/record.js looks `call_python` up at each call, so it calls this one. dukpy writes the global
// afresh before every evaluation: each later one of a migration's interpreter starts by calling this again.
function __pvGuardHost() {
  call_python = (function (host) {
    return function () {
      var answer = host.apply(null, arguments);
      if (answer && answer.stop === true) for (;;) { /* until the interrupt */ }
      return answer;
    };
  })(call_python);
}
__pvGuardHost();

var __pvMigration = { up: null, down: null, registered: false };

function __pvCall(name) {
  var answer = call_python.apply(null, arguments);
  if (answer && answer.error !== undefined) {
    var err = new Error(answer.error);
    err.pvGo = true;
    throw err;
  }
  return answer ? answer.ok : undefined;
}

function migrate(up, down) {
  __pvMigration.up = up;
  __pvMigration.down = down;
  __pvMigration.registered = true;
}

class FieldsList extends Array {
  _at(test) { for (var i = 0; i < this.length; i++) { if (test(this[i])) return i; } return -1; }
  getById(id) { var i = this._at(function (f) { return f.id === id; }); return i < 0 ? null : this[i]; }
  getByName(name) { var i = this._at(function (f) { return f.name === name; }); return i < 0 ? null : this[i]; }
  fieldNames() { return Array.prototype.map.call(this, function (f) { return f.name; }); }
  removeById(id) { var i = this._at(function (f) { return f.id === id; }); if (i >= 0) this.splice(i, 1); }
  removeByName(name) { var i = this._at(function (f) { return f.name === name; }); if (i >= 0) this.splice(i, 1); }
  add() { for (var i = 0; i < arguments.length; i++) this.addAt(this.length, arguments[i]); }
  addAt(pos, field) {
    // Same id, or (without an id) same name: replaced where it stands, keeping the old id.
    var at = field.id ? this._at(function (f) { return f.id === field.id; }) : -1;
    if (at < 0) at = this._at(function (f) { return f.name === field.name; });
    if (at >= 0) {
      if (!field.id) field.id = this[at].id;
      this[at] = field;
      return;
    }
    this.splice(Math.max(0, Math.min(pos, this.length)), 0, field);
  }
  addMarshaledJSON(text) { this.add.apply(this, [].concat(JSON.parse(text)).map(function (f) { return new Field(f); })); }
  clone() { return FieldsList.from(this.map(function (f) { return new Field(JSON.parse(JSON.stringify(f))); })); }
  asMap() { var out = {}; this.forEach(function (f) { out[f.name] = f; }); return out; }
}

function Field(data) {
  Object.assign(this, data || {});
}

function __pvFieldType(type) {
  var ctor = function (data) { Field.call(this, data); this.type = type; };
  ctor.prototype = Object.create(Field.prototype);
  return ctor;
}
var TextField = __pvFieldType("text"), NumberField = __pvFieldType("number"), BoolField = __pvFieldType("bool"),
    EmailField = __pvFieldType("email"), URLField = __pvFieldType("url"), EditorField = __pvFieldType("editor"),
    DateField = __pvFieldType("date"), AutodateField = __pvFieldType("autodate"),
    SelectField = __pvFieldType("select"), RelationField = __pvFieldType("relation"),
    FileField = __pvFieldType("file"), JSONField = __pvFieldType("json"), PasswordField = __pvFieldType("password"),
    GeoPointField = __pvFieldType("geoPoint");

function __pvFields(list) {
  return FieldsList.from((list || []).map(function (f) { return f instanceof Field ? f : new Field(f); }));
}

function __pvIndexName(sql) {
  var m = /index\s+(?:if\s+not\s+exists\s+)?[`"\[]?([^`"\]\s]+)/i.exec(sql);
  return m ? m[1] : "";
}

class Collection {
  constructor(data) {
    __pvAssign(this, __pvCall("pv_migration_collection", data || {}));
  }
  isBase() { return this.type === "base"; }
  isAuth() { return this.type === "auth"; }
  isView() { return this.type === "view"; }
  tableName() { return this.name; }
  getIndex(name) {
    var found = this.indexes.filter(function (sql) { return __pvIndexName(sql) === name; });
    return found.length ? found[0] : "";
  }
  removeIndex(name) { this.indexes = this.indexes.filter(function (sql) { return __pvIndexName(sql) !== name; }); }
  addIndex(name, unique, columns, where) {
    this.removeIndex(name);
    this.indexes.push("CREATE " + (unique ? "UNIQUE " : "") + "INDEX `" + name + "` ON `" + this.name + "` (" +
                      columns + ")" + (where ? " WHERE " + where : ""));
  }
}

function __pvAssign(target, data) {
  Object.assign(target, data);
  target.fields = __pvFields(target.fields);
  target.indexes = Array.from(target.indexes || []);
  return target;
}

function unmarshal(data, target) {
  if (target instanceof Collection) return __pvAssign(target, data);
  return Object.assign(target, data);
}

function __pvPlain(collection) {
  var out = {};
  Object.keys(collection).forEach(function (k) { out[k] = collection[k]; });
  out.fields = Array.from(collection.fields || []).map(function (f) { return Object.assign({}, f); });
  return out;
}

function __pvNotCollection(model, what) {
  if (!(model instanceof Collection)) throw new Error("app." + what + "() takes a Collection or a Record");
}

// Records (bindings/record.js, loaded right after this file) go to the same data.db, in this file's transaction.
var __pvApp = {
  save: function (model) {
    if (__pvRecords.isRecord(model)) return __pvRecords.save(model);
    if (model && model.__pvSettings) return void __pvCall("pv_migration_settings", JSON.parse(JSON.stringify(model)));
    __pvNotCollection(model, "save");
    __pvAssign(model, __pvCall("pv_migration_save", __pvPlain(model)));
  },
  delete: function (model) {
    if (__pvRecords.isRecord(model)) return __pvRecords.delete(model);
    __pvNotCollection(model, "delete");
    __pvCall("pv_migration_delete", model.id);
  },
  findRecordById: function (collection, id) { return __pvRecords.findRecordById(collection, id); },
  findCollectionByNameOrId: function (key) {
    var c = Object.create(Collection.prototype);
    return __pvAssign(c, __pvCall("pv_migration_find", String(key)));
  },
  findAllCollections: function () {
    var types = Array.prototype.slice.call(arguments);
    return __pvCall("pv_migration_all", types).map(function (data) {
      return __pvAssign(Object.create(Collection.prototype), data);
    });
  },
  runInTransaction: function (fn) { fn(__pvApp); },
};
__pvQueries(__pvApp);  // bindings/app_query.js: the finders, `db().newQuery(...)`, settings(), store(), dao()
// `app.settings()` here is one `app.save()` takes back (the starters' migrations turn SMTP on that way).
__pvApp.settings = (function (read) {
  return function () { return Object.defineProperty(read.call(__pvApp), "__pvSettings", { value: true }); };
})(__pvApp.settings);

function __pvRunMigration(direction) {
  if (!__pvMigration.registered) return { missing: true };
  var fn = __pvMigration[direction];
  try {
    if (typeof fn === "function") fn(__pvApp);
  } catch (e) {
    var isError = e instanceof Error;
    // QuickJS throws null when it has too little memory left to build the InternalError itself.
    if (e === null) return { message: "InternalError: out of memory, or the file threw null", stack: "" };
    return { message: isError && (e.pvGo || e.name === "GoError") ? e.message : String(e), stack: isError ? String(e.stack || "") : "" };
  }
  return { ok: true };
}
