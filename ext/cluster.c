/*
** Connected components over candidate pairs.
**
** SQL:
**   dedup_clusters(sql [, options])   table: id, cluster
**
** Runs the query sql on the same connection; each of its rows is an edge
** between two INTEGER ids (its first two columns).  Returns one row per id
** seen, in id order, with cluster = the smallest id of its connected
** component, so "keep the rows where id = cluster" keeps one per cluster.
** A pair (x, x) adds x alone.  Union-find with union by size and path
** halving; memory is about 40 bytes per distinct id, whatever the number of
** pairs.  The query runs inside the call, so sqlite3_interrupt() stops it.
** The table is DIRECTONLY: it runs SQL of its own.  progress=on reports
** the pairs read on stderr (corpus_progress).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "corpus_sql.h"

/* ---- Union-find over 64-bit ids -------------------------------------------- */

struct corpus_uf {
  int64_t *ids;      /* node -> id */
  uint32_t *parent;
  uint32_t *size;
  uint32_t n, cap;
  uint32_t *slots;   /* open addressing: node+1, 0 = free */
  uint32_t nslot;    /* power of two, kept above 2n */
};

corpus_uf *corpus_uf_new(void){
  corpus_uf *u = corpus_realloc(0, sizeof(*u));
  if( u ) memset(u, 0, sizeof(*u));
  return u;
}

void corpus_uf_free(corpus_uf *u){
  if( u==0 ) return;
  corpus_free(u->ids);
  corpus_free(u->parent);
  corpus_free(u->size);
  corpus_free(u->slots);
  corpus_free(u);
}

static uint32_t uf_slot_of(const corpus_uf *u, int64_t id){
  uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
  return (uint32_t)(h >> 32) & (u->nslot - 1);
}

static int uf_rehash(corpus_uf *u){
  uint32_t nslot = u->nslot ? 2*u->nslot : 1024, i;
  uint32_t *slots = corpus_realloc(0, sizeof(uint32_t)*(size_t)nslot);
  if( slots==0 ) return -1;
  memset(slots, 0, sizeof(uint32_t)*(size_t)nslot);
  corpus_free(u->slots);
  u->slots = slots;
  u->nslot = nslot;
  for(i=0; i<u->n; i++){
    uint32_t s = uf_slot_of(u, u->ids[i]);
    while( slots[s] ) s = (s+1) & (nslot-1);
    slots[s] = i+1;
  }
  return 0;
}

/* The node of id, added if new; -1 when out of memory or full. */
static int64_t uf_node(corpus_uf *u, int64_t id){
  uint32_t s;
  if( u->nslot==0 || 2*(uint64_t)(u->n+1) > u->nslot ){
    if( u->nslot>=0x80000000u || uf_rehash(u) ) return -1;
  }
  s = uf_slot_of(u, id);
  while( u->slots[s] ){
    uint32_t node = u->slots[s]-1;
    if( u->ids[node]==id ) return node;
    s = (s+1) & (u->nslot-1);
  }
  if( u->n==u->cap ){
    uint32_t cap = u->cap ? 2*u->cap : 1024;
    int64_t *ids = corpus_realloc(u->ids, sizeof(int64_t)*(size_t)cap);
    uint32_t *parent, *size;
    if( ids==0 ) return -1;
    u->ids = ids;
    parent = corpus_realloc(u->parent, sizeof(uint32_t)*(size_t)cap);
    if( parent==0 ) return -1;
    u->parent = parent;
    size = corpus_realloc(u->size, sizeof(uint32_t)*(size_t)cap);
    if( size==0 ) return -1;
    u->size = size;
    u->cap = cap;
  }
  u->ids[u->n] = id;
  u->parent[u->n] = u->n;
  u->size[u->n] = 1;
  u->slots[s] = u->n + 1;
  return u->n++;
}

static uint32_t uf_find(corpus_uf *u, uint32_t x){
  while( u->parent[x]!=x ){
    u->parent[x] = u->parent[u->parent[x]];   /* path halving */
    x = u->parent[x];
  }
  return x;
}

/* The node of id, or -1 when it has none (nothing is added). */
static int64_t uf_lookup(const corpus_uf *u, int64_t id){
  uint32_t s;
  if( u->nslot==0 ) return -1;
  s = uf_slot_of(u, id);
  while( u->slots[s] ){
    uint32_t node = u->slots[s]-1;
    if( u->ids[node]==id ) return node;
    s = (s+1) & (u->nslot-1);
  }
  return -1;
}

int corpus_uf_connected(corpus_uf *u, int64_t a, int64_t b){
  int64_t na = uf_lookup(u, a), nb = uf_lookup(u, b);
  if( na<0 || nb<0 ) return 0;
  return uf_find(u, (uint32_t)na)==uf_find(u, (uint32_t)nb);
}

int corpus_uf_union(corpus_uf *u, int64_t a, int64_t b){
  int64_t na = uf_node(u, a), nb;
  uint32_t ra, rb;
  if( na<0 ) return -1;
  nb = uf_node(u, b);
  if( nb<0 ) return -1;
  ra = uf_find(u, (uint32_t)na);
  rb = uf_find(u, (uint32_t)nb);
  if( ra==rb ) return 0;
  if( u->size[ra]<u->size[rb] ){ uint32_t t = ra; ra = rb; rb = t; }
  u->parent[rb] = ra;
  u->size[ra] += u->size[rb];
  return 0;
}

typedef struct uf_entry { int64_t id; uint32_t root; } uf_entry;

static int cmp_entry(const void *a, const void *b){
  int64_t x = ((const uf_entry*)a)->id, y = ((const uf_entry*)b)->id;
  return x<y ? -1 : x>y;
}

uint32_t corpus_uf_count(const corpus_uf *u){
  return u->n;
}

/* Every id in ascending order with its cluster (the least id of its
** component): two new arrays of corpus_uf_count() entries. */
int corpus_uf_clusters(corpus_uf *u, int64_t **pids, int64_t **pclusters){
  size_t n = (size_t)u->n + 1;
  uf_entry *e = corpus_realloc(0, sizeof(uf_entry)*n);
  int64_t *ids = corpus_realloc(0, sizeof(int64_t)*n);
  int64_t *clusters = corpus_realloc(0, sizeof(int64_t)*n);
  int64_t *least = corpus_realloc(0, sizeof(int64_t)*n);
  uint8_t *seen = corpus_realloc(0, n);
  uint32_t i;
  if( !e || !ids || !clusters || !least || !seen ){
    corpus_free(e); corpus_free(ids); corpus_free(clusters);
    corpus_free(least); corpus_free(seen);
    return -1;
  }
  for(i=0; i<u->n; i++){
    e[i].id = u->ids[i];
    e[i].root = uf_find(u, i);
  }
  qsort(e, u->n, sizeof(uf_entry), cmp_entry);
  memset(seen, 0, n);
  for(i=0; i<u->n; i++){
    uint32_t root = e[i].root;
    if( !seen[root] ){ seen[root] = 1; least[root] = e[i].id; }
    ids[i] = e[i].id;
    clusters[i] = least[root];
  }
  corpus_free(e);
  corpus_free(least);
  corpus_free(seen);
  *pids = ids;
  *pclusters = clusters;
  return 0;
}

/* ---- dedup_clusters(sql) ------------------------------------------------------ */

#define CLUSTERS_ID      0
#define CLUSTERS_CLUSTER 1

typedef struct clusters_cursor {
  corpus_tvf_cursor base;
  int64_t *ids, *clusters;
} clusters_cursor;

static void clusters_reset(corpus_tvf_cursor *cur){
  clusters_cursor *c = (clusters_cursor*)cur;
  corpus_free(c->ids);
  corpus_free(c->clusters);
  c->ids = c->clusters = 0;
}

/* "dedup_clusters: MESSAGE" as the table's error. */
#define clusters_error(c, ...) corpus_tvf_error(&(c)->base, __VA_ARGS__)

/* Options: progress=on reports the pairs read on stderr. */
static int clusters_option(void *ctx, const char *key, const char *value,
                           char *err){
  if( strcmp(key, "progress")==0 ){
    int v = corpus_option_choice(key, value, "off|on", err);
    if( v<0 ) return -1;
    *(int*)ctx = v;
    return 0;
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: progress)", key);
  return -1;
}

static int clusters_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  clusters_cursor *c = (clusters_cursor*)cur;
  sqlite3 *db = corpus_tvf_db(cur);
  sqlite3_stmt *stmt = 0;
  sqlite3_value *sql = args[0];
  corpus_uf *u = 0;
  corpus_progress progress;
  const char *tail = 0;
  sqlite3_int64 row = 0;
  int rc, show = 0;
  if( sqlite3_value_type(sql)==SQLITE_NULL ) return SQLITE_OK;
  if( sqlite3_value_type(sql)!=SQLITE_TEXT ){
    return clusters_error(c, "sql must be TEXT, got %s",
                          corpus_type_name(sqlite3_value_type(sql)));
  }
  if( args[1] && (rc = corpus_tvf_options(cur, args[1], clusters_option,
                                          &show))!=SQLITE_OK ){
    return rc;
  }
  rc = sqlite3_prepare_v2(db, (const char*)sqlite3_value_text(sql), -1,
                          &stmt, &tail);
  if( rc!=SQLITE_OK ){
    return clusters_error(c, "%s", sqlite3_errmsg(db));
  }
  if( stmt && tail && *tail ){
    /* what follows must be nothing but white space and comments: then it
    ** prepares to no statement */
    sqlite3_stmt *more = 0;
    rc = sqlite3_prepare_v2(db, tail, -1, &more, 0);
    sqlite3_finalize(more);
    if( rc!=SQLITE_OK || more ){
      sqlite3_finalize(stmt);
      return clusters_error(c, "sql must be one SELECT statement");
    }
  }
  if( stmt==0 ){
    return clusters_error(c, "sql must be one SELECT statement");
  }
  /* read-only is not enough (PRAGMA database_list is; INSERT ... RETURNING
  ** is not): it must be a query */
  if( !sqlite3_stmt_readonly(stmt) || sqlite3_stmt_isexplain(stmt)
   || !corpus_sql_is_query(sqlite3_sql(stmt)) ){
    sqlite3_finalize(stmt);
    return clusters_error(c, "sql must be one SELECT statement");
  }
  if( sqlite3_column_count(stmt)<2 ){
    int ncol = sqlite3_column_count(stmt);   /* read before the finalize */
    sqlite3_finalize(stmt);
    return clusters_error(c, "the query must return two columns (two ids "
                          "per row), got %d", ncol);
  }
  u = corpus_uf_new();
  if( u==0 ){
    sqlite3_finalize(stmt);
    return SQLITE_NOMEM;
  }
  corpus_progress_start(&progress, show, "dedup_clusters", -1);
  while( (rc = sqlite3_step(stmt))==SQLITE_ROW ){
    int ta = sqlite3_column_type(stmt, 0), tb = sqlite3_column_type(stmt, 1);
    row++;
    corpus_progress_update(&progress, row, 0);
    if( ta!=SQLITE_INTEGER || tb!=SQLITE_INTEGER ){
      rc = clusters_error(c, "row %lld of the query: expected two INTEGER "
                          "ids, got %s and %s", row, corpus_type_name(ta),
                          corpus_type_name(tb));
      break;
    }
    if( corpus_uf_union(u, sqlite3_column_int64(stmt, 0),
                        sqlite3_column_int64(stmt, 1)) ){
      rc = SQLITE_NOMEM;
      break;
    }
  }
  if( rc==SQLITE_DONE ){
    rc = SQLITE_OK;
  }else if( rc!=SQLITE_NOMEM && !(rc==SQLITE_ERROR && cur->base.pVtab->zErrMsg) ){
    /* an error of the query itself: its message, and its code, so that an
    ** interrupt stays SQLITE_INTERRUPT */
    int code = rc;
    const char *m = sqlite3_errmsg(db);
    /* from a dedup_clusters() inside the query: named once */
    if( strncmp(m, "dedup_clusters: ", 16)==0 ) m += 16;
    clusters_error(c, "%s", m);
    rc = code==SQLITE_ROW ? SQLITE_ERROR : code;
  }
  corpus_progress_end(&progress);
  sqlite3_finalize(stmt);
  if( rc==SQLITE_OK ){
    if( corpus_uf_clusters(u, &c->ids, &c->clusters) ){
      rc = SQLITE_NOMEM;
    }else{
      cur->nrow = corpus_uf_count(u);
    }
  }
  corpus_uf_free(u);
  return rc;
}

static int clusters_column(corpus_tvf_cursor *cur, sqlite3_context *ctx,
                           int col){
  clusters_cursor *c = (clusters_cursor*)cur;
  sqlite3_result_int64(ctx, col==CLUSTERS_ID ? c->ids[cur->row]
                                             : c->clusters[cur->row]);
  return SQLITE_OK;
}

static const char *const clusters_args[] = {"sql", "options"};
static const corpus_tvf clusters_tvf = {
  "dedup_clusters",
  "CREATE TABLE x(id INTEGER, cluster INTEGER, sql HIDDEN, options HIDDEN)",
  2, 2, 1, clusters_args, SQLITE_VTAB_DIRECTONLY, sizeof(clusters_cursor),
  clusters_filter, clusters_column, clusters_reset, 0, 0
};

static const corpus_sql cluster_sql[] = {
  CORPUS_TABLE_FUNCTION("dedup_clusters", &clusters_tvf),
};

int corpus_cluster_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, cluster_sql, CORPUS_COUNT(cluster_sql), pzErr);
}
