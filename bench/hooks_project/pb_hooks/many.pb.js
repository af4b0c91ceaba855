// A file of many routes, as a project's API grows (bench/versus.py): 40 routes behind $apis.requireAuth(), then
// the open route measured. PocketBase runs the file once at start-up; pagesvm runs it again in each request that
// takes one of its handlers (README, "Top-level scope"), so this row shows what a file's size costs a request.
for (let i = 0; i < 40; i++) {
  routerAdd("GET", "/api/many/" + i + "/{id}", (e) => e.json(200, { id: e.request.pathValue("id") }), $apis.requireAuth());
}

routerAdd("GET", "/api/many/open/{id}", (e) => {
  const id = e.request.pathValue("id");
  return e.json(200, { id: id, tags: ["a", "b"], size: id.length });
});
