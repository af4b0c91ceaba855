/// <reference path="../pb_data/types.d.ts" />
// The query corpus records: fixed 15-character ids and values chosen for the edge cases the corpus filters on
// (empty strings, zero, `%` and `_` in text, quotes, a backslash, unicode, case differences, dates far from now).
migrate((app) => {
  const put = (collection, id, data) => {
    const record = new Record(app.findCollectionByNameOrId(collection), data);
    record.id = id;
    app.save(record);
  };

  put("authors", "authoralice0001", { name: "Alice", email: "alice@example.com", site: "https://alice.example.com",
    active: true, age: 30, born: "1990-05-01 08:30:00.000Z", bio: "<p>Writes about <b>Go</b></p>" });
  put("authors", "authorbob000002", { name: "bob", email: "bob@example.org", site: "",
    active: false, age: 0, born: "", bio: "" });
  put("authors", "authorcarol0003", { name: "Carol", email: "", site: "http://carol.example.net/x?y=1",
    active: true, age: 45, born: "1975-12-31 23:59:59.000Z", bio: "100% organic" });
  put("authors", "authordave00004", { name: "Dave_Smith", email: "dave@example.com", site: "",
    active: false, age: -3, born: "2080-01-01 00:00:00.000Z", bio: "" });

  put("tags", "tagred000000001", { name: "red", color: "red", weight: 1 });
  put("tags", "taggreen0000002", { name: "green", color: "green", weight: 2.5 });
  put("tags", "tagblue00000003", { name: "blue", color: "blue", weight: 0 });
  put("tags", "tagorphan000004", { name: "orphan", color: "", weight: -1 });

  put("posts", "posthello000001", { title: "Hello World", slug: "hello-world", body: "<p>first post</p>",
    views: 10, rating: 4.5, published: true, status: "published", labels: ["go", "js"],
    author: "authoralice0001", tags: ["tagred000000001", "tagblue00000003"], meta: { a: 1, tags: ["x"] },
    published_at: "2001-01-01 00:00:00.000Z", link: "https://example.com/hello", contact: "alice@example.com",
    secret: "s1" });
  put("posts", "postagain000002", { title: "hello again", slug: "hello-again", body: "",
    views: 0, rating: 0, published: false, status: "draft", labels: [],
    author: "authorbob000002", tags: [], meta: null,
    published_at: "", link: "", contact: "", secret: "" });
  put("posts", "postpercent0003", { title: "100% pure", slug: "100-pure", body: "<p>50% off_now</p>",
    views: 100, rating: -1.5, published: true, status: "published", labels: ["py"],
    author: "authoralice0001", tags: ["taggreen0000002"], meta: { a: 2 },
    published_at: "2099-12-31 00:00:00.000Z", link: "http://example.org", contact: "", secret: "s3" });
  put("posts", "postsnake000004", { title: "snake_case title", slug: "snake-case", body: "under_score",
    views: 5, rating: 2, published: true, status: "archived", labels: ["go", "py", "sql"],
    author: "authorcarol0003", tags: ["tagred000000001", "taggreen0000002", "tagblue00000003"], meta: [1, 2, 3],
    published_at: "2050-06-15 12:00:00.000Z", link: "", contact: "carol@example.net", secret: "" });
  put("posts", "postunicode0005", { title: "Ünïcödé 日本語", slug: "unicode", body: "<p>ÄÖÜ äöü</p>",
    views: 42, rating: 3.25, published: false, status: "", labels: ["js"],
    author: "", tags: ["tagblue00000003"], meta: { nested: { k: "v" } },
    published_at: "1999-12-31 23:59:59.000Z", link: "", contact: "", secret: "" });
  put("posts", "postquote000006", { title: "O'Brien said \"hi\"", slug: "o-brien", body: "it's",
    views: 7, rating: 1, published: true, status: "draft", labels: ["sql"],
    author: "authorbob000002", tags: ["tagred000000001"], meta: "text",
    published_at: "2001-01-01 00:00:00.000Z", link: "", contact: "bob@example.org", secret: "" });
  put("posts", "postupper000007", { title: "HELLO WORLD", slug: "hello-world-2", body: "<p>loud</p>",
    views: 10, rating: 4.5, published: false, status: "published", labels: ["go"],
    author: "authorcarol0003", tags: ["tagred000000001"], meta: { a: 1 },
    published_at: "2001-01-01 00:00:00.000Z", link: "", contact: "", secret: "" });
  put("posts", "postslash000008", { title: "back\\slash 1=1", slug: "back-slash", body: "",
    views: 3, rating: 0.5, published: true, status: "draft", labels: [],
    author: "authordave00004", tags: [], meta: 0,
    published_at: "2150-01-01 00:00:00.000Z", link: "", contact: "", secret: "" });

  put("comments", "commentnice0001", { post: "posthello000001", author: "authorbob000002", message: "Nice!", score: 5 });
  put("comments", "commentmeh00002", { post: "posthello000001", author: "authorcarol0003", message: "meh", score: 1 });
  put("comments", "commentpct00003", { post: "postpercent0003", author: "authoralice0001", message: "100%", score: 3 });
  put("comments", "commentempty004", { post: "postsnake000004", author: "authorbob000002", message: "", score: 0 });
  put("comments", "commentanon0005", { post: "postunicode0005", author: "", message: "anonymous", score: 2 });
  put("comments", "commentagain006", { post: "posthello000001", author: "authoralice0001", message: "again",
    score: 4 });

  // A file field holds file names; no file is uploaded here, so the name is written as data.
  app.db().newQuery("UPDATE posts SET cover = {:name} WHERE id = {:id}")
    .bind({ name: "cover_abc123.png", id: "posthello000001" }).execute();

  const users = app.findCollectionByNameOrId("users");
  for (const [id, email, name] of [["userann00000001", "ann@example.com", "Ann"],
                                   ["userben00000002", "Ben@Example.com", "Ben"]]) {
    const user = new Record(users, { email: email, name: name });
    user.id = id;
    user.setPassword("password-123");
    app.save(user);
  }
}, (app) => {
  for (const name of ["comments", "posts", "tags", "authors"]) {
    for (const record of app.findAllRecords(name)) app.delete(record);
  }
  for (const id of ["userann00000001", "userben00000002"]) app.delete(app.findRecordById("users", id));
})
