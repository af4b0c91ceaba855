// CommonJS for pages: `require`, `resolve`, and the +load.js / +middleware.js files.
//
// A module's code is compiled once per interpreter (a unit); it is *run* at most once
// per request, so module-level state never carries from one request to the next.
(function (R) {
  'use strict';

  function dirname(path) {
    const i = path.lastIndexOf('/');
    return i < 0 ? '' : path.slice(0, i);
  }

  // Run (or reuse, within this request) the module at a site-relative path.
  R.requireFile = function (path) {
    const st = R.state;
    const cached = st.modules[path];
    if (cached) return cached.exports;
    let unit;
    try {
      unit = R.unitFor(path, 'module');
    } catch (e) {
      throw R.track(e, path);
    }
    if (unit.jobs) st.jobs = st.usedJobs = true;
    const module = { id: path, filename: path, exports: {}, loaded: false };
    st.modules[path] = module;
    try {
      unit.fn.call(module.exports, module, module.exports, R.makeRequire(path), path, dirname(path));
    } catch (e) {
      delete st.modules[path];
      throw R.track(e, path);
    }
    module.loaded = true;
    return module.exports;
  };

  R.makeRequire = function (from) {
    return function require(name) {
      if (name === 'pocketpages') return R.apiOf(R.state);
      const path = R.find(name, 'module', from);
      if (!path) throw new Error("Cannot find module '" + name + "' from " + from);
      return R.requireFile(path);
    };
  };

  const MODES = Object.assign(Object.create(null), {
    require: (path) => R.requireFile(path),
    raw: (path) => R.host('read', path),
    // The same wrappers PocketPages prints: a script gets a `module` shim for CommonJS code.
    script: (path) => "<script>\nif (typeof module === 'undefined') { module = { exports: {} } };\n" + R.host('read', path) + '\n</script>',
    style: (path) => '<style>\n' + R.host('read', path) + '\n</style>',
  });  // no prototype: a mode named 'constructor' is unknown, not Object

  R.resolve = function (name, options) {
    const mode = (options && options.mode) || 'require';
    const load = typeof mode === 'string' ? MODES[mode] : undefined;
    if (!load) throw new Error("resolve: unknown mode '" + mode + "' (require, raw, script, style)");
    const path = R.find(name, mode === 'require' ? 'resolve' : 'file');
    if (!path) throw new Error("resolve: '" + name + "' not found in any _private folder above " + R.currentFile());
    return load(path);
  };
})(__pv);
