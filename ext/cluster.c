/*
** Connected components over candidate pairs.
**
** SQL:
**   dedup_clusters(sql [, options])   table: id, cluster
**   dedup_verify(pairs, docs [, options])   table: a, b, similarity
**
** Runs the query sql on the same connection; each of its rows is an edge
** between two INTEGER ids (its first two columns).  Returns one row per id
** seen, in id order, with cluster = the smallest id of its connected
** component, so "keep the rows where id = cluster" keeps one per cluster.
** A pair (x, x) adds x alone.  Union-find with union by size and path
** halving; memory is 24 to 48 bytes per distinct id while the pairs are
** read (arrays grown by doubling), about 90 at the peak, when the clusters
** are listed, and 16 for the rows, whatever the number of pairs.  The
** query runs inside the call, so sqlite3_interrupt() stops it.
** The table is DIRECTONLY: it runs SQL of its own.  progress=on reports
** the pairs read on stderr (corpus_progress).
**
** dedup_verify(pairs, docs [, options]) verifies candidate pairs with
** union-find as it goes, reading each document once (at its section).
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "corpus_sql.h"

/* ---- Union-find over dense indexes ------------------------------------------ */

int corpus_dsu_init(corpus_dsu *d, uint32_t n){
  uint32_t i;
  memset(d, 0, sizeof(*d));
  d->parent = corpus_realloc(0, sizeof(uint32_t)*(size_t)(n ? n : 1));
  d->size = corpus_realloc(0, sizeof(uint32_t)*(size_t)(n ? n : 1));
  if( d->parent==0 || d->size==0 ){
    corpus_dsu_free(d);
    return -1;
  }
  for(i=0; i<n; i++){
    d->parent[i] = i;
    d->size[i] = 1;
  }
  d->n = d->cap = n;
  return 0;
}

void corpus_dsu_free(corpus_dsu *d){
  corpus_free(d->parent);
  corpus_free(d->size);
  memset(d, 0, sizeof(*d));
}

int64_t corpus_dsu_add(corpus_dsu *d){
  if( d->n==d->cap ){
    uint32_t cap = d->cap ? 2*d->cap : 1024;
    uint32_t *parent, *size;
    if( d->cap>=0x80000000u ) return -1;
    parent = corpus_realloc(d->parent, sizeof(uint32_t)*(size_t)cap);
    if( parent==0 ) return -1;
    d->parent = parent;
    size = corpus_realloc(d->size, sizeof(uint32_t)*(size_t)cap);
    if( size==0 ) return -1;
    d->size = size;
    d->cap = cap;
  }
  d->parent[d->n] = d->n;
  d->size[d->n] = 1;
  return d->n++;
}

uint32_t corpus_dsu_find(corpus_dsu *d, uint32_t x){
  while( d->parent[x]!=x ){
    d->parent[x] = d->parent[d->parent[x]];   /* path halving */
    x = d->parent[x];
  }
  return x;
}

void corpus_dsu_union(corpus_dsu *d, uint32_t x, uint32_t y){
  x = corpus_dsu_find(d, x);
  y = corpus_dsu_find(d, y);
  if( x==y ) return;
  if( d->size[x]<d->size[y] ){ uint32_t t = x; x = y; y = t; }
  d->parent[y] = x;
  d->size[x] += d->size[y];
}

int corpus_dsu_clusters(corpus_dsu *d, int64_t **pids, int64_t **pclusters,
                        uint32_t *count){
  uint32_t i, n = 0, *least;
  int64_t *ids, *clusters;
  for(i=0; i<d->n; i++){
    if( d->size[corpus_dsu_find(d, i)]>1 ) n++;
  }
  ids = corpus_realloc(0, sizeof(int64_t)*((size_t)n + 1));
  clusters = corpus_realloc(0, sizeof(int64_t)*((size_t)n + 1));
  /* a root's least index + 1 (0: not yet met); ascending i meets it first */
  least = corpus_realloc(0, sizeof(uint32_t)*((size_t)d->n + 1));
  if( ids==0 || clusters==0 || least==0 ){
    corpus_free(ids); corpus_free(clusters); corpus_free(least);
    return -1;
  }
  memset(least, 0, sizeof(uint32_t)*((size_t)d->n + 1));
  n = 0;
  for(i=0; i<d->n; i++){
    uint32_t r = corpus_dsu_find(d, i);
    if( d->size[r]<2 ) continue;
    if( least[r]==0 ) least[r] = i + 1;
    ids[n] = i;
    clusters[n] = least[r] - 1;
    n++;
  }
  corpus_free(least);
  *pids = ids;
  *pclusters = clusters;
  *count = n;
  return 0;
}

/* ---- Union-find over 64-bit ids -------------------------------------------- */

struct corpus_uf {
  int64_t *ids;      /* node -> id */
  uint32_t idcap;    /* entries of ids */
  corpus_dsu d;      /* over the nodes */
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
  corpus_dsu_free(&u->d);
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
  for(i=0; i<u->d.n; i++){
    uint32_t s = uf_slot_of(u, u->ids[i]);
    while( slots[s] ) s = (s+1) & (nslot-1);
    slots[s] = i+1;
  }
  return 0;
}

/* The node of id, added if new; -1 when out of memory or full. */
static int64_t uf_node(corpus_uf *u, int64_t id){
  uint32_t s;
  int64_t node;
  if( u->nslot==0 || 2*(uint64_t)(u->d.n+1) > u->nslot ){
    if( u->nslot>=0x80000000u || uf_rehash(u) ) return -1;
  }
  s = uf_slot_of(u, id);
  while( u->slots[s] ){
    uint32_t k = u->slots[s]-1;
    if( u->ids[k]==id ) return k;
    s = (s+1) & (u->nslot-1);
  }
  /* ids first: a failure leaves both arrays as they were */
  if( u->d.n==u->idcap ){
    uint32_t cap = u->idcap ? 2*u->idcap : 1024;
    int64_t *ids;
    if( u->idcap>=0x80000000u ) return -1;
    ids = corpus_realloc(u->ids, sizeof(int64_t)*(size_t)cap);
    if( ids==0 ) return -1;
    u->ids = ids;
    u->idcap = cap;
  }
  if( (node = corpus_dsu_add(&u->d))<0 ) return -1;
  u->ids[node] = id;
  u->slots[s] = (uint32_t)node + 1;
  return node;
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
  return corpus_dsu_find(&u->d, (uint32_t)na)==corpus_dsu_find(&u->d, (uint32_t)nb);
}

int corpus_uf_union(corpus_uf *u, int64_t a, int64_t b){
  int64_t na = uf_node(u, a), nb;
  if( na<0 ) return -1;
  nb = uf_node(u, b);
  if( nb<0 ) return -1;
  corpus_dsu_union(&u->d, (uint32_t)na, (uint32_t)nb);
  return 0;
}

typedef struct uf_entry { int64_t id; uint32_t root; } uf_entry;

static int cmp_entry(const void *a, const void *b){
  int64_t x = ((const uf_entry*)a)->id, y = ((const uf_entry*)b)->id;
  return x<y ? -1 : x>y;
}

uint32_t corpus_uf_count(const corpus_uf *u){
  return u->d.n;
}

/* Every id in ascending order with its cluster (the least id of its
** component): two new arrays of corpus_uf_count() entries. */
int corpus_uf_clusters(corpus_uf *u, int64_t **pids, int64_t **pclusters){
  size_t n = (size_t)u->d.n + 1;
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
  for(i=0; i<u->d.n; i++){
    e[i].id = u->ids[i];
    e[i].root = corpus_dsu_find(&u->d, i);
  }
  qsort(e, u->d.n, sizeof(uf_entry), cmp_entry);
  memset(seen, 0, n);
  for(i=0; i<u->d.n; i++){
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

/* ---- Pairs verified in passes under a memory budget ------------------------- */

#define PASSES_OPEN 0xFFFFFFFFu

int corpus_passes_init(corpus_passes *p, const uint64_t *pairs, size_t npair,
                       uint32_t ndoc, size_t budget){
  size_t k;
  memset(p, 0, sizeof(*p));
  p->left = corpus_realloc(0, sizeof(uint32_t)*(ndoc ? ndoc : 1));
  if( p->left==0 ) return -1;
  memset(p->left, 0, sizeof(uint32_t)*ndoc);
  for(k=0; k<npair; k++) p->left[(uint32_t)pairs[k]]++;
  p->pairs = pairs;
  p->npair = npair;
  p->budget = budget;
  p->end = 0;
  return 0;
}

void corpus_passes_free(corpus_passes *p){
  corpus_free(p->left);
  memset(p, 0, sizeof(*p));
}

int corpus_passes_begin(corpus_passes *p, uint32_t *first){
  size_t lo, hi;
  /* done when the last pass's window stayed open to its end */
  if( p->npair==0 || p->end==PASSES_OPEN ) return 0;
  p->start = p->held_end = p->end;
  p->end = PASSES_OPEN;
  p->held = 0;
  p->nheld = 0;
  p->npass++;
  /* the first pair whose later document is at or after start */
  lo = 0;
  hi = p->npair;
  while( lo<hi ){
    size_t mid = lo + (hi-lo)/2;
    if( (uint32_t)(p->pairs[mid]>>32)<p->start ) lo = mid+1; else hi = mid;
  }
  p->next = lo;
  *first = p->start;
  return 1;
}

int corpus_passes_doc(corpus_passes *p, uint32_t i, size_t *b, size_t *e){
  size_t k = p->next;
  while( k<p->npair && (uint32_t)(p->pairs[k]>>32)<i ) k++;
  while( k<p->npair && (uint32_t)(p->pairs[k]>>32)==i
      && (uint32_t)p->pairs[k]<p->start ) k++;
  *b = k;
  while( k<p->npair && (uint32_t)(p->pairs[k]>>32)==i
      && (uint32_t)p->pairs[k]<p->end ) k++;
  *e = k;
  while( k<p->npair && (uint32_t)(p->pairs[k]>>32)==i ) k++;
  p->next = k;
  return *b<*e || corpus_passes_may_hold(p, i);
}

int corpus_passes_may_hold(const corpus_passes *p, uint32_t i){
  return p->end==PASSES_OPEN && p->left[i]>0;
}

int corpus_passes_done(corpus_passes *p, size_t k){
  return --p->left[(uint32_t)p->pairs[k]]==0;
}

int corpus_passes_hold(corpus_passes *p, uint32_t i, size_t bytes){
  if( p->left[i]==0 || p->end!=PASSES_OPEN ) return 0;
  if( p->nheld>0 && p->held+bytes>p->budget ){
    p->end = i;                 /* the next pass begins here */
    return 0;
  }
  p->held += bytes;
  p->nheld++;
  p->held_end = i+1;
  return 1;
}

void corpus_passes_drop(corpus_passes *p, size_t bytes){
  p->held -= bytes;
  p->nheld--;
}

int corpus_passes_over(const corpus_passes *p){
  return p->end!=PASSES_OPEN && p->nheld==0;
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

/* Prepares sql (args[0] of c's function) as one SELECT of at least ncol
** columns (what: their description, for the error) into *pstmt; SQLITE_OK
** with *pstmt NULL for a NULL sql (no rows).  Errors name c's function. */
static int query_prepare(corpus_tvf_cursor *c, sqlite3_value *sql, int ncol,
                         const char *what, sqlite3_stmt **pstmt){
  sqlite3 *db = corpus_tvf_db(c);
  sqlite3_stmt *stmt = 0;
  const char *tail = 0;
  int rc;
  *pstmt = 0;
  if( sqlite3_value_type(sql)==SQLITE_NULL ) return SQLITE_OK;
  if( sqlite3_value_type(sql)!=SQLITE_TEXT ){
    return corpus_tvf_error(c, "sql must be TEXT, got %s",
                            corpus_type_name(sqlite3_value_type(sql)));
  }
  rc = sqlite3_prepare_v2(db, (const char*)sqlite3_value_text(sql), -1,
                          &stmt, &tail);
  if( rc!=SQLITE_OK ){
    return corpus_tvf_error(c, "%s", sqlite3_errmsg(db));
  }
  if( stmt && tail && *tail ){
    /* what follows must be nothing but white space and comments: then it
    ** prepares to no statement */
    sqlite3_stmt *more = 0;
    rc = sqlite3_prepare_v2(db, tail, -1, &more, 0);
    sqlite3_finalize(more);
    if( rc!=SQLITE_OK || more ){
      sqlite3_finalize(stmt);
      return corpus_tvf_error(c, "sql must be one SELECT statement");
    }
  }
  /* read-only is not enough (PRAGMA database_list is; INSERT ... RETURNING
  ** is not): it must be a query */
  if( stmt==0 || !sqlite3_stmt_readonly(stmt) || sqlite3_stmt_isexplain(stmt)
   || !corpus_sql_is_query(sqlite3_sql(stmt)) ){
    sqlite3_finalize(stmt);
    return corpus_tvf_error(c, "sql must be one SELECT statement");
  }
  if( sqlite3_column_count(stmt)<ncol ){
    int got = sqlite3_column_count(stmt);   /* read before the finalize */
    sqlite3_finalize(stmt);
    return corpus_tvf_error(c, "the query must return %s, got %d", what, got);
  }
  *pstmt = stmt;
  return SQLITE_OK;
}

/* After the last sqlite3_step() of a query_prepare()'d statement (rc its
** result, or an error code of the loop over its rows): SQLITE_OK for
** SQLITE_DONE; an error of the query itself becomes c's, with its code, so
** that an interrupt stays SQLITE_INTERRUPT. */
static int query_end(corpus_tvf_cursor *c, const char *name, int rc){
  if( rc==SQLITE_DONE ) return SQLITE_OK;
  if( rc!=SQLITE_NOMEM && !(rc==SQLITE_ERROR && c->base.pVtab->zErrMsg) ){
    const char *m = sqlite3_errmsg(corpus_tvf_db(c));
    size_t n = strlen(name);
    /* from the same function inside the query: named once */
    if( strncmp(m, name, n)==0 && m[n]==':' && m[n+1]==' ' ) m += n+2;
    corpus_tvf_error(c, "%s", m);
    rc = rc==SQLITE_ROW ? SQLITE_ERROR : rc;
  }
  return rc;
}

/* The two INTEGER ids of row `row` of the query, or the error. */
static int query_ids(corpus_tvf_cursor *c, sqlite3_stmt *stmt,
                     sqlite3_int64 row, int64_t *a, int64_t *b){
  int ta = sqlite3_column_type(stmt, 0), tb = sqlite3_column_type(stmt, 1);
  if( ta!=SQLITE_INTEGER || tb!=SQLITE_INTEGER ){
    return corpus_tvf_error(c, "row %lld of the query: expected two INTEGER "
                            "ids, got %s and %s", row, corpus_type_name(ta),
                            corpus_type_name(tb));
  }
  *a = sqlite3_column_int64(stmt, 0);
  *b = sqlite3_column_int64(stmt, 1);
  return SQLITE_OK;
}

static int clusters_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  clusters_cursor *c = (clusters_cursor*)cur;
  sqlite3_stmt *stmt = 0;
  corpus_uf *u = 0;
  corpus_progress progress;
  sqlite3_int64 row = 0;
  int rc, show = 0;
  rc = query_prepare(cur, args[0], 2, "two columns (two ids per row)", &stmt);
  if( rc!=SQLITE_OK || stmt==0 ) return rc;
  if( args[1] && (rc = corpus_tvf_options(cur, args[1], clusters_option,
                                          &show))!=SQLITE_OK ){
    sqlite3_finalize(stmt);
    return rc;
  }
  u = corpus_uf_new();
  if( u==0 ){
    sqlite3_finalize(stmt);
    return SQLITE_NOMEM;
  }
  corpus_progress_start(&progress, show, "dedup_clusters", -1);
  while( (rc = sqlite3_step(stmt))==SQLITE_ROW ){
    int64_t a = 0, b = 0;
    row++;
    corpus_progress_update(&progress, row, 0);
    if( (rc = query_ids(cur, stmt, row, &a, &b))!=SQLITE_OK ) break;
    if( corpus_uf_union(u, a, b) ){
      rc = SQLITE_NOMEM;
      break;
    }
  }
  rc = query_end(cur, "dedup_clusters", rc);
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

/* ---- dedup_verify(pairs, docs) ----------------------------------------------- */

/*
** Candidate pairs verified with union-find as it goes.  The pairs query
** gives two INTEGER ids a row; the docs query gives (id, text) or (id,
** minhash signature) rows in ascending id order, and is read once: a
** document's shingle set (or signature) is made when its row comes and
** held until its last pair with a later document is verified.  A pair is
** verified when the later of its two documents comes, and skipped
** (skip=connected, the default) when pairs verified before it joined its
** two documents already, since it cannot change the components.  So each
** document is read and shingled once, whatever the number of its pairs,
** and a pair costs a merge of two sorted sets (or a comparison of slots):
** the work grows with the documents, not with the pairs, whose number grows
** with the square of a family of similar documents.
**
** Rows: the pairs that joined two components (a < b, in the order
** verified: by b, then a), a spanning forest of the verified pairs, so
** that dedup_clusters() of them gives the components of every pair at or
** above the threshold; skip=none: every such pair.
*/
#define VERIFY_A          0
#define VERIFY_B          1
#define VERIFY_SIMILARITY 2

enum { VERIFY_SKIP_CONNECTED, VERIFY_SKIP_NONE };

enum { HELD_NONE, HELD_SET, HELD_SIG };

typedef struct verify_opts {
  double threshold;
  corpus_minhash_params mh;   /* the shingles of the exact Jaccard */
  int skip;
  int progress;
  size_t memory;              /* bytes: the most held at once (a pass) */
} verify_opts;

typedef struct verify_edge { int64_t a, b; double similarity; } verify_edge;

typedef struct verify_cursor {
  corpus_tvf_cursor base;
  verify_edge *edges;
  size_t n, cap;
} verify_cursor;

/* What is made of a document: its shingle set or a copy of its
** signature (16 bytes a document with pairs, held or not). */
typedef struct verify_held {
  void *p;                    /* HELD_SET: uint64_t[n], sorted shingle
                              ** hashes; HELD_SIG: n bytes, the BLOB */
  uint32_t n;
  int kind;                   /* HELD_*: NONE for a NULL or unread one */
} verify_held;

/* The state of one run: pairs as indexes into ids (sorted, distinct). */
typedef struct verify_run {
  int64_t *ids;
  size_t nid;
  uint64_t *pairs;            /* hi<<32 | lo, sorted */
  size_t npair;
  verify_held *held;
  uint8_t *seen;              /* bit per id: its row came (below seen_end) */
  size_t seen_end;            /* ids below it: read by a pass before */
  corpus_dsu uf;              /* over the indexes (8 bytes an id, not
                              ** corpus_uf's 40 of a hash map) */
} verify_run;

static void verify_reset(corpus_tvf_cursor *cur){
  verify_cursor *c = (verify_cursor*)cur;
  corpus_free(c->edges);
  c->edges = 0;
  c->n = c->cap = 0;
}

static void held_clear(verify_held *h){
  corpus_free(h->p);
  memset(h, 0, sizeof(*h));
}

/* The bytes that what is held of a document takes. */
static size_t held_bytes(const verify_held *h){
  return h->kind==HELD_SET ? sizeof(uint64_t)*h->n : h->n;
}

static void verify_run_free(verify_run *r){
  size_t i;
  if( r->held ){
    for(i=0; i<r->nid; i++) held_clear(&r->held[i]);
  }
  corpus_free(r->ids);
  corpus_free(r->pairs);
  corpus_free(r->held);
  corpus_free(r->seen);
  corpus_dsu_free(&r->uf);
  memset(r, 0, sizeof(*r));
}

static int verify_option(void *ctx, const char *key, const char *value,
                         char *err){
  verify_opts *o = (verify_opts*)ctx;
  int v;
  if( strcmp(key, "threshold")==0 ){
    return corpus_option_fraction(key, value, &o->threshold, err);
  }else if( strcmp(key, "ngram")==0 || strcmp(key, "unit")==0
         || strcmp(key, "normalize")==0 ){
    return corpus_minhash_option(&o->mh, key, value, err);
  }else if( strcmp(key, "skip")==0 ){
    if( (v = corpus_option_choice(key, value, "connected|none", err))<0 ){
      return -1;
    }
    o->skip = v;
  }else if( strcmp(key, "progress")==0 ){
    if( (v = corpus_option_choice(key, value, "off|on", err))<0 ) return -1;
    o->progress = v;
  }else if( strcmp(key, "memory")==0 ){
    return corpus_option_mib(key, value, &o->memory, err);
  }else{
    snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: threshold, "
             "ngram, unit, normalize, skip, memory, progress)", key);
    return -1;
  }
  return 0;
}

static int cmp_i64(const void *a, const void *b){
  int64_t x = *(const int64_t*)a, y = *(const int64_t*)b;
  return x<y ? -1 : x>y;
}

static int cmp_u64(const void *a, const void *b){
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x<y ? -1 : x>y;
}

/* The index of id in the sorted r->ids (which holds it). */
static uint32_t verify_index(const verify_run *r, int64_t id){
  size_t lo = 0, hi = r->nid;
  while( hi-lo>1 ){
    size_t mid = lo + (hi-lo)/2;
    if( r->ids[mid]<=id ) lo = mid; else hi = mid;
  }
  return (uint32_t)lo;
}

/* Sorts ids[0..*n) and keeps each id once. */
static void ids_unique(int64_t *ids, size_t *n){
  size_t i, k;
  if( *n==0 ) return;
  qsort(ids, *n, sizeof(int64_t), cmp_i64);
  for(i=1, k=1; i<*n; i++){
    if( ids[i]!=ids[k-1] ) ids[k++] = ids[i];
  }
  *n = k;
}

/* Appends id to r->ids (cap entries), made unique when full, so that it
** takes at most about four times the distinct ids, not two a pair. */
static int ids_add(verify_run *r, size_t *cap, int64_t id){
  if( r->nid==*cap ){
    ids_unique(r->ids, &r->nid);
    if( *cap==0 || r->nid>*cap/2 ){
      size_t ncap = *cap ? 2 * *cap : 1024;
      int64_t *e = corpus_realloc(r->ids, sizeof(int64_t)*ncap);
      if( e==0 ) return SQLITE_NOMEM;
      r->ids = e;
      *cap = ncap;
    }
  }
  r->ids[r->nid++] = id;
  return SQLITE_OK;
}

static int pairs_changed(corpus_tvf_cursor *c){
  return corpus_tvf_error(c, "the pairs query gave other rows in its second "
                          "run (it runs twice: give a table, or a query that "
                          "gives the same rows every time)");
}

/* Reads the pairs query into r: the distinct ids of its pairs (sorted),
** and each pair of two different ids once, as indexes, sorted by (later,
** earlier).  A pair (x, x) is nothing.  The query runs twice, so that the
** pairs are never held as ids: first for the ids, then for the pairs as
** indexes (8 bytes a pair, 8 an id). */
static int verify_read_pairs(corpus_tvf_cursor *c, sqlite3_stmt *stmt,
                             verify_run *r){
  size_t cap = 0, n = 0, i, k;
  sqlite3_int64 row = 0;
  int rc;
  while( (rc = sqlite3_step(stmt))==SQLITE_ROW ){
    int64_t a = 0, b = 0;
    row++;
    if( (rc = query_ids(c, stmt, row, &a, &b))!=SQLITE_OK ) break;
    if( a==b ) continue;
    if( (rc = ids_add(r, &cap, a))!=SQLITE_OK ) break;
    if( (rc = ids_add(r, &cap, b))!=SQLITE_OK ) break;
    n++;
  }
  rc = query_end(c, "dedup_verify", rc);
  if( rc!=SQLITE_OK || n==0 ){
    r->nid = 0;
    return rc;
  }
  if( n > 0xFFFFFFFFu ){
    r->nid = 0;
    return corpus_tvf_error(c, "too many pairs (more than 2^32)");
  }
  ids_unique(r->ids, &r->nid);
  if( r->nid>=0xFFFFFFFFu ){
    return corpus_tvf_error(c, "too many documents in pairs (more than "
                            "2^32 - 2)");
  }
  if( r->nid<cap ){
    int64_t *e = corpus_realloc(r->ids, sizeof(int64_t)*r->nid);
    if( e ) r->ids = e;
  }
  r->pairs = corpus_realloc(0, sizeof(uint64_t)*n);
  if( r->pairs==0 ) return SQLITE_NOMEM;
  sqlite3_reset(stmt);
  row = 0;
  k = 0;
  while( (rc = sqlite3_step(stmt))==SQLITE_ROW ){
    int64_t a = 0, b = 0, lo, hi;
    row++;
    if( (rc = query_ids(c, stmt, row, &a, &b))!=SQLITE_OK ) break;
    if( a==b ) continue;
    lo = verify_index(r, a<b ? a : b);
    hi = verify_index(r, a<b ? b : a);
    if( k==n || r->ids[lo]!=(a<b ? a : b) || r->ids[hi]!=(a<b ? b : a) ){
      rc = pairs_changed(c);
      break;
    }
    r->pairs[k++] = (uint64_t)hi<<32 | (uint64_t)lo;
  }
  rc = query_end(c, "dedup_verify", rc);
  if( rc!=SQLITE_OK ) return rc;
  if( k!=n ) return pairs_changed(c);
  qsort(r->pairs, n, sizeof(uint64_t), cmp_u64);
  for(i=1, k=1; i<n; i++){
    if( r->pairs[i]!=r->pairs[k-1] ) r->pairs[k++] = r->pairs[i];
  }
  r->npair = k;
  /* each zeroed as soon as it is there: verify_run_free reads held */
  r->held = corpus_realloc(0, sizeof(verify_held)*r->nid);
  if( r->held==0 ) return SQLITE_NOMEM;
  memset(r->held, 0, sizeof(verify_held)*r->nid);
  r->seen = corpus_realloc(0, r->nid/8 + 1);
  if( r->seen==0 || corpus_dsu_init(&r->uf, (uint32_t)r->nid) ) return SQLITE_NOMEM;
  memset(r->seen, 0, r->nid/8 + 1);
  return SQLITE_OK;
}

/* Column 1 of the docs query's current row (row `row`) as what is held of
** its document: a shingle set, a signature, or nothing for a NULL. */
static int verify_hold(corpus_tvf_cursor *c, sqlite3_stmt *stmt,
                       sqlite3_int64 row, const verify_opts *o,
                       verify_held *h){
  int t = sqlite3_column_type(stmt, 1);
  if( t==SQLITE_NULL ) return SQLITE_OK;
  if( t==SQLITE_TEXT ){
    const char *z = (const char*)sqlite3_column_text(stmt, 1);
    size_t n = (size_t)sqlite3_column_bytes(stmt, 1), nset = 0;
    uint64_t *set = 0;
    if( z==0 || corpus_shingle_set(z, n, &o->mh, &set, &nset) ){
      return SQLITE_NOMEM;
    }
    h->p = set;
    h->n = (uint32_t)nset;    /* at most a shingle a byte, < 2^31 */
    h->kind = HELD_SET;
  }else if( t==SQLITE_BLOB ){
    char err[CORPUS_ERRMAX];
    corpus_minhash_sig sig;
    const void *z = sqlite3_column_blob(stmt, 1);
    size_t n = (size_t)sqlite3_column_bytes(stmt, 1);
    if( z==0 && n>0 ) return SQLITE_NOMEM;
    if( corpus_minhash_decode(z, n, &sig, err) ){
      return corpus_tvf_error(c, "row %lld of the docs query: the BLOB %s", row,
                              err);
    }
    h->p = corpus_realloc(0, n);
    if( h->p==0 ) return SQLITE_NOMEM;
    memcpy(h->p, z, n);
    h->n = (uint32_t)n;
    h->kind = HELD_SIG;
  }else{
    return corpus_tvf_error(c, "row %lld of the docs query: expected a TEXT "
                            "or a minhash signature BLOB, got %s", row,
                            corpus_type_name(t));
  }
  return SQLITE_OK;
}

static const char *held_type(const verify_held *h){
  return h->kind==HELD_SET ? "TEXT" : h->kind==HELD_SIG ? "BLOB" : "NULL";
}

/* The similarity of documents x and y (ids a and b) into *j; *has 0 when
** either has nothing (NULL, or no row in the docs query). */
static int verify_compare(corpus_tvf_cursor *c, int64_t a, int64_t b,
                          const verify_held *x, const verify_held *y,
                          double *j, int *has){
  *has = 0;
  if( x->kind==HELD_NONE || y->kind==HELD_NONE ) return SQLITE_OK;
  if( x->kind!=y->kind ){
    return corpus_tvf_error(c, "documents %lld and %lld: expected two TEXTs "
                            "or two minhash signature BLOBs, got %s and %s",
                            (long long)a, (long long)b, held_type(x),
                            held_type(y));
  }
  if( x->kind==HELD_SET ){
    *j = corpus_jaccard_sets(x->p, x->n, y->p, y->n);
  }else{
    corpus_minhash_sig sx, sy;
    char dx[CORPUS_ERRMAX], dy[CORPUS_ERRMAX];
    /* both decoded once already, when read */
    corpus_minhash_decode(x->p, x->n, &sx, dx);
    corpus_minhash_decode(y->p, y->n, &sy, dy);
    if( !corpus_minhash_same_params(&sx.params, &sy.params) ){
      corpus_minhash_describe(&sx.params, dx, sizeof(dx));
      corpus_minhash_describe(&sy.params, dy, sizeof(dy));
      return corpus_tvf_error(c, "documents %lld and %lld: signatures made "
                              "with different parameters: %lld has %s; %lld "
                              "has %s", (long long)a, (long long)b,
                              (long long)a, dx, (long long)b, dy);
    }
    *j = corpus_minhash_jaccard(&sx, &sy);
  }
  *has = 1;
  return SQLITE_OK;
}

static int verify_push(verify_cursor *c, int64_t a, int64_t b, double j){
  if( c->n==c->cap ){
    size_t cap = c->cap ? 2*c->cap : 256;
    verify_edge *e = corpus_realloc(c->edges, sizeof(verify_edge)*cap);
    if( e==0 ) return SQLITE_NOMEM;
    c->edges = e;
    c->cap = cap;
  }
  c->edges[c->n].a = a;
  c->edges[c->n].b = b;
  c->edges[c->n].similarity = j;
  c->n++;
  return SQLITE_OK;
}

/* The docs query's current row, document k (row `row` of this pass): its
** pairs with earlier held documents verified (or skipped), then itself
** held if the pass holds it.  Made on first need. */
static int verify_doc(verify_cursor *c, verify_run *r, corpus_passes *ps,
                      uint32_t k, sqlite3_stmt *docs, sqlite3_int64 row,
                      const verify_opts *o){
  corpus_tvf_cursor *cur = &c->base;
  verify_held h;
  size_t p, b, e;
  int made = 0, rc = SQLITE_OK;
  if( !corpus_passes_doc(ps, k, &b, &e) ) return SQLITE_OK;
  memset(&h, 0, sizeof(h));
  for(p=b; p<e; p++){
    uint32_t lo = (uint32_t)r->pairs[p];
    int64_t a = r->ids[lo], bid = r->ids[k];
    double j = 0.0;
    int has = 0;
    if( o->skip==VERIFY_SKIP_NONE || corpus_dsu_find(&r->uf, lo)!=corpus_dsu_find(&r->uf, k) ){
      if( !made ){
        if( (rc = verify_hold(cur, docs, row, o, &h))!=SQLITE_OK ) break;
        made = 1;
      }
      rc = verify_compare(cur, a, bid, &r->held[lo], &h, &j, &has);
      if( rc!=SQLITE_OK ) break;
      if( has && j>=o->threshold ){
        if( o->skip==VERIFY_SKIP_CONNECTED ) corpus_dsu_union(&r->uf, lo, k);
        if( (rc = verify_push(c, a, bid, j))!=SQLITE_OK ) break;
      }
    }
    if( corpus_passes_done(ps, p) && r->held[lo].kind!=HELD_NONE ){
      corpus_passes_drop(ps, held_bytes(&r->held[lo]));
      held_clear(&r->held[lo]);
    }
  }
  if( rc==SQLITE_OK && !made && corpus_passes_may_hold(ps, k) ){
    rc = verify_hold(cur, docs, row, o, &h);
  }
  if( rc==SQLITE_OK && h.kind!=HELD_NONE
   && corpus_passes_hold(ps, k, held_bytes(&h)) ){
    r->held[k] = h;
  }else{
    held_clear(&h);
  }
  return rc;
}

#define SEEN(r, k)     ((r)->seen[(k)>>3] & (1u<<((k)&7)))
#define SET_SEEN(r, k) ((r)->seen[(k)>>3] |= (uint8_t)(1u<<((k)&7)))

/* Whether document k's row comes (came) in this pass as it came in the
** passes before, which read it: a pass that misses a document another
** read, or finds one it did not, would verify fewer pairs without a word.
** The first pass to reach k records it (passes read k in ascending order
** from a document an earlier pass reached). */
static int verify_same(verify_cursor *c, verify_run *r, int pass, size_t k,
                       int came){
  if( k>=r->seen_end ){
    if( came ) SET_SEEN(r, k);
    r->seen_end = k+1;
    return SQLITE_OK;
  }
  if( !SEEN(r, k)==!came ) return SQLITE_OK;
  return corpus_tvf_error(&c->base, "the docs query gave other rows in pass "
                          "%d than before (it runs once a pass: give a "
                          "table, or a query that gives the same rows every "
                          "time)", pass);
}

/* One pass over the docs query, from document `first`, ending when the pass
** is over.  *row: rows read in all passes (for progress). */
static int verify_pass(verify_cursor *c, verify_run *r, corpus_passes *ps,
                       uint32_t first, sqlite3_stmt *docs,
                       const verify_opts *o,
                       corpus_progress *progress, sqlite3_int64 *nread){
  corpus_tvf_cursor *cur = &c->base;
  sqlite3_int64 row = 0;
  int64_t prev = 0;
  size_t k = first, i;
  int rc, over = 0;
  /* a parameter: the rows before the pass's first document need not come */
  if( sqlite3_bind_parameter_count(docs)==1 ){
    sqlite3_bind_int64(docs, 1, r->ids[first]);
  }
  while( (rc = sqlite3_step(docs))==SQLITE_ROW ){
    int t = sqlite3_column_type(docs, 0);
    int64_t id;
    row++;
    corpus_progress_update(progress, ++*nread, 0);
    if( t!=SQLITE_INTEGER ){
      rc = corpus_tvf_error(cur, "row %lld of the docs query: expected an "
                            "INTEGER id, got %s", row, corpus_type_name(t));
      break;
    }
    id = sqlite3_column_int64(docs, 0);
    if( row>1 && id<=prev ){
      rc = corpus_tvf_error(cur, "the docs query must give its ids in "
                            "ascending order, each once: row %lld has id %lld "
                            "after %lld", row, (long long)id, (long long)prev);
      break;
    }
    prev = id;
    while( k<r->nid && r->ids[k]<id ){
      if( (rc = verify_same(c, r, ps->npass, k++, 0))!=SQLITE_OK ) break;
      rc = SQLITE_ROW;
    }
    if( rc!=SQLITE_ROW ) break;
    if( k==r->nid ){ rc = SQLITE_DONE; break; }
    if( r->ids[k]!=id ) continue;
    if( (rc = verify_same(c, r, ps->npass, k, 1))!=SQLITE_OK ) break;
    rc = verify_doc(c, r, ps, (uint32_t)k, docs, row, o);
    if( rc!=SQLITE_OK ) break;
    k++;
    if( corpus_passes_over(ps) ){ rc = SQLITE_DONE; over = 1; break; }
  }
  /* the documents after the query's last row */
  while( rc==SQLITE_DONE && !over && k<r->nid ){
    if( (rc = verify_same(c, r, ps->npass, k++, 0))==SQLITE_OK ) rc = SQLITE_DONE;
  }
  rc = query_end(cur, "dedup_verify", rc);
  sqlite3_reset(docs);
  /* what the documents that never came left held */
  for(i=first; i<ps->held_end; i++) held_clear(&r->held[i]);
  return rc;
}

static int verify_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  verify_cursor *c = (verify_cursor*)cur;
  sqlite3_stmt *pairs = 0, *docs = 0;
  corpus_progress progress;
  corpus_passes ps;
  verify_opts o;
  verify_run r;
  sqlite3_int64 nread = 0;
  uint32_t first;
  int rc;
  memset(&r, 0, sizeof(r));
  memset(&ps, 0, sizeof(ps));
  rc = query_prepare(cur, args[0], 2, "two columns (two ids per row)",
                     &pairs);
  if( rc!=SQLITE_OK || pairs==0 ) return rc;
  rc = query_prepare(cur, args[1], 2, "two columns (an id and its text or "
                     "signature)", &docs);
  if( rc!=SQLITE_OK || docs==0 ){
    sqlite3_finalize(pairs);
    return rc;
  }
  if( sqlite3_bind_parameter_count(docs)>1 ){
    sqlite3_finalize(pairs);
    sqlite3_finalize(docs);
    return corpus_tvf_error(cur, "the docs query may have one parameter "
                            "(?1, the least id a pass reads), got %d",
                            sqlite3_bind_parameter_count(docs));
  }
  memset(&o, 0, sizeof(o));
  o.threshold = 0.8;
  o.memory = CORPUS_PASSES_MEMORY_DEFAULT;
  corpus_minhash_init(&o.mh);
  if( args[2] ){
    rc = corpus_tvf_options(cur, args[2], verify_option, &o);
  }
  if( rc==SQLITE_OK ) rc = verify_read_pairs(cur, pairs, &r);
  sqlite3_finalize(pairs);
  if( rc==SQLITE_OK && r.npair>0
   && corpus_passes_init(&ps, r.pairs, r.npair, (uint32_t)r.nid, o.memory) ){
    rc = SQLITE_NOMEM;
  }
  if( rc!=SQLITE_OK || r.npair==0 ){
    sqlite3_finalize(docs);
    verify_run_free(&r);
    return rc;
  }
  corpus_progress_start(&progress, o.progress, "dedup_verify", -1);
  while( rc==SQLITE_OK && corpus_passes_begin(&ps, &first) ){
    rc = verify_pass(c, &r, &ps, first, docs, &o, &progress, &nread);
  }
  corpus_progress_end(&progress);
  sqlite3_finalize(docs);
  corpus_passes_free(&ps);
  verify_run_free(&r);
  if( rc==SQLITE_OK ) cur->nrow = (sqlite3_int64)c->n;
  return rc;
}

static int verify_column(corpus_tvf_cursor *cur, sqlite3_context *ctx,
                         int col){
  verify_cursor *c = (verify_cursor*)cur;
  const verify_edge *e = &c->edges[cur->row];
  if( col==VERIFY_SIMILARITY ){
    sqlite3_result_double(ctx, e->similarity);
  }else{
    sqlite3_result_int64(ctx, col==VERIFY_A ? e->a : e->b);
  }
  return SQLITE_OK;
}

static const char *const verify_args[] = {"pairs", "docs", "options"};
static const corpus_tvf verify_tvf = {
  "dedup_verify",
  "CREATE TABLE x(a INTEGER, b INTEGER, similarity REAL, pairs HIDDEN, "
  "docs HIDDEN, options HIDDEN)",
  3, 3, 2, verify_args, SQLITE_VTAB_DIRECTONLY, sizeof(verify_cursor),
  verify_filter, verify_column, verify_reset, 0, 0
};

static const corpus_sql cluster_sql[] = {
  CORPUS_TABLE_FUNCTION("dedup_clusters", &clusters_tvf),
  CORPUS_TABLE_FUNCTION("dedup_verify", &verify_tvf),
};

int corpus_cluster_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, cluster_sql, CORPUS_COUNT(cluster_sql), pzErr);
}
