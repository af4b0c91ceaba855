// A small stand-in for the Datastar client, served in place of its CDN bundle by the browser tests (the real one
// is not on npm in a version that knows patch-elements). It speaks the protocol the datastar plugin relies on:
// `datastar-fetch` events whose detail is {type, argsRaw}; `@get(url)` sending the signals as the `datastar`
// query parameter with `Datastar-Request: true` and applying the event stream it answers; data-signals-*,
// data-bind-* (inputs) and data-text="$name". Patches: outer (by id), inner, append, remove; signals merged.
(function () {
  'use strict';
  const signals = {};
  const camel = (name) => name.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  const literal = (text) => (/^'.*'$/.test(text) ? text.slice(1, -1) : JSON.parse(text));

  function show() {
    document.querySelectorAll('[data-text]').forEach((el) => {
      const value = signals[el.getAttribute('data-text').replace(/^\$/, '')];
      el.textContent = value === undefined ? '' : String(value);
    });
    for (const input of document.querySelectorAll('input')) {
      for (const attr of input.getAttributeNames()) {
        if (attr.startsWith('data-bind-')) input.value = signals[camel(attr.slice(10))] ?? '';
      }
    }
  }

  function wire(root) {
    const all = [root].concat(Array.from(root.querySelectorAll('*')));
    for (const el of all) {
      for (const attr of el.getAttributeNames ? el.getAttributeNames() : []) {
        if (attr.startsWith('data-signals-')) signals[camel(attr.slice(13))] = literal(el.getAttribute(attr));
        if (attr.startsWith('data-bind-')) {
          const name = camel(attr.slice(10));
          if (!(name in signals)) signals[name] = el.value;
          el.addEventListener('input', () => { signals[name] = el.value; });
        }
        if (attr === 'data-on-click') {
          const call = /^@get\('([^']*)'\)$/.exec(el.getAttribute(attr));
          if (call) el.addEventListener('click', () => get(call[1]));
        }
      }
    }
    show();
  }

  function apply(type, args) {
    if (type === 'datastar-patch-signals') {
      Object.assign(signals, JSON.parse(args.signals));
      show();
      return;
    }
    const mode = args.mode || 'outer';
    const target = args.selector ? document.querySelector(args.selector) : null;
    if (mode === 'remove') return target && target.remove();
    const holder = document.createElement('template');
    holder.innerHTML = args.elements || '';
    if (mode === 'inner') { target.innerHTML = args.elements; wire(target); return; }
    if (mode === 'append') { const made = Array.from(holder.content.children); target.append(holder.content); made.forEach(wire); return; }
    for (const el of Array.from(holder.content.children)) {
      const old = el.id && document.getElementById(el.id);
      if (old) { old.replaceWith(el); wire(el); }
    }
  }

  function get(url) {
    const query = (url.includes('?') ? '&' : '?') + 'datastar=' + encodeURIComponent(JSON.stringify(signals));
    fetch(url + query, { headers: { 'Datastar-Request': 'true', Accept: 'text/event-stream, text/html' } })
      .then((answer) => answer.text())
      .then((text) => {
        for (const block of text.split('\n\n')) {
          let type = null;
          const args = {};
          for (const line of block.split('\n')) {
            if (line.startsWith('event: ')) type = line.slice(7);
            if (!line.startsWith('data: ')) continue;
            const data = line.slice(6), space = data.indexOf(' ');
            const key = data.slice(0, space), value = data.slice(space + 1);
            args[key] = key in args ? args[key] + '\n' + value : value;
          }
          if (type) apply(type, args);
        }
      });
  }

  document.addEventListener('datastar-fetch', (event) => apply(event.detail.type, event.detail.argsRaw));
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', () => wire(document.body));
  else wire(document.body);
})();
