// The bench's hook routes (bench/versus.py): the same file served by pagesvm and by the real PocketBase.
routerAdd("GET", "/api/bench/json", (e) => {
  const items = [];
  for (let i = 0; i < 20; i++) items.push({ id: i, name: "item " + i, price: i * 1.25 });
  return e.json(200, { ok: true, count: items.length, items: items });
});

routerAdd("GET", "/bench/template", (e) => {
  const items = [];
  for (let i = 0; i < 100; i++) items.push({ id: i, name: `Item <${i}> & "friends"`, note: `it's #${i}` });
  const page = `<!doctype html>
<html><head><title>{{.title}}</title></head>
<body><ul>{{range .items}}
<li><a href="/items/{{.id}}" title="{{.note}}">{{.name}}</a></li>{{end}}
</ul></body></html>
`;
  return e.html(200, $template.loadString(page).render({ title: "Items & more", items: items }));
});
