"""sqlite-corpus from Python: load the extension, and a few helpers.

The SQL is the API (docs/README.md).  This package ships the shared
library built by `make` and the SQL recipes of sql/, and adds thin typed
wrappers over the SQL for the common jobs: read a JSON Lines file into a
table, count tokens, filter by quality, remove exact and near duplicates.

    import sqlite3, sqlite_corpus
    con = sqlite3.connect(":memory:")
    sqlite_corpus.load(con)
    con.execute("SELECT token_count('hello world', 'cl100k_base')").fetchone()  # (2,)
"""
from __future__ import annotations

import os
import re
import sqlite3
from typing import Dict, List, Mapping, Optional, Tuple, Union

__all__ = [
    "ExtensionLoadingUnavailable", "loadable_path", "load", "recipe_path",
    "recipe", "read_jsonl", "token_count", "quality_reject", "quality_filter",
    "exact_dedup", "near_dedup", "__version__",
]

_HERE = os.path.dirname(os.path.abspath(__file__))


def _read_version() -> str:
    try:
        with open(os.path.join(_HERE, "VERSION"), encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return "unknown"


__version__ = _read_version()


class ExtensionLoadingUnavailable(RuntimeError):
    """This Python's sqlite3 module was built without extension loading."""


_NO_LOADING = (
    "sqlite_corpus: this Python's sqlite3 module cannot load extensions "
    "(sqlite3.Connection has no enable_load_extension): it was built without "
    "--enable-loadable-sqlite-extensions, as pyenv's default builds and macOS's "
    "system Python are. Use a Python that has it, such as Debian's /usr/bin/python3, "
    "or rebuild yours: PYTHON_CONFIGURE_OPTS=--enable-loadable-sqlite-extensions "
    "pyenv install <version>")


def loadable_path() -> str:
    """The path of the extension's shared library inside this package,
    without its suffix (".so"), as load_extension() takes it: SQLite adds
    the suffix, and derives the entry point sqlite3_corpus_init from the
    file's name."""
    return os.path.normpath(os.path.join(_HERE, "corpus"))


def load(conn: sqlite3.Connection) -> None:
    """Load the extension into conn.

    Turns extension loading on for the call only (enable_load_extension(True),
    load_extension, enable_load_extension(False)), so that SQL run later
    cannot load other libraries.  Raises ExtensionLoadingUnavailable when this
    Python cannot load extensions, FileNotFoundError when the package holds no
    library, sqlite3.OperationalError when SQLite refuses it, TypeError
    when conn is not a sqlite3.Connection."""
    if not isinstance(conn, sqlite3.Connection):
        raise TypeError(
            "sqlite_corpus.load: expected a sqlite3.Connection, got %s%s"
            % (type(conn).__module__ + "." + type(conn).__qualname__
               if type(conn).__module__ != "builtins" else type(conn).__qualname__,
               " (for a sqlite_utils Database, pass its .conn)"
               if type(conn).__module__.startswith("sqlite_utils") else ""))
    enable = getattr(conn, "enable_load_extension", None)
    if enable is None:
        raise ExtensionLoadingUnavailable(_NO_LOADING)
    path = loadable_path()
    if not any(os.path.exists(path + s) for s in (".so", ".dylib", ".dll")):
        raise FileNotFoundError(
            "sqlite_corpus: the extension's library %s.so is missing from the package: "
            "run `make` in the repository's top directory, then install ./python again"
            % path)
    enable(True)
    try:
        conn.load_extension(path)
    finally:
        enable(False)


def recipe_path(name: str) -> str:
    """The path of a SQL recipe of sql/ shipped in this package
    ("dedup.sql", "exact_dedup.sql", "pipeline.sql", ...)."""
    path = os.path.join(_HERE, "sql", name)
    if os.path.basename(name) != name or not os.path.isfile(path):
        have = sorted(os.listdir(os.path.join(_HERE, "sql")))
        raise FileNotFoundError("sqlite_corpus: no recipe %r (have: %s)"
                                % (name, ", ".join(have)))
    return path


def recipe(name: str) -> str:
    """The text of a shipped SQL recipe, for conn.executescript()."""
    with open(recipe_path(name), encoding="utf-8") as f:
        return f.read()


def _ident(name: str) -> str:
    """name as a quoted SQL identifier: every '"' doubled, the whole wrapped
    in '"'.  Always: a name that looks quoted already is quoted again, so
    that no name passes into the SQL as SQL."""
    if not isinstance(name, str):
        raise TypeError("sqlite_corpus: a table or column name must be a str, got %r"
                        % (name,))
    return '"' + name.replace('"', '""') + '"'


Table = Union[str, Tuple[str, str]]


def _split_table(table: Table) -> Tuple[Optional[str], str]:
    # "name" or (schema, name); a "." in a str is part of the name
    if isinstance(table, tuple):
        if len(table) != 2 or not all(isinstance(x, str) for x in table):
            raise TypeError("sqlite_corpus: a table is a name or a (schema, name) "
                            "tuple, got %r" % (table,))
        return table[0], table[1]
    if not isinstance(table, str):
        raise TypeError("sqlite_corpus: a table is a name or a (schema, name) "
                        "tuple, got %r" % (table,))
    return None, table


def _qualified(table: Table) -> str:
    schema, name = _split_table(table)
    return _ident(name) if schema is None else _ident(schema) + "." + _ident(name)


_ROWID = ("rowid", "oid", "_rowid_")


def _schemas(conn: sqlite3.Connection) -> List[str]:
    # in the order SQLite looks an unqualified name up: temp, main, attached
    names = [r[1] for r in conn.execute("PRAGMA database_list")]
    return sorted(names, key=lambda n: (n != "temp", n != "main", names.index(n)))


def _checked(conn: sqlite3.Connection, func: str, table: Table,
             **columns: str) -> Tuple[str, Dict[str, str], str]:
    """Check that table exists and has the named columns; return the
    table's quoted, schema-qualified name, the columns' SQL and the schema
    that holds the table.  An unknown
    name in double quotes would be read by SQLite as a string literal,
    which gives a wrong answer instead of an error."""
    schema, name = _split_table(table)
    if schema is None:
        found = [s for s in _schemas(conn) if conn.execute(
            "SELECT 1 FROM pragma_table_xinfo(?, ?)", (name, s)).fetchone()]
    else:
        if not conn.execute("SELECT 1 FROM pragma_database_list WHERE name = ? "
                            "COLLATE NOCASE", (schema,)).fetchone():
            raise sqlite3.OperationalError("%s: no database %s" % (func, _ident(schema)))
        found = [schema] if conn.execute(
            "SELECT 1 FROM pragma_table_xinfo(?, ?)", (name, schema)).fetchone() else []
    if not found:
        raise sqlite3.OperationalError("%s: no table or view %s"
                                       % (func, _qualified(table)))
    schema = found[0]
    qualified = _ident(schema) + "." + _ident(name)
    have = [r[0] for r in conn.execute(
        "SELECT name FROM pragma_table_xinfo(?, ?)", (name, schema))]
    sql = {}
    for role, col in columns.items():
        if not isinstance(col, str):
            raise TypeError("%s: %s must be a column name (a str), got %r"
                            % (func, role, col))
        if any(_fold(h) == _fold(col) for h in have):
            sql[role] = _ident(col)
        elif col.lower() in _ROWID and _has_rowid(conn, qualified, col):
            sql[role] = col  # one of three fixed words: rowid, oid, _rowid_
        else:
            raise sqlite3.OperationalError(
                "%s: %s %s has no column %s (%s=%r; its columns: %s)"
                % (func, "view" if _is_view(conn, schema, name) else "table",
                   _qualified(table), _ident(col), role, col, ", ".join(have)))
    return qualified, sql, schema


def _fold(name: str) -> str:
    # SQLite compares names case-insensitively in ASCII only
    return name.translate(_ASCII_LOWER)


_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _has_rowid(conn: sqlite3.Connection, qualified: str, word: str) -> bool:
    try:
        conn.execute("SELECT %s FROM %s LIMIT 0" % (word, qualified)).fetchall()
    except sqlite3.OperationalError:
        return False
    return True


def _is_view(conn: sqlite3.Connection, schema: str, name: str) -> bool:
    master = "sqlite_temp_master" if schema.lower() == "temp" else \
        _ident(schema) + ".sqlite_master"
    return conn.execute("SELECT 1 FROM %s WHERE type = 'view' AND name = ? COLLATE NOCASE"
                        % master, (name,)).fetchone() is not None


def _literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def read_jsonl(conn: sqlite3.Connection, path: str, table: Table, *,
               columns: Optional[str] = "id,text",
               options: Optional[str] = None) -> int:
    """Create table `table` from the JSON Lines file(s) `path` (a file or a
    glob; plain, gzip or zstd) and return its number of rows.

    columns is read_jsonl's columns= option ("id,text", "url:meta.url", ...):
    the table gets those columns only; None gives read_jsonl's own columns
    (file, line, json).  options are further read_jsonl options
    ("on_error=skip", docs/jsonl.md).  A thin wrapper over
    CREATE VIRTUAL TABLE temp.x USING read_jsonl(path, 'columns=...')."""
    opts = " ".join(o for o in (
        None if columns is None else "columns=" + _literal_option(columns),
        options) if o)
    tmp = "temp.corpus_read_jsonl_py"
    conn.execute("DROP TABLE IF EXISTS %s" % tmp)
    conn.execute("CREATE VIRTUAL TABLE %s USING read_jsonl(%s, %s)"
                 % (tmp, _literal(path), _literal(opts)))
    try:
        if columns is None:
            names = ["file", "line", "json"]
        else:
            names = [item.split(":", 1)[0].strip() for item in columns.split(",")]
        conn.execute("CREATE TABLE %s AS SELECT %s FROM %s"
                     % (_qualified(table), ", ".join(_ident(n) for n in names), tmp))
    finally:
        conn.execute("DROP TABLE %s" % tmp)
    return conn.execute("SELECT count(*) FROM %s" % _qualified(table)).fetchone()[0]


def _literal_option(value: str) -> str:
    # an option value quoted with "...", so that commas stay in the value
    return '"' + value.replace('"', '""') + '"'


def token_count(conn: sqlite3.Connection, text: Optional[str],
                tokenizer: Optional[str] = "cl100k_base") -> Optional[int]:
    """The number of tokens of text: tiktoken's cl100k_base (GPT-4) unless
    another tokenizer is named ("o200k_base", "r50k_base", "words", ...);
    None gives the SQL function's default, words.  NULL in, NULL out.
    SELECT token_count(text, tokenizer)."""
    return conn.execute("SELECT token_count(?, ?)", (text, tokenizer)).fetchone()[0]


def quality_reject(conn: sqlite3.Connection, text: Optional[str],
                   options: Optional[str] = None) -> Optional[str]:
    """Why text would be dropped by the quality rules (the first rule that
    fails, such as "gopher:min_words"), or None when it is kept.
    SELECT quality_reject(text, options) (docs/quality.md)."""
    return conn.execute("SELECT quality_reject(?, ?)", (text, options)).fetchone()[0]


def quality_filter(conn: sqlite3.Connection, table: Table, *, text: str = "text",
                   options: Optional[str] = None,
                   kept: Optional[Table] = None) -> Dict[str, int]:
    """Count the rows of table by fate under the quality rules: "kept", the
    rule that rejects them ("gopher:min_words", ...), or "no text" (NULL).
    With kept="name", also create that table with the kept rows.  Returns
    {fate: rows}, the largest first."""
    src, cols, _ = _checked(conn, "quality_filter", table, text=text)
    col = cols["text"]
    fate = ("CASE WHEN %s IS NULL THEN 'no text' "
            "ELSE coalesce(quality_reject(%s, ?), 'kept') END" % (col, col))
    rows = conn.execute("SELECT %s AS fate, count(*) FROM %s GROUP BY 1 ORDER BY 2 DESC, 1"
                        % (fate, src), (options,)).fetchall()
    if kept is not None:
        conn.execute("CREATE TABLE %s AS SELECT * FROM %s WHERE %s IS NOT NULL "
                     "AND quality_reject(%s, ?) IS NULL"
                     % (_qualified(kept), src, col, col), (options,))
    return dict(rows)


Id = Union[int, str]


def exact_dedup(conn: sqlite3.Connection, table: Table, *, id: str = "id",
                text: str = "text") -> List[Id]:
    """The ids of the exact copies in table: the documents whose normalized
    text (normalize()'s default) equals that of a document with a lesser
    id, which is kept.  Contentless texts (no word) are never copies, as in
    sql/exact_dedup.sql.  Rows with a NULL id are skipped: they are neither
    reported (a NULL id cannot name a row to delete) nor kept as the
    original of a copy.  Delete the copies with
    DELETE FROM table WHERE id IN (...)."""
    src, cols, _ = _checked(conn, "exact_dedup", table, id=id, text=text)
    sql = """
      WITH norm AS MATERIALIZED (
        SELECT {id} AS id, normalize({text}) AS norm FROM {table}
         WHERE {id} IS NOT NULL AND {text} IS NOT NULL),
      keyed AS MATERIALIZED (
        SELECT id, xxh128(norm) AS k FROM norm WHERE token_count(norm) > 0)
      SELECT id FROM (SELECT id, min(id) OVER (PARTITION BY k) AS first FROM keyed)
       WHERE id <> first
       ORDER BY id""".format(id=cols["id"], text=cols["text"], table=src)
    return [r[0] for r in conn.execute(sql)]


_SETTINGS = ("threshold", "num_perm", "ngram", "bands", "rows", "all_pairs",
             "verify_all")


def _dedup_script(settings: Mapping[str, Union[int, float]]) -> str:
    script = recipe("dedup.sql")
    head, sep, rest = script.partition("CREATE TABLE dedup_settings AS SELECT")
    block, semi, tail = rest.partition(";")
    for key, value in settings.items():
        if key not in _SETTINGS:
            raise ValueError("near_dedup: unknown setting %r (valid: %s)"
                             % (key, ", ".join(_SETTINGS)))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise TypeError("near_dedup: %s must be a number, got %r" % (key, value))
        block, n = re.subn(r"(\n\s*)[0-9.]+(\s+AS\s+%s\b)" % key,
                           lambda m: m.group(1) + repr(value) + m.group(2), block)
        if n != 1:
            raise RuntimeError("near_dedup: dedup.sql has no setting %s" % key)
    return head + sep + block + semi + tail


def near_dedup(conn: sqlite3.Connection, table: Table = "docs", *, id: str = "id",
               text: str = "text", **settings: Union[int, float]) -> int:
    """Run the near-duplicate recipe sql/dedup.sql (MinHash, LSH, exact
    Jaccard check, clusters) over table and return the number of documents
    that are near-duplicates of one kept.

    settings override the recipe's (threshold=0.8, num_perm=128, ngram=5,
    bands=16, rows=8, all_pairs=50, verify_all=0).  The recipe's tables stay in the
    database: dedup_cluster(id, cluster) and the view docs_dedup of the
    survivors (made over table; a temporary view when table is not in
    main, as a view in main cannot read it).  table is a name, looked up
    as SQLite does (temp, main, attached databases), or a (schema, name)
    tuple.  The recipe reads docs(id, text); for
    another table or other column names, a temporary view docs is made
    over it for the run (a temporary docs must not exist).  It runs in a
    transaction of its own (executescript commits a pending one first): a
    failure rolls it back."""
    script = _dedup_script(settings)
    src, cols, where = _checked(conn, "near_dedup", table, id=id, text=text)
    schema, name = _split_table(table)
    own_view = (schema, name, id, text) != (None, "docs", "id", "text")
    if own_view:
        if conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'docs' "
                        "COLLATE NOCASE").fetchone():
            raise sqlite3.OperationalError(
                "near_dedup: a temporary table or view docs exists, which the "
                "recipe would read instead of the view it needs over %s (drop or "
                "rename it)" % _qualified(table))
        # src is schema-qualified: the view reads the table, not itself,
        # when the table is named docs too
        conn.execute("CREATE TEMP VIEW docs AS SELECT %s AS id, %s AS text FROM %s"
                     % (cols["id"], cols["text"], src))
    try:
        conn.executescript(script)
        if own_view:
            # a view in main reads main's tables only: over a table of
            # another database (temp, attached), docs_dedup is a temporary view
            conn.executescript(
                "BEGIN; DROP VIEW docs_dedup;"
                "CREATE %s VIEW docs_dedup AS SELECT d.* FROM %s AS d"
                " WHERE NOT EXISTS (SELECT 1 FROM main.dedup_cluster AS c"
                " WHERE c.id = d.%s AND c.id <> c.cluster); COMMIT;"
                % ((("", _ident(name)) if _fold(where) == "main" else ("TEMP", src))
                   + (cols["id"],)))
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise
    finally:
        if own_view:
            conn.execute("DROP VIEW temp.docs")
    return conn.execute(
        "SELECT count(*) FROM dedup_cluster WHERE id <> cluster").fetchone()[0]
