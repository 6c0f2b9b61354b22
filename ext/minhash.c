/*
** MinHash signatures of shingle sets.
**
** SQL:
**   minhash(text [, options])            -> signature BLOB
**   minhash_jaccard(sig_a, sig_b)        -> REAL, estimated Jaccard
**   jaccard(text_a, text_b [, options])  -> REAL, exact Jaccard of the shingles
**   minhash_info(sig)                    -> JSON of the header
**
** Shingles are the n-grams of the text layer (corpus_ngrams: words or code
** points of the normalized text, hashed with xxh3).  Each shingle's 64-bit
** hash h is folded to a 32-bit key x = lo32(h) ^ hi32(h), and slot i of the
** signature is the minimum over all shingles of
**
**     v_i(x) = ((A_i * x + B_i) mod 2^64) >> 32
**
** with A_i, B_i 64-bit numbers drawn from splitmix64(seed).  This is
** Dietzfelbinger's multiply-add-shift family, which is strongly universal
** (2-independent) for 32-bit keys; it needs only 32-bit multiplies, so it
** vectorizes on AVX2 and AVX-512 (8 and 16 slots per step), with a portable
** C loop as the fallback and the reference.  All three give the same bits.  docs/dedup.md documents the BLOB layout.
*/
#include <stdio.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
# include <immintrin.h>
# define MINHASH_X86 1
#endif
#include "corpus_sql.h"

/* ---- Parameters and options --------------------------------------------- */

void corpus_minhash_init(corpus_minhash_params *p){
  p->num_perm = 128;
  p->ngram = 5;
  p->unit = CORPUS_UNIT_WORD;
  p->seed = 1;
  p->normalize = 1;
  corpus_normalize_init(&p->norm);
  p->simd = CORPUS_SIMD_AUTO;
}

int corpus_simd_supported(int level){
#ifdef MINHASH_X86
  __builtin_cpu_init();
  switch( level ){
    case CORPUS_SIMD_AVX512:
      return __builtin_cpu_supports("avx512f") != 0;
    case CORPUS_SIMD_AVX2:
      return __builtin_cpu_supports("avx2") != 0;
  }
#endif
  return level==CORPUS_SIMD_PORTABLE || level==CORPUS_SIMD_AUTO;
}

int corpus_minhash_option(void *ctx, const char *key, const char *value,
                          char *err){
  corpus_minhash_params *p = (corpus_minhash_params*)ctx;
  long long v;
  int c;
  if( strcmp(key, "num_perm")==0 ){
    if( corpus_option_int(key, value, 1, CORPUS_MINHASH_MAX_PERM, &v, err) ){
      return -1;
    }
    p->num_perm = (int)v;
  }else if( strcmp(key, "ngram")==0 ){
    if( corpus_option_int(key, value, 1, CORPUS_NGRAM_MAX, &v, err) ) return -1;
    p->ngram = (int)v;
  }else if( strcmp(key, "unit")==0 ){
    if( (c = corpus_option_choice(key, value, "word|char", err))<0 ) return -1;
    p->unit = c==0 ? CORPUS_UNIT_WORD : CORPUS_UNIT_CHAR;
  }else if( strcmp(key, "seed")==0 ){
    if( corpus_option_int(key, value, INT64_MIN, INT64_MAX, &v, err) ) return -1;
    p->seed = (uint64_t)v;
  }else if( strcmp(key, "normalize")==0 ){
    corpus_normalize_init(&p->norm);
    p->normalize = strcmp(value, "none")!=0;
    if( p->normalize
     && (c = corpus_options_parse(value, strlen(value),
                                  corpus_normalize_option, &p->norm, err)) ){
      char inner[CORPUS_ERRMAX];
      if( c==CORPUS_NOMEM ) return c;
      memcpy(inner, err, CORPUS_ERRMAX);
      snprintf(err, CORPUS_ERRMAX, "normalize: %.200s", inner);
      return -1;
    }
  }else if( strcmp(key, "simd")==0 ){
    c = corpus_option_choice(key, value, "auto|portable|avx2|avx512", err);
    if( c<0 ) return -1;
    if( !corpus_simd_supported(c) ){
      snprintf(err, CORPUS_ERRMAX, "simd=%s is not supported by this CPU "
               "(corpus_debug() shows what is)", value);
      return -1;
    }
    p->simd = c;
  }else{
    snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: num_perm, "
             "ngram, unit, seed, normalize, simd)", key);
    return -1;
  }
  return 0;
}

/* The normalization packed into the header: 0 for none, else bit 9 set and
** form | case<<3 | accents<<5 | punct<<6 | digits<<7 | space<<8 |
** ignorable-kept<<10.  Bit 10 is set for ignorable=keep, not for the default
** drop, so that the default normalization keeps the header it had before the
** option existed. */
static uint32_t pack_normalize(const corpus_minhash_params *p){
  const corpus_normalize_opts *o = &p->norm;
  if( !p->normalize ) return 0;
  return (uint32_t)o->form | (uint32_t)o->case_mode<<3
       | (uint32_t)o->strip_accents<<5 | (uint32_t)o->strip_punct<<6
       | (uint32_t)o->zero_digits<<7 | (uint32_t)o->collapse_space<<8 | 1u<<9
       | (uint32_t)!o->drop_ignorable<<10;
}

static int unpack_normalize(uint32_t v, corpus_minhash_params *p){
  corpus_normalize_init(&p->norm);
  p->normalize = v!=0;
  if( v==0 ) return 0;
  if( (v>>11)!=0 || !(v>>9 & 1) || (v & 7)>CORPUS_FORM_NONE
   || ((v>>3) & 3)>CORPUS_CASE_KEEP ){
    return -1;
  }
  p->norm.form = (int)(v & 7);
  p->norm.case_mode = (int)((v>>3) & 3);
  p->norm.strip_accents = (int)((v>>5) & 1);
  p->norm.strip_punct = (int)((v>>6) & 1);
  p->norm.zero_digits = (int)((v>>7) & 1);
  p->norm.collapse_space = (int)((v>>8) & 1);
  p->norm.drop_ignorable = !((v>>10) & 1);
  return 0;
}

void corpus_minhash_describe(const corpus_minhash_params *p, char *out,
                             size_t n){
  static const char *const forms[] = {"nfkc", "nfc", "nfkd", "nfd", "none"};
  static const char *const cases[] = {"fold", "lower", "keep"};
  char norm[180];
  if( p->normalize ){
    snprintf(norm, sizeof(norm), "\"form=%s case=%s accents=%s punct=%s "
             "digits=%s space=%s ignorable=%s\"", forms[p->norm.form],
             cases[p->norm.case_mode], p->norm.strip_accents ? "strip" : "keep",
             p->norm.strip_punct ? "strip" : "keep",
             p->norm.zero_digits ? "zero" : "keep",
             p->norm.collapse_space ? "collapse" : "keep",
             p->norm.drop_ignorable ? "drop" : "keep");
  }else{
    snprintf(norm, sizeof(norm), "none");
  }
  snprintf(out, n, "num_perm=%d ngram=%d unit=%s seed=%lld normalize=%s",
           p->num_perm, p->ngram, p->unit==CORPUS_UNIT_CHAR ? "char" : "word",
           (long long)p->seed, norm);
}

/* ---- Signature BLOBs ------------------------------------------------------ */

static void put_u16(unsigned char *p, unsigned v){
  p[0] = (unsigned char)v; p[1] = (unsigned char)(v>>8);
}
static void put_u32(unsigned char *p, uint32_t v){
  p[0] = (unsigned char)v; p[1] = (unsigned char)(v>>8);
  p[2] = (unsigned char)(v>>16); p[3] = (unsigned char)(v>>24);
}
static unsigned get_u16(const unsigned char *p){
  return (unsigned)p[0] | (unsigned)p[1]<<8;
}
static uint32_t get_u32(const unsigned char *p){
  return (uint32_t)p[0] | (uint32_t)p[1]<<8 | (uint32_t)p[2]<<16
       | (uint32_t)p[3]<<24;
}

size_t corpus_minhash_size(int num_perm){
  return CORPUS_MINHASH_HEADER + 4*(size_t)num_perm;
}

void corpus_minhash_encode(const corpus_minhash_params *p,
                           const uint32_t *values, int empty,
                           unsigned char *out){
  int i;
  memcpy(out, "MNHS", 4);
  out[4] = CORPUS_MINHASH_FORMAT;
  out[5] = CORPUS_MINHASH_SCHEME_MS32;
  out[6] = (unsigned char)p->unit;
  out[7] = empty ? 1 : 0;
  put_u16(out+8, (unsigned)p->num_perm);
  put_u16(out+10, (unsigned)p->ngram);
  put_u32(out+12, (uint32_t)p->seed);
  put_u32(out+16, (uint32_t)(p->seed>>32));
  put_u32(out+20, pack_normalize(p));
  for(i=0; i<p->num_perm; i++) put_u32(out + CORPUS_MINHASH_HEADER + 4*i, values[i]);
}

int corpus_minhash_decode(const unsigned char *z, size_t n,
                          corpus_minhash_sig *sig, char *err){
  corpus_minhash_params *p = &sig->params;
  if( n<CORPUS_MINHASH_HEADER ){
    snprintf(err, CORPUS_ERRMAX, "is not a minhash signature (%zu byte%s, "
             "shorter than the %d-byte header)", n, n==1 ? "" : "s",
             CORPUS_MINHASH_HEADER);
    return -1;
  }
  if( memcmp(z, "MNHS", 4)!=0 ){
    snprintf(err, CORPUS_ERRMAX, "is not a minhash signature (no MNHS magic)");
    return -1;
  }
  if( z[4]!=CORPUS_MINHASH_FORMAT ){
    snprintf(err, CORPUS_ERRMAX, "has signature format version %d; this "
             "build reads version %d", z[4], CORPUS_MINHASH_FORMAT);
    return -1;
  }
  corpus_minhash_init(p);
  p->num_perm = (int)get_u16(z+8);
  p->ngram = (int)get_u16(z+10);
  p->unit = z[6];
  p->seed = (uint64_t)get_u32(z+12) | (uint64_t)get_u32(z+16)<<32;
  if( z[5]!=CORPUS_MINHASH_SCHEME_MS32 || z[6]>1 || z[7]>1
   || p->num_perm<1 || p->num_perm>CORPUS_MINHASH_MAX_PERM
   || p->ngram<1 || p->ngram>CORPUS_NGRAM_MAX
   || unpack_normalize(get_u32(z+20), p) ){
    snprintf(err, CORPUS_ERRMAX, "is not a valid minhash signature (bad "
             "header)");
    return -1;
  }
  if( n!=corpus_minhash_size(p->num_perm) ){
    snprintf(err, CORPUS_ERRMAX, "has %zu bytes; a signature with num_perm=%d "
             "has %zu", n, p->num_perm, corpus_minhash_size(p->num_perm));
    return -1;
  }
  sig->empty = z[7];
  sig->values = z + CORPUS_MINHASH_HEADER;
  return 0;
}

int corpus_minhash_same_params(const corpus_minhash_params *a,
                               const corpus_minhash_params *b){
  return a->num_perm==b->num_perm && a->ngram==b->ngram && a->unit==b->unit
      && a->seed==b->seed && pack_normalize(a)==pack_normalize(b);
}

double corpus_minhash_jaccard(const corpus_minhash_sig *a,
                              const corpus_minhash_sig *b){
  int i, same = 0, k = a->params.num_perm;
  if( a->empty || b->empty ) return 0.0;
  for(i=0; i<k; i++){
    same += memcmp(a->values + 4*i, b->values + 4*i, 4)==0;
  }
  return (double)same / k;
}

/* ---- Permutations ----------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *state){
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z>>30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z>>27)) * 0x94D049BB133111EBull;
  return z ^ (z>>31);
}

/* a and b of each slot, and the high halves of a apart for the SIMD
** kernels' 32-bit lanes. */
struct corpus_minhash_perm {
  int num_perm;
  uint64_t seed;
  uint64_t *a, *b;
  uint32_t *ahi;
};

corpus_minhash_perm *corpus_minhash_perm_new(uint64_t seed, int num_perm){
  corpus_minhash_perm *pm;
  uint64_t state = seed;
  int i;
  size_t bytes = sizeof(*pm) + 2*(size_t)num_perm*sizeof(uint64_t)
                 + (size_t)num_perm*sizeof(uint32_t);
  pm = corpus_realloc(0, bytes);
  if( pm==0 ) return 0;
  pm->num_perm = num_perm;
  pm->seed = seed;
  pm->a = (uint64_t*)(pm+1);
  pm->b = pm->a + num_perm;
  pm->ahi = (uint32_t*)(pm->b + num_perm);
  for(i=0; i<num_perm; i++){
    pm->a[i] = splitmix64(&state);
    pm->b[i] = splitmix64(&state);
    pm->ahi[i] = (uint32_t)(pm->a[i]>>32);
  }
  return pm;
}

void corpus_minhash_perm_free(corpus_minhash_perm *pm){
  corpus_free(pm);
}

/* ---- The signing kernels ------------------------------------------------------ */

/* Each kernel folds nx keys into slots [from, to) of sig. */
static void kernel_portable(const corpus_minhash_perm *pm, int from, int to,
                            const uint32_t *xs, int nx, uint32_t *sig){
  int i, j;
  for(i=from; i<to; i++){
    uint64_t a = pm->a[i], b = pm->b[i];
    uint32_t m = sig[i];
    for(j=0; j<nx; j++){
      uint32_t v = (uint32_t)((a*xs[j] + b) >> 32);
      if( v<m ) m = v;
    }
    sig[i] = m;
  }
}

#ifdef MINHASH_X86
/*
** The SIMD kernels work on 32-bit lanes: with a = ahi*2^32 + alo,
**   ((a*x + b) mod 2^64) >> 32  =  hi32(alo*x + b) + lo32(ahi*x)  (mod 2^32)
** so each slot costs one 32x32->64 multiply for alo*x + b (in 64-bit
** lanes) and one 32-bit multiply for ahi*x, and the minimum is taken over
** 32-bit lanes.  Same bits as kernel_portable.
*/
__attribute__((target("avx2")))
static int kernel_avx2(const corpus_minhash_perm *pm, int to,
                       const uint32_t *xs, int nx, uint32_t *sig){
  /* lane 2k holds slot i+k and lane 2k+1 slot i+4+k: where the blend below
  ** leaves hi32 of the two halves */
  const __m256i inter = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const __m256i deinter = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  int i, j;
  for(i=0; i+8<=to; i+=8){
    __m256i a0 = _mm256_loadu_si256((const __m256i*)(pm->a + i));
    __m256i a1 = _mm256_loadu_si256((const __m256i*)(pm->a + i + 4));
    __m256i b0 = _mm256_loadu_si256((const __m256i*)(pm->b + i));
    __m256i b1 = _mm256_loadu_si256((const __m256i*)(pm->b + i + 4));
    __m256i ah = _mm256_permutevar8x32_epi32(
                   _mm256_loadu_si256((const __m256i*)(pm->ahi + i)), inter);
    __m256i m = _mm256_permutevar8x32_epi32(
                   _mm256_loadu_si256((const __m256i*)(sig + i)), inter);
    for(j=0; j<nx; j++){
      __m256i x = _mm256_set1_epi32((int)xs[j]);
      __m256i t0 = _mm256_add_epi64(_mm256_mul_epu32(a0, x), b0);
      __m256i t1 = _mm256_add_epi64(_mm256_mul_epu32(a1, x), b1);
      __m256i hi = _mm256_blend_epi32(_mm256_srli_epi64(t0, 32), t1, 0xAA);
      m = _mm256_min_epu32(m, _mm256_add_epi32(hi, _mm256_mullo_epi32(ah, x)));
    }
    _mm256_storeu_si256((__m256i*)(sig + i),
                        _mm256_permutevar8x32_epi32(m, deinter));
  }
  return i;
}

__attribute__((target("avx512f")))
static int kernel_avx512(const corpus_minhash_perm *pm, int to,
                         const uint32_t *xs, int nx, uint32_t *sig){
  const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15,
                                        17, 19, 21, 23, 25, 27, 29, 31);
  int i, j;
  for(i=0; i+16<=to; i+=16){
    __m512i a0 = _mm512_loadu_si512(pm->a + i);
    __m512i a1 = _mm512_loadu_si512(pm->a + i + 8);
    __m512i b0 = _mm512_loadu_si512(pm->b + i);
    __m512i b1 = _mm512_loadu_si512(pm->b + i + 8);
    __m512i ah = _mm512_loadu_si512(pm->ahi + i);
    __m512i m = _mm512_loadu_si512(sig + i);
    for(j=0; j<nx; j++){
      __m512i x = _mm512_set1_epi32((int)xs[j]);
      __m512i t0 = _mm512_add_epi64(_mm512_mul_epu32(a0, x), b0);
      __m512i t1 = _mm512_add_epi64(_mm512_mul_epu32(a1, x), b1);
      __m512i hi = _mm512_permutex2var_epi32(t0, odd, t1);
      m = _mm512_min_epu32(m, _mm512_add_epi32(hi, _mm512_mullo_epi32(ah, x)));
    }
    _mm512_storeu_si512(sig + i, m);
  }
  return i;
}
#endif

static int resolve_simd(int simd){
  if( simd!=CORPUS_SIMD_AUTO ) return simd;
  if( corpus_simd_supported(CORPUS_SIMD_AVX512) ) return CORPUS_SIMD_AVX512;
  if( corpus_simd_supported(CORPUS_SIMD_AVX2) ) return CORPUS_SIMD_AVX2;
  return CORPUS_SIMD_PORTABLE;
}

const char *corpus_simd_level(void){
  static const char *const names[] = {"auto", "portable", "avx2", "avx512"};
  return names[resolve_simd(CORPUS_SIMD_AUTO)];
}

void corpus_minhash_update(const corpus_minhash_perm *pm, int simd,
                           const uint32_t *xs, int nx, uint32_t *sig){
  int done = 0;
#ifdef MINHASH_X86
  switch( resolve_simd(simd) ){
    case CORPUS_SIMD_AVX512:
      done = kernel_avx512(pm, pm->num_perm, xs, nx, sig);
      break;
    case CORPUS_SIMD_AVX2:
      done = kernel_avx2(pm, pm->num_perm, xs, nx, sig);
      break;
  }
#else
  (void)simd;
#endif
  kernel_portable(pm, done, pm->num_perm, xs, nx, sig);
}

/* ---- Signing ------------------------------------------------------------------ */

#define MINHASH_BATCH 256

typedef struct sign_state {
  const corpus_minhash_perm *pm;
  int simd;
  uint32_t *sig;
  uint32_t keys[MINHASH_BATCH];
  int nkey;
  sqlite3_int64 nshingle;
} sign_state;

uint32_t corpus_minhash_key(uint64_t shingle_hash){
  return (uint32_t)shingle_hash ^ (uint32_t)(shingle_hash>>32);
}

static int sign_shingle(void *ctx, const char *ngram, size_t len, uint64_t h){
  sign_state *s = (sign_state*)ctx;
  (void)ngram; (void)len;
  s->keys[s->nkey++] = corpus_minhash_key(h);
  s->nshingle++;
  if( s->nkey==MINHASH_BATCH ){
    corpus_minhash_update(s->pm, s->simd, s->keys, s->nkey, s->sig);
    s->nkey = 0;
  }
  return 0;
}

static int stop_at_word(void *ctx, size_t start, size_t end, int64_t id){
  (void)ctx; (void)start; (void)end; (void)id;
  return 1;
}

/* Text to be shingled: z itself, or its normalization in *owned.  A text
** without a word (no letter, mark or number) is contentless and gets no
** shingle in either unit: otherwise two texts of nothing but spaces, zero
** width characters or emoji would have char shingles in common and be
** "duplicates" of each other. */
static int shingle_source(const char *z, size_t n,
                          const corpus_minhash_params *p, char **owned,
                          const char **pz, size_t *pn){
  *owned = 0;
  *pz = z;
  *pn = n;
  if( p->normalize ){
    if( corpus_normalize(z, n, &p->norm, owned, pn) ) return -1;
    *pz = *owned;
  }
  if( p->unit==CORPUS_UNIT_CHAR
   && corpus_tokenizer_words.tokenize(&corpus_tokenizer_words, *pz, *pn, 0,
                                      stop_at_word, 0)==0 ){
    *pn = 0;
  }
  return 0;
}

int corpus_minhash_sign(const char *z, size_t n,
                        const corpus_minhash_params *p,
                        const corpus_minhash_perm *pm, uint32_t *sig,
                        int *empty){
  sign_state s;
  char *owned;
  const char *text;
  size_t ntext;
  int i, rc;
  for(i=0; i<p->num_perm; i++) sig[i] = 0xFFFFFFFFu;
  if( shingle_source(z, n, p, &owned, &text, &ntext) ) return -1;
  memset(&s, 0, sizeof(s));
  s.pm = pm;
  s.simd = p->simd;
  s.sig = sig;
  rc = corpus_ngrams(text, ntext, p->ngram, p->unit, sign_shingle, &s);
  if( rc==0 && s.nkey>0 ) corpus_minhash_update(pm, p->simd, s.keys, s.nkey, sig);
  corpus_free(owned);
  *empty = s.nshingle==0;
  return rc;
}

/* ---- Exact Jaccard ------------------------------------------------------------ */

typedef struct hash_set { uint64_t *h; size_t n, cap; } hash_set;

static int collect_shingle(void *ctx, const char *ngram, size_t len,
                           uint64_t h){
  hash_set *s = (hash_set*)ctx;
  (void)ngram; (void)len;
  if( s->n==s->cap ){
    size_t cap = s->cap ? 2*s->cap : 256;
    uint64_t *p = corpus_realloc(s->h, cap*sizeof(uint64_t));
    if( p==0 ) return -1;
    s->h = p;
    s->cap = cap;
  }
  s->h[s->n++] = h;
  return 0;
}

static int cmp_u64(const void *a, const void *b){
  uint64_t x = *(const uint64_t*)a, y = *(const uint64_t*)b;
  return x<y ? -1 : x>y;
}

int corpus_shingle_set(const char *z, size_t n, const corpus_minhash_params *p,
                       uint64_t **pset, size_t *pn){
  hash_set s;
  char *owned;
  const char *text;
  size_t ntext, i, k;
  int rc;
  memset(&s, 0, sizeof(s));
  *pset = 0;
  *pn = 0;
  if( shingle_source(z, n, p, &owned, &text, &ntext) ) return -1;
  rc = corpus_ngrams(text, ntext, p->ngram, p->unit, collect_shingle, &s);
  corpus_free(owned);
  if( rc ){
    corpus_free(s.h);
    return rc;
  }
  if( s.n==0 ){
    corpus_free(s.h);
    return 0;
  }
  qsort(s.h, s.n, sizeof(uint64_t), cmp_u64);
  for(i=1, k=1; i<s.n; i++){
    if( s.h[i]!=s.h[k-1] ) s.h[k++] = s.h[i];
  }
  /* exactly k: a set is held while its pairs come (dedup_verify,
  ** near_duplicates), and those count its bytes as 8 a shingle, where the
  ** buffer had at least 256 and doubled */
  if( k<s.cap ){
    uint64_t *h = corpus_realloc(s.h, k*sizeof(uint64_t));
    if( h ) s.h = h;
  }
  *pset = s.h;
  *pn = k;
  return 0;
}

double corpus_jaccard_sets(const uint64_t *a, size_t na, const uint64_t *b,
                           size_t nb){
  size_t i = 0, j = 0, common = 0;
  while( i<na && j<nb ){
    if( a[i]<b[j] ) i++;
    else if( a[i]>b[j] ) j++;
    else { common++; i++; j++; }
  }
  return na+nb==0 ? 0.0 : (double)common / (double)(na + nb - common);
}

int corpus_jaccard(const char *za, size_t na, const char *zb, size_t nb,
                   const corpus_minhash_params *p, double *out){
  uint64_t *a = 0, *b = 0;
  size_t ka = 0, kb = 0;
  int rc = corpus_shingle_set(za, na, p, &a, &ka);
  if( rc==0 ) rc = corpus_shingle_set(zb, nb, p, &b, &kb);
  if( rc==0 ) *out = corpus_jaccard_sets(a, ka, b, kb);
  corpus_free(a);
  corpus_free(b);
  return rc;
}

/* ---- SQL functions -------------------------------------------------------------- */

/* Parsed options and permutations, kept per statement with the options
** argument (sqlite3_set_auxdata) so a scan parses and draws them once. */
typedef struct minhash_setup {
  corpus_minhash_params params;
  corpus_minhash_perm *pm;
} minhash_setup;

static void minhash_setup_free(void *p){
  minhash_setup *m = (minhash_setup*)p;
  if( m ){
    corpus_minhash_perm_free(m->pm);
    corpus_free(m);
  }
}

/* The setup for options argument iArg (the defaults when there is none):
** from the statement's cache when there is one (*cached set), else made
** anew.  NULL after reporting an error. */
static minhash_setup *setup_begin(sqlite3_context *ctx, const char *func,
                                  int argc, sqlite3_value **argv, int iArg,
                                  int needPerm, int *cached){
  minhash_setup *m = argc>iArg ? sqlite3_get_auxdata(ctx, iArg) : 0;
  *cached = m!=0;
  if( m ) return m;
  m = corpus_realloc(0, sizeof(*m));
  if( m==0 ){
    sqlite3_result_error_nomem(ctx);
    return 0;
  }
  memset(m, 0, sizeof(*m));
  corpus_minhash_init(&m->params);
  if( argc>iArg && corpus_apply_options(ctx, func, argv[iArg],
                                        corpus_minhash_option, &m->params) ){
    minhash_setup_free(m);
    return 0;
  }
  if( needPerm ){
    m->pm = corpus_minhash_perm_new(m->params.seed, m->params.num_perm);
    if( m->pm==0 ){
      minhash_setup_free(m);
      sqlite3_result_error_nomem(ctx);
      return 0;
    }
  }
  return m;
}

/* Hands a new setup to SQLite's cache, last thing in the call: SQLite may
** free it at once (an options argument that is not constant). */
static void setup_end(sqlite3_context *ctx, int argc, int iArg,
                      minhash_setup *m, int cached){
  if( cached ) return;
  if( argc>iArg ){
    sqlite3_set_auxdata(ctx, iArg, m, minhash_setup_free);
  }else{
    minhash_setup_free(m);
  }
}

static void minhash_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  minhash_setup *m;
  unsigned char *blob;
  uint32_t stack[256], *sig = stack;
  int empty, rc, cached;
  size_t size;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "minhash", "text", argv[0]) ) return;
  m = setup_begin(ctx, "minhash", argc, argv, 1, 1, &cached);
  if( m==0 ) return;
  if( m->params.num_perm>256 ){
    sig = corpus_realloc(0, sizeof(uint32_t)*(size_t)m->params.num_perm);
  }
  size = corpus_minhash_size(m->params.num_perm);
  blob = sig ? corpus_realloc(0, size) : 0;
  rc = blob==0 ? -1 : corpus_minhash_sign(
        (const char*)sqlite3_value_text(argv[0]),
        (size_t)sqlite3_value_bytes(argv[0]), &m->params, m->pm, sig, &empty);
  if( rc==0 ){
    corpus_minhash_encode(&m->params, sig, empty, blob);
    sqlite3_result_blob64(ctx, blob, size, corpus_free);
  }else{
    corpus_free(blob);
    sqlite3_result_error_nomem(ctx);
  }
  if( sig!=stack ) corpus_free(sig);
  setup_end(ctx, argc, 1, m, cached);
}

int corpus_sig_arg(sqlite3_context *ctx, const char *func, const char *name,
                   sqlite3_value *v, corpus_minhash_sig *sig){
  char err[CORPUS_ERRMAX];
  int t = sqlite3_value_type(v);
  if( t!=SQLITE_BLOB ){
    corpus_result_error(ctx, func, "%s must be a minhash signature BLOB, got %s",
                        name, corpus_type_name(t));
    return 1;
  }
  if( corpus_minhash_decode(sqlite3_value_blob(v),
                            (size_t)sqlite3_value_bytes(v), sig, err) ){
    corpus_result_error(ctx, func, "%s %s", name, err);
    return 1;
  }
  return 0;
}

static void minhash_jaccard_func(sqlite3_context *ctx, int argc,
                                 sqlite3_value **argv){
  corpus_minhash_sig a, b;
  (void)argc;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL
   || sqlite3_value_type(argv[1])==SQLITE_NULL ) return;
  if( corpus_sig_arg(ctx, "minhash_jaccard", "sig_a", argv[0], &a)
   || corpus_sig_arg(ctx, "minhash_jaccard", "sig_b", argv[1], &b) ){
    return;
  }
  if( !corpus_minhash_same_params(&a.params, &b.params) ){
    char da[CORPUS_ERRMAX], db[CORPUS_ERRMAX];
    corpus_minhash_describe(&a.params, da, sizeof(da));
    corpus_minhash_describe(&b.params, db, sizeof(db));
    corpus_result_error(ctx, "minhash_jaccard", "signatures made with "
                        "different parameters: sig_a has %s; sig_b has %s",
                        da, db);
    return;
  }
  sqlite3_result_double(ctx, corpus_minhash_jaccard(&a, &b));
}

static void jaccard_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  minhash_setup *m;
  double j;
  int cached;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL
   || sqlite3_value_type(argv[1])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "jaccard", "text_a", argv[0])
   || corpus_check_text(ctx, "jaccard", "text_b", argv[1]) ) return;
  m = setup_begin(ctx, "jaccard", argc, argv, 2, 0, &cached);
  if( m==0 ) return;
  if( corpus_jaccard((const char*)sqlite3_value_text(argv[0]),
                     (size_t)sqlite3_value_bytes(argv[0]),
                     (const char*)sqlite3_value_text(argv[1]),
                     (size_t)sqlite3_value_bytes(argv[1]), &m->params, &j) ){
    sqlite3_result_error_nomem(ctx);
  }else{
    sqlite3_result_double(ctx, j);
  }
  setup_end(ctx, argc, 2, m, cached);
}

static void minhash_info_func(sqlite3_context *ctx, int argc,
                              sqlite3_value **argv){
  static const char *const forms[] = {"nfkc", "nfc", "nfkd", "nfd", "none"};
  static const char *const cases[] = {"fold", "lower", "keep"};
  corpus_minhash_sig s;
  const corpus_minhash_params *p = &s.params;
  char *z;
  (void)argc;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( corpus_sig_arg(ctx, "minhash_info", "sig", argv[0], &s) ) return;
  if( p->normalize ){
    z = sqlite3_mprintf("{\"format\":%d,\"scheme\":\"ms32\",\"num_perm\":%d,"
        "\"ngram\":%d,\"unit\":\"%s\",\"seed\":%lld,\"normalize\":{"
        "\"form\":\"%s\",\"case\":\"%s\",\"accents\":\"%s\",\"punct\":\"%s\","
        "\"digits\":\"%s\",\"space\":\"%s\",\"ignorable\":\"%s\"},"
        "\"empty\":%s}",
        CORPUS_MINHASH_FORMAT, p->num_perm, p->ngram,
        p->unit==CORPUS_UNIT_CHAR ? "char" : "word", (long long)p->seed,
        forms[p->norm.form], cases[p->norm.case_mode],
        p->norm.strip_accents ? "strip" : "keep",
        p->norm.strip_punct ? "strip" : "keep",
        p->norm.zero_digits ? "zero" : "keep",
        p->norm.collapse_space ? "collapse" : "keep",
        p->norm.drop_ignorable ? "drop" : "keep",
        s.empty ? "true" : "false");
  }else{
    z = sqlite3_mprintf("{\"format\":%d,\"scheme\":\"ms32\",\"num_perm\":%d,"
        "\"ngram\":%d,\"unit\":\"%s\",\"seed\":%lld,\"normalize\":null,"
        "\"empty\":%s}", CORPUS_MINHASH_FORMAT, p->num_perm, p->ngram,
        p->unit==CORPUS_UNIT_CHAR ? "char" : "word", (long long)p->seed,
        s.empty ? "true" : "false");
  }
  if( z==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, z, -1, sqlite3_free);
  sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
}

static const corpus_sql minhash_sql[] = {
  CORPUS_SCALAR("minhash",         1, CORPUS_PURE, minhash_func),
  CORPUS_SCALAR("minhash",         2, CORPUS_PURE, minhash_func),
  CORPUS_SCALAR("minhash_jaccard", 2, CORPUS_PURE, minhash_jaccard_func),
  CORPUS_SCALAR("jaccard",         2, CORPUS_PURE, jaccard_func),
  CORPUS_SCALAR("jaccard",         3, CORPUS_PURE, jaccard_func),
  CORPUS_SCALAR("minhash_info",    1, CORPUS_PURE | CORPUS_JSON_RESULT, minhash_info_func),
};

int corpus_minhash_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, minhash_sql, CORPUS_COUNT(minhash_sql), pzErr);
}
