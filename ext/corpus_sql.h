/*
** The shared SQL glue: what every area's SQL half uses to turn SQL values
** into core arguments and back, with one form of error message, and to
** register its names.  Over the internal core (corpus_int.h); sql.c
** implements it and holds the extension's sqlite3_api pointer.
*/
#ifndef CORPUS_SQL_H
#define CORPUS_SQL_H

#include "sqlite3ext.h"
#include "corpus_int.h"

#ifndef CORPUS_SQL_API_HERE
SQLITE_EXTENSION_INIT3
#endif

/* Flags of a pure function (same result for the same arguments, safe in
** any schema); of one that reads files or runs SQL (never from a schema
** object, nor a view or trigger). */
#define CORPUS_PURE (SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS)
#define CORPUS_DIRECTONLY SQLITE_DIRECTONLY

/* JSON results carry the subtype SQLite's JSON functions give JSON ('J'),
** so json_*() take them as JSON, not as strings. */
#define CORPUS_JSON_SUBTYPE 74
#ifdef SQLITE_RESULT_SUBTYPE
# define CORPUS_JSON_RESULT SQLITE_RESULT_SUBTYPE
#else
# define CORPUS_JSON_RESULT 0
#endif

/*
** The registry.  Each area ends with one table of corpus_sql rows, one per
** SQL name and argument count, and registers it with corpus_sql_register()
** from its corpus_AREA_register(): a scalar function (xFunc), an aggregate
** (xStep, xFinal), a window function (and xValue, xInverse) or a virtual
** table module.  flags are SQLite's function flags (SQLITE_UTF8 is added).
*/
typedef struct corpus_sql {
  const char *name;
  int nArg;                                 /* -1: any number */
  int flags;                                /* CORPUS_PURE, ... */
  void (*xFunc)(sqlite3_context*, int, sqlite3_value**);
  void (*xStep)(sqlite3_context*, int, sqlite3_value**);
  void (*xFinal)(sqlite3_context*);
  void (*xValue)(sqlite3_context*);
  void (*xInverse)(sqlite3_context*, int, sqlite3_value**);
  const sqlite3_module *module;
  const void *aux;                          /* the module's pAux */
} corpus_sql;
#define CORPUS_SCALAR(name, nArg, flags, xFunc) \
  {name, nArg, flags, xFunc, 0, 0, 0, 0, 0, 0}
#define CORPUS_AGGREGATE(name, nArg, flags, xStep, xFinal) \
  {name, nArg, flags, 0, xStep, xFinal, 0, 0, 0, 0}
#define CORPUS_WINDOW(name, nArg, flags, xStep, xFinal, xValue, xInverse) \
  {name, nArg, flags, 0, xStep, xFinal, xValue, xInverse, 0, 0}
#define CORPUS_MODULE(name, module, aux) \
  {name, 0, 0, 0, 0, 0, 0, 0, module, aux}
#define CORPUS_TABLE_FUNCTION(name, tvf) \
  CORPUS_MODULE(name, &corpus_tvf_module, tvf)
/* SQLITE_OK, or the first failure's code with "cannot register NAME/NARG:
** WHY" in *pzErr (from sqlite3_mprintf). */
int corpus_sql_register(sqlite3 *db, const corpus_sql *rows, int count,
                        char **pzErr);

/* SQLite's allocator in the shape corpus_use_allocator() takes. */
void *corpus_sql_realloc(void *p, size_t n);
void corpus_sql_free(void *p);

/* The areas, in the order the entry point registers them. */
int corpus_version_register(sqlite3 *db, char **pzErr);
int corpus_text_register(sqlite3 *db, char **pzErr);
int corpus_tokenize_register(sqlite3 *db, char **pzErr);
int corpus_hash_register(sqlite3 *db, char **pzErr);
int corpus_minhash_register(sqlite3 *db, char **pzErr);
int corpus_lsh_register(sqlite3 *db, char **pzErr);
int corpus_cluster_register(sqlite3 *db, char **pzErr);
int corpus_files_register(sqlite3 *db, char **pzErr);
int corpus_quality_register(sqlite3 *db, char **pzErr);
int corpus_classify_register(sqlite3 *db, char **pzErr);
int corpus_prompt_register(sqlite3 *db, char **pzErr);
int corpus_ngram_index_register(sqlite3 *db, char **pzErr);
int corpus_minhash_index_register(sqlite3 *db, char **pzErr);
int corpus_decontam_register(sqlite3 *db, char **pzErr);
int corpus_jsonl_register(sqlite3 *db, char **pzErr);
int corpus_url_register(sqlite3 *db, char **pzErr);
int corpus_html_register(sqlite3 *db, char **pzErr);
int corpus_lang_register(sqlite3 *db, char **pzErr);
int corpus_pii_register(sqlite3 *db, char **pzErr);
/* The glue's own: corpus_errors(), the read log. */
int corpus_sql_glue_register(sqlite3 *db, char **pzErr);
/* sqlite3_corpus_init() brackets the registration of a connection with
** these, so that its table-valued functions share one read log. */
int corpus_sql_conn_begin(void);
void corpus_sql_conn_end(void);
int corpus_warc_register(sqlite3 *db, char **pzErr);
int corpus_neardup_register(sqlite3 *db, char **pzErr);
int corpus_substr_register(sqlite3 *db, char **pzErr);
int corpus_stats_register(sqlite3 *db, char **pzErr);
int corpus_report_register(sqlite3 *db, char **pzErr);
int corpus_rouge_register(sqlite3 *db, char **pzErr);
int corpus_llm_register(sqlite3 *db, char **pzErr);
int corpus_regexp_register(sqlite3 *db, char **pzErr);

/* An ngram_index's NAME_config, read back and checked (ngram_index.c):
** every value in it comes from a table anyone can write to, and n sizes
** arrays.  mask holds bit k-1 for each length k < n of an item indexed
** whole.  corpus_ngram_config_read() returns SQLITE_OK, SQLITE_ERROR
** without the table (*err: no index of that name, called display),
** SQLITE_CORRUPT_VTAB with *err saying which value is wrong or that the
** table is gone from an ngram_index, or
** SQLITE_NOMEM (*err NULL); *err is from sqlite3_mprintf(). */
typedef struct corpus_ngram_config {
  int n, fold;
  uint64_t mask;
  sqlite3_int64 short_items, empty_items;
} corpus_ngram_config;
int corpus_ngram_config_read(sqlite3 *db, const char *schema, const char *name,
                             const char *display, corpus_ngram_config *c,
                             char **err);
/* Whether schema.name is an ngram_index (its row in sqlite_schema): 1, 0,
** or -1 when out of memory.  Plain tables named like its shadow tables do
** not make one. */
int corpus_ngram_is_index(sqlite3 *db, const char *schema, const char *name);
/* The error when a shadow table of schema.name cannot be read (SQLite's
** message in sqlite3_errmsg(db)): SQLITE_CORRUPT_VTAB when name is an
** ngram_index ("DISPLAY is corrupt: no such table: ..."), SQLITE_ERROR
** when it is not ("no ngram_index named 'DISPLAY'"), SQLITE_NOMEM. */
int corpus_ngram_missing(sqlite3 *db, const char *schema, const char *name,
                         const char *display, char **err);

/* Reads argument v, called name, as a minhash signature (minhash.c);
** otherwise sets "FUNC: NAME ..." on ctx and returns nonzero. */
int corpus_sig_arg(sqlite3_context *ctx, const char *func, const char *name,
                   sqlite3_value *v, corpus_minhash_sig *sig);

/* "INTEGER", "REAL", "TEXT", "BLOB" or "NULL". */
const char *corpus_type_name(int type);
/* msg made valid UTF-8 (invalid subparts U+FFFD): every error message passes
** through it.  Frees msg; NULL when out of memory. */
char *corpus_sql_utf8(char *msg);
/* An aggregate's parameter (a setting, not its data) must not change from
** row to row, or the result would silently follow one row: 0 when v is
** the value the first row gave (kept in *first; the caller frees it with
** sqlite3_value_free), 1 when it differs, -1 when out of memory. */
int corpus_agg_param(sqlite3_value **first, sqlite3_value *v);
/* SQL text past its white space and comments (-- to the end of the line,
** C-style): for reading a statement's first keyword or a stored CREATE. */
const char *corpus_sql_skip_blank(const char *z);
/* Whether SQL text starts, after white space and comments, with SELECT,
** WITH or VALUES (a query), not PRAGMA, EXPLAIN or anything else. */
int corpus_sql_is_query(const char *z);
/* Whether only blanks, comments and ';' are left at z: what follows a
** statement, which prepares to no statement. */
int corpus_sql_is_end(const char *z);
/* Whether z is a table or view name, schema-qualified or not (bare or
** quoted), and nothing else but blanks around it. */
int corpus_sql_is_name(const char *z);
/* The parts of such a name, dequoted: 1 (part[0] the name) or 2 (schema,
** name), sqlite3_malloc'd; -1 when out of memory. */
int corpus_sql_name_parts(const char *z, char *part[2]);

/* Whether sqlite3_interrupt() was called on db while a statement runs, for
** a loop whose work is not bounded by one input (training, SQL a function
** runs): 1 when it was.  SQLite 3.41 has sqlite3_is_interrupted(); before
** it (Debian 12 has 3.40), a statement stepped on an interrupted
** connection fails with SQLITE_INTERRUPT, so a prepared "SELECT 1" is the
** probe (a microsecond; ask every few thousand steps).  corpus_probe_end()
** finalizes it.  corpus_probe_interrupted() takes a corpus_probe*, as a
** core callback. */
typedef struct corpus_probe { sqlite3 *db; sqlite3_stmt *stmt; } corpus_probe;
int corpus_probe_interrupted(void *probe);
void corpus_probe_end(corpus_probe *probe);

/* Reports "FUNC: MESSAGE" as the error of ctx. */
void corpus_result_error(sqlite3_context *ctx, const char *func,
                         const char *fmt, ...);

/* Checks that argument v, called name, is TEXT; otherwise sets the error
** "FUNC: NAME must be TEXT, got TYPE" on ctx and returns nonzero. */
int corpus_check_text(sqlite3_context *ctx, const char *func, const char *name,
                      sqlite3_value *v);

/* Parses an options argument (TEXT, or NULL for none) with set(); on error
** sets "FUNC: ..." on ctx and returns nonzero. */
int corpus_apply_options(sqlite3_context *ctx, const char *func,
                         sqlite3_value *v, corpus_option_fn set, void *opts);

/* Same for code without a context (virtual tables): returns 0, or an error
** message from sqlite3_mprintf() in *pzErr. */
int corpus_parse_options_value(const char *func, sqlite3_value *v,
                               corpus_option_fn set, void *opts, char **pzErr);

/*
** Table-valued functions take their arguments as HIDDEN columns that follow
** nOutput output columns (SQLite's series.c).  The skeleton's xBestIndex
** (tvf_plan() in sql.c) sets bit i of idxNum for each argument i
** constrained by equality, and xFilter's argv holds those arguments in
** order.  A plan with
** a required argument unusable (from a table not yet scanned) is refused
** with SQLITE_CONSTRAINT; one without a required argument at all gets a
** prohibitive cost rather than an error, because SQLite also asks about
** plans made of part of the WHERE clause (one branch of an OR).  If such a
** plan runs anyway, the missing argument is an error.
**
** Every table-valued function is one corpus_tvf: the skeleton
** (corpus_tvf_module, sql.c) does the connecting, opening, closing, the
** plan and the argument columns; the corpus_tvf gives what differs.  A
** cursor is the function's own struct, starting with a corpus_tvf_cursor.
*/
#define CORPUS_TVF_MAXARG 8
/* The creatable form's extra columns (below, at corpus_tvf_created). */
typedef int (*corpus_tvf_columns_fn)(const char *const *args, int nArg,
                                     char **out, char **pzErr);
typedef struct corpus_tvf_cursor {
  sqlite3_vtab_cursor base;
  sqlite3_int64 row, nrow;   /* the row, and how many (xEof: row >= nrow) */
  sqlite3_value *args[CORPUS_TVF_MAXARG];  /* copies, for the HIDDEN columns */
  sqlite3_int64 scan;        /* the scan's number in the read log (0: none) */
} corpus_tvf_cursor;
typedef struct corpus_tvf {
  const char *name;          /* "lsh_bands": the first word of its errors */
  const char *schema;        /* "CREATE TABLE x(outputs..., args HIDDEN...)" */
  int nOutput, nArg, nRequired;      /* the first nRequired args are needed */
  const char *const *argNames;       /* nArg names, for errors */
  int config;                /* SQLITE_VTAB_INNOCUOUS or _DIRECTONLY */
  size_t cursorSize;         /* of the function's cursor struct */
  /* Computes the rows for args[0..nArg-1] (NULL where absent): sets nrow
  ** (or leaves row < nrow until done, with xNext).  SQLITE_OK or an error
  ** from corpus_tvf_error(). */
  int (*xFilter)(corpus_tvf_cursor *c, sqlite3_value **args);
  /* Output column col (< nOutput) of the current row. */
  int (*xColumn)(corpus_tvf_cursor *c, sqlite3_context *ctx, int col);
  /* Frees what the cursor holds beyond the corpus_tvf_cursor; the cursor
  ** must be usable for xFilter again (or NULL: nothing held). */
  void (*xReset)(corpus_tvf_cursor *c);
  /* Moves to the next row (NULL: row++). */
  int (*xNext)(corpus_tvf_cursor *c);
  /* The creatable form (NULL: eponymous only), below. */
  corpus_tvf_columns_fn xColumns;
} corpus_tvf;
extern const sqlite3_module corpus_tvf_module;
/* The connection a cursor's function runs on. */
sqlite3 *corpus_tvf_db(corpus_tvf_cursor *c);
/* Parses an options argument (TEXT or NULL) with set(); SQLITE_OK, or the
** error set on c's table. */
int corpus_tvf_options(corpus_tvf_cursor *c, sqlite3_value *v,
                       corpus_option_fn set, void *opts);
/* Sets "NAME: MESSAGE" as the error of c's table; returns SQLITE_ERROR (or
** SQLITE_NOMEM). */
int corpus_tvf_error(corpus_tvf_cursor *c, const char *fmt, ...);
/*
** The read log of a connection, which corpus_errors() lists: the file
** readers (read_jsonl, read_warc) record, for each file of each scan, what
** they read, returned, skipped and repaired, so that on_error=skip loses
** nothing silently.  A reader calls corpus_read_log() once per file: when
** it finishes the file, or when its scan stops early (xReset) with the
** counts so far.  The log keeps the last CORPUS_READ_LOG_MAX entries of
** the connection.
*/
#define CORPUS_READ_LOG_MAX 10000
typedef struct corpus_read_counts {
  sqlite3_int64 records;     /* lines or WARC records read */
  sqlite3_int64 rows;        /* rows returned */
  sqlite3_int64 skipped;     /* malformed, skipped (on_error=skip) */
  sqlite3_int64 replaced;    /* invalid UTF-8 sequences made U+FFFD */
  sqlite3_int64 bytes;       /* of the file, as read (compressed) */
  const char *first_error;   /* the first skipped one's message, or NULL */
} corpus_read_counts;
/* A file's name as a TEXT result: every TEXT result is UTF-8, so a name
** that is not comes out with U+FFFD for each invalid part (it names the
** file for a reader, but cannot open it again). */
void corpus_result_path(sqlite3_context *ctx, const char *path);
/* Whether a TEXT value holds a NUL byte: a path given to the C library
** would end there and name another file, so the file functions refuse
** it. */
int corpus_text_has_nul(sqlite3_value *v);
/* The files of a reader's path argument v (TEXT): corpus_glob() with its
** error, or "NAME: WHAT must not hold a NUL byte", set on c's table. */
int corpus_tvf_glob(corpus_tvf_cursor *c, sqlite3_value *v, const char *what,
                    corpus_paths *out);
/* SQLITE_OK or SQLITE_NOMEM. */
int corpus_read_log(corpus_tvf_cursor *c, const char *file,
                    const corpus_read_counts *k);

/*
** The creatable form of a table-valued function with xColumns set:
** `CREATE VIRTUAL TABLE temp.NAME USING f(arg, ...)` fixes the arguments
** (SQL literals: a quoted string dequoted, else the word as written), and
** the table has the output columns, then those xColumns adds for them
** (read_jsonl's columns=), and no HIDDEN ones.  Only in the temp schema:
** a reader of files stored in a database file would read them wherever
** the file was opened.  xColumns gets the arguments as text (NULL where
** absent) and returns in *out the extra column names, comma-separated
** (sqlite3_malloc'd; NULL for none), or an error message in *pzErr.
*/
/* Whether c's table is the creatable form (its arguments fixed). */
int corpus_tvf_created(corpus_tvf_cursor *c);

/* Sets "FUNC: MESSAGE" as the vtab's error; returns SQLITE_ERROR (or
** SQLITE_NOMEM). */
int corpus_vtab_error(sqlite3_vtab *vtab, const char *func, const char *fmt,
                      ...);

/*
** Virtual tables that keep their state in shadow tables (ngram_index,
** minhash_index).  corpus_vtab_exec() runs the SQL of a printf format
** (%w, %q as sqlite3_mprintf).  corpus_vtab_options() joins the arguments
** of CREATE VIRTUAL TABLE (argv[3..]) into one option string, each
** argument dequoted ('n=3' or "n=3", or bare), so that a key given twice is
** an error as everywhere; sqlite3_malloc'd, NULL when out of memory.
** corpus_vtab_drop_shadows() drops schema.NAME_SUFFIX for each suffix as
** what it is (a crafted file may hold a view under that name: SQLite passes
** on no message from xDestroy, so DROP TABLE of a view would fail with a
** bare "SQL logic error"); corpus_vtab_rename_shadows() renames them for
** xRename.
*/
int corpus_vtab_exec(sqlite3 *db, char **pzErr, const char *fmt, ...);
/* Whether schema.name is a virtual table of that module (its row in
** sqlite_schema): 1, 0, or -1 when out of memory.  Plain tables named
** like its shadow tables do not make one. */
int corpus_vtab_is_module(sqlite3 *db, const char *schema, const char *name,
                          const char *module);
char *corpus_vtab_options(int argc, const char *const *argv);
int corpus_vtab_drop_shadows(sqlite3 *db, const char *schema, const char *name,
                             const char *const *suffix, int n);
int corpus_vtab_rename_shadows(sqlite3 *db, const char *schema,
                               const char *name, const char *zNew,
                               const char *const *suffix, int n);

/*
** The transaction state of such a table.  A write that fails midway is
** undone by the table; when the undo fails too (an interrupt still pending,
** a crafted trigger), the transaction must not commit: corpus_txn_break()
** marks it, xSync refuses while it is marked, and a rollback past the
** point where it happened (ROLLBACK, or ROLLBACK TO a savepoint opened
** before it, which SQLite also does for a failed statement) clears it.
** The module's xBegin, xCommit and xRollback call corpus_txn_end(), its
** xSavepoint, xRelease and xRollbackTo the functions of those names.
*/
typedef struct corpus_vtab_txn {
  int broken;         /* a write could not be undone */
  int level;          /* the innermost savepoint open, -1 for none */
  int broken_at;      /* the innermost savepoint open when it happened */
} corpus_vtab_txn;
void corpus_txn_end(corpus_vtab_txn *t);
void corpus_txn_break(corpus_vtab_txn *t);
void corpus_txn_savepoint(corpus_vtab_txn *t, int i);
void corpus_txn_release(corpus_vtab_txn *t, int i);
void corpus_txn_rollback_to(corpus_vtab_txn *t, int i);

/* Column i of a row, for an error message about a value read from a
** shadow table: 'text' quoted (at most 60 bytes), a number as it is, NULL,
** "a BLOB".  type is the column's type as first read (sqlite3_column_text()
** converts a BLOB).  sqlite3_malloc'd; NULL when out of memory. */
char *corpus_value_text(sqlite3_stmt *st, int i, int type);

/* A rowid given to a virtual table (xFilter's rowid = ?, xUpdate's new
** rowid): an INTEGER, or a REAL or TEXT that is an integer's value (1.0,
** '20'), as an ordinary table takes them.  Returns 1 with *out set, 0 when
** the value is no integer. */
int corpus_vtab_rowid(sqlite3_value *v, sqlite3_int64 *out);

#endif /* CORPUS_SQL_H */
