/*
** Byte-pair encoding, identical to OpenAI's tiktoken: r50k_base (alias
** gpt2), p50k_base, cl100k_base and o200k_base.
**
** The encodings are tokenizers of the text layer (corpus_tokenizer), so
** tokenize(), token_count() and tokens() take their names; detokenize()
** turns ids back into text.  The rank tables are compiled in (data/bpe/,
** turned into C by tools/bpe_gen.c at build time).
**
** Encoding is tiktoken's: the text is cut into pieces by the encoding's
** pre-tokenization regex (hand-written scanners below, one per regex, that
** reproduce the regex's alternation order and backtracking), then each
** piece that is not itself a token is merged from single bytes, always the
** adjacent pair whose concatenation has the lowest rank, leftmost first.
** Short pieces merge in a plain array (as tiktoken does); long ones through
** a heap, so a 100,000-letter piece costs O(n log n), not O(n^2).  The
** tokens of short merged pieces are kept in a small per-thread cache.
**
** Text that is not valid UTF-8 is encoded as tiktoken encodes the Python
** str it stands for (tiktoken_char() below): each invalid part becomes
** U+FFFD before cutting and merging, and tokens() spans are mapped back to
** the input bytes.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>
#if defined(__SSE2__)
# include <emmintrin.h>
#endif
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <sqlite3.h>   /* result codes only: the core calls no SQLite */
#include "corpus_int.h"
#include "bpe_table.h"

/* ---- Encodings -------------------------------------------------------------- */

enum { PAT_R50K, PAT_CL100K, PAT_O200K };

typedef struct bpe_special { const char *text; uint32_t id; } bpe_special;

typedef struct bpe_encoding {
  const char *name;
  int pattern;
  const bpe_table *table;
  const bpe_special *specials;
  int nspecial;
} bpe_encoding;

static const bpe_special specials_r50k[] = {{"<|endoftext|>", 50256}};
static const bpe_special specials_cl100k[] = {
  {"<|endoftext|>", 100257}, {"<|fim_prefix|>", 100258},
  {"<|fim_middle|>", 100259}, {"<|fim_suffix|>", 100260},
  {"<|endofprompt|>", 100276},
};
static const bpe_special specials_o200k[] = {
  {"<|endoftext|>", 199999}, {"<|endofprompt|>", 200018},
};

static const bpe_encoding enc_r50k = {"r50k_base", PAT_R50K, &bpe_r50k_base,
                                      specials_r50k, 1};
static const bpe_encoding enc_p50k = {"p50k_base", PAT_R50K, &bpe_p50k_base,
                                      specials_r50k, 1};
static const bpe_encoding enc_cl100k = {"cl100k_base", PAT_CL100K,
                                        &bpe_cl100k_base, specials_cl100k, 5};
static const bpe_encoding enc_o200k = {"o200k_base", PAT_O200K,
                                       &bpe_o200k_base, specials_o200k, 2};

/* ---- Character classes of the regexes ----------------------------------------- */

#define C_L    0x01   /* \p{L} */
#define C_N    0x02   /* \p{N} */
#define C_WS   0x04   /* \s: Unicode White_Space */
#define C_UP   0x08   /* o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] */
#define C_LOW  0x10   /* o200k's [\p{Ll}\p{Lm}\p{Lo}\p{M}] */
#define C_NL   0x20   /* \r or \n */

static unsigned class_of_cp(int32_t c){
  int cat;
  if( c<0x80 ){
    if( c>='a' && c<='z' ) return C_L | C_LOW;
    if( c>='A' && c<='Z' ) return C_L | C_UP;
    if( c>='0' && c<='9' ) return C_N;
    if( c=='\n' || c=='\r' ) return C_WS | C_NL;
    if( c==' ' || (c>=0x09 && c<=0x0D) ) return C_WS;
    return 0;
  }
  if( corpus_white_space(c) ) return C_WS;
  cat = utf8proc_category(c);
  switch( cat ){
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LT:
      return C_L | C_UP;
    case UTF8PROC_CATEGORY_LL:
      return C_L | C_LOW;
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
      return C_L | C_UP | C_LOW;
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
      return C_UP | C_LOW;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return C_N;
  }
  return 0;
}

/* Class of the character at z[i] (i < n) and its length in bytes. */
static unsigned class_at(const unsigned char *z, size_t n, size_t i,
                         size_t *len){
  if( z[i]<0x80 ){
    *len = 1;
    return class_of_cp(z[i]);
  }
  return class_of_cp(corpus_utf8_decode(z+i, n-i, len));
}

/* End of the run of characters from i that have any bit of want. */
static size_t run_with(const unsigned char *z, size_t n, size_t i,
                       unsigned want){
  size_t len;
  while( i<n && (class_at(z, n, i, &len) & want) ) i += len;
  return i;
}

/* End of the run of characters from i that have no bit of avoid. */
static size_t run_without(const unsigned char *z, size_t n, size_t i,
                          unsigned avoid){
  size_t len;
  while( i<n && !(class_at(z, n, i, &len) & avoid) ) i += len;
  return i;
}

static int lower_ascii(int c){ return c>='A' && c<='Z' ? c+32 : c; }

/* 's 't 're 've 'm 'll 'd at i: the end of the contraction, or i. */
static size_t contraction(const unsigned char *z, size_t n, size_t i,
                          int nocase){
  int a, b;
  if( i+1>=n || z[i]!='\'' ) return i;
  a = nocase ? lower_ascii(z[i+1]) : z[i+1];
  if( a=='s' || a=='d' || a=='m' || a=='t' ) return i+2;
  if( i+2>=n ) return i;
  b = nocase ? lower_ascii(z[i+2]) : z[i+2];
  if( (a=='l' && b=='l') || (a=='v' && b=='e') || (a=='r' && b=='e') ){
    return i+3;
  }
  return i;
}

/* The white-space alternatives at i, where z[i] is white space.
** cl100k: \s++$ | \s*[\r\n] | \s+(?!\S) | \s
** o200k:  \s*[\r\n]+ | \s+(?!\S) | \s+
** r50k:   \s++$ | \s+(?!\S) | \s
** \s*[\r\n] and \s*[\r\n]+ both end after the run's last \r or \n;
** \s+(?!\S) is the run less its last character, unless the run ends the
** text; a lone white-space character followed by another is itself. */
static size_t white_space(const unsigned char *z, size_t n, size_t i,
                          int pattern){
  size_t j = i, len, last = i, after_nl = 0;
  int count = 0;
  while( j<n ){
    unsigned c = class_at(z, n, j, &len);
    if( !(c & C_WS) ) break;
    if( c & C_NL ) after_nl = j+len;
    last = j;
    j += len;
    count++;
  }
  if( j==n && pattern!=PAT_O200K ) return n;
  if( pattern!=PAT_R50K && after_nl ) return after_nl;
  if( j==n ) return n;
  if( count>=2 ) return last;
  return j;
}

/* \p{N}{1,3}: up to three numbers from i. */
static size_t digits3(const unsigned char *z, size_t n, size_t i){
  size_t len;
  int k;
  for(k=0; k<3 && i<n && (class_at(z, n, i, &len) & C_N); k++) i += len;
  return i;
}

/* cl100k's " ?[^\s\p{L}\p{N}]++[\r\n]*+" and, with slash, o200k's
** " ?[^\s\p{L}\p{N}]+[\r\n/]*": the end of the match at i, or i. */
static size_t symbols(const unsigned char *z, size_t n, size_t i, int slash){
  size_t j = (z[i]==' ' && i+1<n) ? i+1 : i, len, end;
  if( class_at(z, n, j, &len) & (C_WS | C_L | C_N) ) return i;
  end = run_without(z, n, j, C_WS | C_L | C_N);
  while( end<n && (z[end]=='\r' || z[end]=='\n' || (slash && z[end]=='/')) ) end++;
  return end;
}

static size_t piece_r50k(const unsigned char *z, size_t n, size_t i){
  size_t j = i, len, end;
  unsigned c;
  if( (end = contraction(z, n, i, 0))>i ) return end;
  if( z[i]==' ' && i+1<n ) j = i+1;            /* " ?" */
  c = class_at(z, n, j, &len);
  if( c & C_L ) return run_with(z, n, j, C_L);
  if( c & C_N ) return run_with(z, n, j, C_N);
  if( !(c & C_WS) ) return run_without(z, n, j, C_WS | C_L | C_N);
  return white_space(z, n, i, PAT_R50K);
}

static size_t piece_cl100k(const unsigned char *z, size_t n, size_t i){
  size_t len0, len, end;
  unsigned c0;
  if( (end = contraction(z, n, i, 1))>i ) return end;
  c0 = class_at(z, n, i, &len0);
  /* [^\r\n\p{L}\p{N}]?+\p{L}++ */
  if( c0 & C_L ) return run_with(z, n, i, C_L);
  if( !(c0 & (C_NL | C_L | C_N)) && i+len0<n
   && (class_at(z, n, i+len0, &len) & C_L) ){
    return run_with(z, n, i+len0, C_L);
  }
  if( c0 & C_N ) return digits3(z, n, i);                 /* \p{N}{1,3}+ */
  if( (end = symbols(z, n, i, 0))>i ) return end;   /* " ?[^\s\p{L}\p{N}]++[\r\n]*+" */
  return white_space(z, n, i, PAT_CL100K);
}

/* o200k's letter alternatives at s (after the optional prefix), or s:
**   [UP]*[LOW]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?     (alt == 1)
**   [UP]+[LOW]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?     (alt == 2)
** For alt 1 the regex backtracks [UP]* until [LOW]+ can start: at the end
** of the [UP] run if a LOW character follows it, else at the run's last
** character that is both UP and LOW (Lm, Lo, M), which then ends the match
** (the character after it is not LOW). */
static size_t o200k_letters(const unsigned char *z, size_t n, size_t s,
                            int alt){
  size_t k = s, len, both = (size_t)-1, end;
  unsigned c;
  while( k<n ){
    c = class_at(z, n, k, &len);
    if( !(c & C_UP) ) break;
    if( c & C_LOW ) both = k;
    k += len;
  }
  if( alt==1 ){
    if( k<n && (class_at(z, n, k, &len) & C_LOW) ){
      end = run_with(z, n, k, C_LOW);
    }else if( both!=(size_t)-1 ){
      class_at(z, n, both, &len);
      end = both + len;
    }else{
      return s;
    }
  }else{
    if( k==s ) return s;
    end = run_with(z, n, k, C_LOW);
  }
  return contraction(z, n, end, 1);
}

static size_t piece_o200k(const unsigned char *z, size_t n, size_t i){
  size_t len0, end;
  unsigned c0;
  int alt;
  c0 = class_at(z, n, i, &len0);
  for(alt=1; alt<=2; alt++){
    /* [^\r\n\p{L}\p{N}]? tried present, then absent */
    if( !(c0 & (C_NL | C_L | C_N)) && i+len0<n ){
      end = o200k_letters(z, n, i+len0, alt);
      if( end>i+len0 ) return end;
    }
    end = o200k_letters(z, n, i, alt);
    if( end>i ) return end;
  }
  if( c0 & C_N ) return digits3(z, n, i);                 /* \p{N}{1,3} */
  if( (end = symbols(z, n, i, 1))>i ) return end;    /* " ?[^\s\p{L}\p{N}]+[\r\n/]*" */
  return white_space(z, n, i, PAT_O200K);
}

/* ---- Merging ------------------------------------------------------------------- */

#define RANK_NONE 0xFFFFFFFFu
#define SHORT_PIECE 128
#if SHORT_PIECE>255 || SHORT_PIECE%4
# error "merge_short's offsets are bytes, and least_key() takes 4 at a time"
#endif

static uint32_t pair_rank(const bpe_table *t, const unsigned char *p,
                          size_t n){
  int64_t r = bpe_rank(t, p, n);
  return r<0 ? RANK_NONE : (uint32_t)r;
}

typedef struct bpe_emit {
  corpus_token_fn cb;
  void *ctx;
  size_t base;          /* offset of the piece in the text */
} bpe_emit;

/* tiktoken's own loop, the least rank found by a scan: quadratic, but the
** fastest for the short pieces of real text.  The parts are linked by byte
** offsets (next[], prev[]) rather than shifted down an array, and key[] is
** indexed by the offset of a part's first byte: the rank of its pair (the
** part and the one after it) shifted left 8 bits, plus that offset, or
** KEY_NONE for no pair.  So the least key is the least rank and, among equal
** ranks, the leftmost, as tiktoken picks, and the scan for it is a plain
** minimum, branch-free.  The rank of each part is kept in tok[] (a byte's,
** then the rank of the pair it was merged from), so the tokens need no
** lookup at the end. */
#define KEY_NONE 0x7FFFFFFF   /* keys are below 2^26: signed compares do */

static int32_t pair_key(const bpe_table *t, const unsigned char *p,
                        size_t a, size_t end){
  uint32_t r = pair_rank(t, p+a, end-a);
  return r==RANK_NONE ? KEY_NONE : (int32_t)(r<<8 | (uint32_t)a);
}

/* The least of key[0..n-1], n a multiple of 4. */
static int32_t least_key(const int32_t *key, size_t n){
#if defined(__SSE2__)
  __m128i m = _mm_set1_epi32(KEY_NONE), lt;
  size_t i;
  for(i=0; i<n; i+=4){
    __m128i v = _mm_loadu_si128((const __m128i*)(key+i));
    lt = _mm_cmplt_epi32(v, m);
    m = _mm_or_si128(_mm_and_si128(lt, v), _mm_andnot_si128(lt, m));
  }
  {
    int32_t x[4], best;
    _mm_storeu_si128((__m128i*)x, m);
    best = x[0]<x[1] ? x[0] : x[1];
    best = x[2]<best ? x[2] : best;
    return x[3]<best ? x[3] : best;
  }
#else
  int32_t best = KEY_NONE;
  size_t i;
  for(i=0; i<n; i++) best = key[i]<best ? key[i] : best;
  return best;
#endif
}

/* Merges p[0..n-1] (2 <= n <= SHORT_PIECE): part i starts at byte i and
** ends at next[i] for i = 0, next[0], ... < n; tok[i] is its rank. */
static void merge_short(const bpe_table *t, const unsigned char *p, size_t n,
                        uint32_t *tok, unsigned char *next){
  int32_t key[SHORT_PIECE];
  unsigned char prev[SHORT_PIECE];
  size_t i, nkey = (n+3) & ~(size_t)3;
  for(i=0; i<n; i++){
    uint32_t r = i+1<n ? t->pair[(unsigned)p[i]<<8 | p[i+1]] : RANK_NONE;
    key[i] = r==RANK_NONE ? KEY_NONE : (int32_t)(r<<8 | (uint32_t)i);
    tok[i] = t->byte_rank[p[i]];
    next[i] = (unsigned char)(i+1);
    prev[i] = (unsigned char)(i>0 ? i-1 : 0);
  }
  for(; i<nkey; i++) key[i] = KEY_NONE;
  for(;;){
    int32_t best = least_key(key, nkey);
    uint32_t a, b, c;
    if( best==KEY_NONE ) break;
    /* part a and the part b after it become one */
    a = best & 0xFF;
    b = next[a];
    c = next[b];
    tok[a] = (uint32_t)best>>8;
    key[b] = KEY_NONE;
    next[a] = (unsigned char)c;
    if( c<n ) prev[c] = (unsigned char)a;
    key[a] = c<n ? pair_key(t, p, a, next[c]) : KEY_NONE;
    if( a>0 ) key[prev[a]] = pair_key(t, p, prev[a], c);
  }
}

/* The same merges through an indexed heap of the parts whose pair (the part
** and the one after it) is a token, least (rank, offset) first, as the scan
** above picks.  A part is named by the offset of its first byte.  Parts are
** tokens, at most 255 bytes (the generator checks the tables' longest), so
** the links are one-byte lengths, and the state is 14 bytes per input byte
** (a piece of 100 MB of punctuation is one piece), in arrays of at most 4
** bytes a byte, each under SQLite's largest allocation: a longer piece than
** CORPUS_BPE_MAX_PIECE is SQLITE_TOOBIG.  Each part holds at most one
** heap entry, updated in place when its pair changes, so the heap never
** holds stale entries. */
#define HEAP_NONE 0xFFFFFFFFu

typedef struct long_merge {
  uint32_t *rank;       /* per part: rank of its pair, RANK_NONE if none */
  uint32_t *hpos;       /* per part: its index in heap[], HEAP_NONE if none */
  uint32_t *heap;       /* parts, a binary heap on (rank, offset) */
  unsigned char *len;   /* per part: its length; 0 inside a part */
  unsigned char *plen;  /* per part: the length of the part before it */
  uint32_t nheap;
} long_merge;

static int part_less(const long_merge *h, uint32_t a, uint32_t b){
  return h->rank[a]<h->rank[b] || (h->rank[a]==h->rank[b] && a<b);
}

static void heap_set(long_merge *h, uint32_t i, uint32_t part){
  h->heap[i] = part;
  h->hpos[part] = i;
}

static void heap_down(long_merge *h, uint32_t i){
  uint32_t part = h->heap[i];
  for(;;){
    uint32_t c = 2*i+1;
    if( c>=h->nheap ) break;
    if( c+1<h->nheap && part_less(h, h->heap[c+1], h->heap[c]) ) c++;
    if( !part_less(h, h->heap[c], part) ) break;
    heap_set(h, i, h->heap[c]);
    i = c;
  }
  heap_set(h, i, part);
}

/* Moves the entry at i, the only one out of order, to its place. */
static void heap_fix(long_merge *h, uint32_t i){
  uint32_t part = h->heap[i];
  if( i==0 || !part_less(h, part, h->heap[(i-1)/2]) ){
    heap_down(h, i);
    return;
  }
  do{
    heap_set(h, i, h->heap[(i-1)/2]);
    i = (i-1)/2;
  }while( i>0 && part_less(h, part, h->heap[(i-1)/2]) );
  heap_set(h, i, part);
}

static void heap_remove(long_merge *h, uint32_t part){
  uint32_t i = h->hpos[part], last = h->heap[--h->nheap];
  h->hpos[part] = HEAP_NONE;
  if( last!=part ){
    heap_set(h, i, last);
    heap_fix(h, i);
  }
}

/* Gives part a the pair rank r: enters, moves or leaves the heap. */
static void part_rank(long_merge *h, uint32_t a, uint32_t r){
  h->rank[a] = r;
  if( h->hpos[a]!=HEAP_NONE ){
    if( r==RANK_NONE ) heap_remove(h, a);
    else heap_fix(h, h->hpos[a]);
  }else if( r!=RANK_NONE ){
    heap_set(h, h->nheap++, a);
    heap_fix(h, h->hpos[a]);
  }
}

static int merge_long(const bpe_table *t, const unsigned char *p, size_t n,
                      const bpe_emit *e){
  long_merge h;
  size_t i;
  int rc = 0;
  if( n>CORPUS_BPE_MAX_PIECE ) return SQLITE_TOOBIG;
  h.rank = corpus_realloc(0, n*sizeof(uint32_t));
  h.hpos = corpus_realloc(0, n*sizeof(uint32_t));
  h.heap = corpus_realloc(0, n*sizeof(uint32_t));
  h.len = corpus_realloc(0, 2*n);
  if( h.rank==0 || h.hpos==0 || h.heap==0 || h.len==0 ){
    rc = SQLITE_NOMEM;
    goto done;
  }
  h.plen = h.len + n;
  h.nheap = 0;
  for(i=0; i<n; i++){
    h.rank[i] = i+1<n ? pair_rank(t, p+i, 2) : RANK_NONE;
    h.len[i] = 1;
    h.plen[i] = i>0;
    h.hpos[i] = HEAP_NONE;
    if( h.rank[i]!=RANK_NONE ) heap_set(&h, h.nheap++, (uint32_t)i);
  }
  for(i=h.nheap/2; i-->0; ) heap_down(&h, (uint32_t)i);
  while( h.nheap>0 ){
    uint32_t a = h.heap[0], b = a + h.len[a], c = b + h.len[b];
    unsigned m = h.len[a] + h.len[b];   /* a token: at most 255 bytes */
    /* merge b into a */
    if( h.hpos[b]!=HEAP_NONE ) heap_remove(&h, b);
    h.len[a] = (unsigned char)m;
    h.len[b] = 0;
    if( c<n ) h.plen[c] = (unsigned char)m;
    part_rank(&h, a, c<n ? pair_rank(t, p+a, m + h.len[c]) : RANK_NONE);
    if( a>0 ){
      uint32_t pa = a - h.plen[a];
      part_rank(&h, pa, pair_rank(t, p+pa, h.plen[a] + m));
    }
  }
  for(i=0; i<n && rc==0; i+=h.len[i]){
    int64_t r = bpe_rank(t, p+i, h.len[i]);
    rc = e->cb(e->ctx, e->base+i, e->base+i+h.len[i], r);
  }
done:
  corpus_free(h.rank);
  corpus_free(h.hpos);
  corpus_free(h.heap);
  corpus_free(h.len);
  return rc;
}

/* ---- The piece cache ---------------------------------------------------------- */

/* Text repeats its words, and a piece that is not a token costs a merge: a
** few dozen rank lookups, each a likely cache miss.  So each thread keeps
** the tokens of the short pieces it merged in a direct-mapped cache of
** fixed size (PIECE_CACHE entries of 64 bytes: 256 KB a thread), indexed
** by bits of the piece's hash that the slot table does not use.  An entry
** is checked against the whole piece and its table (named by its n, which
** differs between the four), so a hit gives exactly what the merge
** would.  Without thread-local storage there is no cache. */
#if defined(_MSC_VER)
# define BPE_THREAD_LOCAL __declspec(thread)
#elif defined(__GNUC__) || defined(__clang__)
# define BPE_THREAD_LOCAL __thread
#elif defined(__STDC_VERSION__) && __STDC_VERSION__>=201112L \
   && !defined(__STDC_NO_THREADS__)
# define BPE_THREAD_LOCAL _Thread_local
#endif

#define PIECE_CACHE_BITS 12
#define PIECE_CACHE (1<<PIECE_CACHE_BITS)
#define CACHED_BYTES 32     /* the longest piece cached */
#define CACHED_TOKENS 6     /* the most tokens of a piece cached */

/* A cached token: its rank, and its length above bit 18 (BPE_RANK_BITS). */
#define CACHED_TOKEN(rank, len) ((rank) | (uint32_t)(len)<<BPE_RANK_BITS)

typedef struct piece_entry {
  uint32_t table;                     /* the table's n; 0: empty */
  unsigned char n, ntok;              /* the piece's length, its tokens */
  unsigned char bytes[CACHED_BYTES];  /* the piece */
  uint32_t tok[CACHED_TOKENS];        /* its tokens, CACHED_TOKEN() */
} piece_entry;

#ifdef BPE_THREAD_LOCAL
static BPE_THREAD_LOCAL piece_entry piece_cache[PIECE_CACHE];

static piece_entry *cache_entry(uint64_t h){
  return &piece_cache[(h>>24) & (PIECE_CACHE-1)];
}
#else
static piece_entry *cache_entry(uint64_t h){ (void)h; return 0; }
#endif

/* Emits the tokens of a cache entry. */
static int emit_cached(const bpe_emit *e, const piece_entry *c){
  size_t at = e->base;
  unsigned k;
  int rc;
  for(k=0; k<c->ntok; k++){
    size_t len = c->tok[k]>>BPE_RANK_BITS;
    if( (rc = e->cb(e->ctx, at, at+len, c->tok[k] & BPE_RANK_MASK))!=0 ){
      return rc;
    }
    at += len;
  }
  return 0;
}

static int encode_piece(const bpe_table *t, const unsigned char *p, size_t n,
                        const bpe_emit *e){
  uint32_t tok[SHORT_PIECE];
  unsigned char next[SHORT_PIECE];
  piece_entry *c = 0;
  size_t i;
  int rc;
  if( n==0 ) return 0;
  if( n<=2 ){
    int64_t r = bpe_rank(t, p, n);
    if( r>=0 ) return e->cb(e->ctx, e->base, e->base+n, r);
    tok[0] = t->byte_rank[p[0]];
    tok[1] = t->byte_rank[p[1]];
    next[0] = 1;
    next[1] = 2;
  }else{
    uint64_t h = bpe_hash(p, n);
    int64_t r = bpe_rank_hashed(t, p, n, h);
    if( r>=0 ) return e->cb(e->ctx, e->base, e->base+n, r);
    if( n>SHORT_PIECE ) return merge_long(t, p, n, e);
    if( n<=CACHED_BYTES && (c = cache_entry(h))!=0 ){
      if( c->table==t->n && c->n==n && memcmp(c->bytes, p, n)==0 ){
        piece_entry hit = *c;     /* a callback may encode again */
        return emit_cached(e, &hit);
      }
    }
    merge_short(t, p, n, tok, next);
  }
  if( c ){
    unsigned k = 0;
    c->table = 0;      /* until it holds this piece */
    for(i=0; i<n && k<CACHED_TOKENS; i=next[i], k++){
      c->tok[k] = CACHED_TOKEN(tok[i], next[i]-i);
    }
    if( i==n ){
      c->table = t->n;
      c->n = (unsigned char)n;
      c->ntok = (unsigned char)k;
      memcpy(c->bytes, p, n);
    }
  }
  for(i=0; i<n; i=next[i]){
    if( (rc = e->cb(e->ctx, e->base+i, e->base+next[i], tok[i]))!=0 ){
      return rc;
    }
  }
  return 0;
}

/* Encodes z[from..to) as ordinary text (no special tokens). */
static int encode_ordinary(const bpe_encoding *enc, const unsigned char *z,
                           size_t from, size_t to, corpus_token_fn cb,
                           void *ctx){
  const unsigned char *seg = z + from;
  size_t n = to - from, i = 0;
  bpe_emit e;
  int rc;
  e.cb = cb;
  e.ctx = ctx;
  while( i<n ){
    size_t end;
    switch( enc->pattern ){
      case PAT_R50K:   end = piece_r50k(seg, n, i); break;
      case PAT_CL100K: end = piece_cl100k(seg, n, i); break;
      default:         end = piece_o200k(seg, n, i); break;
    }
    e.base = from + i;
    if( (rc = encode_piece(enc->table, seg+i, end-i, &e))!=0 ) return rc;
    i = end;
  }
  return 0;
}

/* The first allowed special token at or after i, or -1. */
static int find_special(const bpe_encoding *enc, unsigned allowed,
                        const unsigned char *z, size_t n, size_t *at){
  size_t i;
  for(i=*at; i+1<n; i++){
    int k;
    if( z[i]!='<' || z[i+1]!='|' ) continue;
    for(k=0; k<enc->nspecial; k++){
      size_t len = strlen(enc->specials[k].text);
      if( (allowed & (1u<<k)) && len<=n-i
       && memcmp(z+i, enc->specials[k].text, len)==0 ){
        *at = i;
        return k;
      }
    }
  }
  return -1;
}

/* Encodes z[0..n-1], valid UTF-8, with the allowed special tokens. */
static int encode_text(const bpe_encoding *enc, const unsigned char *z,
                       size_t n, unsigned specials, corpus_token_fn cb,
                       void *ctx){
  size_t i = 0;
  int rc;
  while( specials ){
    size_t at = i;
    int k = find_special(enc, specials, z, n, &at);
    if( k<0 ) break;
    if( (rc = encode_ordinary(enc, z, i, at, cb, ctx))!=0 ) return rc;
    i = at + strlen(enc->specials[k].text);
    if( (rc = cb(ctx, at, i, enc->specials[k].id))!=0 ) return rc;
  }
  return encode_ordinary(enc, z, i, n, cb, ctx);
}

/* ---- Invalid UTF-8: the text tiktoken would be given ---------------------------- */

/* The surrogate U+D800..U+DFFF that z[0..n-1] starts with in its 3-byte
** form ED A0..BF 80..BF (what SQLite's JSON functions make of an escaped
** lone surrogate, and CESU-8 of each half of a pair), or -1. */
static int32_t encoded_surrogate(const unsigned char *z, size_t n){
  if( n<3 || z[0]!=0xED || z[1]<0xA0 || z[1]>0xBF || (z[2]&0xC0)!=0x80 ){
    return -1;
  }
  return 0xD000 | (int32_t)(z[1]&0x3F)<<6 | (int32_t)(z[2]&0x3F);
}

/* The character at z[0..n-1] (n>0) as tiktoken gets it, written as UTF-8
** into out[0..3]; returns that length and stores the input length in
** *len.  A Python str holding surrogates reaches tiktoken's Rust core only
** after tiktoken's fix-up (core.py: encode("utf-16", "surrogatepass")
** .decode("utf-16", "replace")), which joins a high surrogate followed by
** a low one into the character they encode and makes any other surrogate
** one U+FFFD; so do the 3-byte forms here.  Any other invalid subpart
** becomes one U+FFFD (corpus_utf8_decode), as Python's
** bytes.decode("utf-8", "replace") gives it. */
static int tiktoken_char(const unsigned char *z, size_t n, size_t *len,
                         unsigned char *out){
  int32_t hi = encoded_surrogate(z, n), lo, cp;
  if( hi<0 ){
    cp = corpus_utf8_decode(z, n, len);
  }else if( hi<0xDC00 && (lo = encoded_surrogate(z+3, n-3))>=0xDC00 ){
    cp = 0x10000 + ((hi-0xD800)<<10) + (lo-0xDC00);
    *len = 6;
  }else{
    cp = 0xFFFD;
    *len = 3;
  }
  return corpus_utf8_encode(cp, out);
}

/* Builds the text tiktoken encodes for z[0..n-1] into b. */
static int tiktoken_text(const unsigned char *z, size_t n, corpus_buf *b){
  size_t i = 0;
  while( i<n ){
    unsigned char out[4];
    size_t len;
    int nout;
    if( z[i]<0x80 ){
      size_t j = i+1;
      while( j<n && z[j]<0x80 ) j++;
      if( corpus_buf_append(b, (const char*)z+i, j-i) ) return SQLITE_NOMEM;
      i = j;
      continue;
    }
    nout = tiktoken_char(z+i, n-i, &len, out);
    if( corpus_buf_append(b, (const char*)out, (size_t)nout) ) return SQLITE_NOMEM;
    i += len;
  }
  return SQLITE_OK;
}

/* Maps the offsets of the tokens of the fixed text back to the input, by
** walking both in step (the callbacks come in increasing order, so the
** walk is linear).  An offset inside a replaced character maps to its end
** in the input: the token that holds the replacement's first byte spans
** the replaced bytes, the tokens after it inside it are empty, and the
** spans still tile the input. */
typedef struct bpe_fixup {
  const unsigned char *z;     /* the input */
  size_t n;
  size_t in, fixed;           /* a character boundary, in both texts */
  corpus_token_fn cb;
  void *ctx;
} bpe_fixup;

static size_t fixup_offset(bpe_fixup *f, size_t x){
  while( f->fixed<x ){
    unsigned char out[4];
    size_t len;
    int nout;
    if( f->z[f->in]<0x80 ){ f->in++; f->fixed++; continue; }
    nout = tiktoken_char(f->z+f->in, f->n-f->in, &len, out);
    if( f->fixed+(size_t)nout>x ){
      if( (size_t)nout==len && memcmp(out, f->z+f->in, len)==0 ){
        return f->in + (x-f->fixed);       /* inside a valid character */
      }
      return f->in + len;
    }
    f->in += len;
    f->fixed += (size_t)nout;
  }
  return f->in;
}

static int fixup_token(void *ctx, size_t start, size_t end, int64_t id){
  bpe_fixup *f = (bpe_fixup*)ctx;
  size_t s = fixup_offset(f, start);
  return f->cb(f->ctx, s, fixup_offset(f, end), id);
}

static int bpe_tokenize(const corpus_tokenizer *tok, const char *text,
                        size_t n, unsigned specials, corpus_token_fn cb,
                        void *ctx){
  const bpe_encoding *enc = (const bpe_encoding*)tok->data;
  corpus_buf b;
  bpe_fixup f;
  int rc;
  if( corpus_utf8_valid(text, n) ){
    return encode_text(enc, (const unsigned char*)text, n, specials, cb, ctx);
  }
  memset(&b, 0, sizeof(b));
  rc = tiktoken_text((const unsigned char*)text, n, &b);
  if( rc==SQLITE_OK ){
    f.z = (const unsigned char*)text;
    f.n = n;
    f.in = f.fixed = 0;
    f.cb = cb;
    f.ctx = ctx;
    rc = encode_text(enc, (const unsigned char*)b.z, b.n, specials,
                     fixup_token, &f);
  }
  corpus_free(b.z);
  return rc;
}

const corpus_tokenizer corpus_tokenizer_r50k = {"r50k_base", bpe_tokenize,
                                                &enc_r50k};
const corpus_tokenizer corpus_tokenizer_gpt2 = {"gpt2", bpe_tokenize,
                                                &enc_r50k};
const corpus_tokenizer corpus_tokenizer_p50k = {"p50k_base", bpe_tokenize,
                                                &enc_p50k};
const corpus_tokenizer corpus_tokenizer_cl100k = {"cl100k_base", bpe_tokenize,
                                                  &enc_cl100k};
const corpus_tokenizer corpus_tokenizer_o200k = {"o200k_base", bpe_tokenize,
                                                 &enc_o200k};

/* ---- Specials option ----------------------------------------------------------- */

int corpus_bpe_specials(const corpus_tokenizer *tok, const char *value,
                        unsigned *out, char *err){
  const bpe_encoding *enc = (const bpe_encoding*)tok->data;
  const char *p = value;
  *out = 0;
  if( strcmp(value, "none")==0 ) return 0;
  if( strcmp(value, "all")==0 ){
    *out = (1u<<enc->nspecial) - 1;
    return 0;
  }
  while( *p ){
    const char *e = strchr(p, ',');
    size_t len = e ? (size_t)(e-p) : strlen(p);
    int k;
    for(k=0; k<enc->nspecial; k++){
      if( strlen(enc->specials[k].text)==len
       && memcmp(enc->specials[k].text, p, len)==0 ) break;
    }
    if( k==enc->nspecial ){
      snprintf(err, CORPUS_ERRMAX, "specials must be none, all or a comma-"
               "separated list of %s's special tokens, got '%.*s'",
               enc->name, (int)(len>40 ? 40 : len), p);
      return -1;
    }
    *out |= 1u<<k;
    p = e ? e+1 : p+len;
  }
  return 0;
}

/* The bytes of token id, or NULL for an id that is not in the encoding. */
const unsigned char *corpus_bpe_token_bytes(const corpus_tokenizer *tok,
                                            int64_t id, size_t *len){
  const bpe_encoding *enc = (const bpe_encoding*)tok->data;
  const bpe_table *t = enc->table;
  int k;
  if( id>=0 && id<(int64_t)t->n && t->offset[id+1]>t->offset[id] ){
    *len = t->offset[id+1] - t->offset[id];
    return t->bytes + t->offset[id];
  }
  for(k=0; k<enc->nspecial; k++){
    if( enc->specials[k].id==id ){
      *len = strlen(enc->specials[k].text);
      return (const unsigned char*)enc->specials[k].text;
    }
  }
  return 0;
}
