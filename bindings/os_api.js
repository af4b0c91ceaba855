// PocketBase's `$os` (bindings/os_api.py): Go's os functions, their (value, error) results thrown as
// GoErrors (record.js), files read as byte arrays that toString() turns back into text (R.bytes, globals.js),
// os.FileInfo/os.DirEntry/os.FileMode as objects with Go's methods. `exit` is refused; `cmd`/`exec` run
// programs only under `pagesvm serve --allow-exec`.
(function (G) {
  'use strict';
  const R = G.__pv;
  const str = (v) => (v === undefined || v === null ? '' : String(v));
  const int = (v) => { const n = Math.trunc(Number(v)); return Number.isFinite(n) ? n : 0; };
  function call(name, args) {
    const answer = R.py('pv_os.' + name, args);
    if (answer.error !== undefined) throw R.goError(answer.error);
    return answer.ok;
  }

  // os.FileMode: a number in JSON, `-rw-r--r--` as text (Go's String()).
  const KINDS = 'dalTLDpSugct?';
  class FileMode {
    constructor(bits) { Object.defineProperty(this, 'bits', { value: bits >>> 0 }); }
    isDir() { return (this.bits & 0x80000000) !== 0; }
    isRegular() { return (this.bits & 0xfff80000) === 0; }
    perm() { return new FileMode(this.bits & 0o777); }
    type() { return new FileMode(this.bits & 0xfff80000); }
    string() {
      let out = '';
      for (let i = 0; i < KINDS.length; i++) if (this.bits & (1 << (31 - i))) out += KINDS[i];
      if (out === '') out = '-';
      const rwx = 'rwxrwxrwx';
      for (let i = 0; i < 9; i++) out += this.bits & (1 << (8 - i)) ? rwx[i] : '-';
      return out;
    }
    toString() { return this.string(); }
    toJSON() { return this.bits; }
    valueOf() { return this.bits; }
  }
  // time.Time, what modTime() returns: enough of it to read the instant.
  class GoTime {
    constructor(us) { Object.defineProperty(this, 'us', { value: us }); }
    unix() { return Math.floor(this.us / 1e6); }
    unixMilli() { return Math.floor(this.us / 1e3); }
    unixNano() { return this.us * 1000; }
    isZero() { return false; }
    toJSON() { return new Date(this.unixMilli()).toISOString(); }
    string() { return new Date(this.unixMilli()).toISOString().replace('T', ' ').replace('Z', ' +0000 UTC'); }
    toString() { return this.string(); }
  }
  class FileInfo {
    constructor(info) { Object.defineProperty(this, 'i', { value: info }); }
    name() { return this.i.name; }
    size() { return this.i.size; }
    mode() { return new FileMode(this.i.mode); }
    modTime() { return new GoTime(this.i.mtime); }
    isDir() { return this.i.dir; }
    sys() { return null; }
    toJSON() { return {}; }
  }
  class DirEntry {
    constructor(info) { Object.defineProperty(this, 'i', { value: info }); }
    name() { return this.i.name; }
    isDir() { return this.i.dir; }
    type() { return new FileMode(this.i.mode).type(); }
    info() { return new FileInfo(this.i); }
    string() { return (this.i.dir ? 'd ' : '- ') + this.i.name + (this.i.dir ? '/' : ''); }
    toJSON() { return {}; }
  }

  // exec.Cmd, prepared by $os.cmd(name, ...args): dir, env and stdin may be set before it runs.
  class Cmd {
    constructor(name, args) {
      this.path = name;
      this.args = [name].concat(args);
      this.dir = '';
      this.env = null;
      this.stdin = '';
    }
    exec(combined) {
      const answer = R.py('pv_os.run', [this.path, this.args.slice(1),
        { dir: str(this.dir), env: this.env, stdin: str(this.stdin), combined }]);
      if (answer.refused !== undefined) throw new Error(answer.refused);
      const out = R.bytes(answer.ok);
      if (answer.error !== undefined) {
        const err = R.goError(answer.error);
        err.stderr = answer.stderr;
        err.output = out;
        throw err;
      }
      return out;
    }
    output() { return this.exec(false); }
    combinedOutput() { return this.exec(true); }
    run() { this.exec(false); }
  }
  const cmd = (name, ...args) => new Cmd(str(name), args.map(str));

  G.$os = Object.freeze({
    args: Object.freeze((R.config.args || []).slice()),
    getenv: (key) => R.py('pv_os.process', ['env:' + str(key)]),
    getwd: () => R.py('pv_os.process', ['getwd']),
    tempDir: () => R.py('pv_os.process', ['tempDir']),
    exit() { throw new Error('pagesvm: $os.exit() would stop the server; it is not available'); },
    cmd,
    exec: cmd,
    stat: (path) => new FileInfo(call('stat', [str(path)])),
    readFile: (path) => R.bytes(call('readFile', [str(path)])),
    readDir: (path) => call('readDir', [str(path)]).map((e) => new DirEntry(e)),
    writeFile(path, data, perm) {
      const payload = typeof data === 'string' ? data : Array.isArray(data) ? Array.from(data, int) : str(data);
      call('writeFile', [str(path), payload, int(perm)]);
    },
    mkdir: (path, perm) => { call('file', ['mkdir', str(path), int(perm)]); },
    mkdirAll: (path, perm) => { call('file', ['mkdirAll', str(path), int(perm)]); },
    remove: (path) => { call('file', ['remove', str(path)]); },
    removeAll: (path) => { call('file', ['removeAll', str(path)]); },
    rename: (from, to) => { call('file', ['rename', str(from), str(to)]); },
    truncate: (path, size) => { call('file', ['truncate', str(path), int(size)]); },
  });
  R.shared.push(FileMode, GoTime, FileInfo, DirEntry, Cmd);
})(globalThis);
