/*
** ROUGE between two texts, as Google's rouge-score package computes it
** (PyPI rouge-score 0.1.2, google-research/google-research rouge/:
** rouge_scorer.py, tokenize.py, scoring.py): rouge_l() from the longest
** common subsequence of the word tokens, rouge_n() from their n-gram counts,
** with the package's DefaultTokenizer (no stemmer).  Self-Instruct (Wang et
** al. 2022) and Alpaca drop a generated instruction whose ROUGE-L against a
** kept one is 0.7 or more; this is the function they call.
**
** The tokenizer, as tokenize.tokenize(text, None): Python's text.lower(),
** every run of characters other than [a-z0-9] a separator, the runs of
** [a-z0-9] the tokens.  So a token is ASCII letters and digits only:
** "don't" is two tokens, "café" is "caf", a text in Greek has none.  Two
** characters outside ASCII lower() maps into it: U+0130 (İ) becomes "i"
** followed by U+0307 (a separator), U+212A (the Kelvin sign) "k".
** Invalid UTF-8 reads as U+FFFD, a separator.
**
** The scores are computed with the package's double operations in its
** order (precision = lcs / len(prediction), recall = lcs / len(target),
** F = 2 * p * r / (p + r), 0 when p + r is 0; a text without tokens
** scores 0), so they are the same doubles.
**
** The LCS is Hyyro's bit-parallel one ("Bit-parallel LCS-length
** computation revisited", 2004): a bit per token of the shorter text, the
** longer read a token at a time, O(m n / 64) word operations; its match
** masks are built per token from that token's positions, so memory is O(m +
** n).  Quadratic all the same: past ROUGE_MAX_PAIRS token pairs (about
** 260,000 tokens each) rouge_l() is an error, not an hour of work.
*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "corpus_sql.h"

#define ROUGE_MAX_PAIRS ((uint64_t)1 << 36)

/* The tokens of both texts, interned: ids[] per text, equal ids for equal
** tokens.  Token bytes are kept lowercased in chars. */
typedef struct rouge_toks {
  uint32_t *ids;
  size_t n, cap;
} rouge_toks;

typedef struct rouge_intern {
  corpus_buf chars;        /* every distinct token's bytes */
  size_t *off;             /* distinct token k at chars[off[k]..off[k+1]) */
  size_t nid, capid;
  uint32_t *slot;          /* open addressing: id+1, 0 empty */
  size_t nslot;
} rouge_intern;

static void intern_free(rouge_intern *t){
  corpus_free(t->chars.z);
  corpus_free(t->off);
  corpus_free(t->slot);
}

static int intern_grow(rouge_intern *t){
  size_t ns = t->nslot ? t->nslot*2 : 256, k;
  uint32_t *s = corpus_realloc(0, ns*sizeof(uint32_t));
  if( s==0 ) return -1;
  memset(s, 0, ns*sizeof(uint32_t));
  for(k=0; k<t->nid; k++){
    uint64_t h = corpus_xxh3(t->chars.z + t->off[k], t->off[k+1]-t->off[k], 0);
    size_t i = (size_t)h & (ns-1);
    while( s[i] ) i = (i+1) & (ns-1);
    s[i] = (uint32_t)k + 1;
  }
  corpus_free(t->slot);
  t->slot = s;
  t->nslot = ns;
  return 0;
}

/* The id of token z[0..n-1] (lowercase ASCII), added when new; -1 when out
** of memory. */
static int64_t intern(rouge_intern *t, const char *z, size_t n){
  uint64_t h;
  size_t i;
  if( (t->nid+1)*2 > t->nslot && intern_grow(t) ) return -1;
  h = corpus_xxh3(z, n, 0);
  for(i=(size_t)h & (t->nslot-1); t->slot[i]; i=(i+1) & (t->nslot-1)){
    size_t k = t->slot[i]-1;
    if( t->off[k+1]-t->off[k]==n && memcmp(t->chars.z+t->off[k], z, n)==0 ){
      return (int64_t)k;
    }
  }
  if( t->nid+2 > t->capid ){
    size_t c = t->capid ? t->capid*2 : 256;
    size_t *p = corpus_realloc(t->off, c*sizeof(size_t));
    if( p==0 ) return -1;
    t->off = p;
    t->capid = c;
  }
  if( t->nid==0 ) t->off[0] = 0;
  if( corpus_buf_append(&t->chars, z, n) ) return -1;
  t->off[t->nid+1] = t->chars.n;
  t->slot[i] = (uint32_t)t->nid + 1;
  return (int64_t)t->nid++;
}

static int toks_push(rouge_toks *k, uint32_t id){
  if( k->n==k->cap ){
    size_t c = k->cap ? k->cap*2 : 64;
    uint32_t *p = corpus_realloc(k->ids, c*sizeof(uint32_t));
    if( p==0 ) return -1;
    k->ids = p;
    k->cap = c;
  }
  k->ids[k->n++] = id;
  return 0;
}

/* Calls emit(ctx, token, length) for each token of z[0..n-1], as
** rouge-score's DefaultTokenizer (header) makes them, lowercased; stops at
** and returns emit's first nonzero return.  -1 also when out of memory (a
** token longer than the stack buffer goes to the heap). */
typedef int (*rouge_emit)(void *ctx, const char *tok, size_t n);
static int rouge_scan(const char *z, size_t n, rouge_emit emit, void *ctx){
  char small[128];
  corpus_buf big = {0, 0, 0};
  size_t i = 0, k = 0;                 /* k: the token's bytes in small */
  int rc = 0;
  while( i<=n ){
    int32_t c = -1;          /* -1: the end, a separator */
    size_t len = 1;
    char ch = 0;
    if( i<n ){
      unsigned char u = (unsigned char)z[i];
      c = u<0x80 ? u : corpus_cp_at(z, n, i, &len);
    }
    if( c>='A' && c<='Z' ) ch = (char)(c + 32);
    else if( (c>='a' && c<='z') || (c>='0' && c<='9') ) ch = (char)c;
    else if( c==0x212A ) ch = 'k';           /* KELVIN SIGN lowers to 'k' */
    if( !ch && c==0x130 ) ch = 'i';          /* U+0130 lowers to "i\u0307" */
    if( ch ){
      if( big.z==0 && k<sizeof(small) ){
        small[k++] = ch;
      }else if( (big.z==0 && corpus_buf_append(&big, small, k))
             || corpus_buf_append(&big, &ch, 1) ){
        rc = -1;
        break;
      }
    }
    if( !ch || c==0x130 ){             /* a separator ends the token */
      const char *t = big.z ? big.z : small;
      size_t tn = big.z ? big.n : k;
      if( tn && (rc = emit(ctx, t, tn))!=0 ) break;
      k = 0;
      big.n = 0;
    }
    i += len;
  }
  corpus_free(big.z);
  return rc;
}

typedef struct intern_ctx { rouge_intern *t; rouge_toks *k; } intern_ctx;
static int emit_intern(void *ctx, const char *tok, size_t n){
  intern_ctx *c = (intern_ctx*)ctx;
  int64_t id = intern(c->t, tok, n);
  return id<0 || toks_push(c->k, (uint32_t)id) ? -1 : 0;
}

/* Tokenizes z[0..n-1] into k, tokens interned in t.  0, or -1 when out
** of memory. */
static int rouge_tokenize(const char *z, size_t n, rouge_intern *t,
                          rouge_toks *k){
  intern_ctx c;
  c.t = t;
  c.k = k;
  return rouge_scan(z, n, emit_intern, &c);
}

/* The fast path of rouge_l() for short texts (an instruction, a sentence):
** at most 64 tokens each and 2,048 bytes of tokens, held on the stack,
** compared by hash and bytes, and the LCS in one machine word (the
** match masks by comparing the tokens, at most 64 x 64); no allocation.  */
#define SMALL_TOKENS 64
#define SMALL_BYTES 2048
typedef struct small_toks {
  size_t n, bytes;
  uint32_t off[SMALL_TOKENS];
  uint16_t len[SMALL_TOKENS];
  uint64_t hash[SMALL_TOKENS];
  char buf[SMALL_BYTES];
} small_toks;

static int emit_small(void *ctx, const char *tok, size_t n){
  small_toks *s = (small_toks*)ctx;
  if( s->n==SMALL_TOKENS || n>SMALL_BYTES - s->bytes ) return 1;  /* full */
  memcpy(s->buf + s->bytes, tok, n);
  s->off[s->n] = (uint32_t)s->bytes;
  s->len[s->n] = (uint16_t)n;
  s->hash[s->n] = corpus_xxh3(tok, n, 0);
  s->bytes += n;
  s->n++;
  return 0;
}

static int small_eq(const small_toks *a, size_t i, const small_toks *b,
                    size_t j){
  return a->hash[i]==b->hash[j] && a->len[i]==b->len[j]
      && memcmp(a->buf + a->off[i], b->buf + b->off[j], a->len[i])==0;
}

/* 1 with the LCS and the token counts when both texts fit, 0 when not
** (the general path then), -1 when out of memory. */
static int rouge_l_small(const char *za, size_t na, const char *zb, size_t nb,
                         int64_t *lcs, size_t *ta, size_t *tb){
  small_toks x, y;
  const small_toks *a, *b;
  uint64_t V, top;
  size_t i, j;
  int rc;
  x.n = x.bytes = y.n = y.bytes = 0;
  if( (rc = rouge_scan(za, na, emit_small, &x))!=0
   || (rc = rouge_scan(zb, nb, emit_small, &y))!=0 ){
    return rc>0 ? 0 : -1;
  }
  *ta = x.n;
  *tb = y.n;
  a = x.n<=y.n ? &x : &y;              /* the bit side: the shorter */
  b = x.n<=y.n ? &y : &x;
  if( a->n==0 ){ *lcs = 0; return 1; }
  top = a->n==64 ? ~(uint64_t)0 : ((uint64_t)1 << a->n) - 1;
  V = top;
  for(j=0; j<b->n; j++){
    uint64_t m = 0, u;
    for(i=0; i<a->n; i++){
      if( small_eq(a, i, b, j) ) m |= (uint64_t)1 << i;
    }
    u = V & m;
    V = ((V + u) | (V & ~m)) & top;
  }
  *lcs = (int64_t)a->n - __builtin_popcountll(V);
  return 1;
}

/* The length of the longest common subsequence of a[0..m-1] and
** b[0..n-1], ids below nid; m <= n.  Hyyro's V' = (V + (V & M)) | (V & ~M)
** over m bits, V starting all ones; the LCS is the zeros of V.  The match
** mask M of b[j] has a bit for each position of b[j] in a: a token that
** occurs in a at least once a word of V keeps a mask of its own, built
** once (at most m / words such tokens, so 8 m bytes in all); a rarer one
** has its mask set from its positions (pos[first[id] .. first[id+1]-1])
** and cleared after, in fewer steps than the words of V.  So each token of
** b costs O(m / 64), whatever repeats.  -1 when out of memory. */
static int64_t lcs_length(const uint32_t *a, size_t m, const uint32_t *b,
                          size_t n, size_t nid){
  size_t words = (m+63)/64, i, j, w, ndense = 0;
  uint64_t *V = 0, *M = 0, *dense = 0;
  size_t *first = 0, *pos = 0, *slot = 0;
  uint64_t top = m%64 ? ((uint64_t)1 << (m%64)) - 1 : ~(uint64_t)0;
  int64_t lcs = -1;
  if( m==0 ) return 0;
  V = corpus_realloc(0, words*sizeof(uint64_t));
  M = corpus_realloc(0, words*sizeof(uint64_t));
  first = corpus_realloc(0, (nid+1)*sizeof(size_t));
  pos = corpus_realloc(0, m*sizeof(size_t));
  slot = corpus_realloc(0, nid*sizeof(size_t));
  if( V==0 || M==0 || first==0 || pos==0 || slot==0 ) goto done;
  memset(M, 0, words*sizeof(uint64_t));
  memset(first, 0, (nid+1)*sizeof(size_t));
  for(i=0; i<m; i++) first[a[i]+1]++;
  for(i=0; i<nid; i++){
    /* slot[id]: 1 + the index of its own mask, or 0 */
    slot[i] = first[i+1]>=words ? ++ndense : 0;
    first[i+1] += first[i];
  }
  for(i=0; i<m; i++) pos[first[a[i]]++] = i;       /* first[id] now ends */
  for(i=nid; i>0; i--) first[i] = first[i-1];      /* back to starts */
  first[0] = 0;
  if( ndense ){
    dense = corpus_realloc(0, ndense*words*sizeof(uint64_t));
    if( dense==0 ) goto done;
    memset(dense, 0, ndense*words*sizeof(uint64_t));
    for(i=0; i<m; i++){
      if( slot[a[i]] ){
        dense[(slot[a[i]]-1)*words + i/64] |= (uint64_t)1 << (i%64);
      }
    }
  }
  for(w=0; w<words; w++) V[w] = ~(uint64_t)0;
  V[words-1] = top;
  for(j=0; j<n; j++){
    size_t id = b[j], p0 = first[id], p1 = first[id+1];
    const uint64_t *Mj = M;
    uint64_t carry = 0;
    if( p0==p1 ) continue;                 /* no match: V unchanged */
    if( slot[id] ){
      Mj = dense + (slot[id]-1)*words;
    }else{
      for(i=p0; i<p1; i++) M[pos[i]/64] |= (uint64_t)1 << (pos[i]%64);
    }
    for(w=0; w<words; w++){
      uint64_t v = V[w], u = v & Mj[w], s = v + u, c2 = s < v;
      s += carry;
      c2 |= s < carry;
      V[w] = s | (v & ~Mj[w]);
      carry = c2;
    }
    V[words-1] &= top;
    if( !slot[id] ){
      for(i=p0; i<p1; i++) M[pos[i]/64] = 0;
    }
  }
  lcs = (int64_t)m;
  for(w=0; w<words; w++) lcs -= __builtin_popcountll(V[w]);
done:
  corpus_free(V);
  corpus_free(M);
  corpus_free(first);
  corpus_free(pos);
  corpus_free(slot);
  corpus_free(dense);
  return lcs;
}

/* Ids for pairs (x, y) of ids, equal for equal pairs: an (r+1)-gram's id
** is that of the pair of the r-grams at its start and one token on (which
** overlap in r-1 tokens), so n-1 rounds of pairing number the n-grams
** exactly (no hash can collide). */
typedef struct pair_map {
  uint64_t *key;           /* x<<32 | y; with val 0 an empty slot */
  uint32_t *val;           /* id+1 */
  size_t nslot, n;
} pair_map;

static int pair_id(pair_map *m, uint32_t x, uint32_t y, uint32_t *id){
  uint64_t k = (uint64_t)x<<32 | y, h;
  size_t i;
  if( (m->n+1)*2 > m->nslot ){
    size_t ns = m->nslot ? m->nslot*2 : 256, j;
    uint64_t *nk = corpus_realloc(0, ns*sizeof(uint64_t));
    uint32_t *nv = corpus_realloc(0, ns*sizeof(uint32_t));
    if( nk==0 || nv==0 ){ corpus_free(nk); corpus_free(nv); return -1; }
    memset(nv, 0, ns*sizeof(uint32_t));
    for(j=0; j<m->nslot; j++){
      if( m->val[j]==0 ) continue;
      h = m->key[j] * 0x9E3779B97F4A7C15ULL;
      for(i=(size_t)(h>>20) & (ns-1); nv[i]; i=(i+1) & (ns-1)){}
      nk[i] = m->key[j];
      nv[i] = m->val[j];
    }
    corpus_free(m->key);
    corpus_free(m->val);
    m->key = nk;
    m->val = nv;
    m->nslot = ns;
  }
  h = k * 0x9E3779B97F4A7C15ULL;
  for(i=(size_t)(h>>20) & (m->nslot-1); m->val[i]; i=(i+1) & (m->nslot-1)){
    if( m->key[i]==k ){ *id = m->val[i]-1; return 0; }
  }
  m->key[i] = k;
  m->val[i] = (uint32_t)++m->n;
  *id = m->val[i]-1;
  return 0;
}

/* rouge-score's _score_ngrams(): the n-grams both texts have, each counted
** as often as the text holding it fewer times holds it; *ga and *gb the
** texts' n-gram counts.  ids[0..na-1] are a's tokens, ids[na..na+nb-1]
** b's (overwritten).  -1 when out of memory. */
static int64_t ngram_overlap(uint32_t *ids, size_t na, size_t nb, size_t n,
                             size_t nid, size_t *ga, size_t *gb){
  pair_map m = {0, 0, 0, 0};
  uint32_t *cnt = 0;
  size_t r, i, ids_n = nid;
  int64_t inter = -1;
  *ga = na>=n ? na-n+1 : 0;
  *gb = nb>=n ? nb-n+1 : 0;
  if( *ga==0 || *gb==0 ) return 0;
  /* Round r: ids[i] (i of a, i+na of b), the r-gram at i, becomes the
  ** (r+1)-gram at i, from the r-grams at i and i+1 (ids[i+1] is read
  ** before its own turn), for the starts that have one. */
  for(r=1; r<n; r++){
    for(i=0; i+r<na; i++){
      if( pair_id(&m, ids[i], ids[i+1], &ids[i]) ) goto done;
    }
    for(i=0; i+r<nb; i++){
      if( pair_id(&m, ids[na+i], ids[na+i+1], &ids[na+i]) ) goto done;
    }
    ids_n = m.n;
    m.n = 0;                         /* the next round numbers afresh */
    memset(m.val, 0, m.nslot*sizeof(uint32_t));
  }
  cnt = corpus_realloc(0, (ids_n ? ids_n : 1)*sizeof(uint32_t));
  if( cnt==0 ) goto done;
  memset(cnt, 0, (ids_n ? ids_n : 1)*sizeof(uint32_t));
  for(i=0; i<*ga; i++) cnt[ids[i]]++;
  inter = 0;
  for(i=0; i<*gb; i++){
    if( cnt[ids[na+i]] ){ cnt[ids[na+i]]--; inter++; }
  }
done:
  corpus_free(m.key);
  corpus_free(m.val);
  corpus_free(cnt);
  return inter;
}

/* The measure asked for (0 F, 1 precision, 2 recall) as scoring.fmeasure()
** and the Score tuple give it. */
static double rouge_measure(int measure, double precision, double recall){
  if( measure==1 ) return precision;
  if( measure==2 ) return recall;
  if( precision + recall > 0 ){
    return 2 * precision * recall / (precision + recall);
  }
  return 0.0;
}

typedef struct rouge_opts { int measure; } rouge_opts;

static int rouge_option(void *ctx, const char *key, const char *value,
                        char *err){
  rouge_opts *o = (rouge_opts*)ctx;
  if( strcmp(key, "measure")==0 ){
    o->measure = corpus_option_choice(key, value, "f|precision|recall", err);
    return o->measure<0 ? -1 : 0;
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: measure)", key);
  return -1;
}

/* rouge_l(target, prediction [, options]) and
** rouge_n(target, prediction, n [, options]) (is_l 0): REAL in [0, 1]. */
static void rouge_func(sqlite3_context *ctx, int argc, sqlite3_value **argv,
                       int is_l){
  const char *fn = is_l ? "rouge_l" : "rouge_n";
  rouge_opts o = {0};
  rouge_intern t;
  rouge_toks tk = {0, 0, 0};
  const char *za, *zb;
  size_t na, nb;
  long long n = 0;
  int i, optarg = is_l ? 2 : 3;
  double p, r;
  memset(&t, 0, sizeof(t));
  for(i=0; i<optarg; i++){
    if( sqlite3_value_type(argv[i])==SQLITE_NULL ) return;
  }
  if( corpus_check_text(ctx, fn, "target", argv[0])
   || corpus_check_text(ctx, fn, "prediction", argv[1]) ){
    return;
  }
  if( !is_l ){
    if( sqlite3_value_type(argv[2])!=SQLITE_INTEGER
     || (n = sqlite3_value_int64(argv[2]))<1 || n>100 ){
      corpus_result_error(ctx, fn, "n must be an INTEGER 1..100, got %s",
          sqlite3_value_type(argv[2])==SQLITE_INTEGER
            ? (const char*)sqlite3_value_text(argv[2])
            : corpus_type_name(sqlite3_value_type(argv[2])));
      return;
    }
  }
  if( argc>optarg
   && corpus_apply_options(ctx, fn, argv[optarg], rouge_option, &o) ){
    return;
  }
  za = (const char*)sqlite3_value_text(argv[0]);
  zb = (const char*)sqlite3_value_text(argv[1]);
  if( za==0 || zb==0 ) goto nomem;
  if( is_l ){
    int64_t lcs;
    size_t ta, tb;
    int rc = rouge_l_small(za, (size_t)sqlite3_value_bytes(argv[0]),
                           zb, (size_t)sqlite3_value_bytes(argv[1]),
                           &lcs, &ta, &tb);
    if( rc<0 ) goto nomem;
    if( rc ){
      if( ta==0 || tb==0 ){               /* _score_lcs: Score(0, 0, 0) */
        sqlite3_result_double(ctx, 0.0);
        goto done;
      }
      p = (double)lcs / (double)tb;
      r = (double)lcs / (double)ta;
      sqlite3_result_double(ctx, rouge_measure(o.measure, p, r));
      goto done;
    }
  }
  /* one array: the target's tokens, then the prediction's */
  if( rouge_tokenize(za, (size_t)sqlite3_value_bytes(argv[0]), &t, &tk) ){
    goto nomem;
  }
  na = tk.n;
  if( rouge_tokenize(zb, (size_t)sqlite3_value_bytes(argv[1]), &t, &tk) ){
    goto nomem;
  }
  nb = tk.n - na;
  if( is_l ){
    int64_t lcs;
    if( na==0 || nb==0 ){               /* _score_lcs: Score(0, 0, 0) */
      sqlite3_result_double(ctx, 0.0);
      goto done;
    }
    if( (uint64_t)na * (uint64_t)nb > ROUGE_MAX_PAIRS ){
      corpus_result_error(ctx, fn, "%lld and %lld tokens make more than "
                          "2^36 token pairs (the longest common "
                          "subsequence is quadratic)", (long long)na,
                          (long long)nb);
      goto done;
    }
    lcs = na<=nb ? lcs_length(tk.ids, na, tk.ids+na, nb, t.nid)
                 : lcs_length(tk.ids+na, nb, tk.ids, na, t.nid);
    if( lcs<0 ) goto nomem;
    p = (double)lcs / (double)nb;
    r = (double)lcs / (double)na;
  }else{
    size_t ga, gb;
    int64_t inter = ngram_overlap(tk.ids, na, nb, (size_t)n, t.nid, &ga, &gb);
    if( inter<0 ) goto nomem;
    p = (double)inter / (double)(gb ? gb : 1);
    r = (double)inter / (double)(ga ? ga : 1);
  }
  sqlite3_result_double(ctx, rouge_measure(o.measure, p, r));
  goto done;
nomem:
  sqlite3_result_error_nomem(ctx);
done:
  intern_free(&t);
  corpus_free(tk.ids);
}

static void rouge_l_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  rouge_func(ctx, argc, argv, 1);
}
static void rouge_n_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  rouge_func(ctx, argc, argv, 0);
}

static const corpus_sql rouge_sql[] = {
  CORPUS_SCALAR("rouge_l", 2, CORPUS_PURE, rouge_l_func),
  CORPUS_SCALAR("rouge_l", 3, CORPUS_PURE, rouge_l_func),
  CORPUS_SCALAR("rouge_n", 3, CORPUS_PURE, rouge_n_func),
  CORPUS_SCALAR("rouge_n", 4, CORPUS_PURE, rouge_n_func),
};

int corpus_rouge_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, rouge_sql, CORPUS_COUNT(rouge_sql), pzErr);
}
