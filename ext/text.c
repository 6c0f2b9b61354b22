/*
** The text layer: UTF-8, normalization, word segmentation, n-grams.
**
** SQL:
**   normalize(text [, options])         -> TEXT
**   tokenize(text [, tokenizer])        -> JSON array of tokens
**   token_count(text [, tokenizer])     -> INTEGER
**   tokens(text [, tokenizer])          table: position, token, start, end
**   ngrams(text, n [, options])         table: position, ngram, hash
**
** Every later area (minhash shingles, quality signals, BPE) reads text through
** the tokenizer interface and n-gram producer defined here, so that they all
** agree on what a word is.  docs/text.md documents the behaviour.
*/
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "corpus_ext.h"

/* ---- UTF-8 --------------------------------------------------------------- */

int32_t corpus_utf8_decode(const unsigned char *z, size_t n, size_t *len){
  unsigned c = z[0];
  unsigned lo = 0x80, hi = 0xBF;
  int32_t cp;
  size_t need, i;
  if( c<0x80 ){ *len = 1; return (int32_t)c; }
  if( c<0xC2 ){ *len = 1; return 0xFFFD; }      /* continuation, C0, C1 */
  if( c<0xE0 ){ need = 1; cp = c & 0x1F; }
  else if( c<0xF0 ){
    need = 2; cp = c & 0x0F;
    if( c==0xE0 ) lo = 0xA0;                      /* overlong */
    if( c==0xED ) hi = 0x9F;                      /* surrogates */
  }else if( c<0xF5 ){
    need = 3; cp = c & 0x07;
    if( c==0xF0 ) lo = 0x90;                      /* overlong */
    if( c==0xF4 ) hi = 0x8F;                      /* above U+10FFFF */
  }else{
    *len = 1; return 0xFFFD;
  }
  for(i=1; i<=need; i++){
    unsigned b;
    if( i>=n ){ *len = i; return 0xFFFD; }
    b = z[i];
    if( b<lo || b>hi ){ *len = i; return 0xFFFD; }
    cp = (cp<<6) | (int32_t)(b & 0x3F);
    lo = 0x80; hi = 0xBF;
  }
  *len = need+1;
  return cp;
}

int corpus_utf8_encode(int32_t cp, unsigned char *out){
  if( cp<0x80 ){ out[0] = (unsigned char)cp; return 1; }
  if( cp<0x800 ){
    out[0] = (unsigned char)(0xC0 | (cp>>6));
    out[1] = (unsigned char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if( cp<0x10000 ){
    out[0] = (unsigned char)(0xE0 | (cp>>12));
    out[1] = (unsigned char)(0x80 | ((cp>>6) & 0x3F));
    out[2] = (unsigned char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (unsigned char)(0xF0 | (cp>>18));
  out[1] = (unsigned char)(0x80 | ((cp>>12) & 0x3F));
  out[2] = (unsigned char)(0x80 | ((cp>>6) & 0x3F));
  out[3] = (unsigned char)(0x80 | (cp & 0x3F));
  return 4;
}

/* Length of the leading run of ASCII bytes of z[0..n-1], 8 bytes a step. */
static size_t ascii_prefix(const char *z, size_t n){
  size_t i = 0;
  while( i+8<=n ){
    uint64_t w;
    memcpy(&w, z+i, 8);
    if( w & 0x8080808080808080ull ) break;
    i += 8;
  }
  while( i<n && (unsigned char)z[i]<0x80 ) i++;
  return i;
}

int corpus_utf8_valid(const char *z, size_t n){
  size_t i = 0;
  while( i<n ){
    size_t len;
    i += ascii_prefix(z+i, n-i);
    if( i>=n ) break;
    if( corpus_utf8_decode((const unsigned char*)z+i, n-i, &len)==0xFFFD
     && !(len==3 && memcmp(z+i, "\xEF\xBF\xBD", 3)==0) ){
      return 0;
    }
    i += len;
  }
  return 1;
}

/* ---- Growable buffers ---------------------------------------------------- */

static int buf_reserve(corpus_buf *b, size_t extra){
  size_t need = b->n + extra + 1;   /* room for a NUL terminator */
  if( need>b->cap ){
    size_t cap = b->cap ? b->cap : 64;
    char *z;
    while( cap<need ) cap *= 2;
    z = corpus_realloc(b->z, cap);
    if( z==0 ) return -1;
    b->z = z;
    b->cap = cap;
  }
  return 0;
}

int corpus_buf_append(corpus_buf *b, const char *z, size_t n){
  if( buf_reserve(b, n) ) return -1;
  memcpy(b->z+b->n, z, n);
  b->n += n;
  b->z[b->n] = 0;
  return 0;
}

int corpus_buf_append_utf8(corpus_buf *b, const char *z, size_t n){
  size_t i = 0;
  if( buf_reserve(b, n) ) return -1;
  while( i<n ){
    size_t run = ascii_prefix(z+i, n-i), len;
    int32_t cp;
    memcpy(b->z+b->n, z+i, run);
    b->n += run;
    i += run;
    if( i>=n ) break;
    cp = corpus_utf8_decode((const unsigned char*)z+i, n-i, &len);
    if( cp==0xFFFD ){
      /* an invalid subpart may be shorter than its replacement */
      if( buf_reserve(b, 3 + (n-i)) ) return -1;
      memcpy(b->z+b->n, "\xEF\xBF\xBD", 3);
      b->n += 3;
    }else{
      memcpy(b->z+b->n, z+i, len);
      b->n += len;
    }
    i += len;
  }
  b->z[b->n] = 0;
  return 0;
}

int corpus_buf_append_json_string(corpus_buf *b, const char *z, size_t n){
  static const char hex[] = "0123456789abcdef";
  size_t i, start = 0;
  if( corpus_buf_append(b, "\"", 1) ) return -1;
  for(i=0; i<n; i++){
    unsigned char c = (unsigned char)z[i];
    char esc[6];
    size_t nesc = 2;
    if( c>=0x20 && c!='"' && c!='\\' ) continue;
    if( corpus_buf_append_utf8(b, z+start, i-start) ) return -1;
    esc[0] = '\\';
    switch( c ){
      case '"':  esc[1] = '"'; break;
      case '\\': esc[1] = '\\'; break;
      case '\n': esc[1] = 'n'; break;
      case '\r': esc[1] = 'r'; break;
      case '\t': esc[1] = 't'; break;
      case '\b': esc[1] = 'b'; break;
      case '\f': esc[1] = 'f'; break;
      default:
        esc[1] = 'u'; esc[2] = '0'; esc[3] = '0';
        esc[4] = hex[c>>4]; esc[5] = hex[c & 15];
        nesc = 6;
    }
    if( corpus_buf_append(b, esc, nesc) ) return -1;
    start = i+1;
  }
  if( corpus_buf_append_utf8(b, z+start, n-start) ) return -1;
  return corpus_buf_append(b, "\"", 1);
}

/* ---- Normalization ------------------------------------------------------- */

void corpus_normalize_init(corpus_normalize_opts *o){
  o->form = CORPUS_FORM_NFKC;
  o->case_mode = CORPUS_CASE_FOLD;
  o->strip_accents = 0;
  o->strip_punct = 1;
  o->zero_digits = 0;
  o->collapse_space = 1;
  o->drop_ignorable = 1;
}

int corpus_normalize_option(void *ctx, const char *key, const char *value,
                            char *err){
  corpus_normalize_opts *o = (corpus_normalize_opts*)ctx;
  int v;
  if( strcmp(key, "form")==0 ){
    v = corpus_option_choice(key, value, "nfkc|nfc|nfkd|nfd|none", err);
    if( v>=0 ) o->form = v;
  }else if( strcmp(key, "case")==0 ){
    v = corpus_option_choice(key, value, "fold|lower|keep", err);
    if( v>=0 ) o->case_mode = v;
  }else if( strcmp(key, "accents")==0 ){
    v = corpus_option_choice(key, value, "keep|strip", err);
    if( v>=0 ) o->strip_accents = v;
  }else if( strcmp(key, "punct")==0 ){
    v = corpus_option_choice(key, value, "keep|strip", err);
    if( v>=0 ) o->strip_punct = v;
  }else if( strcmp(key, "digits")==0 ){
    v = corpus_option_choice(key, value, "keep|zero", err);
    if( v>=0 ) o->zero_digits = v;
  }else if( strcmp(key, "space")==0 ){
    v = corpus_option_choice(key, value, "keep|collapse", err);
    if( v>=0 ) o->collapse_space = v;
  }else if( strcmp(key, "ignorable")==0 ){
    v = corpus_option_choice(key, value, "keep|drop", err);
    if( v>=0 ) o->drop_ignorable = v;
  }else{
    snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: form, case, "
             "accents, punct, digits, space, ignorable)", key);
    return -1;
  }
  return v<0 ? -1 : 0;
}

/* Unicode's White_Space property (PropList.txt), which no utf8proc call
** exposes. */
static int is_white_space(int32_t c){
  if( c<0x80 ) return c==' ' || (c>=0x09 && c<=0x0D);
  return c==0x85 || c==0xA0 || c==0x1680 || (c>=0x2000 && c<=0x200A)
      || c==0x2028 || c==0x2029 || c==0x202F || c==0x205F || c==0x3000;
}

/* Python's str.isspace(): Unicode White_Space plus U+001C..U+001F, the
** characters datatrove's strip() and split() remove. */
int corpus_py_space(int32_t c){
  if( c<0x80 ) return c==' ' || (c>=0x09 && c<=0x0D) || (c>=0x1C && c<=0x1F);
  return c==0x85 || c==0xA0 || c==0x1680 || (c>=0x2000 && c<=0x200A)
      || c==0x2028 || c==0x2029 || c==0x202F || c==0x205F || c==0x3000;
}

/* Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt, 15.0):
** invisible characters that a renderer skips.  utf8proc's `ignorable` flag
** has only the assigned ones; the reserved ranges (U+2065, U+FFF0..FFF8,
** the unassigned tags and variation selectors) are here too, as NFKC_Casefold
** drops them.  No decomposition or case folding of another code point makes
** one of them, so testing the input code points is enough. */
static const int32_t ignorable_ranges[][2] = {
  {0x00AD, 0x00AD}, {0x034F, 0x034F}, {0x061C, 0x061C}, {0x115F, 0x1160},
  {0x17B4, 0x17B5}, {0x180B, 0x180F}, {0x200B, 0x200F}, {0x202A, 0x202E},
  {0x2060, 0x206F}, {0x3164, 0x3164}, {0xFE00, 0xFE0F}, {0xFEFF, 0xFEFF},
  {0xFFA0, 0xFFA0}, {0xFFF0, 0xFFF8}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
  {0xE0000, 0xE0FFF},
};

int corpus_default_ignorable(int32_t c){
  return c>=0xAD && corpus_cp_in_ranges(ignorable_ranges,
                                        CORPUS_COUNT(ignorable_ranges), c);
}

#define MAP_DROP (-1)

/* The per-code-point steps that follow decomposition (and case folding, which
** utf8proc does with it).  Lowercasing comes here, after decomposition, so
** that letters a compatibility decomposition makes are lowercased too. */
static int32_t normalize_map(int32_t c, const corpus_normalize_opts *o){
  int cat;
  if( o->case_mode==CORPUS_CASE_LOWER ) c = utf8proc_tolower(c);
  cat = utf8proc_category(c);
  if( o->strip_accents && cat==UTF8PROC_CATEGORY_MN ) return MAP_DROP;
  if( o->strip_punct && cat>=UTF8PROC_CATEGORY_PC && cat<=UTF8PROC_CATEGORY_SO ){
    return ' ';
  }
  if( o->zero_digits && cat==UTF8PROC_CATEGORY_ND ) return '0';
  if( o->collapse_space && is_white_space(c) ) return ' ';
  return c;
}

/* Output side of normalize: collapses spaces (when asked) and encodes.  A
** run of spaces is written as its first space, and none at the start of the
** text (last_space starts set); corpus_normalize() trims the last one. */
typedef struct norm_out {
  corpus_buf b;
  int collapse;
  int last_space;   /* the output ends with a space, or is empty */
} norm_out;

static void norm_emit(norm_out *s, int32_t c){
  if( c==' ' && s->collapse ){
    if( !s->last_space ){
      s->b.z[s->b.n++] = ' ';
      s->last_space = 1;
    }
    return;
  }
  s->last_space = 0;
  s->b.n += corpus_utf8_encode(c, (unsigned char*)s->b.z + s->b.n);
}

/* Scratch space of one normalize call. */
typedef struct norm_scratch {
  corpus_buf valid;        /* a piece with invalid bytes replaced */
  utf8proc_int32_t *cps;   /* its decomposition */
  size_t ncps;             /* capacity of cps, in code points */
  utf8proc_int32_t *tmp;   /* counting sort of a long run of marks */
  size_t ntmp;
} norm_scratch;

/* The longest decomposition of one code point (U+FDFA has 18). */
#define NORM_DECOMP_MAX 32

/* Grows s->cps to hold at least need code points. */
static int norm_cps_reserve(norm_scratch *s, size_t need){
  if( need>s->ncps ){
    size_t cap = s->ncps ? 2*s->ncps : 256;
    utf8proc_int32_t *p;
    while( cap<need ) cap *= 2;
    p = corpus_realloc(s->cps, cap*sizeof(utf8proc_int32_t));
    if( p==0 ) return -1;
    s->cps = p;
    s->ncps = cap;
  }
  return 0;
}

/* Decomposes (and case folds, as opts say) the valid UTF-8 z[0..n-1] into
** s->cps, one code point at a time, dropping default-ignorable ones when
** asked; returns the number of code points or -1.  This is what
** utf8proc_decompose_custom() does, without its canonical ordering, which
** is quadratic in a run of marks (canonical_order() does it instead). */
static utf8proc_ssize_t norm_decompose(const char *z, size_t n,
                                       utf8proc_option_t opts, int drop_ign,
                                       norm_scratch *s){
  size_t i = 0, k = 0;
  while( i<n ){
    size_t len;
    int32_t c = corpus_utf8_decode((const unsigned char*)z+i, n-i, &len);
    utf8proc_ssize_t m;
    int bound = UTF8PROC_BOUNDCLASS_START;
    i += len;
    if( drop_ign && corpus_default_ignorable(c) ) continue;
    if( norm_cps_reserve(s, k+NORM_DECOMP_MAX) ) return -1;
    m = utf8proc_decompose_char(c, s->cps+k, NORM_DECOMP_MAX, opts, &bound);
    if( m<0 || m>NORM_DECOMP_MAX ) return -1;  /* cannot happen */
    k += (size_t)m;
  }
  return (utf8proc_ssize_t)k;
}

/* Canonical ordering (Unicode 3.11): every maximal run of code points with
** a nonzero combining class is sorted stably by class.  Short runs, the
** usual case, by insertion; long ones by counting, so that a run of n marks
** costs O(n), not the O(n^2) of an exchange sort.  Both give the one stable
** order, so the result is the same either way. */
static int canonical_order(utf8proc_int32_t *cp, size_t n, norm_scratch *s){
  size_t i = 0;
  while( i<n ){
    size_t start, end, j;
    if( utf8proc_get_property(cp[i])->combining_class==0 ){ i++; continue; }
    start = i;
    while( i<n && utf8proc_get_property(cp[i])->combining_class!=0 ) i++;
    end = i;
    if( end-start<2 ) continue;
    if( end-start<=32 ){
      for(j=start+1; j<end; j++){
        utf8proc_int32_t c = cp[j];
        int cc = utf8proc_get_property(c)->combining_class;
        size_t h = j;
        while( h>start && utf8proc_get_property(cp[h-1])->combining_class>cc ){
          cp[h] = cp[h-1];
          h--;
        }
        cp[h] = c;
      }
    }else{
      size_t count[257];
      if( end-start>s->ntmp ){
        corpus_free(s->tmp);
        s->tmp = corpus_realloc(0, (end-start)*sizeof(utf8proc_int32_t));
        if( s->tmp==0 ){ s->ntmp = 0; return -1; }
        s->ntmp = end-start;
      }
      memset(count, 0, sizeof(count));
      for(j=start; j<end; j++){
        count[utf8proc_get_property(cp[j])->combining_class + 1]++;
      }
      for(j=1; j<257; j++) count[j] += count[j-1];
      for(j=start; j<end; j++){
        s->tmp[count[utf8proc_get_property(cp[j])->combining_class]++] = cp[j];
      }
      memcpy(cp+start, s->tmp, (end-start)*sizeof(utf8proc_int32_t));
    }
  }
  return 0;
}

static int is_mark(int32_t c){
  int cat = utf8proc_category(c);
  return cat>=UTF8PROC_CATEGORY_MN && cat<=UTF8PROC_CATEGORY_ME;
}

/* Normalizes z[0..n-1], a piece that starts and ends at a point where no
** composition, reordering or case mapping can reach across.  A piece starts
** with the ASCII byte before its first non-ASCII byte, or at the start of the
** text (at_start). */
static int normalize_piece(const char *z, size_t n, int at_start,
                           const corpus_normalize_opts *o, norm_out *out,
                           norm_scratch *s){
  utf8proc_option_t opts = 0;
  utf8proc_ssize_t len, i, k;
  int compose = 0;

  if( !corpus_utf8_valid(z, n) ){
    s->valid.n = 0;
    if( corpus_buf_append_utf8(&s->valid, z, n) ) return -1;
    z = s->valid.z;
    n = s->valid.n;
  }
  if( o->form!=CORPUS_FORM_NONE || o->strip_accents ) opts |= UTF8PROC_DECOMPOSE;
  if( o->form==CORPUS_FORM_NFKC || o->form==CORPUS_FORM_NFKD ){
    opts |= UTF8PROC_COMPAT;
  }
  if( o->case_mode==CORPUS_CASE_FOLD ) opts |= UTF8PROC_CASEFOLD;
  compose = o->form==CORPUS_FORM_NFKC || o->form==CORPUS_FORM_NFC
         || (o->form==CORPUS_FORM_NONE && o->strip_accents);
  len = norm_decompose(z, n, opts, o->drop_ignorable, s);
  if( len<0 ) return -1;
  if( (opts & UTF8PROC_DECOMPOSE) && canonical_order(s->cps, (size_t)len, s) ){
    return -1;
  }
  /* With punct=strip, a mark left without a base goes too: NFKC makes a
  ** spacing accent such as U+00B4 a space and a combining U+0301, which
  ** would otherwise cling to the next word ("l´homme" -> "l homme"). */
  for(i=k=0; i<len; i++){
    int32_t c = normalize_map(s->cps[i], o);
    if( c==MAP_DROP ) continue;
    if( o->strip_punct && is_mark(c)
     && (k>0 ? (s->cps[k-1]==' ' || is_white_space(s->cps[k-1])) : at_start) ){
      continue;
    }
    s->cps[k++] = c;
  }
  len = k;
  if( compose ){
    len = utf8proc_normalize_utf32(s->cps, len, UTF8PROC_COMPOSE);
    if( len<0 ) return -1;
  }
  if( buf_reserve(&out->b, 4*(size_t)len + 1) ) return -1;
  for(i=0; i<len; i++) norm_emit(out, s->cps[i]);
  return 0;
}

#if defined(__x86_64__) && defined(__GNUC__)
# define NORM_AVX512 1
# include <immintrin.h>
/* 64 bytes a step: the table lookup is one two-register byte permute
** (VBMI), and a run of spaces is collapsed by compressing away every space
** that follows a space (VBMI2).  Stops 64 bytes short of the end; the
** output never outgrows the input, so a 64-byte store at out+k stays
** inside the buffer corpus_normalize() reserved. */
__attribute__((target("avx512f,avx512bw,avx512vbmi,avx512vbmi2,popcnt")))
static size_t norm_ascii_avx512(norm_out *s, const unsigned char *map,
                                const char *z, size_t n){
  const __m512i lo = _mm512_loadu_si512(map), hi = _mm512_loadu_si512(map+64);
  const __m512i space = _mm512_set1_epi8(' ');
  char *out = s->b.z;
  size_t i, k = s->b.n;
  uint64_t last = (uint64_t)s->last_space;
  for(i=0; i+64<=n; i+=64){
    __m512i m = _mm512_permutex2var_epi8(lo, _mm512_loadu_si512(z+i), hi);
    if( s->collapse ){
      uint64_t sp = _mm512_cmpeq_epi8_mask(m, space);
      uint64_t keep = ~(sp & ((sp<<1) | last));
      _mm512_storeu_si512(out+k, _mm512_maskz_compress_epi8(keep, m));
      k += (size_t)__builtin_popcountll(keep);
      last = sp>>63;
    }else{
      _mm512_storeu_si512(out+k, m);
      k += 64;
    }
  }
  s->b.n = k;
  s->last_space = (int)last;
  return i;
}

static int has_avx512_vbmi2(void){
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi")
      && __builtin_cpu_supports("avx512vbmi2");
}
#endif

/* A run of ASCII bytes through the table made by corpus_normalize(): the
** hot loop for most corpora, so it keeps its state in locals. */
static void norm_ascii_run(norm_out *s, const unsigned char *map,
                           const char *z, size_t n, int simd){
  char *out;
  size_t i = 0, k;
  int last, collapse = s->collapse;
#ifdef NORM_AVX512
  if( simd && n>=64 ) i = norm_ascii_avx512(s, map, z, n);
#else
  (void)simd;
#endif
  out = s->b.z;
  k = s->b.n;
  last = s->last_space;
  for(; i<n; i++){
    unsigned char m = map[(unsigned char)z[i]];
    if( m==' ' && collapse ){
      if( !last ){
        out[k++] = ' ';
        last = 1;
      }
      continue;
    }
    last = 0;
    out[k++] = (char)m;
  }
  s->b.n = k;
  s->last_space = last;
}

/*
** ASCII bytes take a table; everything else goes to utf8proc in pieces.  A
** piece runs from the ASCII byte before a non-ASCII byte to the next pair of
** ASCII bytes: no ASCII character is the second of a composition pair or
** has a nonzero combining class, so nothing outside a piece can change it.
*/
int corpus_normalize(const char *z, size_t n, const corpus_normalize_opts *o,
                     char **pout, size_t *pnout){
  unsigned char ascii[128];
  norm_out out;
  norm_scratch s;
  size_t i = 0;
  int c, rc = 0, simd = 0;

  memset(&out, 0, sizeof(out));
  memset(&s, 0, sizeof(s));
  out.collapse = o->collapse_space;
  out.last_space = 1;
#ifdef NORM_AVX512
  simd = has_avx512_vbmi2();
#endif
  for(c=0; c<128; c++){
    int32_t m = c;
    if( o->case_mode!=CORPUS_CASE_KEEP && c>='A' && c<='Z' ) m = c + 32;
    ascii[c] = (unsigned char)normalize_map(m, o);  /* ASCII never drops */
  }
  if( buf_reserve(&out.b, n+1) ) rc = -1;
  while( rc==0 && i<n ){
    size_t run = i + ascii_prefix(z+i, n-i), end;
    if( run<n && run>i ) run--;   /* it starts the piece that follows */
    if( run>i ){
      norm_ascii_run(&out, ascii, z+i, run-i, simd);
      i = run;
      continue;
    }
    end = i+1;
    while( end<n && !((unsigned char)z[end]<0x80
                      && (end+1==n || (unsigned char)z[end+1]<0x80)) ){
      end++;
    }
    rc = normalize_piece(z+i, end-i, i==0, o, &out, &s);
    i = end;
    if( rc==0 && buf_reserve(&out.b, n-i+1) ) rc = -1;
  }
  corpus_free(s.valid.z);
  corpus_free(s.cps);
  corpus_free(s.tmp);
  if( rc ){
    corpus_free(out.b.z);
    return -1;
  }
  if( out.collapse && out.b.n>0 && out.b.z[out.b.n-1]==' ' ) out.b.n--;
  out.b.z[out.b.n] = 0;
  *pout = out.b.z;
  *pnout = out.b.n;
  return 0;
}

/* ---- Tokenizers ------------------------------------------------------------ */

/* Scripts written without spaces between words: each of their characters is
** a word of its own (Unicode Scripts.txt / Blocks.txt ranges). */
static const int32_t solo_ranges[][2] = {
  {0x0E00, 0x0EFF},   /* Thai, Lao */
  {0x1000, 0x109F},   /* Myanmar */
  {0x1780, 0x17FF},   /* Khmer */
  {0x1980, 0x19DF},   /* New Tai Lue */
  {0x19E0, 0x19FF},   /* Khmer symbols */
  {0x1A20, 0x1AAF},   /* Tai Tham */
  {0x1B00, 0x1B7F},   /* Balinese */
  {0x2E80, 0x2FDF},   /* CJK radicals, Kangxi radicals */
  {0x3005, 0x3007},   /* ideographic iteration mark, closing mark, zero */
  {0x3021, 0x3029},   /* Hangzhou numerals */
  {0x3038, 0x303C},
  {0x3040, 0x30FF},   /* Hiragana, Katakana */
  {0x3100, 0x312F},   /* Bopomofo */
  {0x3190, 0x31BF},   /* Kanbun, Bopomofo extended */
  {0x31F0, 0x31FF},   /* Katakana phonetic extensions */
  {0x3400, 0x4DBF},   /* CJK extension A */
  {0x4E00, 0x9FFF},   /* CJK unified ideographs */
  {0xA000, 0xA4CF},   /* Yi */
  {0xA980, 0xA9DF},   /* Javanese */
  {0xA9E0, 0xA9FF},   /* Myanmar extended B */
  {0xAA60, 0xAA7F},   /* Myanmar extended A */
  {0xAA80, 0xAADF},   /* Tai Viet */
  {0xF900, 0xFAFF},   /* CJK compatibility ideographs */
  {0xFF66, 0xFF9F},   /* halfwidth Katakana */
  {0x17000, 0x18AFF}, /* Tangut, Tangut components */
  {0x18D00, 0x18D7F}, /* Tangut supplement */
  {0x1AFF0, 0x1B16F}, /* Kana extensions and supplement */
  {0x1B170, 0x1B2FF}, /* Nushu */
  {0x20000, 0x2FA1F}, /* CJK extensions B-F, compatibility supplement */
  {0x30000, 0x323AF}, /* CJK extensions G-H */
};

int corpus_is_solo(int32_t c){
  return c>=0x0E00 && corpus_cp_in_ranges(solo_ranges,
                                          CORPUS_COUNT(solo_ranges), c);
}

enum { CLS_SEP, CLS_WORD, CLS_MARK, CLS_SOLO };

static int classify(int32_t c){
  int cat = utf8proc_category(c);
  if( (cat>=UTF8PROC_CATEGORY_LU && cat<=UTF8PROC_CATEGORY_LO)
   || (cat>=UTF8PROC_CATEGORY_ND && cat<=UTF8PROC_CATEGORY_NO) ){
    return corpus_is_solo(c) ? CLS_SOLO : CLS_WORD;
  }
  if( cat>=UTF8PROC_CATEGORY_MN && cat<=UTF8PROC_CATEGORY_ME ) return CLS_MARK;
  return CLS_SEP;
}

static const unsigned char ascii_word[128] = {
  0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 1,1,1,1,1,1,1,1, 1,1,0,0,0,0,0,0,
  0,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1, 1,1,1,0,0,0,0,0,
  0,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1, 1,1,1,0,0,0,0,0,
};

static int words_tokenize(const corpus_tokenizer *tok, const char *z,
                          size_t n, unsigned specials, corpus_token_fn cb,
                          void *ctx){
  const unsigned char *u = (const unsigned char*)z;
  size_t i = 0, start = 0;
  int state = CLS_SEP;   /* CLS_WORD or CLS_SOLO while inside a token */
  int rc;
  (void)tok; (void)specials;
  while( i<n ){
    size_t len = 1;
    int cls;
    if( state!=CLS_SOLO ){
      /* ASCII fast path: whole runs of ASCII separators and word bytes */
      for(;;){
        if( state==CLS_SEP ){
          while( i<n && u[i]<0x80 && !ascii_word[u[i]] ) i++;
          if( i>=n || u[i]>=0x80 ) break;
          start = i++;
          state = CLS_WORD;
        }
        while( i<n && u[i]<0x80 && ascii_word[u[i]] ) i++;
        if( i>=n || u[i]>=0x80 ) break;
        if( (rc = cb(ctx, start, i, -1))!=0 ) return rc;
        state = CLS_SEP;
        i++;
      }
      if( i>=n ) break;
    }
    /* one code point the generic way: non-ASCII, or anything after a
    ** character that is a word by itself */
    if( u[i]<0x80 ){
      cls = ascii_word[u[i]] ? CLS_WORD : CLS_SEP;
    }else{
      cls = classify(corpus_utf8_decode(u+i, n-i, &len));
    }
    if( cls==CLS_MARK ){
      if( state==CLS_SEP ){ start = i; state = CLS_WORD; }
    }else if( cls==CLS_WORD && state==CLS_WORD ){
      /* the word goes on */
    }else{
      if( state!=CLS_SEP && (rc = cb(ctx, start, i, -1))!=0 ) return rc;
      state = cls;
      start = i;
    }
    i += len;
  }
  if( state!=CLS_SEP ) return cb(ctx, start, n, -1);
  return 0;
}

static int chars_tokenize(const corpus_tokenizer *tok, const char *z,
                          size_t n, unsigned specials, corpus_token_fn cb,
                          void *ctx){
  const unsigned char *u = (const unsigned char*)z;
  size_t i = 0;
  int rc;
  (void)tok; (void)specials;
  while( i<n ){
    size_t len = 1;
    if( u[i]>=0x80 ) corpus_utf8_decode(u+i, n-i, &len);
    if( (rc = cb(ctx, i, i+len, -1))!=0 ) return rc;
    i += len;
  }
  return 0;
}

/* Lines are the non-empty runs between '\n' (a '\r' that ends one is
** not part of the line); paragraphs are the non-empty runs between two or
** more line breaks in a row, as Gopher's rules split them (\n+, \n{2,}). */
static int lines_tokenize(const corpus_tokenizer *tok, const char *z,
                          size_t n, unsigned specials, corpus_token_fn cb,
                          void *ctx){
  int paragraphs = tok==&corpus_tokenizer_paragraphs;
  size_t i = 0;
  int rc;
  (void)specials;
  while( i<n ){
    size_t start, end;
    while( i<n && (z[i]=='\n' || (z[i]=='\r' && i+1<n && z[i+1]=='\n')) ) i++;
    if( i>=n ) break;
    start = i;
    for(;;){
      const char *nl = memchr(z+i, '\n', n-i);
      size_t j;
      if( nl==0 ){ i = end = n; break; }
      end = (size_t)(nl - z);
      i = end + 1;
      if( !paragraphs ) break;
      /* a paragraph ends at a second line break with only a '\r' between */
      j = i;
      if( j<n && z[j]=='\r' ) j++;
      if( j>=n || z[j]=='\n' ) break;
    }
    if( end>start && z[end-1]=='\r' ) end--;
    if( end>start && (rc = cb(ctx, start, end, -1))!=0 ) return rc;
  }
  return 0;
}

const corpus_tokenizer corpus_tokenizer_words = {"words", words_tokenize, 0};
const corpus_tokenizer corpus_tokenizer_chars = {"chars", chars_tokenize, 0};
const corpus_tokenizer corpus_tokenizer_lines = {"lines", lines_tokenize, 0};
const corpus_tokenizer corpus_tokenizer_paragraphs = {"paragraphs",
                                                      lines_tokenize, 0};

static const corpus_tokenizer *const all_tokenizers[] = {
  &corpus_tokenizer_words, &corpus_tokenizer_chars, &corpus_tokenizer_lines,
  &corpus_tokenizer_paragraphs, &corpus_tokenizer_r50k, &corpus_tokenizer_gpt2,
  &corpus_tokenizer_p50k, &corpus_tokenizer_cl100k, &corpus_tokenizer_o200k,
  &corpus_tokenizer_spacy_en,
};
#define TOKENIZER_NAMES "words, chars, lines, paragraphs, r50k_base, gpt2, " \
                        "p50k_base, cl100k_base, o200k_base, spacy_en"

const corpus_tokenizer *corpus_tokenizer_find(const char *name, char *err){
  size_t i;
  for(i=0; i<sizeof(all_tokenizers)/sizeof(all_tokenizers[0]); i++){
    if( strcmp(all_tokenizers[i]->name, name)==0 ) return all_tokenizers[i];
  }
  snprintf(err, CORPUS_ERRMAX, "unknown tokenizer '%.40s' (valid: "
           TOKENIZER_NAMES ")", name);
  return 0;
}

/* ---- N-grams --------------------------------------------------------------- */

uint64_t corpus_ngram_hash(const char *z, size_t n){
  return XXH3_64bits(z, n);   /* = corpus_xxh3(z, n, 0), inlined here */
}

int corpus_ngram_text(const char *z, const corpus_span *spans, int count,
                      int unit, corpus_buf *b){
  int i;
  b->n = 0;
  if( buf_reserve(b, 0) ) return -1;
  for(i=0; i<count; i++){
    if( i>0 && unit==CORPUS_UNIT_WORD && corpus_buf_append(b, " ", 1) ){
      return -1;
    }
    if( corpus_buf_append_utf8(b, z+spans[i].start,
                               spans[i].end-spans[i].start) ){
      return -1;
    }
  }
  return 0;
}

/* Streaming state: the last `ngram` spans sit in a window of 2*ngram slots,
** slid back to the front when it fills, so memory does not grow with n. */
typedef struct ngram_stream {
  const char *z;
  int ngram, unit;
  int valid;              /* z is valid UTF-8 */
  int joined;             /* how many of the last tokens follow the one
                          ** before them after exactly one space */
  corpus_span *win;
  int nwin;
  long long total;
  corpus_buf text;
  corpus_ngram_fn cb;
  void *ctx;
} ngram_stream;

/* Whether the n-gram's text is the input between its first and last token,
** as it is for words one space apart (always so after normalize()) and for
** chars of valid UTF-8: then it is hashed where it stands, with no copy. */
static int ngram_in_place(const char *z, int valid, int unit,
                          const corpus_span *spans, int count){
  int i;
  if( !valid ) return 0;
  if( unit==CORPUS_UNIT_CHAR ) return 1;
  for(i=0; i+1<count; i++){
    if( spans[i+1].start!=spans[i].end+1 || z[spans[i].end]!=' ' ) return 0;
  }
  return 1;
}

/* The text of the n-gram spans[0..count-1]: in place when it can be, else
** built in b. */
static int ngram_get(const char *z, int valid, int unit,
                     const corpus_span *spans, int count, corpus_buf *b,
                     const char **pz, size_t *pn){
  if( ngram_in_place(z, valid, unit, spans, count) ){
    *pz = z + spans[0].start;
    *pn = spans[count-1].end - spans[0].start;
    return 0;
  }
  if( corpus_ngram_text(z, spans, count, unit, b) ) return -1;
  *pz = b->z;
  *pn = b->n;
  return 0;
}

static int ngram_stream_emit(ngram_stream *s, const corpus_span *spans,
                             int count){
  const char *p;
  size_t len;
  if( ngram_get(s->z, s->valid, s->unit, spans, count, &s->text, &p, &len) ){
    return -1;
  }
  return s->cb(s->ctx, p, len, corpus_ngram_hash(p, len));
}

static int ngram_stream_token(void *ctx, size_t start, size_t end, int64_t id){
  ngram_stream *s = (ngram_stream*)ctx;
  const corpus_span *w;
  if( s->nwin>0 && start==s->win[s->nwin-1].end+1 && s->z[start-1]==' ' ){
    s->joined++;
  }else{
    s->joined = 0;
  }
  if( s->nwin==2*s->ngram ){
    memmove(s->win, s->win + s->ngram + 1,
            (size_t)(s->ngram-1) * sizeof(corpus_span));
    s->nwin = s->ngram-1;
  }
  s->win[s->nwin].start = start;
  s->win[s->nwin].end = end;
  s->win[s->nwin].id = id;
  s->nwin++;
  s->total++;
  if( s->total<s->ngram ) return 0;
  w = s->win + s->nwin - s->ngram;
  if( s->valid && (s->unit==CORPUS_UNIT_CHAR || s->joined>=s->ngram-1) ){
    /* the fast path of ngram_get(), known without looking back */
    const char *p = s->z + w[0].start;
    size_t len = end - w[0].start;
    return s->cb(s->ctx, p, len, corpus_ngram_hash(p, len));
  }
  return ngram_stream_emit(s, w, s->ngram);
}

int corpus_ngrams(const char *z, size_t n, int ngram, int unit,
                  corpus_ngram_fn cb, void *ctx){
  ngram_stream s;
  const corpus_tokenizer *tok = unit==CORPUS_UNIT_CHAR
      ? &corpus_tokenizer_chars : &corpus_tokenizer_words;
  int rc;
  memset(&s, 0, sizeof(s));
  s.z = z;
  s.ngram = ngram;
  s.unit = unit;
  s.cb = cb;
  s.ctx = ctx;
  s.valid = corpus_utf8_valid(z, n);
  s.win = corpus_realloc(0, 2*(size_t)ngram*sizeof(corpus_span));
  if( s.win==0 ) return -1;
  rc = tok->tokenize(tok, z, n, 0, ngram_stream_token, &s);
  if( rc==0 && s.total>0 && s.total<ngram ){
    rc = ngram_stream_emit(&s, s.win, s.nwin);   /* short text: one n-gram */
  }
  corpus_free(s.win);
  corpus_free(s.text.z);
  return rc;
}

/* ---- SQL functions ----------------------------------------------------------- */

static void normalize_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  corpus_normalize_opts o;
  char *out;
  size_t nout;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "normalize", "text", argv[0]) ) return;
  corpus_normalize_init(&o);
  if( argc>1 && corpus_apply_options(ctx, "normalize", argv[1],
                                     corpus_normalize_option, &o) ){
    return;
  }
  if( corpus_normalize((const char*)sqlite3_value_text(argv[0]),
                       (size_t)sqlite3_value_bytes(argv[0]), &o, &out, &nout) ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text64(ctx, out, nout, corpus_free, SQLITE_UTF8);
}

/* Reads the optional tokenizer argument; NULL or absent means "words". */
static const corpus_tokenizer *tokenizer_arg(sqlite3_context *ctx,
                                             const char *func, int argc,
                                             sqlite3_value **argv){
  char err[CORPUS_ERRMAX];
  const corpus_tokenizer *tok;
  if( argc<2 || sqlite3_value_type(argv[1])==SQLITE_NULL ){
    return &corpus_tokenizer_words;
  }
  if( corpus_check_text(ctx, func, "tokenizer", argv[1]) ) return 0;
  tok = corpus_tokenizer_find((const char*)sqlite3_value_text(argv[1]), err);
  if( tok==0 ) corpus_result_error(ctx, func, "%s", err);
  return tok;
}

/* Options of tokenize(), token_count() and tokens(): specials (BPE only)
** and, for tokenize(), format. */
typedef struct token_opts {
  const corpus_tokenizer *tok;
  int allow_format;
  int blob;             /* format=blob */
  unsigned specials;
} token_opts;

static int token_option(void *ctx, const char *key, const char *value,
                        char *err){
  token_opts *o = (token_opts*)ctx;
  if( strcmp(key, "specials")==0 ){
    if( o->tok->data==0 ){
      snprintf(err, CORPUS_ERRMAX, "specials is an option of the BPE "
               "encodings, not of %s", o->tok->name);
      return -1;
    }
    return corpus_bpe_specials(o->tok, value, &o->specials, err);
  }
  if( strcmp(key, "format")==0 && o->allow_format ){
    int v = corpus_option_choice(key, value, "json|blob", err);
    if( v<0 ) return -1;
    if( v==1 && o->tok->data==0 ){
      snprintf(err, CORPUS_ERRMAX, "format=blob holds token ids: it needs a "
               "BPE encoding, not %s", o->tok->name);
      return -1;
    }
    o->blob = v;
    return 0;
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: %s)", key,
           o->allow_format ? "format, specials" : "specials");
  return -1;
}

/* The tokenizer and options of a tokenize()-like call; nonzero on error. */
static int token_args(sqlite3_context *ctx, const char *func, int argc,
                      sqlite3_value **argv, int allow_format, token_opts *o){
  memset(o, 0, sizeof(*o));
  o->allow_format = allow_format;
  if( (o->tok = tokenizer_arg(ctx, func, argc, argv))==0 ) return 1;
  if( argc>2 && corpus_apply_options(ctx, func, argv[2], token_option, o) ){
    return 1;
  }
  return 0;
}

typedef struct json_tokens {
  const char *z;
  corpus_buf b;
  int first;
  int ids;              /* write ids (BPE), not the tokens' text */
} json_tokens;

static int json_token(void *ctx, size_t start, size_t end, int64_t id){
  json_tokens *j = (json_tokens*)ctx;
  char num[24];
  if( !j->first && corpus_buf_append(&j->b, ",", 1) ) return -1;
  j->first = 0;
  if( j->ids ){
    return corpus_buf_append(&j->b, num,
                             (size_t)snprintf(num, sizeof(num), "%lld",
                                              (long long)id));
  }
  return corpus_buf_append_json_string(&j->b, j->z+start, end-start);
}

static int blob_token(void *ctx, size_t start, size_t end, int64_t id){
  unsigned char le[4];
  (void)start; (void)end;
  le[0] = (unsigned char)id;
  le[1] = (unsigned char)(id>>8);
  le[2] = (unsigned char)(id>>16);
  le[3] = (unsigned char)(id>>24);
  return corpus_buf_append((corpus_buf*)ctx, (const char*)le, 4);
}

static void tokenize_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  token_opts o;
  json_tokens j;
  size_t n;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "tokenize", "text", argv[0]) ) return;
  if( token_args(ctx, "tokenize", argc, argv, 1, &o) ) return;
  memset(&j, 0, sizeof(j));
  j.z = (const char*)sqlite3_value_text(argv[0]);
  n = (size_t)sqlite3_value_bytes(argv[0]);
  if( o.blob ){
    if( corpus_buf_append(&j.b, "", 0)
     || o.tok->tokenize(o.tok, j.z, n, o.specials, blob_token, &j.b) ){
      corpus_free(j.b.z);
      sqlite3_result_error_nomem(ctx);
      return;
    }
    sqlite3_result_blob64(ctx, j.b.z, j.b.n, corpus_free);
    return;
  }
  j.first = 1;
  j.ids = o.tok->data!=0;
  if( corpus_buf_append(&j.b, "[", 1)
   || o.tok->tokenize(o.tok, j.z, n, o.specials, json_token, &j)
   || corpus_buf_append(&j.b, "]", 1) ){
    corpus_free(j.b.z);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text64(ctx, j.b.z, j.b.n, corpus_free, SQLITE_UTF8);
  sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
}

static int count_token(void *ctx, size_t start, size_t end, int64_t id){
  (void)start; (void)end; (void)id;
  (*(sqlite3_int64*)ctx)++;
  return 0;
}

static void token_count_func(sqlite3_context *ctx, int argc,
                             sqlite3_value **argv){
  token_opts o;
  sqlite3_int64 count = 0;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "token_count", "text", argv[0]) ) return;
  if( token_args(ctx, "token_count", argc, argv, 0, &o) ) return;
  if( o.tok->tokenize(o.tok, (const char*)sqlite3_value_text(argv[0]),
                      (size_t)sqlite3_value_bytes(argv[0]), o.specials,
                      count_token, &count) ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_int64(ctx, count);
}

/* ---- Table-valued functions: tokens() and ngrams() -------------------------- */

/*
** Both tables tokenize their text argument once, in xFilter, into an array of
** spans over a private copy of the text, then hand out one row per token
** (tokens) or per n-gram (ngrams).  Their input arguments are HIDDEN columns
** after the output columns, as in SQLite's series.c.
*/
typedef struct text_table_kind {
  const char *name;
  const char *schema;
  int nOutput;      /* output columns; the hidden argument columns follow */
  int nArg;         /* hidden argument columns */
  int nRequired;    /* how many leading arguments are required */
  const char *const *argNames;
} text_table_kind;

static const char *const tokens_args[] = {"text", "tokenizer", "options"};
static const char *const ngrams_args[] = {"text", "n", "options"};

#define TOKENS_POSITION 0
#define TOKENS_TOKEN    1
#define TOKENS_START    2
#define TOKENS_END      3
#define TOKENS_TOKEN_ID 4
static const text_table_kind tokens_kind = {
  "tokens",
  "CREATE TABLE x(position INTEGER, token TEXT, start INTEGER, end INTEGER, "
  "token_id INTEGER, text HIDDEN, tokenizer HIDDEN, options HIDDEN)",
  5, 3, 1, tokens_args
};

#define NGRAMS_POSITION 0
#define NGRAMS_NGRAM    1
#define NGRAMS_HASH     2
static const text_table_kind ngrams_kind = {
  "ngrams",
  "CREATE TABLE x(position INTEGER, ngram TEXT, hash INTEGER, "
  "text HIDDEN, n HIDDEN, options HIDDEN)",
  3, 3, 2, ngrams_args
};


typedef struct text_table {
  sqlite3_vtab base;
  const text_table_kind *kind;
} text_table;

/* A token of the cursor: 12 bytes, not corpus_span's 24, as a table holds
** one per token of the whole text (a text is under 4 GB; an id is a BPE
** rank or -1). */
typedef struct text_span { uint32_t start, end; int32_t id; } text_span;

typedef struct text_cursor {
  sqlite3_vtab_cursor base;
  char *z;                /* copy of the text argument */
  size_t n;
  text_span *spans;
  sqlite3_int64 nspan, cap;
  sqlite3_int64 row, nrow;
  int valid;              /* z is valid UTF-8: tokens are used in place */
  const corpus_tokenizer *bpe; /* a BPE encoding: tokens are its own */
  int ngram, unit;        /* ngrams() only */
  corpus_buf text;        /* a token or n-gram rebuilt with U+FFFD */
  sqlite3_value *args[CORPUS_TVF_MAXARG]; /* the arguments, for the hidden
                                          ** columns */
} text_cursor;

static int text_table_connect(sqlite3 *db, void *pAux, int argc,
                              const char *const *argv, sqlite3_vtab **ppVtab,
                              char **pzErr){
  const text_table_kind *kind = (const text_table_kind*)pAux;
  text_table *t;
  int rc;
  (void)argc; (void)argv; (void)pzErr;
  rc = sqlite3_declare_vtab(db, kind->schema);
  if( rc!=SQLITE_OK ) return rc;
  t = sqlite3_malloc64(sizeof(*t));
  if( t==0 ) return SQLITE_NOMEM;
  memset(t, 0, sizeof(*t));
  t->kind = kind;
  sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
  *ppVtab = &t->base;
  return SQLITE_OK;
}

static int text_table_disconnect(sqlite3_vtab *pVtab){
  sqlite3_free(pVtab);
  return SQLITE_OK;
}

static int text_table_open(sqlite3_vtab *pVtab, sqlite3_vtab_cursor **ppCur){
  text_cursor *c = sqlite3_malloc64(sizeof(*c));
  (void)pVtab;
  if( c==0 ) return SQLITE_NOMEM;
  memset(c, 0, sizeof(*c));
  *ppCur = &c->base;
  return SQLITE_OK;
}

static void text_cursor_reset(text_cursor *c){
  c->bpe = 0;
  int i;
  for(i=0; i<CORPUS_TVF_MAXARG; i++){
    sqlite3_value_free(c->args[i]);
    c->args[i] = 0;
  }
  corpus_free(c->z);
  corpus_free(c->spans);
  c->z = 0;
  c->spans = 0;
  c->n = 0;
  c->nspan = c->cap = c->row = c->nrow = 0;
}

static int text_table_close(sqlite3_vtab_cursor *cur){
  text_cursor *c = (text_cursor*)cur;
  text_cursor_reset(c);
  corpus_free(c->text.z);
  sqlite3_free(c);
  return SQLITE_OK;
}

static int text_table_best_index(sqlite3_vtab *pVtab,
                                 sqlite3_index_info *info){
  const text_table_kind *kind = ((text_table*)pVtab)->kind;
  return corpus_tvf_best_index(info, kind->nOutput, kind->nArg,
                               kind->nRequired);
}

static int text_cursor_token(void *ctx, size_t start, size_t end, int64_t id){
  text_cursor *c = (text_cursor*)ctx;
  if( c->nspan==c->cap ){
    sqlite3_int64 cap = c->cap ? 2*c->cap : 64;
    text_span *p = corpus_realloc(c->spans, (size_t)cap*sizeof(text_span));
    if( p==0 ) return SQLITE_NOMEM;
    c->spans = p;
    c->cap = cap;
  }
  c->spans[c->nspan].start = (uint32_t)start;
  c->spans[c->nspan].end = (uint32_t)end;
  c->spans[c->nspan].id = (int32_t)id;
  c->nspan++;
  return 0;
}

static int ngrams_option(void *ctx, const char *key, const char *value,
                         char *err){
  text_cursor *c = (text_cursor*)ctx;
  if( strcmp(key, "unit")==0 ){
    int v = corpus_option_choice(key, value, "word|char", err);
    if( v<0 ) return -1;
    c->unit = v==0 ? CORPUS_UNIT_WORD : CORPUS_UNIT_CHAR;
    return 0;
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: unit)", key);
  return -1;
}

static int text_table_filter(sqlite3_vtab_cursor *cur, int idxNum,
                             const char *idxStr, int argc,
                             sqlite3_value **argv){
  text_cursor *c = (text_cursor*)cur;
  const text_table_kind *kind = ((text_table*)cur->pVtab)->kind;
  sqlite3_value *args[CORPUS_TVF_MAXARG];
  const corpus_tokenizer *tok = &corpus_tokenizer_words;
  char err[CORPUS_ERRMAX];
  unsigned specials = 0;
  int rc;
  (void)idxStr; (void)argc;

  text_cursor_reset(c);
  rc = corpus_tvf_args(cur->pVtab, kind->name, kind->argNames, kind->nArg,
                       kind->nRequired, idxNum, argv, args, c->args);
  if( rc ) return rc;
  if( args[0]==0 || sqlite3_value_type(args[0])==SQLITE_NULL ) return SQLITE_OK;
  if( sqlite3_value_type(args[0])!=SQLITE_TEXT ){
    return corpus_vtab_error(cur->pVtab, kind->name, "text must be TEXT, got %s",
                             corpus_type_name(sqlite3_value_type(args[0])));
  }
  if( kind==&tokens_kind ){
    if( args[1] && sqlite3_value_type(args[1])!=SQLITE_NULL ){
      if( sqlite3_value_type(args[1])!=SQLITE_TEXT ){
        return corpus_vtab_error(cur->pVtab, "tokens", "tokenizer must be TEXT, "
                   "got %s", corpus_type_name(sqlite3_value_type(args[1])));
      }
      tok = corpus_tokenizer_find((const char*)sqlite3_value_text(args[1]),
                                  err);
      if( tok==0 ) return corpus_vtab_error(cur->pVtab, "tokens", "%s", err);
    }
    if( args[2] ){
      token_opts o;
      char *zErr = 0;
      memset(&o, 0, sizeof(o));
      o.tok = tok;
      if( corpus_parse_options_value("tokens", args[2], token_option, &o,
                                     &zErr) ){
        if( zErr==0 ) return SQLITE_NOMEM;
        sqlite3_free(cur->pVtab->zErrMsg);
        cur->pVtab->zErrMsg = zErr;
        return SQLITE_ERROR;
      }
      specials = o.specials;
    }
    c->bpe = tok->data ? tok : 0;
  }else{
    char *zErr = 0;
    sqlite3_int64 ngram;
    if( sqlite3_value_type(args[1])==SQLITE_NULL ) return SQLITE_OK;
    if( sqlite3_value_type(args[1])!=SQLITE_INTEGER ){
      return corpus_vtab_error(cur->pVtab, "ngrams", "n must be INTEGER, got %s",
                               corpus_type_name(sqlite3_value_type(args[1])));
    }
    ngram = sqlite3_value_int64(args[1]);
    if( ngram<1 || ngram>CORPUS_NGRAM_MAX ){
      return corpus_vtab_error(cur->pVtab, "ngrams", "n must be 1..%d, got %lld",
                               CORPUS_NGRAM_MAX, ngram);
    }
    c->ngram = (int)ngram;
    c->unit = CORPUS_UNIT_WORD;
    if( args[2] && corpus_parse_options_value("ngrams", args[2], ngrams_option,
                                              c, &zErr) ){
      /* zErr already starts with "ngrams: " */
      if( zErr ){
        sqlite3_free(cur->pVtab->zErrMsg);
        cur->pVtab->zErrMsg = zErr;
        return SQLITE_ERROR;
      }
      return SQLITE_NOMEM;
    }
    if( c->unit==CORPUS_UNIT_CHAR ) tok = &corpus_tokenizer_chars;
  }
  c->n = (size_t)sqlite3_value_bytes(args[0]);
  if( c->n>=0xFFFFFFFFu ) return SQLITE_TOOBIG;   /* spans are 32-bit */
  c->z = corpus_realloc(0, c->n + 1);
  if( c->z==0 ) return SQLITE_NOMEM;
  memcpy(c->z, sqlite3_value_text(args[0]), c->n);
  c->z[c->n] = 0;
  c->valid = corpus_utf8_valid(c->z, c->n);
  rc = tok->tokenize(tok, c->z, c->n, specials, text_cursor_token, c);
  if( rc ) return rc;
  if( kind==&tokens_kind ){
    c->nrow = c->nspan;
  }else if( c->nspan>=c->ngram ){
    c->nrow = c->nspan - c->ngram + 1;
  }else{
    c->nrow = c->nspan>0;   /* short text: one n-gram of all its tokens */
  }
  return SQLITE_OK;
}

static int text_table_next(sqlite3_vtab_cursor *cur){
  ((text_cursor*)cur)->row++;
  return SQLITE_OK;
}

static int text_table_eof(sqlite3_vtab_cursor *cur){
  text_cursor *c = (text_cursor*)cur;
  return c->row>=c->nrow;
}

static int text_table_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid){
  *pRowid = ((text_cursor*)cur)->row;
  return SQLITE_OK;
}

static int text_table_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx,
                             int col){
  text_cursor *c = (text_cursor*)cur;
  const text_table_kind *kind = ((text_table*)cur->pVtab)->kind;
  const text_span *sp = &c->spans[c->row];
  if( col>=kind->nOutput ){                     /* hidden: the arguments */
    if( c->args[col - kind->nOutput] ){
      sqlite3_result_value(ctx, c->args[col - kind->nOutput]);
    }
    return SQLITE_OK;
  }
  if( kind==&tokens_kind ){
    switch( col ){
      case TOKENS_POSITION: sqlite3_result_int64(ctx, c->row); break;
      case TOKENS_TOKEN:
        if( c->bpe ){
          /* the token's bytes, not the input's (invalid UTF-8 was
          ** replaced); part of a UTF-8 sequence comes as a BLOB */
          size_t len;
          const char *p = (const char*)corpus_bpe_token_bytes(c->bpe, sp->id,
                                                              &len);
          if( corpus_utf8_valid(p, len) ){
            sqlite3_result_text64(ctx, p, len, SQLITE_STATIC, SQLITE_UTF8);
          }else{
            sqlite3_result_blob64(ctx, p, len, SQLITE_STATIC);
          }
          break;
        }
        if( c->valid ){
          sqlite3_result_text64(ctx, c->z+sp->start, sp->end-sp->start,
                                SQLITE_TRANSIENT, SQLITE_UTF8);
          break;
        }
        c->text.n = 0;
        if( corpus_buf_append_utf8(&c->text, c->z+sp->start,
                                   sp->end-sp->start) ){
          return SQLITE_NOMEM;
        }
        sqlite3_result_text64(ctx, c->text.z, c->text.n, SQLITE_TRANSIENT,
                              SQLITE_UTF8);
        break;
      case TOKENS_START: sqlite3_result_int64(ctx, (sqlite3_int64)sp->start);
                         break;
      case TOKENS_END:   sqlite3_result_int64(ctx, (sqlite3_int64)sp->end);
                         break;
      default:           if( sp->id>=0 ) sqlite3_result_int64(ctx, sp->id);
    }
    return SQLITE_OK;
  }
  if( col==NGRAMS_POSITION ){
    sqlite3_result_int64(ctx, c->row);
    return SQLITE_OK;
  }
  {
    const char *p;
    size_t len;
    int count = (int)(c->nspan<c->ngram ? c->nspan : c->ngram), i;
    corpus_span win[CORPUS_NGRAM_MAX];
    for(i=0; i<count; i++){
      win[i].start = sp[i].start;
      win[i].end = sp[i].end;
      win[i].id = sp[i].id;
    }
    if( ngram_get(c->z, c->valid, c->unit, win, count, &c->text, &p, &len) ){
      return SQLITE_NOMEM;
    }
    if( col==NGRAMS_NGRAM ){
      sqlite3_result_text64(ctx, p, len, SQLITE_TRANSIENT, SQLITE_UTF8);
    }else{
      sqlite3_result_int64(ctx, (sqlite3_int64)corpus_ngram_hash(p, len));
    }
  }
  return SQLITE_OK;
}

static sqlite3_module text_table_module = {
  0,                        /* iVersion */
  0,                        /* xCreate: eponymous-only */
  text_table_connect,
  text_table_best_index,
  text_table_disconnect,
  0,                        /* xDestroy */
  text_table_open,
  text_table_close,
  text_table_filter,
  text_table_next,
  text_table_eof,
  text_table_column,
  text_table_rowid,
  0, 0, 0, 0, 0, 0, 0,      /* xUpdate .. xRename */
  0, 0, 0, 0                /* xSavepoint .. xShadowName */
};

int text_register(sqlite3 *db){
  static const corpus_function funcs[] = {
    {"normalize",   1, 0,           normalize_func},
    {"normalize",   2, 0,           normalize_func},
    {"tokenize",    1, CORPUS_JSON_RESULT, tokenize_func},
    {"tokenize",    2, CORPUS_JSON_RESULT, tokenize_func},
    {"tokenize",    3, CORPUS_JSON_RESULT, tokenize_func},
    {"token_count", 1, 0,           token_count_func},
    {"token_count", 2, 0,           token_count_func},
    {"token_count", 3, 0,           token_count_func},
  };
  int rc = corpus_register_functions(db, funcs,
                                     (int)(sizeof(funcs)/sizeof(funcs[0])));
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_module(db, "tokens", &text_table_module,
                               (void*)&tokens_kind);
  }
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_module(db, "ngrams", &text_table_module,
                               (void*)&ngrams_kind);
  }
  return rc;
}
