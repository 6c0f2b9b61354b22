/*
** The minhash_index virtual table: a persistent near-duplicate index.  Each
** row is a document's MinHash signature (minhash.c), cut into LSH bands
** (lsh.c) whose bucket keys are indexed, so that the documents that share a
** bucket with a new text are found with one index seek per band: data
** maintenance (checking each day's documents against everything kept)
** without recomputing the world, as datasketch's MinHashLSH does in memory.
**
**   CREATE VIRTUAL TABLE seen USING minhash_index(threshold=0.8, num_perm=128);
**   INSERT INTO seen(rowid, text) VALUES (1, 'a document ...');
**   SELECT rowid, similarity FROM seen WHERE seen MATCH :text
**    AND similarity >= 0.8 ORDER BY similarity DESC LIMIT 10;
**
** The index lives in shadow tables, so it takes part in the database's
** transactions, survives close, VACUUM and backup:
**   NAME_config(k PRIMARY KEY, v)           the parameters, fixed at creation
**   NAME_sig(id INTEGER PRIMARY KEY, sig, text)   a signature per row (and
**                                           its text with store_text=on)
**   NAME_bucket(band, bucket, id, PRIMARY KEY(band, bucket, id)) WITHOUT ROWID
**                                           one row per band of each
**                                           non-empty signature
** The signature's parameters are minhash()'s, stored as minhash_info()
** describes them and parsed back with minhash()'s own option reader, so a
** stored signature and a query's can never be made differently.  Bucket
** keys are lsh_bands()'s: bucket = xxh3 of the band's rows, seeded by the
** band number.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "corpus_sql.h"

#define MHI_FORMAT 1
#define MHI "minhash_index"
/* Room for a message naming two parameter sets. */
#define MHI_ERRMAX 1024

/* Declared columns; the last, named like the table, takes MATCH and the
** commands. */
#define COL_TEXT 0
#define COL_SIG 1
#define COL_SIMILARITY 2
#define COL_JACCARD 3
#define COL_CMD 4

/* ---- Parameters --------------------------------------------------------- */

typedef struct mhi_config {
  corpus_minhash_params params;
  double threshold;
  int bands, rows;
  int store_text, unique, exact;   /* exact: verify=exact */
} mhi_config;

/* Options of CREATE VIRTUAL TABLE: minhash()'s signature options (but its
** simd, which is not a parameter), then the index's own.  bands/rows 0:
** not given. */
static int mhi_option(void *ctx, const char *key, const char *value,
                      char *err){
  mhi_config *c = (mhi_config*)ctx;
  long long v;
  int k;
  if( strcmp(key, "threshold")==0 ){
    return corpus_option_fraction(key, value, &c->threshold, err);
  }
  if( strcmp(key, "bands")==0 || strcmp(key, "rows")==0 ){
    if( corpus_option_int(key, value, 1, CORPUS_MINHASH_MAX_PERM, &v, err) ){
      return -1;
    }
    *(key[0]=='b' ? &c->bands : &c->rows) = (int)v;
    return 0;
  }
  if( strcmp(key, "store_text")==0 || strcmp(key, "unique")==0 ){
    if( (k = corpus_option_choice(key, value, "off|on", err))<0 ) return -1;
    *(key[0]=='s' ? &c->store_text : &c->unique) = k;
    return 0;
  }
  if( strcmp(key, "verify")==0 ){
    if( (k = corpus_option_choice(key, value, "minhash|exact", err))<0 ){
      return -1;
    }
    c->exact = k;
    return 0;
  }
  if( strcmp(key, "simd")!=0 && corpus_minhash_option(&c->params, key, value,
                                                      err)==0 ){
    return 0;
  }
  if( strcmp(key, "simd")==0 || strncmp(err, "unknown option", 14)==0 ){
    snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: threshold, "
             "num_perm, ngram, unit, seed, normalize, bands, rows, store_text, "
             "unique, verify)", key);
  }
  return -1;
}

/* Completes and checks a configuration: the banding (by default
** lsh_params(threshold, num_perm, 0.05, 0.95), the recipe's choice for
** recall), and verify=exact's need of texts.  Message into err. */
static int mhi_config_check(mhi_config *c, char *err){
  if( corpus_lsh_banding(c->threshold, c->params.num_perm, &c->bands,
                         &c->rows, err) ){
    return -1;
  }
  if( c->exact && !c->store_text ){
    snprintf(err, CORPUS_ERRMAX, "verify=exact needs the texts: add "
             "store_text=on");
    return -1;
  }
  return 0;
}

static const char *const config_keys[] = {
  "format", "signature", "threshold", "bands", "rows", "store_text", "unique",
  "verify"
};
#define NKEY 8

/* One row of NAME_config into c; the reason it is wrong into *want. */
static int config_value(mhi_config *c, int key, sqlite3_stmt *st,
                        const char **want, char *err){
  int t = sqlite3_column_type(st, 1);
  sqlite3_int64 i = sqlite3_column_int64(st, 1);
  switch( key ){
    case 0:
      if( t!=SQLITE_INTEGER || i!=MHI_FORMAT ) *want = "1";
      break;
    case 1: {
      const char *z = t==SQLITE_TEXT ? (const char*)sqlite3_column_text(st, 1)
                                     : 0;
      int rc;
      if( z==0 ){ *want = "minhash() options"; break; }
      rc = corpus_options_parse(z, strlen(z), corpus_minhash_option, &c->params,
                                err);
      if( rc==CORPUS_NOMEM ) return rc;
      if( rc ) *want = "minhash() options";
      break;
    }
    case 2:
      c->threshold = sqlite3_column_double(st, 1);
      if( (t!=SQLITE_FLOAT && t!=SQLITE_INTEGER)
       || !(c->threshold>0 && c->threshold<=1) ){
        *want = "a number in (0, 1]";
      }
      break;
    case 3: case 4:
      if( t!=SQLITE_INTEGER || i<1 || i>CORPUS_MINHASH_MAX_PERM ){
        *want = "an INTEGER 1..1024";
      }
      *(key==3 ? &c->bands : &c->rows) = (int)i;
      break;
    case 5: case 6:
      if( t!=SQLITE_INTEGER || i<0 || i>1 ) *want = "0 or 1";
      *(key==5 ? &c->store_text : &c->unique) = (int)i;
      break;
    default: {
      const char *z = t==SQLITE_TEXT ? (const char*)sqlite3_column_text(st, 1)
                                     : 0;
      if( z==0 || (strcmp(z, "minhash")!=0 && strcmp(z, "exact")!=0) ){
        *want = "'minhash' or 'exact'";
      }else{
        c->exact = z[0]=='e';
      }
    }
  }
  return SQLITE_OK;
}

/* Fills c from schema.NAME_config, every value checked (a shadow table is
** a table anyone can write to).  SQLITE_OK; SQLITE_CORRUPT_VTAB or
** SQLITE_ERROR with *err; SQLITE_NOMEM. */
static int config_read(sqlite3 *db, const char *schema, const char *name,
                       mhi_config *c, char **err){
  sqlite3_stmt *st;
  char *sql, msg[CORPUS_ERRMAX];
  int rc, seen = 0;
  *err = 0;
  memset(c, 0, sizeof(*c));
  corpus_minhash_init(&c->params);
  sql = sqlite3_mprintf("SELECT k, v FROM \"%w\".\"%w_config\"", schema, name);
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
  sqlite3_free(sql);
  if( rc ){
    /* no table (or not one to read): corrupt; locked or busy: not */
    if( rc==SQLITE_NOMEM ) return rc;
    *err = rc==SQLITE_ERROR
           ? sqlite3_mprintf("%s is corrupt: %s", name, sqlite3_errmsg(db))
           : sqlite3_mprintf("%s", sqlite3_errmsg(db));
    if( *err==0 ) return SQLITE_NOMEM;
    return rc==SQLITE_ERROR ? SQLITE_CORRUPT_VTAB : rc;
  }
  while( (rc = sqlite3_step(st))==SQLITE_ROW ){
    const char *k = (const char*)sqlite3_column_text(st, 0), *want = 0;
    int key, vtype = sqlite3_column_type(st, 1);
    if( k==0 ) k = "";
    for(key=0; key<NKEY && strcmp(k, config_keys[key])!=0; key++){}
    if( key==NKEY ){
      *err = sqlite3_mprintf("%s_config is corrupt: unknown key '%.40s'", name,
                             k);
      break;
    }
    if( seen & (1<<key) ){
      *err = sqlite3_mprintf("%s_config is corrupt: key '%s' appears twice",
                             name, k);
      break;
    }
    seen |= 1<<key;
    msg[0] = 0;
    if( config_value(c, key, st, &want, msg)==CORPUS_NOMEM ){
      rc = SQLITE_NOMEM;
      break;
    }
    if( want ){
      char *got = corpus_value_text(st, 1, vtype);
      *err = sqlite3_mprintf("%s_config is corrupt: %s must be %s, got %s%s%s",
                             name, k, want, got ? got : "?", msg[0] ? ": " : "",
                             msg);
      sqlite3_free(got);
      break;
    }
  }
  if( rc==SQLITE_NOMEM || *err ){
    sqlite3_finalize(st);
    return *err ? SQLITE_CORRUPT_VTAB : rc;
  }
  if( rc!=SQLITE_DONE ){
    /* reading failed (interrupted, locked, an I/O error): not corruption */
    rc = sqlite3_finalize(st);
    if( rc==SQLITE_NOMEM ) return rc;
    *err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    return *err ? (rc ? rc : SQLITE_ERROR) : SQLITE_NOMEM;
  }
  sqlite3_finalize(st);
  if( seen!=(1<<NKEY)-1 ){
    int key;
    for(key=0; seen & (1<<key); key++){}
    *err = sqlite3_mprintf("%s_config is corrupt: no %s", name,
                           config_keys[key]);
    return *err ? SQLITE_CORRUPT_VTAB : SQLITE_NOMEM;
  }
  if( c->bands * c->rows > c->params.num_perm || (c->exact && !c->store_text) ){
    *err = sqlite3_mprintf("%s_config is corrupt: %s", name,
                           c->exact && !c->store_text
                           ? "verify=exact without store_text"
                           : "bands*rows exceeds num_perm");
    return *err ? SQLITE_CORRUPT_VTAB : SQLITE_NOMEM;
  }
  return SQLITE_OK;
}

/* ---- The table ---------------------------------------------------------- */

/* The statements on the shadow tables, prepared once and kept while the
** schema stays the same (a shadow table dropped or altered is then an
** error before anything is written). */
enum { Q_GET, Q_GET_SIG, Q_INS_ROW, Q_DEL_ROW, Q_INS_BUCKET, Q_DEL_BUCKET,
       Q_FIND, Q_ADD_BUCKETS, Q_ADD_BUCKET, NSTMT };
static const char *const stmt_sql[NSTMT] = {
  "SELECT sig, text FROM \"%w\".\"%w_sig\" WHERE id = ?1",
  "SELECT sig FROM \"%w\".\"%w_sig\" WHERE id = ?1",
  "INSERT INTO \"%w\".\"%w_sig\"(id, sig, text) VALUES (?1, ?2, ?3)",
  "DELETE FROM \"%w\".\"%w_sig\" WHERE id = ?1",
  "INSERT INTO \"%w\".\"%w_bucket\"(band, bucket, id) VALUES (?1, ?2, ?3)",
  "DELETE FROM \"%w\".\"%w_bucket\" WHERE band = ?1 AND bucket = ?2 AND id = ?3",
  "SELECT id FROM \"%w\".\"%w_bucket\" WHERE band = ?1 AND bucket = ?2",
  0,      /* Q_ADD_BUCKETS: every band's row of one id, made by add_sql() */
  "INSERT OR IGNORE INTO \"%w\".\"%w_bucket\"(band, bucket, id) VALUES (?1, ?2, "
  "?3)",
};

typedef struct mhi_vtab {
  sqlite3_vtab base;
  sqlite3 *db;
  char *schema, *name;
  mhi_config cfg;
  corpus_minhash_perm *pm;       /* the permutations, drawn once */
  char *corrupt;      /* why NAME_config could not be read at connect: every
                      ** use but DROP TABLE fails with it */
  sqlite3_stmt *st[NSTMT];
  sqlite3_stmt *version;
  int cookie;
  corpus_vtab_txn txn;    /* whether the transaction may commit */
  /* Rows inserted in this transaction whose bucket rows are not written
  ** yet (unique=off): written at the end of the transaction, or before the
  ** table is next read, in key order a few bands at a time, which made a
  ** bulk load twice as fast as a B-tree insertion per band and row. */
  sqlite3_int64 *pend;
  size_t npend, cappend;
  int flushing;          /* the flush's own statements call xSavepoint */
  sqlite3_int64 nwritten;  /* rows the table's own statements changed
                           ** (sqlite3_changes64: triggers' not counted):
                           ** whether a bulk command wrote before failing */
} mhi_vtab;

/* The INSERT of every bucket row of an id in one statement (?1 the id, ?2
** ... the buckets of bands 0, 1, ...).  OR IGNORE: a row already there is
** what the statement would write, and without a conflict to abort on, the
** statement needs no statement journal. */
static char *add_sql(const mhi_vtab *v){
  char *sql = sqlite3_mprintf("INSERT OR IGNORE INTO \"%w\".\"%w_bucket\"(band, "
                              "bucket, id) VALUES", v->schema, v->name);
  int band;
  for(band=0; sql && band<v->cfg.bands; band++){
    char *more = sqlite3_mprintf("%s%s(%d, ?%d, ?1)", sql, band ? "," : "",
                                 band, band+2);
    sqlite3_free(sql);
    sql = more;
  }
  return sql;
}

static const char *const mhi_shadows[] = {"config", "sig", "bucket"};

static int db_error(mhi_vtab *v, int rc){
  if( rc==SQLITE_NOMEM ) return rc;
  corpus_vtab_error(&v->base, MHI, "%s", sqlite3_errmsg(v->db));
  return rc;
}

static void stmts_close(mhi_vtab *v){
  int i;
  for(i=0; i<NSTMT; i++){
    sqlite3_finalize(v->st[i]);
    v->st[i] = 0;
  }
  sqlite3_finalize(v->version);
  v->version = 0;
}

static int stmts_open(mhi_vtab *v){
  int i, rc, cookie = -1;
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
  if( v->st[0] && cookie==v->cookie ) return SQLITE_OK;
  for(i=0; i<NSTMT; i++){
    char *sql;
    sqlite3_finalize(v->st[i]);
    v->st[i] = 0;
    sql = stmt_sql[i] ? sqlite3_mprintf(stmt_sql[i], v->schema, v->name)
                      : add_sql(v);
    if( sql==0 ) return SQLITE_NOMEM;
    rc = sqlite3_prepare_v2(v->db, sql, -1, &v->st[i], 0);
    sqlite3_free(sql);
    if( rc ){
      int j;
      if( rc!=SQLITE_NOMEM ){
        corpus_vtab_error(&v->base, MHI, "%s is corrupt: %s", v->name,
                          sqlite3_errmsg(v->db));
        rc = SQLITE_CORRUPT_VTAB;
      }
      for(j=0; j<=i; j++){ sqlite3_finalize(v->st[j]); v->st[j] = 0; }
      return rc;
    }
  }
  v->cookie = cookie;
  return SQLITE_OK;
}

/* Runs a bound statement once and resets it. */
static int run(mhi_vtab *v, sqlite3_stmt *st){
  int rc;
  sqlite3_step(st);
  rc = sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if( rc ) return db_error(v, rc);
  if( !sqlite3_stmt_readonly(st) ) v->nwritten += sqlite3_changes64(v->db);
  return SQLITE_OK;
}

static int mhi_init(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                    sqlite3_vtab **ppVtab, char **pzErr, int create){
  mhi_vtab *v;
  mhi_config cfg;
  char *corrupt = 0, *decl;
  int rc;
  (void)pAux;
  *ppVtab = 0;
  memset(&cfg, 0, sizeof(cfg));
  corpus_minhash_init(&cfg.params);
  cfg.threshold = 0.8;
  if( create ){
    char err[CORPUS_ERRMAX], desc[CORPUS_ERRMAX];
    char *opts = corpus_vtab_options(argc, argv);
    if( opts==0 ) return SQLITE_NOMEM;
    rc = corpus_options_parse(opts, strlen(opts), mhi_option, &cfg, err);
    sqlite3_free(opts);
    if( rc==CORPUS_NOMEM ) return SQLITE_NOMEM;
    if( rc==0 ) rc = mhi_config_check(&cfg, err);
    if( rc ){
      *pzErr = corpus_sql_utf8(sqlite3_mprintf(MHI ": %s", err));
      return SQLITE_ERROR;
    }
    corpus_minhash_describe(&cfg.params, desc, sizeof(desc));
    rc = corpus_vtab_exec(db, pzErr,
        "CREATE TABLE \"%w\".\"%w_config\"(k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
        "INSERT INTO \"%w\".\"%w_config\" VALUES ('format', %d), "
        "('signature', %Q), ('threshold', %!.17g), ('bands', %d), ('rows', %d), "
        "('store_text', %d), ('unique', %d), ('verify', '%s');"
        "CREATE TABLE \"%w\".\"%w_sig\"(id INTEGER PRIMARY KEY, sig BLOB NOT "
        "NULL, text TEXT);"
        "CREATE TABLE \"%w\".\"%w_bucket\"(band INTEGER NOT NULL, bucket "
        "INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY(band, bucket, id)) "
        "WITHOUT ROWID;",
        argv[1], argv[2], argv[1], argv[2], MHI_FORMAT, desc, cfg.threshold,
        cfg.bands, cfg.rows, cfg.store_text, cfg.unique,
        cfg.exact ? "exact" : "minhash", argv[1], argv[2], argv[1], argv[2]);
    if( rc ) return rc;
  }else{
    rc = config_read(db, argv[1], argv[2], &cfg, &corrupt);
    if( rc==SQLITE_NOMEM ) return rc;
    if( rc && rc!=SQLITE_CORRUPT_VTAB ){
      /* locked, busy, interrupted: this use fails, the next connects */
      *pzErr = corpus_sql_utf8(sqlite3_mprintf(MHI ": %s", corrupt));
      sqlite3_free(corrupt);
      return rc;
    }
  }
  decl = sqlite3_mprintf("CREATE TABLE x(text, sig, similarity, jaccard, "
                         "\"%w\" HIDDEN)", argv[2]);
  if( decl==0 ){ sqlite3_free(corrupt); return SQLITE_NOMEM; }
  rc = sqlite3_declare_vtab(db, decl);
  sqlite3_free(decl);
  if( rc ){ sqlite3_free(corrupt); return rc; }
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
  if( corrupt==0 ) v->pm = corpus_minhash_perm_new(cfg.params.seed,
                                                   cfg.params.num_perm);
  if( v->schema==0 || v->name==0 || (corrupt==0 && v->pm==0) ){
    corpus_minhash_perm_free(v->pm);
    sqlite3_free(v->schema);
    sqlite3_free(v->name);
    sqlite3_free(v->corrupt);
    sqlite3_free(v);
    return SQLITE_NOMEM;
  }
  *ppVtab = &v->base;
  return SQLITE_OK;
}

static int mhi_create(sqlite3 *db, void *pAux, int argc,
                      const char *const *argv, sqlite3_vtab **ppVtab,
                      char **pzErr){
  return mhi_init(db, pAux, argc, argv, ppVtab, pzErr, 1);
}

static int mhi_connect(sqlite3 *db, void *pAux, int argc,
                       const char *const *argv, sqlite3_vtab **ppVtab,
                       char **pzErr){
  return mhi_init(db, pAux, argc, argv, ppVtab, pzErr, 0);
}

static int mhi_disconnect(sqlite3_vtab *pVtab){
  mhi_vtab *v = (mhi_vtab*)pVtab;
  stmts_close(v);
  corpus_free(v->pend);
  corpus_minhash_perm_free(v->pm);
  sqlite3_free(v->base.zErrMsg);  /* a message no statement collected */
  sqlite3_free(v->corrupt);
  sqlite3_free(v->schema);
  sqlite3_free(v->name);
  sqlite3_free(v);
  return SQLITE_OK;
}

static int mhi_destroy(sqlite3_vtab *pVtab){
  mhi_vtab *v = (mhi_vtab*)pVtab;
  int rc;
  stmts_close(v);
  rc = corpus_vtab_drop_shadows(v->db, v->schema, v->name, mhi_shadows, 3);
  if( rc==SQLITE_OK ) mhi_disconnect(pVtab);
  return rc;
}

static int corrupt_error(mhi_vtab *v){
  corpus_vtab_error(&v->base, MHI, "%s", v->corrupt);
  return SQLITE_CORRUPT_VTAB;
}

static int mhi_shadow_name(const char *name){
  return strcmp(name, "config")==0 || strcmp(name, "sig")==0
      || strcmp(name, "bucket")==0;
}

/* ---- Signatures --------------------------------------------------------- */

/* A signature BLOB of its own. */
typedef struct mhi_sig {
  unsigned char *z;
  size_t n;
  corpus_minhash_sig d;          /* decoded, pointing into z */
} mhi_sig;

static void sig_free(mhi_sig *s){
  corpus_free(s->z);
  memset(s, 0, sizeof(*s));
}

/* Signs a text with the index's parameters. */
static int sig_of_text(mhi_vtab *v, const char *z, size_t n, mhi_sig *s){
  uint32_t stack[256], *values = stack;
  int num_perm = v->cfg.params.num_perm, empty, rc;
  char err[CORPUS_ERRMAX];
  memset(s, 0, sizeof(*s));
  if( num_perm>256 ){
    values = corpus_realloc(0, sizeof(uint32_t)*(size_t)num_perm);
    if( values==0 ) return SQLITE_NOMEM;
  }
  s->n = corpus_minhash_size(num_perm);
  s->z = corpus_realloc(0, s->n);
  rc = s->z==0 || corpus_minhash_sign(z, n, &v->cfg.params, v->pm, values,
                                      &empty);
  if( rc==0 ){
    corpus_minhash_encode(&v->cfg.params, values, empty, s->z);
    corpus_minhash_decode(s->z, s->n, &s->d, err);
  }
  if( values!=stack ) corpus_free(values);
  if( rc ){ sig_free(s); return SQLITE_NOMEM; }
  return SQLITE_OK;
}

/* Checks a signature BLOB against the index's parameters into err (without
** the function's name, MHI_ERRMAX bytes); "what" names it. */
static int sig_check(mhi_vtab *v, const char *what, const unsigned char *z,
                     size_t n, corpus_minhash_sig *d, char *err){
  char e[MHI_ERRMAX];
  if( corpus_minhash_decode(z, n, d, e) ){
    snprintf(err, MHI_ERRMAX, "%.60s %.900s", what, e);
    return -1;
  }
  if( !corpus_minhash_same_params(&d->params, &v->cfg.params) ){
    char mine[CORPUS_ERRMAX];
    corpus_minhash_describe(&d->params, e, sizeof(e));
    corpus_minhash_describe(&v->cfg.params, mine, sizeof(mine));
    snprintf(err, MHI_ERRMAX, "%.60s was made with other parameters: it has "
             "%.250s; %.100s has %.250s", what, e, v->name, mine);
    return -1;
  }
  return 0;
}

/* A signature value given by the user (MATCH, the sig column), copied. */
static int sig_of_value(mhi_vtab *v, const char *what, sqlite3_value *val,
                        mhi_sig *s){
  char err[MHI_ERRMAX];
  const unsigned char *z = sqlite3_value_blob(val);
  size_t n = (size_t)sqlite3_value_bytes(val);
  memset(s, 0, sizeof(*s));
  if( sig_check(v, what, z, n, &s->d, err) ){
    return corpus_vtab_error(&v->base, MHI, "%s", err);
  }
  s->z = corpus_realloc(0, n ? n : 1);
  if( s->z==0 ) return SQLITE_NOMEM;
  memcpy(s->z, z, n);
  s->n = n;
  corpus_minhash_decode(s->z, s->n, &s->d, err);
  return SQLITE_OK;
}

static sqlite3_int64 bucket_of(const mhi_vtab *v, const corpus_minhash_sig *d,
                               int band){
  return (sqlite3_int64)corpus_lsh_bucket(d->values, band, v->cfg.rows);
}

/* The signature of row id, as stored (NAME_sig row id's sig), decoded into
** d pointing into the statement's memory (valid until Q_GET_SIG's reset).
** SQLITE_OK with *found 0 when there is no such row; SQLITE_CORRUPT_VTAB
** when the stored BLOB is no signature of the index's parameters. */
static int stored_sig(mhi_vtab *v, sqlite3_int64 id, corpus_minhash_sig *d,
                      int *found){
  sqlite3_stmt *st = v->st[Q_GET_SIG];
  char err[MHI_ERRMAX], what[64];
  *found = 0;
  sqlite3_bind_int64(st, 1, id);
  if( sqlite3_step(st)!=SQLITE_ROW ){
    int rc = sqlite3_reset(st);
    return rc ? db_error(v, rc) : SQLITE_OK;
  }
  *found = 1;
  snprintf(what, sizeof(what), "the signature of row %lld", (long long)id);
  if( sig_check(v, what, sqlite3_column_blob(st, 0),
                (size_t)sqlite3_column_bytes(st, 0), d, err) ){
    sqlite3_reset(st);
    corpus_vtab_error(&v->base, MHI, "%s is corrupt: %s", v->name, err);
    return SQLITE_CORRUPT_VTAB;
  }
  return SQLITE_OK;
}

static int pend_flush(mhi_vtab *v);

/* ---- Candidates --------------------------------------------------------- */

typedef struct mhi_cand { sqlite3_int64 id; double sim; } mhi_cand;

static int cmp_id(const void *a, const void *b){
  sqlite3_int64 x = ((const mhi_cand*)a)->id, y = ((const mhi_cand*)b)->id;
  return x<y ? -1 : x>y;
}

static int cmp_sim_desc(const void *a, const void *b){
  const mhi_cand *x = (const mhi_cand*)a, *y = (const mhi_cand*)b;
  if( x->sim!=y->sim ) return x->sim>y->sim ? -1 : 1;
  return cmp_id(a, b);
}

static int cmp_sim_asc(const void *a, const void *b){
  const mhi_cand *x = (const mhi_cand*)a, *y = (const mhi_cand*)b;
  if( x->sim!=y->sim ) return x->sim<y->sim ? -1 : 1;
  return cmp_id(a, b);
}

/* The rows that share at least one bucket with q (the LSH candidates), in
** id order, each with its estimated similarity to q: one index seek per
** band, then one signature read per candidate.  *out is corpus_realloc'd. */
static int candidates(mhi_vtab *v, const corpus_minhash_sig *q, mhi_cand **out,
                      size_t *nout){
  mhi_cand *c = 0;
  size_t n = 0, cap = 0, i, k;
  int band, rc = SQLITE_OK;
  *out = 0;
  *nout = 0;
  if( q->empty ) return SQLITE_OK;
  for(band=0; rc==SQLITE_OK && band<v->cfg.bands; band++){
    sqlite3_stmt *st = v->st[Q_FIND];
    sqlite3_bind_int(st, 1, band);
    sqlite3_bind_int64(st, 2, bucket_of(v, q, band));
    while( sqlite3_step(st)==SQLITE_ROW ){
      if( n==cap ){
        size_t ncap = cap ? 2*cap : 16;
        mhi_cand *p = corpus_realloc(c, ncap*sizeof(*c));
        if( p==0 ){ rc = SQLITE_NOMEM; break; }
        c = p;
        cap = ncap;
      }
      c[n].id = sqlite3_column_int64(st, 0);
      c[n++].sim = 0;
    }
    if( sqlite3_reset(st) && rc==SQLITE_OK ) rc = db_error(v, sqlite3_errcode(v->db));
  }
  if( rc==SQLITE_OK && n>1 ){
    qsort(c, n, sizeof(*c), cmp_id);
    for(i=1, k=1; i<n; i++) if( c[i].id!=c[k-1].id ) c[k++] = c[i];
    n = k;
  }
  for(i=0, k=0; rc==SQLITE_OK && i<n; i++){
    corpus_minhash_sig d;
    int found;
    rc = stored_sig(v, c[i].id, &d, &found);
    if( rc==SQLITE_OK && !found ){
      corpus_vtab_error(&v->base, MHI, "%s is corrupt: a bucket row names row "
                        "%lld, which is not in the index (run "
                        "'integrity-check', then 'rebuild')", v->name,
                        (long long)c[i].id);
      rc = SQLITE_CORRUPT_VTAB;
    }
    if( rc==SQLITE_OK ){
      c[k].id = c[i].id;
      c[k++].sim = corpus_minhash_jaccard(q, &d);
      rc = sqlite3_reset(v->st[Q_GET_SIG]);
      if( rc ) rc = db_error(v, rc);
    }
  }
  if( rc ){
    corpus_free(c);
    return rc;
  }
  *out = c;
  *nout = n;
  return SQLITE_OK;
}

/* ---- Reading: full scans, one row, MATCH ---------------------------------- */

#define IDX_MATCH 1
#define IDX_ROWID 2
#define IDX_SIM_DESC 4
#define IDX_SIM_ASC 8

typedef struct mhi_cursor {
  sqlite3_vtab_cursor base;
  int match;                /* a MATCH query (else a scan of NAME_sig) */
  sqlite3_stmt *scan;       /* the scan: id, sig, text */
  int eof;
  mhi_cand *cand;           /* MATCH: the candidates, in the plan's order */
  size_t ncand, i;
  sqlite3_value *query;     /* MATCH: its value, for jaccard */
  sqlite3_value *row_sig, *row_text;   /* MATCH: the current row, read when
                                       ** a column needs it */
  sqlite3_int64 row_id;
  int row_loaded;
} mhi_cursor;

static int mhi_best_index(sqlite3_vtab *pVtab, sqlite3_index_info *info){
  int i, iMatch = -1, iRowid = -1, unusableMatch = 0;
  (void)pVtab;
  for(i=0; i<info->nConstraint; i++){
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    if( c->op==SQLITE_INDEX_CONSTRAINT_MATCH && c->iColumn==COL_CMD ){
      if( c->usable ){ if( iMatch<0 ) iMatch = i; }
      else unusableMatch = 1;
    }else if( c->usable && c->iColumn<0 && c->op==SQLITE_INDEX_CONSTRAINT_EQ ){
      if( iRowid<0 ) iRowid = i;
    }
  }
  if( iMatch>=0 ){
    info->idxNum = IDX_MATCH;
    info->idxStr = "match";
    info->aConstraintUsage[iMatch].argvIndex = 1;
    info->aConstraintUsage[iMatch].omit = 1;
    info->estimatedCost = 100;
    info->estimatedRows = 10;
    if( info->nOrderBy==1 && info->aOrderBy[0].iColumn==COL_SIMILARITY ){
      info->idxNum |= info->aOrderBy[0].desc ? IDX_SIM_DESC : IDX_SIM_ASC;
      info->orderByConsumed = 1;
    }else if( info->nOrderBy==1 && info->aOrderBy[0].iColumn<0
           && !info->aOrderBy[0].desc ){
      info->orderByConsumed = 1;
    }
    return SQLITE_OK;
  }
  /* MATCH needs its value: a plan that cannot give it one is no plan */
  if( unusableMatch ) return SQLITE_CONSTRAINT;
  if( iRowid>=0 ){
    info->idxNum = IDX_ROWID;
    info->aConstraintUsage[iRowid].argvIndex = 1;
    info->aConstraintUsage[iRowid].omit = 1;
    info->estimatedCost = 10;
    info->estimatedRows = 1;
    info->idxFlags = SQLITE_INDEX_SCAN_UNIQUE;
    return SQLITE_OK;
  }
  info->idxNum = 0;
  info->estimatedCost = 1e6;
  if( info->nOrderBy==1 && info->aOrderBy[0].iColumn<0
   && !info->aOrderBy[0].desc ){
    info->orderByConsumed = 1;
  }
  return SQLITE_OK;
}

static int mhi_open(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  mhi_cursor *c = sqlite3_malloc(sizeof(*c));
  (void)pVtab;
  if( c==0 ) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  *ppCur = &c->base;
  return SQLITE_OK;
}

static void cursor_reset(mhi_cursor *c){
  sqlite3_finalize(c->scan);
  c->scan = 0;
  corpus_free(c->cand);
  c->cand = 0;
  c->ncand = c->i = 0;
  sqlite3_value_free(c->query);
  sqlite3_value_free(c->row_sig);
  sqlite3_value_free(c->row_text);
  c->query = c->row_sig = c->row_text = 0;
  c->row_loaded = 0;
  c->match = 0;
  c->eof = 1;
}

static int mhi_close(sqlite3_vtab_cursor *cur){
  cursor_reset((mhi_cursor*)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int match_filter(mhi_cursor *c, int idxNum, sqlite3_value *q){
  mhi_vtab *v = (mhi_vtab*)c->base.pVtab;
  mhi_sig s;
  int t = sqlite3_value_type(q), rc;
  c->match = 1;
  if( t==SQLITE_NULL ) return SQLITE_OK;
  if( t==SQLITE_TEXT ){
    rc = sig_of_text(v, (const char*)sqlite3_value_text(q),
                     (size_t)sqlite3_value_bytes(q), &s);
  }else if( t==SQLITE_BLOB ){
    rc = sig_of_value(v, "the MATCH signature", q, &s);
  }else{
    return corpus_vtab_error(&v->base, MHI, "MATCH takes a text or a minhash "
                             "signature BLOB, got %s", corpus_type_name(t));
  }
  if( rc ) return rc;
  rc = candidates(v, &s.d, &c->cand, &c->ncand);
  sig_free(&s);
  if( rc ) return rc;
  if( c->ncand>1 && (idxNum & (IDX_SIM_DESC|IDX_SIM_ASC)) ){
    qsort(c->cand, c->ncand, sizeof(mhi_cand),
          (idxNum & IDX_SIM_DESC) ? cmp_sim_desc : cmp_sim_asc);
  }
  if( t==SQLITE_TEXT && v->cfg.store_text ){
    c->query = sqlite3_value_dup(q);
    if( c->query==0 ) return SQLITE_NOMEM;
  }
  c->eof = c->ncand==0;
  return SQLITE_OK;
}

static int mhi_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                      int argc, sqlite3_value **argv){
  mhi_cursor *c = (mhi_cursor*)cur;
  mhi_vtab *v = (mhi_vtab*)cur->pVtab;
  char *sql;
  int rc;
  (void)idxStr; (void)argc;
  cursor_reset(c);
  if( v->corrupt ) return corrupt_error(v);
  rc = stmts_open(v);
  if( rc==SQLITE_OK ) rc = pend_flush(v);
  if( rc ) return rc;
  if( idxNum & IDX_MATCH ) return match_filter(c, idxNum, argv[0]);
  sql = sqlite3_mprintf("SELECT id, sig, text FROM \"%w\".\"%w_sig\"%s "
                        "ORDER BY id", v->schema, v->name,
                        idxNum==IDX_ROWID ? " WHERE id = ?1" : "");
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, sql, -1, &c->scan, 0);
  sqlite3_free(sql);
  if( rc ) return db_error(v, rc);
  if( idxNum==IDX_ROWID ){
    /* a rowid that is no integer (1.5, 'x') finds nothing, as in a table;
    ** 1.0 and '1' find row 1 */
    sqlite3_int64 id;
    if( !corpus_vtab_rowid(argv[0], &id) ) return SQLITE_OK;
    sqlite3_bind_int64(c->scan, 1, id);
  }
  c->eof = 0;
  rc = sqlite3_step(c->scan);
  if( rc==SQLITE_ROW ) return SQLITE_OK;
  c->eof = 1;
  return rc==SQLITE_DONE ? SQLITE_OK : db_error(v, rc);
}

static int mhi_next(sqlite3_vtab_cursor *cur){
  mhi_cursor *c = (mhi_cursor*)cur;
  int rc;
  if( c->match ){
    c->row_loaded = 0;
    if( ++c->i>=c->ncand ) c->eof = 1;
    return SQLITE_OK;
  }
  rc = sqlite3_step(c->scan);
  if( rc==SQLITE_ROW ) return SQLITE_OK;
  c->eof = 1;
  return rc==SQLITE_DONE ? SQLITE_OK : db_error((mhi_vtab*)cur->pVtab, rc);
}

static int mhi_eof(sqlite3_vtab_cursor *cur){
  return ((mhi_cursor*)cur)->eof;
}

/* The current candidate's stored signature and text. */
static int load_row(mhi_cursor *c){
  mhi_vtab *v = (mhi_vtab*)c->base.pVtab;
  sqlite3_stmt *st;
  int rc;
  if( c->row_loaded ) return SQLITE_OK;
  rc = stmts_open(v);
  if( rc ) return rc;
  st = v->st[Q_GET];
  sqlite3_value_free(c->row_sig);
  sqlite3_value_free(c->row_text);
  c->row_sig = c->row_text = 0;
  sqlite3_bind_int64(st, 1, c->cand[c->i].id);
  if( sqlite3_step(st)==SQLITE_ROW ){
    c->row_sig = sqlite3_value_dup(sqlite3_column_value(st, 0));
    c->row_text = sqlite3_value_dup(sqlite3_column_value(st, 1));
    if( c->row_sig==0 || c->row_text==0 ) rc = SQLITE_NOMEM;
  }
  if( sqlite3_reset(st) && rc==SQLITE_OK ) rc = db_error(v, sqlite3_errcode(v->db));
  if( rc==SQLITE_OK ) c->row_loaded = 1;
  return rc;
}

static int mhi_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col){
  mhi_cursor *c = (mhi_cursor*)cur;
  mhi_vtab *v = (mhi_vtab*)cur->pVtab;
  int rc;
  if( sqlite3_vtab_nochange(ctx) ){
    return SQLITE_OK;           /* an UPDATE that leaves it: not read */
  }
  if( !c->match ){
    if( col==COL_TEXT ) sqlite3_result_value(ctx, sqlite3_column_value(c->scan, 2));
    if( col==COL_SIG ) sqlite3_result_value(ctx, sqlite3_column_value(c->scan, 1));
    return SQLITE_OK;
  }
  if( col==COL_SIMILARITY ){
    sqlite3_result_double(ctx, c->cand[c->i].sim);
    return SQLITE_OK;
  }
  if( col==COL_CMD ) return SQLITE_OK;
  if( col==COL_JACCARD && c->query==0 ) return SQLITE_OK;
  rc = load_row(c);
  if( rc ) return rc;
  if( c->row_sig==0 ) return SQLITE_OK;       /* gone since the MATCH */
  if( col==COL_SIG ) sqlite3_result_value(ctx, c->row_sig);
  else if( col==COL_TEXT ) sqlite3_result_value(ctx, c->row_text);
  else if( sqlite3_value_type(c->row_text)==SQLITE_TEXT ){
    double j;
    if( corpus_jaccard((const char*)sqlite3_value_text(c->query),
                       (size_t)sqlite3_value_bytes(c->query),
                       (const char*)sqlite3_value_text(c->row_text),
                       (size_t)sqlite3_value_bytes(c->row_text),
                       &v->cfg.params, &j) ){
      return SQLITE_NOMEM;
    }
    sqlite3_result_double(ctx, j);
  }
  return SQLITE_OK;
}

static int mhi_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  mhi_cursor *c = (mhi_cursor*)cur;
  *pRowid = c->match ? c->cand[c->i].id : sqlite3_column_int64(c->scan, 0);
  return SQLITE_OK;
}

/* ---- Writing ------------------------------------------------------------ */

/* A row as written or removed: its id, signature and (stored) text. */
typedef struct mhi_item {
  sqlite3_int64 id;
  mhi_sig sig;
  char *text;           /* NUL-terminated copy, or NULL: no text stored */
  size_t ntext;
  int bad;              /* its stored sig is no signature of the index's:
                        ** sig.z holds its bytes, sig.d nothing */
} mhi_item;

static void item_free(mhi_item *it){
  sig_free(&it->sig);
  corpus_free(it->text);
  memset(it, 0, sizeof(*it));
}

static int item_set_text(mhi_item *it, const char *z, size_t n){
  it->text = corpus_realloc(0, n+1);
  if( it->text==0 ) return SQLITE_NOMEM;
  if( n ) memcpy(it->text, z, n);
  it->text[n] = 0;
  it->ntext = n;
  return SQLITE_OK;
}

/* Reads row id into it; *found 0 when there is none.  A row whose stored
** signature is not one of the index's is an error, or, with lenient (a row
** to remove), loaded with bad set: so that it can be deleted (its bucket
** rows, which cannot be known, are left to 'rebuild'). */
static int item_load(mhi_vtab *v, sqlite3_int64 id, mhi_item *it, int *found,
                     int lenient){
  sqlite3_stmt *st = v->st[Q_GET];
  int rc = SQLITE_OK;
  memset(it, 0, sizeof(*it));
  it->id = id;
  *found = 0;
  sqlite3_bind_int64(st, 1, id);
  if( sqlite3_step(st)==SQLITE_ROW ){
    char err[MHI_ERRMAX], what[64];
    const unsigned char *z = sqlite3_column_blob(st, 0);
    size_t n = (size_t)sqlite3_column_bytes(st, 0);
    *found = 1;
    snprintf(what, sizeof(what), "the signature of row %lld", (long long)id);
    if( sig_check(v, what, z, n, &it->sig.d, err) ){
      it->bad = 1;
      memset(&it->sig.d, 0, sizeof(it->sig.d));
      if( !lenient ){
        corpus_vtab_error(&v->base, MHI, "%s is corrupt: %s", v->name, err);
        rc = SQLITE_CORRUPT_VTAB;
      }
    }
    if( rc==SQLITE_OK && (it->sig.z = corpus_realloc(0, n ? n : 1))==0 ){
      rc = SQLITE_NOMEM;
    }else if( rc==SQLITE_OK ){
      if( n ) memcpy(it->sig.z, z, n);
      it->sig.n = n;
      if( !it->bad ) corpus_minhash_decode(it->sig.z, n, &it->sig.d, err);
      if( sqlite3_column_type(st, 1)!=SQLITE_NULL ){
        const char *t = (const char*)sqlite3_column_text(st, 1);
        if( t==0 ) rc = SQLITE_NOMEM;
        else rc = item_set_text(it, t, (size_t)sqlite3_column_bytes(st, 1));
      }
    }
  }
  if( sqlite3_reset(st) && rc==SQLITE_OK ) rc = db_error(v, sqlite3_errcode(v->db));
  return rc;
}

static int row_insert(mhi_vtab *v, mhi_item *it, int autoid){
  sqlite3_stmt *st = v->st[Q_INS_ROW];
  int rc;
  if( !autoid ) sqlite3_bind_int64(st, 1, it->id);
  sqlite3_bind_blob64(st, 2, it->sig.z, it->sig.n, SQLITE_STATIC);
  if( it->text ){
    sqlite3_bind_text64(st, 3, it->text, it->ntext, SQLITE_STATIC, SQLITE_UTF8);
  }
  rc = run(v, st);
  if( rc==SQLITE_OK && autoid ) it->id = sqlite3_last_insert_rowid(v->db);
  return rc;
}

static int row_delete(mhi_vtab *v, const mhi_item *it){
  sqlite3_bind_int64(v->st[Q_DEL_ROW], 1, it->id);
  return run(v, v->st[Q_DEL_ROW]);
}

/* Adds (or deletes: the statement says which) the first limit bucket rows
** of an item; *done counts those done. */
static int item_buckets(mhi_vtab *v, int q, const mhi_item *it, int limit,
                        int *done){
  int band, rc = SQLITE_OK;
  *done = 0;
  /* no shingle: no bucket; a bad signature: none known */
  if( it->sig.d.empty || it->bad ) return SQLITE_OK;
  if( q==Q_INS_BUCKET && limit>=v->cfg.bands && !v->cfg.unique ){
    /* deferred: done -1 says so to the undo */
    if( v->npend==v->cappend ){
      size_t cap = v->cappend ? 2*v->cappend : 1024;
      sqlite3_int64 *p = corpus_realloc(v->pend, sizeof(*p)*cap);
      if( p==0 ) return SQLITE_NOMEM;
      v->pend = p;
      v->cappend = cap;
    }
    v->pend[v->npend++] = it->id;
    *done = -1;
    return SQLITE_OK;
  }
  if( q==Q_INS_BUCKET && limit>=v->cfg.bands ){
    sqlite3_stmt *st = v->st[Q_ADD_BUCKETS];
    sqlite3_bind_int64(st, 1, it->id);
    for(band=0; band<v->cfg.bands; band++){
      sqlite3_bind_int64(st, band+2, bucket_of(v, &it->sig.d, band));
    }
    rc = run(v, st);
    if( rc==SQLITE_OK ) *done = v->cfg.bands;
    return rc;
  }
  for(band=0; rc==SQLITE_OK && band<v->cfg.bands && band<limit; band++){
    sqlite3_bind_int(v->st[q], 1, band);
    sqlite3_bind_int64(v->st[q], 2, bucket_of(v, &it->sig.d, band));
    sqlite3_bind_int64(v->st[q], 3, it->id);
    rc = run(v, v->st[q]);
    if( rc==SQLITE_OK ) (*done)++;
  }
  return rc;
}

/* One step of a write, as the undo log keeps it. */
enum { S_DEL_BUCKETS, S_DEL_ROW, S_ADD_ROW, S_ADD_BUCKETS };
typedef struct mhi_step { int kind; mhi_item *it; int done; } mhi_step;
typedef struct mhi_log { mhi_step *s; int n, cap; } mhi_log;

static int undo_step(mhi_vtab *v, const mhi_step *s){
  int done;
  switch( s->kind ){
    case S_DEL_BUCKETS:
      return item_buckets(v, Q_INS_BUCKET, s->it, s->done, &done);
    case S_DEL_ROW:  return row_insert(v, s->it, 0);
    case S_ADD_ROW:  return row_delete(v, s->it);
    default:
      if( s->done<0 ){           /* deferred: the last pending row */
        v->npend--;
        return SQLITE_OK;
      }
      return item_buckets(v, Q_DEL_BUCKET, s->it, s->done, &done);
  }
}

/* Does a step, logging it (with its part done when it fails midway). */
static int do_step(mhi_vtab *v, mhi_log *log, int kind, mhi_item *it,
                   int autoid){
  mhi_step *s;
  int rc;
  if( log->n==log->cap ){
    int cap = log->cap ? 2*log->cap : 8;
    mhi_step *p = corpus_realloc(log->s, sizeof(*p)*(size_t)cap);
    if( p==0 ) return SQLITE_NOMEM;
    log->s = p;
    log->cap = cap;
  }
  s = &log->s[log->n++];
  s->kind = kind;
  s->it = it;
  s->done = 0;
  switch( kind ){
    case S_DEL_BUCKETS:
      rc = item_buckets(v, Q_DEL_BUCKET, it, v->cfg.bands, &s->done); break;
    case S_DEL_ROW: rc = row_delete(v, it); break;
    case S_ADD_ROW: rc = row_insert(v, it, autoid); break;
    default:
      rc = item_buckets(v, Q_INS_BUCKET, it, v->cfg.bands, &s->done); break;
  }
  /* a step that failed did nothing but its buckets done */
  if( rc && (kind==S_DEL_ROW || kind==S_ADD_ROW) ) log->n--;
  return rc;
}

/* Marks the transaction uncommittable: a write failed midway and what it
** did could not be undone. */
static int set_broken(mhi_vtab *v, int rc, const char *first){
  sqlite3_free(v->base.zErrMsg);
  v->base.zErrMsg = corpus_sql_utf8(sqlite3_mprintf(MHI ": %s; undoing the "
      "write failed too (%s): the transaction cannot commit",
      first ? first : sqlite3_errstr(rc), sqlite3_errmsg(v->db)));
  corpus_txn_break(&v->txn);
  return rc==SQLITE_INTERRUPT ? rc : SQLITE_CORRUPT_VTAB;
}

/* After a failed write: the steps done, undone in reverse.  SQLite rolls
** the transaction back itself after running out of memory or disk, or an
** I/O error; not after an interrupt: to SQLite a statement on a virtual
** table writes nothing. */
static int undo_all(mhi_vtab *v, mhi_log *log, int rc){
  char *first;
  int i, urc = SQLITE_OK;
  if( log->n==0 || rc==SQLITE_NOMEM || (rc&0xff)==SQLITE_IOERR
   || rc==SQLITE_FULL ){
    return rc;
  }
  first = v->base.zErrMsg;
  v->base.zErrMsg = 0;
  for(i=log->n-1; i>=0 && urc==SQLITE_OK; i--) urc = undo_step(v, &log->s[i]);
  if( urc==SQLITE_OK ){
    sqlite3_free(v->base.zErrMsg);
    v->base.zErrMsg = first;
    /* SQLITE_CONSTRAINT says nothing was written, and OR IGNORE would skip
    ** the row silently: a trigger's RAISE on a shadow table midway is an
    ** error */
    if( (rc&0xff)==SQLITE_CONSTRAINT ) rc = SQLITE_ERROR;
    return rc;
  }
  /* the message names the first failure: skip "minhash_index: " */
  rc = set_broken(v, rc, first && strncmp(first, MHI ": ", 15)==0 ? first+15
                                                                 : first);
  sqlite3_free(first);
  return rc;
}

/* ---- Commands ----------------------------------------------------------- */

/* Runs SQL on the shadow tables for a command; a failure midway leaves
** the transaction uncommittable (a command has no undo log). */
/* Runs one write statement of a command (fmt takes the schema and the
** name), counting the rows it changed. */
static int command_exec(mhi_vtab *v, const char *fmt){
  int rc = corpus_vtab_exec(v->db, 0, fmt, v->schema, v->name);
  /* command() breaks the transaction if rows were written */
  if( rc && rc!=SQLITE_NOMEM ) rc = db_error(v, rc);
  if( rc==SQLITE_OK ) v->nwritten += sqlite3_changes64(v->db);
  return rc;
}

typedef struct band_entry { sqlite3_int64 bucket, id; } band_entry;

static int cmp_entry(const void *a, const void *b){
  const band_entry *x = (const band_entry*)a, *y = (const band_entry*)b;
  if( x->bucket!=y->bucket ) return x->bucket<y->bucket ? -1 : 1;
  return x->id<y->id ? -1 : x->id>y->id;
}

/* Prepares a statement on the shadow tables (NAME twice at most). */
static int prepare(mhi_vtab *v, const char *fmt, sqlite3_stmt **st){
  char *sql = sqlite3_mprintf(fmt, v->schema, v->name, v->schema, v->name);
  int rc;
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, sql, -1, st, 0);
  sqlite3_free(sql);
  return rc ? db_error(v, rc) : SQLITE_OK;
}

/* Every signature checked (named by its row when it is not one of the
** index's), and, with recompute and stored texts, made again from its
** text: before anything is written, so that a bad row fails the command
** with the index as it was. */
static int check_sigs(mhi_vtab *v, int recompute, sqlite3_int64 *nrow){
  sqlite3_stmt *st = 0, *upd = 0;
  int rc = prepare(v, "SELECT id, sig, text FROM \"%w\".\"%w_sig\"", &st);
  *nrow = 0;
  if( rc==SQLITE_OK && recompute && v->cfg.store_text ){
    rc = prepare(v, "UPDATE \"%w\".\"%w_sig\" SET sig = ?2 WHERE id = ?1", &upd);
  }
  while( rc==SQLITE_OK && sqlite3_step(st)==SQLITE_ROW ){
    sqlite3_int64 id = sqlite3_column_int64(st, 0);
    char err[MHI_ERRMAX], what[64];
    corpus_minhash_sig d;
    (*nrow)++;
    if( upd && sqlite3_column_type(st, 2)!=SQLITE_TEXT ){
      rc = corpus_vtab_error(&v->base, MHI, "row %lld has no text "
                             "(store_text=on): delete it, or set its text",
                             (long long)id);
      break;
    }
    if( upd ) continue;
    snprintf(what, sizeof(what), "the signature of row %lld", (long long)id);
    if( sig_check(v, what, sqlite3_column_blob(st, 1),
                  (size_t)sqlite3_column_bytes(st, 1), &d, err) ){
      rc = corpus_vtab_error(&v->base, MHI, "%s", err);
    }
  }
  if( rc==SQLITE_OK && (rc = sqlite3_reset(st))!=SQLITE_OK ) rc = db_error(v, rc);
  /* the texts signed again, in a second pass: the first read NAME_sig */
  while( rc==SQLITE_OK && upd && sqlite3_step(st)==SQLITE_ROW ){
    mhi_sig s;
    if( sqlite3_column_type(st, 2)!=SQLITE_TEXT ) continue;
    rc = sig_of_text(v, (const char*)sqlite3_column_text(st, 2),
                     (size_t)sqlite3_column_bytes(st, 2), &s);
    if( rc ) break;
    if( s.n!=(size_t)sqlite3_column_bytes(st, 1)
     || memcmp(s.z, sqlite3_column_blob(st, 1), s.n)!=0 ){
      sqlite3_bind_int64(upd, 1, sqlite3_column_int64(st, 0));
      sqlite3_bind_blob64(upd, 2, s.z, s.n, SQLITE_STATIC);
      rc = run(v, upd);     /* command() breaks the transaction if it wrote */
    }
    sig_free(&s);
  }
  {
    int frc = sqlite3_finalize(st);
    if( rc==SQLITE_OK && frc ) rc = db_error(v, frc);
  }
  sqlite3_finalize(upd);
  return rc;
}

static int cmp_i64(const void *a, const void *b){
  sqlite3_int64 x = *(const sqlite3_int64*)a, y = *(const sqlite3_int64*)b;
  return x<y ? -1 : x>y;
}

/* The bucket rows of the rows ids[0..n-1] (ascending; repeats are read
** once) for bands b0 .. b0+nb-1: band b0+j's into e[j*n ...], sorted by
** key, *k of them per band.  Rows gone or with the empty signature have
** none; a stored signature that is not one of the index's is an error. */
static int band_entries(mhi_vtab *v, const sqlite3_int64 *ids, size_t n,
                        int b0, int nb, band_entry *e, size_t *k){
  size_t i;
  int j, rc = SQLITE_OK;
  *k = 0;
  for(i=0; rc==SQLITE_OK && i<n; i++){
    corpus_minhash_sig d;
    int found;
    if( i>0 && ids[i]==ids[i-1] ) continue;
    rc = stored_sig(v, ids[i], &d, &found);
    if( rc==SQLITE_OK && found && !d.empty ){
      for(j=0; j<nb; j++){
        e[j*n + *k].bucket = bucket_of(v, &d, b0+j);
        e[j*n + *k].id = ids[i];
      }
      (*k)++;
    }
    if( rc==SQLITE_OK && found && (rc = sqlite3_reset(v->st[Q_GET_SIG]))!=0 ){
      rc = db_error(v, rc);
    }
  }
  for(j=0; rc==SQLITE_OK && j<nb; j++){
    qsort(e + j*n, *k, sizeof(*e), cmp_entry);
  }
  return rc;
}

/* Writes the bucket rows of the pending rows: their signatures read in id
** order, FLUSH_BANDS bands a pass, each band's rows in key order.  The rows
** stay pending until all are written (INSERT OR IGNORE: a flush tried again
** after a failure writes each row once). */
#define FLUSH_BANDS 4
static int pend_flush(mhi_vtab *v){
  band_entry *e;
  size_t n = v->npend, i, k;
  int b0, j, rc = SQLITE_OK;
  if( n==0 || v->flushing ) return SQLITE_OK;
  rc = stmts_open(v);
  if( rc ) return rc;
  e = corpus_realloc(0, sizeof(*e)*n*FLUSH_BANDS);
  if( e==0 ) return SQLITE_NOMEM;
  v->flushing = 1;
  qsort(v->pend, n, sizeof(sqlite3_int64), cmp_i64);
  for(b0=0; rc==SQLITE_OK && b0<v->cfg.bands; b0+=FLUSH_BANDS){
    int nb = v->cfg.bands-b0<FLUSH_BANDS ? v->cfg.bands-b0 : FLUSH_BANDS;
    rc = band_entries(v, v->pend, n, b0, nb, e, &k);
    for(j=0; rc==SQLITE_OK && j<nb; j++){
      sqlite3_stmt *st = v->st[Q_ADD_BUCKET];
      for(i=0; rc==SQLITE_OK && i<k; i++){
        sqlite3_bind_int(st, 1, b0+j);
        sqlite3_bind_int64(st, 2, e[j*n+i].bucket);
        sqlite3_bind_int64(st, 3, e[j*n+i].id);
        rc = run(v, st);
      }
    }
  }
  corpus_free(e);
  v->flushing = 0;
  if( rc==SQLITE_OK ) v->npend = 0;
  return rc;
}

/* Every rowid of NAME_sig, ascending, into v->pend (for rebuild) or a new
** array (*out, for integrity-check). */
static int all_ids(mhi_vtab *v, sqlite3_int64 **out, size_t *n, size_t *cap){
  sqlite3_stmt *st = 0;
  int rc = prepare(v, "SELECT id FROM \"%w\".\"%w_sig\" ORDER BY id", &st);
  while( rc==SQLITE_OK && sqlite3_step(st)==SQLITE_ROW ){
    if( *n==*cap ){
      size_t c = *cap ? 2 * *cap : 1024;
      sqlite3_int64 *p = corpus_realloc(*out, sizeof(*p)*c);
      if( p==0 ){ rc = SQLITE_NOMEM; break; }
      *out = p;
      *cap = c;
    }
    (*out)[(*n)++] = sqlite3_column_int64(st, 0);
  }
  {
    int frc = sqlite3_finalize(st);
    if( rc==SQLITE_OK && frc ) rc = db_error(v, frc);
  }
  return rc;
}

/* Writes NAME_bucket anew from the signatures: every row made pending,
** then written as pending rows are (sorted, appended band after band). */
static int write_buckets(mhi_vtab *v){
  int rc = command_exec(v, "DELETE FROM \"%w\".\"%w_bucket\"");
  v->npend = 0;
  if( rc==SQLITE_OK ) rc = all_ids(v, &v->pend, &v->npend, &v->cappend);
  if( rc==SQLITE_OK ) rc = pend_flush(v);
  return rc;            /* command() breaks the transaction if it wrote */
}

/* rebuild: signatures made again from stored texts, then every bucket row
** from the signatures; optimize: the bucket rows only. */
static int rebuild(mhi_vtab *v, int recompute){
  sqlite3_int64 nrow;
  int rc = check_sigs(v, recompute, &nrow);
  if( rc==SQLITE_OK ) rc = write_buckets(v);
  /* an interrupt or out of memory midway: the rows deleted are not back */
  if( rc==SQLITE_INTERRUPT || rc==SQLITE_NOMEM ) corpus_txn_break(&v->txn);
  return rc;
}

/* integrity-check, part 1: every row's signature is one of the index's (and
** minhash(text) when texts are stored). */
static int check_rows(mhi_vtab *v){
  sqlite3_stmt *st = 0;
  int rc = prepare(v, "SELECT id, sig, text FROM \"%w\".\"%w_sig\"", &st);
  while( rc==SQLITE_OK && sqlite3_step(st)==SQLITE_ROW ){
    sqlite3_int64 id = sqlite3_column_int64(st, 0);
    int ttext = sqlite3_column_type(st, 2);
    char err[MHI_ERRMAX], what[64];
    corpus_minhash_sig d;
    /* a NAME_sig made again without its INTEGER PRIMARY KEY may hold any */
    if( sqlite3_column_type(st, 0)!=SQLITE_INTEGER ){
      char *got = corpus_value_text(st, 0, sqlite3_column_type(st, 0));
      rc = corpus_vtab_error(&v->base, MHI, "integrity-check failed: %s_sig "
                             "holds a row whose id is %s, not an INTEGER",
                             v->name, got ? got : "?");
      sqlite3_free(got);
      break;
    }
    snprintf(what, sizeof(what), "the signature of row %lld", (long long)id);
    if( sqlite3_column_type(st, 1)!=SQLITE_BLOB ){
      rc = corpus_vtab_error(&v->base, MHI, "integrity-check failed: %s is "
                             "%s, not a BLOB", what, corpus_type_name(
                             sqlite3_column_type(st, 1)));
      break;
    }
    if( sig_check(v, what, sqlite3_column_blob(st, 1),
                  (size_t)sqlite3_column_bytes(st, 1), &d, err) ){
      rc = corpus_vtab_error(&v->base, MHI, "integrity-check failed: %s", err);
      break;
    }
    if( v->cfg.store_text ? ttext!=SQLITE_TEXT : ttext!=SQLITE_NULL ){
      rc = corpus_vtab_error(&v->base, MHI, "integrity-check failed: row %lld "
                             "%s", (long long)id,
                             !v->cfg.store_text ? "holds a text (store_text=off)"
                             : ttext==SQLITE_NULL ? "has no text (store_text=on)"
                             : "has a text that is not TEXT");
      break;
    }
    if( v->cfg.store_text ){
      mhi_sig s;
      rc = sig_of_text(v, (const char*)sqlite3_column_text(st, 2),
                       (size_t)sqlite3_column_bytes(st, 2), &s);
      if( rc ) break;
      if( memcmp(s.z, sqlite3_column_blob(st, 1), s.n)!=0 ){
        rc = corpus_vtab_error(&v->base, MHI, "integrity-check failed: the "
                               "signature of row %lld is not minhash(text)",
                               (long long)id);
      }
      sig_free(&s);
      if( rc ) break;
    }
  }
  if( rc==SQLITE_OK && (rc = sqlite3_reset(st))!=SQLITE_OK ) rc = db_error(v, rc);
  sqlite3_finalize(st);
  return rc;
}

/* integrity-check, part 2: a row of NAME_bucket that is no bucket of any
** row (a value not an INTEGER, a band out of range). */
static int check_bucket_types(mhi_vtab *v){
  sqlite3_stmt *st = 0;
  char *sql = sqlite3_mprintf("SELECT band, bucket, id FROM \"%w\".\"%w_bucket\" "
                              "WHERE typeof(band) <> 'integer' OR typeof(bucket) "
                              "<> 'integer' OR typeof(id) <> 'integer' OR band < 0 "
                              "OR band >= %d LIMIT 1", v->schema, v->name,
                              v->cfg.bands);
  int rc;
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, sql, -1, &st, 0);
  sqlite3_free(sql);
  if( rc ) return db_error(v, rc);
  if( sqlite3_step(st)==SQLITE_ROW ){
    int t0 = sqlite3_column_type(st, 0), t1 = sqlite3_column_type(st, 1);
    int t2 = sqlite3_column_type(st, 2);
    char *b = corpus_value_text(st, 0, t0), *k = corpus_value_text(st, 1, t1);
    char *i = corpus_value_text(st, 2, t2);
    rc = corpus_vtab_error(&v->base, MHI, "integrity-check failed: %s_bucket "
                           "holds a row (band %s, bucket %s, id %s) that is no "
                           "bucket of a row", v->name, b ? b : "?", k ? k : "?",
                           i ? i : "?");
    sqlite3_free(b); sqlite3_free(k); sqlite3_free(i);
  }
  {
    int frc = sqlite3_finalize(st);
    if( rc==SQLITE_OK && frc ) rc = db_error(v, frc);
  }
  return rc;
}

/* A bucket row a signature gives that is not there: named, with the one
** the row has for that band instead, if any. */
static int report_missing(mhi_vtab *v, int band, const band_entry *want){
  sqlite3_stmt *st = 0;
  int rc = prepare(v, "SELECT bucket FROM \"%w\".\"%w_bucket\" WHERE band = ?1 "
                   "AND id = ?2", &st);
  if( rc ) return rc;
  sqlite3_bind_int(st, 1, band);
  sqlite3_bind_int64(st, 2, want->id);
  rc = sqlite3_step(st);
  if( rc==SQLITE_ROW ){
    rc = corpus_vtab_error(&v->base, MHI, "integrity-check failed: the bucket "
        "row of row %lld for band %d holds bucket %lld; its signature gives "
        "%lld", (long long)want->id, band,
        (long long)sqlite3_column_int64(st, 0), (long long)want->bucket);
  }else if( rc==SQLITE_DONE ){
    rc = corpus_vtab_error(&v->base, MHI, "integrity-check failed: row %lld "
                           "has no bucket row for band %d",
                           (long long)want->id, band);
  }else{
    rc = db_error(v, sqlite3_reset(st));
  }
  sqlite3_finalize(st);
  return rc;
}

/* A bucket row that no signature gives: named. */
static int report_extra(mhi_vtab *v, int band, sqlite3_int64 id){
  corpus_minhash_sig d;
  int found, rc = stored_sig(v, id, &d, &found);
  if( rc ) return rc;
  sqlite3_reset(v->st[Q_GET_SIG]);
  if( !found ){
    return corpus_vtab_error(&v->base, MHI, "integrity-check failed: a bucket "
                             "row (band %d) names row %lld, which is not in "
                             "the index", band, (long long)id);
  }
  return corpus_vtab_error(&v->base, MHI, "integrity-check failed: a bucket "
                           "row of row %lld for band %d disagrees with its "
                           "signature", (long long)id, band);
}

/* integrity-check, part 3: NAME_bucket holds exactly the bucket rows the
** signatures give.  A few bands at a time, the rows they give are sorted
** and walked beside each band's rows in key order: no seek per row. */
static int check_buckets(mhi_vtab *v){
  sqlite3_int64 *ids = 0;
  size_t n = 0, cap = 0, k;
  band_entry *e = 0;
  sqlite3_stmt *st = 0;
  int b0, j, rc = all_ids(v, &ids, &n, &cap);
  if( rc==SQLITE_OK ){
    rc = prepare(v, "SELECT bucket, id FROM \"%w\".\"%w_bucket\" WHERE band = ?1 "
                 "ORDER BY bucket, id", &st);
  }
  if( rc==SQLITE_OK && n ){
    e = corpus_realloc(0, sizeof(*e)*n*FLUSH_BANDS);
    if( e==0 ) rc = SQLITE_NOMEM;
  }
  for(b0=0; rc==SQLITE_OK && b0<v->cfg.bands; b0+=FLUSH_BANDS){
    int nb = v->cfg.bands-b0<FLUSH_BANDS ? v->cfg.bands-b0 : FLUSH_BANDS;
    k = 0;
    if( n ) rc = band_entries(v, ids, n, b0, nb, e, &k);
    for(j=0; rc==SQLITE_OK && j<nb; j++){
      const band_entry *want = e ? e + j*n : 0;
      size_t i = 0;
      int step = SQLITE_DONE;
      sqlite3_bind_int(st, 1, b0+j);
      while( rc==SQLITE_OK && (step = sqlite3_step(st))==SQLITE_ROW ){
        band_entry got;
        got.bucket = sqlite3_column_int64(st, 0);
        got.id = sqlite3_column_int64(st, 1);
        if( i<k && cmp_entry(&want[i], &got)==0 ){
          i++;
        }else if( i<k && cmp_entry(&want[i], &got)<0 ){
          rc = report_missing(v, b0+j, &want[i]);
        }else{
          rc = report_extra(v, b0+j, got.id);
        }
      }
      if( rc==SQLITE_OK && step!=SQLITE_DONE ){
        rc = db_error(v, sqlite3_reset(st));
      }
      sqlite3_reset(st);
      if( rc==SQLITE_OK && i<k ) rc = report_missing(v, b0+j, &want[i]);
    }
  }
  sqlite3_finalize(st);
  corpus_free(e);
  corpus_free(ids);
  return rc;
}

static int integrity_check(mhi_vtab *v){
  mhi_config cfg;
  char *err = 0;
  int rc = config_read(v->db, v->schema, v->name, &cfg, &err);
  if( rc ){
    if( err ){
      corpus_vtab_error(&v->base, MHI, "%s%s", rc==SQLITE_CORRUPT_VTAB
                        ? "integrity-check failed: " : "", err);
    }
    sqlite3_free(err);
    return rc;
  }
  if( cfg.bands!=v->cfg.bands || cfg.rows!=v->cfg.rows
   || cfg.threshold!=v->cfg.threshold || cfg.store_text!=v->cfg.store_text
   || cfg.unique!=v->cfg.unique || cfg.exact!=v->cfg.exact
   || !corpus_minhash_same_params(&cfg.params, &v->cfg.params) ){
    return corpus_vtab_error(&v->base, MHI, "integrity-check failed: %s_config "
                             "changed since the table was opened", v->name);
  }
  rc = check_rows(v);
  if( rc==SQLITE_OK ) rc = check_bucket_types(v);
  if( rc==SQLITE_OK ) rc = check_buckets(v);
  if( rc==SQLITE_ERROR ) rc = SQLITE_CORRUPT_VTAB;
  return rc;
}

/* A bulk command that failed after it wrote rows: it rewrites the whole
** index, too much to undo step by step (and a virtual table cannot open a
** savepoint inside its statement), so the transaction cannot commit, and
** the message says so.  Out of memory and interrupts keep their messages
** (SQLite's own); both break the transaction too. */
static int command_stopped(mhi_vtab *v, const char *cmd, int rc){
  const char *why = v->base.zErrMsg ? v->base.zErrMsg : sqlite3_errmsg(v->db);
  char *msg;
  corpus_txn_break(&v->txn);
  if( rc==SQLITE_NOMEM || rc==SQLITE_INTERRUPT ) return rc;
  if( strncmp(why, MHI ": ", strlen(MHI ": "))==0 ) why += strlen(MHI ": ");
  msg = corpus_sql_utf8(sqlite3_mprintf(MHI ": %s; %s stopped midway and "
                        "cannot be undone: the transaction cannot commit",
                        why, cmd));
  if( msg==0 ) return SQLITE_NOMEM;
  sqlite3_free(v->base.zErrMsg);
  v->base.zErrMsg = msg;
  return rc;
}

static int command(mhi_vtab *v, sqlite3_value *val){
  const char *cmd = (const char*)sqlite3_value_text(val);
  sqlite3_int64 changes;
  int rc;
  if( sqlite3_value_type(val)!=SQLITE_TEXT || cmd==0 ) cmd = "";
  if( strcmp(cmd, "integrity-check")==0 ) return integrity_check(v);
  if( strcmp(cmd, "rebuild")==0 || strcmp(cmd, "optimize")==0
   || strcmp(cmd, "delete-all")==0 ){
    /* rows the table's own statements changed, not a trigger's (whose
    ** changes count in sqlite3_total_changes64() even when its statement
    ** is then undone): whether the command wrote before it failed */
    changes = v->nwritten;
    if( cmd[0]=='d' ){
      rc = command_exec(v, "DELETE FROM \"%w\".\"%w_bucket\"");
      if( rc==SQLITE_OK ) rc = command_exec(v, "DELETE FROM \"%w\".\"%w_sig\"");
      if( rc==SQLITE_INTERRUPT ) corpus_txn_break(&v->txn);
    }else{
      rc = rebuild(v, cmd[0]=='r');
    }
    /* SQLITE_CONSTRAINT would mean nothing was written, and OR IGNORE
    ** would report success: a trigger's RAISE midway is an error */
    if( (rc&0xff)==SQLITE_CONSTRAINT ) rc = SQLITE_ERROR;
    if( rc!=SQLITE_OK && v->nwritten!=changes ){
      rc = command_stopped(v, cmd, rc);
    }
    return rc;
  }
  return corpus_vtab_error(&v->base, MHI, "unknown command '%.40s' (valid: "
                           "integrity-check, rebuild, optimize, delete-all)",
                           (const char*)sqlite3_value_text(val)
                           ? (const char*)sqlite3_value_text(val) : "NULL");
}

/* ---- xUpdate ------------------------------------------------------------ */

/* A column of the new row in xUpdate: given a value, given NULL, or left
** as it was by an UPDATE that does not SET it. */
enum { COL_LEFT, COL_NULL, COL_VALUE };
static int col_state(sqlite3_value *val){
  if( sqlite3_value_nochange(val) ) return COL_LEFT;
  return sqlite3_value_type(val)==SQLITE_NULL ? COL_NULL : COL_VALUE;
}

/* The new row's signature and text from the text and sig columns, the old
** row's where an UPDATE leaves them.  With a text, the signature is its
** minhash, and a sig given too must be that; a sig alone is checked against
** the index's parameters; with store_text=on a row needs its text. */
static int new_row(mhi_vtab *v, sqlite3_value *text, sqlite3_value *sig,
                   const mhi_item *old, mhi_item *it){
  int ts = col_state(text), ss = col_state(sig), rc;
  const char *z = 0;
  size_t n = 0;
  if( ts==COL_VALUE && sqlite3_value_type(text)!=SQLITE_TEXT ){
    return corpus_vtab_error(&v->base, MHI, "text must be TEXT, got %s",
                             corpus_type_name(sqlite3_value_type(text)));
  }
  if( ss==COL_VALUE && sqlite3_value_type(sig)!=SQLITE_BLOB ){
    return corpus_vtab_error(&v->base, MHI, "sig must be a minhash signature "
                             "BLOB, got %s",
                             corpus_type_name(sqlite3_value_type(sig)));
  }
  if( ts==COL_VALUE ){
    z = (const char*)sqlite3_value_text(text);
    n = (size_t)sqlite3_value_bytes(text);
    if( z==0 ) return SQLITE_NOMEM;
  }else if( ts==COL_LEFT && old && old->text ){
    z = old->text;
    n = old->ntext;
  }
  if( z ){
    rc = sig_of_text(v, z, n, &it->sig);
    if( rc ) return rc;
    if( ss==COL_VALUE && ((size_t)sqlite3_value_bytes(sig)!=it->sig.n
                || memcmp(sqlite3_value_blob(sig), it->sig.z, it->sig.n)) ){
      char err[MHI_ERRMAX];
      corpus_minhash_sig d;
      if( sig_check(v, "sig", sqlite3_value_blob(sig),
                    (size_t)sqlite3_value_bytes(sig), &d, err) ){
        return corpus_vtab_error(&v->base, MHI, "%s", err);
      }
      return corpus_vtab_error(&v->base, MHI, "sig is not the signature of "
                               "text (%s)", ts==COL_VALUE ? "minhash() of the "
                               "text given, with the index's parameters"
                               : "the row's stored text");
    }
    return v->cfg.store_text ? item_set_text(it, z, n) : SQLITE_OK;
  }
  if( v->cfg.store_text ){
    return corpus_vtab_error(&v->base, MHI, "%s stores texts (store_text=on): "
                             "a row needs its text", v->name);
  }
  if( ss==COL_VALUE ) return sig_of_value(v, "sig", sig, &it->sig);
  if( ss==COL_LEFT && old && !old->bad ){
    /* an UPDATE that leaves the signature (of the rowid alone) */
    it->sig.z = corpus_realloc(0, old->sig.n);
    if( it->sig.z==0 ) return SQLITE_NOMEM;
    memcpy(it->sig.z, old->sig.z, old->sig.n);
    it->sig.n = old->sig.n;
    it->sig.d = old->sig.d;
    it->sig.d.values = it->sig.z + CORPUS_MINHASH_HEADER;
    return SQLITE_OK;
  }
  if( ss==COL_LEFT && old ){
    return corpus_vtab_error(&v->base, MHI, "the signature of row %lld is not "
                             "one of the index's: set its text or sig",
                             (long long)old->id);
  }
  return corpus_vtab_error(&v->base, MHI, "a row needs text or sig");
}

/* unique=on: the rows already there that are near-duplicates of it (other
** than the nskip rows of skip, which the write removes), loaded into
** *dups. */
static int near_dups(mhi_vtab *v, const mhi_item *it, const sqlite3_int64 *skip,
                     int nskip, mhi_item **dups, int *ndup, double *best,
                     sqlite3_int64 *best_id){
  mhi_cand *c = 0;
  size_t n = 0, i;
  int rc = candidates(v, &it->sig.d, &c, &n), k = 0;
  *dups = 0;
  *ndup = 0;
  *best = 0;
  if( rc==SQLITE_OK && n ){
    *dups = corpus_realloc(0, sizeof(mhi_item)*n);
    if( *dups==0 ) rc = SQLITE_NOMEM;
  }
  for(i=0; rc==SQLITE_OK && i<n; i++){
    double sim = c[i].sim;
    int found;
    if( (nskip>0 && c[i].id==skip[0]) || (nskip>1 && c[i].id==skip[1]) ){
      continue;
    }
    if( !v->cfg.exact && sim<v->cfg.threshold ) continue;
    rc = item_load(v, c[i].id, &(*dups)[k], &found, 0);
    if( rc || !found ){ item_free(&(*dups)[k]); continue; }
    if( v->cfg.exact ){
      if( corpus_jaccard(it->text, it->ntext, (*dups)[k].text ? (*dups)[k].text
                         : "", (*dups)[k].ntext, &v->cfg.params, &sim) ){
        rc = SQLITE_NOMEM;
      }
      if( rc || sim<v->cfg.threshold ){ item_free(&(*dups)[k]); continue; }
    }
    if( sim>*best ){
      *best = sim;
      *best_id = c[i].id;
    }
    k++;
  }
  corpus_free(c);
  *ndup = k;
  return rc;
}

/* xUpdate: a DELETE (argc 1), an INSERT (argv[0] NULL) or an UPDATE, whose
** old row goes and new one comes.  A new rowid already taken is SQLite's
** conflict, and so, with unique=on, is a near-duplicate: REPLACE removes
** the rows in the way first; IGNORE, ABORT, FAIL and ROLLBACK get
** SQLITE_CONSTRAINT with nothing written (the table declares
** SQLITE_VTAB_CONSTRAINT_SUPPORT, so SQLite applies the mode). */
static int mhi_update(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                      sqlite_int64 *pRowid){
  mhi_vtab *v = (mhi_vtab*)pVtab;
  mhi_item items[3];         /* taken by REPLACE, the old row, the new row */
  mhi_item *dups = 0;
  mhi_log log = {0, 0, 0};
  int i, rc, found, autoid = 1, has_old = 0, has_taken = 0, ndup = 0;
  memset(items, 0, sizeof(items));
  if( v->corrupt ) return corrupt_error(v);
  rc = stmts_open(v);
  /* the pending bucket rows first, but for an INSERT (a rowid it replaces
  ** that is pending has none to delete; its new signature's are pending) */
  if( rc==SQLITE_OK && (argc==1 || sqlite3_value_type(argv[0])!=SQLITE_NULL
                        || sqlite3_value_type(argv[2+COL_CMD])!=SQLITE_NULL) ){
    rc = pend_flush(v);
  }
  if( rc ) return rc;
  if( argc>1 ){
    if( sqlite3_value_type(argv[2+COL_CMD])!=SQLITE_NULL ){
      return command(v, argv[2+COL_CMD]);
    }
    for(i=COL_SIMILARITY; i<=COL_JACCARD; i++){
      if( col_state(argv[2+i])==COL_VALUE ){
        return corpus_vtab_error(pVtab, MHI, "%s is computed by a MATCH "
                                 "query and cannot be written",
                                 i==COL_SIMILARITY ? "similarity" : "jaccard");
      }
    }
    if( sqlite3_value_type(argv[1])!=SQLITE_NULL ){
      if( !corpus_vtab_rowid(argv[1], &items[2].id) ){
        return corpus_vtab_error(pVtab, MHI, "rowid must be an INTEGER, got %s",
                                 corpus_type_name(sqlite3_value_type(argv[1])));
      }
      autoid = 0;
    }else if( sqlite3_value_type(argv[0])!=SQLITE_NULL ){
      return corpus_vtab_error(pVtab, MHI, "rowid must be an INTEGER, got NULL");
    }
  }
  if( argc==1 || sqlite3_value_type(argv[0])!=SQLITE_NULL ){
    rc = item_load(v, sqlite3_value_int64(argv[0]), &items[1], &has_old, 1);
    /* an UPDATE of a row gone since the statement read it (an earlier row
    ** of the statement replaced it): nothing to update, as in a table */
    if( rc==SQLITE_OK && argc>1 && !has_old ) return SQLITE_OK;
  }
  if( rc==SQLITE_OK && argc>1 ){
    rc = new_row(v, argv[2+COL_TEXT], argv[2+COL_SIG], has_old ? &items[1] : 0,
                 &items[2]);
  }
  if( rc==SQLITE_OK && argc>1 && !autoid
   && !(has_old && items[1].id==items[2].id) ){
    rc = item_load(v, items[2].id, &items[0], &found, 1);
    if( rc==SQLITE_OK && found ){
      int mode = sqlite3_vtab_on_conflict(v->db);
      if( mode==SQLITE_REPLACE ){
        has_taken = 1;
      }else{
        /* under OR IGNORE the row is skipped: no message to outlive it */
        if( mode!=SQLITE_IGNORE ){
          corpus_vtab_error(pVtab, MHI, "UNIQUE constraint failed: %s.rowid",
                            v->name);
        }
        rc = SQLITE_CONSTRAINT;
      }
    }
  }
  if( rc==SQLITE_OK && argc>1 && v->cfg.unique ){
    sqlite3_int64 skip[2], best_id = 0;
    int nskip = 0;
    double best;
    if( has_old ) skip[nskip++] = items[1].id;
    if( has_taken ) skip[nskip++] = items[0].id;
    rc = near_dups(v, &items[2], skip, nskip, &dups, &ndup, &best, &best_id);
    if( rc==SQLITE_OK && ndup
     && sqlite3_vtab_on_conflict(v->db)!=SQLITE_REPLACE ){
      if( sqlite3_vtab_on_conflict(v->db)!=SQLITE_IGNORE ){
        corpus_vtab_error(pVtab, MHI, "UNIQUE constraint failed: %s holds a "
                          "near-duplicate, row %lld (%s %.3f >= threshold %g)",
                          v->name, (long long)best_id,
                          v->cfg.exact ? "jaccard" : "similarity", best,
                          v->cfg.threshold);
      }
      rc = SQLITE_CONSTRAINT;
    }
  }
  for(i=0; rc==SQLITE_OK && i<2+ndup; i++){
    mhi_item *it = i<2 ? &items[i] : &dups[i-2];
    if( i==0 ? !has_taken : i==1 ? !has_old : 0 ) continue;
    rc = do_step(v, &log, S_DEL_BUCKETS, it, 0);
    if( rc==SQLITE_OK ) rc = do_step(v, &log, S_DEL_ROW, it, 0);
  }
  if( rc==SQLITE_OK && argc>1 ){
    rc = do_step(v, &log, S_ADD_ROW, &items[2], autoid);
    if( rc==SQLITE_OK ) rc = do_step(v, &log, S_ADD_BUCKETS, &items[2], 0);
    if( rc==SQLITE_OK ) *pRowid = items[2].id;
  }
  if( rc ) rc = undo_all(v, &log, rc);
  corpus_free(log.s);
  for(i=0; i<3; i++) item_free(&items[i]);
  for(i=0; i<ndup; i++) item_free(&dups[i]);
  corpus_free(dups);
  return rc;
}

static int mhi_rename(sqlite3_vtab *pVtab, const char *zNew){
  mhi_vtab *v = (mhi_vtab*)pVtab;
  int rc = pend_flush(v);
  if( rc ) return rc;
  stmts_close(v);        /* they name the old tables */
  rc = corpus_vtab_rename_shadows(v->db, v->schema, v->name, zNew,
                                  mhi_shadows, 3);
  if( rc && rc!=SQLITE_NOMEM ){
    corpus_vtab_error(pVtab, MHI, "%s", sqlite3_errmsg(v->db));
  }
  if( rc==SQLITE_OK ){
    char *name = sqlite3_mprintf("%s", zNew);
    if( name==0 ) return SQLITE_NOMEM;
    sqlite3_free(v->name);
    v->name = name;
  }
  return rc;
}

/* The transaction (corpus_vtab_txn): a write that failed midway and
** could not be undone leaves part of it in the shadow tables, and SQLite
** does not roll back after an interrupt; so COMMIT fails, and rolls it all
** back, unless a rollback to before it came first. */
static int mhi_begin(sqlite3_vtab *pVtab){
  mhi_vtab *v = (mhi_vtab*)pVtab;
  corpus_txn_end(&v->txn);
  v->npend = 0;          /* after a rollback: gone with the rows */
  return SQLITE_OK;
}

static int mhi_sync(sqlite3_vtab *pVtab){
  mhi_vtab *v = (mhi_vtab*)pVtab;
  if( !v->txn.broken ){
    int rc = pend_flush(v);
    /* SQLITE_CONSTRAINT (a trigger of a crafted file) fails the commit as
    ** any error does */
    if( (rc&0xff)==SQLITE_CONSTRAINT ) rc = SQLITE_ERROR;
    return rc;
  }
  return corpus_vtab_error(pVtab, MHI, "a write to %s failed midway and could "
                           "not be undone: the transaction is rolled back",
                           v->name);
}

/* Pending rows are written at each savepoint, so that those of a
** ROLLBACK TO are all after it, and go.  SQLite passes on no message of
** xSavepoint's, and the statement opening it may be any (a CREATE TABLE
** failed with a bare "constraint failed"): a failure leaves the rows
** pending and the transaction unable to commit (COMMIT says why), or,
** out of memory, rolls it back. */
static int mhi_savepoint(sqlite3_vtab *pVtab, int i){
  mhi_vtab *v = (mhi_vtab*)pVtab;
  int rc = pend_flush(v);
  if( rc==SQLITE_NOMEM ) return rc;
  if( rc ){
    corpus_txn_break(&v->txn);            /* at the level before i */
    sqlite3_free(pVtab->zErrMsg);         /* SQLite would not collect it */
    pVtab->zErrMsg = 0;
  }
  corpus_txn_savepoint(&v->txn, i);
  return SQLITE_OK;
}

static int mhi_release(sqlite3_vtab *pVtab, int i){
  corpus_txn_release(&((mhi_vtab*)pVtab)->txn, i);
  return SQLITE_OK;
}

static int mhi_rollback_to(sqlite3_vtab *pVtab, int i){
  mhi_vtab *v = (mhi_vtab*)pVtab;
  corpus_txn_rollback_to(&v->txn, i);
  v->npend = 0;
  return SQLITE_OK;
}

static const sqlite3_module mhi_module = {
  /* iVersion    */ 3,            /* xShadowName */
  /* xCreate     */ mhi_create,
  /* xConnect    */ mhi_connect,
  /* xBestIndex  */ mhi_best_index,
  /* xDisconnect */ mhi_disconnect,
  /* xDestroy    */ mhi_destroy,
  /* xOpen       */ mhi_open,
  /* xClose      */ mhi_close,
  /* xFilter     */ mhi_filter,
  /* xNext       */ mhi_next,
  /* xEof        */ mhi_eof,
  /* xColumn     */ mhi_column,
  /* xRowid      */ mhi_rowid,
  /* xUpdate     */ mhi_update,
  /* xBegin      */ mhi_begin,    /* the shadow tables' transaction, */
  /* xSync       */ mhi_sync,     /* refused when a write is broken */
  /* xCommit     */ mhi_begin,
  /* xRollback   */ mhi_begin,    /* the pending rows go */
  /* xFindMethod */ 0,
  /* xRename     */ mhi_rename,
  /* xSavepoint  */ mhi_savepoint,
  /* xRelease    */ mhi_release,
  /* xRollbackTo */ mhi_rollback_to,
  /* xShadowName */ mhi_shadow_name
};

static const corpus_sql minhash_index_sql[] = {
  CORPUS_MODULE("minhash_index", &mhi_module, 0),
};

int corpus_minhash_index_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, minhash_index_sql,
                             CORPUS_COUNT(minhash_index_sql), pzErr);
}
