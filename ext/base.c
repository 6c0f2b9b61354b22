/*
** The base layer: what every other file stands on, with no SQLite in it.
**
**   the allocator      corpus_realloc()/corpus_free(): the C library's until
**                      sqlite3_corpus_init() hands over SQLite's
**   UTF-8              decoding (Unicode 15, section 3.9: a maximal invalid
**                      subpart is one U+FFFD), encoding, validation
**   growable buffers   corpus_buf: bytes, repaired UTF-8, JSON strings
**   character classes  each named after the definition it implements:
**                      Python's str.isspace(), Unicode's
**                      Default_Ignorable_Code_Point (Unicode's White_Space
**                      is inline in corpus_int.h)
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "corpus_int.h"

/* ---- The allocator --------------------------------------------------------- */

/*
** Until sqlite3_corpus_init() runs, memory comes from the C library, so the
** core works in a program without SQLite.  The first init hands over
** SQLite's allocator (its counters and heap limit then see every byte), but
** only while nothing is allocated: a buffer from malloc() must never reach
** sqlite3_free().  A program that used the core before loading the
** extension keeps malloc() for good; that is correct, only unmeasured.
** state: 0 nothing allocated yet, 1 malloc() kept, 2 handed over.
*/
static int alloc_state;
static void *(*alloc_realloc)(void*, size_t);
static void (*alloc_free)(void*);

int corpus_use_allocator(void *(*xRealloc)(void*, size_t),
                         void (*xFree)(void*)){
  int expect = 0;
  if( __atomic_load_n(&alloc_state, __ATOMIC_ACQUIRE)==2 ) return 0;
  /* the pointers are written before the state says they may be read; two
  ** connections opening at once write the same values */
  alloc_realloc = xRealloc;
  alloc_free = xFree;
  if( __atomic_compare_exchange_n(&alloc_state, &expect, 2, 0,
                                  __ATOMIC_RELEASE, __ATOMIC_ACQUIRE) ){
    return 0;
  }
  return expect==2 ? 0 : 1;
}

static int alloc_handed_over(void){
  int s = __atomic_load_n(&alloc_state, __ATOMIC_ACQUIRE);
  if( s==0 ){
    int expect = 0;
    if( __atomic_compare_exchange_n(&alloc_state, &expect, 1, 0,
                                    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) ){
      return 0;
    }
    s = expect;
  }
  return s==2;
}

void *corpus_realloc(void *p, size_t n){
  if( alloc_handed_over() ){
    if( n==0 ){
      alloc_free(p);
      return 0;
    }
    return alloc_realloc(p, n);
  }
  if( n==0 ){
    free(p);
    return 0;
  }
  return realloc(p, n);
}

void corpus_free(void *p){
  if( p==0 ) return;
  if( alloc_handed_over() ) alloc_free(p);
  else free(p);
}

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
size_t corpus_ascii_prefix(const char *z, size_t n){
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

/* Inline, without corpus_utf8_decode(): the file readers check every line
** they read.  The bounds are those of corpus_utf8_decode() (Unicode's
** table 3-7). */
int corpus_utf8_valid(const char *z, size_t n){
  const unsigned char *u = (const unsigned char*)z;
  size_t i = 0;
  while( i<n ){
    unsigned c = u[i], lo = 0x80, hi = 0xBF;
    if( c<0x80 ){
      i += corpus_ascii_prefix(z+i, n-i);
      continue;
    }
    if( c<0xC2 || c>0xF4 ) return 0;
    if( c<0xE0 ){
      if( i+1>=n || (u[i+1] & 0xC0)!=0x80 ) return 0;
      i += 2;
      continue;
    }
    if( c==0xE0 ) lo = 0xA0;                      /* overlong */
    if( c==0xED ) hi = 0x9F;                      /* surrogates */
    if( c==0xF0 ) lo = 0x90;                      /* overlong */
    if( c==0xF4 ) hi = 0x8F;                      /* above U+10FFFF */
    if( i+2>=n || u[i+1]<lo || u[i+1]>hi || (u[i+2] & 0xC0)!=0x80 ) return 0;
    if( c<0xF0 ){
      i += 3;
      continue;
    }
    if( i+3>=n || (u[i+3] & 0xC0)!=0x80 ) return 0;
    i += 4;
  }
  return 1;
}

/* ---- Growable buffers ---------------------------------------------------- */

int corpus_buf_reserve(corpus_buf *b, size_t extra){
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
  if( corpus_buf_reserve(b, n) ) return -1;
  memcpy(b->z+b->n, z, n);
  b->n += n;
  b->z[b->n] = 0;
  return 0;
}

void corpus_double_text(double v, char *out){
  int prec;
  for(prec=15; prec<17; prec++){
    snprintf(out, 32, "%.*g", prec, v);
    if( strtod(out, 0)==v ) return;
  }
  snprintf(out, 32, "%.17g", v);
}

int corpus_buf_set_option(corpus_buf *b, const char *z){
  b->n = 0;
  return corpus_buf_append_utf8(b, z, strlen(z)) ? CORPUS_NOMEM : 0;
}

int corpus_buf_append_utf8(corpus_buf *b, const char *z, size_t n){
  size_t i = 0;
  if( corpus_buf_reserve(b, n) ) return -1;
  while( i<n ){
    size_t run = corpus_ascii_prefix(z+i, n-i), len;
    int32_t cp;
    memcpy(b->z+b->n, z+i, run);
    b->n += run;
    i += run;
    if( i>=n ) break;
    cp = corpus_utf8_decode((const unsigned char*)z+i, n-i, &len);
    if( cp==0xFFFD ){
      /* an invalid subpart may be shorter than its replacement */
      if( corpus_buf_reserve(b, 3 + (n-i)) ) return -1;
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

void corpus_err_utf8(char *err){
  char tmp[CORPUS_ERRMAX];
  size_t n = strlen(err), i = 0, o = 0;
  if( corpus_utf8_valid(err, n) ) return;
  while( i<n ){
    size_t len;
    int32_t cp = corpus_utf8_decode((const unsigned char*)err+i, n-i, &len);
    size_t w = cp==0xFFFD ? 3 : len;
    if( o+w>=CORPUS_ERRMAX ) break;       /* whole characters only */
    if( cp==0xFFFD ) memcpy(tmp+o, "\xEF\xBF\xBD", 3);
    else memcpy(tmp+o, err+i, len);
    o += w;
    i += len;
  }
  memcpy(err, tmp, o);
  err[o] = 0;
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

/* ---- Character classes ----------------------------------------------------- */

/* Python's str.isspace(): Unicode White_Space plus U+001C..U+001F, the
** characters datatrove's strip() and split() remove. */
int corpus_py_isspace(int32_t c){
  return (c>=0x1C && c<=0x1F) || corpus_white_space(c);
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
