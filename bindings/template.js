// PocketBase's `$template` (its template registry): loadString(text) and loadFiles(...paths) give a
// renderer whose render(data) returns the HTML, or throws the Go error's text, as the JSVM does.
// Rendering happens in Python (bindings/template.py, bindings/gotemplate/): one crossing per render,
// carrying the template text (or the paths) and the data as JSON.
(function (G) {
  'use strict';
  const R = G.__pv;
  if (!R) return;

  class GoError extends Error {}
  Object.defineProperty(GoError.prototype, 'name', { value: 'GoError', writable: true, configurable: true });

  function renderer(kind, spec) {
    return Object.freeze({
      render(data) {
        const json = data === undefined ? 'null' : JSON.stringify(data);
        const answer = R.py('pv_template.render', [kind, spec, json === undefined ? 'null' : json]);
        if (answer.error !== undefined) throw new GoError(answer.error);
        if (answer.kept === true && R.state) R.state.keptHtml = answer.ok;  // Python holds it too (template.py)
        return answer.ok;
      },
    });
  }

  G.$template = Object.freeze({
    loadString(text) { return renderer('s', String(text)); },
    loadFiles(...paths) { return renderer('f', paths.map(String)); },
  });
  R.shared.push(GoError);
})(globalThis);
