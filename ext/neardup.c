/*
** Near-duplicate removal in one call: sql/dedup.sql's pipeline over a
** table, a view or a query, with the same answers.
**
** SQL:
**   near_duplicates(source [, options])   table: id, cluster, keep
**
** The documents are read in id order (SQLite's order: numbers before text,
** text by the id column's collation) and numbered 0..N-1, as the recipe's
** dedup_id numbers them.  Then, as the recipe's steps:
**   1. every TEXT is signed (minhash.c); a contentless one (the empty
**      signature) and a NULL are never candidates;
**   2. each signature gives `bands` bucket keys (lsh.c), kept per document
**      (verify=exact) or with the whole signature (verify=minhash);
**   3. band by band, the documents sorted by bucket key: a bucket of 2 to
**      all_pairs documents gives every pair, a larger one each document
**      with the bucket's least; the pairs of all bands, without repeats;
**   4. each pair verified: exact Jaccard of the texts (a second read of the
**      source, each text shingled once and its shingle set held only while
**      the document has a pair to come) or the fraction of equal signature
**      slots, >= threshold;
**   5. connected components of the verified pairs (cluster.c's
**      union-find); a component's cluster is its least number.
** A pair whose documents are already connected is not verified: it could
** not change a component.  Rows: every document in a component, in id
** order, with its cluster's id and keep = 1 for the one kept.
**
** Memory: per document its id, a flag and its band keys (8 bytes a band)
** or signature (4 bytes a slot), 8 bytes of text hash and 8 of union-find
** (corpus_dsu); the candidate pairs (8 bytes each); shingle sets (8 bytes
** a distinct shingle) only while a pair needs them.  Work: the
** signing, and radix sorts of N keys per band and of the pairs.
** sqlite3_interrupt() stops the reads (their statements fail) and the
** loops between them (a probe every few thousand steps).  DIRECTONLY: it
** runs SQL of its own.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "corpus_sql.h"

#define ND_ID       0
#define ND_CLUSTER  1
#define ND_KEEP     2

enum { ND_VERIFY_EXACT, ND_VERIFY_MINHASH };
enum { ND_KEEP_LEAST, ND_KEEP_LONGEST, ND_KEEP_MAX };

#define ND_ALL_PAIRS_MAX 1000
#define ND_PROBE_EVERY   4096

/* ---- Options ------------------------------------------------------------------ */

typedef struct nd_opts {
  double threshold;
  corpus_minhash_params mh;
  long long bands, rows;      /* 0: not given */
  long long all_pairs;
  int verify;
  int keep;
  char *keep_expr;            /* EXPR of keep=max(EXPR), corpus_realloc'd */
  int progress;
  size_t verify_memory;       /* bytes of shingle sets held at once */
} nd_opts;

static int nd_option(void *ctx, const char *key, const char *value,
                     char *err){
  nd_opts *o = (nd_opts*)ctx;
  int c;
  if( strcmp(key, "threshold")==0 ){
    return corpus_option_fraction(key, value, &o->threshold, err);
  }else if( strcmp(key, "num_perm")==0 || strcmp(key, "ngram")==0
         || strcmp(key, "unit")==0 || strcmp(key, "seed")==0
         || strcmp(key, "normalize")==0 ){
    return corpus_minhash_option(&o->mh, key, value, err);
  }else if( strcmp(key, "bands")==0 || strcmp(key, "rows")==0 ){
    return corpus_option_int(key, value, 1, CORPUS_MINHASH_MAX_PERM,
                             key[0]=='b' ? &o->bands : &o->rows, err);
  }else if( strcmp(key, "all_pairs")==0 ){
    return corpus_option_int(key, value, 2, ND_ALL_PAIRS_MAX, &o->all_pairs,
                             err);
  }else if( strcmp(key, "verify")==0 ){
    if( (c = corpus_option_choice(key, value, "exact|minhash", err))<0 ){
      return -1;
    }
    o->verify = c;
  }else if( strcmp(key, "keep")==0 ){
    size_t n = strlen(value);
    if( strcmp(value, "least")==0 ){
      o->keep = ND_KEEP_LEAST;
    }else if( strcmp(value, "longest")==0 ){
      o->keep = ND_KEEP_LONGEST;
    }else if( n>5 && sqlite3_strnicmp(value, "max(", 4)==0
           && value[n-1]==')'
           && *corpus_sql_skip_blank(value+4)!=')' ){
      o->keep = ND_KEEP_MAX;
      o->keep_expr = corpus_realloc(0, n-4);
      if( o->keep_expr==0 ) return CORPUS_NOMEM;
      memcpy(o->keep_expr, value+4, n-5);
      o->keep_expr[n-5] = 0;
    }else{
      snprintf(err, CORPUS_ERRMAX, "keep must be least, longest or "
               "max(EXPR), got '%.60s'", value);
      return -1;
    }
  }else if( strcmp(key, "progress")==0 ){
    if( (c = corpus_option_choice(key, value, "off|on", err))<0 ) return -1;
    o->progress = c;
  }else if( strcmp(key, "verify_memory")==0 ){
    return corpus_option_mib(key, value, &o->verify_memory, err);
  }else{
    snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: threshold, "
             "num_perm, ngram, unit, seed, normalize, bands, rows, all_pairs, "
             "verify, verify_memory, keep, progress)", key);
    return -1;
  }
  return 0;
}

/* bands and rows: as given, the one missing num_perm / the other, or
** lsh_params(threshold, num_perm, 0.05, 0.95) for both, the recipe's. */
static int nd_banding(nd_opts *o, char *err){
  int b = (int)o->bands, r = (int)o->rows;
  if( corpus_lsh_banding(o->threshold, o->mh.num_perm, &b, &r, err) ){
    return -1;
  }
  o->bands = b;
  o->rows = r;
  return 0;
}

/* ---- The source --------------------------------------------------------------- */

/* The statements that read the source, and what they share. */
typedef struct nd_source {
  sqlite3_stmt *read;     /* id, text, ...: every document in id order */
  sqlite3_stmt *check;    /* a NULL or duplicated id, if any */
  sqlite3_stmt *rank;     /* id, rank of the keep expression (keep=max) */
} nd_source;

static void nd_source_end(nd_source *s){
  sqlite3_finalize(s->read);
  sqlite3_finalize(s->check);
  sqlite3_finalize(s->rank);
  memset(s, 0, sizeof(*s));
}

#define nd_error(c, ...) corpus_tvf_error(c, __VA_ARGS__)

/* The error of SQL the function runs: SQLite's message (named once when it
** comes from a near_duplicates() inside the source), and its code, so that
** an interrupt stays SQLITE_INTERRUPT. */
static int nd_sql_error(corpus_tvf_cursor *c, int rc, const char *what){
  sqlite3 *db = corpus_tvf_db(c);
  const char *m = sqlite3_errmsg(db);
  int e;
  if( rc==SQLITE_NOMEM ) return SQLITE_NOMEM;
  if( strncmp(m, "near_duplicates: ", 17)==0 ) m += 17;
  e = nd_error(c, "%s%s", what, m);
  if( e==SQLITE_NOMEM ) return e;
  return (rc==SQLITE_ROW || rc==SQLITE_DONE || rc==SQLITE_OK) ? SQLITE_ERROR
                                                              : rc;
}

/* Prepares one statement of the whole of sql, read-only. */
static int nd_prepare(corpus_tvf_cursor *c, const char *sql,
                      const char *what, sqlite3_stmt **out){
  sqlite3 *db = corpus_tvf_db(c);
  const char *tail = 0;
  int rc = sqlite3_prepare_v2(db, sql, -1, out, &tail);
  if( rc!=SQLITE_OK ) return nd_sql_error(c, rc, what);
  if( *out==0 || !corpus_sql_is_end(tail) || !sqlite3_stmt_readonly(*out) ){
    sqlite3_finalize(*out);
    *out = 0;
    return *what ? nd_error(c, "keep=max(EXPR) must be one expression")
                 : nd_error(c, "source must be a table or view name, or one "
                            "query (SELECT, WITH or VALUES)");
  }
  return SQLITE_OK;
}

/* The statements for source z: a name is read as SELECT id, text FROM it,
** a query as it is (its first two columns); the id column is named c0 in
** the others (the subquery's first column, qualified, so that a name that
** does not resolve is an error rather than a string). */
static int nd_source_begin(corpus_tvf_cursor *c, const char *z,
                           const nd_opts *o, nd_source *s){
  sqlite3 *db = corpus_tvf_db(c);
  char *from = 0, *c0 = 0, *sql = 0;
  int rc = SQLITE_OK;
  memset(s, 0, sizeof(*s));
  if( corpus_sql_is_query(z) ){
    sqlite3_stmt *probe = 0;
    const char *tail = 0;
    size_t n;
    rc = sqlite3_prepare_v2(db, z, -1, &probe, &tail);
    if( rc!=SQLITE_OK ) return nd_sql_error(c, rc, "");
    if( probe==0 || !corpus_sql_is_end(tail)
     || !sqlite3_stmt_readonly(probe) || sqlite3_stmt_isexplain(probe) ){
      sqlite3_finalize(probe);
      return nd_error(c, "source must be a table or view name, or one query "
                      "(SELECT, WITH or VALUES)");
    }
    if( sqlite3_column_count(probe)<2 ){
      int ncol = sqlite3_column_count(probe);
      sqlite3_finalize(probe);
      return nd_error(c, "the query must return two columns (id, text), "
                      "got %d", ncol);
    }
    /* the query's text without its ';', inside parentheses on lines of
    ** their own (a -- comment at its end ends there) */
    n = (size_t)(tail - z);
    while( n>0 && (z[n-1]==';' || corpus_white_space((unsigned char)z[n-1])) ){
      n--;
    }
    sqlite3_finalize(probe);
    from = sqlite3_mprintf("(\n%.*s\n) AS near_duplicates_source", (int)n, z);
    if( from==0 ){ rc = SQLITE_NOMEM; goto done; }
    sql = sqlite3_mprintf("SELECT * FROM %s ORDER BY 1", from);
  }else if( corpus_sql_is_name(z) ){
    from = sqlite3_mprintf("%s", corpus_sql_skip_blank(z));
    c0 = sqlite3_mprintf("id");
    if( from==0 || c0==0 ){ rc = SQLITE_NOMEM; goto done; }
    sql = sqlite3_mprintf("SELECT id, text FROM %s ORDER BY id", from);
  }else{
    return nd_error(c, "source must be a table or view name, or one query "
                    "(SELECT, WITH or VALUES)");
  }
  if( sql==0 ){ rc = SQLITE_NOMEM; goto done; }
  rc = nd_prepare(c, sql, "", &s->read);
  if( rc ) goto done;
  if( c0==0 ){
    /* the name SQLite gave the subquery's first column (a query's own
    ** name for it may differ: 'x COLLATE NOCASE' is column x) */
    const char *name = sqlite3_column_name(s->read, 0);
    if( name==0
     || (c0 = sqlite3_mprintf("near_duplicates_source.\"%w\"", name))==0 ){
      rc = SQLITE_NOMEM;
      goto done;
    }
  }
  sqlite3_free(sql);
  sql = sqlite3_mprintf("SELECT %s FROM %s GROUP BY 1 HAVING count(*) > 1 "
                        "OR %s IS NULL OR typeof(%s) = 'blob' LIMIT 1", c0,
                        from, c0, c0);
  if( sql==0 ){ rc = SQLITE_NOMEM; goto done; }
  rc = nd_prepare(c, sql, "", &s->check);
  if( rc ) goto done;
  if( o->keep==ND_KEEP_MAX ){
    /* in a WHERE clause, an aggregate or a window function is an error:
    ** the expression must be of one row */
    sqlite3_free(sql);
    sql = sqlite3_mprintf("SELECT 1 FROM %s WHERE (\n%s\n) IS NULL", from,
                          o->keep_expr);
    if( sql==0 ){ rc = SQLITE_NOMEM; goto done; }
    rc = nd_prepare(c, sql, "keep: ", &s->rank);
    if( rc ) goto done;
    sqlite3_finalize(s->rank);
    s->rank = 0;
    sqlite3_free(sql);
    sql = sqlite3_mprintf("SELECT %s, dense_rank() OVER (ORDER BY (\n%s\n) "
                          "DESC NULLS LAST) FROM %s ORDER BY 1", c0,
                          o->keep_expr, from);
    if( sql==0 ){ rc = SQLITE_NOMEM; goto done; }
    rc = nd_prepare(c, sql, "keep: ", &s->rank);
  }
done:
  sqlite3_free(from);
  sqlite3_free(c0);
  sqlite3_free(sql);
  if( rc ) nd_source_end(s);
  return rc;
}

/* ---- Documents ----------------------------------------------------------------- */

/* Fixed-size records in chunks, so that no one allocation holds them all. */
#define ND_CHUNK 1024
typedef struct nd_store {
  size_t size;                /* bytes a record */
  unsigned char **chunk;
  size_t nchunk;
} nd_store;

static unsigned char *nd_rec(const nd_store *s, uint32_t i){
  return s->chunk[i/ND_CHUNK] + (size_t)(i%ND_CHUNK)*s->size;
}

/* Record i, its chunk made when it is the first of one; NULL when out of
** memory.  Records are taken in order. */
static unsigned char *nd_rec_new(nd_store *s, uint32_t i){
  if( i%ND_CHUNK==0 ){
    unsigned char **chunk = corpus_realloc(s->chunk,
                                   sizeof(*chunk)*(s->nchunk+1));
    if( chunk==0 ) return 0;
    s->chunk = chunk;
    chunk[s->nchunk] = corpus_realloc(0, s->size*ND_CHUNK);
    if( chunk[s->nchunk]==0 ) return 0;
    s->nchunk++;
  }
  return nd_rec(s, i);
}

static void nd_store_free(nd_store *s){
  size_t i;
  for(i=0; i<s->nchunk; i++) corpus_free(s->chunk[i]);
  corpus_free(s->chunk);
  s->chunk = 0;
  s->nchunk = 0;
}

/* The documents as read: ids (type and bytes: an INTEGER or REAL as its 8
** bytes), whether each was signed (a TEXT with a shingle), its length in
** code points (keep=longest), and its record: an xxh3 of the text, then
** the band keys (verify=exact) or the signature's slots, little-endian
** (verify=minhash). */
typedef struct nd_docs {
  uint32_t n, cap;
  uint64_t *idoff;            /* cap+1: ids of i at idbuf[idoff[i]..idoff[i+1]) */
  uint8_t *idtype;
  uint8_t *hassig;
  uint32_t *chars;            /* keep=longest only */
  char *idbuf;
  size_t idlen, idcap;
  nd_store rec;
} nd_docs;

static void nd_docs_free(nd_docs *d){
  corpus_free(d->idoff);
  corpus_free(d->idtype);
  corpus_free(d->hassig);
  corpus_free(d->chars);
  corpus_free(d->idbuf);
  nd_store_free(&d->rec);
  memset(d, 0, sizeof(*d));
}

static int nd_grow(void **p, size_t size, size_t n){
  void *q = corpus_realloc(*p, size*n);
  if( q==0 ) return -1;
  *p = q;
  return 0;
}

/* Room for document d->n: 0 or -1 (out of memory). */
static int nd_docs_reserve(nd_docs *d, int chars){
  uint32_t cap;
  if( d->n<d->cap ) return 0;
  cap = d->cap ? 2*d->cap : 1024;
  if( d->cap>=0x7fffffffu ) cap = 0xfffffffeu;
  if( nd_grow((void**)&d->idoff, sizeof(uint64_t), (size_t)cap+1)
   || nd_grow((void**)&d->idtype, 1, cap)
   || nd_grow((void**)&d->hassig, 1, cap)
   || (chars && nd_grow((void**)&d->chars, sizeof(uint32_t), cap)) ){
    return -1;
  }
  if( d->cap==0 ){
    d->idoff[0] = 0;
    if( nd_grow((void**)&d->idbuf, 1, 4096) ) return -1;
    d->idcap = 4096;
  }
  d->cap = cap;
  return 0;
}

/* Appends the id in column 0 of stmt as document d->n's. */
static int nd_docs_add_id(nd_docs *d, sqlite3_stmt *stmt){
  int t = sqlite3_column_type(stmt, 0);
  const void *p;
  size_t n;
  sqlite3_int64 iv;
  double rv;
  if( t==SQLITE_INTEGER ){
    iv = sqlite3_column_int64(stmt, 0);
    p = &iv;
    n = 8;
  }else if( t==SQLITE_FLOAT ){
    rv = sqlite3_column_double(stmt, 0);
    p = &rv;
    n = 8;
  }else{
    p = sqlite3_column_text(stmt, 0);
    n = (size_t)sqlite3_column_bytes(stmt, 0);
    if( p==0 && n>0 ) return -1;
  }
  if( d->idlen + n > d->idcap ){
    size_t cap = d->idcap ? d->idcap : 4096;
    while( cap < d->idlen + n ) cap *= 2;
    if( nd_grow((void**)&d->idbuf, 1, cap) ) return -1;
    d->idcap = cap;
  }
  if( n ) memcpy(d->idbuf + d->idlen, p, n);
  d->idlen += n;
  d->idtype[d->n] = (uint8_t)t;
  d->idoff[d->n+1] = d->idlen;
  return 0;
}

/* Whether column 0 of stmt is the id of document i. */
static int nd_same_id(const nd_docs *d, uint32_t i, sqlite3_stmt *stmt){
  int t = sqlite3_column_type(stmt, 0);
  const char *z = d->idbuf + d->idoff[i];
  size_t n = (size_t)(d->idoff[i+1] - d->idoff[i]);
  if( t!=d->idtype[i] ) return 0;
  if( t==SQLITE_INTEGER ){
    sqlite3_int64 v = sqlite3_column_int64(stmt, 0);
    return memcmp(z, &v, 8)==0;
  }
  if( t==SQLITE_FLOAT ){
    double v = sqlite3_column_double(stmt, 0);
    return memcmp(z, &v, 8)==0;
  }
  return (size_t)sqlite3_column_bytes(stmt, 0)==n
      && (n==0 || memcmp(sqlite3_column_text(stmt, 0), z, n)==0);
}

/* An id as an error names it: 7, 2.5, 'doc-7' (long ones cut). */
static char *nd_id_text(int type, const void *p, size_t n){
  if( type==SQLITE_INTEGER ){
    sqlite3_int64 v;
    memcpy(&v, p, 8);
    return sqlite3_mprintf("%lld", v);
  }
  if( type==SQLITE_FLOAT ){
    double v;
    memcpy(&v, p, 8);
    return sqlite3_mprintf("%!.15g", v);
  }
  if( n>60 ){
    /* cut at a character's start */
    size_t k = 57;
    while( k>0 && (((const unsigned char*)p)[k] & 0xC0)==0x80 ) k--;
    return sqlite3_mprintf("'%.*q...'", (int)k, (const char*)p);
  }
  return sqlite3_mprintf("'%.*q'", (int)n, (const char*)p);
}

static char *nd_stmt_id_text(sqlite3_stmt *stmt){
  int t = sqlite3_column_type(stmt, 0);
  sqlite3_int64 iv;
  double rv;
  if( t==SQLITE_INTEGER ){
    iv = sqlite3_column_int64(stmt, 0);
    return nd_id_text(t, &iv, 8);
  }
  if( t==SQLITE_FLOAT ){
    rv = sqlite3_column_double(stmt, 0);
    return nd_id_text(t, &rv, 8);
  }
  if( t==SQLITE_BLOB ) return sqlite3_mprintf("a BLOB");
  return nd_id_text(t, sqlite3_column_text(stmt, 0),
                    (size_t)sqlite3_column_bytes(stmt, 0));
}

static char *nd_doc_id_text(const nd_docs *d, uint32_t i){
  return nd_id_text(d->idtype[i], d->idbuf + d->idoff[i],
                    (size_t)(d->idoff[i+1] - d->idoff[i]));
}

static void nd_put_u32(unsigned char *p, uint32_t v){
  p[0] = (unsigned char)v; p[1] = (unsigned char)(v>>8);
  p[2] = (unsigned char)(v>>16); p[3] = (unsigned char)(v>>24);
}

/* ---- Sorting ------------------------------------------------------------------- */

/* Sorts k[0..n-1] ascending, stably, carrying v (may be NULL) along: LSD
** radix on bytes, skipping a byte every key shares.  tk and tv are n
** entries of scratch.  Linear in n. */
static void nd_radix_sort(uint64_t *k, uint32_t *v, size_t n, uint64_t *tk,
                          uint32_t *tv){
  uint64_t *k0 = k;
  uint32_t *v0 = v;
  size_t count[256];
  int shift;
  if( n<2 ) return;
  for(shift=0; shift<64; shift+=8){
    size_t i, sum = 0;
    memset(count, 0, sizeof(count));
    for(i=0; i<n; i++) count[(k[i]>>shift) & 255]++;
    if( count[(k[0]>>shift) & 255]==n ) continue;
    for(i=0; i<256; i++){ size_t c = count[i]; count[i] = sum; sum += c; }
    for(i=0; i<n; i++){
      size_t to = count[(k[i]>>shift) & 255]++;
      tk[to] = k[i];
      if( v ) tv[to] = v[i];
    }
    { uint64_t *t = k; k = tk; tk = t; }
    { uint32_t *t = v; v = tv; tv = t; }
  }
  if( k!=k0 ){
    memcpy(k0, k, n*sizeof(uint64_t));
    if( v0 ) memcpy(v0, v, n*sizeof(uint32_t));
  }
}

/* ---- Candidate pairs ----------------------------------------------------------- */

/* Pairs of document numbers a < b, each as b<<32 | a, so that sorted they
** come in the order of their later document. */
typedef struct nd_pairs { uint64_t *p; size_t n, cap, clean; } nd_pairs;

static int nd_pair_add(nd_pairs *s, uint32_t a, uint32_t b){
  if( s->n==s->cap ){
    size_t cap = s->cap ? 2*s->cap : 4096;
    if( cap > CORPUS_MAX_ALLOC/sizeof(uint64_t) ) return -1;
    if( nd_grow((void**)&s->p, sizeof(uint64_t), cap) ) return -1;
    s->cap = cap;
  }
  s->p[s->n++] = (uint64_t)b<<32 | a;
  return 0;
}

/* Sorts the pairs and drops repeats (a pair shares buckets in several
** bands).  tmp: scratch of s->cap entries. */
static void nd_pairs_unique(nd_pairs *s, uint64_t *tmp){
  size_t i, k;
  nd_radix_sort(s->p, 0, s->n, tmp, 0);
  for(i=1, k=s->n ? 1 : 0; i<s->n; i++){
    if( s->p[i]!=s->p[k-1] ) s->p[k++] = s->p[i];
  }
  s->n = s->clean = k;
}

/* The band key of document i in band b. */
static uint64_t nd_band_key(const nd_docs *d, const nd_opts *o, uint32_t i,
                            int b){
  const unsigned char *r = nd_rec(&d->rec, i) + 8;
  if( o->verify==ND_VERIFY_EXACT ){
    uint64_t k;
    memcpy(&k, r + 8*(size_t)b, 8);
    return k;
  }
  return corpus_lsh_bucket(r, b, (int)o->rows);
}

/* Step 3: the candidate pairs of every band, sorted, without repeats.
** A bucket whose documents are those of a bucket of the band before (the
** copies of one text share every band) gives its pairs once: the pairs of
** a bucket depend on its documents only.  SQLITE_OK, SQLITE_NOMEM or
** SQLITE_INTERRUPT. */
static int nd_candidates(const nd_docs *d, const nd_opts *o,
                         corpus_probe *probe, nd_pairs *out){
  uint64_t *key = 0, *tkey = 0, *tmp = 0;
  uint32_t *idx = 0, *tidx = 0, i, nsig = 0;
  /* the band before: its documents in bucket order, and for the least
  ** document of each bucket (by number) the band (plus 1), start and size */
  uint32_t *prev = 0, *pband = 0, *pstart = 0, *plen = 0;
  size_t steps = 0;
  int b, rc = SQLITE_OK;
  for(i=0; i<d->n; i++) nsig += d->hassig[i];
  if( nsig<2 ) return SQLITE_OK;
  key = corpus_realloc(0, sizeof(uint64_t)*nsig);
  tkey = corpus_realloc(0, sizeof(uint64_t)*nsig);
  idx = corpus_realloc(0, sizeof(uint32_t)*nsig);
  tidx = corpus_realloc(0, sizeof(uint32_t)*nsig);
  prev = corpus_realloc(0, sizeof(uint32_t)*nsig);
  pband = corpus_realloc(0, sizeof(uint32_t)*d->n);
  pstart = corpus_realloc(0, sizeof(uint32_t)*d->n);
  plen = corpus_realloc(0, sizeof(uint32_t)*d->n);
  if( !key || !tkey || !idx || !tidx || !prev || !pband || !pstart || !plen ){
    rc = SQLITE_NOMEM;
    goto done;
  }
  memset(pband, 0, sizeof(uint32_t)*d->n);
  for(b=0; b<o->bands && rc==SQLITE_OK; b++){
    uint32_t k = 0, g, e;
    for(i=0; i<d->n; i++){
      if( !d->hassig[i] ) continue;
      key[k] = nd_band_key(d, o, i, b);
      idx[k++] = i;
    }
    /* stable: within a bucket the documents stay in number order */
    nd_radix_sort(key, idx, nsig, tkey, tidx);
    for(g=0; g<nsig && rc==SQLITE_OK; g=e){
      uint32_t x, y, f = idx[g], same;
      for(e=g+1; e<nsig && key[e]==key[g]; e++){}
      if( e-g<2 ) continue;
      same = b>0 && pband[f]==(uint32_t)b && plen[f]==e-g
          && memcmp(prev + pstart[f], idx + g, sizeof(uint32_t)*(e-g))==0;
      pband[f] = (uint32_t)b + 1;
      pstart[f] = g;
      plen[f] = e-g;
      if( same ){
        /* its pairs are in already */
      }else if( e-g<=(uint32_t)o->all_pairs ){
        for(x=g; x<e && rc==SQLITE_OK; x++){
          for(y=x+1; y<e; y++){
            if( nd_pair_add(out, idx[x], idx[y]) ){ rc = SQLITE_NOMEM; break; }
          }
        }
      }else{
        for(y=g+1; y<e; y++){
          if( nd_pair_add(out, idx[g], idx[y]) ){ rc = SQLITE_NOMEM; break; }
        }
      }
      steps += e-g;
      if( steps>=ND_PROBE_EVERY ){
        steps = 0;
        if( corpus_probe_interrupted(probe) ) rc = SQLITE_INTERRUPT;
      }
    }
    memcpy(prev, idx, sizeof(uint32_t)*nsig);
    /* repeats go when they could double the memory held */
    if( rc==SQLITE_OK && out->n > 2*out->clean + 65536 ){
      corpus_free(tmp);
      tmp = corpus_realloc(0, sizeof(uint64_t)*out->cap);
      if( tmp==0 ){ rc = SQLITE_NOMEM; break; }
      nd_pairs_unique(out, tmp);
    }
    if( rc==SQLITE_OK && corpus_probe_interrupted(probe) ) rc = SQLITE_INTERRUPT;
  }
  if( rc==SQLITE_OK && out->n>out->clean ){
    corpus_free(tmp);
    tmp = corpus_realloc(0, sizeof(uint64_t)*(out->n ? out->n : 1));
    if( tmp==0 ) rc = SQLITE_NOMEM;
    else nd_pairs_unique(out, tmp);
  }
done:
  corpus_free(key);
  corpus_free(tkey);
  corpus_free(idx);
  corpus_free(tidx);
  corpus_free(tmp);
  corpus_free(prev);
  corpus_free(pband);
  corpus_free(pstart);
  corpus_free(plen);
  return rc;
}

/* ---- The table ------------------------------------------------------------------ */

typedef struct nd_cursor {
  corpus_tvf_cursor base;
  nd_docs docs;
  int64_t *ids, *clusters;    /* document numbers of the rows */
  uint8_t *keep;
} nd_cursor;

static void nd_reset(corpus_tvf_cursor *cur){
  nd_cursor *c = (nd_cursor*)cur;
  nd_docs_free(&c->docs);
  corpus_free(c->ids);
  corpus_free(c->clusters);
  corpus_free(c->keep);
  c->ids = c->clusters = 0;
  c->keep = 0;
}

/* Checks for a NULL or a duplicated id (as the id column's collation sees
** them), when not every id was an INTEGER. */
static int nd_check_ids(corpus_tvf_cursor *c, nd_source *s){
  int rc = sqlite3_step(s->check);
  if( rc==SQLITE_ROW ){
    char *id;
    if( sqlite3_column_type(s->check, 0)==SQLITE_NULL ){
      return nd_error(c, "the source has a NULL id (every document needs "
                      "one)");
    }
    if( sqlite3_column_type(s->check, 0)==SQLITE_BLOB ){
      return nd_error(c, "an id is a BLOB (ids must be INTEGER, REAL or "
                      "TEXT)");
    }
    id = nd_stmt_id_text(s->check);
    if( id==0 ) return SQLITE_NOMEM;
    rc = nd_error(c, "duplicate id %s (each id must name one document)", id);
    sqlite3_free(id);
    return rc;
  }
  if( rc!=SQLITE_DONE ) return nd_sql_error(c, rc, "");
  return SQLITE_OK;
}

static int nd_changed(corpus_tvf_cursor *c){
  return nd_error(c, "the source changed between its reads (it is read "
                  "more than once: read a table, or a query that gives "
                  "the same rows every time)");
}


/* sqlite3_interrupt() seen between statements. */
static int nd_interrupted(corpus_tvf_cursor *c){
  nd_error(c, "interrupted");
  return SQLITE_INTERRUPT;
}

/* The end of a loop over a statement: SQLITE_OK when it ran to its end,
** the error already set when mine (set), else the statement's. */
static int nd_step_end(corpus_tvf_cursor *c, int rc, int set){
  if( set ) return rc;
  if( rc==SQLITE_DONE ) return SQLITE_OK;
  return nd_sql_error(c, rc, "");
}

/* Steps 1 and 2: reads and signs every document.  *allint: whether every
** id was an INTEGER, and so checked here: in id order a repeat is next to
** its first (other ids need the check of the id column's collation). */
static int nd_sign_all(corpus_tvf_cursor *c, nd_source *s, const nd_opts *o,
                       const corpus_minhash_perm *pm, nd_docs *d,
                       int *allint){
  sqlite3_stmt *st = s->read;
  corpus_progress progress;
  uint32_t *sig;
  unsigned char *le;
  long long bytes = 0;
  sqlite3_int64 last = 0;
  int rc, set = 0, np = o->mh.num_perm;
  int longest = o->keep==ND_KEEP_LONGEST;
  d->rec.size = 8 + (o->verify==ND_VERIFY_EXACT ? 8*(size_t)o->bands
                                                 : 4*(size_t)np);
  sig = corpus_realloc(0, sizeof(uint32_t)*(size_t)np);
  le = corpus_realloc(0, 4*(size_t)np);
  if( sig==0 || le==0 ){
    corpus_free(sig);
    corpus_free(le);
    return SQLITE_NOMEM;
  }
  corpus_progress_start(&progress, o->progress, "near_duplicates: signing", -1);
  while( (rc = sqlite3_step(st))==SQLITE_ROW ){
    int tid = sqlite3_column_type(st, 0), tt = sqlite3_column_type(st, 1);
    unsigned char *r;
    set = 1;
    if( tid==SQLITE_NULL ){
      rc = nd_error(c, "the source has a NULL id (every document needs one)");
      break;
    }
    if( tid==SQLITE_BLOB ){
      rc = nd_error(c, "an id is a BLOB (ids must be INTEGER, REAL or TEXT)");
      break;
    }
    if( tid!=SQLITE_INTEGER ){
      *allint = 0;
    }else if( *allint ){
      sqlite3_int64 v = sqlite3_column_int64(st, 0);
      if( d->n>0 && v==last ){
        rc = nd_error(c, "duplicate id %lld (each id must name one document)",
                      v);
        break;
      }
      last = v;
    }
    if( d->n==0xfffffffeu ){
      rc = nd_error(c, "more than %u documents", d->n);
      break;
    }
    if( nd_docs_reserve(d, longest) || nd_docs_add_id(d, st)
     || (r = nd_rec_new(&d->rec, d->n))==0 ){
      rc = SQLITE_NOMEM;
      break;
    }
    d->hassig[d->n] = 0;
    if( longest ) d->chars[d->n] = 0;
    if( tt==SQLITE_TEXT ){
      const char *z = (const char*)sqlite3_column_text(st, 1);
      size_t n = (size_t)sqlite3_column_bytes(st, 1);
      int empty, k;
      uint64_t h;
      if( z==0 ){ rc = SQLITE_NOMEM; break; }
      if( corpus_minhash_sign(z, n, &o->mh, pm, sig, &empty) ){
        rc = SQLITE_NOMEM;
        break;
      }
      bytes += (long long)n;
      if( longest ) d->chars[d->n] = (uint32_t)corpus_utf8_count(z, n);
      if( !empty ){
        d->hassig[d->n] = 1;
        h = corpus_xxh3(z, n, 0);
        memcpy(r, &h, 8);
        for(k=0; k<np; k++) nd_put_u32(le + 4*k, sig[k]);
        if( o->verify==ND_VERIFY_EXACT ){
          for(k=0; k<o->bands; k++){
            uint64_t key = corpus_lsh_bucket(le, k, (int)o->rows);
            memcpy(r + 8 + 8*(size_t)k, &key, 8);
          }
        }else{
          memcpy(r + 8, le, 4*(size_t)np);
        }
      }
    }else if( tt!=SQLITE_NULL ){
      char *id = nd_doc_id_text(d, d->n);
      rc = id ? nd_error(c, "text of id %s must be TEXT or NULL, got %s", id,
                         corpus_type_name(tt)) : SQLITE_NOMEM;
      sqlite3_free(id);
      break;
    }
    set = 0;
    d->n++;
    corpus_progress_update(&progress, d->n, bytes);
  }
  corpus_progress_end(&progress);
  corpus_free(sig);
  corpus_free(le);
  return nd_step_end(c, rc, set);
}

/* A document's shingle set, held for the pairs still to come (NULL and 0
** for one without a shingle, which no pair has). */
typedef struct nd_set { uint64_t *h; size_t n; } nd_set;

/* One pass of step 4, verify=exact (corpus_passes), over the source from
** its start to the last later document of a pair; *set: whether rc is an
** error already reported.  SQLITE_ROW when the pass is over. */
static int nd_verify_pass(corpus_tvf_cursor *c, sqlite3_stmt *st,
                          const nd_opts *o, const nd_docs *d,
                          const nd_pairs *pairs, corpus_passes *ps,
                          uint32_t first, nd_set *held, corpus_dsu *u,
                          corpus_probe *probe, corpus_progress *progress,
                          long long *nread, long long *bytes, int *set){
  uint32_t last = (uint32_t)(pairs->p[pairs->n-1]>>32), i;
  size_t steps = 0;
  int rc = SQLITE_ROW;
  sqlite3_reset(st);
  for(i=0; i<=last && !corpus_passes_over(ps); i++){
    const char *z;
    size_t n, b, e, k;
    uint64_t h;
    nd_set cur;
    int made = 0;
    rc = sqlite3_step(st);
    if( rc!=SQLITE_ROW ){
      if( rc==SQLITE_DONE ){ rc = nd_changed(c); *set = 1; }
      break;
    }
    if( !nd_same_id(d, i, st) ){ rc = nd_changed(c); *set = 1; break; }
    if( i<first || !corpus_passes_doc(ps, i, &b, &e) ) continue;
    z = (const char*)sqlite3_column_text(st, 1);
    n = (size_t)sqlite3_column_bytes(st, 1);
    if( z==0 ){ rc = SQLITE_NOMEM; *set = 1; break; }
    h = corpus_xxh3(z, n, 0);
    if( sqlite3_column_type(st, 1)!=SQLITE_TEXT
     || memcmp(&h, nd_rec(&d->rec, i), 8)!=0 ){
      rc = nd_changed(c);
      *set = 1;
      break;
    }
    *bytes += (long long)n;
    memset(&cur, 0, sizeof(cur));
    for(k=b; k<e; k++){
      uint32_t a = (uint32_t)pairs->p[k];
      if( corpus_dsu_find(u, a)!=corpus_dsu_find(u, i) ){
        double j;
        if( !made ){
          if( corpus_shingle_set(z, n, &o->mh, &cur.h, &cur.n) ){
            rc = SQLITE_NOMEM;
            break;
          }
          made = 1;
        }
        j = corpus_jaccard_sets(held[a].h, held[a].n, cur.h, cur.n);
        if( j>=o->threshold ) corpus_dsu_union(u, a, i);
      }
      if( corpus_passes_done(ps, k) && held[a].h ){
        corpus_passes_drop(ps, sizeof(uint64_t)*held[a].n);
        corpus_free(held[a].h);
        held[a].h = 0;
      }
      if( ++steps>=ND_PROBE_EVERY ){
        steps = 0;
        if( corpus_probe_interrupted(probe) ){ rc = SQLITE_INTERRUPT; break; }
      }
    }
    if( rc==SQLITE_ROW && !made && corpus_passes_may_hold(ps, i) ){
      if( corpus_shingle_set(z, n, &o->mh, &cur.h, &cur.n) ){
        rc = SQLITE_NOMEM;
      }else{
        made = 1;
      }
    }
    if( rc==SQLITE_ROW && cur.h
     && corpus_passes_hold(ps, i, sizeof(uint64_t)*cur.n) ){
      held[i] = cur;
    }else{
      corpus_free(cur.h);
    }
    if( rc==SQLITE_NOMEM || rc==SQLITE_INTERRUPT ){ *set = 1; break; }
    corpus_progress_update(progress, ++*nread, *bytes);
  }
  sqlite3_reset(st);
  /* what the pass's documents left held (none when it is over) */
  for(i=first; i<ps->held_end; i++){
    corpus_free(held[i].h);
    held[i].h = 0;
  }
  return rc;
}

/* Step 4, verify=exact: more reads of the source, in passes that hold at
** most verify_memory MiB of shingle sets (corpus_passes): a document's text
** is shingled when it is read and a pair needs it, and its shingle set is
** held until its last pair with a later document is verified; so each
** text is shingled once a pass at most, whatever its number of pairs, and
** a pair costs a merge of two sets. */
static int nd_verify_exact(corpus_tvf_cursor *c, nd_source *s,
                           const nd_opts *o, const nd_docs *d,
                           const nd_pairs *pairs, corpus_dsu *u,
                           corpus_probe *probe){
  corpus_progress progress;
  corpus_passes ps;
  nd_set *held;
  uint32_t first;
  long long nread = 0, bytes = 0;
  int rc = SQLITE_ROW, set = 0;
  if( pairs->n==0 ) return SQLITE_OK;
  held = corpus_realloc(0, sizeof(nd_set)*d->n);
  if( held==0 || corpus_passes_init(&ps, pairs->p, pairs->n, d->n,
                                    o->verify_memory) ){
    corpus_free(held);
    return SQLITE_NOMEM;
  }
  memset(held, 0, sizeof(nd_set)*d->n);
  corpus_progress_start(&progress, o->progress, "near_duplicates: verifying",
                        -1);
  while( rc==SQLITE_ROW && !set && corpus_passes_begin(&ps, &first) ){
    rc = nd_verify_pass(c, s->read, o, d, pairs, &ps, first, held, u, probe,
                        &progress, &nread, &bytes, &set);
  }
  corpus_progress_end(&progress);
  corpus_passes_free(&ps);
  corpus_free(held);
  if( rc==SQLITE_ROW && !set ) return SQLITE_OK;
  if( rc==SQLITE_INTERRUPT && set ) return nd_interrupted(c);
  return nd_step_end(c, rc, set);
}

/* Step 4, verify=minhash: the fraction of equal slots of the two
** signatures. */
static int nd_verify_minhash(const nd_opts *o, const nd_docs *d,
                             const nd_pairs *pairs, corpus_dsu *u,
                             corpus_probe *probe){
  corpus_minhash_sig sa, sb;
  size_t k;
  memset(&sa, 0, sizeof(sa));
  sa.params = o->mh;
  sb = sa;
  for(k=0; k<pairs->n; k++){
    uint32_t a = (uint32_t)pairs->p[k], b = (uint32_t)(pairs->p[k]>>32);
    if( k%ND_PROBE_EVERY==ND_PROBE_EVERY-1 && corpus_probe_interrupted(probe) ){
      return SQLITE_INTERRUPT;
    }
    if( corpus_dsu_find(u, a)==corpus_dsu_find(u, b) ) continue;
    sa.values = nd_rec(&d->rec, a) + 8;
    sb.values = nd_rec(&d->rec, b) + 8;
    if( corpus_minhash_jaccard(&sa, &sb)>=o->threshold ) corpus_dsu_union(u, a, b);
  }
  return SQLITE_OK;
}

/* The row of the least document of row r's cluster (rows are in document
** order, so it comes first). */
static uint32_t nd_head(const int64_t *ids, uint32_t m, int64_t cluster){
  uint32_t lo = 0, hi = m;
  while( lo<hi ){
    uint32_t mid = lo + (hi-lo)/2;
    if( ids[mid]<cluster ) lo = mid+1; else hi = mid;
  }
  return lo;
}

/* keep of each of the m rows: 1 for the least id of its cluster, or for
** the greatest score (ties: the least id).  A score is the length in code
** points (keep=longest) or minus the dense rank of the expression, greatest
** first with NULL last (keep=max), read from the source once more. */
static int nd_keep(nd_cursor *c, nd_source *s, const nd_opts *o, uint32_t m){
  corpus_tvf_cursor *cur = &c->base;
  const nd_docs *d = &c->docs;
  int64_t *score = 0;
  uint32_t *best = 0, r;
  int rc = SQLITE_OK;
  c->keep = corpus_realloc(0, m ? m : 1);
  if( c->keep==0 ) return SQLITE_NOMEM;
  if( o->keep==ND_KEEP_LEAST ){
    for(r=0; r<m; r++) c->keep[r] = c->ids[r]==c->clusters[r];
    return SQLITE_OK;
  }
  score = corpus_realloc(0, sizeof(int64_t)*(m ? m : 1));
  best = corpus_realloc(0, sizeof(uint32_t)*(m ? m : 1));
  if( score==0 || best==0 ){ rc = SQLITE_NOMEM; goto done; }
  if( o->keep==ND_KEEP_LONGEST ){
    for(r=0; r<m; r++) score[r] = d->chars[c->ids[r]];
  }else{
    uint32_t i;
    int set = 0;
    for(i=0, r=0; r<m; i++){
      rc = sqlite3_step(s->rank);
      if( rc!=SQLITE_ROW ){
        if( rc==SQLITE_DONE ){ rc = nd_changed(cur); set = 1; }
        break;
      }
      if( i>=d->n || !nd_same_id(d, i, s->rank) ){
        rc = nd_changed(cur);
        set = 1;
        break;
      }
      if( c->ids[r]==(int64_t)i ){
        score[r++] = -sqlite3_column_int64(s->rank, 1);
      }
    }
    sqlite3_reset(s->rank);
    if( r<m ){
      rc = nd_step_end(cur, rc, set);
      goto done;
    }
    rc = SQLITE_OK;
  }
  for(r=0; r<m; r++){
    uint32_t h = nd_head(c->ids, m, c->clusters[r]);
    if( h==r ) best[h] = r;
    else if( score[r]>score[best[h]] ) best[h] = r;
  }
  for(r=0; r<m; r++){
    c->keep[r] = best[nd_head(c->ids, m, c->clusters[r])]==r;
  }
done:
  corpus_free(score);
  corpus_free(best);
  return rc;
}

static int nd_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  nd_cursor *c = (nd_cursor*)cur;
  sqlite3_value *src = args[0];
  nd_opts o;
  nd_source s;
  nd_pairs pairs;
  corpus_minhash_perm *pm = 0;
  corpus_dsu uf;
  corpus_probe probe;
  char err[CORPUS_ERRMAX];
  int rc, allint = 1;
  uint32_t nrow = 0;
  if( sqlite3_value_type(src)==SQLITE_NULL ) return SQLITE_OK;
  memset(&uf, 0, sizeof(uf));
  if( sqlite3_value_type(src)!=SQLITE_TEXT ){
    return nd_error(cur, "source must be TEXT, got %s",
                    corpus_type_name(sqlite3_value_type(src)));
  }
  memset(&o, 0, sizeof(o));
  memset(&s, 0, sizeof(s));
  memset(&pairs, 0, sizeof(pairs));
  o.threshold = 0.8;
  o.verify_memory = CORPUS_PASSES_MEMORY_DEFAULT;
  corpus_minhash_init(&o.mh);
  o.all_pairs = 50;
  probe.db = corpus_tvf_db(cur);
  probe.stmt = 0;
  if( args[1] && (rc = corpus_tvf_options(cur, args[1], nd_option, &o)) ){
    goto done;
  }
  if( nd_banding(&o, err) ){
    rc = nd_error(cur, "%s", err);
    goto done;
  }
  rc = nd_source_begin(cur, (const char*)sqlite3_value_text(src), &o, &s);
  if( rc ) goto done;
  pm = corpus_minhash_perm_new(o.mh.seed, o.mh.num_perm);
  if( pm==0 ){ rc = SQLITE_NOMEM; goto done; }
  rc = nd_sign_all(cur, &s, &o, pm, &c->docs, &allint);
  if( rc==SQLITE_OK && !allint ) rc = nd_check_ids(cur, &s);
  if( rc ) goto done;
  /* the groups: a union-find over the document indexes (8 bytes each) */
  if( corpus_dsu_init(&uf, c->docs.n) ){ rc = SQLITE_NOMEM; goto done; }
  rc = nd_candidates(&c->docs, &o, &probe, &pairs);
  if( rc==SQLITE_OK ){
    rc = o.verify==ND_VERIFY_EXACT
       ? nd_verify_exact(cur, &s, &o, &c->docs, &pairs, &uf, &probe)
       : nd_verify_minhash(&o, &c->docs, &pairs, &uf, &probe);
  }
  if( rc==SQLITE_INTERRUPT && cur->base.pVtab->zErrMsg==0 ){
    rc = nd_interrupted(cur);
  }
  if( rc ) goto done;
  /* what the rows do not need goes before they are made */
  corpus_free(pairs.p);
  pairs.p = 0;
  nd_store_free(&c->docs.rec);
  if( corpus_dsu_clusters(&uf, &c->ids, &c->clusters, &nrow) ){
    rc = SQLITE_NOMEM;
    goto done;
  }
  corpus_dsu_free(&uf);
  rc = nd_keep(c, &s, &o, nrow);
  if( rc==SQLITE_OK ) cur->nrow = nrow;
done:
  corpus_probe_end(&probe);
  nd_source_end(&s);
  corpus_minhash_perm_free(pm);
  corpus_dsu_free(&uf);
  corpus_free(pairs.p);
  corpus_free(o.keep_expr);
  if( rc ) nd_reset(cur);
  return rc;
}

/* An id of document i as a result. */
static void nd_result_id(sqlite3_context *ctx, const nd_docs *d, uint32_t i){
  const char *z = d->idbuf + d->idoff[i];
  if( d->idtype[i]==SQLITE_INTEGER ){
    sqlite3_int64 v;
    memcpy(&v, z, 8);
    sqlite3_result_int64(ctx, v);
  }else if( d->idtype[i]==SQLITE_FLOAT ){
    double v;
    memcpy(&v, z, 8);
    sqlite3_result_double(ctx, v);
  }else{
    sqlite3_result_text(ctx, z, (int)(d->idoff[i+1] - d->idoff[i]),
                        SQLITE_TRANSIENT);
  }
}

static int nd_column(corpus_tvf_cursor *cur, sqlite3_context *ctx, int col){
  nd_cursor *c = (nd_cursor*)cur;
  if( col==ND_KEEP ){
    sqlite3_result_int(ctx, c->keep[cur->row]);
  }else{
    nd_result_id(ctx, &c->docs, (uint32_t)(col==ND_ID ? c->ids[cur->row]
                                                      : c->clusters[cur->row]));
  }
  return SQLITE_OK;
}

static const char *const nd_args[] = {"source", "options"};
static const corpus_tvf nd_tvf = {
  "near_duplicates",
  "CREATE TABLE x(id, cluster, keep INTEGER, source HIDDEN, options HIDDEN)",
  3, 2, 1, nd_args, SQLITE_VTAB_DIRECTONLY, sizeof(nd_cursor),
  nd_filter, nd_column, nd_reset, 0, 0
};

static const corpus_sql neardup_sql[] = {
  CORPUS_TABLE_FUNCTION("near_duplicates", &nd_tvf),
};

int corpus_neardup_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, neardup_sql, CORPUS_COUNT(neardup_sql),
                             pzErr);
}
