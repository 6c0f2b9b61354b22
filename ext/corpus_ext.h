/*
** Shared by the SQL glue of every area: the SQLite extension API, the public
** core header, each area's registration function and the few helpers that
** turn SQL arguments into core arguments with uniform error messages.
*/
#ifndef CORPUS_EXT_H
#define CORPUS_EXT_H

#include <string.h>
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

/* Code points in z[0..n-1] as the bytes that are not UTF-8 continuation
** bytes (exact for valid UTF-8), eight bytes at a time.  Inline: it runs
** once per line and per word in quality.c's hot path. */
static inline size_t corpus_utf8_count(const char *z, size_t n){
  size_t i = 0, cont = 0;
  /* a continuation byte has bit 7 set and bit 6 clear */
  for(; i+8<=n; i+=8){
    uint64_t w;
    memcpy(&w, z+i, 8);
    w = (w & ~(w<<1) & 0x8080808080808080ULL) >> 7;
    cont += (size_t)((w * 0x0101010101010101ULL) >> 56);
  }
  for(; i<n; i++) cont += ((unsigned char)z[i] & 0xC0)==0x80;
  return n - cont;
}

/* Character offsets of a series of growing byte offsets into one text,
** each counted on from the last (start from a zeroed counter), so that
** many offsets cost one pass. */
typedef struct corpus_char_counter { size_t byte, chars; } corpus_char_counter;
static inline size_t corpus_char_offset(corpus_char_counter *c, const char *z,
                                        size_t byte){
  c->chars += corpus_utf8_count(z+c->byte, byte-c->byte);
  c->byte = byte;
  return c->chars;
}

/* The code point at z[i] of z[0..n-1] (i < n) and its length in *len; an
** invalid subpart is one U+FFFD, as corpus_utf8_decode() reads it. */
static inline int32_t corpus_cp_at(const char *z, size_t n, size_t i,
                                   size_t *len){
  const unsigned char *u = (const unsigned char*)z + i;
  if( u[0]<0x80 ){ *len = 1; return u[0]; }
  return corpus_utf8_decode(u, n-i, len);
}

/* Whether code point c is in r[0..n-1], sorted disjoint [lo, hi] ranges,
** or in a[0..n-1], a sorted list: a binary search over a table of
** character data. */
static inline int corpus_cp_in_ranges(const int32_t (*r)[2], size_t n,
                                      int32_t c){
  size_t lo = 0, hi = n;
  while( lo<hi ){
    size_t mid = lo + (hi-lo)/2;
    if( c<r[mid][0] ) hi = mid;
    else if( c>r[mid][1] ) lo = mid+1;
    else return 1;
  }
  return 0;
}
static inline int corpus_cp_in_list(const int32_t *a, size_t n, int32_t c){
  size_t lo = 0, hi = n;
  while( lo<hi ){
    size_t mid = lo + (hi-lo)/2;
    if( c<a[mid] ) hi = mid;
    else if( c>a[mid] ) lo = mid+1;
    else return 1;
  }
  return 0;
}
#define CORPUS_COUNT(a) (sizeof(a)/sizeof((a)[0]))

/* One area each; each returns an SQLite result code. */
int text_register(sqlite3 *db);
int hash_register(sqlite3 *db);
int minhash_register(sqlite3 *db);
int lsh_register(sqlite3 *db);
int cluster_register(sqlite3 *db);
int bpe_register(sqlite3 *db);
int quality_register(sqlite3 *db);
int classify_register(sqlite3 *db);
int eval_register(sqlite3 *db);
int decontam_register(sqlite3 *db);

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

/*
** Table-valued functions take their arguments as HIDDEN columns that follow
** nOutput output columns (SQLite's series.c).  corpus_tvf_best_index() is
** their xBestIndex: idxNum gets bit i for each argument i constrained by
** equality, and xFilter's argv holds those arguments in order.  A plan with
** a required argument unusable (from a table not yet scanned) is refused
** with SQLITE_CONSTRAINT; one without a required argument at all gets a
** prohibitive cost rather than an error, because SQLite also asks about
** plans made of part of the WHERE clause (one branch of an OR).  If such a
** plan runs anyway, corpus_tvf_args() reports the argument missing.
*/
#define CORPUS_TVF_MAXARG 8
int corpus_tvf_best_index(sqlite3_index_info *info, int nOutput, int nArg,
                          int nRequired);
/* Spreads xFilter's argv into args[0..nArg-1] (NULL where absent) and, when
** dups is not NULL, copies each into dups[] (sqlite3_value_dup; the caller
** frees them).  Returns SQLITE_OK, SQLITE_NOMEM, or SQLITE_ERROR with
** "FUNC: missing argument NAME" in the vtab's zErrMsg. */
int corpus_tvf_args(sqlite3_vtab *vtab, const char *func,
                    const char *const *argNames, int nArg, int nRequired,
                    int idxNum, sqlite3_value **argv, sqlite3_value **args,
                    sqlite3_value **dups);
/* Sets "FUNC: MESSAGE" as the vtab's error; returns SQLITE_ERROR (or
** SQLITE_NOMEM). */
int corpus_vtab_error(sqlite3_vtab *vtab, const char *func, const char *fmt,
                      ...);

#endif /* CORPUS_EXT_H */
