/*
** The shared SQL glue, over the core and under every area's SQL half: the
** registry, argument reading, errors and the skeleton of the table-valued
** functions.  It holds the extension's pointer to SQLite's API routines
** (sqlite3_api), which sqlite3_corpus_init() sets: the layer below (the
** core) never calls SQLite.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#define CORPUS_SQL_API_HERE
#include "corpus_sql.h"
SQLITE_EXTENSION_INIT1

/* ---- The registry ----------------------------------------------------------- */

/*
** The state a connection's table-valued functions share: the read log
** (corpus_errors()) and the count of scans.  It is reference-counted by
** the modules registered with it and freed with the last of them, when the
** connection closes.  sqlite3_corpus_init() makes one for the connection
** it registers (the thread-local below lives only during that call).
*/
typedef struct log_entry {
  sqlite3_int64 scan;
  const char *func;                     /* a static name */
  char *file, *first_error;
  corpus_read_counts k;
} log_entry;
typedef struct corpus_conn {
  int refs;
  sqlite3_int64 scans;
  log_entry *log;                       /* a ring, its oldest at head */
  int nlog, caplog, head;
} corpus_conn;
static __thread corpus_conn *conn_registering;

static void log_entry_free(log_entry *e){
  sqlite3_free(e->file);
  sqlite3_free(e->first_error);
}

static void conn_unref(corpus_conn *c){
  int i;
  if( c==0 || --c->refs>0 ) return;
  for(i=0; i<c->nlog; i++) log_entry_free(&c->log[i]);
  sqlite3_free(c->log);
  sqlite3_free(c);
}

static corpus_conn *conn_new(void){
  corpus_conn *c = sqlite3_malloc64(sizeof(*c));
  if( c ){
    memset(c, 0, sizeof(*c));
    c->refs = 1;
  }
  return c;
}

int corpus_sql_conn_begin(void){
  conn_registering = conn_new();
  return conn_registering ? SQLITE_OK : SQLITE_NOMEM;
}

void corpus_sql_conn_end(void){
  conn_unref(conn_registering);
  conn_registering = 0;
}

/* A table-valued function's pAux: its definition and the connection's
** shared state. */
typedef struct tvf_aux {
  const corpus_tvf *def;
  corpus_conn *conn;
} tvf_aux;

static void tvf_aux_free(void *p){
  conn_unref(((tvf_aux*)p)->conn);
  sqlite3_free(p);
}

extern const sqlite3_module corpus_tvf_module_creatable;

static int register_tvf(sqlite3 *db, const corpus_sql *r){
  const corpus_tvf *def = (const corpus_tvf*)r->aux;
  tvf_aux *a = sqlite3_malloc64(sizeof(*a));
  if( a==0 ) return SQLITE_NOMEM;
  a->def = def;
  a->conn = conn_registering ? conn_registering : conn_new();
  if( a->conn==0 ){
    sqlite3_free(a);
    return SQLITE_NOMEM;
  }
  if( conn_registering ) conn_registering->refs++;
  /* the destructor runs even when registering fails */
  return sqlite3_create_module_v2(db, r->name,
            def->xColumns ? &corpus_tvf_module_creatable : &corpus_tvf_module,
            a, tvf_aux_free);
}

int corpus_sql_register(sqlite3 *db, const corpus_sql *rows, int count,
                        char **pzErr){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<count; i++){
    const corpus_sql *r = &rows[i];
    if( r->module==&corpus_tvf_module ){
      rc = register_tvf(db, r);
    }else if( r->module ){
      rc = sqlite3_create_module(db, r->name, r->module, (void*)r->aux);
    }else if( r->xValue ){
      rc = sqlite3_create_window_function(db, r->name, r->nArg,
               SQLITE_UTF8 | r->flags, 0, r->xStep, r->xFinal, r->xValue,
               r->xInverse, 0);
    }else{
      rc = sqlite3_create_function(db, r->name, r->nArg, SQLITE_UTF8 | r->flags,
                                   0, r->xFunc, r->xStep, r->xFinal);
    }
    if( rc!=SQLITE_OK && pzErr ){
      *pzErr = r->module
        ? sqlite3_mprintf("cannot register %s: %s", r->name, sqlite3_errmsg(db))
        : sqlite3_mprintf("cannot register %s/%d: %s", r->name, r->nArg,
                          sqlite3_errmsg(db));
    }
  }
  return rc;
}

void *corpus_sql_realloc(void *p, size_t n){
  return sqlite3_realloc64(p, (sqlite3_uint64)n);
}

void corpus_sql_free(void *p){
  sqlite3_free(p);
}

/* ---- Arguments and errors -------------------------------------------------- */

const char *corpus_type_name(int type){
  switch( type ){
    case SQLITE_INTEGER: return "INTEGER";
    case SQLITE_FLOAT:   return "REAL";
    case SQLITE_TEXT:    return "TEXT";
    case SQLITE_BLOB:    return "BLOB";
    default:             return "NULL";
  }
}

/* Every message the extension gives is valid UTF-8: a value quoted in it may
** hold invalid bytes, or be cut inside a character by a "%.40s", and
** Python's sqlite3 (which decodes strictly) would raise UnicodeDecodeError
** instead of sqlite3.Error.  Each maximal invalid subpart becomes U+FFFD.
** Takes msg (from sqlite3_mprintf) and frees it; NULL when out of memory. */
char *corpus_sql_utf8(char *msg){
  corpus_buf b = {0, 0, 0};
  char *out = 0;
  size_t n;
  if( msg==0 ) return 0;
  n = strlen(msg);
  if( corpus_utf8_valid(msg, n) ) return msg;
  if( corpus_buf_append_utf8(&b, msg, n)==0 ) out = sqlite3_mprintf("%s", b.z);
  corpus_free(b.z);
  sqlite3_free(msg);
  return out;
}

void corpus_result_error(sqlite3_context *ctx, const char *func,
                         const char *fmt, ...){
  va_list ap;
  char *msg;
  char *full;
  va_start(ap, fmt);
  msg = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  full = msg ? corpus_sql_utf8(sqlite3_mprintf("%s: %s", func, msg)) : 0;
  if( full ){
    sqlite3_result_error(ctx, full, -1);
  }else{
    sqlite3_result_error_nomem(ctx);
  }
  sqlite3_free(msg);
  sqlite3_free(full);
}

int corpus_check_text(sqlite3_context *ctx, const char *func, const char *name,
                      sqlite3_value *v){
  int t = sqlite3_value_type(v);
  if( t==SQLITE_TEXT ) return 0;
  corpus_result_error(ctx, func, "%s must be TEXT, got %s", name,
                      corpus_type_name(t));
  return 1;
}

int corpus_parse_options_value(const char *func, sqlite3_value *v,
                               corpus_option_fn set, void *opts, char **pzErr){
  char err[CORPUS_ERRMAX];
  int t = sqlite3_value_type(v), rc;
  if( t==SQLITE_NULL ) return 0;
  if( t!=SQLITE_TEXT ){
    *pzErr = sqlite3_mprintf("%s: options must be TEXT, got %s", func,
                             corpus_type_name(t));
    return SQLITE_ERROR;
  }
  err[0] = 0;
  rc = corpus_options_parse((const char*)sqlite3_value_text(v),
                            (size_t)sqlite3_value_bytes(v), set, opts, err);
  if( rc==CORPUS_NOMEM ) return SQLITE_NOMEM;
  if( rc ){
    *pzErr = corpus_sql_utf8(sqlite3_mprintf("%s: %s", func, err));
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

int corpus_apply_options(sqlite3_context *ctx, const char *func,
                         sqlite3_value *v, corpus_option_fn set, void *opts){
  char *zErr = 0;
  if( corpus_parse_options_value(func, v, set, opts, &zErr)==SQLITE_OK ){
    return 0;
  }
  if( zErr ){
    sqlite3_result_error(ctx, zErr, -1);
    sqlite3_free(zErr);
  }else{
    sqlite3_result_error_nomem(ctx);
  }
  return 1;
}

const char *corpus_sql_skip_blank(const char *z){
  for(;;){
    while( *z==' ' || (*z>='\t' && *z<='\r') ) z++;
    if( z[0]=='-' && z[1]=='-' ){
      while( *z && *z!='\n' ) z++;
    }else if( z[0]=='/' && z[1]=='*' ){
      const char *e = strstr(z+2, "*/");
      if( e==0 ) return z+strlen(z);     /* an unclosed comment: the end */
      z = e+2;
    }else{
      return z;
    }
  }
}

int corpus_sql_is_query(const char *z){
  static const char *const kw[] = {"SELECT", "WITH", "VALUES"};
  size_t i;
  z = corpus_sql_skip_blank(z);
  for(i=0; i<sizeof(kw)/sizeof(kw[0]); i++){
    size_t n = strlen(kw[i]);
    if( sqlite3_strnicmp(z, kw[i], (int)n)==0
     && !((z[n]|0x20)>='a' && (z[n]|0x20)<='z') && z[n]!='_' ){
      return 1;
    }
  }
  return 0;
}

/* Whether only blanks, comments and ';' are left at z: what follows a
** statement, which prepares to no statement. */
int corpus_sql_is_end(const char *z){
  for(z=corpus_sql_skip_blank(z); *z==';'; z=corpus_sql_skip_blank(z+1)){}
  return *z==0;
}

/* Past one identifier at z (bare, or quoted with "", `` or []), or NULL. */
static const char *sql_skip_ident(const char *z){
  unsigned char c = (unsigned char)*z;
  if( c=='"' || c=='`' || c=='[' ){
    char close = c=='[' ? ']' : (char)c;
    for(z++; *z; z++){
      if( *z==close ){
        if( close!=']' && z[1]==close ){ z++; continue; }
        return z+1;
      }
    }
    return 0;
  }
  if( !(c>=0x80 || c=='_' || ((c|0x20)>='a' && (c|0x20)<='z')) ) return 0;
  while( c>=0x80 || c=='_' || c=='$' || (c>='0' && c<='9')
      || ((c|0x20)>='a' && (c|0x20)<='z') ){
    c = (unsigned char)*++z;
  }
  return z;
}

/* Whether z is a table or view name, schema-qualified or not, and nothing
** else but blanks around it. */
int corpus_sql_is_name(const char *z){
  z = corpus_sql_skip_blank(z);
  if( (z = sql_skip_ident(z))==0 ) return 0;
  if( *z=='.' && (z = sql_skip_ident(z+1))==0 ) return 0;
  return *corpus_sql_skip_blank(z)==0;
}

int corpus_agg_param(sqlite3_value **first, sqlite3_value *v){
  sqlite3_value *f = *first;
  int t = sqlite3_value_type(v);
  if( f==0 ){
    *first = sqlite3_value_dup(v);
    return *first ? 0 : -1;
  }
  if( sqlite3_value_type(f)!=t ) return 1;
  switch( t ){
    case SQLITE_NULL:    return 0;
    case SQLITE_INTEGER: return sqlite3_value_int64(f)!=sqlite3_value_int64(v);
    case SQLITE_FLOAT:   return sqlite3_value_double(f)!=sqlite3_value_double(v);
    default: {
      const void *a = t==SQLITE_TEXT ? (const void*)sqlite3_value_text(f)
                                     : sqlite3_value_blob(f);
      const void *b = t==SQLITE_TEXT ? (const void*)sqlite3_value_text(v)
                                     : sqlite3_value_blob(v);
      int n = sqlite3_value_bytes(v);
      if( n!=sqlite3_value_bytes(f) ) return 1;
      return n>0 && memcmp(a, b, (size_t)n)!=0;
    }
  }
}

int corpus_probe_interrupted(void *p){
  corpus_probe *q = (corpus_probe*)p;
#if SQLITE_VERSION_NUMBER>=3041000
  return sqlite3_is_interrupted(q->db);
#else
  int rc;
  if( q->stmt==0 ){
    /* the parser stops at an interrupt too: a probe made after one (in an
    ** aggregate's xFinal, say) fails to prepare with SQLITE_INTERRUPT */
    rc = sqlite3_prepare_v2(q->db, "SELECT 1", -1, &q->stmt, 0);
    if( rc!=SQLITE_OK ) return rc==SQLITE_INTERRUPT;
  }
  rc = sqlite3_step(q->stmt);
  sqlite3_reset(q->stmt);
  return rc==SQLITE_INTERRUPT;
#endif
}

void corpus_probe_end(corpus_probe *q){
  sqlite3_finalize(q->stmt);
  q->stmt = 0;
}

/* ---- Table-valued functions ----------------------------------------------- */

static int tvf_plan(sqlite3_index_info *info, int nOutput, int nArg,
                    int nRequired){
  int slot[CORPUS_TVF_MAXARG];
  int i, seen = 0, usable = 0, nargv = 0;
  int required = (1<<nRequired) - 1;
  for(i=0; i<nArg; i++) slot[i] = -1;
  for(i=0; i<info->nConstraint; i++){
    const struct sqlite3_index_constraint *p = &info->aConstraint[i];
    int arg = p->iColumn - nOutput;
    if( arg<0 || arg>=nArg || p->op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    seen |= 1<<arg;
    if( p->usable ){
      usable |= 1<<arg;
      slot[arg] = i;
    }
  }
  if( (seen & ~usable)!=0 ) return SQLITE_CONSTRAINT;
  for(i=0; i<nArg; i++){
    if( slot[i]<0 ) continue;
    info->aConstraintUsage[slot[i]].argvIndex = ++nargv;
    info->aConstraintUsage[slot[i]].omit = 1;
  }
  info->idxNum = usable;
  if( (usable & required)==required ){
    info->estimatedCost = 1000.0;
    info->estimatedRows = 1000;
  }else{
    info->estimatedCost = 1e300;
    info->estimatedRows = 1000000000;
  }
  return SQLITE_OK;
}

static int vtab_verror(sqlite3_vtab *vtab, const char *func, const char *fmt,
                       va_list ap){
  char *msg = sqlite3_vmprintf(fmt, ap);
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = msg ? corpus_sql_utf8(sqlite3_mprintf("%s: %s", func, msg))
                      : 0;
  sqlite3_free(msg);
  return vtab->zErrMsg ? SQLITE_ERROR : SQLITE_NOMEM;
}

int corpus_vtab_error(sqlite3_vtab *vtab, const char *func, const char *fmt,
                      ...){
  va_list ap;
  int rc;
  va_start(ap, fmt);
  rc = vtab_verror(vtab, func, fmt, ap);
  va_end(ap);
  return rc;
}

static int ident_char(char c){
  return (c>='a' && c<='z') || (c>='A' && c<='Z') || (c>='0' && c<='9')
      || c=='_' || (c & 0x80);
}

/* The token at z: *len its length; for a quoted identifier or string, *a
** and *n its content (a doubled quote inside is rare enough to compare
** as written). */
static void sql_token(const char *z, size_t *len, const char **a, size_t *n){
  char q = z[0]=='[' ? ']' : z[0];
  size_t i = 1;
  if( q=='"' || q=='\'' || q=='`' || q==']' ){
    while( z[i] && !(z[i]==q && z[i+1]!=q) ) i += z[i]==q ? 2 : 1;
    *a = z+1;
    *n = i-1;
    *len = z[i] ? i+1 : i;
    return;
  }
  if( ident_char(z[0]) ){
    while( ident_char(z[i]) ) i++;
  }
  *a = z;
  *n = *len = i;
}

int corpus_sql_name_parts(const char *z, char *part[2]){
  int np = 0;
  part[0] = part[1] = 0;
  z = corpus_sql_skip_blank(z);
  while( np<2 ){
    const char *a;
    size_t len, n, j, k = 0;
    char q = *z=='[' ? ']' : *z;
    sql_token(z, &len, &a, &n);
    if( (part[np] = sqlite3_malloc64(n+1))==0 ){
      sqlite3_free(part[0]);
      part[0] = 0;
      return -1;
    }
    for(j=0; j<n; j++){          /* a doubled quote inside is one */
      part[np][k++] = a[j];
      if( a!=z && a[j]==q && j+1<n && a[j+1]==q ) j++;
    }
    part[np++][k] = 0;
    z += len;
    if( *z!='.' ) break;
    z++;
  }
  return np;
}

/* Whether sql, a CREATE VIRTUAL TABLE statement as SQLite stores it (as it
** was written: any spacing, comments, quoting and case), uses the module:
** the token after the keyword USING. */
static int uses_module(const char *z, const char *module){
  size_t m = strlen(module);
  while( *(z = corpus_sql_skip_blank(z)) ){
    const char *a;
    size_t len, n;
    sql_token(z, &len, &a, &n);
    if( a==z && n==5 && sqlite3_strnicmp(z, "USING", 5)==0 ){
      sql_token(corpus_sql_skip_blank(z+5), &len, &a, &n);
      return n==m && sqlite3_strnicmp(a, module, (int)m)==0;
    }
    z += len;
  }
  return 0;
}

int corpus_vtab_is_module(sqlite3 *db, const char *schema, const char *name,
                          const char *module){
  char *sql = sqlite3_mprintf("SELECT sql FROM \"%w\".sqlite_schema WHERE "
                              "type = 'table' AND name = %Q", schema, name);
  sqlite3_stmt *st = 0;
  int rc, is_index = 0;
  if( sql==0 ) return -1;
  rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
  sqlite3_free(sql);
  if( rc==SQLITE_NOMEM ) return -1;
  if( rc==SQLITE_OK && sqlite3_step(st)==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(st, 0);
    is_index = z && sqlite3_strnicmp(z, "CREATE VIRTUAL TABLE", 20)==0
            && uses_module(z+20, module);
  }
  if( sqlite3_finalize(st)==SQLITE_NOMEM ) return -1;
  return is_index;
}

/* ---- Virtual tables with shadow tables ------------------------------------- */

int corpus_vtab_exec(sqlite3 *db, char **pzErr, const char *fmt, ...){
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

/* An argument as written: quoted by ' or " (a doubled quote inside is
** one), or bare. */
static char *vtab_dequote(const char *z){
  size_t n = strlen(z), i, j = 0;
  char q = z[0], *out;
  if( n<2 || (q!='\'' && q!='"') || z[n-1]!=q ) return sqlite3_mprintf("%s", z);
  out = sqlite3_malloc64(n);
  if( out==0 ) return 0;
  for(i=1; i<n-1; i++){
    out[j++] = z[i];
    if( z[i]==q && z[i+1]==q ) i++;
  }
  out[j] = 0;
  return out;
}

char *corpus_vtab_options(int argc, const char *const *argv){
  char *opts = sqlite3_mprintf("");
  int i;
  for(i=3; opts && i<argc; i++){
    char *more = vtab_dequote(argv[i]);
    if( more ){
      char *joined = sqlite3_mprintf("%s%s%s", opts, i>3 ? ", " : "", more);
      sqlite3_free(more);
      more = joined;
    }
    sqlite3_free(opts);
    opts = more;
  }
  return opts;
}

int corpus_vtab_drop_shadows(sqlite3 *db, const char *schema, const char *name,
                             const char *const *suffix, int n){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<n; i++){
    sqlite3_stmt *st = 0;
    char *sql = sqlite3_mprintf("SELECT type FROM \"%w\".sqlite_schema WHERE "
                                "name = '%q_%s' AND type IN ('table', 'view')",
                                schema, name, suffix[i]);
    char type[8] = "";
    if( sql==0 ) return SQLITE_NOMEM;
    rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
    sqlite3_free(sql);
    if( rc==SQLITE_OK && sqlite3_step(st)==SQLITE_ROW ){
      const char *t = (const char*)sqlite3_column_text(st, 0);
      if( t ) snprintf(type, sizeof(type), "%s", t);
    }
    if( rc==SQLITE_OK ) rc = sqlite3_finalize(st);
    else sqlite3_finalize(st);
    if( rc==SQLITE_OK && type[0] ){
      rc = corpus_vtab_exec(db, 0, "DROP %s \"%w\".\"%w_%s\"",
                            strcmp(type, "view")==0 ? "VIEW" : "TABLE", schema,
                            name, suffix[i]);
    }
  }
  return rc;
}

int corpus_vtab_rename_shadows(sqlite3 *db, const char *schema,
                               const char *name, const char *zNew,
                               const char *const *suffix, int n){
  int i, rc = SQLITE_OK;
  for(i=0; rc==SQLITE_OK && i<n; i++){
    rc = corpus_vtab_exec(db, 0, "ALTER TABLE \"%w\".\"%w_%s\" RENAME TO "
                          "\"%w_%s\"", schema, name, suffix[i], zNew, suffix[i]);
  }
  return rc;
}

void corpus_txn_end(corpus_vtab_txn *t){
  t->broken = 0;
  t->level = t->broken_at = -1;
}

void corpus_txn_break(corpus_vtab_txn *t){
  if( !t->broken || t->level<t->broken_at ) t->broken_at = t->level;
  t->broken = 1;
}

void corpus_txn_savepoint(corpus_vtab_txn *t, int i){
  t->level = i;
}

void corpus_txn_release(corpus_vtab_txn *t, int i){
  t->level = i-1;
  if( t->broken_at>=i ) t->broken_at = i-1;
}

void corpus_txn_rollback_to(corpus_vtab_txn *t, int i){
  if( t->broken && t->broken_at>=i ) t->broken = 0;
  t->level = i;
}

char *corpus_value_text(sqlite3_stmt *st, int i, int type){
  switch( type ){
    case SQLITE_NULL: return sqlite3_mprintf("NULL");
    case SQLITE_BLOB: return sqlite3_mprintf("a BLOB");
    case SQLITE_TEXT:
      return sqlite3_mprintf("'%.60s'", sqlite3_column_text(st, i));
  }
  return sqlite3_mprintf("%s", sqlite3_column_text(st, i));
}

int corpus_vtab_rowid(sqlite3_value *v, sqlite3_int64 *out){
  double d;
  switch( sqlite3_value_numeric_type(v) ){
    case SQLITE_INTEGER:
      *out = sqlite3_value_int64(v);
      return 1;
    case SQLITE_FLOAT:
      d = sqlite3_value_double(v);
      /* in range, and whole: 2^63 itself is not */
      if( d>=-9223372036854775808.0 && d<9223372036854775808.0
       && d==(double)(sqlite3_int64)d ){
        *out = (sqlite3_int64)d;
        return 1;
      }
  }
  return 0;
}

/* ---- The skeleton of a table-valued function ------------------------------ */

typedef struct tvf_vtab {
  sqlite3_vtab base;
  sqlite3 *db;
  const corpus_tvf *def;
  corpus_conn *conn;
  int depth;          /* xFilter calls under way: one vtab per connection */
  int created;        /* the creatable form: its arguments are fixed */
  sqlite3_value *fixed[CORPUS_TVF_MAXARG];
} tvf_vtab;

/* A table-valued function that runs SQL (dedup_clusters) can be called by
** the SQL it runs, and a query that calls itself with itself (a quine)
** recursed until the stack overflowed: nesting is limited. */
#define TVF_MAX_DEPTH 10

#define TVF_DEF(c) (((tvf_vtab*)(c)->base.pVtab)->def)

sqlite3 *corpus_tvf_db(corpus_tvf_cursor *c){
  return ((tvf_vtab*)c->base.pVtab)->db;
}

int corpus_tvf_error(corpus_tvf_cursor *c, const char *fmt, ...){
  va_list ap;
  int rc;
  va_start(ap, fmt);
  rc = vtab_verror(c->base.pVtab, TVF_DEF(c)->name, fmt, ap);
  va_end(ap);
  return rc;
}

int corpus_tvf_options(corpus_tvf_cursor *c, sqlite3_value *v,
                       corpus_option_fn set, void *opts){
  sqlite3_vtab *vtab = c->base.pVtab;
  char *zErr = 0;
  if( corpus_parse_options_value(TVF_DEF(c)->name, v, set, opts, &zErr)==0 ){
    return SQLITE_OK;
  }
  if( zErr==0 ) return SQLITE_NOMEM;
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = zErr;     /* it starts with the function's name */
  return SQLITE_ERROR;
}

int corpus_tvf_created(corpus_tvf_cursor *c){
  return ((tvf_vtab*)c->base.pVtab)->created;
}

/* An argument of CREATE VIRTUAL TABLE as written: a quoted string
** dequoted ('it''s' -> it's), else the text trimmed. */
static char *tvf_dequote(const char *z){
  size_t n = strlen(z), i, j;
  char *out;
  while( n>0 && (z[0]==' ' || z[0]=='\t' || z[0]=='\n' || z[0]=='\r') ){
    z++; n--;
  }
  while( n>0 && (z[n-1]==' ' || z[n-1]=='\t' || z[n-1]=='\n'
                 || z[n-1]=='\r') ){
    n--;
  }
  out = sqlite3_malloc64(n+1);
  if( out==0 ) return 0;
  if( n>=2 && (z[0]=='\'' || z[0]=='"') && z[n-1]==z[0] ){
    for(i=1, j=0; i+1<n; i++){
      out[j++] = z[i];
      if( z[i]==z[0] && i+2<n && z[i+1]==z[0] ) i++;
    }
    out[j] = 0;
  }else{
    memcpy(out, z, n);
    out[n] = 0;
  }
  return out;
}

/* The fixed arguments as SQL values (TEXT), through a statement that
** selects them: SQLite has no other way to make an sqlite3_value. */
static int tvf_fix_args(tvf_vtab *t, char **args, int n){
  sqlite3_stmt *st = 0;
  char sql[64] = "SELECT ?1";
  int i, rc;
  for(i=1; i<n; i++){
    size_t k = strlen(sql);
    sqlite3_snprintf((int)(sizeof(sql)-k), sql+k, ",?%d", i+1);
  }
  rc = sqlite3_prepare_v2(t->db, sql, -1, &st, 0);
  for(i=0; rc==SQLITE_OK && i<n; i++){
    rc = sqlite3_bind_text(st, i+1, args[i], -1, SQLITE_STATIC);
  }
  if( rc==SQLITE_OK && sqlite3_step(st)!=SQLITE_ROW ){
    rc = sqlite3_errcode(t->db);
    if( rc==SQLITE_OK || rc==SQLITE_ROW ) rc = SQLITE_ERROR;
  }
  for(i=0; rc==SQLITE_OK && i<n; i++){
    t->fixed[i] = sqlite3_value_dup(sqlite3_column_value(st, i));
    if( t->fixed[i]==0 ) rc = SQLITE_NOMEM;
  }
  sqlite3_finalize(st);
  return rc;
}

/* The schema of the creatable form: the output columns (the schema up to
** its nOutput-th comma), then the columns xColumns adds. */
static char *tvf_created_schema(const corpus_tvf *def, const char *extra){
  const char *z = def->schema;
  int commas = 0;
  size_t i;
  for(i=0; z[i]; i++){
    if( z[i]==',' && ++commas==def->nOutput ) break;
  }
  if( z[i]==0 ) i = strlen(z) - 1;        /* no arguments: before ')' */
  return sqlite3_mprintf("%.*s%s%s)", (int)i, z, extra ? ", " : "",
                         extra ? extra : "");
}

/* CREATE VIRTUAL TABLE temp.t USING f(args): the arguments fixed, the
** columns the def's xColumns adds for them. */
static int tvf_create_fixed(tvf_vtab *t, int argc, const char *const *argv,
                            char **pzErr){
  const corpus_tvf *def = t->def;
  char *args[CORPUS_TVF_MAXARG];
  char *extra = 0, *schema = 0;
  int n = argc-3, i, rc = SQLITE_OK;
  if( sqlite3_stricmp(argv[1], "temp")!=0 ){
    *pzErr = sqlite3_mprintf("%s: a table that reads files must be in the "
                             "temp schema: CREATE VIRTUAL TABLE temp.%s "
                             "USING %s(...)", def->name, argv[2], def->name);
    return SQLITE_ERROR;
  }
  if( n>def->nArg ){
    *pzErr = sqlite3_mprintf("%s: takes at most %d arguments, got %d",
                             def->name, def->nArg, n);
    return SQLITE_ERROR;
  }
  if( n<def->nRequired ){
    *pzErr = sqlite3_mprintf("%s: missing argument %s", def->name,
                             def->argNames[n]);
    return SQLITE_ERROR;
  }
  memset(args, 0, sizeof(args));
  for(i=0; i<n; i++){
    args[i] = tvf_dequote(argv[3+i]);
    if( args[i]==0 ) rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ){
    char *err = 0;
    if( def->xColumns((const char*const*)args, def->nArg, &extra, &err) ){
      rc = err ? SQLITE_ERROR : SQLITE_NOMEM;
      *pzErr = corpus_sql_utf8(err);
    }
  }
  if( rc==SQLITE_OK ){
    schema = tvf_created_schema(def, extra);
    rc = schema ? sqlite3_declare_vtab(t->db, schema) : SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ) rc = tvf_fix_args(t, args, n);
  for(i=0; i<n; i++) sqlite3_free(args[i]);
  sqlite3_free(extra);
  sqlite3_free(schema);
  t->created = 1;
  return rc;
}

static int tvf_disconnect(sqlite3_vtab *v){
  tvf_vtab *t = (tvf_vtab*)v;
  int i;
  for(i=0; i<CORPUS_TVF_MAXARG; i++) sqlite3_value_free(t->fixed[i]);
  sqlite3_free(v->zErrMsg);
  sqlite3_free(v);
  return SQLITE_OK;
}

static int tvf_connect(sqlite3 *db, void *pAux, int argc,
                       const char *const *argv, sqlite3_vtab **ppVtab,
                       char **pzErr){
  const tvf_aux *a = (const tvf_aux*)pAux;
  const corpus_tvf *def = a->def;
  tvf_vtab *t;
  int rc;
  t = sqlite3_malloc64(sizeof(*t));
  if( t==0 ) return SQLITE_NOMEM;
  memset(t, 0, sizeof(*t));
  t->db = db;
  t->def = def;
  t->conn = a->conn;
  /* SQLite connects the eponymous table as main.NAME of module NAME,
  ** without arguments; anything else is a CREATE VIRTUAL TABLE. */
  if( def->xColumns && (argc>3 || strcmp(argv[1], "main")!=0
                        || strcmp(argv[2], argv[0])!=0) ){
    rc = tvf_create_fixed(t, argc, argv, pzErr);
  }else{
    rc = sqlite3_declare_vtab(db, def->schema);
  }
  if( rc!=SQLITE_OK ){
    tvf_disconnect(&t->base);
    return rc;
  }
  sqlite3_vtab_config(db, def->config);
  *ppVtab = &t->base;
  return SQLITE_OK;
}

static int tvf_best_index(sqlite3_vtab *v, sqlite3_index_info *info){
  tvf_vtab *t = (tvf_vtab*)v;
  const corpus_tvf *def = t->def;
  if( t->created ) return tvf_plan(info, def->nOutput, 0, 0);
  return tvf_plan(info, def->nOutput, def->nArg, def->nRequired);
}

static int tvf_open(sqlite3_vtab *v, sqlite3_vtab_cursor **pp){
  corpus_tvf_cursor *c = sqlite3_malloc64(((tvf_vtab*)v)->def->cursorSize);
  if( c==0 ) return SQLITE_NOMEM;
  memset(c, 0, ((tvf_vtab*)v)->def->cursorSize);
  *pp = &c->base;
  return SQLITE_OK;
}

static void tvf_reset(corpus_tvf_cursor *c){
  const corpus_tvf *def = TVF_DEF(c);
  int i;
  for(i=0; i<CORPUS_TVF_MAXARG; i++){
    sqlite3_value_free(c->args[i]);
    c->args[i] = 0;
  }
  if( def->xReset ) def->xReset(c);
  c->row = c->nrow = 0;
}

static int tvf_close(sqlite3_vtab_cursor *cur){
  tvf_reset((corpus_tvf_cursor*)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* Spreads argv into args[0..nArg-1] (NULL where absent), each copied into
** c->args for the HIDDEN columns. */
static int tvf_filter(sqlite3_vtab_cursor *cur, int idxNum,
                      const char *idxStr, int argc, sqlite3_value **argv){
  corpus_tvf_cursor *c = (corpus_tvf_cursor*)cur;
  const corpus_tvf *def = TVF_DEF(c);
  sqlite3_value *args[CORPUS_TVF_MAXARG];
  int i, j = 0;
  (void)idxStr; (void)argc;
  tvf_reset(c);
  c->scan = 0;             /* numbered when it first logs a file */
  for(i=0; i<def->nArg; i++){
    args[i] = 0;
    if( ((tvf_vtab*)cur->pVtab)->created ){
      args[i] = ((tvf_vtab*)cur->pVtab)->fixed[i];
    }else if( idxNum & (1<<i) ){
      args[i] = argv[j++];
      c->args[i] = sqlite3_value_dup(args[i]);
      if( c->args[i]==0 ) return SQLITE_NOMEM;
    }else if( i<def->nRequired ){
      return corpus_tvf_error(c, "missing argument %s", def->argNames[i]);
    }
  }
  {
    tvf_vtab *t = (tvf_vtab*)cur->pVtab;
    int rc;
    if( t->depth>=TVF_MAX_DEPTH ){
      return corpus_tvf_error(c, "nested more than %d deep (a query that "
                              "calls %s again?)", TVF_MAX_DEPTH, def->name);
    }
    t->depth++;
    rc = def->xFilter(c, args);
    t->depth--;
    return rc;
  }
}

static int tvf_next(sqlite3_vtab_cursor *cur){
  corpus_tvf_cursor *c = (corpus_tvf_cursor*)cur;
  const corpus_tvf *def = TVF_DEF(c);
  if( def->xNext ) return def->xNext(c);
  c->row++;
  return SQLITE_OK;
}

static int tvf_eof(sqlite3_vtab_cursor *cur){
  corpus_tvf_cursor *c = (corpus_tvf_cursor*)cur;
  return c->row>=c->nrow;
}

static int tvf_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
                      int col){
  corpus_tvf_cursor *c = (corpus_tvf_cursor*)cur;
  const corpus_tvf *def = TVF_DEF(c);
  if( col<def->nOutput || ((tvf_vtab*)cur->pVtab)->created ){
    return def->xColumn(c, ctx, col);
  }
  if( c->args[col-def->nOutput] ){             /* HIDDEN: the arguments */
    sqlite3_result_value(ctx, c->args[col-def->nOutput]);
  }
  return SQLITE_OK;
}

static int tvf_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid){
  *pRowid = ((corpus_tvf_cursor*)cur)->row;
  return SQLITE_OK;
}

const sqlite3_module corpus_tvf_module = {
  /* iVersion    */ 0,
  /* xCreate     */ 0,            /* eponymous-only */
  /* xConnect    */ tvf_connect,
  /* xBestIndex  */ tvf_best_index,
  /* xDisconnect */ tvf_disconnect,
  /* xDestroy    */ 0,
  /* xOpen       */ tvf_open,
  /* xClose      */ tvf_close,
  /* xFilter     */ tvf_filter,
  /* xNext       */ tvf_next,
  /* xEof        */ tvf_eof,
  /* xColumn     */ tvf_column,
  /* xRowid      */ tvf_rowid,
  /* xUpdate     */ 0,
  /* xBegin      */ 0,
  /* xSync       */ 0,
  /* xCommit     */ 0,
  /* xRollback   */ 0,
  /* xFindMethod */ 0,
  /* xRename     */ 0,
  /* xSavepoint  */ 0,
  /* xRelease    */ 0,
  /* xRollbackTo */ 0,
  /* xShadowName */ 0
};

const sqlite3_module corpus_tvf_module_creatable = {
  /* iVersion    */ 0,
  /* xCreate     */ tvf_connect,  /* eponymous, and creatable */
  /* xConnect    */ tvf_connect,
  /* xBestIndex  */ tvf_best_index,
  /* xDisconnect */ tvf_disconnect,
  /* xDestroy    */ tvf_disconnect,
  /* xOpen       */ tvf_open,
  /* xClose      */ tvf_close,
  /* xFilter     */ tvf_filter,
  /* xNext       */ tvf_next,
  /* xEof        */ tvf_eof,
  /* xColumn     */ tvf_column,
  /* xRowid      */ tvf_rowid,
  /* xUpdate     */ 0,
  /* xBegin      */ 0,
  /* xSync       */ 0,
  /* xCommit     */ 0,
  /* xRollback   */ 0,
  /* xFindMethod */ 0,
  /* xRename     */ 0,
  /* xSavepoint  */ 0,
  /* xRelease    */ 0,
  /* xRollbackTo */ 0,
  /* xShadowName */ 0
};

/* ---- File names as results ------------------------------------------------- */

int corpus_text_has_nul(sqlite3_value *v){
  const char *z = (const char*)sqlite3_value_text(v);
  return z && strlen(z)<(size_t)sqlite3_value_bytes(v);
}

int corpus_tvf_glob(corpus_tvf_cursor *c, sqlite3_value *v, const char *what,
                    corpus_paths *out){
  char err[CORPUS_ERRMAX + 1024];
  const char *z = (const char*)sqlite3_value_text(v);
  int rc;
  if( z==0 ) return SQLITE_NOMEM;
  if( corpus_text_has_nul(v) ){
    return corpus_tvf_error(c, "%s must not hold a NUL byte", what);
  }
  err[0] = 0;
  rc = corpus_glob(z, out, err);
  if( rc==CORPUS_NOMEM ) return SQLITE_NOMEM;
  if( rc ) return corpus_tvf_error(c, "%s", err);
  return SQLITE_OK;
}

void corpus_result_path(sqlite3_context *ctx, const char *path){
  size_t n = strlen(path);
  corpus_buf b = {0, 0, 0};
  if( corpus_utf8_valid(path, n) ){
    sqlite3_result_text64(ctx, path, n, SQLITE_TRANSIENT, SQLITE_UTF8);
  }else if( corpus_buf_append_utf8(&b, path, n)==0 ){
    sqlite3_result_text64(ctx, b.z, b.n, SQLITE_TRANSIENT, SQLITE_UTF8);
  }else{
    sqlite3_result_error_nomem(ctx);
  }
  corpus_free(b.z);
}

/* ---- The read log ---------------------------------------------------------- */

int corpus_read_log(corpus_tvf_cursor *c, const char *file,
                    const corpus_read_counts *k){
  tvf_vtab *t = (tvf_vtab*)c->base.pVtab;
  corpus_conn *conn = t->conn;
  log_entry e;
  memset(&e, 0, sizeof(e));
  /* TEXT results are UTF-8, and a file's name need not be */
  e.file = corpus_sql_utf8(sqlite3_mprintf("%s", file));
  if( k->first_error ){
    e.first_error = corpus_sql_utf8(sqlite3_mprintf("%s", k->first_error));
  }
  if( e.file==0 || (k->first_error && e.first_error==0) ){
    log_entry_free(&e);
    return SQLITE_NOMEM;
  }
  if( conn->nlog<CORPUS_READ_LOG_MAX && conn->nlog==conn->caplog ){
    int cap = conn->caplog ? 2*conn->caplog : 16;
    log_entry *v;
    if( cap>CORPUS_READ_LOG_MAX ) cap = CORPUS_READ_LOG_MAX;
    v = sqlite3_realloc64(conn->log, (sqlite3_uint64)cap*sizeof(*v));
    if( v==0 ){
      log_entry_free(&e);
      return SQLITE_NOMEM;
    }
    conn->log = v;
    conn->caplog = cap;
  }
  if( c->scan==0 ) c->scan = ++conn->scans;
  e.scan = c->scan;
  e.func = t->def->name;
  e.k = *k;
  e.k.first_error = 0;
  if( conn->nlog<CORPUS_READ_LOG_MAX ){
    conn->log[conn->nlog++] = e;
  }else{                                  /* full: the oldest goes */
    log_entry_free(&conn->log[conn->head]);
    conn->log[conn->head] = e;
    conn->head = (conn->head + 1) % CORPUS_READ_LOG_MAX;
  }
  return SQLITE_OK;
}

/* corpus_errors(): the log, a snapshot taken at xFilter (a reader running
** in the same statement adds to the log, not to these rows). */
typedef struct errors_cursor {
  corpus_tvf_cursor base;
  log_entry *rows;
  int n;
} errors_cursor;

static void errors_reset(corpus_tvf_cursor *cur){
  errors_cursor *c = (errors_cursor*)cur;
  int i;
  for(i=0; i<c->n; i++) log_entry_free(&c->rows[i]);
  sqlite3_free(c->rows);
  c->rows = 0;
  c->n = 0;
}

static int errors_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  errors_cursor *c = (errors_cursor*)cur;
  corpus_conn *conn = ((tvf_vtab*)cur->base.pVtab)->conn;
  int i;
  (void)args;
  if( conn->nlog==0 ) return SQLITE_OK;
  c->rows = sqlite3_malloc64((sqlite3_uint64)conn->nlog*sizeof(log_entry));
  if( c->rows==0 ) return SQLITE_NOMEM;
  for(i=0; i<conn->nlog; i++){
    const log_entry *from = &conn->log[(conn->head + i) % conn->nlog];
    log_entry *e = &c->rows[c->n];
    *e = *from;
    e->file = sqlite3_mprintf("%s", from->file);
    e->first_error = from->first_error
                   ? sqlite3_mprintf("%s", from->first_error) : 0;
    c->n++;
    if( e->file==0 || (from->first_error && e->first_error==0) ){
      return SQLITE_NOMEM;
    }
  }
  cur->nrow = c->n;
  return SQLITE_OK;
}

static int errors_column(corpus_tvf_cursor *cur, sqlite3_context *ctx,
                         int col){
  log_entry *e = &((errors_cursor*)cur)->rows[cur->row];
  switch( col ){
    case 0: sqlite3_result_int64(ctx, e->scan); break;
    case 1: sqlite3_result_text(ctx, e->func, -1, SQLITE_STATIC); break;
    case 2: sqlite3_result_text(ctx, e->file, -1, SQLITE_TRANSIENT); break;
    case 3: sqlite3_result_int64(ctx, e->k.records); break;
    case 4: sqlite3_result_int64(ctx, e->k.rows); break;
    case 5: sqlite3_result_int64(ctx, e->k.skipped); break;
    case 6: sqlite3_result_int64(ctx, e->k.replaced); break;
    case 7: sqlite3_result_int64(ctx, e->k.bytes); break;
    default:
      if( e->first_error ){
        sqlite3_result_text(ctx, e->first_error, -1, SQLITE_TRANSIENT);
      }
  }
  return SQLITE_OK;
}

static const corpus_tvf errors_tvf = {
  "corpus_errors",
  "CREATE TABLE x(scan INTEGER, function TEXT, file TEXT, records INTEGER,"
  " rows INTEGER, skipped INTEGER, replaced INTEGER, bytes INTEGER,"
  " first_error TEXT)",
  9, 0, 0, 0, SQLITE_VTAB_DIRECTONLY, sizeof(errors_cursor),
  errors_filter, errors_column, errors_reset, 0, 0
};

static const corpus_sql glue_sql[] = {
  CORPUS_TABLE_FUNCTION("corpus_errors", &errors_tvf),
};

int corpus_sql_glue_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, glue_sql, CORPUS_COUNT(glue_sql), pzErr);
}
