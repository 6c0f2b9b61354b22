/*
** Regular expressions, by PCRE2 (libpcre2-8): what curation recipes need
** of Python's re module (a keyword list matched on word boundaries, a
** numbered list split into items, runs of white space collapsed), in SQL.
**
**   regexp(pattern, text)                  1 or 0; so text REGEXP pattern
**   regexp_replace(text, pattern, repl)    every match replaced
**   regexp_split(text, pattern)            table: position, piece
**
** Patterns are compiled with PCRE2_UTF | PCRE2_UCP, so that \d, \s, \w
** and \b are Unicode's, as in Python 3's str patterns.  A text is checked
** once (each invalid UTF-8 sequence read as U+FFFD, in a copy, as
** everywhere in the extension) and matched with PCRE2_NO_UTF_CHECK: PCRE2
** would otherwise check it at every call, the whole text for each of
** regexp_split's pieces (PCRE2_MATCH_INVALID_UTF scans on from each start
** in the interpreter too: quadratic on a long text).  A pattern
** is compiled once per statement when it is the same in every row.  A
** match gives up after PCRE2's default match limit (10,000,000 steps of
** backtracking): an error, never a hang.
*/
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <string.h>
#include "corpus_sql.h"

#define REGEXP_MATCH_LIMIT 10000000
/* The interpreter's backtracking memory, in KiB (PCRE2's default is 20 GB):
** 256 MB.  The JIT's stack grows from 32 KB to 8 MB; a match that needs
** more runs again in the interpreter (which keeps its frames on the heap),
** so a long text never fails for the JIT's stack alone. */
#define REGEXP_HEAP_LIMIT_KIB 262144
#define REGEXP_JIT_STACK_MAX (8*1024*1024)
/* regexp_split compiles its pattern per call: with the JIT only for a text
** this long. */
#define REGEXP_SPLIT_JIT_BYTES 16384

static void *re_malloc(PCRE2_SIZE n, void *data){
  (void)data;
  return corpus_realloc(0, n ? n : 1);
}
static void re_free(void *p, void *data){
  (void)data;
  corpus_free(p);
}

/* A compiled pattern, with what a match needs; kept as auxdata. */
typedef struct regex {
  pcre2_general_context *gctx;
  pcre2_code *code;
  pcre2_match_data *md;
  pcre2_match_context *mctx;
  pcre2_jit_stack *jit;       /* NULL: the JIT's default 32 KB */
} regex;

static void regex_free(void *p){
  regex *r = (regex*)p;
  if( r==0 ) return;
  pcre2_match_data_free(r->md);
  pcre2_match_context_free(r->mctx);
  pcre2_jit_stack_free(r->jit);
  pcre2_code_free(r->code);
  pcre2_general_context_free(r->gctx);
  corpus_free(r);
}

/* Compiles pattern z[0..n-1] (with PCRE2's JIT when jit): the regex, or
** NULL with *err set
** ("bad pattern at offset N: WHY", or empty for out of memory). */
static regex *regex_compile(const char *z, size_t n, int jit, char *err){
  regex *r = corpus_realloc(0, sizeof(regex));
  pcre2_compile_context *cc;
  int code;
  PCRE2_SIZE off;
  err[0] = 0;
  if( r==0 ) return 0;
  memset(r, 0, sizeof(*r));
  r->gctx = pcre2_general_context_create(re_malloc, re_free, 0);
  if( r->gctx==0 ) goto fail;
  cc = pcre2_compile_context_create(r->gctx);
  if( cc==0 ) goto fail;
  r->code = pcre2_compile((PCRE2_SPTR)z, n, PCRE2_UTF | PCRE2_UCP
                          , &code, &off, cc);
  pcre2_compile_context_free(cc);
  if( r->code==0 ){
    if( code!=PCRE2_ERROR_HEAP_FAILED && code!=PCRE2_ERROR_NOMEMORY ){
      PCRE2_UCHAR why[120];
      if( pcre2_get_error_message(code, why, sizeof(why))<0 ) why[0] = 0;
      snprintf(err, CORPUS_ERRMAX, "bad pattern at offset %lld: %s",
               (long long)corpus_utf8_count(z, off<n ? off : n), (char*)why);
    }
    goto fail;
  }
  if( jit ) pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
  r->md = pcre2_match_data_create_from_pattern(r->code, r->gctx);
  r->mctx = pcre2_match_context_create(r->gctx);
  if( r->md==0 || r->mctx==0 ) goto fail;
  pcre2_set_match_limit(r->mctx, REGEXP_MATCH_LIMIT);
  pcre2_set_heap_limit(r->mctx, REGEXP_HEAP_LIMIT_KIB);
  if( jit ){
    r->jit = pcre2_jit_stack_create(32*1024, REGEXP_JIT_STACK_MAX, r->gctx);
    if( r->jit ) pcre2_jit_stack_assign(r->mctx, 0, r->jit);
  }
  return r;
fail:
  regex_free(r);
  return 0;
}

/* The regex of argument i of ctx: the statement's (its auxdata) when it
** keeps one, else compiled, with *fresh set: the caller hands it to
** regex_done() when finished.  NULL with the error set. */
static regex *regex_arg(sqlite3_context *ctx, const char *fn, int i,
                        sqlite3_value *v, int *fresh){
  regex *r = (regex*)sqlite3_get_auxdata(ctx, i);
  char err[CORPUS_ERRMAX];
  const char *z;
  *fresh = 0;
  if( r ) return r;
  if( corpus_check_text(ctx, fn, "pattern", v) ) return 0;
  z = (const char*)sqlite3_value_text(v);
  if( z==0 ){
    sqlite3_result_error_nomem(ctx);
    return 0;
  }
  r = regex_compile(z, (size_t)sqlite3_value_bytes(v), 1, err);
  if( r==0 ){
    if( err[0] ) corpus_result_error(ctx, fn, "%s", err);
    else sqlite3_result_error_nomem(ctx);
    return 0;
  }
  *fresh = 1;
  return r;
}

/* After the last use of a fresh regex: the statement keeps it for the
** next row when the pattern is the same in every row (SQLite frees it
** otherwise, at once or later). */
static void regex_done(sqlite3_context *ctx, int i, regex *r, int fresh){
  if( fresh ) sqlite3_set_auxdata(ctx, i, r, regex_free);
}

/* The message for a pcre2_match() failure other than no match. */
static const char *match_failure(int rc){
  if( rc==PCRE2_ERROR_MATCHLIMIT ){
    return "the match gave up after 10000000 steps (PCRE2's match limit): "
           "the pattern backtracks too much on this text";
  }
  if( rc==PCRE2_ERROR_HEAPLIMIT ){
    return "the match needs more than 256 MB of backtracking memory "
           "(PCRE2's heap limit)";
  }
  if( rc==PCRE2_ERROR_DEPTHLIMIT ){
    return "the match nests deeper than PCRE2's depth limit";
  }
  if( rc==PCRE2_ERROR_NOMEMORY ) return 0;
  return "PCRE2 failed to match";
}

/* The text z[0..n-1] as valid UTF-8: z itself, or a copy in *fix with
** each invalid sequence U+FFFD (*z and *n then point at it).  0, or -1
** when out of memory. */
static int subject_utf8(const char **z, size_t *n, corpus_buf *fix){
  if( corpus_utf8_valid(*z, *n) ) return 0;
  if( corpus_buf_append_utf8(fix, *z, *n) ) return -1;
  *z = fix->z ? fix->z : "";
  *n = fix->n;
  return 0;
}

/* Runs r on z[0..n-1] from byte `from`: 1 with ov[0..1] the match, 0 no
** match, <0 PCRE2's error. */
static int regex_find(regex *r, const char *z, size_t n, size_t from,
                      uint32_t flags, PCRE2_SIZE **ov){
  int rc = pcre2_match(r->code, (PCRE2_SPTR)z, n, from,
                       flags | PCRE2_NO_UTF_CHECK, r->md, r->mctx);
  if( rc==PCRE2_ERROR_JIT_STACKLIMIT ){
    rc = pcre2_match(r->code, (PCRE2_SPTR)z, n, from,
                     flags | PCRE2_NO_JIT | PCRE2_NO_UTF_CHECK, r->md, r->mctx);
  }
  if( rc==PCRE2_ERROR_NOMATCH ) return 0;
  if( rc<0 ) return rc;
  *ov = pcre2_get_ovector_pointer(r->md);
  return 1;
}

static void match_error(sqlite3_context *ctx, const char *fn, int rc){
  const char *why = match_failure(rc);
  if( why ) corpus_result_error(ctx, fn, "%s", why);
  else sqlite3_result_error_nomem(ctx);
}

/* Sets z[0..n-1] as the TEXT result, each invalid UTF-8 sequence of it
** (from the input: a match never cuts a valid character) U+FFFD, as every
** TEXT the extension returns is valid UTF-8.  z stays the caller's. */
static void result_utf8(sqlite3_context *ctx, const char *z, size_t n){
  corpus_buf b = {0, 0, 0};
  if( corpus_utf8_valid(z, n) ){
    sqlite3_result_text64(ctx, z, n, SQLITE_TRANSIENT, SQLITE_UTF8);
    return;
  }
  if( corpus_buf_append_utf8(&b, z, n) ){
    corpus_free(b.z);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text64(ctx, b.z, b.n, corpus_free, SQLITE_UTF8);
}

/* regexp(pattern, text): whether the pattern matches anywhere in text. */
static void regexp_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  regex *r;
  const char *z;
  PCRE2_SIZE *ov;
  corpus_buf fix = {0, 0, 0};
  size_t n;
  int rc, fresh;
  (void)argc;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL
   || sqlite3_value_type(argv[1])==SQLITE_NULL ){
    return;
  }
  if( corpus_check_text(ctx, "regexp", "text", argv[1]) ) return;
  if( (r = regex_arg(ctx, "regexp", 0, argv[0], &fresh))==0 ) return;
  z = (const char*)sqlite3_value_text(argv[1]);
  n = (size_t)sqlite3_value_bytes(argv[1]);
  if( z==0 || subject_utf8(&z, &n, &fix) ){
    sqlite3_result_error_nomem(ctx);
  }else{
    rc = regex_find(r, z, n, 0, 0, &ov);
    if( rc<0 ) match_error(ctx, "regexp", rc);
    else sqlite3_result_int(ctx, rc);
  }
  corpus_free(fix.z);
  regex_done(ctx, 0, r, fresh);
}

/* regexp_replace(text, pattern, replacement): every match replaced, by
** pcre2_substitute() with PCRE2_SUBSTITUTE_GLOBAL ($1, ${name}, $$ in the
** replacement). */
static void regexp_replace_func(sqlite3_context *ctx, int argc,
                                sqlite3_value **argv){
  regex *r;
  const char *z, *rep;
  PCRE2_UCHAR *out = 0;
  PCRE2_SIZE outn;
  uint32_t nojit = 0;
  corpus_buf fix = {0, 0, 0}, fixrep = {0, 0, 0};
  size_t n, repn;
  int rc, fresh, i;
  (void)argc;
  for(i=0; i<3; i++){
    if( sqlite3_value_type(argv[i])==SQLITE_NULL ) return;
  }
  if( corpus_check_text(ctx, "regexp_replace", "text", argv[0])
   || corpus_check_text(ctx, "regexp_replace", "replacement", argv[2]) ){
    return;
  }
  if( (r = regex_arg(ctx, "regexp_replace", 1, argv[1], &fresh))==0 ) return;
  z = (const char*)sqlite3_value_text(argv[0]);
  rep = (const char*)sqlite3_value_text(argv[2]);
  if( z==0 || rep==0 ) goto nomem;
  n = (size_t)sqlite3_value_bytes(argv[0]);
  repn = (size_t)sqlite3_value_bytes(argv[2]);
  if( subject_utf8(&z, &n, &fix) || subject_utf8(&rep, &repn, &fixrep) ){
    goto nomem;
  }
  outn = n + 64;
  for(;;){
    out = corpus_realloc(0, outn+1);
    if( out==0 ) goto nomem;
    size_t want = outn;
    rc = pcre2_substitute(r->code, (PCRE2_SPTR)z, n, 0,
                          PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_UNSET_EMPTY
                          | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH
                          | PCRE2_NO_UTF_CHECK | nojit,
                          r->md, r->mctx, (PCRE2_SPTR)rep, repn, out, &outn);
    if( rc==PCRE2_ERROR_JIT_STACKLIMIT && nojit==0 ){
      nojit = PCRE2_NO_JIT;            /* again, in the interpreter */
      outn = want;
      corpus_free(out);
      out = 0;
      continue;
    }
    /* out of memory in PCRE2 itself leaves outn unset */
    if( rc!=PCRE2_ERROR_NOMEMORY || outn==PCRE2_UNSET ) break;
    if( outn>CORPUS_MAX_ALLOC ) break;
    corpus_free(out);
    out = 0;
  }
  if( rc<0 ){
    if( rc==PCRE2_ERROR_NOMEMORY && outn==PCRE2_UNSET ){
      sqlite3_result_error_nomem(ctx);
    }else if( rc==PCRE2_ERROR_NOMEMORY ){
      corpus_result_error(ctx, "regexp_replace", "the result would be "
                          "longer than %lld bytes", (long long)CORPUS_MAX_ALLOC);
    }else if( rc==PCRE2_ERROR_MATCHLIMIT || rc==PCRE2_ERROR_HEAPLIMIT
           || rc==PCRE2_ERROR_DEPTHLIMIT ){
      match_error(ctx, "regexp_replace", rc);
    }else{
      PCRE2_UCHAR why[120];
      if( pcre2_get_error_message(rc, why, sizeof(why))<0 ) why[0] = 0;
      corpus_result_error(ctx, "regexp_replace", "bad replacement: %s",
                          (char*)why);
    }
    corpus_free(out);
  }else{
    result_utf8(ctx, (const char*)out, outn);
    corpus_free(out);
  }
  corpus_free(fix.z);
  corpus_free(fixrep.z);
  regex_done(ctx, 1, r, fresh);
  return;
nomem:
  sqlite3_result_error_nomem(ctx);
  corpus_free(fix.z);
  corpus_free(fixrep.z);
  regex_done(ctx, 1, r, fresh);
}

/* ---- regexp_split(text, pattern) -------------------------------------------- */

enum { SPLIT_POSITION, SPLIT_PIECE };

typedef struct split_cursor {
  corpus_tvf_cursor base;
  const char *z;             /* the text (args[0]'s copy, or fix, holds it) */
  corpus_buf fix;            /* the text with U+FFFD for invalid UTF-8 */
  size_t *cut;               /* piece k is z[cut[2k] .. cut[2k+1]) */
} split_cursor;

static void split_reset(corpus_tvf_cursor *cur){
  split_cursor *c = (split_cursor*)cur;
  corpus_free(c->cut);
  corpus_free(c->fix.z);
  memset(&c->fix, 0, sizeof(c->fix));
  c->cut = 0;
  c->z = 0;
}

/* The pieces of the text between the pattern's matches, as Python's
** re.split() gives them but that an empty match cuts nowhere and groups
** are not returned. */
static int split_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  split_cursor *c = (split_cursor*)cur;
  regex *r;
  char err[CORPUS_ERRMAX];
  const char *z, *p;
  size_t n, at = 0, from = 0, cap = 0, np = 0;
  PCRE2_SIZE *ov;
  int rc, i;
  for(i=0; i<2; i++){
    if( sqlite3_value_type(args[i])==SQLITE_NULL ) return SQLITE_OK;
    if( sqlite3_value_type(args[i])!=SQLITE_TEXT ){
      return corpus_tvf_error(cur, "%s must be TEXT, got %s",
                              i ? "pattern" : "text",
                              corpus_type_name(sqlite3_value_type(args[i])));
    }
  }
  p = (const char*)sqlite3_value_text(args[1]);
  z = (const char*)sqlite3_value_text(args[0]);
  if( p==0 || z==0 ) return SQLITE_NOMEM;
  n = (size_t)sqlite3_value_bytes(args[0]);
  if( subject_utf8(&z, &n, &c->fix) ) return SQLITE_NOMEM;
  /* compiled for each call (a table-valued function keeps nothing from
  ** one to the next): the JIT's compilation, tens of microseconds, pays
  ** only on a long text */
  r = regex_compile(p, (size_t)sqlite3_value_bytes(args[1]),
                    n>=REGEXP_SPLIT_JIT_BYTES, err);
  if( r==0 ){
    return err[0] ? corpus_tvf_error(cur, "%s", err) : SQLITE_NOMEM;
  }
  for(;;){
    rc = from<=n ? regex_find(r, z, n, from, 0, &ov) : 0;
    if( rc<0 ) break;
    if( np+2>cap ){
      size_t nc = cap ? cap*2 : 32;
      size_t *q = corpus_realloc(c->cut, nc*sizeof(size_t));
      if( q==0 ){ rc = PCRE2_ERROR_NOMEMORY; break; }
      c->cut = q;
      cap = nc;
    }
    if( rc==0 ){
      c->cut[np++] = at;
      c->cut[np++] = n;
      break;
    }
    if( ov[1]==ov[0] ){
      /* an empty match cuts nowhere: look on from the next character */
      size_t len = 1;
      if( ov[0]>=n ){
        c->cut[np++] = at;
        c->cut[np++] = n;
        break;
      }
      corpus_cp_at(z, n, ov[0], &len);
      from = ov[0] + len;
      continue;
    }
    c->cut[np++] = at;
    c->cut[np++] = ov[0];
    at = from = ov[1];
  }
  regex_free(r);
  if( rc<0 ){
    const char *why = match_failure(rc);
    return why ? corpus_tvf_error(cur, "%s", why) : SQLITE_NOMEM;
  }
  c->z = z;
  cur->nrow = (sqlite3_int64)(np/2);
  return SQLITE_OK;
}

static int split_column(corpus_tvf_cursor *cur, sqlite3_context *ctx,
                        int col){
  split_cursor *c = (split_cursor*)cur;
  size_t a = c->cut[2*cur->row], b = c->cut[2*cur->row+1];
  if( col==SPLIT_POSITION ) sqlite3_result_int64(ctx, cur->row);
  else result_utf8(ctx, c->z+a, b-a);
  return SQLITE_OK;
}

static const char *const split_args[] = {"text", "pattern"};
static const corpus_tvf split_tvf = {
  "regexp_split",
  "CREATE TABLE x(position INTEGER, piece TEXT, text HIDDEN, pattern HIDDEN)",
  2, 2, 2, split_args, SQLITE_VTAB_INNOCUOUS, sizeof(split_cursor),
  split_filter, split_column, split_reset, 0, 0
};

static const corpus_sql regexp_sql[] = {
  CORPUS_SCALAR("regexp", 2, CORPUS_PURE, regexp_func),
  CORPUS_SCALAR("regexp_replace", 3, CORPUS_PURE, regexp_replace_func),
  CORPUS_TABLE_FUNCTION("regexp_split", &split_tvf),
};

int corpus_regexp_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, regexp_sql, CORPUS_COUNT(regexp_sql), pzErr);
}
