/*
** Shared by the SQL glue of every area: the SQLite extension API, the public
** core header, each area's registration function and the few helpers that
** turn SQL arguments into core arguments with uniform error messages.
*/
#ifndef CORPUS_EXT_H
#define CORPUS_EXT_H

#include "sqlite3ext.h"
#include "corpus.h"

#ifndef SQLITE_CORPUS_NO_INIT3
SQLITE_EXTENSION_INIT3
#endif

/* Flags of every pure function (DESIGN.md, SQL conventions). */
#define CORPUS_PURE (SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS)

/* JSON results carry the subtype SQLite's JSON functions give JSON ('J'),
** so json_*() take them as JSON, not as strings. */
#define CORPUS_JSON_SUBTYPE 74
#ifdef SQLITE_RESULT_SUBTYPE
# define CORPUS_JSON_RESULT SQLITE_RESULT_SUBTYPE
#else
# define CORPUS_JSON_RESULT 0
#endif

/* One area each; each returns an SQLite result code. */
int text_register(sqlite3 *db);
int hash_register(sqlite3 *db);
int minhash_register(sqlite3 *db);
int lsh_register(sqlite3 *db);
int cluster_register(sqlite3 *db);

/* Reads argument v, called name, as a minhash signature; otherwise sets
** "FUNC: NAME ..." on ctx and returns nonzero. */
int corpus_sig_arg(sqlite3_context *ctx, const char *func, const char *name,
                   sqlite3_value *v, corpus_minhash_sig *sig);

/* A scalar SQL function to register; flags are added to CORPUS_PURE. */
typedef struct corpus_function {
  const char *name;
  int nArg;
  int flags;
  void (*xFunc)(sqlite3_context*, int, sqlite3_value**);
} corpus_function;
int corpus_register_functions(sqlite3 *db, const corpus_function *funcs,
                              int count);

/* "INTEGER", "REAL", "TEXT", "BLOB" or "NULL". */
const char *corpus_type_name(int type);

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

#endif /* CORPUS_EXT_H */
