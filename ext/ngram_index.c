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

int corpus_ngram_is_index(sqlite3 *db, const char *schema, const char *name){
  return corpus_vtab_is_module(db, schema, name, "ngram_index");
}

int corpus_ngram_missing(sqlite3 *db, const char *schema, const char *name,
                         const char *display, char **err){
  char *why = sqlite3_mprintf("%s", sqlite3_errmsg(db));
  int is_index, rc;
  *err = 0;
  if( why==0 ) return SQLITE_NOMEM;
  is_index = corpus_ngram_is_index(db, schema, name);
  if( is_index>0 ){
    *err = sqlite3_mprintf("%s is corrupt: %s", display, why);
    rc = SQLITE_CORRUPT_VTAB;
  }else if( is_index==0 ){
    *err = sqlite3_mprintf("no ngram_index named '%s'", display);
    rc = SQLITE_ERROR;
  }else{
    rc = SQLITE_NOMEM;
  }
  sqlite3_free(why);
  return *err ? rc : SQLITE_NOMEM;
}

/* The keys of NAME_config, n and format first (both required). */
static const char *const config_keys[] = {
  "n", "format", "fold", "short", "short_items", "empty_items"
};

/* Fills c from schema.name_config.  SQLITE_ERROR without the table (*err
** says no index of that name), SQLITE_CORRUPT_VTAB with *err saying which
** value is wrong, or SQLITE_NOMEM (*err NULL). */
int corpus_ngram_config_read(sqlite3 *db, const char *schema, const char *name,
                       const char *display, corpus_ngram_config *c, char **err){
  sqlite3_stmt *st;
  char *sql = sqlite3_mprintf("SELECT k, v FROM \"%w\".\"%w_config\"", schema,
                              name);
  int rc, seen = 0;
  *err = 0;
  memset(c, 0, sizeof(*c));
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
  sqlite3_free(sql);
  if( rc ){
    if( rc==SQLITE_NOMEM ) return rc;
    return corpus_ngram_missing(db, schema, name, display, err);
  }
  while( (rc = sqlite3_step(st))==SQLITE_ROW ){
    const char *k = (const char*)sqlite3_column_text(st, 0);
    int isint = sqlite3_column_type(st, 1)==SQLITE_INTEGER;
    sqlite3_int64 v = sqlite3_column_int64(st, 1);
    const char *want = 0;
    int bit;
    if( k==0 ) k = "";
    /* a config without its primary key could hold a key twice */
    for(bit=0; bit<6 && strcmp(k, config_keys[bit])!=0; bit++){}
    if( bit<6 && (seen & (1<<bit)) ){
      *err = sqlite3_mprintf("%s_config is corrupt: key '%s' appears twice",
                             name, k);
      break;
    }
    seen |= 1<<bit;
    if( strcmp(k, "n")==0 ){
      if( !isint || v<1 || v>CORPUS_JANITOR_MAX ) want = "an INTEGER 1..64";
      c->n = (int)v;
    }else if( strcmp(k, "format")==0 ){
      if( !isint || v!=NGRAM_INDEX_FORMAT ) want = "1";
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
      char *got = corpus_value_text(st, 1, sqlite3_column_type(st, 1));
      *err = sqlite3_mprintf("%s_config is corrupt: %s must be %s, got %s",
                             name, k, want, got ? got : "?");
      sqlite3_free(got);
      break;
    }
  }
  sqlite3_finalize(st);
  if( *err ) return SQLITE_CORRUPT_VTAB;
  if( rc!=SQLITE_DONE ){
    /* reading failed (locked, interrupted, an I/O error): its own code, so
    ** that it is not taken for corruption */
    if( rc==SQLITE_NOMEM ) return rc;
    *err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    return *err ? rc : SQLITE_NOMEM;
  }
  if( (seen & 3)!=3 ){
    *err = sqlite3_mprintf("%s_config is corrupt: no %s", name,
                           (seen & 1) ? "format" : "n");
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
  char *corrupt;      /* why NAME_config could not be read at connect: every
                      ** use but DROP TABLE fails with it */
  /* The write statements, prepared once and kept while the schema stays
  ** the same (schema_version): preparing seven a row made bulk inserts
  ** three times slower. */
  sqlite3_stmt *wst[7];
  sqlite3_stmt *version;
  int wcookie;
  corpus_vtab_txn txn;    /* whether the transaction may commit */
} ngram_vtab;

typedef struct ngram_cursor {
  sqlite3_vtab_cursor base;
  sqlite3_stmt *stmt;
  int eof;
} ngram_cursor;

/* A shadow table that cannot be read or written (dropped, altered). */
static int shadow_error(ngram_vtab *v){
  corpus_vtab_error(&v->base, "ngram_index", "%s is corrupt: %s", v->name,
                    sqlite3_errmsg(v->db));
  return SQLITE_CORRUPT_VTAB;
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
  char *corrupt = 0;
  int rc;
  (void)pAux;
  *ppVtab = 0;
  memset(&cfg, 0, sizeof(cfg));
  cfg.n = 13;
  if( create ){
    /* the arguments are one option list, so that a key given twice (n=3,
    ** n=4) is an error, as everywhere */
    char err[CORPUS_ERRMAX];
    char *opts = corpus_vtab_options(argc, argv);
    if( opts==0 ) return SQLITE_NOMEM;
    rc = corpus_options_parse(opts, strlen(opts), ngram_option, &cfg, err);
    if( rc==CORPUS_NOMEM ){
      sqlite3_free(opts);
      return SQLITE_NOMEM;
    }
    if( rc ){
      *pzErr = corpus_sql_utf8(sqlite3_mprintf("ngram_index: %s", err));
      sqlite3_free(opts);
      return SQLITE_ERROR;
    }
    sqlite3_free(opts);
    rc = corpus_vtab_exec(db, pzErr,
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
    rc = corpus_ngram_config_read(db, argv[1], argv[2], argv[2], &cfg,
                                  &corrupt);
    if( rc==SQLITE_NOMEM ) return rc;
    /* a corrupt index connects, so that DROP TABLE can remove it; a
    ** transient failure (locked, busy, interrupted) fails this use only */
    if( rc && rc!=SQLITE_CORRUPT_VTAB ){
      *pzErr = corpus_sql_utf8(sqlite3_mprintf("ngram_index: %s", corrupt
                                               ? corrupt : sqlite3_errstr(rc)));
      sqlite3_free(corrupt);
      return rc;
    }
    if( rc && corrupt==0 ) corrupt = sqlite3_mprintf("%s", sqlite3_errstr(rc));
    if( rc && corrupt==0 ) return SQLITE_NOMEM;
  }
  {
    char *decl = sqlite3_mprintf("CREATE TABLE x(text, source, \"%w\" HIDDEN)",
                                 argv[2]);
    if( decl==0 ) return SQLITE_NOMEM;
    rc = sqlite3_declare_vtab(db, decl);
    sqlite3_free(decl);
    if( rc ){ sqlite3_free(corrupt); return rc; }
  }
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  sqlite3_vtab_config(db, SQLITE_VTAB_CONSTRAINT_SUPPORT, 1);
  v = sqlite3_malloc(sizeof(*v));
  if( v==0 ){ sqlite3_free(corrupt); return SQLITE_NOMEM; }
  memset(v, 0, sizeof(*v));
  v->db = db;
  corpus_txn_end(&v->txn);
  v->cfg = cfg;
  v->corrupt = corrupt;
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

static void writer_close(ngram_vtab *v){
  size_t i;
  for(i=0; i<sizeof(v->wst)/sizeof(v->wst[0]); i++){
    sqlite3_finalize(v->wst[i]);
    v->wst[i] = 0;
  }
  sqlite3_finalize(v->version);
  v->version = 0;
}

static int ngram_disconnect(sqlite3_vtab *pVtab){
  ngram_vtab *v = (ngram_vtab*)pVtab;
  writer_close(v);
  sqlite3_free(v->base.zErrMsg);  /* a message no statement collected */
  sqlite3_free(v->corrupt);
  sqlite3_free(v->schema);
  sqlite3_free(v->name);
  sqlite3_free(v);
  return SQLITE_OK;
}

/* The shadow tables' suffixes. */
static const char *const ngram_shadows[] = {"config", "items", "grams"};

/* xDestroy: the shadow tables go too. */
static int ngram_destroy(sqlite3_vtab *pVtab){
  ngram_vtab *v = (ngram_vtab*)pVtab;
  int rc = corpus_vtab_drop_shadows(v->db, v->schema, v->name, ngram_shadows,
                                    3);
  if( rc==SQLITE_OK ) ngram_disconnect(pVtab);
  return rc;
}

/* The error of a table whose config could not be read at connect. */
static int corrupt_error(ngram_vtab *v){
  corpus_vtab_error(&v->base, "ngram_index", "%s", v->corrupt);
  return SQLITE_CORRUPT_VTAB;
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
  if( v->corrupt ){
    c->eof = 1;
    return corrupt_error(v);
  }
  sql = sqlite3_mprintf("SELECT id, text, source FROM \"%w\".\"%w_items\"%s "
                        "ORDER BY id", v->schema, v->name,
                        idxNum ? " WHERE id = ?1" : "");
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, sql, -1, &c->stmt, 0);
  sqlite3_free(sql);
  if( rc ) return rc==SQLITE_NOMEM ? rc : shadow_error(v);
  if( idxNum ){
    /* 1.0 and '1' find row 1; 1.5 and 'x' nothing, as in a table */
    sqlite3_int64 id;
    if( !corpus_vtab_rowid(argv[0], &id) ){
      c->eof = 1;
      return SQLITE_OK;
    }
    sqlite3_bind_int64(c->stmt, 1, id);
  }
  return ngram_next(cur);
}

static int ngram_eof(sqlite3_vtab_cursor *cur){
  return ((ngram_cursor*)cur)->eof;
}

static int ngram_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i){
  ngram_cursor *c = (ngram_cursor*)cur;
  /* a column an UPDATE leaves: not read, so that xUpdate takes the row's
  ** value as it is then, not as the statement first read it */
  if( sqlite3_vtab_nochange(ctx) ) return SQLITE_OK;
  if( i==0 ) sqlite3_result_value(ctx, sqlite3_column_value(c->stmt, 1));
  else if( i==1 ) sqlite3_result_value(ctx, sqlite3_column_value(c->stmt, 2));
  return SQLITE_OK;
}

static int ngram_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = sqlite3_column_int64(((ngram_cursor*)cur)->stmt, 0);
  return SQLITE_OK;
}

/* ---- Writes ------------------------------------------------------------------
**
** A failed statement must change nothing.  SQLite gives a one-row write
** to a virtual table no statement journal, and a SAVEPOINT cannot be opened
** while the statement runs, so one xUpdate is made atomic here: every
** check that can fail (types, the command, a rowid taken, the shadow
** tables: all statements are prepared first) comes before the first
** write, and when a write fails after others (a trigger of a crafted file,
** a disk error), the steps done are undone in reverse.  Out of memory and
** I/O errors are returned as they are: SQLite then rolls the whole
** transaction back (or the statement, when it has a journal). */

/* An item a write removes or adds: its text and source are kept for the
** undo.  words is set when its grams have all been written. */
typedef struct witem {
  sqlite3_int64 id;
  corpus_buf text;
  sqlite3_value *source;
  size_t words;
} witem;

typedef struct wstmts {
  sqlite3_stmt *get, *ins, *del, *exists, *add_gram, *del_gram, *count;
} wstmts;

#define NSTMT (sizeof(wstmts)/sizeof(sqlite3_stmt*))
typedef char wstmts_fit[NSTMT==sizeof(((ngram_vtab*)0)->wst)
                        /sizeof(sqlite3_stmt*) ? 1 : -1];

static const char *const wsql[NSTMT] = {
  "SELECT text, source FROM \"%w\".\"%w_items\" WHERE id = ?1",
  "INSERT INTO \"%w\".\"%w_items\"(id, source, text) VALUES (?1, ?2, ?3)",
  "DELETE FROM \"%w\".\"%w_items\" WHERE id = ?1",
  "SELECT 1 FROM \"%w\".\"%w_items\" WHERE id = ?1",
  "INSERT OR IGNORE INTO \"%w\".\"%w_grams\" VALUES (?1, ?2, ?3)",
  "DELETE FROM \"%w\".\"%w_grams\" WHERE hash = ?1 AND item = ?2 AND pos = ?3",
  /* the count of short (or empty) items, and the lengths indexed whole */
  "INSERT INTO \"%w\".\"%w_config\"(k, v) VALUES (?1, ?2), ('short', ?3) "
  "ON CONFLICT(k) DO UPDATE SET v = CASE k WHEN 'short' THEN v | excluded.v "
  "ELSE v + excluded.v END"
};

static void wstmts_close(wstmts *w){
  sqlite3_stmt **a = (sqlite3_stmt**)w;
  size_t i;
  for(i=0; i<NSTMT; i++) sqlite3_finalize(a[i]);
  memset(w, 0, sizeof(*w));
}

/* The error of the last statement, as the table's: its code is kept, so
** that SQLITE_NOMEM, SQLITE_FULL and SQLITE_IOERR make SQLite roll back. */
static int db_error(ngram_vtab *v, int rc){
  if( rc==SQLITE_NOMEM ) return rc;
  corpus_vtab_error(&v->base, "ngram_index", "%s", sqlite3_errmsg(v->db));
  return rc;
}

/* The write statements of v, in *w: prepared again when the schema
** changed since they were (a shadow table dropped or altered is then an
** error before anything is written). */
static int wstmts_open(ngram_vtab *v, wstmts *w){
  sqlite3_stmt **a = (sqlite3_stmt**)w;
  size_t i;
  int rc, cookie = -1;
  if( v->version==0 ){
    char *sql = sqlite3_mprintf("PRAGMA \"%w\".schema_version", v->schema);
    if( sql==0 ) return SQLITE_NOMEM;
    rc = sqlite3_prepare_v2(v->db, sql, -1, &v->version, 0);
    sqlite3_free(sql);
    if( rc ) return db_error(v, rc);
  }
  if( sqlite3_step(v->version)==SQLITE_ROW ){
    cookie = sqlite3_column_int(v->version, 0);
  }
  rc = sqlite3_reset(v->version);
  if( rc ) return db_error(v, rc);
  if( v->wst[0] && cookie==v->wcookie ){
    memcpy(w, v->wst, sizeof(*w));
    return SQLITE_OK;
  }
  for(i=0; i<NSTMT; i++){
    sqlite3_finalize(v->wst[i]);
    v->wst[i] = 0;
  }
  memset(w, 0, sizeof(*w));
  for(i=0; i<NSTMT; i++){
    char *sql = sqlite3_mprintf(wsql[i], v->schema, v->name);
    if( sql==0 ){ wstmts_close(w); return SQLITE_NOMEM; }
    rc = sqlite3_prepare_v2(v->db, sql, -1, &a[i], 0);
    sqlite3_free(sql);
    if( rc ){
      if( rc!=SQLITE_NOMEM ) rc = shadow_error(v);
      wstmts_close(w);
      return rc;
    }
  }
  memcpy(v->wst, w, sizeof(*w));
  v->wcookie = cookie;
  return SQLITE_OK;
}

/* Runs a bound statement once and resets it. */
static int run(ngram_vtab *v, sqlite3_stmt *st){
  int rc;
  sqlite3_step(st);
  rc = sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return rc ? db_error(v, rc) : SQLITE_OK;
}

/* Writes (or deletes: the statement says which) the first limit grams of an
** item; *done counts those written. */
typedef struct gram_writer {
  sqlite3_stmt *stmt;
  sqlite3_int64 item;
  size_t done, limit;
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
  if( w->done>=w->limit ) return 1;
  bind_gram(w->stmt, hash, w->item, word);
  sqlite3_step(w->stmt);
  w->rc = sqlite3_reset(w->stmt);
  if( w->rc ) return 1;
  w->done++;
  return 0;
}

/* The words of an item, as indexed: all its n-grams, or, with 1..n-1 words,
** one gram of them all (GPT-3 checks a short item by its whole length); an
** item without a word has no gram and matches nothing. */
static int item_grams(ngram_vtab *v, sqlite3_stmt *st, witem *it, size_t limit,
                      size_t *done){
  gram_writer w;
  corpus_janitor_opts o = {v->cfg.n, v->cfg.fold, 1, 0};
  size_t words = 0;
  int rc;
  memset(&w, 0, sizeof(w));
  w.stmt = st;
  w.item = it->id;
  w.limit = limit;
  rc = corpus_janitor_scan(it->text.z ? it->text.z : "", it->text.n, &o,
                           write_gram, &w, &words);
  *done = w.done;
  if( rc<0 ) return SQLITE_NOMEM;
  if( w.rc ) return db_error(v, w.rc);
  it->words = words;
  return SQLITE_OK;
}

/* The counts of short and empty items in NAME_config, sign +1 or -1 (an
** insert or a delete); the lengths indexed whole, once set, are kept. */
static int item_count(ngram_vtab *v, wstmts *w, const witem *it, int sign){
  if( it->words>=(size_t)v->cfg.n ) return SQLITE_OK;
  sqlite3_bind_text(w->count, 1, it->words ? "short_items" : "empty_items", -1,
                    SQLITE_STATIC);
  sqlite3_bind_int(w->count, 2, sign);
  sqlite3_bind_int64(w->count, 3, it->words
                     ? (sqlite3_int64)((uint64_t)1<<(it->words-1)) : 0);
  return run(v, w->count);
}

/* Reads item id into it; *found 0 when there is none. */
static int item_load(ngram_vtab *v, wstmts *w, sqlite3_int64 id, witem *it,
                     int *found){
  int rc = SQLITE_OK;
  it->id = id;
  *found = 0;
  sqlite3_bind_int64(w->get, 1, id);
  if( sqlite3_step(w->get)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(w->get, 0);
    size_t n = (size_t)sqlite3_column_bytes(w->get, 0);
    *found = 1;
    if( (z==0 && n>0) || corpus_buf_append(&it->text, z ? z : "", n)
     || (it->source = sqlite3_value_dup(sqlite3_column_value(w->get, 1)))==0 ){
      rc = SQLITE_NOMEM;
    }
  }
  if( sqlite3_reset(w->get) && rc==SQLITE_OK ){
    rc = db_error(v, sqlite3_errcode(v->db));
  }
  return rc;
}

static int row_insert(ngram_vtab *v, wstmts *w, witem *it, int autoid){
  int rc;
  if( !autoid ) sqlite3_bind_int64(w->ins, 1, it->id);
  sqlite3_bind_value(w->ins, 2, it->source);
  sqlite3_bind_text64(w->ins, 3, it->text.z ? it->text.z : "", it->text.n,
                      SQLITE_STATIC, SQLITE_UTF8);
  rc = run(v, w->ins);
  if( rc==SQLITE_OK && autoid ) it->id = sqlite3_last_insert_rowid(v->db);
  return rc;
}

static int row_delete(ngram_vtab *v, wstmts *w, const witem *it){
  sqlite3_bind_int64(w->del, 1, it->id);
  return run(v, w->del);
}

/* One step of a write, as the undo log keeps it. */
enum { S_DEL_GRAMS, S_DEL_COUNT, S_DEL_ROW, S_ADD_ROW, S_ADD_GRAMS,
       S_ADD_COUNT };
typedef struct wstep { int kind; witem *it; size_t done; } wstep;

/* Undoes step s: the inverse of what it did. */
static int undo_step(ngram_vtab *v, wstmts *w, const wstep *s){
  size_t done;
  switch( s->kind ){
    case S_DEL_GRAMS: return item_grams(v, w->add_gram, s->it, s->done, &done);
    case S_DEL_COUNT: return item_count(v, w, s->it, +1);
    case S_DEL_ROW:   return row_insert(v, w, s->it, 0);
    case S_ADD_ROW:   return row_delete(v, w, s->it);
    case S_ADD_GRAMS: return item_grams(v, w->del_gram, s->it, s->done, &done);
    default:          return item_count(v, w, s->it, -1);
  }
}

/* Does step s, logging it (with its part done when it fails midway). */
static int do_step(ngram_vtab *v, wstmts *w, wstep *log, int *nlog, int kind,
                   witem *it, int autoid){
  wstep *s = &log[(*nlog)++];
  int rc;
  s->kind = kind;
  s->it = it;
  s->done = 0;
  switch( kind ){
    case S_DEL_GRAMS:
      rc = item_grams(v, w->del_gram, it, (size_t)-1, &s->done); break;
    case S_DEL_COUNT: rc = item_count(v, w, it, -1); break;
    case S_DEL_ROW:   rc = row_delete(v, w, it); break;
    case S_ADD_ROW:   rc = row_insert(v, w, it, autoid); break;
    case S_ADD_GRAMS:
      rc = item_grams(v, w->add_gram, it, (size_t)-1, &s->done); break;
    default:          rc = item_count(v, w, it, +1); break;
  }
  /* a step that failed did nothing but its grams written */
  if( rc && kind!=S_DEL_GRAMS && kind!=S_ADD_GRAMS ) (*nlog)--;
  return rc;
}

/* After a failed write: the steps done, undone in reverse.  When that
** fails too, the table's error says so. */
static int undo_all(ngram_vtab *v, wstmts *w, wstep *log, int nlog, int rc){
  char *first;
  int i, urc = SQLITE_OK;
  /* SQLite rolls the transaction back after these; not after an interrupt:
  ** to SQLite a statement on a virtual table is read-only */
  if( rc==SQLITE_NOMEM || (rc&0xff)==SQLITE_IOERR || rc==SQLITE_FULL ){
    return rc;
  }
  first = v->base.zErrMsg;
  v->base.zErrMsg = 0;
  for(i=nlog-1; i>=0 && urc==SQLITE_OK; i--) urc = undo_step(v, w, &log[i]);
  if( urc==SQLITE_OK ){
    sqlite3_free(v->base.zErrMsg);
    v->base.zErrMsg = first;
    /* SQLITE_CONSTRAINT means nothing was written (the table declares
    ** SQLITE_VTAB_CONSTRAINT_SUPPORT), and OR IGNORE would skip the row
    ** silently: a trigger's RAISE on a shadow table midway is an error */
    if( (rc&0xff)==SQLITE_CONSTRAINT ) rc = SQLITE_ERROR;
  }else{
    sqlite3_free(v->base.zErrMsg);
    v->base.zErrMsg = corpus_sql_utf8(sqlite3_mprintf("%s; undoing the write "
        "failed too (%s): the transaction cannot commit", first ? first
        : sqlite3_errstr(rc), sqlite3_errmsg(v->db)));
    sqlite3_free(first);
    corpus_txn_break(&v->txn);
    if( rc!=SQLITE_INTERRUPT ) rc = SQLITE_CORRUPT_VTAB;
  }
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
  if( rc ) return rc==SQLITE_NOMEM ? rc : shadow_error(v);
  sql = sqlite3_mprintf("SELECT 1 FROM \"%w\".\"%w_grams\" WHERE hash = ?1 AND "
                        "item = ?2 AND pos = ?3", v->schema, v->name);
  if( sql==0 ){ sqlite3_finalize(items); return SQLITE_NOMEM; }
  rc = sqlite3_prepare_v2(v->db, sql, -1, &k.stmt, 0);
  sqlite3_free(sql);
  if( rc && rc!=SQLITE_NOMEM ) rc = shadow_error(v);
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

static void witem_free(witem *it){
  corpus_free(it->text.z);
  sqlite3_value_free(it->source);
}

/* xUpdate: a DELETE (argc 1), an INSERT (argv[0] NULL) or an UPDATE, whose
** old row goes and new one comes.  A new rowid already taken is SQLite's
** conflict: REPLACE removes that item first; IGNORE, ABORT, FAIL and
** ROLLBACK get SQLITE_CONSTRAINT with nothing written (the table declares
** SQLITE_VTAB_CONSTRAINT_SUPPORT, so SQLite applies the mode). */
static int ngram_update(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                        sqlite_int64 *pRowid){
  ngram_vtab *v = (ngram_vtab*)pVtab;
  wstmts w;
  witem items[3];        /* taken by REPLACE, the old row, the new row */
  wstep log[9];          /* three steps for each */
  int nlog = 0, i, rc, found, autoid = 1, has_old = 0, has_taken = 0;
  memset(items, 0, sizeof(items));
  if( v->corrupt ) return corrupt_error(v);
  if( argc>1 ){
    /* argv[2] text, argv[3] source, argv[4] the command column */
    if( sqlite3_value_type(argv[4])!=SQLITE_NULL ){
      const char *cmd = (const char*)sqlite3_value_text(argv[4]);
      if( cmd && strcmp(cmd, "integrity-check")==0 ) return integrity_check(v);
      return corpus_vtab_error(pVtab, "ngram_index", "unknown command '%.40s' "
                               "(valid: integrity-check)", cmd ? cmd : "");
    }
    if( sqlite3_value_type(argv[2])!=SQLITE_TEXT
     && !sqlite3_value_nochange(argv[2]) ){
      return corpus_vtab_error(pVtab, "ngram_index", "text must be TEXT, got %s",
                               corpus_type_name(sqlite3_value_type(argv[2])));
    }
    if( sqlite3_value_type(argv[1])!=SQLITE_NULL ){
      if( !corpus_vtab_rowid(argv[1], &items[2].id) ){
        return corpus_vtab_error(pVtab, "ngram_index", "rowid must be an "
            "INTEGER, got %s", corpus_type_name(sqlite3_value_type(argv[1])));
      }
      autoid = 0;
    }
  }
  rc = wstmts_open(v, &w);      /* kept by v: not closed here */
  if( rc ) return rc;
  if( argc==1 || sqlite3_value_type(argv[0])!=SQLITE_NULL ){
    rc = item_load(v, &w, sqlite3_value_int64(argv[0]), &items[1], &has_old);
    /* an UPDATE of a row gone since the statement read it (an earlier row
    ** of the statement replaced it): nothing to update, as in a table */
    if( rc==SQLITE_OK && argc>1 && !has_old ) return SQLITE_OK;
  }
  if( rc==SQLITE_OK && argc>1 && !autoid
   && !(has_old && items[1].id==items[2].id) ){
    rc = item_load(v, &w, items[2].id, &items[0], &found);
    if( rc==SQLITE_OK && found ){
      int mode = sqlite3_vtab_on_conflict(v->db);
      if( mode==SQLITE_REPLACE ){
        has_taken = 1;
      }else{
        /* under OR IGNORE the row is skipped: no message to outlive it (a
        ** later "out of memory" was reported as this) */
        if( mode!=SQLITE_IGNORE ){
          corpus_vtab_error(pVtab, "ngram_index", "UNIQUE constraint failed: "
                            "%s.rowid", v->name);
        }
        rc = SQLITE_CONSTRAINT;
      }
    }
  }
  for(i=0; rc==SQLITE_OK && i<2; i++){
    witem *it = &items[i];
    if( i==0 ? !has_taken : !has_old ) continue;
    rc = do_step(v, &w, log, &nlog, S_DEL_GRAMS, it, 0);
    if( rc==SQLITE_OK ) rc = do_step(v, &w, log, &nlog, S_DEL_COUNT, it, 0);
    if( rc==SQLITE_OK ) rc = do_step(v, &w, log, &nlog, S_DEL_ROW, it, 0);
  }
  if( rc==SQLITE_OK && argc>1 ){
    witem *it = &items[2];
    const char *z = (const char*)sqlite3_value_text(argv[2]);
    size_t n = (size_t)sqlite3_value_bytes(argv[2]);
    sqlite3_value *src = argv[3];
    /* columns the UPDATE leaves: the old row's */
    if( sqlite3_value_nochange(argv[2]) ){
      z = items[1].text.z;
      n = items[1].text.n;
    }
    if( sqlite3_value_nochange(argv[3]) ) src = items[1].source;
    if( (z==0 && n>0) || corpus_buf_append(&it->text, z ? z : "", n)
     || (it->source = sqlite3_value_dup(src))==0 ){
      rc = SQLITE_NOMEM;
    }
    if( rc==SQLITE_OK ) rc = do_step(v, &w, log, &nlog, S_ADD_ROW, it, autoid);
    if( rc==SQLITE_OK ) rc = do_step(v, &w, log, &nlog, S_ADD_GRAMS, it, 0);
    if( rc==SQLITE_OK ) rc = do_step(v, &w, log, &nlog, S_ADD_COUNT, it, 0);
    if( rc==SQLITE_OK ) *pRowid = it->id;
  }
  if( rc && nlog ) rc = undo_all(v, &w, log, nlog, rc);
  for(i=0; i<3; i++) witem_free(&items[i]);
  return rc;
}

static int ngram_rename(sqlite3_vtab *pVtab, const char *zNew){
  ngram_vtab *v = (ngram_vtab*)pVtab;
  int rc = corpus_vtab_rename_shadows(v->db, v->schema, v->name, zNew,
                                      ngram_shadows, 3);
  if( rc && rc!=SQLITE_NOMEM ){
    corpus_vtab_error(pVtab, "ngram_index", "%s", sqlite3_errmsg(v->db));
  }
  writer_close(v);       /* they name the old tables */
  if( rc==SQLITE_OK ){
    char *name = sqlite3_mprintf("%s", zNew);
    if( name==0 ) return SQLITE_NOMEM;
    sqlite3_free(v->name);
    v->name = name;
  }
  return rc;
}

/* The transaction: a write that failed midway and could not be undone
** (an interrupt keeps failing the undo's statements, a trigger of a crafted
** file may too) leaves part of it in the shadow tables, and SQLite does not
** roll back after an interrupt; so COMMIT fails, and rolls it all back. */
static int ngram_begin(sqlite3_vtab *pVtab){
  corpus_txn_end(&((ngram_vtab*)pVtab)->txn);
  return SQLITE_OK;
}

static int ngram_sync(sqlite3_vtab *pVtab){
  ngram_vtab *v = (ngram_vtab*)pVtab;
  if( !v->txn.broken ) return SQLITE_OK;
  return corpus_vtab_error(pVtab, "ngram_index", "a write to %s failed midway "
                           "and could not be undone: the transaction is rolled "
                           "back", v->name);
}

static int ngram_savepoint(sqlite3_vtab *pVtab, int i){
  corpus_txn_savepoint(&((ngram_vtab*)pVtab)->txn, i);
  return SQLITE_OK;
}

static int ngram_release(sqlite3_vtab *pVtab, int i){
  corpus_txn_release(&((ngram_vtab*)pVtab)->txn, i);
  return SQLITE_OK;
}

static int ngram_rollback_to(sqlite3_vtab *pVtab, int i){
  corpus_txn_rollback_to(&((ngram_vtab*)pVtab)->txn, i);
  return SQLITE_OK;
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
  /* xBegin      */ ngram_begin,  /* the shadow tables' transaction, */
  /* xSync       */ ngram_sync,   /* refused when a write is broken */
  /* xCommit     */ ngram_begin,
  /* xRollback   */ ngram_begin,
  /* xFindMethod */ 0,
  /* xRename     */ ngram_rename,
  /* xSavepoint  */ ngram_savepoint,
  /* xRelease    */ ngram_release,
  /* xRollbackTo */ ngram_rollback_to,
  /* xShadowName */ ngram_shadow_name
};

static const corpus_sql ngram_index_sql[] = {
  CORPUS_MODULE("ngram_index", &ngram_module, 0),
};

int corpus_ngram_index_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, ngram_index_sql,
                             CORPUS_COUNT(ngram_index_sql), pzErr);
}
