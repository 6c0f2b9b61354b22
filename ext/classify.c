/*
** GPT-3's quality classifier (Brown et al. 2020, appendix A): logistic
** regression over hashed word features, trained in SQL.
**
**   quality_train(text, label [, options])  aggregate -> model BLOB
**   quality_classify(text, model)           -> P(label 1), REAL in (0, 1)
**   quality_model_info(model)               -> JSON description
**
** Features: the words of the "words" tokenizer, lowercased, and each pair of
** adjacent words (ngram=2), hashed with xxh3 into 2^bits buckets as Spark's
** HashingTF does.  A document's vector is its bucket counts divided by the
** square root of its number of features, so the score is
**   sigmoid(bias + sum of w[bucket] over every feature / sqrt(features))
** and needs no per-document table: one pass, one lookup per feature.
**
** Training keeps a uniform sample (reservoir, seeded) of at most `sample`
** documents as sparse vectors, not their text, then runs `epochs` epochs of
** SGD over it in a seeded shuffled order, with a learning rate falling
** linearly to 0 and L2 shrinkage of the weights each document touches.
** Memory is about 8 bytes per distinct feature of each sampled document
** (about 1.5 MB per 1,000 documents of 100 words), whatever the corpus
** size; the same rows in the same order give the same BLOB.
**
** Model BLOB, little-endian (docs/quality.md):
**   0 "QCLF" | 4 format u8 (1) | 5 flags u8 (bit 0: lowercased words) |
**   6 ngram u8 | 7 bits u8 | 8 epochs u16 | 10 reserved u16 (0) |
**   12 documents u32 | 16 positives u32 | 20 bias f32 | 24 lr f32 |
**   28 l2 f32 | 32 seed u64 | 40 rows u64 | 48 weights f32 x 2^bits
*/
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#include "corpus_sql.h"

#define MODEL_LOWER 1    /* flags: the words are lowercased */

/* ---- Features -------------------------------------------------------------- */

typedef void (*feature_fn)(void *ctx, uint32_t bucket);

typedef struct features {
  const char *z;
  int ngram, bits;
  uint64_t prev;      /* hash of the previous word */
  int have_prev;
  char low[64];       /* a lowercased word, when it fits */
  corpus_buf big;     /* otherwise */
  int oom;
  feature_fn emit;
  void *ctx;
} features;

/* The hash of a word, lowercased: ASCII directly, other letters by
** utf8proc's simple lowercase mapping. */
static uint64_t word_hash(features *f, const char *w, size_t n){
  const unsigned char *u = (const unsigned char*)w;
  char *out = f->low;
  size_t i = 0, o = 0, cap = sizeof(f->low);
  if( n*4>cap ){
    /* a lowercased code point takes at most 4 bytes */
    if( n*4>f->big.cap ){
      char *p = corpus_realloc(f->big.z, n*4);
      if( p==0 ){ f->oom = 1; return 0; }
      f->big.z = p;
      f->big.cap = n*4;
    }
    out = f->big.z;
  }
  while( i<n ){
    if( u[i]<0x80 ){
      unsigned char c = u[i++];
      out[o++] = (char)(c>='A' && c<='Z' ? c+32 : c);
    }else{
      size_t len;
      int32_t c = corpus_utf8_decode(u+i, n-i, &len);
      o += (size_t)corpus_utf8_encode(utf8proc_tolower(c),
                                      (unsigned char*)out+o);
      i += len;
    }
  }
  return XXH3_64bits(out, o);
}

static int feature_word(void *ctx, size_t start, size_t end, int64_t id){
  features *f = (features*)ctx;
  uint64_t h = word_hash(f, f->z+start, end-start);
  int shift = 64 - f->bits;
  (void)id;
  if( f->oom ) return 1;
  f->emit(f->ctx, (uint32_t)(h>>shift));
  if( f->ngram>=2 && f->have_prev ){
    uint64_t pair[2];
    pair[0] = f->prev;
    pair[1] = h;
    f->emit(f->ctx, (uint32_t)(XXH3_64bits(pair, sizeof(pair))>>shift));
  }
  f->prev = h;
  f->have_prev = 1;
  return 0;
}

/* Calls emit once per feature of z[0..n-1]; returns 0 or -1 (out of
** memory). */
static int extract(const char *z, size_t n, int ngram, int bits,
                   feature_fn emit, void *ctx){
  features f;
  int rc;
  memset(&f, 0, sizeof(f));
  f.z = z;
  f.ngram = ngram;
  f.bits = bits;
  f.emit = emit;
  f.ctx = ctx;
  rc = corpus_tokenizer_words.tokenize(&corpus_tokenizer_words, z, n, 0,
                                       feature_word, &f);
  corpus_free(f.big.z);
  return rc || f.oom ? -1 : 0;
}

/* ---- Model BLOBs ------------------------------------------------------------- */


static uint32_t get32(const unsigned char *p){
  return (uint32_t)p[0] | (uint32_t)p[1]<<8 | (uint32_t)p[2]<<16
       | (uint32_t)p[3]<<24;
}
static uint64_t get64(const unsigned char *p){
  return (uint64_t)get32(p) | (uint64_t)get32(p+4)<<32;
}
static float getf(const unsigned char *p){
  uint32_t u = get32(p);
  float f;
  memcpy(&f, &u, 4);
  return f;
}
static void put32(unsigned char *p, uint32_t v){
  p[0] = (unsigned char)v; p[1] = (unsigned char)(v>>8);
  p[2] = (unsigned char)(v>>16); p[3] = (unsigned char)(v>>24);
}
static void put64(unsigned char *p, uint64_t v){
  put32(p, (uint32_t)v);
  put32(p+4, (uint32_t)(v>>32));
}
static void putf(unsigned char *p, float f){
  uint32_t u;
  memcpy(&u, &f, 4);
  put32(p, u);
}

int corpus_model_decode(const unsigned char *z, size_t n, corpus_model *m,
                        char *err){
  size_t want;
  if( n<CORPUS_MODEL_HEADER || memcmp(z, CORPUS_MODEL_MAGIC, 4)!=0 ){
    snprintf(err, CORPUS_ERRMAX, "model is not a quality_train() model "
             "(no QCLF header in %zu bytes)", n);
    return -1;
  }
  if( z[4]!=CORPUS_MODEL_FORMAT ){
    snprintf(err, CORPUS_ERRMAX, "model format %d is not supported (this "
             "build reads format %d)", z[4], CORPUS_MODEL_FORMAT);
    return -1;
  }
  m->flags = z[5];
  m->ngram = z[6];
  m->bits = z[7];
  if( m->flags!=MODEL_LOWER || m->ngram<1 || m->ngram>2 || m->bits<10
   || m->bits>24 ){
    snprintf(err, CORPUS_ERRMAX, "model header is corrupt (flags %d, "
             "ngram %d, bits %d)", m->flags, m->ngram, m->bits);
    return -1;
  }
  want = CORPUS_MODEL_HEADER + ((size_t)4<<m->bits);
  if( n!=want ){
    snprintf(err, CORPUS_ERRMAX, "model is truncated or padded: %zu bytes, "
             "expected %zu", n, want);
    return -1;
  }
  m->epochs = z[8] | z[9]<<8;
  m->documents = get32(z+12);
  m->positives = get32(z+16);
  m->bias = getf(z+20);
  m->lr = getf(z+24);
  m->l2 = getf(z+28);
  m->seed = get64(z+32);
  m->rows = get64(z+40);
  m->weights = z+CORPUS_MODEL_HEADER;
  if( !isfinite(m->bias) || !isfinite(m->lr) || !isfinite(m->l2) ){
    snprintf(err, CORPUS_ERRMAX, "model header is corrupt (%s is not "
             "finite)", !isfinite(m->bias) ? "bias" : !isfinite(m->lr) ? "lr"
             : "l2");
    return -1;
  }
  return 0;
}

int corpus_model_check_weights(const corpus_model *m, char *err){
  size_t i, count = (size_t)1<<m->bits;
  for(i=0; i<count; i++){
    /* all exponent bits set: an infinity or a NaN */
    if( (get32(m->weights+4*i) & 0x7F800000u)==0x7F800000u ){
      snprintf(err, CORPUS_ERRMAX, "model is corrupt: weight %zu is %s", i,
               isnan(getf(m->weights+4*i)) ? "NaN" : "infinite");
      return -1;
    }
  }
  return 0;
}

/* Argument iArg as a model.  Its weights are checked once per statement
** while the argument stays the same (auxdata), not on every row. */
static int model_arg(sqlite3_context *ctx, const char *func, int iArg,
                     sqlite3_value *v, corpus_model *m){
  static char checked;     /* the auxdata: any non-NULL pointer */
  char err[CORPUS_ERRMAX];
  if( sqlite3_value_type(v)!=SQLITE_BLOB ){
    corpus_result_error(ctx, func, "model must be a BLOB, got %s",
                        corpus_type_name(sqlite3_value_type(v)));
    return -1;
  }
  if( corpus_model_decode(sqlite3_value_blob(v),
                          (size_t)sqlite3_value_bytes(v), m, err)
   || (sqlite3_get_auxdata(ctx, iArg)==0
       && corpus_model_check_weights(m, err)) ){
    corpus_result_error(ctx, func, "%s", err);
    return -1;
  }
  sqlite3_set_auxdata(ctx, iArg, &checked, 0);
  return 0;
}

/* ---- Scoring ------------------------------------------------------------------ */

typedef struct scorer {
  const unsigned char *w;
  double sum;
  size_t count;
} scorer;

static void score_feature(void *ctx, uint32_t bucket){
  scorer *s = (scorer*)ctx;
  s->sum += getf(s->w + (size_t)bucket*4);
  s->count++;
}

static double sigmoid(double x){
  return 1/(1+exp(-x));
}

int corpus_model_score(const corpus_model *m, const char *z, size_t n,
                       double *p){
  scorer s;
  s.w = m->weights;
  s.sum = 0;
  s.count = 0;
  if( extract(z, n, m->ngram, m->bits, score_feature, &s) ) return -1;
  *p = sigmoid(m->bias + (s.count ? s.sum/sqrt((double)s.count) : 0));
  return 0;
}

/* quality_classify(text, model).  A NULL model is an error, not NULL: it
** is most often a subquery that found no row, and a NULL score would pass
** unnoticed through quality_keep() and WHERE clauses. */
static void classify_func(sqlite3_context *ctx, int argc,
                          sqlite3_value **argv){
  corpus_model m;
  const char *z;
  size_t n;
  double p;
  (void)argc;
  if( sqlite3_value_type(argv[1])==SQLITE_NULL ){
    corpus_result_error(ctx, "quality_classify", "model is NULL (did the "
                        "query that selects it find a row?)");
    return;
  }
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "quality_classify", "text", argv[0]) ) return;
  if( model_arg(ctx, "quality_classify", 1, argv[1], &m) ) return;
  z = (const char*)sqlite3_value_text(argv[0]);
  n = (size_t)sqlite3_value_bytes(argv[0]);
  if( (z==0 && n>0) || corpus_model_score(&m, z ? z : "", n, &p) ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_double(ctx, p);
}

/* ---- Training ------------------------------------------------------------------ */

void corpus_train_init(corpus_train_opts *o){
  o->bits = 18;
  o->ngram = 2;
  o->epochs = 5;
  o->lr = 0.5;
  o->l2 = 1e-6;
  o->seed = 1;
  o->sample = 100000;
  o->interrupted = 0;
  o->interrupt_arg = 0;
}

int corpus_train_option(void *ctx, const char *key, const char *value,
                        char *err){
  corpus_train_opts *o = (corpus_train_opts*)ctx;
  long long v;
  if( strcmp(key, "buckets")==0 ){
    int b;
    if( corpus_option_int(key, value, 1024, 1<<24, &v, err) ) return -1;
    for(b=10; (1LL<<b)<v; b++){}
    if( (1LL<<b)!=v ){
      snprintf(err, CORPUS_ERRMAX, "buckets must be a power of 2, got %lld",
               v);
      return -1;
    }
    o->bits = b;
  }else if( strcmp(key, "ngram")==0 ){
    if( corpus_option_int(key, value, 1, 2, &v, err) ) return -1;
    o->ngram = (int)v;
  }else if( strcmp(key, "epochs")==0 ){
    if( corpus_option_int(key, value, 1, 1000, &v, err) ) return -1;
    o->epochs = (int)v;
  }else if( strcmp(key, "sample")==0 ){
    if( corpus_option_int(key, value, 2, 100000000, &v, err) ) return -1;
    o->sample = v;
  }else if( strcmp(key, "seed")==0 ){
    if( corpus_option_int(key, value, 0, 0x7fffffffffffffffLL, &v, err) ){
      return -1;
    }
    o->seed = (uint64_t)v;
  }else if( strcmp(key, "lr")==0 ){
    return corpus_option_double(key, value, 1e-9, 1e6, &o->lr, err);
  }else if( strcmp(key, "l2")==0 ){
    return corpus_option_double(key, value, 0, 1, &o->l2, err);
  }else{
    snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: buckets, "
             "ngram, epochs, lr, l2, seed, sample)", key);
    return -1;
  }
  return 0;
}

typedef struct train_doc {
  uint32_t *bucket;   /* distinct buckets, ascending */
  float *value;       /* count / sqrt(features) */
  uint32_t n;
  float label;
} train_doc;

struct corpus_trainer {
  corpus_train_opts o;
  train_doc *docs;    /* the reservoir */
  size_t ndocs, capdocs;
  uint64_t rows, rng;
  uint32_t *feat;     /* one document's features */
  size_t nfeat, capfeat;
  int oom;
};

/* splitmix64: the reservoir's and the shuffles' random numbers. */
static uint64_t next_random(uint64_t *s){
  uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z>>30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z>>27)) * 0x94D049BB133111EBULL;
  return z ^ (z>>31);
}

/* A uniform integer in [0, n). */
static uint64_t random_below(uint64_t *s, uint64_t n){
  return (uint64_t)(((unsigned __int128)next_random(s) * n) >> 64);
}

static void collect_feature(void *ctx, uint32_t bucket){
  corpus_trainer *t = (corpus_trainer*)ctx;
  if( t->nfeat==t->capfeat ){
    size_t cap = t->capfeat ? t->capfeat*2 : 1024;
    uint32_t *p = corpus_realloc(t->feat, cap*sizeof(uint32_t));
    if( p==0 ){ t->oom = 1; return; }
    t->feat = p;
    t->capfeat = cap;
  }
  t->feat[t->nfeat++] = bucket;
}

static int cmp_u32(const void *a, const void *b){
  uint32_t x = *(const uint32_t*)a, y = *(const uint32_t*)b;
  return x<y ? -1 : x>y;
}

/* Turns the collected features into a sparse vector in d. */
static int make_doc(corpus_trainer *t, train_doc *d, float label){
  size_t i, k = 0;
  float scale;
  if( t->nfeat>1 ) qsort(t->feat, t->nfeat, sizeof(uint32_t), cmp_u32);
  for(i=0; i<t->nfeat; i++) k += i==0 || t->feat[i]!=t->feat[i-1];
  d->bucket = corpus_realloc(0, (k ? k : 1)*sizeof(uint32_t));
  d->value = corpus_realloc(0, (k ? k : 1)*sizeof(float));
  if( d->bucket==0 || d->value==0 ){
    corpus_free(d->bucket);
    corpus_free(d->value);
    return -1;
  }
  scale = t->nfeat ? (float)(1/sqrt((double)t->nfeat)) : 0;
  k = 0;
  for(i=0; i<t->nfeat; i++){
    if( i==0 || t->feat[i]!=t->feat[i-1] ){
      d->bucket[k] = t->feat[i];
      d->value[k++] = 0;
    }
    d->value[k-1] += scale;
  }
  d->n = (uint32_t)k;
  d->label = label;
  return 0;
}

static void free_doc(train_doc *d){
  corpus_free(d->bucket);
  corpus_free(d->value);
}

corpus_trainer *corpus_trainer_new(const corpus_train_opts *o){
  corpus_trainer *t = corpus_realloc(0, sizeof(*t));
  if( t==0 ) return 0;
  memset(t, 0, sizeof(*t));
  t->o = *o;
  t->rng = o->seed;
  return t;
}

void corpus_trainer_free(corpus_trainer *t){
  size_t i;
  if( t==0 ) return;
  for(i=0; i<t->ndocs; i++) free_doc(&t->docs[i]);
  corpus_free(t->docs);
  corpus_free(t->feat);
  corpus_free(t);
}

int corpus_trainer_add(corpus_trainer *t, const char *z, size_t n, int label){
  uint64_t slot;
  train_doc d;
  /* reservoir sampling (Algorithm R): row k is kept with chance sample/k,
  ** in place of a random one */
  t->rows++;
  if( t->ndocs==(size_t)t->o.sample ){
    slot = random_below(&t->rng, t->rows);
    if( slot>=(uint64_t)t->o.sample ) return 0;
  }else{
    slot = t->ndocs;
    if( t->ndocs==t->capdocs ){
      size_t cap = t->capdocs ? t->capdocs*2 : 64;
      train_doc *p;
      if( cap>(size_t)t->o.sample ) cap = (size_t)t->o.sample;
      p = corpus_realloc(t->docs, cap*sizeof(train_doc));
      if( p==0 ) return -1;
      t->docs = p;
      t->capdocs = cap;
    }
  }
  t->nfeat = 0;
  if( extract(z, n, t->o.ngram, t->o.bits, collect_feature, t) || t->oom
   || make_doc(t, &d, (float)label) ){
    return -1;
  }
  if( slot<t->ndocs ){
    free_doc(&t->docs[slot]);
  }else{
    t->ndocs++;
  }
  t->docs[slot] = d;
  return 0;
}

int corpus_trainer_finish(corpus_trainer *t, unsigned char **out,
                          size_t *nout, char *err){
  double *w = 0, bias = 0, lr0 = t->o.lr, l2 = t->o.l2;
  size_t *order = 0, i, pos = 0;
  size_t size = CORPUS_MODEL_HEADER + ((size_t)4<<t->o.bits);
  unsigned char *blob = 0;
  long long step = 0, steps = (long long)t->o.epochs * (long long)t->ndocs;
  int e, rc = -1;
  *out = 0;
  *nout = 0;
  for(i=0; i<t->ndocs; i++) pos += t->docs[i].label>0.5f;
  if( pos==0 || pos==t->ndocs ){
    snprintf(err, CORPUS_ERRMAX, "needs documents of both labels, got %lld "
             "with label 1 and %lld with label 0", (long long)pos,
             (long long)(t->ndocs-pos));
    return 1;
  }
  w = corpus_realloc(0, ((size_t)1<<t->o.bits)*sizeof(double));
  order = corpus_realloc(0, t->ndocs*sizeof(size_t));
  blob = corpus_realloc(0, size);
  if( w==0 || order==0 || blob==0 ) goto done;
  memset(w, 0, ((size_t)1<<t->o.bits)*sizeof(double));
  for(i=0; i<t->ndocs; i++) order[i] = i;
  for(e=0; e<t->o.epochs; e++){
    /* Fisher-Yates, seeded: every epoch its own order */
    for(i=t->ndocs-1; i>0; i--){
      size_t j = (size_t)random_below(&t->rng, i+1), x = order[i];
      order[i] = order[j];
      order[j] = x;
    }
    for(i=0; i<t->ndocs; i++){
      const train_doc *d = &t->docs[order[i]];
      if( (step & 4095)==0 && t->o.interrupted
       && t->o.interrupted(t->o.interrupt_arg) ){
        rc = 2;
        goto done;
      }
      double lr = lr0 * (1 - (double)step/(double)steps), z = bias, g;
      uint32_t k;
      for(k=0; k<d->n; k++) z += w[d->bucket[k]] * d->value[k];
      g = sigmoid(z) - d->label;
      bias -= lr*g;
      for(k=0; k<d->n; k++){
        double *wk = &w[d->bucket[k]];
        *wk -= lr*(g*d->value[k] + l2*(*wk));
      }
      step++;
    }
  }
  /* with lr * l2 near 2 or more, the shrinkage overshoots and the weights
  ** blow up: say so rather than hand over a model that scores NaN */
  for(i=0; i<((size_t)1<<t->o.bits) && isfinite(bias); i++){
    if( !isfinite((float)w[i]) ) bias = NAN;
  }
  if( !isfinite((float)bias) ){
    snprintf(err, CORPUS_ERRMAX, "training diverged (weights not finite): "
             "lower lr (%g) or l2 (%g)", lr0, l2);
    rc = 1;
    goto done;
  }
  memcpy(blob, CORPUS_MODEL_MAGIC, 4);
  blob[4] = CORPUS_MODEL_FORMAT;
  blob[5] = MODEL_LOWER;
  blob[6] = (unsigned char)t->o.ngram;
  blob[7] = (unsigned char)t->o.bits;
  blob[8] = (unsigned char)t->o.epochs;
  blob[9] = (unsigned char)(t->o.epochs>>8);
  blob[10] = blob[11] = 0;
  put32(blob+12, (uint32_t)t->ndocs);
  put32(blob+16, (uint32_t)pos);
  putf(blob+20, (float)bias);
  putf(blob+24, (float)lr0);
  putf(blob+28, (float)l2);
  put64(blob+32, t->o.seed);
  put64(blob+40, t->rows);
  for(i=0; i<((size_t)1<<t->o.bits); i++){
    putf(blob+CORPUS_MODEL_HEADER+4*i, (float)w[i]);
  }
  *out = blob;
  *nout = size;
  blob = 0;
  rc = 0;
done:
  corpus_free(blob);
  corpus_free(order);
  corpus_free(w);
  return rc;
}

/* ---- The aggregate -------------------------------------------------------------- */

typedef struct train_agg {
  corpus_trainer *t;  /* made on the first row, with its options */
  sqlite3_value *options;   /* the first row's: every row's must match */
  int failed;         /* a row set an error: xFinal only frees */
} train_agg;

static void train_step(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  train_agg *a = sqlite3_aggregate_context(ctx, sizeof(train_agg));
  sqlite3_value *lv = argv[1];
  double label;
  const char *z;
  size_t n;
  if( a==0 ){ sqlite3_result_error_nomem(ctx); return; }
  if( a->failed ) return;
  if( a->t==0 ){
    corpus_train_opts o;
    corpus_train_init(&o);
    if( argc>2 && corpus_apply_options(ctx, "quality_train", argv[2],
                                       corpus_train_option, &o) ){
      a->failed = 1;
      return;
    }
    if( (a->t = corpus_trainer_new(&o))==0 ) goto nomem;
  }
  if( argc>2 ){
    int same = corpus_agg_param(&a->options, argv[2]);
    if( same<0 ) goto nomem;
    if( same ){
      corpus_result_error(ctx, "quality_train", "options must be the same in "
                          "every row");
      a->failed = 1;
      return;
    }
  }
  if( sqlite3_value_type(argv[0])==SQLITE_NULL
   || sqlite3_value_type(lv)==SQLITE_NULL ){
    return;   /* as count(x): rows with a NULL are left out */
  }
  if( corpus_check_text(ctx, "quality_train", "text", argv[0]) ){
    a->failed = 1;
    return;
  }
  label = sqlite3_value_double(lv);
  if( (sqlite3_value_type(lv)!=SQLITE_INTEGER
       && sqlite3_value_type(lv)!=SQLITE_FLOAT) || (label!=0 && label!=1) ){
    corpus_result_error(ctx, "quality_train", "label must be 0 or 1, got %s%.40s%s",
        sqlite3_value_type(lv)==SQLITE_TEXT ? "'" : "",
        sqlite3_value_type(lv)==SQLITE_BLOB ? "a BLOB"
                                            : (const char*)sqlite3_value_text(lv),
        sqlite3_value_type(lv)==SQLITE_TEXT ? "'" : "");
    a->failed = 1;
    return;
  }
  z = (const char*)sqlite3_value_text(argv[0]);
  n = (size_t)sqlite3_value_bytes(argv[0]);
  if( (z==0 && n>0) || corpus_trainer_add(a->t, z ? z : "", n, label==1) ){
    goto nomem;
  }
  return;
nomem:
  a->failed = 1;
  sqlite3_result_error_nomem(ctx);
}

static void train_final(sqlite3_context *ctx){
  train_agg *a = sqlite3_aggregate_context(ctx, 0);
  char err[CORPUS_ERRMAX];
  unsigned char *blob;
  size_t n;
  int rc;
  if( a==0 || a->t==0 ) return;     /* no rows: NULL, as sum() */
  if( !a->failed && a->t->ndocs>0 ){
    corpus_probe probe = {sqlite3_context_db_handle(ctx), 0};
    a->t->o.interrupted = corpus_probe_interrupted;
    a->t->o.interrupt_arg = &probe;
    rc = corpus_trainer_finish(a->t, &blob, &n, err);
    corpus_probe_end(&probe);
    if( rc==0 ){
      sqlite3_result_blob64(ctx, blob, n, corpus_free);
    }else if( rc==2 ){
      sqlite3_result_error_code(ctx, SQLITE_INTERRUPT);
    }else if( rc>0 ){
      corpus_result_error(ctx, "quality_train", "%s", err);
    }else{
      sqlite3_result_error_nomem(ctx);
    }
  }
  corpus_trainer_free(a->t);
  a->t = 0;
  sqlite3_value_free(a->options);
  a->options = 0;
}

static void model_info_func(sqlite3_context *ctx, int argc,
                            sqlite3_value **argv){
  corpus_model m;
  char *z;
  size_t i, nonzero = 0;
  (void)argc;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( model_arg(ctx, "quality_model_info", 0, argv[0], &m) ) return;
  for(i=0; i<((size_t)1<<m.bits); i++) nonzero += get32(m.weights+4*i)!=0;
  z = sqlite3_mprintf("{\"format\":%d,\"features\":\"words, lowercased\","
      "\"ngram\":%d,\"buckets\":%lld,\"nonzero\":%lld,\"epochs\":%d,"
      "\"lr\":%!.6g,\"l2\":%!.6g,\"seed\":%llu,\"rows\":%llu,"
      "\"documents\":%u,\"positives\":%u,\"bias\":%!.6g}",
      CORPUS_MODEL_FORMAT, m.ngram, 1LL<<m.bits, (long long)nonzero, m.epochs,
      (double)m.lr, (double)m.l2, (unsigned long long)m.seed,
      (unsigned long long)m.rows, m.documents, m.positives, (double)m.bias);
  if( z==0 ){ sqlite3_result_error_nomem(ctx); return; }
  sqlite3_result_text(ctx, z, -1, sqlite3_free);
  sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
}

static const corpus_sql classify_sql[] = {
  CORPUS_AGGREGATE("quality_train",   2, CORPUS_PURE, train_step, train_final),
  CORPUS_AGGREGATE("quality_train",   3, CORPUS_PURE, train_step, train_final),
  CORPUS_SCALAR("quality_classify",   2, CORPUS_PURE, classify_func),
  CORPUS_SCALAR("quality_model_info", 1, CORPUS_PURE | CORPUS_JSON_RESULT,
                model_info_func),
};

int corpus_classify_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, classify_sql, CORPUS_COUNT(classify_sql),
                             pzErr);
}
