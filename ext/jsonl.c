/*
** read_jsonl(): JSON Lines files read as rows, streaming.  Each line is
** checked as JSON (RFC 8259, json.c) where it lies in the reader's window
** (stream.c), and the fields named in columns= are found in one pass over
** the line's members, only when a column of them is asked for.
**
** The eponymous form, read_jsonl(path [, options]), has the columns file,
** line and json; the table form, CREATE VIRTUAL TABLE temp.t USING
** read_jsonl(path, 'columns=...'), adds a column for each field (SQLite
** fixes a table's columns before its arguments are known, so only a table
** made for the arguments can have columns named by them).
*/
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "corpus_sql.h"

#define JSONL_MAX_COLS 64
#define JSONL_MAX_DEPTH 16      /* components of a column's path */
#define JSONL_CHUNK (64*1024)   /* bytes asked of the reader past a line */

/* A column of columns=: its name and the path of member names. */
typedef struct jsonl_col {
  char *name;
  char *key[JSONL_MAX_DEPTH];
  size_t klen[JSONL_MAX_DEPTH];
  int depth;
} jsonl_col;

typedef struct jsonl_opts {
  int skip;                 /* on_error=skip */
  int strict;               /* each line an object */
  int progress;
  int ncol;
  jsonl_col col[JSONL_MAX_COLS];
} jsonl_opts;

static void opts_free(jsonl_opts *o){
  int i, j;
  for(i=0; i<o->ncol; i++){
    corpus_free(o->col[i].name);
    for(j=0; j<o->col[i].depth; j++) corpus_free(o->col[i].key[j]);
  }
  o->ncol = 0;
}

static char *dup_n(const char *z, size_t n){
  char *p = corpus_realloc(0, n+1);
  if( p ){
    memcpy(p, z, n);
    p[n] = 0;
  }
  return p;
}

/* One item of columns=: "path" or "name:path", path "a.b.c". */
static int add_col(jsonl_opts *o, const char *z, size_t n, char *err){
  const char *colon = memchr(z, ':', n);
  const char *path = colon ? colon+1 : z;
  size_t plen = colon ? n-(size_t)(path-z) : n;
  jsonl_col *c;
  int i;
  if( o->ncol==JSONL_MAX_COLS ){
    snprintf(err, CORPUS_ERRMAX, "columns: at most %d", JSONL_MAX_COLS);
    return -1;
  }
  if( colon && colon==z ){
    snprintf(err, CORPUS_ERRMAX, "columns: an empty name in '%.*s'",
             (int)(n>100 ? 100 : n), z);
    return -1;
  }
  if( plen==0 ){
    snprintf(err, CORPUS_ERRMAX, "columns: an empty path in '%.*s' (items "
             "are PATH or NAME:PATH, with no space)", (int)(n>100 ? 100 : n), z);
    return -1;
  }
  c = &o->col[o->ncol];
  memset(c, 0, sizeof(*c));
  c->name = dup_n(z, colon ? (size_t)(colon-z) : n);
  if( c->name==0 ) return CORPUS_NOMEM;
  o->ncol++;
  while( plen>0 ){
    const char *dot = memchr(path, '.', plen);
    size_t k = dot ? (size_t)(dot-path) : plen;
    if( k==0 || c->depth==JSONL_MAX_DEPTH ){
      snprintf(err, CORPUS_ERRMAX, k==0 ? "columns: an empty member name in "
               "'%.*s'" : "columns: a path deeper than 16 in '%.*s'",
               (int)(n>100 ? 100 : n), z);
      return -1;
    }
    c->key[c->depth] = dup_n(path, k);
    if( c->key[c->depth]==0 ) return CORPUS_NOMEM;
    c->klen[c->depth++] = k;
    if( !dot ) break;
    if( k+1==plen ){
      snprintf(err, CORPUS_ERRMAX, "columns: an empty member name in '%.*s'",
               (int)(n>100 ? 100 : n), z);
      return -1;
    }
    path += k+1;
    plen -= k+1;
  }
  for(i=0; i<o->ncol-1; i++){
    if( sqlite3_stricmp(o->col[i].name, c->name)==0 ){
      snprintf(err, CORPUS_ERRMAX, "columns: '%s' named twice", c->name);
      return -1;
    }
  }
  if( sqlite3_stricmp(c->name, "file")==0 || sqlite3_stricmp(c->name, "line")==0
   || sqlite3_stricmp(c->name, "json")==0 ){
    snprintf(err, CORPUS_ERRMAX, "columns: '%s' is a column of read_jsonl "
             "already (name it: columns=NAME:%s)", c->name, c->name);
    return -1;
  }
  return 0;
}

static int jsonl_option(void *ctx, const char *key, const char *value,
                        char *err){
  jsonl_opts *o = (jsonl_opts*)ctx;
  int k;
  if( strcmp(key, "columns")==0 ){
    const char *z = value;
    while( *z ){
      const char *comma = strchr(z, ',');
      size_t n = comma ? (size_t)(comma-z) : strlen(z);
      int rc = add_col(o, z, n, err);
      if( rc ) return rc;
      if( !comma ) break;
      z = comma+1;
    }
    return 0;
  }
  if( strcmp(key, "on_error")==0 ){
    if( (k = corpus_option_choice(key, value, "fail|skip", err))<0 ) return -1;
    o->skip = k;
    return 0;
  }
  if( strcmp(key, "strict")==0 ){
    if( (k = corpus_option_choice(key, value, "on|off", err))<0 ) return -1;
    o->strict = k==0;
    return 0;
  }
  if( strcmp(key, "progress")==0 ){
    if( (k = corpus_option_choice(key, value, "off|on", err))<0 ) return -1;
    o->progress = k;
    return 0;
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%s' (expected columns, "
           "on_error, strict, progress)", key);
  return -1;
}

static void opts_init(jsonl_opts *o){
  memset(o, 0, sizeof(*o));
  o->strict = 1;
}

/* The table form's columns: `"name", ...` for columns=. */
static int jsonl_columns(const char *const *args, int nArg, char **out,
                         char **pzErr){
  jsonl_opts o;
  char err[CORPUS_ERRMAX];
  char *cols = 0;
  int i, rc;
  (void)nArg;
  opts_init(&o);
  *out = 0;
  err[0] = 0;
  rc = args[1] ? corpus_options_parse(args[1], strlen(args[1]), jsonl_option,
                                      &o, err) : 0;
  if( rc ){
    opts_free(&o);
    if( rc==CORPUS_NOMEM ) return SQLITE_NOMEM;
    *pzErr = sqlite3_mprintf("read_jsonl: %s", err);
    return SQLITE_ERROR;
  }
  if( o.ncol>0 ){
    sqlite3_str *str = sqlite3_str_new(0);
    for(i=0; i<o.ncol; i++){
      sqlite3_str_appendf(str, "%s\"%w\"", i ? ", " : "", o.col[i].name);
    }
    cols = sqlite3_str_finish(str);
    if( cols==0 ){
      opts_free(&o);
      return SQLITE_NOMEM;
    }
  }
  opts_free(&o);
  *out = cols;
  return SQLITE_OK;
}

/* ---- The cursor ------------------------------------------------------------ */

typedef struct jsonl_cursor {
  corpus_tvf_cursor base;
  jsonl_opts o;
  int have_opts;
  corpus_paths paths;
  size_t ifile;                 /* the file being read: paths.path[ifile] */
  corpus_reader *r;
  sqlite3_int64 lineno;         /* of the current line in its file */
  sqlite3_int64 maxlen;         /* SQLite's length limit */
  corpus_read_counts k;         /* of the current file */
  int logged;                   /* its log row written */
  char *first_error;            /* of the current file */
  /* the current row: a line in the reader's window, or in fix */
  size_t start, len;            /* in the window: z[start..start+len) */
  int fixed;                    /* the line is fix.z (its UTF-8 repaired) */
  corpus_buf fix;
  int projected;                /* vals[] found for this row */
  corpus_json val[JSONL_MAX_COLS];
  corpus_buf text;              /* a string column unescaped */
  corpus_progress prog;
  sqlite3_int64 rows, raw_done; /* over the whole scan */
  size_t next;                  /* where the line after the row starts */
  int steps;                    /* lines since the last interrupt check */
  corpus_probe probe;
} jsonl_cursor;

static const char *cur_line(jsonl_cursor *c){
  return c->fixed ? c->fix.z : c->r->z + c->start;
}

/* Writes the current file's log row (once): SQLITE_OK or SQLITE_NOMEM. */
static int log_file(jsonl_cursor *c){
  if( c->logged || c->ifile>=c->paths.n ) return SQLITE_OK;
  c->logged = 1;
  c->k.bytes = c->r ? c->r->raw : 0;
  c->k.first_error = c->first_error;
  return corpus_read_log(&c->base, c->paths.path[c->ifile], &c->k);
}

/* Closes the current file, logging it.  A scan that stops early (xReset)
** logs its counts so far; out of memory there loses that row, since
** xClose has no error to give. */
static int close_file(jsonl_cursor *c){
  int rc = log_file(c);
  if( c->r ) c->raw_done += c->r->raw;
  corpus_reader_close(c->r);
  c->r = 0;
  corpus_free(c->first_error);
  c->first_error = 0;
  return rc;
}

static void jsonl_reset(corpus_tvf_cursor *cur){
  jsonl_cursor *c = (jsonl_cursor*)cur;
  (void)close_file(c);
  if( c->prog.on ) corpus_progress_end(&c->prog);
  corpus_paths_free(&c->paths);
  opts_free(&c->o);
  corpus_free(c->fix.z);
  corpus_free(c->text.z);
  corpus_probe_end(&c->probe);
  memset((char*)c + sizeof(corpus_tvf_cursor), 0,
         sizeof(*c) - sizeof(corpus_tvf_cursor));
}

/* An error about the current line: "FILE:LINE[:COLUMN]: WHAT". */
static int line_error(jsonl_cursor *c, size_t col, const char *fmt, ...){
  char what[CORPUS_ERRMAX];
  char *msg;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof(what), fmt, ap);
  va_end(ap);
  msg = col ? sqlite3_mprintf("%s:%lld:%llu: %s", c->paths.path[c->ifile],
                              c->lineno, (unsigned long long)col, what)
            : sqlite3_mprintf("%s:%lld: %s", c->paths.path[c->ifile],
                              c->lineno, what);
  if( msg==0 ) return SQLITE_NOMEM;
  if( c->o.skip ){
    c->k.skipped++;
    if( c->first_error==0 ){
      c->first_error = dup_n(msg, strlen(msg));
      if( c->first_error==0 ){
        sqlite3_free(msg);
        return SQLITE_NOMEM;
      }
    }
    sqlite3_free(msg);
    return SQLITE_OK;
  }
  corpus_tvf_error(&c->base, "%s", msg);
  sqlite3_free(msg);
  return SQLITE_ERROR;
}

/* Replaces each invalid UTF-8 sequence of the line by U+FFFD (into fix),
** counting them. */
static int repair_utf8(jsonl_cursor *c, const char *z, size_t n){
  size_t i = 0;
  c->fix.n = 0;
  while( i<n ){
    size_t len, a = corpus_ascii_prefix(z+i, n-i);
    int32_t cp;
    if( a ){
      if( corpus_buf_append(&c->fix, z+i, a) ) return SQLITE_NOMEM;
      i += a;
      continue;
    }
    cp = corpus_utf8_decode((const unsigned char*)z+i, n-i, &len);
    if( cp==0xFFFD && !(len==3 && memcmp(z+i, "\xEF\xBF\xBD", 3)==0) ){
      c->k.replaced++;
      if( corpus_buf_append(&c->fix, "\xEF\xBF\xBD", 3) ) return SQLITE_NOMEM;
    }else if( corpus_buf_append(&c->fix, z+i, len) ){
      return SQLITE_NOMEM;
    }
    i += len;
  }
  if( corpus_buf_reserve(&c->fix, 0) ) return SQLITE_NOMEM;
  c->fix.z[c->fix.n] = 0;
  c->fixed = 1;
  return SQLITE_OK;
}

/* Checks the line z[0..n) (no newline): SQLITE_OK with *ok 1 for a row,
** *ok 0 for a blank or skipped line; or an error. */
static int check_line(jsonl_cursor *c, const char *z, size_t n, int *ok){
  size_t i = 0, pos, bom = 0;
  const char *why;
  const char *z0 = z;
  size_t n0;
  int rc;
  *ok = 0;
  if( c->lineno==1 && n>=3 && memcmp(z, "\xEF\xBB\xBF", 3)==0 ){
    c->start += 3;                       /* a BOM at the file's start */
    z += 3;
    n -= 3;
    c->len = n;
    bom = 3;
  }
  z0 = z;
  n0 = n;
  while( i<n && (z[i]==' ' || z[i]=='\t' || z[i]=='\r') ) i++;
  if( i==n ) return SQLITE_OK;           /* blank */
  c->k.records++;
  c->fixed = 0;
  /* one pass checks the JSON and the UTF-8 of its strings; a line with
  ** an invalid sequence is repaired, then checked again */
  rc = corpus_json_check_utf8(z, n, &pos, &why);
  if( rc>0 ){
    rc = repair_utf8(c, z, n);
    if( rc ) return rc;
    z = c->fix.z;
    n = c->fix.n;
    rc = corpus_json_check_why(z, n, &pos, &why);
    /* the column in the file's bytes: the original line, its invalid
    ** bytes taken as plain string bytes, fails at the same place */
    if( rc ) corpus_json_check_why(z0, n0, &pos, &why);
  }
  /* columns count the file's bytes, a BOM included */
  if( rc ) return line_error(c, bom+pos+1, "%s", why);
  if( c->o.strict && z[i]!='{' ){
    int t = corpus_json_type(corpus_json_root(z, n));
    return line_error(c, bom+i+1, "expected a JSON object, got %s",
                      t==CORPUS_JSON_ARRAY ? "an array" :
                      t==CORPUS_JSON_STRING ? "a string" :
                      t==CORPUS_JSON_NUMBER ? "a number" :
                      t==CORPUS_JSON_NULL ? "null" : "a boolean");
  }
  *ok = 1;
  return SQLITE_OK;
}

/* Opens paths.path[i] (SQLITE_OK with c->r NULL past the last). */
static int open_file(jsonl_cursor *c, size_t i){
  char err[CORPUS_ERRMAX + 1024];
  int rc;
  c->ifile = i;
  memset(&c->k, 0, sizeof(c->k));
  c->logged = 0;
  c->lineno = 0;
  c->start = c->len = c->next = 0;
  if( i>=c->paths.n ) return SQLITE_OK;
  rc = corpus_reader_open(c->paths.path[i], &c->r, err);
  if( rc==CORPUS_NOMEM ) return SQLITE_NOMEM;
  if( rc ){
    c->logged = 1;                 /* nothing was read: no log row */
    return corpus_tvf_error(&c->base, "%s", err);
  }
  c->r->xInterrupted = corpus_probe_interrupted;
  c->r->pInterruptArg = &c->probe;
  return SQLITE_OK;
}

static int reader_error(jsonl_cursor *c, long long rc){
  if( rc==CORPUS_NOMEM ) return SQLITE_NOMEM;
  if( c->r->interrupted ) return SQLITE_INTERRUPT;
  return corpus_tvf_error(&c->base, "%s", c->r->err);
}

/* Skips the rest of a line too long to be a value. */
static int skip_long_line(jsonl_cursor *c){
  corpus_reader *r = c->r;
  for(;;){
    const char *nl = memchr(r->z + r->pos, '\n', r->end - r->pos);
    long long have;
    if( nl ){
      r->pos = (size_t)(nl - r->z) + 1;
      return SQLITE_OK;
    }
    r->pos = r->end;
    if( r->eof ) return SQLITE_OK;
    have = corpus_reader_fill(r, JSONL_CHUNK);
    if( have<0 ) return reader_error(c, have);
  }
}

/* Moves to the next line that makes a row, across files. */
static int jsonl_next(corpus_tvf_cursor *cur){
  jsonl_cursor *c = (jsonl_cursor*)cur;
  if( c->r ) c->r->pos = c->next;
  for(;;){
    corpus_reader *r = c->r;
    const char *nl;
    size_t scanned = 0, n, m;
    int rc, ok;
    if( r==0 ){
      cur->nrow = cur->row;            /* the end */
      /* the last progress line now, before the statement's results */
      if( c->prog.on ) corpus_progress_end(&c->prog);
      return SQLITE_OK;
    }
    /* SQLite checks for an interrupt between rows; a long run of blank or
    ** skipped lines gives none, so check here too. */
    if( ++c->steps>=4096 ){
      c->steps = 0;
      if( corpus_probe_interrupted(&c->probe) ) return SQLITE_INTERRUPT;
    }
    /* the end of the line, growing the window as needed */
    for(;;){
      long long have;
      nl = memchr(r->z + r->pos + scanned, '\n', r->end - r->pos - scanned);
      if( nl || r->eof ) break;
      scanned = r->end - r->pos;
      if( (sqlite3_int64)scanned>c->maxlen ) break;
      have = corpus_reader_fill(r, scanned + JSONL_CHUNK);
      if( have<0 ) return reader_error(c, have);
    }
    if( nl==0 && r->pos==r->end ){     /* the file is done */
      rc = close_file(c);
      if( rc ) return rc;
      rc = open_file(c, c->ifile+1);
      if( rc ) return rc;
      continue;
    }
    n = nl ? (size_t)(nl - (r->z + r->pos)) : r->end - r->pos;
    c->lineno++;
    if( (sqlite3_int64)n>c->maxlen ){
      c->k.records++;
      rc = line_error(c, 0, "a line longer than SQLite's length limit "
                      "(%lld bytes)", c->maxlen);
      if( rc==SQLITE_OK ) rc = skip_long_line(c);
      if( rc ) return rc;
      c->next = r->pos;
      continue;
    }
    c->start = r->pos;
    c->next = nl ? (size_t)(nl - r->z) + 1 : r->end;
    m = n;                             /* CRLF: the CR is not the line's */
    if( m>0 && r->z[c->start+m-1]=='\r' ) m--;
    c->len = m;
    rc = check_line(c, r->z + c->start, m, &ok);
    if( rc ) return rc;
    if( !ok ){
      r->pos = c->next;
      continue;
    }
    c->k.rows++;
    c->rows++;
    c->projected = 0;
    cur->row++;
    cur->nrow = cur->row + 1;
    if( c->o.progress ){
      corpus_progress_update(&c->prog, c->rows, c->raw_done + r->raw);
    }
    return SQLITE_OK;
  }
}

static int jsonl_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  jsonl_cursor *c = (jsonl_cursor*)cur;
  int rc;
  opts_init(&c->o);
  c->probe.db = corpus_tvf_db(cur);
  if( sqlite3_value_type(args[0])==SQLITE_NULL ) return SQLITE_OK;
  if( sqlite3_value_type(args[0])!=SQLITE_TEXT ){
    return corpus_tvf_error(cur, "path must be TEXT, got %s",
                            corpus_type_name(sqlite3_value_type(args[0])));
  }
  if( args[1] ){
    rc = corpus_tvf_options(cur, args[1], jsonl_option, &c->o);
    if( rc ) return rc;
  }
  if( c->o.ncol>0 && !corpus_tvf_created(cur) ){
    return corpus_tvf_error(cur, "columns= adds columns, which only a table "
                            "can have: CREATE VIRTUAL TABLE temp.t USING "
                            "read_jsonl(path, 'columns=...')");
  }
  rc = corpus_tvf_glob(cur, args[0], "path", &c->paths);
  if( rc ) return rc;
  c->maxlen = sqlite3_limit(corpus_tvf_db(cur), SQLITE_LIMIT_LENGTH, -1);
  if( c->o.progress ){
    corpus_progress_start(&c->prog, 1, "read_jsonl",
                          corpus_paths_bytes(&c->paths));
  }
  rc = open_file(c, 0);
  if( rc ) return rc;
  return jsonl_next(cur);
}

/* ---- Columns --------------------------------------------------------------- */

/* Whether the JSON string s (quotes included) is the name k[0..kn). */
static int key_is(corpus_json s, const char *k, size_t kn, corpus_buf *tmp){
  if( s.n==kn+2 && memcmp(s.z+1, k, kn)==0 ) return 1;
  if( memchr(s.z, '\\', s.n)==0 ) return 0;
  tmp->n = 0;
  return corpus_json_append_text(s, tmp)==0 && tmp->n==kn
      && memcmp(tmp->z, k, kn)==0;
}

/* Finds every column's value in the row, in one pass over the members of
** the line's object for the first names of the paths (the last member of
** a name wins, as in Python's json.loads), then down each path. */
static int project(jsonl_cursor *c){
  const char *z = cur_line(c);
  corpus_json root = corpus_json_root(z, c->fixed ? c->fix.n : c->len);
  corpus_json_iter it;
  corpus_json key, val;
  corpus_buf tmp = {0, 0, 0};
  int i, d;
  for(i=0; i<c->o.ncol; i++) c->val[i].z = 0;
  if( corpus_json_type(root)==CORPUS_JSON_OBJECT ){
    corpus_json_iter_init(root, &it);
    while( corpus_json_iter_next(&it, &key, &val) ){
      for(i=0; i<c->o.ncol; i++){
        if( key_is(key, c->o.col[i].key[0], c->o.col[i].klen[0], &tmp) ){
          c->val[i] = val;
        }
      }
    }
  }
  for(i=0; i<c->o.ncol; i++){
    for(d=1; d<c->o.col[i].depth && c->val[i].z; d++){
      corpus_json obj = c->val[i], found = {0, 0};
      c->val[i].z = 0;
      if( corpus_json_type(obj)!=CORPUS_JSON_OBJECT ) break;
      corpus_json_iter_init(obj, &it);
      while( corpus_json_iter_next(&it, &key, &val) ){
        if( key_is(key, c->o.col[i].key[d], c->o.col[i].klen[d], &tmp) ){
          found = val;
        }
      }
      c->val[i] = found;
    }
  }
  corpus_free(tmp.z);
  c->projected = 1;
  return SQLITE_OK;
}

/* A JSON number as SQL: INTEGER when it is an integer within 64 bits,
** else its digits as TEXT (exact) when it is an integer, else REAL. */
static void result_number(sqlite3_context *ctx, corpus_json v){
  char buf[64];
  size_t i;
  int integer = 1;
  for(i=0; i<v.n; i++){
    if( v.z[i]=='.' || v.z[i]=='e' || v.z[i]=='E' ) integer = 0;
  }
  if( integer ){
    if( v.n<=20 ){
      sqlite3_int64 x = 0;
      int neg = v.z[0]=='-', ok = 1;
      for(i=(size_t)neg; i<v.n && ok; i++){
        int dgt = v.z[i]-'0';
        if( neg ? x < (INT64_MIN + dgt)/10 : x > (INT64_MAX - dgt)/10 ) ok = 0;
        else x = x*10 + (neg ? -dgt : dgt);
      }
      if( ok ){
        sqlite3_result_int64(ctx, x);
        return;
      }
    }
    sqlite3_result_text(ctx, v.z, (int)v.n, SQLITE_TRANSIENT);
    return;
  }
  if( v.n<sizeof(buf) ){
    memcpy(buf, v.z, v.n);
    buf[v.n] = 0;
    sqlite3_result_double(ctx, strtod(buf, 0));
  }else{
    char *p = sqlite3_malloc64(v.n+1);
    if( p==0 ){
      sqlite3_result_error_nomem(ctx);
      return;
    }
    memcpy(p, v.z, v.n);
    p[v.n] = 0;
    sqlite3_result_double(ctx, strtod(p, 0));
    sqlite3_free(p);
  }
}

static int jsonl_column(corpus_tvf_cursor *cur, sqlite3_context *ctx,
                        int col){
  jsonl_cursor *c = (jsonl_cursor*)cur;
  corpus_json v;
  switch( col ){
    case 0:
      corpus_result_path(ctx, c->paths.path[c->ifile]);
      return SQLITE_OK;
    case 1:
      sqlite3_result_int64(ctx, c->lineno);
      return SQLITE_OK;
    case 2:
      sqlite3_result_text(ctx, cur_line(c), (int)(c->fixed ? c->fix.n : c->len),
                          SQLITE_TRANSIENT);
      sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
      return SQLITE_OK;
  }
  col -= 3;
  if( col<0 || col>=c->o.ncol ) return SQLITE_OK;
  if( !c->projected ){
    int rc = project(c);
    if( rc ) return rc;
  }
  v = c->val[col];
  if( v.z==0 ) return SQLITE_OK;                 /* missing: NULL */
  switch( corpus_json_type(v) ){
    case CORPUS_JSON_STRING:
      /* the line is valid UTF-8: a string without escapes is its bytes */
      if( memchr(v.z+1, '\\', v.n-2)==0 ){
        sqlite3_result_text(ctx, v.z+1, (int)(v.n-2), SQLITE_TRANSIENT);
        break;
      }
      c->text.n = 0;
      if( corpus_json_append_text_valid(v, &c->text) ) return SQLITE_NOMEM;
      sqlite3_result_text(ctx, c->text.z ? c->text.z : "", (int)c->text.n,
                          SQLITE_TRANSIENT);
      break;
    case CORPUS_JSON_NUMBER:
      result_number(ctx, v);
      break;
    case CORPUS_JSON_TRUE:  sqlite3_result_int(ctx, 1); break;
    case CORPUS_JSON_FALSE: sqlite3_result_int(ctx, 0); break;
    case CORPUS_JSON_NULL:  break;
    default:                                     /* object, array */
      sqlite3_result_text(ctx, v.z, (int)v.n, SQLITE_TRANSIENT);
      sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
  }
  return SQLITE_OK;
}

static const char *const jsonl_args[] = {"path", "options"};
static const corpus_tvf jsonl_tvf = {
  "read_jsonl",
  "CREATE TABLE x(file TEXT, line INTEGER, json TEXT, path HIDDEN,"
  " options HIDDEN)",
  3, 2, 1, jsonl_args, SQLITE_VTAB_DIRECTONLY, sizeof(jsonl_cursor),
  jsonl_filter, jsonl_column, jsonl_reset, jsonl_next, jsonl_columns
};

static const corpus_sql jsonl_sql[] = {
  CORPUS_TABLE_FUNCTION("read_jsonl", &jsonl_tvf),
};

int corpus_jsonl_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, jsonl_sql, CORPUS_COUNT(jsonl_sql), pzErr);
}
