/*
** The text layer: normalization, word segmentation, n-grams.
**
** SQL:
**   normalize(text [, options])         -> TEXT
**
** Every later area (minhash shingles, quality signals, decontamination)
** reads text through the tokenizer interface and n-gram producer defined
** here, so that they all agree on what a word is; tokenize.c puts these
** tokenizers, spaCy's and the BPE encodings behind one set of SQL
** functions.  docs/text.md documents the behaviour.
*/
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "corpus_sql.h"

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
  if( o->collapse_space && corpus_white_space(c) ) return ' ';
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
     && (k>0 ? (s->cps[k-1]==' ' || corpus_white_space(s->cps[k-1])) : at_start) ){
      continue;
    }
    s->cps[k++] = c;
  }
  len = k;
  if( compose ){
    len = utf8proc_normalize_utf32(s->cps, len, UTF8PROC_COMPOSE);
    if( len<0 ) return -1;
  }
  if( corpus_buf_reserve(&out->b, 4*(size_t)len + 1) ) return -1;
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
  if( corpus_buf_reserve(&out.b, n+1) ) rc = -1;
  while( rc==0 && i<n ){
    size_t run = i + corpus_ascii_prefix(z+i, n-i), end;
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
    if( rc==0 && corpus_buf_reserve(&out.b, n-i+1) ) rc = -1;
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

/* ---- N-grams --------------------------------------------------------------- */

uint64_t corpus_ngram_hash(const char *z, size_t n){
  return XXH3_64bits(z, n);   /* = corpus_xxh3(z, n, 0), inlined here */
}

int corpus_ngram_text(const char *z, const corpus_span *spans, int count,
                      int unit, corpus_buf *b){
  int i;
  b->n = 0;
  if( corpus_buf_reserve(b, 0) ) return -1;
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
int corpus_ngram_get(const char *z, int valid, int unit,
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
  if( corpus_ngram_get(s->z, s->valid, s->unit, spans, count, &s->text, &p, &len) ){
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
    /* the fast path of corpus_ngram_get(), known without looking back */
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
static const corpus_sql text_sql[] = {
  CORPUS_SCALAR("normalize", 1, CORPUS_PURE, normalize_func),
  CORPUS_SCALAR("normalize", 2, CORPUS_PURE, normalize_func),
};

int corpus_text_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, text_sql, CORPUS_COUNT(text_sql), pzErr);
}
