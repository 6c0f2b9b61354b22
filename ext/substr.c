/*
** Exact-substring deduplication: Lee et al., "Deduplicating Training Data
** Makes Language Models Better" (ACL 2022), whose ExactSubstr the public
** tool google-research/deduplicate-text-datasets runs as make-suffix-array,
** self-similar and collect.  Here in SQL:
**
**   substring_dups(source [, options])   table: doc, start, end, count
**   substring_index                       virtual table: the same rows from
**                                          a suffix array kept in the file
**   remove_spans(text, spans)             text with spans (JSON) cut
**
** The corpus: the documents of the source (a table or view read as
** SELECT id, text, or one query giving id, text), NULL texts left out,
** concatenated in the order read.  unit=bytes works on their bytes;
** unit=tokens on the BPE token ids of an encoding (each id written as 3
** big-endian bytes, and only suffixes at a token's first byte used, so
** that their order is the order of the id sequences).
**
** The rule (docs/substr.md): a window is min_length units at position p
** of a document, inside it; it is repeated when its bytes occur at least
** min_count times in the corpus as windows (across and within documents,
** overlapping occurrences included; no occurrence crosses from one
** document into the next).  The spans of a document are the maximal runs
** covered by its repeated windows (windows that overlap or touch merge, as
** the public tool's collect merges them), then shrunk to code-point
** boundaries: a span starts at the document's start or at a byte that is
** not a UTF-8 continuation byte (10xxxxxx), and ends likewise (tokens:
** whole tokens, dropping a token that starts inside a character from the
** front and one that ends inside one from the back).  A span left shorter
** than min_length bytes (unit=bytes) or empty (tokens) is dropped.  count
** is the number of occurrences of the span's first window (before the
** shrinking): for a passage repeated whole, how often it is repeated.
**
** The method: a suffix array of the concatenation (libdivsufsort, 32-bit
** below 2^31 bytes, else 64-bit); whether each suffix shares min_length
** units with the one before it in that order, from a sparse permuted LCP
** (Kärkkäinen, Manzini and Puglisi 2009: the LCP of every 32nd suffix in
** text order by Kasai's argument, the others' bounded from it), capped at
** min_length; runs of such suffixes are the windows of equal bytes, of
** which those inside their documents count.  No separator is needed
** between documents: a window crossing one is simply not counted.
** Memory: the corpus, its suffix array (4 or 8 bytes a suffix), 1/4 byte
** a byte for the sparse LCP, and two bits a position; the large arrays are
** mapped memory, as they pass SQLite's 2 GiB allocation limit.
*/
#define _GNU_SOURCE 1        /* mremap */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <divsufsort.h>
#include <divsufsort64.h>
#include "corpus_sql.h"

#define SX_UNIT_BYTES  0
#define SX_UNIT_TOKENS 1
#define SX_Q 32                  /* every SX_Q-th suffix has its LCP kept */
#define SX_MAX_MIN_LENGTH 1000000000
#define SX_TOKEN_MAX 0xffffff    /* ids written in 3 bytes */
#define SX_AHEAD 16              /* suffixes prefetched ahead */
#if defined(__GNUC__) || defined(__clang__)
# define SX_PREFETCH(p) __builtin_prefetch(p)
#else
# define SX_PREFETCH(p) ((void)(p))
#endif

/* ---- Mapped arrays ------------------------------------------------------------ */

/* An array in anonymous mapped memory, grown with mremap (no copy, and no
** peak of twice its size). */
typedef struct sx_big { unsigned char *p; size_t n, cap; } sx_big;

static int big_reserve(sx_big *b, size_t need){
  size_t cap;
  void *p;
  if( need<=b->cap ) return 0;
  cap = b->cap ? b->cap : 1<<20;
  while( cap<need ) cap += cap/2 + 4096;
  cap = (cap + 4095) & ~(size_t)4095;
  p = b->p ? mremap(b->p, b->cap, cap, MREMAP_MAYMOVE)
           : mmap(0, cap, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS,
                  -1, 0);
  if( p==MAP_FAILED ) return -1;
  b->p = p;
  b->cap = cap;
  return 0;
}

static void big_free(sx_big *b){
  if( b->p ) munmap(b->p, b->cap);
  memset(b, 0, sizeof(*b));
}

/* A zeroed array of n bytes. */
static int big_zero(sx_big *b, size_t n){
  big_free(b);
  if( big_reserve(b, n ? n : 1) ) return -1;
  b->n = n;
  return 0;                      /* fresh anonymous pages are zero */
}

/* ---- The corpus --------------------------------------------------------------- */

typedef struct sx_corpus {
  int unit, stride;              /* bytes: 1; tokens: 3 bytes a token */
  const corpus_tokenizer *tok;   /* tokens: the encoding */
  sx_big text;                   /* the documents, concatenated (tokens:
                                 ** 3 bytes an id) */
  int64_t ndoc;
  int64_t *dstart;               /* ndoc+1 offsets into text */
  int64_t *dlen;                 /* tokens: each document's bytes */
  sx_big tokoff;                 /* tokens: uint32 byte offset of each
                                 ** token in its document, top bit set
                                 ** when it is a code-point boundary */
  int width;                     /* 32 or 64 */
  sx_big sa;                     /* the suffix array (positions of text) */
  int64_t nsa;
} sx_corpus;

#define SX_BOUNDARY 0x80000000u

static void sx_corpus_free(sx_corpus *c){
  big_free(&c->text);
  big_free(&c->tokoff);
  big_free(&c->sa);
  corpus_free(c->dstart);
  corpus_free(c->dlen);
  memset(c, 0, sizeof(*c));
}

static int64_t sa_at(const sx_corpus *c, int64_t i){
  return c->width==32 ? ((const int32_t*)c->sa.p)[i]
                      : ((const int64_t*)c->sa.p)[i];
}

/* Starts document ndoc: 0, or -1 out of memory. */
static int sx_doc_begin(sx_corpus *c){
  if( (c->ndoc & (c->ndoc+1))==0 || c->dstart==0 ){
    size_t cap = c->ndoc ? (size_t)(c->ndoc+1)*2 : 16;
    int64_t *d = corpus_realloc(c->dstart, (cap+1)*sizeof(int64_t));
    if( d==0 ) return -1;
    c->dstart = d;
    if( c->unit==SX_UNIT_TOKENS ){
      d = corpus_realloc(c->dlen, (cap+1)*sizeof(int64_t));
      if( d==0 ) return -1;
      c->dlen = d;
    }
  }
  c->dstart[c->ndoc] = (int64_t)c->text.n;
  return 0;
}

static void sx_doc_end(sx_corpus *c){
  c->ndoc++;
  c->dstart[c->ndoc] = (int64_t)c->text.n;
}

typedef struct sx_tok_ctx {
  sx_corpus *c;
  const unsigned char *z;
  size_t n;
  int bad;                       /* an id past SX_TOKEN_MAX */
} sx_tok_ctx;

static int sx_on_token(void *ctx, size_t start, size_t end, int64_t id){
  sx_tok_ctx *t = (sx_tok_ctx*)ctx;
  sx_corpus *c = t->c;
  uint32_t off = (uint32_t)start;
  unsigned char *q;
  (void)end;
  if( id<0 || id>SX_TOKEN_MAX ){ t->bad = 1; return 1; }
  if( big_reserve(&c->text, c->text.n+3)
   || big_reserve(&c->tokoff, c->tokoff.n+4) ){
    return CORPUS_NOMEM;
  }
  q = c->text.p + c->text.n;
  q[0] = (unsigned char)(id>>16);
  q[1] = (unsigned char)(id>>8);
  q[2] = (unsigned char)id;
  c->text.n += 3;
  if( start==0 || (t->z[start]&0xc0)!=0x80 ) off |= SX_BOUNDARY;
  memcpy(c->tokoff.p + c->tokoff.n, &off, 4);
  c->tokoff.n += 4;
  return 0;
}

/* Adds one document's bytes: 0, -1 out of memory, or 1 with err set. */
static int sx_add(sx_corpus *c, const unsigned char *z, size_t n, char *err){
  if( sx_doc_begin(c) ) return -1;
  if( c->unit==SX_UNIT_BYTES ){
    if( big_reserve(&c->text, c->text.n+n) ) return -1;
    if( n ) memcpy(c->text.p + c->text.n, z, n);
    c->text.n += n;
  }else{
    sx_tok_ctx t;
    int rc;
    t.c = c; t.z = z; t.n = n; t.bad = 0;
    if( n>=SX_BOUNDARY ){
      snprintf(err, CORPUS_ERRMAX, "a document of %zu bytes is too long for "
               "unit=tokens (at most 2147483647)", n);
      return 1;
    }
    rc = c->tok->tokenize(c->tok, (const char*)z, n, 0, sx_on_token, &t);
    if( t.bad ){
      snprintf(err, CORPUS_ERRMAX, "token id past %d", SX_TOKEN_MAX);
      return 1;
    }
    if( rc==SQLITE_TOOBIG ){
      snprintf(err, CORPUS_ERRMAX, "a piece of text is too long for the "
               "encoding %s", c->tok->name);
      return 1;
    }
    if( rc ) return -1;
    c->dlen[c->ndoc] = (int64_t)n;
  }
  sx_doc_end(c);
  return 0;
}

/* Sorts the suffixes: 0, -1 out of memory, or 1 with err set. */
static int sx_sort(sx_corpus *c, int width, char *err){
  int64_t n = (int64_t)c->text.n, i, k;
  if( width==0 ) width = n<=0x7fffffff ? 32 : 64;
  if( width==32 && n>0x7fffffff ){
    snprintf(err, CORPUS_ERRMAX, "width=32 holds corpora up to 2147483647 "
             "bytes, this one has %lld: use width=64 or width=auto",
             (long long)n);
    return 1;
  }
  c->width = width;
  if( big_zero(&c->sa, (size_t)(n ? n : 1)*(width/8)) ) return -1;
  if( n>0 ){
    int rc = width==32
      ? divsufsort(c->text.p, (saidx_t*)c->sa.p, (saidx_t)n)
      : divsufsort64(c->text.p, (saidx64_t*)c->sa.p, (saidx64_t)n);
    if( rc==-2 ) return -1;
    if( rc!=0 ){
      snprintf(err, CORPUS_ERRMAX, "libdivsufsort failed (%d)", rc);
      return 1;
    }
  }
  /* tokens: only the suffixes at a token's first byte, in their order */
  for(i=k=0; i<n; i++){
    int64_t p = sa_at(c, i);
    if( p % c->stride ) continue;
    if( width==32 ) ((int32_t*)c->sa.p)[k++] = (int32_t)p;
    else ((int64_t*)c->sa.p)[k++] = p;
  }
  c->nsa = k;
  if( c->stride>1 ){
    /* tokens: two thirds of the array are free now */
    size_t need = ((size_t)(k ? k : 1)*(width/8) + 4095) & ~(size_t)4095;
    if( need<c->sa.cap ){
      void *p = mremap(c->sa.p, c->sa.cap, need, 0);
      if( p!=MAP_FAILED ){ c->sa.p = p; c->sa.cap = need; }
    }
  }
  c->sa.n = (size_t)k*(width/8);
  return 0;
}

/* ---- Finding the spans -------------------------------------------------------- */

typedef struct sx_span {
  int64_t doc;                   /* the document's number */
  int64_t start, end;            /* position in text (then bytes in doc) */
  int64_t count;
} sx_span;

typedef struct sx_find {
  const sx_corpus *c;
  int64_t L, mincount;           /* L in bytes of text */
  sx_big flag;                   /* bit i: suffix i shares L with i-1 */
  sx_big mark;                   /* bit p/stride */
  sx_span *span;
  int64_t nspan, cap;
  corpus_probe *probe;
  int64_t tick;
} sx_find;

#define BIT_SET(b, i) ((b).p[(i)>>3] |= (unsigned char)(1u<<((i)&7)))
#define BIT_GET(b, i) (((b).p[(i)>>3]>>((i)&7))&1)

/* SQLITE_INTERRUPT every so often when the statement was interrupted. */
static int sx_tick(sx_find *f){
  if( (++f->tick & 0xfffff)==0 && f->probe
   && corpus_probe_interrupted(f->probe) ){
    return SQLITE_INTERRUPT;
  }
  return SQLITE_OK;
}

/* The document holding text position p. */
static int64_t sx_doc_of(const sx_corpus *c, int64_t p){
  int64_t lo = 0, hi = c->ndoc;           /* dstart[lo] <= p < dstart[hi] */
  while( hi-lo>1 ){
    int64_t mid = lo + (hi-lo)/2;
    if( c->dstart[mid]<=p ) lo = mid; else hi = mid;
  }
  return lo;
}

/* The flags: suffix i shares at least L bytes with suffix i-1. */
static int sx_flags(sx_find *f){
  const sx_corpus *c = f->c;
  const unsigned char *T = c->text.p;
  int64_t n = (int64_t)c->text.n, L = f->L, Q = SX_Q*c->stride;
  int64_t nsamp = n/Q + 1, i, k, h;
  int64_t *plcp;
  sx_big b;
  int rc = SQLITE_OK;
  memset(&b, 0, sizeof(b));
  if( big_zero(&b, (size_t)nsamp*8) ) return SQLITE_NOMEM;
  plcp = (int64_t*)b.p;
  /* phi: the suffix before each sampled one in the order, -1 for none */
  for(k=0; k<nsamp; k++) plcp[k] = -1;
  for(i=1; i<c->nsa; i++){
    int64_t p = sa_at(c, i);
    if( p % Q==0 ) plcp[p/Q] = sa_at(c, i-1);
  }
  /* Kasai over the samples: PLCP[s+Q] >= PLCP[s] - Q (capped at L) */
  for(k=0, h=0; k<nsamp && k*Q<n; k++){
    int64_t s = k*Q, phi = plcp[k];
    if( phi<0 ){ plcp[k] = 0; h = 0; continue; }
    while( h<L && s+h<n && phi+h<n && T[s+h]==T[phi+h] ) h++;
    plcp[k] = h;
    h = h>Q ? h-Q : 0;
    if( (rc = sx_tick(f)) ) goto done;
  }
  if( big_zero(&f->flag, (size_t)(c->nsa/8 + 1)) ){ rc = SQLITE_NOMEM; goto done; }
  for(i=1; i<c->nsa; i++){
    int64_t p = sa_at(c, i), q = sa_at(c, i-1);
    int64_t s = p/Q;
    if( i+SX_AHEAD<c->nsa ){
      /* the loop is bound by memory latency: three random reads a suffix;
      ** asking for those of a later one early overlaps them */
      int64_t a = sa_at(c, i+SX_AHEAD);
      SX_PREFETCH(T + a);
      SX_PREFETCH(plcp + a/Q);
    }
    h = plcp[s] - (p - s*Q);
    if( h<0 ) h = 0;
    while( h<L && p+h<n && q+h<n && T[p+h]==T[q+h] ) h++;
    if( h>=L ) BIT_SET(f->flag, i);
    if( (rc = sx_tick(f)) ) goto done;
  }
done:
  big_free(&b);
  return rc;
}

/* Walks the runs of suffixes sharing L bytes; for each of at least
** mincount windows inside their documents, calls on(f, p, count) for each
** such window. */
static int sx_runs(sx_find *f, void (*on)(sx_find*, int64_t, int64_t)){
  const sx_corpus *c = f->c;
  int64_t i = 0, j, k, nsa = c->nsa;
  while( i<nsa ){
    int rc;
    for(j=i+1; j<nsa && BIT_GET(f->flag, j); j++){}
    if( j-i>=f->mincount ){
      int64_t cnt = 0;
      for(k=i; k<j; k++){
        int64_t p = sa_at(c, k);
        if( p + f->L <= c->dstart[sx_doc_of(c, p)+1] ) cnt++;
      }
      if( cnt>=f->mincount ){
        for(k=i; k<j; k++){
          int64_t p = sa_at(c, k);
          if( p + f->L <= c->dstart[sx_doc_of(c, p)+1] ) on(f, p, cnt);
        }
      }
    }
    if( (rc = sx_tick(f)) ) return rc;
    i = j;
  }
  return SQLITE_OK;
}

static void on_mark(sx_find *f, int64_t p, int64_t cnt){
  (void)cnt;
  BIT_SET(f->mark, p / f->c->stride);
}

/* A span start's count (its mark set): the span found by its start. */
static void on_count(sx_find *f, int64_t p, int64_t cnt){
  int64_t lo = 0, hi = f->nspan;
  if( !BIT_GET(f->mark, p / f->c->stride) ) return;
  while( lo<hi ){
    int64_t mid = lo + (hi-lo)/2;
    if( f->span[mid].start<p ) lo = mid+1; else hi = mid;
  }
  if( lo<f->nspan && f->span[lo].start==p ) f->span[lo].count = cnt;
}

static int sx_push(sx_find *f, int64_t d, int64_t s, int64_t e){
  if( f->nspan==f->cap ){
    int64_t cap = f->cap ? f->cap*2 : 64;
    sx_span *q;
    if( (uint64_t)cap*sizeof(sx_span)>CORPUS_MAX_ALLOC ) return SQLITE_TOOBIG;
    q = corpus_realloc(f->span, (size_t)cap*sizeof(sx_span));
    if( q==0 ) return SQLITE_NOMEM;
    f->span = q;
    f->cap = cap;
  }
  f->span[f->nspan].doc = d;
  f->span[f->nspan].start = s;
  f->span[f->nspan].end = e;
  f->span[f->nspan].count = 0;
  f->nspan++;
  return SQLITE_OK;
}

/* The union of the marked windows, document by document; then the marks
** are cleared but for the spans' starts. */
static int sx_union(sx_find *f){
  const sx_corpus *c = f->c;
  int64_t st = c->stride, d, i;
  int rc;
  for(d=0; d<c->ndoc; d++){
    int64_t a = c->dstart[d]/st, b = c->dstart[d+1]/st;
    int64_t s = -1, e = -1;
    for(i=a; i<b; i++){
      if( (i&63)==0 && i+64<=b ){
        uint64_t w;
        memcpy(&w, f->mark.p + i/8, 8);
        if( w==0 ){ i += 63; continue; }
      }
      if( !BIT_GET(f->mark, i) ) continue;
      if( s>=0 && i*st<=e ){
        f->mark.p[i>>3] &= (unsigned char)~(1u<<(i&7));
        e = i*st + f->L;
        continue;
      }
      if( s>=0 && (rc = sx_push(f, d, s, e)) ) return rc;
      s = i*st;
      e = s + f->L;
    }
    if( s>=0 && (rc = sx_push(f, d, s, e)) ) return rc;
    if( (rc = sx_tick(f)) ) return rc;
  }
  return SQLITE_OK;
}

/* Whether byte offset x of a document of n bytes at z is a code-point
** boundary. */
static int sx_boundary(const unsigned char *z, int64_t n, int64_t x){
  return x==0 || x>=n || (z[x]&0xc0)!=0x80;
}

/* The spans made byte offsets in their documents, shrunk to code-point
** boundaries; the dropped ones go. */
static void sx_trim(sx_find *f){
  const sx_corpus *c = f->c;
  int64_t i, k = 0;
  for(i=0; i<f->nspan; i++){
    sx_span sp = f->span[i];
    int64_t d0 = c->dstart[sp.doc];
    if( c->unit==SX_UNIT_BYTES ){
      const unsigned char *z = c->text.p + d0;
      int64_t n = c->dstart[sp.doc+1] - d0;
      int64_t s = sp.start - d0, e = sp.end - d0;
      while( s<e && !sx_boundary(z, n, s) ) s++;
      while( e>s && !sx_boundary(z, n, e) ) e--;
      if( e-s<f->L ) continue;
      sp.start = s;
      sp.end = e;
    }else{
      const uint32_t *off = (const uint32_t*)c->tokoff.p;
      int64_t t0 = d0/3, t1 = c->dstart[sp.doc+1]/3;
      int64_t s = sp.start/3, e = sp.end/3;
      while( s<e && !(off[s]&SX_BOUNDARY) ) s++;
      while( e>s && e<t1 && !(off[e]&SX_BOUNDARY) ) e--;
      if( e<=s ) continue;
      (void)t0;
      sp.start = off[s] & ~SX_BOUNDARY;
      sp.end = e<t1 ? (int64_t)(off[e] & ~SX_BOUNDARY) : c->dlen[sp.doc];
    }
    f->span[k++] = sp;
  }
  f->nspan = k;
}

/* The spans of windows of min_length units occurring min_count times:
** SQLITE_OK with *out (corpus_free) and *nout, or an error code. */
static int sx_find_spans(const sx_corpus *c, int64_t min_length,
                         int64_t min_count, corpus_probe *probe,
                         sx_span **out, int64_t *nout){
  sx_find f;
  int rc;
  memset(&f, 0, sizeof(f));
  *out = 0;
  *nout = 0;
  f.c = c;
  f.L = min_length*c->stride;
  f.mincount = min_count;
  f.probe = probe;
  if( f.L>(int64_t)c->text.n || c->nsa<min_count ) return SQLITE_OK;
  rc = sx_flags(&f);
  if( rc==SQLITE_OK
   && big_zero(&f.mark, (size_t)(c->text.n/c->stride/8 + 1)) ){
    rc = SQLITE_NOMEM;
  }
  if( rc==SQLITE_OK ) rc = sx_runs(&f, on_mark);
  if( rc==SQLITE_OK ) rc = sx_union(&f);
  if( rc==SQLITE_OK ) rc = sx_runs(&f, on_count);
  if( rc==SQLITE_OK ) sx_trim(&f);
  big_free(&f.flag);
  big_free(&f.mark);
  if( rc ){
    corpus_free(f.span);
    return rc;
  }
  *out = f.span;
  *nout = f.nspan;
  return SQLITE_OK;
}

/* ---- Options ------------------------------------------------------------------ */

typedef struct sx_opts {
  int64_t min_length, min_count;
  int unit, width;               /* width 0: auto */
  int have_length;
  const corpus_tokenizer *tok;
  int have_unit, have_encoding, have_width;
} sx_opts;

static int sx_option(void *ctx, const char *key, const char *value,
                     char *err){
  sx_opts *o = (sx_opts*)ctx;
  int c;
  long long v;
  if( strcmp(key, "min_length")==0 ){
    if( corpus_option_int(key, value, 1, SX_MAX_MIN_LENGTH, &v, err) ){
      return -1;
    }
    o->min_length = v;
    o->have_length = 1;
  }else if( strcmp(key, "min_count")==0 ){
    if( corpus_option_int(key, value, 2, 0x7fffffffffffffffLL, &v, err) ){
      return -1;
    }
    o->min_count = v;
  }else if( strcmp(key, "unit")==0 ){
    if( (c = corpus_option_choice(key, value, "bytes|tokens", err))<0 ){
      return -1;
    }
    o->unit = c;
    o->have_unit = 1;
  }else if( strcmp(key, "encoding")==0 ){
    const corpus_tokenizer *t = corpus_tokenizer_find(value, err);
    if( t==0 || t->data==0 ){
      snprintf(err, CORPUS_ERRMAX, "encoding must be a BPE encoding (r50k_base, "
               "gpt2, p50k_base, cl100k_base, o200k_base), got '%.40s'",
               value);
      return -1;
    }
    o->tok = t;
    o->have_encoding = 1;
  }else if( strcmp(key, "width")==0 ){
    if( (c = corpus_option_choice(key, value, "auto|32|64", err))<0 ){
      return -1;
    }
    o->width = c==0 ? 0 : c==1 ? 32 : 64;
    o->have_width = 1;
  }else{
    snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: min_length, "
             "min_count, unit, encoding, width)", key);
    return -1;
  }
  return 0;
}

static void sx_opts_init(sx_opts *o){
  memset(o, 0, sizeof(*o));
  o->min_count = 2;
  o->tok = &corpus_tokenizer_cl100k;
}

/* min_length's default: the public tool's 100 bytes, the paper's 50
** tokens. */
static int64_t sx_min_length(const sx_opts *o){
  return o->have_length ? o->min_length : o->unit==SX_UNIT_TOKENS ? 50 : 100;
}

/* ---- Reading a source --------------------------------------------------------- */

/* The query reading source z (a table or view name: its id and text; a
** query: its first two columns), or NULL with *err set (sqlite3_mprintf;
** NULL too when out of memory). */
static char *sx_source_sql(const char *z, char **err){
  *err = 0;
  if( corpus_sql_is_name(z) ){
    return sqlite3_mprintf("SELECT id, text FROM %s",
                           corpus_sql_skip_blank(z));
  }
  if( corpus_sql_is_query(z) ) return sqlite3_mprintf("%s", z);
  *err = sqlite3_mprintf("source must be a table or view name, or one query "
                         "(SELECT, WITH or VALUES)");
  return 0;
}

/* Reads the documents of source z into c (its unit and tok set), their ids
** into *ids (ndoc values, sqlite3_value_dup, when ids is not NULL).
** SQLITE_OK, or an error code with *err (sqlite3_mprintf) unless out of
** memory. */
static int sx_read(sqlite3 *db, const char *z, sx_corpus *c,
                   sqlite3_value ***ids, char **err){
  sqlite3_stmt *st = 0;
  const char *tail = 0;
  char *sql = sx_source_sql(z, err);
  char buf[CORPUS_ERRMAX];
  int64_t cap = 0;
  int rc;
  if( sql==0 ) return *err ? SQLITE_ERROR : SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, sql, -1, &st, &tail);
  if( rc ){
    sqlite3_free(sql);
    *err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    return rc;
  }
  rc = st==0 || !corpus_sql_is_end(tail) || !sqlite3_stmt_readonly(st)
    || sqlite3_stmt_isexplain(st);
  sqlite3_free(sql);              /* tail points into it */
  if( rc ){
    sqlite3_finalize(st);
    *err = sqlite3_mprintf("source must be a table or view name, or one query "
                           "(SELECT, WITH or VALUES)");
    return SQLITE_ERROR;
  }
  if( sqlite3_column_count(st)<2 ){
    *err = sqlite3_mprintf("the query must return two columns (id, text), "
                           "got %d", sqlite3_column_count(st));
    sqlite3_finalize(st);
    return SQLITE_ERROR;
  }
  while( (rc = sqlite3_step(st))==SQLITE_ROW ){
    int type = sqlite3_column_type(st, 1);
    const unsigned char *t;
    int n, e;
    if( type==SQLITE_NULL ) continue;
    if( type!=SQLITE_TEXT && type!=SQLITE_BLOB ){
      *err = sqlite3_mprintf("text must be TEXT or BLOB, got %s",
                             corpus_type_name(type));
      rc = SQLITE_ERROR;
      break;
    }
    t = type==SQLITE_TEXT ? sqlite3_column_text(st, 1)
                          : sqlite3_column_blob(st, 1);
    n = sqlite3_column_bytes(st, 1);
    if( t==0 && n>0 ){ rc = SQLITE_NOMEM; break; }
    if( ids ){
      if( c->ndoc==cap ){
        sqlite3_value **v;
        cap = cap ? cap*2 : 64;
        v = corpus_realloc(*ids, (size_t)cap*sizeof(*v));
        if( v==0 ){ rc = SQLITE_NOMEM; break; }
        *ids = v;
      }
      (*ids)[c->ndoc] = sqlite3_value_dup(sqlite3_column_value(st, 0));
      if( (*ids)[c->ndoc]==0 ){ rc = SQLITE_NOMEM; break; }
    }
    e = sx_add(c, t ? t : (const unsigned char*)"", (size_t)n, buf);
    if( e ){
      if( ids ) sqlite3_value_free((*ids)[c->ndoc]);
      if( e<0 ){ rc = SQLITE_NOMEM; break; }
      *err = sqlite3_mprintf("%s", buf);
      rc = SQLITE_ERROR;
      break;
    }
  }
  if( rc==SQLITE_DONE ){
    rc = SQLITE_OK;
  }else if( rc!=SQLITE_NOMEM && *err==0 ){
    *err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    if( rc==SQLITE_ROW ) rc = SQLITE_ERROR;
  }
  sqlite3_finalize(st);
  if( rc==SQLITE_OK && c->dstart==0 && sx_doc_begin(c) ) rc = SQLITE_NOMEM;
  return rc;
}

/* ---- substring_dups() --------------------------------------------------------- */

enum { SX_DOC, SX_START, SX_END, SX_COUNT };

typedef struct sx_cursor {
  corpus_tvf_cursor base;
  sx_span *span;
  sqlite3_value **ids;           /* each document's id */
  int64_t nid;
} sx_cursor;

static void sx_reset(corpus_tvf_cursor *cur){
  sx_cursor *c = (sx_cursor*)cur;
  int64_t i;
  for(i=0; i<c->nid; i++) sqlite3_value_free(c->ids[i]);
  corpus_free(c->ids);
  corpus_free(c->span);
  c->ids = 0;
  c->span = 0;
  c->nid = 0;
}

/* An error of the function: "substring_dups: MSG" (msg freed), keeping an
** interrupt's code. */
static int sx_tvf_fail(corpus_tvf_cursor *cur, int rc, char *msg){
  int e;
  if( rc==SQLITE_NOMEM || (msg==0 && rc!=SQLITE_INTERRUPT) ){
    sqlite3_free(msg);
    return SQLITE_NOMEM;
  }
  e = corpus_tvf_error(cur, "%s", msg ? msg : "interrupted");
  sqlite3_free(msg);
  if( e==SQLITE_NOMEM ) return e;
  return (rc==SQLITE_ROW || rc==SQLITE_DONE || rc==SQLITE_OK) ? SQLITE_ERROR
                                                              : rc;
}

static int sx_index_is(sqlite3 *db, const char *z);
static int sx_index_relay(sx_cursor *c, const char *z, const sx_opts *o);

static int sx_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  sx_cursor *c = (sx_cursor*)cur;
  sqlite3 *db = corpus_tvf_db(cur);
  sqlite3_value *src = args[0];
  sx_corpus k;
  sx_opts o;
  corpus_probe probe;
  char buf[CORPUS_ERRMAX];
  char *err = 0;
  const char *z;
  int rc, is;
  if( sqlite3_value_type(src)==SQLITE_NULL ) return SQLITE_OK;
  if( sqlite3_value_type(src)!=SQLITE_TEXT ){
    return corpus_tvf_error(cur, "source must be TEXT, got %s",
                            corpus_type_name(sqlite3_value_type(src)));
  }
  sx_opts_init(&o);
  if( args[1] && (rc = corpus_tvf_options(cur, args[1], sx_option, &o)) ){
    return rc;
  }
  z = (const char*)sqlite3_value_text(src);
  if( z==0 ) return SQLITE_NOMEM;
  if( (is = sx_index_is(db, z))<0 ) return SQLITE_NOMEM;
  if( is ){
    if( o.have_unit || o.have_encoding || o.have_width ){
      return corpus_tvf_error(cur, "unit, encoding and width are the "
                              "substring_index's own, set when it is "
                              "created");
    }
    return sx_index_relay(c, z, &o);
  }
  memset(&k, 0, sizeof(k));
  k.unit = o.unit;
  k.stride = o.unit==SX_UNIT_TOKENS ? 3 : 1;
  k.tok = o.tok;
  probe.db = db;
  probe.stmt = 0;
  rc = sx_read(db, z, &k, &c->ids, &err);
  c->nid = k.ndoc;
  if( rc==SQLITE_OK ){
    int e = sx_sort(&k, o.width, buf);
    if( e<0 ) rc = SQLITE_NOMEM;
    else if( e>0 ){ err = sqlite3_mprintf("%s", buf); rc = SQLITE_ERROR; }
  }
  if( rc==SQLITE_OK && corpus_probe_interrupted(&probe) ) rc = SQLITE_INTERRUPT;
  if( rc==SQLITE_OK ){
    int64_t nrow = 0;
    rc = sx_find_spans(&k, sx_min_length(&o), o.min_count, &probe, &c->span,
                       &nrow);
    cur->nrow = nrow;
    if( rc==SQLITE_TOOBIG ){
      err = sqlite3_mprintf("too many spans");
      rc = SQLITE_ERROR;
    }
  }
  corpus_probe_end(&probe);
  sx_corpus_free(&k);
  if( rc ){
    rc = sx_tvf_fail(cur, rc, err);
    sx_reset(cur);
    cur->nrow = 0;
  }
  return rc;
}

/* Output column col of span s (its document's id in ids); the others
** (substring_index's arguments and command) are NULL. */
static void sx_result(sqlite3_context *ctx, sqlite3_value **ids,
                      const sx_span *s, int col){
  switch( col ){
    case SX_DOC:   sqlite3_result_value(ctx, ids[s->doc]); break;
    case SX_START: sqlite3_result_int64(ctx, s->start); break;
    case SX_END:   sqlite3_result_int64(ctx, s->end); break;
    case SX_COUNT: sqlite3_result_int64(ctx, s->count); break;
    default: break;
  }
}

static int sx_column(corpus_tvf_cursor *cur, sqlite3_context *ctx, int col){
  sx_cursor *c = (sx_cursor*)cur;
  sx_result(ctx, c->ids, &c->span[cur->row], col);
  return SQLITE_OK;
}

/* ---- substring_index ---------------------------------------------------------- */

/*
** CREATE VIRTUAL TABLE NAME USING substring_index(source=..., unit=...,
** encoding=..., width=...) reads the source and keeps its corpus and
** suffix array in three shadow tables:
**   NAME_config(k, v)        source, unit, encoding, width and the current
**                            build: gen (a random number), n (bytes of
**                            the corpus), nsa (suffixes), ndoc, sawidth
**   NAME_doc(gen, i, id, start, len)   document i of build gen: its id,
**                            its offset in the corpus, its bytes (tokens)
**   NAME_data(gen, kind, block, data)  the corpus ('text'), the suffix
**                            array ('sa', little-endian 4 or 8 bytes a
**                            suffix) and the token offsets ('tokoff') of
**                            build gen, in blocks of SX_BLOCK bytes.
** A rebuild (INSERT INTO NAME(NAME) VALUES('rebuild'), also run by the
** CREATE) writes a new build under a new gen, then makes it the current
** one with one UPDATE, then deletes the old one: a rebuild stopped at any
** point (error, interrupt, crash) leaves the last complete build current,
** and its leftovers are deleted by the next one.  All of it is in the
** statement's transaction, so a ROLLBACK takes it back whole.  A query
** (WHERE min_length = ? AND min_count = ?) loads the current build into
** memory once per connection (checked against gen at every query) and
** finds its spans as substring_dups does.
*/
#define SX_BLOCK (8<<20)
#define SXI "substring_index"

typedef struct sx_vtab {
  sqlite3_vtab base;
  sqlite3 *db;
  char *schema, *name;
  char *source;                  /* the configuration */
  int unit, width;
  const corpus_tokenizer *tok;
  sx_corpus k;                   /* the loaded build, ... */
  sqlite3_value **ids;           /* ... its documents' ids */
  int64_t gen;                   /* ... and its gen (0: none loaded) */
} sx_vtab;

typedef struct sx_icursor {
  sqlite3_vtab_cursor base;
  sx_span *span;
  int64_t row, nrow;
} sx_icursor;

static void sx_vtab_unload(sx_vtab *v){
  int64_t i;
  if( v->ids ){
    for(i=0; i<v->k.ndoc; i++) sqlite3_value_free(v->ids[i]);
  }
  corpus_free(v->ids);
  v->ids = 0;
  sx_corpus_free(&v->k);
  v->gen = 0;
}

static int sx_disconnect(sqlite3_vtab *pVtab){
  sx_vtab *v = (sx_vtab*)pVtab;
  sx_vtab_unload(v);
  sqlite3_free(v->base.zErrMsg);  /* a message no statement collected */
  sqlite3_free(v->schema);
  sqlite3_free(v->name);
  sqlite3_free(v->source);
  sqlite3_free(v);
  return SQLITE_OK;
}

static const char *const sx_shadows[] = {"config", "doc", "data"};

static int sx_destroy(sqlite3_vtab *pVtab){
  sx_vtab *v = (sx_vtab*)pVtab;
  int rc = corpus_vtab_drop_shadows(v->db, v->schema, v->name, sx_shadows, 3);
  if( rc==SQLITE_OK ) sx_disconnect(pVtab);
  return rc;
}

static int sx_shadow_name(const char *name){
  return strcmp(name, "config")==0 || strcmp(name, "doc")==0
      || strcmp(name, "data")==0;
}

static int sx_rename(sqlite3_vtab *pVtab, const char *zNew){
  sx_vtab *v = (sx_vtab*)pVtab;
  int rc = corpus_vtab_rename_shadows(v->db, v->schema, v->name, zNew,
                                      sx_shadows, 3);
  if( rc && rc!=SQLITE_NOMEM ){
    return corpus_vtab_error(pVtab, SXI, "%s", sqlite3_errmsg(v->db));
  }
  if( rc==SQLITE_OK ){
    char *z = sqlite3_mprintf("%s", zNew);
    if( z==0 ) return SQLITE_NOMEM;
    sqlite3_free(v->name);
    v->name = z;
  }
  return rc;
}

/* The error of SQL run on the shadow tables, keeping its code. */
static int sx_db_error(sx_vtab *v, int rc){
  int e;
  if( rc==SQLITE_NOMEM ) return rc;
  e = corpus_vtab_error(&v->base, SXI, "%s", sqlite3_errmsg(v->db));
  if( e==SQLITE_NOMEM ) return e;
  return (rc==SQLITE_ROW || rc==SQLITE_DONE) ? SQLITE_ERROR : rc;
}

static int sx_corrupt(sx_vtab *v, const char *what){
  corpus_vtab_error(&v->base, SXI, "%s is corrupt: %s", v->name, what);
  return SQLITE_CORRUPT_VTAB;
}

static int sx_prepare(sx_vtab *v, sqlite3_stmt **st, const char *fmt, ...){
  va_list ap;
  char *sql;
  int rc;
  va_start(ap, fmt);
  sql = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(v->db, sql, -1, st, 0);
  sqlite3_free(sql);
  return rc ? sx_db_error(v, rc) : SQLITE_OK;
}

/* The configuration option parser: sx_option's keys and source. */
typedef struct sx_icfg { sx_opts o; char *source; } sx_icfg;

static int sx_icfg_option(void *ctx, const char *key, const char *value,
                          char *err){
  sx_icfg *c = (sx_icfg*)ctx;
  if( strcmp(key, "source")==0 ){
    sqlite3_free(c->source);
    c->source = sqlite3_mprintf("%s", value);
    return c->source ? 0 : CORPUS_NOMEM;
  }
  if( strcmp(key, "min_length")==0 || strcmp(key, "min_count")==0 ){
    snprintf(err, CORPUS_ERRMAX, "%s is given with each query (WHERE %s = "
             "...), not when the index is created", key, key);
    return -1;
  }
  if( strcmp(key, "unit") && strcmp(key, "encoding") && strcmp(key, "width") ){
    snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: source, "
             "unit, encoding, width)", key);
    return -1;
  }
  return sx_option(&c->o, key, value, err);
}

/* A value of NAME_config: SQLITE_OK with *out (sqlite3_malloc'd), or an
** error set on v. */
static int sx_config_get(sx_vtab *v, const char *key, char **out){
  sqlite3_stmt *st = 0;
  int rc = sx_prepare(v, &st, "SELECT v FROM \"%w\".\"%w_config\" WHERE k = %Q",
                      v->schema, v->name, key);
  *out = 0;
  if( rc ) return rc;
  rc = sqlite3_step(st);
  if( rc==SQLITE_ROW ){
    const char *z = (const char*)sqlite3_column_text(st, 0);
    if( z ) *out = sqlite3_mprintf("%s", z);
    rc = (z && *out==0) ? SQLITE_NOMEM : SQLITE_OK;
    if( z==0 && sqlite3_errcode(v->db)==SQLITE_NOMEM ) rc = SQLITE_NOMEM;
  }else if( rc==SQLITE_DONE ){
    rc = SQLITE_OK;
  }else{
    rc = sx_db_error(v, rc);
  }
  sqlite3_finalize(st);
  if( rc==SQLITE_OK && *out==0 ){
    char buf[CORPUS_ERRMAX];
    snprintf(buf, sizeof(buf), "no '%s' in its _config table", key);
    return sx_corrupt(v, buf);
  }
  return rc;
}

/* An integer of NAME_config in [lo, hi]. */
static int sx_config_int(sx_vtab *v, const char *key, int64_t lo, int64_t hi,
                         int64_t *out){
  char *z = 0, *end = 0;
  long long x;
  int rc = sx_config_get(v, key, &z);
  if( rc ) return rc;
  x = strtoll(z, &end, 10);
  if( end==z || *end || x<lo || x>hi ){
    char buf[CORPUS_ERRMAX];
    snprintf(buf, sizeof(buf), "%s is '%.40s' in its _config table", key, z);
    sqlite3_free(z);
    return sx_corrupt(v, buf);
  }
  sqlite3_free(z);
  *out = x;
  return SQLITE_OK;
}

/* Reads source, unit, encoding and width from NAME_config into v. */
static int sx_config_read(sx_vtab *v){
  char *unit = 0, *enc = 0, *width = 0;
  char err[CORPUS_ERRMAX];
  sx_opts o;
  int rc;
  sx_opts_init(&o);
  sqlite3_free(v->source);
  v->source = 0;
  if( (rc = sx_config_get(v, "source", &v->source))
   || (rc = sx_config_get(v, "unit", &unit))
   || (rc = sx_config_get(v, "encoding", &enc))
   || (rc = sx_config_get(v, "width", &width)) ){
    goto done;
  }
  if( sx_option(&o, "unit", unit, err) || sx_option(&o, "encoding", enc, err)
   || sx_option(&o, "width", width, err) ){
    rc = sx_corrupt(v, err);
    goto done;
  }
  v->unit = o.unit;
  v->tok = o.tok;
  v->width = o.width;
done:
  sqlite3_free(unit);
  sqlite3_free(enc);
  sqlite3_free(width);
  return rc;
}

static int sx_init(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                   sqlite3_vtab **ppVtab, char **pzErr, int create);

static int sx_create(sqlite3 *db, void *pAux, int argc,
                     const char *const *argv, sqlite3_vtab **ppVtab,
                     char **pzErr){
  return sx_init(db, pAux, argc, argv, ppVtab, pzErr, 1);
}

static int sx_connect(sqlite3 *db, void *pAux, int argc,
                      const char *const *argv, sqlite3_vtab **ppVtab,
                      char **pzErr){
  return sx_init(db, pAux, argc, argv, ppVtab, pzErr, 0);
}

static int sx_rebuild(sx_vtab *v);

static int sx_init(sqlite3 *db, void *pAux, int argc, const char *const *argv,
                   sqlite3_vtab **ppVtab, char **pzErr, int create){
  sx_vtab *v;
  sx_icfg cfg;
  char *decl;
  int rc;
  (void)pAux;
  *ppVtab = 0;
  memset(&cfg, 0, sizeof(cfg));
  sx_opts_init(&cfg.o);
  if( create ){
    char err[CORPUS_ERRMAX];
    char *opts = corpus_vtab_options(argc, argv);
    if( opts==0 ) return SQLITE_NOMEM;
    rc = corpus_options_parse(opts, strlen(opts), sx_icfg_option, &cfg, err);
    sqlite3_free(opts);
    if( rc==CORPUS_NOMEM ){ sqlite3_free(cfg.source); return SQLITE_NOMEM; }
    if( rc==0 && cfg.source==0 ){
      snprintf(err, sizeof(err), "source is required (a table or view name, "
               "or one query giving id, text)");
      rc = -1;
    }
    if( rc ){
      sqlite3_free(cfg.source);
      *pzErr = corpus_sql_utf8(sqlite3_mprintf(SXI ": %s", err));
      return SQLITE_ERROR;
    }
    rc = corpus_vtab_exec(db, pzErr,
        "CREATE TABLE \"%w\".\"%w_config\"(k TEXT PRIMARY KEY, v) WITHOUT ROWID;"
        "INSERT INTO \"%w\".\"%w_config\" VALUES ('source', %Q), "
        "('unit', '%s'), ('encoding', %Q), ('width', '%s'), ('gen', 0), "
        "('n', 0), ('nsa', 0), ('ndoc', 0), ('sawidth', 32);"
        "CREATE TABLE \"%w\".\"%w_doc\"(gen INTEGER, i INTEGER, id, start "
        "INTEGER, len INTEGER, PRIMARY KEY(gen, i)) WITHOUT ROWID;"
        "CREATE TABLE \"%w\".\"%w_data\"(gen INTEGER, kind TEXT, block "
        "INTEGER, data BLOB, PRIMARY KEY(gen, kind, block)) WITHOUT ROWID;",
        argv[1], argv[2], argv[1], argv[2], cfg.source,
        cfg.o.unit==SX_UNIT_TOKENS ? "tokens" : "bytes", cfg.o.tok->name,
        cfg.o.width==0 ? "auto" : cfg.o.width==32 ? "32" : "64",
        argv[1], argv[2], argv[1], argv[2]);
    sqlite3_free(cfg.source);
    if( rc ) return rc;
  }
  decl = sqlite3_mprintf("CREATE TABLE x(doc, start INTEGER, end INTEGER, "
                         "count INTEGER, min_length HIDDEN, min_count HIDDEN, "
                         "\"%w\" HIDDEN)", argv[2]);
  if( decl==0 ) return SQLITE_NOMEM;
  rc = sqlite3_declare_vtab(db, decl);
  sqlite3_free(decl);
  if( rc ) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  v = sqlite3_malloc(sizeof(*v));
  if( v==0 ) return SQLITE_NOMEM;
  memset(v, 0, sizeof(*v));
  v->db = db;
  v->schema = sqlite3_mprintf("%s", argv[1]);
  v->name = sqlite3_mprintf("%s", argv[2]);
  if( v->schema==0 || v->name==0 ){
    sx_disconnect(&v->base);
    return SQLITE_NOMEM;
  }
  if( create ){
    rc = sx_config_read(v);
    if( rc==SQLITE_OK ) rc = sx_rebuild(v);
    if( rc ){
      *pzErr = v->base.zErrMsg;
      v->base.zErrMsg = 0;
      sx_disconnect(&v->base);
      return rc;
    }
  }
  *ppVtab = &v->base;
  return SQLITE_OK;
}

/* Writes the bytes of one kind of build gen in blocks. */
static int sx_write_blocks(sx_vtab *v, sqlite3_stmt *ins, int64_t gen,
                           const char *kind, const unsigned char *p,
                           int64_t n){
  int64_t off, b = 0;
  for(off=0; off<n; off+=SX_BLOCK, b++){
    int64_t len = n-off<SX_BLOCK ? n-off : SX_BLOCK;
    int rc;
    sqlite3_bind_int64(ins, 1, gen);
    sqlite3_bind_text(ins, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 3, b);
    sqlite3_bind_blob64(ins, 4, p+off, (sqlite3_uint64)len, SQLITE_STATIC);
    sqlite3_step(ins);
    rc = sqlite3_reset(ins);
    if( rc ) return sx_db_error(v, rc);
  }
  return SQLITE_OK;
}

/* Reads the source, sorts, and writes the build (above). */
static int sx_rebuild(sx_vtab *v){
  sx_corpus k;
  sqlite3_value **ids = 0;
  sqlite3_stmt *ins = 0;
  char *err = 0;
  char buf[CORPUS_ERRMAX];
  int64_t gen, old, i;
  int rc;
  memset(&k, 0, sizeof(k));
  k.unit = v->unit;
  k.stride = v->unit==SX_UNIT_TOKENS ? 3 : 1;
  k.tok = v->tok;
  if( (rc = sx_config_int(v, "gen", INT64_MIN, INT64_MAX, &old)) ) return rc;
  /* the leftovers of a rebuild that stopped */
  rc = corpus_vtab_exec(v->db, &err,
      "DELETE FROM \"%w\".\"%w_doc\" WHERE gen <> %lld;"
      "DELETE FROM \"%w\".\"%w_data\" WHERE gen <> %lld;",
      v->schema, v->name, (long long)old, v->schema, v->name, (long long)old);
  if( rc ) goto done;
  rc = sx_read(v->db, v->source, &k, &ids, &err);
  if( rc==SQLITE_OK ){
    int e = sx_sort(&k, v->width, buf);
    if( e<0 ) rc = SQLITE_NOMEM;
    else if( e>0 ){ err = sqlite3_mprintf("%s", buf); rc = SQLITE_ERROR; }
  }
  if( rc ) goto done;
  do{ sqlite3_randomness(sizeof(gen), &gen); }while( gen==0 || gen==old );
  rc = sx_prepare(v, &ins, "INSERT INTO \"%w\".\"%w_doc\" VALUES (?1, ?2, ?3, "
                  "?4, ?5)", v->schema, v->name);
  for(i=0; rc==SQLITE_OK && i<k.ndoc; i++){
    sqlite3_bind_int64(ins, 1, gen);
    sqlite3_bind_int64(ins, 2, i);
    sqlite3_bind_value(ins, 3, ids[i]);
    sqlite3_bind_int64(ins, 4, k.dstart[i]);
    sqlite3_bind_int64(ins, 5, k.unit==SX_UNIT_TOKENS ? k.dlen[i]
                                : k.dstart[i+1]-k.dstart[i]);
    sqlite3_step(ins);
    if( (rc = sqlite3_reset(ins)) ) rc = sx_db_error(v, rc);
  }
  sqlite3_finalize(ins);
  ins = 0;
  if( rc ) goto done;
  rc = sx_prepare(v, &ins, "INSERT INTO \"%w\".\"%w_data\" VALUES (?1, ?2, ?3, "
                  "?4)", v->schema, v->name);
  if( rc==SQLITE_OK ){
    rc = sx_write_blocks(v, ins, gen, "text", k.text.p, (int64_t)k.text.n);
  }
  if( rc==SQLITE_OK ){
    rc = sx_write_blocks(v, ins, gen, "sa", k.sa.p, k.nsa*(k.width/8));
  }
  if( rc==SQLITE_OK && k.unit==SX_UNIT_TOKENS ){
    rc = sx_write_blocks(v, ins, gen, "tokoff", k.tokoff.p,
                         (int64_t)k.tokoff.n);
  }
  sqlite3_finalize(ins);
  if( rc ) goto done;
  /* the new build becomes the current one in one statement */
  rc = corpus_vtab_exec(v->db, &err,
      "UPDATE \"%w\".\"%w_config\" SET v = CASE k WHEN 'gen' THEN %lld "
      "WHEN 'n' THEN %lld WHEN 'nsa' THEN %lld WHEN 'ndoc' THEN %lld "
      "ELSE %d END WHERE k IN ('gen', 'n', 'nsa', 'ndoc', 'sawidth');"
      "DELETE FROM \"%w\".\"%w_doc\" WHERE gen <> %lld;"
      "DELETE FROM \"%w\".\"%w_data\" WHERE gen <> %lld;",
      v->schema, v->name, (long long)gen, (long long)k.text.n,
      (long long)k.nsa, (long long)k.ndoc, k.width,
      v->schema, v->name, (long long)gen, v->schema, v->name, (long long)gen);
  if( rc ) goto done;
  /* the build stays loaded */
  sx_vtab_unload(v);
  v->k = k;
  v->ids = ids;
  v->gen = gen;
  memset(&k, 0, sizeof(k));
  ids = 0;
done:
  if( ids ){
    for(i=0; i<k.ndoc; i++) sqlite3_value_free(ids[i]);
    corpus_free(ids);
  }
  sx_corpus_free(&k);
  if( rc && rc!=SQLITE_NOMEM && err ){
    corpus_vtab_error(&v->base, SXI, "%s", err);
  }else if( rc==SQLITE_INTERRUPT && v->base.zErrMsg==0 ){
    corpus_vtab_error(&v->base, SXI, "interrupted");
  }
  sqlite3_free(err);
  return rc;
}

/* Reads n bytes of one kind of build gen into b. */
static int sx_read_blocks(sx_vtab *v, int64_t gen, const char *kind,
                          int64_t n, sx_big *b){
  sqlite3_stmt *st = 0;
  int64_t off = 0, expect = 0;
  char buf[CORPUS_ERRMAX];
  int rc = sx_prepare(v, &st, "SELECT block, data FROM \"%w\".\"%w_data\" "
                      "WHERE gen = %lld AND kind = %Q ORDER BY block",
                      v->schema, v->name, (long long)gen, kind);
  if( rc ) return rc;
  if( big_zero(b, (size_t)(n ? n : 1)) ){
    sqlite3_finalize(st);
    return SQLITE_NOMEM;
  }
  b->n = (size_t)n;
  while( (rc = sqlite3_step(st))==SQLITE_ROW ){
    int64_t len = sqlite3_column_bytes(st, 1);
    const void *p = sqlite3_column_blob(st, 1);
    if( sqlite3_column_int64(st, 0)!=expect++ || len>n-off
     || (len<SX_BLOCK && off+len<n) || (len>0 && p==0) ){
      sqlite3_finalize(st);
      if( len>0 && p==0 && sqlite3_errcode(v->db)==SQLITE_NOMEM ){
        return SQLITE_NOMEM;
      }
      snprintf(buf, sizeof(buf), "its '%s' blocks are not those of %lld "
               "bytes", kind, (long long)n);
      return sx_corrupt(v, buf);
    }
    if( len ) memcpy(b->p + off, p, (size_t)len);
    off += len;
  }
  sqlite3_finalize(st);
  if( rc!=SQLITE_DONE ) return sx_db_error(v, rc);
  if( off!=n ){
    snprintf(buf, sizeof(buf), "its '%s' blocks hold %lld bytes, not %lld",
             kind, (long long)off, (long long)n);
    return sx_corrupt(v, buf);
  }
  return SQLITE_OK;
}

/* Makes the current build the loaded one: every value read is checked,
** as the shadow tables are anyone's to write. */
static int sx_load(sx_vtab *v){
  int64_t gen, n, nsa, ndoc, w, i;
  sqlite3_stmt *st = 0;
  sx_corpus *k = &v->k;
  int rc;
  if( (rc = sx_config_read(v)) ) return rc;
  if( (rc = sx_config_int(v, "gen", INT64_MIN, INT64_MAX, &gen)) ) return rc;
  if( gen==v->gen && gen!=0 ) return SQLITE_OK;
  sx_vtab_unload(v);
  if( gen==0 ) return sx_corrupt(v, "it was never built");
  if( (rc = sx_config_int(v, "n", 0, INT64_MAX/8, &n))
   || (rc = sx_config_int(v, "nsa", 0, n, &nsa))
   || (rc = sx_config_int(v, "ndoc", 0, CORPUS_MAX_ALLOC/16, &ndoc))
   || (rc = sx_config_int(v, "sawidth", 32, 64, &w)) ){
    return rc;
  }
  k->unit = v->unit;
  k->stride = v->unit==SX_UNIT_TOKENS ? 3 : 1;
  k->tok = v->tok;
  k->width = (int)w;
  if( (w!=32 && w!=64) || (w==32 && n>0x7fffffff)
   || nsa!=(n+k->stride-1)/k->stride ){
    return sx_corrupt(v, "its sizes (n, nsa, sawidth) do not agree");
  }
  k->dstart = corpus_realloc(0, (size_t)(ndoc+1)*sizeof(int64_t));
  k->dlen = corpus_realloc(0, (size_t)(ndoc+1)*sizeof(int64_t));
  v->ids = corpus_realloc(0, (size_t)(ndoc+1)*sizeof(sqlite3_value*));
  if( k->dstart==0 || k->dlen==0 || v->ids==0 ){ rc = SQLITE_NOMEM; goto fail; }
  rc = sx_prepare(v, &st, "SELECT i, id, start, len FROM \"%w\".\"%w_doc\" "
                  "WHERE gen = %lld ORDER BY i", v->schema, v->name,
                  (long long)gen);
  if( rc ) goto fail;
  k->dstart[0] = 0;
  for(i=0; (rc = sqlite3_step(st))==SQLITE_ROW; i++){
    int64_t s = sqlite3_column_int64(st, 2), len = sqlite3_column_int64(st, 3);
    /* bytes: each document starts where the one before ends; tokens: at
    ** or after it, at a token */
    int bad = k->unit==SX_UNIT_BYTES ? (s!=k->dstart[i] || len>n-s)
                                     : (s<k->dstart[i] || s%3 || s>n || (i==0 && s!=0));
    if( i>=ndoc || sqlite3_column_int64(st, 0)!=i || len<0 || len>0x7fffffff
     || bad ){
      sqlite3_finalize(st);
      rc = sx_corrupt(v, "its _doc table does not match the build");
      goto fail;
    }
    v->ids[i] = sqlite3_value_dup(sqlite3_column_value(st, 1));
    if( v->ids[i]==0 ){ sqlite3_finalize(st); rc = SQLITE_NOMEM; goto fail; }
    k->ndoc = i+1;
    k->dstart[i] = s;
    k->dlen[i] = len;
    k->dstart[i+1] = k->unit==SX_UNIT_BYTES ? s+len : s;
  }
  sqlite3_finalize(st);
  if( rc!=SQLITE_DONE ){ rc = sx_db_error(v, rc); goto fail; }
  if( k->ndoc!=ndoc || (k->unit==SX_UNIT_BYTES ? k->dstart[ndoc]!=n
                                               : (ndoc==0 && n!=0)) ){
    rc = sx_corrupt(v, "its _doc table does not match the build");
    goto fail;
  }
  k->dstart[ndoc] = n;
  rc = sx_read_blocks(v, gen, "text", n, &k->text);
  if( rc==SQLITE_OK ) rc = sx_read_blocks(v, gen, "sa", nsa*(w/8), &k->sa);
  if( rc==SQLITE_OK && k->unit==SX_UNIT_TOKENS ){
    rc = sx_read_blocks(v, gen, "tokoff", nsa*4, &k->tokoff);
  }
  if( rc ) goto fail;
  k->nsa = nsa;
  if( k->unit==SX_UNIT_TOKENS ){
    /* each document's token offsets: from 0, rising, inside it */
    const uint32_t *off = (const uint32_t*)k->tokoff.p;
    int64_t d, t;
    for(d=0; d<ndoc; d++){
      int64_t t0 = k->dstart[d]/3, t1 = k->dstart[d+1]/3;
      for(t=t0; t<t1; t++){
        int64_t o = off[t] & ~SX_BOUNDARY;
        if( o>=k->dlen[d] || (t==t0 ? (off[t]!=SX_BOUNDARY)
                                    : o<=(int64_t)(off[t-1] & ~SX_BOUNDARY)) ){
          rc = sx_corrupt(v, "its token offsets do not match its documents");
          goto fail;
        }
      }
    }
  }
  for(i=0; i<nsa; i++){
    int64_t p = sa_at(k, i);
    if( p<0 || p>=n || p%k->stride ){
      rc = sx_corrupt(v, "its suffix array points outside the corpus");
      goto fail;
    }
  }
  v->gen = gen;
  return SQLITE_OK;
fail:
  sx_vtab_unload(v);
  return rc;
}

enum { SXI_MIN_LENGTH = 4, SXI_MIN_COUNT = 5, SXI_COMMAND = 6 };

/* min_length = ? and min_count = ? are the query's arguments: bit 0 and
** bit 1 of idxNum, in that order in argv. */
static int sx_best_index(sqlite3_vtab *pVtab, sqlite3_index_info *info){
  int i, len = -1, cnt = -1, n = 0;
  (void)pVtab;
  for(i=0; i<info->nConstraint; i++){
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    if( c->op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    if( c->iColumn==SXI_MIN_LENGTH ){
      if( !c->usable ) return SQLITE_CONSTRAINT;
      len = i;
    }else if( c->iColumn==SXI_MIN_COUNT ){
      if( !c->usable ) return SQLITE_CONSTRAINT;
      cnt = i;
    }
  }
  info->idxNum = 0;
  if( len>=0 ){
    info->aConstraintUsage[len].argvIndex = ++n;
    info->aConstraintUsage[len].omit = 1;
    info->idxNum |= 1;
  }
  if( cnt>=0 ){
    info->aConstraintUsage[cnt].argvIndex = ++n;
    info->aConstraintUsage[cnt].omit = 1;
    info->idxNum |= 2;
  }
  info->estimatedCost = 1e6;
  info->estimatedRows = 1000;
  return SQLITE_OK;
}

static int sx_open(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  sx_icursor *c = sqlite3_malloc(sizeof(*c));
  (void)pVtab;
  if( c==0 ) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  *ppCur = &c->base;
  return SQLITE_OK;
}

static int sx_close(sqlite3_vtab_cursor *cur){
  sx_icursor *c = (sx_icursor*)cur;
  corpus_free(c->span);
  sqlite3_free(c);
  return SQLITE_OK;
}

/* A query argument: an integer in [lo, hi]. */
static int sx_arg(sx_vtab *v, sqlite3_value *a, const char *name, int64_t lo,
                  int64_t hi, int64_t *out){
  sqlite3_int64 x;
  if( !corpus_vtab_rowid(a, &x) || x<lo || x>hi ){
    const char *t = (const char*)sqlite3_value_text(a);
    if( sqlite3_value_type(a)==SQLITE_NULL ) t = "NULL";
    return corpus_vtab_error(&v->base, SXI, "%s must be an integer in "
                             "%lld..%lld, got %.40s", name, (long long)lo,
                             (long long)hi, t ? t : "?");
  }
  *out = x;
  return SQLITE_OK;
}

static int sx_ifilter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                      int argc, sqlite3_value **argv){
  sx_icursor *c = (sx_icursor*)cur;
  sx_vtab *v = (sx_vtab*)cur->pVtab;
  sx_opts o;
  corpus_probe probe;
  int64_t len, cnt = 2;
  int rc, i = 0;
  (void)idxStr; (void)argc;
  corpus_free(c->span);
  c->span = 0;
  c->row = c->nrow = 0;
  if( (rc = sx_load(v)) ) return rc;
  sx_opts_init(&o);
  o.unit = v->unit;
  len = sx_min_length(&o);
  if( (idxNum&1)
   && (rc = sx_arg(v, argv[i++], "min_length", 1, SX_MAX_MIN_LENGTH, &len)) ){
    return rc;
  }
  if( (idxNum&2)
   && (rc = sx_arg(v, argv[i++], "min_count", 2, INT64_MAX, &cnt)) ){
    return rc;
  }
  probe.db = v->db;
  probe.stmt = 0;
  rc = sx_find_spans(&v->k, len, cnt, &probe, &c->span, &c->nrow);
  corpus_probe_end(&probe);
  if( rc==SQLITE_INTERRUPT ) corpus_vtab_error(&v->base, SXI, "interrupted");
  if( rc==SQLITE_TOOBIG ) rc = corpus_vtab_error(&v->base, SXI, "too many "
                                                 "spans");
  return rc;
}

static int sx_next(sqlite3_vtab_cursor *cur){
  ((sx_icursor*)cur)->row++;
  return SQLITE_OK;
}

static int sx_eof(sqlite3_vtab_cursor *cur){
  sx_icursor *c = (sx_icursor*)cur;
  return c->row>=c->nrow;
}

static int sx_icolumn(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
                      int col){
  sx_icursor *c = (sx_icursor*)cur;
  sx_result(ctx, ((sx_vtab*)cur->pVtab)->ids, &c->span[c->row], col);
  return SQLITE_OK;
}

static int sx_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *pRowid){
  *pRowid = ((sx_icursor*)cur)->row + 1;
  return SQLITE_OK;
}

/* integrity-check: the build loads (every value in range), the suffix
** array is a permutation of the suffixes, in order as far as their first
** SX_CHECK_PREFIX bytes tell (a bound, so that the check stays linear
** on a corpus of copies). */
#define SX_CHECK_PREFIX 64
static int sx_check(sx_vtab *v){
  sx_corpus *k = &v->k;
  sx_big seen;
  int64_t i, n;
  int rc = SQLITE_OK;
  v->gen = 0;                     /* read it all again */
  if( (rc = sx_load(v)) ) return rc;
  n = (int64_t)k->text.n;
  memset(&seen, 0, sizeof(seen));
  if( big_zero(&seen, (size_t)(n/8 + 1)) ) return SQLITE_NOMEM;
  for(i=0; i<k->nsa; i++){
    int64_t p = sa_at(k, i);
    if( BIT_GET(seen, p) ){
      rc = sx_corrupt(v, "its suffix array has a suffix twice");
      break;
    }
    BIT_SET(seen, p);
    if( i>0 ){
      int64_t q = sa_at(k, i-1), m = n-p<n-q ? n-p : n-q, h = 0;
      if( m>SX_CHECK_PREFIX ) m = SX_CHECK_PREFIX;
      while( h<m && k->text.p[p+h]==k->text.p[q+h] ) h++;
      if( h<m ? k->text.p[q+h]>k->text.p[p+h]
              : (m<SX_CHECK_PREFIX && n-q>n-p) ){
        rc = sx_corrupt(v, "its suffix array is out of order");
        break;
      }
    }
  }
  big_free(&seen);
  if( rc ) sx_vtab_unload(v);
  return rc;
}

/* Only the commands: INSERT INTO NAME(NAME) VALUES('rebuild' or
** 'integrity-check'). */
static int sx_update(sqlite3_vtab *pVtab, int argc, sqlite3_value **argv,
                     sqlite3_int64 *pRowid){
  sx_vtab *v = (sx_vtab*)pVtab;
  const char *cmd;
  int rc;
  (void)pRowid;
  if( argc<2+SXI_COMMAND+1 || sqlite3_value_type(argv[0])!=SQLITE_NULL
   || sqlite3_value_type(argv[2+SXI_COMMAND])==SQLITE_NULL ){
    return corpus_vtab_error(pVtab, SXI, "%s is read-only: its rows come from "
                             "its source (INSERT INTO %s(%s) VALUES('rebuild') "
                             "reads it again)", v->name, v->name, v->name);
  }
  cmd = (const char*)sqlite3_value_text(argv[2+SXI_COMMAND]);
  if( cmd==0 ) return SQLITE_NOMEM;
  if( strcmp(cmd, "rebuild")==0 ){
    if( (rc = sx_config_read(v)) ) return rc;
    return sx_rebuild(v);
  }
  if( strcmp(cmd, "integrity-check")==0 ) return sx_check(v);
  return corpus_vtab_error(pVtab, SXI, "unknown command '%.40s' (valid: "
                           "rebuild, integrity-check)", cmd);
}

static const sqlite3_module sx_module = {
  /* iVersion    */ 3,            /* xShadowName */
  /* xCreate     */ sx_create,
  /* xConnect    */ sx_connect,
  /* xBestIndex  */ sx_best_index,
  /* xDisconnect */ sx_disconnect,
  /* xDestroy    */ sx_destroy,
  /* xOpen       */ sx_open,
  /* xClose      */ sx_close,
  /* xFilter     */ sx_ifilter,
  /* xNext       */ sx_next,
  /* xEof        */ sx_eof,
  /* xColumn     */ sx_icolumn,
  /* xRowid      */ sx_rowid,
  /* xUpdate     */ sx_update,
  /* xBegin      */ 0,
  /* xSync       */ 0,
  /* xCommit     */ 0,
  /* xRollback   */ 0,
  /* xFindMethod */ 0,
  /* xRename     */ sx_rename,
  /* xSavepoint  */ 0,
  /* xRelease    */ 0,
  /* xRollbackTo */ 0,
  /* xShadowName */ sx_shadow_name
};

/* ---- substring_dups() over an index ------------------------------------------- */

/* Whether source z names a substring_index: 1, 0, -1 out of memory.  A
** name without a schema is looked up as SQLite does: temp, main, then the
** attached databases in their order. */
static int sx_index_is(sqlite3 *db, const char *z){
  sqlite3_stmt *st = 0;
  char *part[2] = {0, 0};
  int rc, is = 0, np;
  if( !corpus_sql_is_name(z) ) return 0;
  np = corpus_sql_name_parts(z, part);
  if( np<0 ) return -1;
  rc = sqlite3_prepare_v2(db,
      "SELECT t.schema, t.name FROM pragma_database_list AS d "
      "JOIN pragma_table_list AS t ON t.schema = d.name "
      "WHERE t.name = ?1 COLLATE NOCASE "
      "AND (?2 IS NULL OR t.schema = ?2 COLLATE NOCASE) "
      "ORDER BY CASE d.name WHEN 'temp' THEN -1 ELSE d.seq END LIMIT 1",
      -1, &st, 0);
  if( rc==SQLITE_OK ){
    sqlite3_bind_text(st, 1, part[np-1], -1, SQLITE_STATIC);
    if( np==2 ) sqlite3_bind_text(st, 2, part[0], -1, SQLITE_STATIC);
    if( sqlite3_step(st)==SQLITE_ROW ){
      const char *sc = (const char*)sqlite3_column_text(st, 0);
      const char *nm = (const char*)sqlite3_column_text(st, 1);
      is = (sc && nm) ? corpus_vtab_is_module(db, sc, nm, SXI) : -1;
    }
    rc = sqlite3_finalize(st);
  }
  sqlite3_free(part[0]);
  sqlite3_free(part[1]);
  return rc==SQLITE_NOMEM ? -1 : is;
}

/* substring_dups(NAME, options) where NAME is a substring_index: its rows
** for the options' min_length and min_count. */
static int sx_index_relay(sx_cursor *c, const char *z, const sx_opts *o){
  corpus_tvf_cursor *cur = &c->base;
  sqlite3 *db = corpus_tvf_db(cur);
  sqlite3_stmt *st = 0;
  char *sql = sqlite3_mprintf("SELECT doc, start, end, count FROM %s WHERE "
                              "min_count = ?2%s", corpus_sql_skip_blank(z),
                              o->have_length ? " AND min_length = ?1" : "");
  int64_t cap = 0;
  int rc;
  if( sql==0 ) return SQLITE_NOMEM;
  rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
  sqlite3_free(sql);
  if( rc ) return sx_tvf_fail(cur, rc, sqlite3_mprintf("%s",
                                                       sqlite3_errmsg(db)));
  if( o->have_length ) sqlite3_bind_int64(st, 1, o->min_length);
  sqlite3_bind_int64(st, 2, o->min_count);
  while( (rc = sqlite3_step(st))==SQLITE_ROW ){
    sx_span *sp;
    if( c->nid==cap ){
      int64_t ncap = cap ? cap*2 : 64;
      sqlite3_value **v = corpus_realloc(c->ids, (size_t)ncap*sizeof(*v));
      if( v ) c->ids = v;
      sp = v ? corpus_realloc(c->span, (size_t)ncap*sizeof(*sp)) : 0;
      if( sp==0 ){ rc = SQLITE_NOMEM; break; }
      c->span = sp;
      cap = ncap;
    }
    c->ids[c->nid] = sqlite3_value_dup(sqlite3_column_value(st, 0));
    if( c->ids[c->nid]==0 ){ rc = SQLITE_NOMEM; break; }
    sp = &c->span[c->nid];
    sp->doc = c->nid;
    sp->start = sqlite3_column_int64(st, 1);
    sp->end = sqlite3_column_int64(st, 2);
    sp->count = sqlite3_column_int64(st, 3);
    c->nid++;
  }
  if( rc==SQLITE_DONE ){
    rc = SQLITE_OK;
    cur->nrow = c->nid;
  }else{
    const char *m = sqlite3_errmsg(db);
    if( strncmp(m, SXI ": ", sizeof(SXI)+1)==0 ) m += sizeof(SXI)+1;
    /* the index's corruption is an error of this statement, not of the
    ** database file: SQLITE_CORRUPT would fail the whole transaction */
    if( (rc&0xff)==SQLITE_CORRUPT ) rc = SQLITE_ERROR;
    rc = sx_tvf_fail(cur, rc, rc==SQLITE_NOMEM ? 0 : sqlite3_mprintf("%s", m));
  }
  sqlite3_finalize(st);
  if( rc ) sx_reset(cur);
  return rc;
}

/* ---- remove_spans() ----------------------------------------------------------- */

typedef struct sx_cut { int64_t s, e; } sx_cut;

static int sx_cut_cmp(const void *a, const void *b){
  const sx_cut *x = a, *y = b;
  return x->s<y->s ? -1 : x->s>y->s ? 1 : (x->e<y->e ? -1 : x->e>y->e);
}

/* A JSON number that is a non-negative integer, or -1. */
static int64_t sx_json_offset(corpus_json v){
  int64_t x = 0;
  size_t i;
  if( corpus_json_type(v)!=CORPUS_JSON_NUMBER || v.n>18 ) return -1;
  for(i=0; i<v.n; i++){
    if( v.z[i]<'0' || v.z[i]>'9' ) return -1;
    x = x*10 + (v.z[i]-'0');
  }
  return x;
}

/*
** remove_spans(text, spans): text without the bytes of spans, a JSON array
** of [start, end] pairs or {"start": s, "end": e} objects (byte offsets,
** end exclusive; substring_dups's rows through json_group_array), in any
** order, overlapping or not.  TEXT in, TEXT out: an offset inside a UTF-8
** character is an error; BLOB in, BLOB out.  NULL in, NULL out.
*/
static void remove_spans_func(sqlite3_context *ctx, int argc,
                              sqlite3_value **argv){
  const unsigned char *z;
  const char *js;
  int type = sqlite3_value_type(argv[0]);
  int64_t n, ncut = 0, i, pos = 0;
  size_t errpos;
  const char *why;
  corpus_json root, el, a, b;
  corpus_json_iter it;
  sx_cut *cut = 0;
  corpus_buf out;
  (void)argc;
  if( type==SQLITE_NULL || sqlite3_value_type(argv[1])==SQLITE_NULL ) return;
  if( type!=SQLITE_TEXT && type!=SQLITE_BLOB ){
    corpus_result_error(ctx, "remove_spans", "text must be TEXT or BLOB, got "
                        "%s", corpus_type_name(type));
    return;
  }
  if( corpus_check_text(ctx, "remove_spans", "spans", argv[1]) ) return;
  z = type==SQLITE_TEXT ? sqlite3_value_text(argv[0])
                        : sqlite3_value_blob(argv[0]);
  n = sqlite3_value_bytes(argv[0]);
  js = (const char*)sqlite3_value_text(argv[1]);
  if( (z==0 && n>0) || js==0 ){ sqlite3_result_error_nomem(ctx); return; }
  if( corpus_json_check_why(js, strlen(js), &errpos, &why) ){
    corpus_result_error(ctx, "remove_spans", "spans is not JSON: %s at byte "
                        "%lld", why, (long long)errpos);
    return;
  }
  root = corpus_json_root(js, strlen(js));
  if( corpus_json_type(root)!=CORPUS_JSON_ARRAY ) goto shape;
  corpus_json_iter_init(root, &it);
  while( corpus_json_iter_next(&it, 0, &el) ){
    sx_cut c;
    int t = corpus_json_type(el), r1, r2;
    if( t==CORPUS_JSON_ARRAY ){
      corpus_json x;
      if( !corpus_json_element(el, 0, &a) || !corpus_json_element(el, 1, &b)
       || corpus_json_element(el, 2, &x) ){
        goto shape;
      }
    }else if( t==CORPUS_JSON_OBJECT ){
      r1 = corpus_json_member(el, "start", 5, &a);
      r2 = corpus_json_member(el, "end", 3, &b);
      if( r1<0 || r2<0 ){ sqlite3_result_error_nomem(ctx); goto done; }
      if( r1==0 || r2==0 ) goto shape;
    }else{
      goto shape;
    }
    c.s = sx_json_offset(a);
    c.e = sx_json_offset(b);
    if( c.s<0 || c.e<0 ) goto shape;
    if( c.s>c.e || c.e>n ){
      corpus_result_error(ctx, "remove_spans", "span %lld [%lld, %lld) is not "
                          "inside the text's %lld bytes", (long long)ncut+1,
                          (long long)c.s, (long long)c.e, (long long)n);
      goto done;
    }
    if( type==SQLITE_TEXT
     && (!sx_boundary(z, n, c.s) || !sx_boundary(z, n, c.e)) ){
      corpus_result_error(ctx, "remove_spans", "span %lld [%lld, %lld) cuts "
                          "inside a UTF-8 character", (long long)ncut+1,
                          (long long)c.s, (long long)c.e);
      goto done;
    }
    if( (ncut & (ncut-1))==0 ){
      sx_cut *q = corpus_realloc(cut, (size_t)(ncut ? ncut*2 : 1)*sizeof(*q));
      if( q==0 ){ sqlite3_result_error_nomem(ctx); goto done; }
      cut = q;
    }
    cut[ncut++] = c;
  }
  if( ncut>1 ) qsort(cut, (size_t)ncut, sizeof(*cut), sx_cut_cmp);
  memset(&out, 0, sizeof(out));
  for(i=0; i<=ncut; i++){
    int64_t s = i<ncut ? cut[i].s : n;
    if( s>pos ){
      int e = type==SQLITE_TEXT
            ? corpus_buf_append_utf8(&out, (const char*)z+pos, (size_t)(s-pos))
            : corpus_buf_append(&out, (const char*)z+pos, (size_t)(s-pos));
      if( e ){ corpus_free(out.z); sqlite3_result_error_nomem(ctx); goto done; }
    }
    if( i<ncut && cut[i].e>pos ) pos = cut[i].e;
  }
  if( type==SQLITE_TEXT ){
    sqlite3_result_text64(ctx, out.z ? out.z : "", out.n,
                          out.z ? corpus_sql_free : SQLITE_STATIC, SQLITE_UTF8);
  }else{
    sqlite3_result_blob64(ctx, out.z ? out.z : "", out.n,
                          out.z ? corpus_sql_free : SQLITE_STATIC);
  }
  goto done;
shape:
  corpus_result_error(ctx, "remove_spans", "spans must be a JSON array of "
                      "[start, end] pairs or {\"start\": s, \"end\": e} "
                      "objects of byte offsets");
done:
  corpus_free(cut);
}

/* ---- Registration -------------------------------------------------------------- */

static const char *const sx_args[] = {"source", "options"};
static const corpus_tvf sx_tvf = {
  "substring_dups",
  "CREATE TABLE x(doc, start INTEGER, end INTEGER, count INTEGER, "
  "source HIDDEN, options HIDDEN)",
  4, 2, 1, sx_args, SQLITE_VTAB_DIRECTONLY, sizeof(sx_cursor),
  sx_filter, sx_column, sx_reset, 0, 0
};

static const corpus_sql substr_sql[] = {
  CORPUS_TABLE_FUNCTION("substring_dups", &sx_tvf),
  CORPUS_MODULE(SXI, &sx_module, 0),
  CORPUS_SCALAR("remove_spans", 2, CORPUS_PURE, remove_spans_func),
};

int corpus_substr_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, substr_sql, CORPUS_COUNT(substr_sql), pzErr);
}
