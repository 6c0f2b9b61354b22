/*
** The ngram_index virtual table: the n-grams of evaluation items in a
** persistent index, for decontamination (GPT-3, appendix C;
** lm-evaluation-harness's janitor).  decontam.c checks training documents
** against it.
**
**   CREATE VIRTUAL TABLE bench_grams USING ngram_index(n=13);
**   INSERT INTO bench_grams(text, source) VALUES (...);
**   INSERT INTO bench_grams(bench_grams) VALUES ('integrity-check');
**
** Words are the janitor's: ASCII letters lowercased, ASCII punctuation
** (Python's string.punctuation) deleted, then split on white space; an
** n-gram is n consecutive words.  N-grams are compared by a 64-bit hash of
** their words (xxh3 of each word, rolled into a polynomial sum).
**
** The index lives in shadow tables, as FTS5's does, so it takes part in
** the database's transactions:
**   NAME_config(k PRIMARY KEY, v)        n, and the format
**   NAME_items(id INTEGER PRIMARY KEY, source, text)
**   NAME_grams(hash, item, pos, PRIMARY KEY(hash, item, pos))  WITHOUT ROWID
*/
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "corpus_sql.h"

#define NGRAM_INDEX_FORMAT 1

/* Python's string.punctuation. */
static int ascii_punct(unsigned char c){
  return (c>=33 && c<=47) || (c>=58 && c<=64) || (c>=91 && c<=96)
      || (c>=123 && c<=126);
}

typedef struct jword { uint64_t hash; size_t start, end; } jword;

/* Whether the character at u[i] is white space (Python's str.isspace(), as
** str.split() cuts); *len gets its length.  Any bytes: invalid UTF-8 reads
** as U+FFFD, not space. */
static inline int space_len(const unsigned char *u, size_t n, size_t i,
                            size_t *len){
  if( u[i]<0x80 ){
    *len = 1;
    return u[i]==' ' || (u[i]>=0x09 && u[i]<=0x0D)
        || (u[i]>=0x1C && u[i]<=0x1F);
  }
  return corpus_py_isspace(corpus_utf8_decode(u+i, n-i, len));
}

/* An n-gram's hash: the polynomial sum of its words' hashes,
** w_0 P^(n-1) + ... + w_(n-1) (mod 2^64), which rolls from one n-gram to
** the next in three multiplications, then mixed (murmur3's finalizer). */
#define GRAM_P 0x9E3779B97F4A7C15ULL
static uint64_t gram_mix(uint64_t h){
  h ^= h>>33; h *= 0xFF51AFD7ED558CCDULL;
  h ^= h>>33; h *= 0xC4CEB9FE1A85EC53ULL;
  return h ^ (h>>33);
}

/* With fold=on: the ASCII character a typographic quote or dash stands
** for, 0 for a Default_Ignorable code point (dropped), or -1 (kept). */
static int fold_char(int32_t c){
  switch( c ){
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032:
      return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033:
      return '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
    case 0x2015: case 0x2212:
      return '-';
  }
  return corpus_default_ignorable(c) ? 0 : -1;
}

/* Calls cb for each gram of z: its hash, the index of its first word and
** its byte span (from its first word's chunk to its last's).  The grams are
** the o->n-grams, and with o->mask the k-grams too for each k whose bit
** k-1 is set (k < n), all ending at a word before any ending at the next;
** with o->whole, a text of 1..n-1 words gives one gram of them all.  A
** chunk of punctuation alone is no word, for items and documents alike
** (janitor.py's Python cleaning path keeps it in the n-grams of raw
** chunks, which then never match, so it misses contaminants around a lone
** "-").  *words (when not NULL) gets the number of words.  Returns 0, -1
** (out of memory) or cb's nonzero return. */
int corpus_janitor_scan(const char *z, size_t n, const corpus_janitor_opts *opt,
                        corpus_janitor_fn cb, void *ctx, size_t *words){
  const unsigned char *u = (const unsigned char*)z;
  uint64_t ring[CORPUS_JANITOR_MAX];        /* word hashes, by count % CORPUS_JANITOR_MAX */
  size_t rstart[CORPUS_JANITOR_MAX];        /* their chunks' starts */
  int ks[CORPUS_JANITOR_MAX], nk = 0, k, j;
  uint64_t top[CORPUS_JANITOR_MAX], roll[CORPUS_JANITOR_MAX], whole = 0;
  size_t i = 0, count = 0, first = 0, last = 0;
  char buf[256];
  corpus_buf big = {0, 0, 0};
  int rc = 0;
  if( words ) *words = 0;
  if( opt->n<1 || opt->n>CORPUS_JANITOR_MAX ) return -1;
  ks[nk++] = opt->n;
  for(k=1; k<opt->n; k++){
    if( opt->mask & ((uint64_t)1<<(k-1)) ) ks[nk++] = k;
  }
  for(j=0; j<nk; j++){
    top[j] = 1;
    roll[j] = 0;
    for(k=1; k<ks[j]; k++) top[j] *= GRAM_P;
  }
  while( i<n ){
    size_t len, a, b, p, o = 0;
    char *out = buf;
    uint64_t h;
    /* white space, Python's str.split() */
    while( i<n && space_len(u, n, i, &len) ) i += len;
    if( i>=n ) break;
    a = i;
    while( i<n && !space_len(u, n, i, &len) ) i += len;
    b = i;
    if( b-a>sizeof(buf) ){
      big.n = 0;
      if( corpus_buf_append(&big, z+a, b-a) ){ rc = -1; break; }
      out = big.z;
    }
    for(p=a; p<b; p++){
      unsigned char ch = u[p];
      if( ch>=0x80 && opt->fold ){
        size_t clen;
        int f = fold_char(corpus_utf8_decode(u+p, b-p, &clen));
        if( f>=0 ){
          p += clen-1;
          if( f==0 ) continue;
          ch = (unsigned char)f;     /* then deleted as ASCII punctuation */
        }
      }
      if( ch<0x80 && ascii_punct(ch) ) continue;
      out[o++] = (char)(ch>='A' && ch<='Z' ? ch+32 : ch);
    }
    if( o==0 ) continue;               /* no word */
    h = XXH3_64bits(out, o);
    whole = whole*GRAM_P + h;
    if( count==0 ) first = a;
    last = b;
    rstart[count % CORPUS_JANITOR_MAX] = a;
    for(j=0; j<nk && rc==0; j++){
      size_t kk = (size_t)ks[j];
      if( count>=kk ){                 /* the word leaving */
        roll[j] -= ring[(count-kk) % CORPUS_JANITOR_MAX] * top[j];
      }
      roll[j] = roll[j]*GRAM_P + h;
      if( count+1>=kk ){
        size_t w = count+1-kk;
        rc = cb(ctx, gram_mix(roll[j]), w, rstart[w % CORPUS_JANITOR_MAX], b);
      }
    }
    ring[count % CORPUS_JANITOR_MAX] = h;
    count++;
    if( rc ) break;
  }
  if( rc==0 && opt->whole && count>0 && count<(size_t)opt->n ){
    rc = cb(ctx, gram_mix(whole), 0, first, last);
  }
  corpus_free(big.z);
  if( words ) *words = count;
  return rc;
}

int corpus_janitor_grams(const char *z, size_t n, int ngram,
                         corpus_janitor_fn cb, void *ctx){
  corpus_janitor_opts o = {ngram, 0, 0, 0};
  return corpus_janitor_scan(z, n, &o, cb, ctx, 0);
}

/* ---- The index's configuration ---------------------------------------------- */

/* NAME_config, read back and checked: every value in it comes from a table
** anyone can write to, and n sizes arrays.  short holds bit k-1 for each
** length k < n of an item indexed whole (once set, kept: a superset). */

/* A config value for an error message: 'text' quoted, a number as it is. */
static char *value_text(sqlite3_stmt *st, int i){
  switch( sqlite3_column_type(st, i) ){
    case SQLITE_NULL: return sqlite3_mprintf("NULL");
    case SQLITE_BLOB: return sqlite3_mprintf("a BLOB");
    case SQLITE_TEXT:
      return sqlite3_mprintf("'%.40s'", sqlite3_column_text(st, i));
  }
  return sqlite3_mprintf("%s", sqlite3_column_text(st, i));
}

/* Fills c from schema.name_config.  SQLITE_ERROR without the table (*err
** says no index of that name), SQLITE_CORRUPT_VTAB with *err saying which
** value is wrong, or SQLITE_NOMEM (*err NULL). */
int corpus_ngram_config_read(sqlite3 *db, const char *schema, const char *name,
                       const char *display, corpus_ngram_config *c, char **err){
  sqlite3_stmt *st;
  char *sql = sqlite3_mprintf("SELECT k, v FROM \"%w\".\"%w_config\"", schema,
                              name);
  int rc, seen_n = 0, seen_format = 0;
  *err = 0;
  memset(c, 0, sizeof(*c));
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
  sqlite3_free(sql);
  if( rc ){
    if( rc==SQLITE_NOMEM ) return rc;
    *err = sqlite3_mprintf("no ngram_index named '%s'", display);
    return SQLITE_ERROR;
  }
  while( (rc = sqlite3_step(st))==SQLITE_ROW ){
    const char *k = (const char*)sqlite3_column_text(st, 0);
    int isint = sqlite3_column_type(st, 1)==SQLITE_INTEGER;
    sqlite3_int64 v = sqlite3_column_int64(st, 1);
    const char *want = 0;
    if( k==0 ) k = "";
    if( strcmp(k, "n")==0 ){
      if( !isint || v<1 || v>CORPUS_JANITOR_MAX ) want = "an INTEGER 1..64";
      c->n = (int)v;
      seen_n = 1;
    }else if( strcmp(k, "format")==0 ){
      if( !isint || v!=NGRAM_INDEX_FORMAT ) want = "1";
      seen_format = 1;
    }else if( strcmp(k, "fold")==0 ){
      if( !isint || v<0 || v>1 ) want = "0 or 1";
      c->fold = (int)v;
    }else if( strcmp(k, "short")==0 ){
      if( !isint ) want = "an INTEGER";
      c->mask = (uint64_t)v;
    }else if( strcmp(k, "short_items")==0 || strcmp(k, "empty_items")==0 ){
      if( !isint || v<0 ) want = "an INTEGER >= 0";
      *(k[0]=='s' ? &c->short_items : &c->empty_items) = v;
    }else{
      *err = sqlite3_mprintf("%s_config is corrupt: unknown key '%.40s'",
                             name, k);
      break;
    }
    if( want ){
      char *got = value_text(st, 1);
      *err = sqlite3_mprintf("%s_config is corrupt: %s must be %s, got %s",
                             name, k, want, got ? got : "?");
      sqlite3_free(got);
      break;
    }
  }
  sqlite3_finalize(st);
  if( *err ) return SQLITE_CORRUPT_VTAB;
  if( rc!=SQLITE_DONE ){
    if( rc==SQLITE_NOMEM ) return rc;
    *err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    return SQLITE_ERROR;
  }
  if( !seen_n || !seen_format ){
    *err = sqlite3_mprintf("%s_config is corrupt: no %s", name,
                           seen_n ? "format" : "n");
    return SQLITE_CORRUPT_VTAB;
  }
  /* lengths of n or more are never indexed whole */
  if( c->n<64 ) c->mask &= ((uint64_t)1<<(c->n-1)) - 1;
  return SQLITE_OK;
}

/* ---- The ngram_index virtual table ------------------------------------------ */

typedef struct ngram_vtab {
  sqlite3_vtab base;
  sqlite3 *db;
  char *schema, *name;
  corpus_ngram_config cfg;         /* n and fold; the counts are re-read */
} ngram_vtab;

typedef struct ngram_cursor {
  sqlite3_vtab_cursor base;
  sqlite3_stmt *stmt;
  int eof;
} ngram_cursor;

static int exec_fmt(sqlite3 *db, char **pzErr, const char *fmt, ...){
  va_list ap;
  char *sql;
  int rc;
  va_start(ap, fmt);
  sql = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_exec(db, sql, 0, 0, pzErr);
  sqlite3_free(sql);
  return rc;
}

static int ngram_option(void *ctx, const char *key, const char *value,
                        char *err){
  corpus_ngram_config *c = (corpus_ngram_config*)ctx;
  long long v;
  if( strcmp(key, "n")==0 ){
    if( corpus_option_int(key, value, 1, CORPUS_JANITOR_MAX, &v, err) ) return -1;
    c->n = (int)v;
    return 0;
  }
  if( strcmp(key, "fold")==0 ){
    int f = corpus_option_choice(key, value, "off|on", err);
    if( f<0 ) return -1;
    c->fold = f;
    return 0;
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: n, fold)", key);
  return -1;
}

static int ngram_init(sqlite3 *db, void *pAux, int argc,
                      const char *const *argv, sqlite3_vtab **ppVtab,
                      char **pzErr, int create){
  ngram_vtab *v;
  corpus_ngram_config cfg;
  int rc, i;
  (void)pAux;
  *ppVtab = 0;
  memset(&cfg, 0, sizeof(cfg));
  cfg.n = 13;
  if( create ){
    char err[CORPUS_ERRMAX];
    for(i=3; i<argc; i++){
      if( corpus_options_parse(argv[i], strlen(argv[i]), ngram_option, &cfg,
                               err) ){
        *pzErr = corpus_sql_utf8(sqlite3_mprintf("ngram_index: %s", err));
        return SQLITE_ERROR;
      }
    }
    rc = exec_fmt(db, pzErr,
        "CREATE TABLE \"%w\".\"%w_config\"(k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
        "INSERT INTO \"%w\".\"%w_config\" VALUES ('n', %d), ('format', %d), "
        "('fold', %d), ('short', 0), ('short_items', 0), ('empty_items', 0);"
        "CREATE TABLE \"%w\".\"%w_items\"(id INTEGER PRIMARY KEY, source TEXT, "
        "text TEXT);"
        "CREATE TABLE \"%w\".\"%w_grams\"(hash INTEGER NOT NULL, item INTEGER "
        "NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY(hash, item, pos)) "
        "WITHOUT ROWID;",
        argv[1], argv[2], argv[1], argv[2], cfg.n, NGRAM_INDEX_FORMAT, cfg.fold,
        argv[1], argv[2], argv[1], argv[2]);
    if( rc ) return rc;
  }else{
    char *err = 0;
    rc = corpus_ngram_config_read(db, argv[1], argv[2], argv[2], &cfg, &err);
    if( rc ){
      if( err ){
        *pzErr = corpus_sql_utf8(sqlite3_mprintf("ngram_index: %s", err));
      }
      sqlite3_free(err);
      return rc;
    }
  }
  {
    char *decl = sqlite3_mprintf("CREATE TABLE x(text, source, \"%w\" HIDDEN)",
                                 argv[2]);
    if( decl==0 ) return SQLITE_NOMEM;
    rc = sqlite3_declare_vtab(db, decl);
    sqlite3_free(decl);
    if( rc ) return rc;
  }
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  v = sqlite3_malloc(sizeof(*v));
  if( v==0 ) return SQLITE_NOMEM;
  memset(v, 0, sizeof(*v));
  v->db = db;
  v->cfg = cfg;
  v->schema = sqlite3_mprintf("%s", argv[1]);
  v->name = sqlite3_mprintf("%s", argv[2]);
  if( v->schema==0 || v->name==0 ){
    sqlite3_free(v->schema);
    sqlite3_free(v->name);
    sqlite3_free(v);
    return SQLITE_NOMEM;
  }
  *ppVtab = &v->base;
  return SQLITE_OK;
}

static int ngram_create(sqlite3 *db, void *pAux, int argc,
                        const char *const *argv, sqlite3_vtab **ppVtab,
                        char **pzErr){
  return ngram_init(db, pAux, argc, argv, ppVtab, pzErr, 1);
}

static int ngram_connect(sqlite3 *db, void *pAux, int argc,
                         const char *const *argv, sqlite3_vtab **ppVtab,
                         char **pzErr){
  return ngram_init(db, pAux, argc, argv, ppVtab, pzErr, 0);
}

static int ngram_disconnect(sqlite3_vtab *pVtab){
  ngram_vtab *v = (ngram_vtab*)pVtab;
  sqlite3_free(v->schema);
  sqlite3_free(v->name);
  sqlite3_free(v);
  return SQLITE_OK;
}

static int ngram_destroy(sqlite3_vtab *pVtab){
  ngram_vtab *v = (ngram_vtab*)pVtab;
  int rc = exec_fmt(v->db, 0,
      "DROP TABLE IF EXISTS \"%w\".\"%w_config\";"
      "DROP TABLE IF EXISTS \"%w\".\"%w_items\";"
      "DROP TABLE IF EXISTS \"%w\".\"%w_grams\";",
      v->schema, v->name, v->schema, v->name, v->schema, v->name);
  if( rc==SQLITE_OK ) ngram_disconnect(pVtab);
  return rc;
}

static int ngram_shadow_name(const char *name){
  return strcmp(name, "config")==0 || strcmp(name, "items")==0
      || strcmp(name, "grams")==0;
}

/* A full scan of the items, or one item by rowid. */
static int ngram_best_index(sqlite3_vtab *pVtab, sqlite3_index_info *info){
  int i;
  (void)pVtab;
  info->idxNum = 0;
  info->estimatedCost = 1e6;
  for(i=0; i<info->nConstraint; i++){
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    if( c->usable && c->iColumn<0 && c->op==SQLITE_INDEX_CONSTRAINT_EQ ){
      info->idxNum = 1;
      info->aConstraintUsage[i].argvIndex = 1;
      info->aConstraintUsage[i].omit = 1;
      info->estimatedCost = 10;
      info->estimatedRows = 1;
      info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
      break;
    }
  }
  return SQLITE_OK;
}

static int ngram_open(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  ngram_cursor *c = sqlite3_malloc(sizeof(*c));
  (void)pVtab;
  if( c==0 ) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  *ppCur = &c->base;
  return SQLITE_OK;
}

static int ngram_close(sqlite3_vtab_cursor *cur){
  ngram_cursor *c = (ngram_cursor*)cur;
  sqlite3_finalize(c->stmt);
  sqlite3_free(c);
  return SQLITE_OK;
}

static int ngram_next(sqlite3_vtab_cursor *cur){
  ngram_cursor *c = (ngram_cursor*)cur;
  int rc = sqlite3_step(c->stmt);
  if( rc==SQLITE_ROW ) return SQLITE_OK;
  c->eof = 1;
  return rc==SQLITE_DONE ? SQLITE_OK : rc;
}

static int ngram_filter(sqlite3_vtab_cursor *cur, int idxNum,
                        const char *idxStr, int argc, sqlite3_value **argv){
  ngram_cursor *c = (ngram_cursor*)cur;
  ngram_vtab *v = (ngram_vtab*)cur->pVtab;
  char *sql;
  int rc;
  (void)idxStr; (void)argc;
  sqlite3_finalize(c->stmt);
  c->stmt = 0;
  c->eof = 0;
  sql = sqlite3_mprintf("SELECT id, text, source FROM \"%w\".\"%w_items\"%s "
                        "ORDER BY id", v->schema, v->name,
                        idxNum ? " WHERE id = ?1" : "");
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, sql, -1, &c->stmt, 0);
  sqlite3_free(sql);
  if( rc ) return corpus_vtab_error(cur->pVtab, "ngram_index", "%s",
                                    sqlite3_errmsg(v->db));
  if( idxNum ) sqlite3_bind_value(c->stmt, 1, argv[0]);
  return ngram_next(cur);
}

static int ngram_eof(sqlite3_vtab_cursor *cur){
  return ((ngram_cursor*)cur)->eof;
}

static int ngram_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  ngram_cursor *c = (ngram_cursor*)cur;
  if( i==0 ) sqlite3_result_value(ctx, sqlite3_column_value(c->stmt, 1));
  else if( i==1 ) sqlite3_result_value(ctx, sqlite3_column_value(c->stmt, 2));
  return SQLITE_OK;
}

static int ngram_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = sqlite3_column_int64(((ngram_cursor*)cur)->stmt, 0);
  return SQLITE_OK;
}

/* Adds or removes the n-grams of an item (the statement says which). */
typedef struct gram_writer {
  sqlite3_stmt *stmt;
  sqlite3_int64 item;
  int rc;
} gram_writer;

/* Binds a grams row, (hash, item, pos), to ?1, ?2, ?3. */
static void bind_gram(sqlite3_stmt *st, uint64_t hash, sqlite3_int64 item,
                      size_t word){
  sqlite3_bind_int64(st, 1, (sqlite3_int64)hash);
  sqlite3_bind_int64(st, 2, item);
  sqlite3_bind_int64(st, 3, (sqlite3_int64)word);
}

static int write_gram(void *ctx, uint64_t hash, size_t word, size_t start,
                      size_t end){
  gram_writer *w = (gram_writer*)ctx;
  (void)start; (void)end;
  bind_gram(w->stmt, hash, w->item, word);
  sqlite3_step(w->stmt);
  w->rc = sqlite3_reset(w->stmt);
  return w->rc!=SQLITE_OK;
}

/* The words of an item, as indexed: all its n-grams, or, with 1..n-1 words,
** one gram of them all (GPT-3 checks a short item by its whole length); an
** item without a word has no gram and matches nothing.  The counts of both
** kinds and the lengths indexed whole are kept in NAME_config, sign +1 or
** -1 (an insert or a delete). */
static int item_grams(ngram_vtab *v, const char *sqlfmt, sqlite3_int64 item,
                      const char *z, size_t n, int sign){
  gram_writer w;
  corpus_janitor_opts o = {v->cfg.n, v->cfg.fold, 1, 0};
  size_t words = 0;
  char *sql = sqlite3_mprintf(sqlfmt, v->schema, v->name);
  int rc;
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, sql, -1, &w.stmt, 0);
  sqlite3_free(sql);
  if( rc ) return rc;
  w.item = item;
  w.rc = SQLITE_OK;
  rc = corpus_janitor_scan(z, n, &o, write_gram, &w, &words);
  sqlite3_finalize(w.stmt);
  if( rc<0 ) return SQLITE_NOMEM;
  if( w.rc ) return w.rc;
  if( words>=(size_t)v->cfg.n ) return SQLITE_OK;
  return exec_fmt(v->db, 0,
      "UPDATE \"%w\".\"%w_config\" SET v = v + %d WHERE k = '%s';"
      "INSERT INTO \"%w\".\"%w_config\"(k, v) VALUES ('short', %lld) "
      "ON CONFLICT(k) DO UPDATE SET v = v | excluded.v",
      v->schema, v->name, sign, words ? "short_items" : "empty_items",
      v->schema, v->name,
      words ? (long long)((uint64_t)1<<(words-1)) : 0LL);
}

#define ADD_GRAM "INSERT OR IGNORE INTO \"%w\".\"%w_grams\" VALUES (?1, ?2, ?3)"
#define DEL_GRAM "DELETE FROM \"%w\".\"%w_grams\" WHERE hash = ?1 AND item = ?2 " \
                 "AND pos = ?3"

/* The stored text of item id, into b (b->n = 0 and found 0 when none). */
static int item_text(ngram_vtab *v, sqlite3_int64 id, corpus_buf *b,
                     int *found){
  sqlite3_stmt *st;
  char *sql = sqlite3_mprintf("SELECT text FROM \"%w\".\"%w_items\" WHERE "
                              "id = ?1", v->schema, v->name);
  int rc;
  b->n = 0;
  *found = 0;
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, sql, -1, &st, 0);
  sqlite3_free(sql);
  if( rc ) return rc;
  sqlite3_bind_int64(st, 1, id);
  if( sqlite3_step(st)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(st, 0);
    *found = 1;
    if( z && corpus_buf_append(b, z, (size_t)sqlite3_column_bytes(st, 0)) ){
      rc = SQLITE_NOMEM;
    }
  }
  if( sqlite3_finalize(st) && rc==SQLITE_OK ) rc = sqlite3_errcode(v->db);
  return rc;
}

static int delete_item(ngram_vtab *v, sqlite3_int64 id){
  corpus_buf b = {0, 0, 0};
  int found, rc = item_text(v, id, &b, &found);
  if( rc==SQLITE_OK && found ){
    rc = item_grams(v, DEL_GRAM, id, b.z ? b.z : "", b.n, -1);
    if( rc==SQLITE_OK ){
      rc = exec_fmt(v->db, 0, "DELETE FROM \"%w\".\"%w_items\" WHERE id = %lld",
                    v->schema, v->name, id);
    }
  }
  corpus_free(b.z);
  return rc;
}

/* Checks that one (hash, item, pos) an item should have is there. */
typedef struct gram_checker {
  sqlite3_stmt *stmt;
  sqlite3_int64 item, expected;
  int missing;
} gram_checker;

static int check_gram(void *ctx, uint64_t hash, size_t word, size_t start,
                      size_t end){
  gram_checker *k = (gram_checker*)ctx;
  (void)start; (void)end;
  bind_gram(k->stmt, hash, k->item, word);
  if( sqlite3_step(k->stmt)!=SQLITE_ROW ) k->missing = 1;
  sqlite3_reset(k->stmt);
  k->expected++;
  return k->missing;
}

/* Every item's grams are in the grams table, and nothing else is: each
** one an item should have is there, and there are as many rows as those
** (the table's key holds no duplicates); NAME_config counts the short and
** the empty items right and holds each short length. */
static int integrity_check(ngram_vtab *v){
  sqlite3_stmt *items = 0;
  gram_checker k;
  corpus_janitor_opts o = {v->cfg.n, v->cfg.fold, 1, 0};
  corpus_ngram_config cfg;
  sqlite3_int64 rows = -1, nshort = 0, nempty = 0;
  uint64_t mask = 0;
  char *sql, *err = 0;
  int rc;
  memset(&k, 0, sizeof(k));
  sql = sqlite3_mprintf("SELECT id, text FROM \"%w\".\"%w_items\"", v->schema,
                        v->name);
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, sql, -1, &items, 0);
  sqlite3_free(sql);
  if( rc ) return rc;
  sql = sqlite3_mprintf("SELECT 1 FROM \"%w\".\"%w_grams\" WHERE hash = ?1 AND "
                        "item = ?2 AND pos = ?3", v->schema, v->name);
  if( sql==0 ){ sqlite3_finalize(items); return SQLITE_NOMEM; }
  rc = sqlite3_prepare_v2(v->db, sql, -1, &k.stmt, 0);
  sqlite3_free(sql);
  while( rc==SQLITE_OK && !k.missing && sqlite3_step(items)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(items, 1);
    size_t n = (size_t)sqlite3_column_bytes(items, 1);
    size_t words;
    k.item = sqlite3_column_int64(items, 0);
    if( corpus_janitor_scan(z ? z : "", n, &o, check_gram, &k, &words)<0 ){
      rc = SQLITE_NOMEM;
    }else if( words==0 ){
      nempty++;
    }else if( words<(size_t)v->cfg.n ){
      nshort++;
      mask |= (uint64_t)1<<(words-1);
    }
  }
  sqlite3_finalize(items);
  sqlite3_finalize(k.stmt);
  if( rc ) return rc;
  if( k.missing ){
    corpus_vtab_error(&v->base, "ngram_index", "integrity-check failed: an "
                      "n-gram of item %lld is missing", (long long)k.item);
    return SQLITE_CORRUPT_VTAB;
  }
  sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\".\"%w_grams\"", v->schema,
                        v->name);
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, sql, -1, &items, 0);
  sqlite3_free(sql);
  if( rc ) return rc;
  if( sqlite3_step(items)==SQLITE_ROW ) rows = sqlite3_column_int64(items, 0);
  sqlite3_finalize(items);
  if( rows!=k.expected ){
    corpus_vtab_error(&v->base, "ngram_index", "integrity-check failed: "
                      "%lld n-gram rows, %lld expected", (long long)rows,
                      (long long)k.expected);
    return SQLITE_CORRUPT_VTAB;
  }
  rc = corpus_ngram_config_read(v->db, v->schema, v->name, v->name, &cfg, &err);
  if( rc==SQLITE_OK ){
    if( cfg.short_items!=nshort || cfg.empty_items!=nempty ){
      corpus_vtab_error(&v->base, "ngram_index", "integrity-check failed: "
                        "%s_config counts %lld short and %lld empty items, "
                        "%lld and %lld expected", v->name,
                        (long long)cfg.short_items, (long long)cfg.empty_items,
                        (long long)nshort, (long long)nempty);
      rc = SQLITE_CORRUPT_VTAB;
    }else if( (cfg.mask & mask)!=mask ){
      corpus_vtab_error(&v->base, "ngram_index", "integrity-check failed: "
                        "%s_config misses a short item length", v->name);
      rc = SQLITE_CORRUPT_VTAB;
    }
  }else if( err ){
    corpus_vtab_error(&v->base, "ngram_index", "%s", err);
  }
  sqlite3_free(err);
  return rc;
}

static int ngram_update(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                        sqlite_int64 *pRowid){
  ngram_vtab *v = (ngram_vtab*)pVtab;
  int rc = SQLITE_OK;
  if( argc==1 ){
    return delete_item(v, sqlite3_value_int64(argv[0]));
  }
  /* argv[2] text, argv[3] source, argv[4] the command column */
  if( sqlite3_value_type(argv[4])!=SQLITE_NULL ){
    const char *cmd = (const char*)sqlite3_value_text(argv[4]);
    if( cmd && strcmp(cmd, "integrity-check")==0 ) return integrity_check(v);
    return corpus_vtab_error(pVtab, "ngram_index", "unknown command '%.40s' "
                             "(valid: integrity-check)", cmd ? cmd : "");
  }
  if( sqlite3_value_type(argv[2])!=SQLITE_TEXT ){
    return corpus_vtab_error(pVtab, "ngram_index", "text must be TEXT, got %s",
                             corpus_type_name(sqlite3_value_type(argv[2])));
  }
  if( sqlite3_value_type(argv[0])!=SQLITE_NULL ){
    /* an UPDATE: the old row goes, the new one comes */
    rc = delete_item(v, sqlite3_value_int64(argv[0]));
    if( rc ) return rc;
  }
  {
    sqlite3_stmt *st;
    char *sql = sqlite3_mprintf("INSERT INTO \"%w\".\"%w_items\"(id, source, "
                                "text) VALUES (?1, ?2, ?3)", v->schema, v->name);
    const char *z;
    size_t n;
    if( sql==0 ) return SQLITE_NOMEM;
    rc = sqlite3_prepare_v2(v->db, sql, -1, &st, 0);
    sqlite3_free(sql);
    if( rc ) return rc;
    sqlite3_bind_value(st, 1, argv[1]);
    sqlite3_bind_value(st, 2, argv[3]);
    sqlite3_bind_value(st, 3, argv[2]);
    sqlite3_step(st);
    rc = sqlite3_finalize(st);
    if( rc ) return corpus_vtab_error(pVtab, "ngram_index", "%s",
                                      sqlite3_errmsg(v->db));
    *pRowid = sqlite3_last_insert_rowid(v->db);
    z = (const char*)sqlite3_value_text(argv[2]);
    n = (size_t)sqlite3_value_bytes(argv[2]);
    rc = item_grams(v, ADD_GRAM, *pRowid, z ? z : "", n, 1);
  }
  return rc;
}

static int ngram_rename(sqlite3_vtab *pVtab, const char *zNew){
  ngram_vtab *v = (ngram_vtab*)pVtab;
  int rc = exec_fmt(v->db, 0,
      "ALTER TABLE \"%w\".\"%w_config\" RENAME TO \"%w_config\";"
      "ALTER TABLE \"%w\".\"%w_items\" RENAME TO \"%w_items\";"
      "ALTER TABLE \"%w\".\"%w_grams\" RENAME TO \"%w_grams\";",
      v->schema, v->name, zNew, v->schema, v->name, zNew,
      v->schema, v->name, zNew);
  if( rc==SQLITE_OK ){
    char *name = sqlite3_mprintf("%s", zNew);
    if( name==0 ) return SQLITE_NOMEM;
    sqlite3_free(v->name);
    v->name = name;
  }
  return rc;
}

static const sqlite3_module ngram_module = {
  /* iVersion    */ 3,            /* xShadowName */
  /* xCreate     */ ngram_create,
  /* xConnect    */ ngram_connect,
  /* xBestIndex  */ ngram_best_index,
  /* xDisconnect */ ngram_disconnect,
  /* xDestroy    */ ngram_destroy,
  /* xOpen       */ ngram_open,
  /* xClose      */ ngram_close,
  /* xFilter     */ ngram_filter,
  /* xNext       */ ngram_next,
  /* xEof        */ ngram_eof,
  /* xColumn     */ ngram_column,
  /* xRowid      */ ngram_rowid,
  /* xUpdate     */ ngram_update,
  /* xBegin      */ 0,            /* xBegin .. xRollback: the shadow */
  /* xSync       */ 0,            /* tables' own */
  /* xCommit     */ 0,
  /* xRollback   */ 0,
  /* xFindMethod */ 0,
  /* xRename     */ ngram_rename,
  /* xSavepoint  */ 0,
  /* xRelease    */ 0,
  /* xRollbackTo */ 0,
  /* xShadowName */ ngram_shadow_name
};

static const corpus_sql ngram_index_sql[] = {
  CORPUS_MODULE("ngram_index", &ngram_module, 0),
};

int corpus_ngram_index_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, ngram_index_sql,
                             CORPUS_COUNT(ngram_index_sql), pzErr);
}
