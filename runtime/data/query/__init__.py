"""PocketBase's filter language and sort strings compiled to parametrised SQL (lexer → parser → resolve →
compile → select), through one dialect seam (dialect.py: SQLite, PostgreSQL). Plain Python: no HTTP, no JS."""
from .lexer import FilterError
from .parser import parse
from .select import build_select, cached_select

__all__ = ["FilterError", "build_select", "cached_select", "parse"]
