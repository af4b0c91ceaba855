"""PocketBase's data layer: the data.db file, collections, records, migrations bookkeeping, SQL.

It knows nothing of HTTP or JavaScript: the built-in binding families and the render layer call
it; what it must call back (record hooks written in JavaScript, a migration's body) it is given
as plain functions at start-up.
"""
