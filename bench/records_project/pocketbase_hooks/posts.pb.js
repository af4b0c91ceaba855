// The same page as pb_hooks/pages/(app)/posts.ejs in its layout, built by PocketBase's own router: the bench's
// reference for the records row (bench/versus.py; only PocketBase is given this folder). The HTML is byte for byte
// what pagesvm renders.
routerAdd("GET", "/posts", (e) => {
  const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;" })[c]);
  const posts = $app.findRecordsByFilter("posts", "views >= {:min}", "-views", 50, 0, { min: 100 });
  $app.expandRecords(posts, ["author"], null);
  let items = "";
  for (const p of posts) {
    items += `<li><a href="/posts/${escape(p.id)}">${escape(p.getString("title"))}</a> by ${escape(p.expandedOne("author").getString("name"))} (${escape(p.getInt("views"))})</li>`;
  }
  return e.html(200, `<!doctype html>\n<html><head><title>Posts</title></head>\n<body><main><ul>${items}</ul></main></body>\n</html>\n`);
});
