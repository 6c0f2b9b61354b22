/*
** Decontamination, GPT-3 (appendix C) and lm-evaluation-harness's janitor:
** training documents checked against the n-grams of evaluation items kept
** in an ngram_index (ngram_index.c).
**
**   contamination(text, index)           -> JSON array of the matches
**   decontaminate(text, index [, opts])  -> TEXT, the matches cut out
**   decontam_n(item)        aggregate    -> INTEGER, the n that fits items
**   covered_words(item, n)  aggregate    -> INTEGER
**
** contamination() reads all hashes into memory once per statement (when
** its index argument is the same for every row) and asks the grams table
** only about the n-grams found there.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "corpus_sql.h"

/* ---- contamination(text, index) --------------------------------------------- */

/* The hashes of an index, in memory for one statement. */
typedef struct gram_set {
  uint64_t *slot;
  size_t mask;
  int shift;          /* 64 - log2(slots): a slot from a hash's top bits */
  corpus_ngram_config cfg;
  sqlite3_int64 *dup; /* (hash, places) of each hash in more than one place */
  size_t ndup, capdup;
  char *schema, *name;
} gram_set;

static void gram_set_free(void *p){
  gram_set *g = (gram_set*)p;
  if( g==0 ) return;
  corpus_free(g->slot);
  corpus_free(g->dup);
  sqlite3_free(g->schema);
  sqlite3_free(g->name);
  corpus_free(g);
}

/* The slot is the hash's top bits, so that the hashes, which the grams
** table gives in key order, fill the table front to back (a random order
** would miss the cache at every one of millions of inserts). */
static int gram_set_has(const gram_set *g, uint64_t h){
  size_t i;
  if( h==0 ) h = 1;
  i = (size_t)(h >> g->shift);
  while( g->slot[i] ){
    if( g->slot[i]==h ) return 1;
    i = (i+1) & g->mask;
  }
  return 0;
}

static int cmp_pair(const void *x, const void *y){
  sqlite3_int64 a = *(const sqlite3_int64*)x, b = *(const sqlite3_int64*)y;
  return a<b ? -1 : a>b;
}

/* How many (item, pos) places of the index hold hash h (one unless it was
** seen more than once at load). */
static sqlite3_int64 gram_set_places(const gram_set *g, uint64_t h){
  size_t lo = 0, hi = g->ndup;
  sqlite3_int64 key = (sqlite3_int64)h;
  while( lo<hi ){
    size_t mid = lo + (hi-lo)/2;
    if( g->dup[2*mid]==key ) return g->dup[2*mid+1];
    if( g->dup[2*mid]<key ) lo = mid+1; else hi = mid;
  }
  return 1;
}

/* Loads index name (in main, or "schema.table"); NULL with *err set when it
** is not an ngram_index or its config is corrupt, *err NULL when out of
** memory.  A hash shared by several places (boilerplate in many items) is
** loaded once, with its count, so that a match costs the same however many
** items share it. */
static gram_set *gram_set_load(sqlite3 *db, const char *name, char **err){
  gram_set *g = corpus_realloc(0, sizeof(*g));
  const char *dot = strchr(name, '.');
  sqlite3_stmt *st = 0;
  char *sql;
  sqlite3_int64 count = 0;
  size_t cap = 16;
  int rc, sorted = 1;
  *err = 0;
  if( g==0 ) return 0;
  memset(g, 0, sizeof(*g));
  g->schema = dot ? sqlite3_mprintf("%.*s", (int)(dot-name), name)
                  : sqlite3_mprintf("main");
  g->name = sqlite3_mprintf("%s", dot ? dot+1 : name);
  if( g->schema==0 || g->name==0 ) goto nomem;
  switch( corpus_ngram_is_index(db, g->schema, g->name) ){
    case 1: break;
    case 0:
      *err = sqlite3_mprintf("no ngram_index named '%s'", name);
      if( *err==0 ) goto nomem;
      goto fail;
    default: goto nomem;
  }
  rc = corpus_ngram_config_read(db, g->schema, g->name, name, &g->cfg, err);
  if( rc ) goto fail;
  sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\".\"%w_grams\"",
                        g->schema, g->name);
  if( sql==0 ) goto nomem;
  rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
  sqlite3_free(sql);
  if( rc==SQLITE_OK && sqlite3_step(st)!=SQLITE_ROW ) rc = sqlite3_reset(st);
  if( rc ){
    if( rc==SQLITE_NOMEM ) goto nomem;
    if( corpus_ngram_missing(db, g->schema, g->name, name, err)==SQLITE_NOMEM ){
      goto nomem;
    }
    goto fail;
  }
  count = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  st = 0;
  /* the items table too, which a match's lookup reads */
  sql = sqlite3_mprintf("SELECT id, source FROM \"%w\".\"%w_items\"",
                        g->schema, g->name);
  if( sql==0 ) goto nomem;
  rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
  sqlite3_free(sql);
  sqlite3_finalize(st);
  st = 0;
  if( rc ){
    if( rc==SQLITE_NOMEM
     || corpus_ngram_missing(db, g->schema, g->name, name, err)==SQLITE_NOMEM ){
      goto nomem;
    }
    goto fail;
  }
  g->shift = 60;
  while( cap < (size_t)count*2 ){ cap <<= 1; g->shift--; }
  g->slot = corpus_realloc(0, cap*sizeof(uint64_t));
  if( g->slot==0 ) goto nomem;
  memset(g->slot, 0, cap*sizeof(uint64_t));
  g->mask = cap-1;
  sql = sqlite3_mprintf("SELECT hash, count(*) FROM \"%w\".\"%w_grams\" "
                        "GROUP BY hash", g->schema, g->name);
  if( sql==0 ) goto nomem;
  rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
  sqlite3_free(sql);
  if( rc ) goto nomem;
  while( (rc = sqlite3_step(st))==SQLITE_ROW ){
    sqlite3_int64 raw = sqlite3_column_int64(st, 0);
    sqlite3_int64 places = sqlite3_column_int64(st, 1);
    uint64_t h = (uint64_t)raw;
    size_t i;
    if( h==0 ) h = 1;
    i = (size_t)(h >> g->shift);
    while( g->slot[i] && g->slot[i]!=h ) i = (i+1) & g->mask;
    g->slot[i] = h;
    if( places>1 ){
      if( g->ndup==g->capdup ){
        size_t c = g->capdup ? g->capdup*2 : 16;
        sqlite3_int64 *p = corpus_realloc(g->dup, c*2*sizeof(sqlite3_int64));
        if( p==0 ) goto nomem;
        g->dup = p;
        g->capdup = c;
      }
      if( g->ndup && g->dup[2*g->ndup-2]>raw ) sorted = 0;
      g->dup[2*g->ndup] = raw;
      g->dup[2*g->ndup+1] = places;
      g->ndup++;
    }
  }
  if( rc!=SQLITE_DONE ){
    if( rc==SQLITE_NOMEM ) goto nomem;
    *err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    goto fail;
  }
  sqlite3_finalize(st);
  if( !sorted ) qsort(g->dup, g->ndup, 2*sizeof(sqlite3_int64), cmp_pair);
  return g;
nomem:
  sqlite3_free(*err);
  *err = 0;
fail:
  sqlite3_finalize(st);
  gram_set_free(g);
  return 0;
}

/* Character offsets of byte offsets that go mostly forward (the k-grams
** of short items, sorted in with the n-grams, step back within a gram). */
static size_t char_at(corpus_char_counter *c, const char *z, size_t byte){
  if( byte<c->byte ){
    c->chars -= corpus_utf8_count(z+byte, c->byte-byte);
    c->byte = byte;
    return c->chars;
  }
  return corpus_char_offset(c, z, byte);
}

/* The grams of a text, gathered in batches so that the set can be probed
** with prefetching (each probe is a cache miss in a table of millions);
** only the matches are kept, so memory follows them, not the text. */
typedef struct jgram { uint64_t hash; size_t start, end; } jgram;
typedef struct gram_list {
  jgram *g;
  size_t n, cap;
  size_t kept;          /* g[0..kept) are matches; the rest not probed yet */
  const gram_set *set;
} gram_list;

#define GRAM_BATCH 256

/* Probes g[kept..n) and keeps the matches. */
static void probe_batch(gram_list *l){
  size_t j, kept = l->kept;
  for(j=l->kept; j<l->n; j++){
    if( j+16<l->n ){
      uint64_t h = l->g[j+16].hash;
      __builtin_prefetch(&l->set->slot[(size_t)((h ? h : 1) >> l->set->shift)]);
    }
    if( gram_set_has(l->set, l->g[j].hash) ) l->g[kept++] = l->g[j];
  }
  l->n = l->kept = kept;
}

static int gather_gram(void *ctx, uint64_t hash, size_t word, size_t start,
                       size_t end){
  gram_list *l = (gram_list*)ctx;
  (void)word;
  if( l->n==l->cap ){
    size_t c = l->cap ? l->cap*2 : GRAM_BATCH*2;
    jgram *p = corpus_realloc(l->g, c*sizeof(jgram));
    if( p==0 ) return -1;
    l->g = p;
    l->cap = c;
  }
  l->g[l->n].hash = hash;
  l->g[l->n].start = start;
  l->g[l->n].end = end;
  l->n++;
  if( l->n - l->kept>=GRAM_BATCH ) probe_batch(l);
  return 0;
}

static int cmp_span(const void *x, const void *y){
  const jgram *a = (const jgram*)x, *b = (const jgram*)y;
  if( a->start!=b->start ) return a->start<b->start ? -1 : 1;
  return a->end<b->end ? -1 : a->end>b->end;
}

/* The grams of z (n-grams, and the k-grams of the short items' lengths)
** found in g, in text order: by start, then end.  -1 when out of memory. */
static int find_matches(const gram_set *g, const char *z, size_t n,
                        gram_list *l){
  corpus_janitor_opts o = {g->cfg.n, g->cfg.fold, 0, g->cfg.mask};
  int rc;
  l->set = g;
  rc = corpus_janitor_scan(z, n, &o, gather_gram, l, 0);
  if( rc ) return -1;
  probe_batch(l);
  if( g->cfg.mask && l->n>1 ) qsort(l->g, l->n, sizeof(jgram), cmp_span);
  return 0;
}

/* Appends the object of one match to out: its first place in the index
** (lowest item, then pos) and the number of places, so that the output is
** bounded by the text, not by how many items share the n-gram.  *added is
** 0 when the index holds the hash without an item (a stray row). */
typedef struct matcher {
  sqlite3 *db;
  const gram_set *g;
  const char *z;
  sqlite3_stmt *lookup;     /* made when needed */
  corpus_buf out;
  size_t nmatch;
  corpus_char_counter starts, ends;
  int rc;
} matcher;

static int match_out(matcher *m, const jgram *j){
  size_t cstart, cend;
  if( m->lookup==0 ){
    char *sql = sqlite3_mprintf("SELECT g.item, i.source, g.pos FROM "
                                "\"%w\".\"%w_grams\" AS g JOIN \"%w\".\"%w_items\" "
                                "AS i ON i.id = g.item WHERE g.hash = ?1 "
                                "ORDER BY g.item, g.pos LIMIT 1",
                                m->g->schema, m->g->name, m->g->schema,
                                m->g->name);
    if( sql==0 ){ m->rc = SQLITE_NOMEM; return 1; }
    m->rc = sqlite3_prepare_v2(m->db, sql, -1, &m->lookup, 0);
    sqlite3_free(sql);
    if( m->rc ) return 1;
  }
  cstart = char_at(&m->starts, m->z, j->start);
  cend = char_at(&m->ends, m->z, j->end);
  sqlite3_bind_int64(m->lookup, 1, (sqlite3_int64)j->hash);
  if( sqlite3_step(m->lookup)==SQLITE_ROW ){
    char num[160];
    const char *src = (const char*)sqlite3_column_text(m->lookup, 1);
    int len = snprintf(num, sizeof(num), "%s{\"start\":%zu,\"end\":%zu,"
                       "\"item\":%lld,\"pos\":%lld,\"source\":",
                       m->nmatch ? "," : "[", cstart, cend,
                       (long long)sqlite3_column_int64(m->lookup, 0),
                       (long long)sqlite3_column_int64(m->lookup, 2));
    char tail[80];
    int len2 = snprintf(tail, sizeof(tail), ",\"count\":%lld,\"hash\":%lld}",
                    (long long)gram_set_places(m->g, j->hash),
                    (long long)(sqlite3_int64)j->hash);
    if( corpus_buf_append(&m->out, num, (size_t)len)
     || (src ? corpus_buf_append_json_string(&m->out, src,
                                (size_t)sqlite3_column_bytes(m->lookup, 1))
             : corpus_buf_append(&m->out, "null", 4))
     || corpus_buf_append(&m->out, ",\"ngram\":", 9)
     || corpus_buf_append_json_string(&m->out, m->z+j->start,
                                      j->end-j->start)
     || corpus_buf_append(&m->out, tail, (size_t)len2) ){
      m->rc = SQLITE_NOMEM;
      sqlite3_reset(m->lookup);
      return 1;
    }
    m->nmatch++;
  }
  m->rc = sqlite3_reset(m->lookup);
  return m->rc!=SQLITE_OK;
}

/* The in-memory hash set of the index named by argument 1, cached for the
** statement; NULL after setting an error on ctx. */
static gram_set *index_arg(sqlite3_context *ctx, const char *func,
                           sqlite3_value **argv){
  gram_set *g = (gram_set*)sqlite3_get_auxdata(ctx, 1);
  if( g==0 ){
    char *err = 0;
    g = gram_set_load(sqlite3_context_db_handle(ctx),
                      (const char*)sqlite3_value_text(argv[1]), &err);
    if( g==0 ){
      if( err ){
        corpus_result_error(ctx, func, "%s", err);
        sqlite3_free(err);
      }else{
        sqlite3_result_error_nomem(ctx);
      }
      return 0;
    }
    sqlite3_set_auxdata(ctx, 1, g, gram_set_free);
    g = (gram_set*)sqlite3_get_auxdata(ctx, 1);
    if( g==0 ) sqlite3_result_error_nomem(ctx);
  }
  return g;
}

static void contamination_func(sqlite3_context *ctx, int argc,
                               sqlite3_value **argv){
  gram_set *g;
  matcher m;
  gram_list l;
  size_t n, j;
  int rc;
  (void)argc;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL
   || sqlite3_value_type(argv[1])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "contamination", "text", argv[0])
   || corpus_check_text(ctx, "contamination", "index", argv[1]) ){
    return;
  }
  if( (g = index_arg(ctx, "contamination", argv))==0 ) return;
  memset(&m, 0, sizeof(m));
  memset(&l, 0, sizeof(l));
  m.db = sqlite3_context_db_handle(ctx);
  m.g = g;
  m.z = (const char*)sqlite3_value_text(argv[0]);
  if( m.z==0 ) m.z = "";
  n = (size_t)sqlite3_value_bytes(argv[0]);
  rc = find_matches(g, m.z, n, &l);
  for(j=0; rc==0 && j<l.n; j++){
    if( match_out(&m, &l.g[j]) ) rc = m.rc==SQLITE_NOMEM ? -1 : 1;
  }
  corpus_free(l.g);
  sqlite3_finalize(m.lookup);
  if( rc<0 || m.rc==SQLITE_NOMEM ){
    corpus_free(m.out.z);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if( m.rc ){
    corpus_free(m.out.z);
    corpus_result_error(ctx, "contamination", "%s", sqlite3_errmsg(m.db));
    return;
  }
  if( m.nmatch==0 ){
    sqlite3_result_text(ctx, "[]", 2, SQLITE_STATIC);
  }else if( corpus_buf_append(&m.out, "]", 1) ){
    corpus_free(m.out.z);
    sqlite3_result_error_nomem(ctx);
    return;
  }else{
    sqlite3_result_text64(ctx, m.out.z, m.out.n, corpus_free, SQLITE_UTF8);
  }
  sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
}

/* ---- decontaminate(text, index [, options]) ---------------------------------- */

typedef struct decon_opts {
  long long window, min_piece, too_dirty;
  corpus_buf join;
} decon_opts;

static int decon_option(void *ctx, const char *key, const char *value,
                        char *err){
  decon_opts *o = (decon_opts*)ctx;
  if( strcmp(key, "window")==0 ){
    return corpus_option_int(key, value, 0, 1000000000, &o->window, err);
  }
  if( strcmp(key, "min_piece")==0 ){
    return corpus_option_int(key, value, 0, 1000000000, &o->min_piece, err);
  }
  if( strcmp(key, "too_dirty")==0 ){
    return corpus_option_int(key, value, 0, 1000000000, &o->too_dirty, err);
  }
  if( strcmp(key, "join")==0 ){
    o->join.n = 0;
    return corpus_buf_append(&o->join, value, strlen(value));
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: window, "
           "min_piece, too_dirty, join)", key);
  return -1;
}

/* The byte offset of character c, scanning forward from (*byte, *chars). */
static size_t byte_of(const char *z, size_t n, size_t *byte, size_t *chars,
                      long long c){
  while( *byte<n && (long long)*chars<c ){
    (*byte)++;
    while( *byte<n && ((unsigned char)z[*byte] & 0xC0)==0x80 ) (*byte)++;
    (*chars)++;
  }
  return *byte;
}

/* The janitor's _split_chunks(): each dirty part widened by window on both
** sides is cut out; a piece between cuts is kept when longer than
** min_piece; after the last cut, the rest is kept when the cut ends more
** than min_piece characters before the end; more than too_dirty parts drop
** the text (NULL).  Its slicing is kept as it is: a piece between cuts
** starts at the last cut's (inclusive) end, the last piece one character
** after.  A text without a match is returned whole (the janitor would drop
** it when shorter than min_piece). */
static void decontaminate_func(sqlite3_context *ctx, int argc,
                               sqlite3_value **argv){
  gram_set *g;
  decon_opts o;
  gram_list d;
  corpus_char_counter starts = {0, 0}, ends = {0, 0};
  const char *z;
  size_t n, len = 0, i, bpos = 0, cpos = 0, npiece = 0;
  long long splice = 0, end = -1;
  corpus_buf out = {0, 0, 0};
  memset(&o, 0, sizeof(o));
  memset(&d, 0, sizeof(d));
  if( sqlite3_value_type(argv[0])==SQLITE_NULL
   || sqlite3_value_type(argv[1])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "decontaminate", "text", argv[0])
   || corpus_check_text(ctx, "decontaminate", "index", argv[1]) ){
    return;
  }
  o.window = 200;
  o.min_piece = 200;
  o.too_dirty = 10;
  if( corpus_buf_append(&o.join, "\n\n", 2) ) goto nomem;
  if( argc>2 && corpus_apply_options(ctx, "decontaminate", argv[2],
                                     decon_option, &o) ){
    goto done;
  }
  if( (g = index_arg(ctx, "decontaminate", argv))==0 ) goto done;
  z = (const char*)sqlite3_value_text(argv[0]);
  n = (size_t)sqlite3_value_bytes(argv[0]);
  if( z==0 ) z = "";
  /* the janitor's dirty parts: the matches, as character offsets of their
  ** first character and of their last (inclusive) */
  if( find_matches(g, z, n, &d) ) goto nomem;
  if( d.n==0 ){
    if( corpus_utf8_valid(z, n) ){
      sqlite3_result_value(ctx, argv[0]);
    }else{
      /* every TEXT result is valid UTF-8: invalid parts as U+FFFD */
      if( corpus_buf_append_utf8(&out, z, n) ) goto nomem;
      sqlite3_result_text64(ctx, out.z, out.n, corpus_free, SQLITE_UTF8);
      out.z = 0;
    }
    goto done;
  }
  if( d.n>(size_t)o.too_dirty ) goto done;    /* too dirty: NULL */
  len = corpus_utf8_count(z, n);
  for(i=0; i<d.n; i++){
    long long first = (long long)char_at(&starts, z, d.g[i].start);
    long long last = (long long)char_at(&ends, z, d.g[i].end) - 1;
    long long start = first - o.window;
    if( start<0 ) start = 0;
    end = last + o.window;
    if( end>(long long)len ) end = (long long)len;
    if( start - splice > o.min_piece ){
      size_t a = byte_of(z, n, &bpos, &cpos, splice);
      size_t b = byte_of(z, n, &bpos, &cpos, start);
      if( (npiece++ && corpus_buf_append_utf8(&out, o.join.z, o.join.n))
       || corpus_buf_append_utf8(&out, z+a, b-a) ){
        goto nomem;
      }
    }
    if( end>splice ) splice = end;
  }
  if( end < (long long)len - o.min_piece ){
    size_t a = byte_of(z, n, &bpos, &cpos, end+1);
    if( (npiece++ && corpus_buf_append_utf8(&out, o.join.z, o.join.n))
     || corpus_buf_append_utf8(&out, z+a, n-a) ){
      goto nomem;
    }
  }
  if( npiece==0 ){
    sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
  }else{
    sqlite3_result_text64(ctx, out.z, out.n, corpus_free, SQLITE_UTF8);
    out.z = 0;
  }
  goto done;
nomem:
  sqlite3_result_error_nomem(ctx);
done:
  corpus_free(out.z);
  corpus_free(d.g);
  corpus_free(o.join.z);
}

/* ---- The item side ---------------------------------------------------------- */

/* decontam_n(text) over the evaluation items: GPT-3's n, the 5th
** percentile of the items' lengths in (janitor) words, clamped to [8, 13].
** The percentile is the nearest rank below: the value at index
** floor(0.05 * (count - 1)) of the sorted lengths. */
typedef struct len_agg { long long *len; size_t n, cap; int oom; } len_agg;

static int count_word(void *ctx, uint64_t hash, size_t word, size_t start,
                      size_t end){
  (void)hash; (void)start; (void)end;
  *(size_t*)ctx = word+1;
  return 0;
}

static void n_step(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  len_agg *a = sqlite3_aggregate_context(ctx, sizeof(len_agg));
  const char *z;
  size_t words = 0;
  (void)argc;
  if( a==0 ){ sqlite3_result_error_nomem(ctx); return; }
  if( a->oom || sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "decontam_n", "text", argv[0]) ){
    a->oom = 1;
    return;
  }
  z = (const char*)sqlite3_value_text(argv[0]);
  /* the number of words is the index of the last 1-gram, plus one */
  if( corpus_janitor_grams(z ? z : "", (size_t)sqlite3_value_bytes(argv[0]), 1,
                           count_word, &words)<0 ){
    a->oom = 1;
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if( a->n==a->cap ){
    size_t c = a->cap ? a->cap*2 : 64;
    long long *p = corpus_realloc(a->len, c*sizeof(long long));
    if( p==0 ){ a->oom = 1; sqlite3_result_error_nomem(ctx); return; }
    a->len = p;
    a->cap = c;
  }
  a->len[a->n++] = (long long)words;
}

static int cmp_ll(const void *x, const void *y){
  long long a = *(const long long*)x, b = *(const long long*)y;
  return a<b ? -1 : a>b;
}

static void n_final(sqlite3_context *ctx){
  len_agg *a = sqlite3_aggregate_context(ctx, 0);
  long long v;
  if( a==0 ) return;
  if( !a->oom && a->n>0 ){
    if( a->n>1 ) qsort(a->len, a->n, sizeof(long long), cmp_ll);
    v = a->len[(size_t)(0.05 * (double)(a->n-1))];
    sqlite3_result_int64(ctx, v<8 ? 8 : v>13 ? 13 : v);
  }
  corpus_free(a->len);
  a->len = 0;
}

/* covered_words(pos, n): how many of an item's words the matched n-grams
** starting at word pos cover (the union of [pos, pos+n)); 0 without rows. */
typedef struct cover_agg {
  long long *pos;
  size_t n, cap;
  long long width;
  sqlite3_value *nfirst;   /* n of the first row: every row's must match */
  int failed;
} cover_agg;

/* Word positions end below 2^62, so that pos + n cannot overflow. */
#define COVER_MAX_POS ((long long)1<<62)

static void cover_step(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  cover_agg *a = sqlite3_aggregate_context(ctx, sizeof(cover_agg));
  long long w;
  (void)argc;
  if( a==0 ){ sqlite3_result_error_nomem(ctx); return; }
  if( a->failed || sqlite3_value_type(argv[0])==SQLITE_NULL
   || sqlite3_value_type(argv[1])==SQLITE_NULL ) return;
  if( sqlite3_value_type(argv[0])!=SQLITE_INTEGER
   || sqlite3_value_type(argv[1])!=SQLITE_INTEGER
   || (w = sqlite3_value_int64(argv[1]))<1 || w>CORPUS_JANITOR_MAX
   || sqlite3_value_int64(argv[0])<0
   || sqlite3_value_int64(argv[0])>COVER_MAX_POS ){
    corpus_result_error(ctx, "covered_words", "pos must be an INTEGER 0..2^62 "
                        "and n an INTEGER 1..%d", CORPUS_JANITOR_MAX);
    a->failed = 1;
    return;
  }
  switch( corpus_agg_param(&a->nfirst, argv[1]) ){
    case 0: break;
    case 1:
      corpus_result_error(ctx, "covered_words", "n must be the same in every "
                          "row, got %lld after %lld", w,
                          (long long)sqlite3_value_int64(a->nfirst));
      a->failed = 1;
      return;
    default:
      a->failed = 1;
      sqlite3_result_error_nomem(ctx);
      return;
  }
  if( a->n==a->cap ){
    size_t c = a->cap ? a->cap*2 : 16;
    long long *p = corpus_realloc(a->pos, c*sizeof(long long));
    if( p==0 ){ a->failed = 1; sqlite3_result_error_nomem(ctx); return; }
    a->pos = p;
    a->cap = c;
  }
  a->pos[a->n++] = sqlite3_value_int64(argv[0]);
  a->width = w;
}

static void cover_final(sqlite3_context *ctx){
  cover_agg *a = sqlite3_aggregate_context(ctx, 0);
  long long covered = 0, reach = -1;
  size_t i;
  if( a==0 ){ sqlite3_result_int(ctx, 0); return; }
  if( !a->failed ){
    if( a->n>1 ) qsort(a->pos, a->n, sizeof(long long), cmp_ll);
    for(i=0; i<a->n; i++){
      long long s = a->pos[i], e = a->pos[i] + a->width;
      if( s<reach ) s = reach;
      if( e>s ) covered += e-s;
      if( e>reach ) reach = e;
    }
    sqlite3_result_int64(ctx, covered);
  }
  corpus_free(a->pos);
  a->pos = 0;
  sqlite3_value_free(a->nfirst);
  a->nfirst = 0;
}

static const corpus_sql decontam_sql[] = {
  CORPUS_SCALAR("contamination", 2,
                CORPUS_DIRECTONLY | CORPUS_JSON_RESULT, contamination_func),
  CORPUS_SCALAR("decontaminate", 2, CORPUS_DIRECTONLY, decontaminate_func),
  CORPUS_SCALAR("decontaminate", 3, CORPUS_DIRECTONLY, decontaminate_func),
  CORPUS_AGGREGATE("decontam_n",    1, CORPUS_PURE, n_step, n_final),
  CORPUS_AGGREGATE("covered_words", 2, CORPUS_PURE, cover_step, cover_final),
};

int corpus_decontam_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, decontam_sql, CORPUS_COUNT(decontam_sql),
                             pzErr);
}
