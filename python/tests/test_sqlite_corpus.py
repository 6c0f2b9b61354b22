"""Tests of the sqlite_corpus package, with unittest (no pytest needed).

test/python01.test installs the package into a scratch venv, offline, and
runs this file with that venv's Python (Debian's /usr/bin/python3):
    python -m unittest discover -s python/tests -v
It tests the installed package, wherever it was installed from.
"""
import os
import sqlite3
import tempfile
import unittest

import sqlite_corpus as sc

NEAR = [
    (1, "The quick brown fox jumps over the lazy dog while the old cat sleeps "
        "on the warm mat by the door."),
    (2, "The quick brown fox jumps over the lazy dog while the old cat sleeps "
        "on the warm mat by the window."),
    (3, "An entirely different sentence about databases, indexes and the query "
        "planner of SQLite."),
    (4, None),
]


def connect():
    con = sqlite3.connect(":memory:")
    sc.load(con)
    return con


class LoadTest(unittest.TestCase):
    def test_loadable_path(self):
        path = sc.loadable_path()
        self.assertEqual(os.path.basename(path), "corpus")
        self.assertEqual(os.path.dirname(path), os.path.dirname(os.path.abspath(sc.__file__)))
        self.assertTrue(os.path.isfile(path + ".so"))

    def test_version(self):
        con = connect()
        self.assertEqual(con.execute("SELECT corpus_version()").fetchone()[0], sc.__version__)
        self.assertRegex(sc.__version__, r"^\d+\.\d+\.\d+")

    def test_load(self):
        con = connect()
        self.assertEqual(
            con.execute("SELECT token_count('hello world', 'cl100k_base')").fetchone(), (2,))

    def test_load_turns_loading_off_again(self):
        con = connect()
        with self.assertRaisesRegex(sqlite3.OperationalError, "^not authorized$"):
            con.execute("SELECT load_extension('anything')")

    def test_load_extension_directly(self):
        # the path as sqlite3's load_extension takes it: no suffix, and the
        # entry point sqlite3_corpus_init found from the file's name
        con = sqlite3.connect(":memory:")
        con.enable_load_extension(True)
        con.load_extension(sc.loadable_path())
        con.enable_load_extension(False)
        self.assertEqual(con.execute("SELECT xxh64('abc')").fetchone(), (4952883123889572249,))

    def test_no_extension_loading(self):
        # a Python built without --enable-loadable-sqlite-extensions: its
        # connections have no enable_load_extension
        class NoLoading(sqlite3.Connection):
            enable_load_extension = None
        with self.assertRaises(sc.ExtensionLoadingUnavailable) as cm:
            sc.load(NoLoading(":memory:"))
        self.assertEqual(str(cm.exception), (
            "sqlite_corpus: this Python's sqlite3 module cannot load extensions "
            "(sqlite3.Connection has no enable_load_extension): it was built without "
            "--enable-loadable-sqlite-extensions, as pyenv's default builds and macOS's "
            "system Python are. Use a Python that has it, such as Debian's /usr/bin/python3, "
            "or rebuild yours: PYTHON_CONFIGURE_OPTS=--enable-loadable-sqlite-extensions "
            "pyenv install <version>"))
        self.assertIsInstance(cm.exception, RuntimeError)

    def test_load_not_a_connection(self):
        # load("x") said this Python cannot load extensions
        for thing, name in (("x", "str"), (None, "NoneType")):
            with self.assertRaises(TypeError) as cm:
                sc.load(thing)
            self.assertEqual(str(cm.exception),
                             "sqlite_corpus.load: expected a sqlite3.Connection, got " + name)

    def test_library_missing(self):
        saved = sc.loadable_path
        sc.loadable_path = lambda: "/nonexistent/sqlite_corpus/corpus"
        try:
            with self.assertRaises(FileNotFoundError) as cm:
                sc.load(sqlite3.connect(":memory:"))
        finally:
            sc.loadable_path = saved
        self.assertEqual(str(cm.exception), (
            "sqlite_corpus: the extension's library /nonexistent/sqlite_corpus/corpus.so "
            "is missing from the package: run `make` in the repository's top directory, "
            "then install ./python again"))

    def test_recipes(self):
        self.assertTrue(sc.recipe("dedup.sql").startswith("-- Near-duplicate removal"))
        self.assertTrue(os.path.isfile(sc.recipe_path("exact_dedup.sql")))
        with self.assertRaisesRegex(FileNotFoundError, r"^sqlite_corpus: no recipe 'nope.sql' \(have: .*dedup.sql"):
            sc.recipe_path("nope.sql")
        with self.assertRaises(FileNotFoundError):
            sc.recipe_path("../__init__.py")


class HelperTest(unittest.TestCase):
    def setUp(self):
        self.con = connect()

    def test_read_jsonl(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "it's.jsonl")
            with open(path, "w") as f:
                f.write('{"id": 1, "text": "Hello, world!", "meta": {"url": "http://a.example/x"}}\n'
                        '{"id": 2, "text": "hello   WORLD"}\n'
                        '{"id": 3, "text": "Something else."}\n')
            self.assertEqual(sc.read_jsonl(self.con, path, "docs"), 3)
            self.assertEqual(self.con.execute("SELECT * FROM docs").fetchall(),
                             [(1, "Hello, world!"), (2, "hello   WORLD"), (3, "Something else.")])
            self.assertEqual(sc.read_jsonl(self.con, path, "urls", columns="id,url:meta.url"), 3)
            self.assertEqual(self.con.execute("SELECT * FROM urls").fetchall(),
                             [(1, "http://a.example/x"), (2, None), (3, None)])
            self.assertEqual(sc.read_jsonl(self.con, path, "raw", columns=None), 3)
            self.assertEqual(self.con.execute("SELECT file = ?, line FROM raw", (path,)).fetchall(),
                             [(1, 1), (1, 2), (1, 3)])
            # the temporary table is gone
            self.assertEqual(self.con.execute("SELECT count(*) FROM sqlite_temp_master").fetchone(), (0,))
            with self.assertRaisesRegex(sqlite3.OperationalError, "^read_jsonl: "):
                sc.read_jsonl(self.con, os.path.join(d, "none*.jsonl"), "x")

    def test_token_count(self):
        self.assertEqual(sc.token_count(self.con, "hello world"), 2)
        self.assertEqual(sc.token_count(self.con, "How many words?"), 4)
        self.assertEqual(sc.token_count(self.con, "How many words?", None), 3)
        self.assertEqual(sc.token_count(self.con, "hello world", "o200k_base"), 2)
        self.assertIsNone(sc.token_count(self.con, None))

    def test_quality_reject(self):
        self.assertEqual(sc.quality_reject(self.con, "Buy now!!! Click here"), "gopher:min_words")
        self.assertEqual(sc.quality_reject(self.con, "Buy now!!!", "rules=fineweb"),
                         "fineweb:short_lines")
        self.assertIsNone(sc.quality_reject(self.con, None))

    def test_quality_filter(self):
        good = ("The committee met on Tuesday to review the budget for the coming year. "
                "Members discussed the costs of the new library in the town centre. They also "
                "talked about the repairs to the old bridge over the river. The plans for the "
                "summer festival in the park were approved. They agreed to publish all of the "
                "figures next week so that every resident can read them.")
        self.con.execute("CREATE TABLE d(id INTEGER PRIMARY KEY, body TEXT)")
        self.con.executemany("INSERT INTO d(body) VALUES (?)",
                             [(good,), ("Buy now!!! Click here",), ("Home | About | Contact",), (None,)])
        self.assertEqual(sc.quality_filter(self.con, "d", text="body", kept="d_kept"),
                         {"gopher:min_words": 2, "kept": 1, "no text": 1})
        self.assertEqual(self.con.execute("SELECT id FROM d_kept").fetchall(), [(1,)])

    def test_exact_dedup(self):
        self.con.execute("CREATE TABLE docs(id INTEGER PRIMARY KEY, text TEXT)")
        self.con.executemany("INSERT INTO docs(text) VALUES (?)",
                             [("Hello, world!",), ("hello   WORLD",), ("Something else.",),
                              ("\U0001F642",), ("\U0001F642",), (None,), ("HELLO WORLD.",)])
        self.assertEqual(sc.exact_dedup(self.con, "docs"), [2, 7])

    def _pages(self):
        self.con.execute("CREATE TABLE pages(pid INTEGER PRIMARY KEY, body TEXT)")
        self.con.executemany("INSERT INTO pages VALUES (?, ?)", NEAR)

    def test_near_dedup_other_table(self):
        self._pages()
        self.assertEqual(sc.near_dedup(self.con, "pages", id="pid", text="body"), 1)
        self.assertEqual(self.con.execute("SELECT * FROM dedup_cluster").fetchall(),
                         [(1, 1), (2, 1)])
        self.assertEqual(self.con.execute("SELECT pid FROM docs_dedup").fetchall(),
                         [(1,), (3,), (4,)])
        # the temporary view is gone; docs_dedup reads pages
        self.assertEqual(self.con.execute("SELECT count(*) FROM sqlite_temp_master").fetchone(), (0,))
        self.assertFalse(self.con.in_transaction)

    def test_near_dedup_docs_and_settings(self):
        self.con.execute("CREATE TABLE docs(id INTEGER PRIMARY KEY, text TEXT)")
        self.con.executemany("INSERT INTO docs VALUES (?, ?)", NEAR)
        self.assertEqual(sc.near_dedup(self.con), 1)
        # Jaccard 0.89 < 0.95: no pair
        self.assertEqual(sc.near_dedup(self.con, threshold=0.95), 0)
        self.assertEqual(self.con.execute("SELECT threshold FROM dedup_settings").fetchone(), (0.95,))
        self.assertEqual(sc.near_dedup(self.con, num_perm=256, bands=32), 1)
        self.assertEqual(self.con.execute("SELECT num_perm, bands, rows FROM dedup_settings").fetchone(),
                         (256, 32, 8))

    def test_near_dedup_errors(self):
        with self.assertRaises(sqlite3.OperationalError) as cm:
            sc.near_dedup(self.con)
        self.assertEqual(str(cm.exception), 'near_dedup: no table or view "docs"')
        self.assertFalse(self.con.in_transaction)
        self._pages()
        with self.assertRaises(sqlite3.IntegrityError) as cm:
            sc.near_dedup(self.con, "pages", id="pid", text="body", threshold=2)
        self.assertEqual(str(cm.exception),
                         "dedup.sql: dedup_settings: threshold must be a number in (0, 1]")
        self.assertFalse(self.con.in_transaction)
        self.assertEqual(self.con.execute("SELECT count(*) FROM sqlite_temp_master").fetchone(), (0,))
        with self.assertRaises(ValueError) as cm:
            sc.near_dedup(self.con, "pages", thresh=0.5)
        self.assertEqual(str(cm.exception), "near_dedup: unknown setting 'thresh' "
                         "(valid: threshold, num_perm, ngram, bands, rows, all_pairs, "
                         "verify_all)")
        with self.assertRaises(TypeError):
            sc.near_dedup(self.con, "pages", threshold="0.5")
        # verify_all=1 verifies every candidate: the same clusters
        n = sc.near_dedup(self.con, "pages", id="pid", text="body")
        clusters = self.con.execute("SELECT id, cluster FROM dedup_cluster ORDER BY id").fetchall()
        self.assertEqual(sc.near_dedup(self.con, "pages", id="pid", text="body", verify_all=1), n)
        self.assertEqual(self.con.execute("SELECT id, cluster FROM dedup_cluster ORDER BY id").fetchall(),
                         clusters)

    def test_names_are_always_quoted(self):
        # a name in double quotes used to pass into the SQL verbatim: this
        # dropped the table important
        self.con.execute("CREATE TABLE important(x)")
        self.con.execute("CREATE TABLE d3(id INTEGER PRIMARY KEY, text TEXT)")
        table = '"d3" AS d; DROP TABLE important; --"'
        with self.assertRaises(sqlite3.OperationalError) as cm:
            sc.near_dedup(self.con, table=table,
                          id='"id" AS id, "text" AS text FROM "d3" /*"')
        self.assertEqual(str(cm.exception),
                         'near_dedup: no table or view """d3"" AS d; DROP TABLE important; --"""')
        for f in (sc.exact_dedup, sc.quality_filter):
            with self.assertRaises(sqlite3.OperationalError):
                f(self.con, table)
        with self.assertRaisesRegex(sqlite3.OperationalError, '^exact_dedup: table "d3" has no column'):
            sc.exact_dedup(self.con, "d3", id='"id"')
        self.assertEqual(self.con.execute("SELECT name FROM sqlite_master ORDER BY 1").fetchall(),
                         [("d3",), ("important",)])
        # names with quotes in them are names
        self.con.execute('CREATE TABLE """q"""("i""d" INTEGER, "a b" TEXT)')
        self.con.executemany('INSERT INTO """q""" VALUES (?, ?)', [(1, "x y"), (2, "X Y")])
        self.assertEqual(sc.exact_dedup(self.con, '"q"', id='i"d', text="a b"), [2])
        self.assertEqual(sc.quality_filter(self.con, '"q"', text="a b"), {"gopher:min_words": 2})

    def test_schema_qualified(self):
        # (schema, name); a "." in a str is part of the name
        self.con.execute("ATTACH ':memory:' AS aux")
        self.con.execute("CREATE TABLE aux.t(id, text)")
        self.con.executemany("INSERT INTO aux.t VALUES (?, ?)", [(1, "a b"), (2, "A B")])
        self.assertEqual(sc.exact_dedup(self.con, ("aux", "t")), [2])
        self.assertEqual(sc.exact_dedup(self.con, "t"), [2])
        with self.assertRaises(sqlite3.OperationalError) as cm:
            sc.exact_dedup(self.con, "aux.t")
        self.assertEqual(str(cm.exception), 'exact_dedup: no table or view "aux.t"')
        with self.assertRaises(sqlite3.OperationalError) as cm:
            sc.exact_dedup(self.con, ("nope", "t"))
        self.assertEqual(str(cm.exception), 'exact_dedup: no database "nope"')
        with self.assertRaises(TypeError):
            sc.exact_dedup(self.con, ("aux",))

    def test_unknown_column(self):
        # SQLite reads an unknown "name" as a string: every text was the
        # same, so all rows but one were copies; an id of 'ident' gave []
        self.con.execute("CREATE TABLE d(id INTEGER PRIMARY KEY, text TEXT)")
        self.con.executemany("INSERT INTO d(text) VALUES (?)",
                             [("one two",), ("three four",), ("five six",)])
        cases = [
            (sc.exact_dedup, {"text": "body"},
             'exact_dedup: table "d" has no column "body" (text=\'body\'; its columns: id, text)'),
            (sc.exact_dedup, {"id": "ident"},
             'exact_dedup: table "d" has no column "ident" (id=\'ident\'; its columns: id, text)'),
            (sc.near_dedup, {"text": "body"},
             'near_dedup: table "d" has no column "body" (text=\'body\'; its columns: id, text)'),
            (sc.quality_filter, {"text": "body"},
             'quality_filter: table "d" has no column "body" (text=\'body\'; its columns: id, text)'),
            (sc.quality_filter, {"text": "body", "kept": "k"},
             'quality_filter: table "d" has no column "body" (text=\'body\'; its columns: id, text)'),
        ]
        for f, kw, msg in cases:
            with self.assertRaises(sqlite3.OperationalError) as cm:
                f(self.con, "d", **kw)
            self.assertEqual(str(cm.exception), msg)
        with self.assertRaises(sqlite3.OperationalError) as cm:
            sc.exact_dedup(self.con, "nope")
        self.assertEqual(str(cm.exception), 'exact_dedup: no table or view "nope"')
        self.con.execute("CREATE VIEW v AS SELECT id AS vid, text FROM d")
        with self.assertRaises(sqlite3.OperationalError) as cm:
            sc.exact_dedup(self.con, "v")
        self.assertEqual(str(cm.exception),
                         'exact_dedup: view "v" has no column "id" (id=\'id\'; its columns: vid, text)')
        self.assertEqual(self.con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'k'").fetchone(), (0,))
        self.assertFalse(self.con.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'dedup%'").fetchone()[0])
        # names as SQLite compares them: ASCII case folded; rowid where
        # SQLite has one
        self.con.execute("INSERT INTO d(text) VALUES ('ONE TWO')")
        self.assertEqual(sc.exact_dedup(self.con, "d", id="ID", text="Text"), [4])
        self.assertEqual(sc.exact_dedup(self.con, "d", id="rowid"), [4])
        self.con.execute("CREATE TABLE w(k TEXT PRIMARY KEY, text TEXT) WITHOUT ROWID")
        with self.assertRaisesRegex(sqlite3.OperationalError, '^exact_dedup: table "w" has no column "rowid"'):
            sc.exact_dedup(self.con, "w", id="rowid")

    def test_exact_dedup_null_ids(self):
        # NOT IN over a list with a NULL gave []; rows with a NULL id are
        # skipped (neither reported nor kept as an original)
        self.con.execute("CREATE TABLE n(id, text)")
        self.con.executemany("INSERT INTO n VALUES (?, ?)",
                             [(None, "hello world foo"), (None, "hello world foo"),
                              (3, "a b c"), (4, "a b c"), (None, "x y"), (5, "x y")])
        self.assertEqual(sc.exact_dedup(self.con, "n"), [4])

    def test_near_dedup_docs_other_columns(self):
        # the temporary view docs read itself: "view docs is circularly defined"
        self.con.execute("CREATE TABLE docs(doc_id INTEGER PRIMARY KEY, body TEXT)")
        self.con.executemany("INSERT INTO docs VALUES (?, ?)", NEAR)
        self.assertEqual(sc.near_dedup(self.con, "docs", id="doc_id", text="body"), 1)
        self.assertEqual(self.con.execute("SELECT doc_id FROM docs_dedup").fetchall(),
                         [(1,), (3,), (4,)])
        self.assertEqual(self.con.execute("SELECT count(*) FROM sqlite_temp_master").fetchone(), (0,))
        # a table in temp: docs_dedup is a temporary view over it
        self.con.execute("CREATE TEMP TABLE pages(pid INTEGER PRIMARY KEY, body TEXT)")
        self.con.executemany("INSERT INTO pages VALUES (?, ?)", NEAR)
        self.assertEqual(sc.near_dedup(self.con, "pages", id="pid", text="body"), 1)
        self.assertEqual(self.con.execute("SELECT pid FROM docs_dedup").fetchall(),
                         [(1,), (3,), (4,)])
        self.assertEqual(self.con.execute(
            "SELECT type, name FROM sqlite_temp_master ORDER BY 2").fetchall(),
            [("view", "docs_dedup"), ("table", "pages")])


if __name__ == "__main__":
    unittest.main()
