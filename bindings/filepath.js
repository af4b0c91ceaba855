// PocketBase's `$filepath`: Go's path/filepath on a Unix system, in JavaScript (pure string work, no
// crossing). Only `glob` lists folders (one call per folder it reads). walk/walkDir are not there yet.
// Functions that return (value, error) in Go throw a GoError; two results come back as an array.
(function (G) {
  'use strict';
  const R = G.__pv;
  const str = (v) => (v === undefined || v === null ? '' : String(v));
  const BAD_PATTERN = 'syntax error in pattern';

  // Go's lexical Clean: one slash between names, no `.`, `..` resolved where it can be, "." for nothing.
  function clean(path) {
    path = str(path);
    if (path === '') return '.';
    const rooted = path[0] === '/';
    const out = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (out.length && out[out.length - 1] !== '..') out.pop();
        else if (!rooted) out.push('..');
      } else out.push(part);
    }
    const joined = out.join('/');
    return rooted ? '/' + joined : joined || '.';
  }
  function split(path) {
    path = str(path);
    const i = path.lastIndexOf('/');
    return [path.slice(0, i + 1), path.slice(i + 1)];
  }
  function base(path) {
    path = str(path).replace(/\/+$/, '');
    if (path === '') return str(arguments[0]) === '' ? '.' : '/';
    return path.slice(path.lastIndexOf('/') + 1);
  }
  function ext(path) {
    path = str(path);
    for (let i = path.length - 1; i >= 0 && path[i] !== '/'; i--) if (path[i] === '.') return path.slice(i);
    return '';
  }
  function join(...elems) {
    const parts = elems.map(str).filter((e) => e !== '');
    return parts.length ? clean(parts.join('/')) : '';
  }
  function rel(basepath, targpath) {
    const b = clean(basepath), t = clean(targpath);
    if (b === t) return '.';
    const fail = () => R.goError("Rel: can't make " + str(targpath) + ' relative to ' + str(basepath));
    if ((b[0] === '/') !== (t[0] === '/')) throw fail();
    const bs = b === '.' ? [] : b.split('/').filter((p) => p !== '');
    const ts = t === '.' ? [] : t.split('/').filter((p) => p !== '');
    let i = 0;
    while (i < bs.length && i < ts.length && bs[i] === ts[i]) i++;
    if (bs.slice(i).includes('..')) throw fail();
    const up = bs.slice(i).map(() => '..');
    return up.concat(ts.slice(i)).join('/') || '.';
  }

  // Go's Match: `*` and `?` never cross '/', `[...]` with `^` negation and ranges, `\` escapes.
  // A malformed pattern is an error even where the name already failed to match.
  function classAt(pat, i, ch) {  // -> [matched, index after the class]
    i++;
    let negated = false, matched = false, first = true;
    if (pat[i] === '^') { negated = true; i++; }
    for (;;) {
      if (i >= pat.length) throw R.goError(BAD_PATTERN);
      if (pat[i] === ']' && !first) return [matched !== negated, i + 1];
      first = false;
      const lo = charAt(pat, i); i = lo[1];
      let hi = lo;
      if (pat[i] === '-') { hi = charAt(pat, i + 1); i = hi[1]; }
      if (lo[0] <= ch && ch <= hi[0]) matched = true;
    }
  }
  function charAt(pat, i) {  // one class character -> [code point, next index]
    if (i >= pat.length || pat[i] === '-' || pat[i] === ']') throw R.goError(BAD_PATTERN);
    if (pat[i] === '\\') { i++; if (i >= pat.length) throw R.goError(BAD_PATTERN); }
    const cp = pat.codePointAt(i);
    return [cp, i + (cp > 0xffff ? 2 : 1)];
  }
  function validate(pat, i) {  // throws on a malformed rest of pattern
    while (i < pat.length) {
      if (pat[i] === '\\') { if (i + 1 >= pat.length) throw R.goError(BAD_PATTERN); i += 2; }
      else if (pat[i] === '[') i = classAt(pat, i, -1)[1];
      else i++;
    }
  }
  function matchFrom(pat, p, name, n) {
    while (p < pat.length) {
      const c = pat[p];
      if (c === '*') {
        while (pat[p] === '*') p++;
        for (let k = n; ; k++) {
          if (matchFrom(pat, p, name, k)) return true;
          if (k >= name.length || name[k] === '/') { validate(pat, p); return false; }
        }
      }
      if (n >= name.length || (c === '?' && name[n] === '/')) { validate(pat, p); return false; }
      const cp = name.codePointAt(n);
      const width = cp > 0xffff ? 2 : 1;
      if (c === '?') { p++; n += width; continue; }
      if (c === '[') {
        const [ok, next] = classAt(pat, p, cp);
        if (!ok) { validate(pat, next); return false; }
        p = next; n += width; continue;
      }
      let lit = c;
      if (c === '\\') { if (p + 1 >= pat.length) throw R.goError(BAD_PATTERN); lit = pat[++p]; }
      if (name[n] !== lit) { validate(pat, p + 1); return false; }
      p++; n++;
    }
    return n === name.length;
  }
  function match(pattern, name) { return matchFrom(str(pattern), 0, str(name), 0); }

  const hasMeta = (path) => /[*?[\\]/.test(path);
  // Go's Glob: names sorted as listed, an unreadable folder gives nothing, only a bad pattern fails.
  function glob(pattern) {
    pattern = str(pattern);
    validate(pattern, 0);
    if (!hasMeta(pattern)) return R.py('pv_filepath.exists', [pattern]) ? [pattern] : [];
    let [dir, file] = split(pattern);
    dir = dir === '' ? '.' : dir.length > 1 ? dir.replace(/\/+$/, '') : dir;
    const dirs = hasMeta(dir) ? glob(dir) : [dir];
    const out = [];
    for (const d of dirs) {
      for (const entry of R.py('pv_filepath.list', [d]) || []) {
        if (match(file, entry)) out.push(join(d, entry));
      }
    }
    return out;
  }

  G.$filepath = Object.freeze({
    base, clean, ext, join, match, rel, glob,
    dir: (path) => clean(split(path)[0]),
    split: (path) => split(path),
    isAbs: (path) => str(path)[0] === '/',
    splitList: (path) => (str(path) === '' ? [] : str(path).split(':')),
    toSlash: (path) => str(path),
    fromSlash: (path) => str(path),
  });
})(globalThis);
