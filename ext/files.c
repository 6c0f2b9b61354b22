/*
** Files (area "files"): corpora out to JSON Lines shards and in from
** directories of plain files, over the stream core (stream.c).  Both read
** or write files, so both are DIRECTONLY.
**
**   write_jsonl(path, value [, options])   aggregate -> JSON manifest
**   read_text(glob)                        table: path, size, mtime, text
**
** write_jsonl writes each row's value (a JSON object text) as one line.
** Every shard goes to a temporary name (corpus_writer) and is renamed only
** in xFinal once all of them are written: a statement that fails in one of
** write_jsonl's own rows, or is interrupted, leaves no shard under its
** final name.  Shards are named as datatrove's writers name them: a path
** with ${rank} has it replaced by the shard's number in five digits
** ("${rank}.jsonl" -> "00000.jsonl"); a path without it, when sharding, gets
** "-NNNNN" before its extension ("out.jsonl.zst" -> "out-00000.jsonl.zst").
*/
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "corpus_sql.h"

/* ---- write_jsonl(path, value [, options]) ---------------------------------- */

typedef struct jsonl_opts {
  long long shard_rows;     /* most lines a shard holds; 0: no limit */
  long long shard_bytes;    /* most uncompressed bytes (one longer line
                            ** makes a shard of its own); 0: no limit */
  long long level;          /* 0: the library's default */
  int overwrite, progress;
} jsonl_opts;

static int jsonl_option(void *ctx, const char *key, const char *value,
                        char *err){
  jsonl_opts *o = (jsonl_opts*)ctx;
  if( strcmp(key, "shard_rows")==0 ){
    return corpus_option_int(key, value, 1, LLONG_MAX, &o->shard_rows, err);
  }
  if( strcmp(key, "shard_bytes")==0 ){
    return corpus_option_int(key, value, 1, LLONG_MAX, &o->shard_bytes, err);
  }
  if( strcmp(key, "level")==0 ){
    return corpus_option_int(key, value, 1, 19, &o->level, err);
  }
  if( strcmp(key, "overwrite")==0 || strcmp(key, "progress")==0 ){
    int v = corpus_option_choice(key, value, "off|on", err);
    if( v<0 ) return -1;
    if( key[0]=='o' ) o->overwrite = v; else o->progress = v;
    return 0;
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: shard_rows, "
           "shard_bytes, overwrite, level, progress)", key);
  return -1;
}

typedef struct jsonl_shard {
  char *path;               /* the final name (sqlite3_malloc) */
  corpus_writer *w;         /* NULL once committed */
  long long rows;
  long long bytes, raw;     /* uncompressed, on disk: known once finished */
  char *old;                /* overwrite=on: the replaced file, set aside */
} jsonl_shard;

typedef struct jsonl_agg {
  int started;              /* the first row has set everything up */
  int failed;               /* a row set an error: xFinal only cleans up */
  jsonl_opts o;
  sqlite3_value *path, *options;    /* the first row's: every row's must match */
  char *pattern;            /* the path, sqlite3_malloc'd */
  size_t stem;              /* where "-NNNNN" goes (no ${rank}, sharded) */
  jsonl_shard *shard;       /* the shards opened, the last one current */
  int nshard, nalloc;
  long long row;            /* rows seen, NULL ones included */
  long long nulls;          /* NULL values, skipped */
  long long bytes;          /* lines' bytes written */
  corpus_progress progress;
} jsonl_agg;

#define JSONL_RANK "${rank}"

/* Where the shard number goes in a path without ${rank}: before the
** extension, which is the last ".x" of the file name, with the one before
** it when that is .gz or .zst ("out.jsonl.zst": at "out"). */
static size_t jsonl_stem(const char *path){
  const char *base = strrchr(path, '/');
  const char *dot;
  size_t n = strlen(path);
  base = base ? base+1 : path;
  dot = strrchr(base, '.');
  if( dot==0 || dot==base ) return n;
  if( strcmp(dot, ".gz")==0 || strcmp(dot, ".zst")==0 ){
    const char *p = dot;
    while( p>base+1 && p[-1]!='.' ) p--;
    if( p>base+1 ) return (size_t)(p-1-path);
  }
  return (size_t)(dot-path);
}

/* The final name of shard k (sqlite3_malloc'd), or NULL out of memory. */
static char *jsonl_shard_name(const jsonl_agg *a, int k){
  const char *p = a->pattern, *r;
  corpus_buf b = {0, 0, 0};
  char num[24];
  char *out = 0;
  snprintf(num, sizeof(num), "%05d", k);
  if( strstr(p, JSONL_RANK)==0 ){
    if( a->o.shard_rows==0 && a->o.shard_bytes==0 ){
      return sqlite3_mprintf("%s", p);
    }
    return sqlite3_mprintf("%.*s-%s%s", (int)a->stem, p, num, p+a->stem);
  }
  while( (r = strstr(p, JSONL_RANK))!=0 ){
    if( corpus_buf_append(&b, p, (size_t)(r-p))
     || corpus_buf_append(&b, num, strlen(num)) ) goto done;
    p = r + strlen(JSONL_RANK);
  }
  if( corpus_buf_append(&b, p, strlen(p))==0 ) out = sqlite3_mprintf("%s", b.z);
done:
  corpus_free(b.z);
  return out;
}

static int ends_with(const char *z, const char *suffix){
  size_t n = strlen(z), m = strlen(suffix);
  return n>=m && strcmp(z+n-m, suffix)==0;
}

/* Removes the temporary files of every shard not committed. */
static void jsonl_free(jsonl_agg *a){
  int i;
  for(i=0; i<a->nshard; i++){
    corpus_writer_abort(a->shard[i].w);
    sqlite3_free(a->shard[i].path);
    sqlite3_free(a->shard[i].old);
  }
  sqlite3_free(a->shard);
  sqlite3_free(a->pattern);
  sqlite3_value_free(a->path);
  sqlite3_value_free(a->options);
  a->shard = 0;
  a->nshard = a->nalloc = 0;
  a->pattern = 0;
  a->path = a->options = 0;
}

/* Sets the error of a writer's failure (rc -1: its message; else out of
** memory). */
static void jsonl_writer_error(sqlite3_context *ctx, int rc, const char *err){
  if( rc==CORPUS_NOMEM ){
    sqlite3_result_error_nomem(ctx);
  }else{
    corpus_result_error(ctx, "write_jsonl", "%s", err);
  }
}

/* Finishes the last shard, recording its sizes: 0, or nonzero with the
** error set on ctx. */
static int jsonl_finish_shard(sqlite3_context *ctx, jsonl_agg *a){
  jsonl_shard *s = &a->shard[a->nshard-1];
  int rc = corpus_writer_finish(s->w);
  if( rc ){
    jsonl_writer_error(ctx, rc, s->w->err);
    return 1;
  }
  s->bytes = s->w->bytes;
  s->raw = s->w->raw;
  return 0;
}

/* Opens the next shard; checks first that its final name is free (unless
** overwrite=on), so that a refusal comes before anything is written.
** 0, or nonzero with the error set on ctx. */
static int jsonl_open_shard(sqlite3_context *ctx, jsonl_agg *a){
  char err[CORPUS_ERRMAX + 1024];
  jsonl_shard *s;
  char *name;
  int rc;
  if( a->nshard>0 && jsonl_finish_shard(ctx, a) ) return 1;
  if( a->nshard==a->nalloc ){
    int n = a->nalloc ? 2*a->nalloc : 4;
    jsonl_shard *p = sqlite3_realloc64(a->shard, (sqlite3_uint64)n*sizeof(*p));
    if( p==0 ){ sqlite3_result_error_nomem(ctx); return 1; }
    a->shard = p;
    a->nalloc = n;
  }
  if( (name = jsonl_shard_name(a, a->nshard))==0 ){
    sqlite3_result_error_nomem(ctx);
    return 1;
  }
  s = &a->shard[a->nshard++];
  memset(s, 0, sizeof(*s));
  s->path = name;
  err[0] = 0;                 /* the writer refuses a directory, and an
                              ** existing file without overwrite */
  rc = corpus_writer_open(name, a->o.overwrite, (int)a->o.level, &s->w, err);
  if( rc ){
    s->w = 0;
    jsonl_writer_error(ctx, rc, err);
    return 1;
  }
  return 0;
}

/* The first row: the path and options, checked once. */
static int jsonl_start(sqlite3_context *ctx, jsonl_agg *a, int argc,
                       sqlite3_value **argv){
  const char *path;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ){
    corpus_result_error(ctx, "write_jsonl", "path must not be NULL");
    return 1;
  }
  if( corpus_check_text(ctx, "write_jsonl", "path", argv[0]) ) return 1;
  if( argc>2 && corpus_apply_options(ctx, "write_jsonl", argv[2],
                                     jsonl_option, &a->o) ){
    return 1;
  }
  path = (const char*)sqlite3_value_text(argv[0]);
  if( path==0 ){ sqlite3_result_error_nomem(ctx); return 1; }
  if( corpus_text_has_nul(argv[0]) ){
    corpus_result_error(ctx, "write_jsonl", "path must not hold a NUL byte");
    return 1;
  }
  if( path[0]==0 ){
    corpus_result_error(ctx, "write_jsonl", "path must not be empty");
    return 1;
  }
  if( a->o.level ){
    int gz = ends_with(path, ".gz"), zst = ends_with(path, ".zst");
    if( !gz && !zst ){
      corpus_result_error(ctx, "write_jsonl", "level needs a .gz or .zst "
                          "path, got '%s'", path);
      return 1;
    }
    if( gz && a->o.level>9 ){
      corpus_result_error(ctx, "write_jsonl", "level must be 1..9 for gzip, "
                          "got %lld", a->o.level);
      return 1;
    }
  }
  if( (a->pattern = sqlite3_mprintf("%s", path))==0 ){
    sqlite3_result_error_nomem(ctx);
    return 1;
  }
  a->stem = jsonl_stem(a->pattern);
  corpus_progress_start(&a->progress, a->o.progress, "write_jsonl", -1);
  a->started = 1;
  /* the first name is checked now, even if no line follows */
  return jsonl_open_shard(ctx, a);
}

/* A row's value, checked: 0 when it may be written as a line. */
static int jsonl_check_value(sqlite3_context *ctx, jsonl_agg *a,
                             sqlite3_value *v, const char **pz, size_t *pn){
  int t = sqlite3_value_type(v);
  const char *z;
  size_t n, pos = 0;
  int rc;
  if( t!=SQLITE_TEXT ){
    corpus_result_error(ctx, "write_jsonl", "row %lld: value must be TEXT "
                        "(a JSON object), got %s", a->row, corpus_type_name(t));
    return 1;
  }
  z = (const char*)sqlite3_value_text(v);
  n = (size_t)sqlite3_value_bytes(v);
  if( z==0 ){ sqlite3_result_error_nomem(ctx); return 1; }
  /* one pass checks the JSON and the UTF-8 of its strings (a byte that is
  ** not ASCII outside a string is a JSON error) */
  rc = corpus_json_check_utf8(z, n, &pos, 0);
  if( rc>0 ){
    corpus_result_error(ctx, "write_jsonl", "row %lld: value is not valid "
                        "UTF-8", a->row);
    return 1;
  }
  if( rc ){
    corpus_result_error(ctx, "write_jsonl", "row %lld: value is not JSON "
                        "(at byte %lld)", a->row, (long long)pos);
    return 1;
  }
  if( corpus_json_type(corpus_json_root(z, n))!=CORPUS_JSON_OBJECT ){
    corpus_result_error(ctx, "write_jsonl", "row %lld: value must be a JSON "
                        "object, got %.40s", a->row, z);
    return 1;
  }
  /* valid JSON holds a raw line break only as white space between tokens */
  if( memchr(z, '\n', n) || memchr(z, '\r', n) ){
    corpus_result_error(ctx, "write_jsonl", "row %lld: value holds a line "
                        "break (a JSON Lines line is one line; minify it with "
                        "json())", a->row);
    return 1;
  }
  *pz = z;
  *pn = n;
  return 0;
}

static void jsonl_step(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  jsonl_agg *a = sqlite3_aggregate_context(ctx, sizeof(jsonl_agg));
  jsonl_shard *s;
  const char *z;
  size_t n;
  int rc;
  if( a==0 ){ sqlite3_result_error_nomem(ctx); return; }
  if( a->failed ) return;
  a->row++;
  if( !a->started && jsonl_start(ctx, a, argc, argv) ) goto fail;
  {
    int same = corpus_agg_param(&a->path, argv[0]);
    if( same==0 && argc>2 ) same = corpus_agg_param(&a->options, argv[2]);
    if( same<0 ){ sqlite3_result_error_nomem(ctx); goto fail; }
    if( same ){
      corpus_result_error(ctx, "write_jsonl", "path and options must be the "
                          "same in every row");
      goto fail;
    }
  }
  if( sqlite3_value_type(argv[1])==SQLITE_NULL ){
    a->nulls++;
    return;
  }
  if( jsonl_check_value(ctx, a, argv[1], &z, &n) ) goto fail;
  s = &a->shard[a->nshard-1];
  if( s->rows>0
   && ((a->o.shard_rows && s->rows>=a->o.shard_rows)
    || (a->o.shard_bytes && s->w->bytes + (long long)n + 1 > a->o.shard_bytes)) ){
    if( jsonl_open_shard(ctx, a) ) goto fail;
    s = &a->shard[a->nshard-1];
  }
  if( (rc = corpus_writer_write(s->w, z, n))!=0
   || (rc = corpus_writer_write(s->w, "\n", 1))!=0 ){
    jsonl_writer_error(ctx, rc, s->w->err);
    goto fail;
  }
  s->rows++;
  a->bytes += (long long)n + 1;
  corpus_progress_update(&a->progress, a->row - a->nulls, a->bytes);
  return;
fail:
  a->failed = 1;
}

/* The manifest: {"files":[{"path":..,"rows":..,"bytes":..,
** "bytes_on_disk":..},...],"rows":..,"bytes":..,"bytes_on_disk":..,
** "null_rows":..}. */
static char *jsonl_manifest(const jsonl_agg *a){
  corpus_buf b = {0, 0, 0};
  long long rows = 0, bytes = 0, disk = 0;
  char num[160];
  char *out = 0;
  int i, rc = corpus_buf_append(&b, "{\"files\":[", 10);
  for(i=0; rc==0 && i<a->nshard; i++){
    const jsonl_shard *s = &a->shard[i];
    const char *open = i ? ",{\"path\":" : "{\"path\":";
    rc = corpus_buf_append(&b, open, strlen(open))
      || corpus_buf_append_json_string(&b, s->path, strlen(s->path));
    snprintf(num, sizeof(num), ",\"rows\":%lld,\"bytes\":%lld,"
             "\"bytes_on_disk\":%lld}", s->rows, s->bytes, s->raw);
    rc = rc || corpus_buf_append(&b, num, strlen(num));
    rows += s->rows;
    bytes += s->bytes;
    disk += s->raw;
  }
  snprintf(num, sizeof(num), "],\"rows\":%lld,\"bytes\":%lld,"
           "\"bytes_on_disk\":%lld,\"null_rows\":%lld}", rows, bytes, disk,
           a->nulls);
  if( rc==0 && corpus_buf_append(&b, num, strlen(num))==0 ){
    out = sqlite3_mprintf("%s", b.z);
  }
  corpus_free(b.z);
  return out;
}

/* overwrite=on: each file about to be replaced is first renamed aside
** (NAME.old-PID-N), so that a rename failing midway can put them all
** back: a failed write never costs the files it was to replace.  A
** directory in a final name's place is refused before anything moves. */
static void jsonl_put_back(jsonl_agg *a){
  int i;
  for(i=0; i<a->nshard; i++){
    if( a->shard[i].old ){
      (void)rename(a->shard[i].old, a->shard[i].path);
      sqlite3_free(a->shard[i].old);
      a->shard[i].old = 0;
    }
  }
}

static int jsonl_set_aside(sqlite3_context *ctx, jsonl_agg *a){
  int i;
  for(i=0; i<a->nshard; i++){
    struct stat st;
    if( lstat(a->shard[i].path, &st)==0 && S_ISDIR(st.st_mode) ){
      corpus_result_error(ctx, "write_jsonl", "%s: is a directory (a file's "
                          "name is needed)", a->shard[i].path);
      return 1;
    }
  }
  for(i=0; i<a->nshard; i++){
    jsonl_shard *s = &a->shard[i];
    if( !corpus_path_exists(s->path) ) continue;
    s->old = sqlite3_mprintf("%s.old-%d-%d", s->path, (int)getpid(), i);
    if( s->old==0 ){
      jsonl_put_back(a);
      sqlite3_result_error_nomem(ctx);
      return 1;
    }
    if( rename(s->path, s->old)!=0 ){
      corpus_result_error(ctx, "write_jsonl", "%s: cannot replace it: %s",
                          s->path, strerror(errno));
      sqlite3_free(s->old);
      s->old = 0;
      jsonl_put_back(a);
      return 1;
    }
  }
  return 0;
}

/* Finishes every shard, checks that no final name is taken (unless
** overwrite=on), renames them all, and gives the manifest.  A rename that
** fails midway removes the shards already renamed. */
static void jsonl_commit(sqlite3_context *ctx, jsonl_agg *a){
  char *manifest;
  int i, rc;
  if( a->nshard>0 && a->shard[a->nshard-1].rows==0 ){
    /* the first shard, opened at the first row, got no line: no file */
    a->nshard--;
    corpus_writer_abort(a->shard[a->nshard].w);
    sqlite3_free(a->shard[a->nshard].path);
  }
  if( a->nshard>0 && jsonl_finish_shard(ctx, a) ) return;
  for(i=0; i<a->nshard; i++){
    if( !a->o.overwrite && corpus_path_exists(a->shard[i].path) ){
      corpus_result_error(ctx, "write_jsonl", "%s: file exists (overwrite=on "
                          "replaces it)", a->shard[i].path);
      return;
    }
  }
  if( a->o.overwrite && jsonl_set_aside(ctx, a) ) return;
  for(i=0; i<a->nshard; i++){
    jsonl_shard *s = &a->shard[i];
    if( (rc = corpus_writer_commit(s->w))!=0 ){
      int j;
      jsonl_writer_error(ctx, rc, s->w->err);
      for(j=0; j<i; j++) remove(a->shard[j].path);
      jsonl_put_back(a);
      return;
    }
    corpus_writer_abort(s->w);      /* frees it; the file stays */
    s->w = 0;
  }
  for(i=0; i<a->nshard; i++){       /* the replaced files go */
    if( a->shard[i].old ){
      remove(a->shard[i].old);
      sqlite3_free(a->shard[i].old);
      a->shard[i].old = 0;
    }
  }
  manifest = jsonl_manifest(a);
  if( manifest==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, manifest, -1, sqlite3_free);
  sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
}

static void jsonl_final(sqlite3_context *ctx){
  jsonl_agg *a = sqlite3_aggregate_context(ctx, 0);
  if( a==0 ){
    /* no rows: the aggregate never saw a path, so no file */
    sqlite3_result_text(ctx, "{\"files\":[],\"rows\":0,\"bytes\":0,"
                        "\"bytes_on_disk\":0,\"null_rows\":0}", -1,
                        SQLITE_STATIC);
    sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
    return;
  }
  if( a->started ) corpus_progress_end(&a->progress);
  if( !a->failed ){
    /* SQLite calls xFinal also when it abandons the statement (an error,
    ** an interrupt): then the shards must go, and an interrupt is the one
    ** such end it lets an aggregate see */
    corpus_probe probe = {sqlite3_context_db_handle(ctx), 0};
    int interrupted = corpus_probe_interrupted(&probe);
    corpus_probe_end(&probe);
    if( interrupted ){
      sqlite3_result_error_code(ctx, SQLITE_INTERRUPT);
    }else{
      jsonl_commit(ctx, a);
    }
  }
  jsonl_free(a);
}

/* ---- read_text(glob) -------------------------------------------------------- */

#define TEXT_PATH  0
#define TEXT_SIZE  1
#define TEXT_MTIME 2
#define TEXT_TEXT  3

typedef struct text_cursor {
  corpus_tvf_cursor base;
  corpus_paths paths;
  size_t next;              /* the next path to look at */
  int named;                /* the glob had no wildcard: one file named */
  const char *path;         /* the current row's */
  long long size, mtime;
  char *text;               /* its text once read (corpus_realloc), or NULL */
  size_t ntext;
} text_cursor;

static void text_reset(corpus_tvf_cursor *cur){
  text_cursor *c = (text_cursor*)cur;
  corpus_paths_free(&c->paths);
  memset(&c->paths, 0, sizeof(c->paths));
  corpus_free(c->text);
  c->text = 0;
  c->ntext = 0;
  c->next = 0;
  c->path = 0;
}

/* Moves to the next regular file: a directory (or any other kind of file)
** that a wildcard matched is skipped; one named alone is an error. */
static int text_next(corpus_tvf_cursor *cur){
  text_cursor *c = (text_cursor*)cur;
  corpus_free(c->text);
  c->text = 0;
  c->ntext = 0;
  while( c->next<c->paths.n ){
    const char *path = c->paths.path[c->next++];
    struct stat st;
    if( stat(path, &st) ){
      return corpus_tvf_error(cur, "%s: %s", path, strerror(errno));
    }
    if( !S_ISREG(st.st_mode) ){
      if( !c->named ) continue;
      return corpus_tvf_error(cur, "%s: %s", path, S_ISDIR(st.st_mode)
                              ? "is a directory" : "is not a regular file");
    }
    c->path = path;
    c->size = (long long)st.st_size;
    c->mtime = (long long)st.st_mtime;
    cur->row++;
    cur->nrow = cur->row + 1;
    return SQLITE_OK;
  }
  cur->row = cur->nrow;       /* the end */
  return SQLITE_OK;
}

static int text_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  text_cursor *c = (text_cursor*)cur;
  const char *glob;
  int rc;
  if( sqlite3_value_type(args[0])==SQLITE_NULL ) return SQLITE_OK;
  if( sqlite3_value_type(args[0])!=SQLITE_TEXT ){
    return corpus_tvf_error(cur, "glob must be TEXT, got %s",
                            corpus_type_name(sqlite3_value_type(args[0])));
  }
  rc = corpus_tvf_glob(cur, args[0], "glob", &c->paths);
  if( rc ) return rc;
  glob = (const char*)sqlite3_value_text(args[0]);
  c->named = strpbrk(glob, "*?[")==0;
  cur->row = -1;
  cur->nrow = 0;
  return text_next(cur);
}

/* The number of invalid UTF-8 subparts in z[0..n-1] (each becomes one
** U+FFFD), not counting a U+FFFD written as such. */
static long long utf8_invalid_count(const char *z, size_t n){
  long long bad = 0;
  size_t i = 0;
  while( i<n ){
    size_t len;
    i += corpus_ascii_prefix(z+i, n-i);
    if( i>=n ) break;
    if( corpus_utf8_decode((const unsigned char*)z+i, n-i, &len)==0xFFFD
     && !(len==3 && memcmp(z+i, "\xEF\xBF\xBD", 3)==0) ){
      bad++;
    }
    i += len;
  }
  return bad;
}

/* Reads the current file whole into c->text, its invalid UTF-8 made
** U+FFFD (counted in the read log), within SQLite's length limit. */
static int text_load(text_cursor *c){
  sqlite3 *db = corpus_tvf_db(&c->base);
  long long limit = sqlite3_limit(db, SQLITE_LIMIT_LENGTH, -1);
  corpus_read_counts k;
  char *z = 0;
  size_t n = 0, cap;
  int fd, rc = SQLITE_OK;
  if( c->size>limit ){
    return corpus_tvf_error(&c->base, "%s: %lld bytes, more than SQLite's "
                            "length limit (%lld)", c->path, c->size, limit);
  }
  /* O_NONBLOCK: a FIFO put in the file's place since it was listed must
  ** not block the open; fstat then refuses it */
  fd = open(c->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if( fd<0 ){
    return corpus_tvf_error(&c->base, "%s: %s", c->path, strerror(errno));
  }
  {
    struct stat st;
    if( fstat(fd, &st) || !S_ISREG(st.st_mode) ){
      close(fd);
      return corpus_tvf_error(&c->base, "%s: is not a regular file", c->path);
    }
  }
  /* the file may have grown since it was listed: read to its end, but never
  ** past the limit */
  cap = (size_t)c->size + 1;
  if( (z = corpus_realloc(0, cap+1))==0 ) rc = SQLITE_NOMEM;
  while( rc==SQLITE_OK ){
    ssize_t got;
    if( n==cap ){
      char *p;
      if( (long long)n>limit ) break;
      cap = (long long)cap*2>limit+1 ? (size_t)limit+1 : cap*2;
      if( (p = corpus_realloc(z, cap+1))==0 ){ rc = SQLITE_NOMEM; break; }
      z = p;
    }
    got = read(fd, z+n, cap-n);
    if( got<0 ){
      if( errno==EINTR ) continue;
      rc = corpus_tvf_error(&c->base, "%s: %s", c->path, strerror(errno));
    }else if( got==0 ){
      break;
    }else{
      n += (size_t)got;
    }
  }
  if( rc==SQLITE_OK && (long long)n>limit ){
    rc = corpus_tvf_error(&c->base, "%s: more than SQLite's length limit "
                          "(%lld)", c->path, limit);
  }
  close(fd);
  if( rc ){
    corpus_free(z);
    return rc;
  }
  memset(&k, 0, sizeof(k));
  k.records = k.rows = 1;
  k.bytes = (long long)n;
  if( !corpus_utf8_valid(z, n) ){
    corpus_buf b = {0, 0, 0};
    k.replaced = utf8_invalid_count(z, n);
    rc = corpus_buf_append_utf8(&b, z, n) ? SQLITE_NOMEM : SQLITE_OK;
    corpus_free(z);
    z = b.z;
    n = b.n;
    if( rc ){
      corpus_free(z);
      return rc;
    }
    if( (long long)n>limit ){
      corpus_free(z);
      return corpus_tvf_error(&c->base, "%s: its text with invalid UTF-8 "
                              "replaced is %lld bytes, more than SQLite's "
                              "length limit (%lld)", c->path, (long long)n,
                              limit);
    }
  }
  if( (rc = corpus_read_log(&c->base, c->path, &k))!=SQLITE_OK ){
    corpus_free(z);
    return rc;
  }
  c->text = z ? z : corpus_realloc(0, 1);
  if( c->text==0 ) return SQLITE_NOMEM;
  c->ntext = n;
  return SQLITE_OK;
}

static int text_column(corpus_tvf_cursor *cur, sqlite3_context *ctx, int col){
  text_cursor *c = (text_cursor*)cur;
  switch( col ){
    case TEXT_PATH:
      corpus_result_path(ctx, c->path);
      break;
    case TEXT_SIZE:  sqlite3_result_int64(ctx, c->size); break;
    case TEXT_MTIME: sqlite3_result_int64(ctx, c->mtime); break;
    default: {
      int rc;
      /* read only when asked: a listing of sizes reads no file */
      if( c->text==0 && (rc = text_load(c))!=SQLITE_OK ) return rc;
      sqlite3_result_text64(ctx, c->text, c->ntext, SQLITE_TRANSIENT,
                            SQLITE_UTF8);
    }
  }
  return SQLITE_OK;
}

static const char *const text_args[] = {"glob"};
static const corpus_tvf text_tvf = {
  "read_text",
  "CREATE TABLE x(path TEXT, size INTEGER, mtime INTEGER, text TEXT, "
  "glob HIDDEN)",
  4, 1, 1, text_args, SQLITE_VTAB_DIRECTONLY, sizeof(text_cursor),
  text_filter, text_column, text_reset, text_next, 0
};

static const corpus_sql files_sql[] = {
  CORPUS_AGGREGATE("write_jsonl", 2, CORPUS_DIRECTONLY, jsonl_step,
                   jsonl_final),
  CORPUS_AGGREGATE("write_jsonl", 3, CORPUS_DIRECTONLY, jsonl_step,
                   jsonl_final),
  CORPUS_TABLE_FUNCTION("read_text", &text_tvf),
};

int corpus_files_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, files_sql, CORPUS_COUNT(files_sql), pzErr);
}
