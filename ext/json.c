/*
** A small strict JSON reader (RFC 8259) for the functions that take JSON
** arguments (prompt()).  It checks a text once, then navigates it in place:
** no tree is built and nothing is allocated except when a string is
** unescaped into a buffer, or when a caller that looks into one container
** many times asks for its index (corpus_json_index), which a lookup then
** needs no scan through.  SQLite's own JSON functions cannot serve here
** without running SQL from inside a function (which would make the
** function DIRECTONLY), and the JSON libraries Debian packages (jansson,
** cJSON) allocate with malloc through process-wide hooks.
*/
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "corpus_int.h"

#define JSON_MAX_DEPTH 1000

/* RFC 8259 white space: space, tab, line feed, carriage return. */
static int json_ws(char c){
  return c==' ' || c=='\t' || c=='\n' || c=='\r';
}

static size_t skip_ws(const char *z, size_t n, size_t i){
  while( i<n && json_ws(z[i]) ) i++;
  return i;
}

static int hexval(char c){
  if( c>='0' && c<='9' ) return c-'0';
  if( c>='a' && c<='f' ) return c-'a'+10;
  if( c>='A' && c<='F' ) return c-'A'+10;
  return -1;
}

/* Where a text stops being JSON, and why (for messages such as
** "expected ',' or '}'"); utf8: strings are checked as UTF-8 too, and
** bad_utf8 says that the fault is an invalid sequence in one. */
typedef struct jerr { size_t pos; const char *why; int utf8, bad_utf8; } jerr;

static long long fail(jerr *err, size_t pos, const char *why){
  err->pos = pos;
  err->why = why;
  return -1;
}

/* What plain_run() stops at: '"' and '\\' always, control bytes, bytes
** of non-ASCII characters. */
#define RUN_CTL  1
#define RUN_HIGH 2

/* The index of the first byte at or after z[i] that is '"', '\\' or of
** the kinds `stop` names; or, when there is none, of the start of the last
** few bytes (fewer than a block), which the caller steps through.  Blocks
** of 16 bytes with SSE2 (every x86-64 has it), else of eight in a 64-bit
** word, with the has-a-zero-byte test (b ^ c below 1, or b below 0x20):
** that test may flag a byte above a match, never one below, so the lowest
** flagged byte is the first match.  CORPUS_NO_SIMD builds the portable
** path, as `make asan` does, so that the suite runs both. */
#if defined(__SSE2__) && !defined(CORPUS_NO_SIMD)
#include <emmintrin.h>
static inline __attribute__((always_inline))
size_t plain_run(const char *z, size_t n, size_t i, int stop){
  const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
  const __m128i c1f = _mm_set1_epi8(0x1f);
  while( i+16<=n ){
    __m128i w = _mm_loadu_si128((const __m128i*)(const void*)(z+i));
    __m128i m = _mm_or_si128(_mm_cmpeq_epi8(w, quote),
                             _mm_cmpeq_epi8(w, bslash));
    int mask;
    if( stop & RUN_CTL ){                         /* w <= 0x1f, unsigned */
      m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(w, c1f), w));
    }
    mask = _mm_movemask_epi8(m);
    if( stop & RUN_HIGH ) mask |= _mm_movemask_epi8(w);
    if( mask ) return i + (size_t)__builtin_ctz((unsigned)mask);
    i += 16;
  }
  return i;
}
#else
static size_t plain_run(const char *z, size_t n, size_t i, int stop){
  while( i+8<=n ){
    uint64_t w, q, bs, lo = 0, hit;
    memcpy(&w, z+i, 8);
    q = w ^ 0x2222222222222222ULL;                   /* '"' bytes to 0 */
    bs = w ^ 0x5C5C5C5C5C5C5C5CULL;                  /* '\\' bytes to 0 */
    q = (q - 0x0101010101010101ULL) & ~q;
    bs = (bs - 0x0101010101010101ULL) & ~bs;
    if( stop & RUN_CTL ) lo = (w - 0x2020202020202020ULL) & ~w;  /* < 0x20 */
    hit = (q | bs | lo) & 0x8080808080808080ULL;
    if( stop & RUN_HIGH ) hit |= w & 0x8080808080808080ULL;
    if( hit ){
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__==__ORDER_LITTLE_ENDIAN__
      return i + (size_t)(__builtin_ctzll(hit) >> 3);
#else
      return i;
#endif
    }
    i += 8;
  }
  return i;
}
#endif

/* The length of the valid UTF-8 sequence at z[i] (a byte >= 0x80), or 0
** (the bounds of corpus_utf8_decode(), Unicode's table 3-7). */
static inline size_t utf8_seq(const unsigned char *u, size_t n, size_t i){
  unsigned c = u[i], lo = 0x80, hi = 0xBF;
  if( c<0xC2 || c>0xF4 ) return 0;
  if( c<0xE0 ) return i+1<n && (u[i+1] & 0xC0)==0x80 ? 2 : 0;
  if( c==0xE0 ) lo = 0xA0;
  if( c==0xED ) hi = 0x9F;
  if( c==0xF0 ) lo = 0x90;
  if( c==0xF4 ) hi = 0x8F;
  if( i+2>=n || u[i+1]<lo || u[i+1]>hi || (u[i+2] & 0xC0)!=0x80 ) return 0;
  if( c<0xF0 ) return 3;
  return i+3<n && (u[i+3] & 0xC0)==0x80 ? 4 : 0;
}

/* Checks the string that starts at z[i] == '"'; returns the index after
** it, or -1 with err set.  The texts of a corpus are long strings: plain
** bytes are skipped a block at a time. */
static inline __attribute__((always_inline)) long long check_string_x(
    const char *z, size_t n, size_t i, jerr *err, const int utf8){
  const int stop = RUN_CTL | (utf8 ? RUN_HIGH : 0);
  i++;
  while( i<n ){
    unsigned char c;
    i = plain_run(z, n, i, stop);
    if( i>=n ) break;
    c = (unsigned char)z[i];
    if( c=='"' ) return (long long)i+1;
    if( c<0x20 ) return fail(err, i, "control character in a string");
    if( c>=0x80 ){
      if( !utf8 ){ i++; continue; }
      /* text that is not ASCII (Cyrillic, CJK) checked in a loop of its
      ** own, which also steps over the plain ASCII bytes between its words
      ** (spaces, digits, punctuation): leaving it at each of them for the
      ** block scan cost more than the scan saved */
      {
        const unsigned char *u = (const unsigned char*)z;
        int ascii = 0;                  /* plain ASCII bytes in a row */
        while( i<n && ascii<8 ){
          unsigned b = u[i];
          if( b>=0x80 ){
            size_t k = utf8_seq(u, n, i);
            if( k==0 ){
              err->bad_utf8 = 1;
              return fail(err, i, "invalid UTF-8");
            }
            i += k;
            ascii = 0;
          }else if( b>=0x20 && b!='"' && b!='\\' ){
            i++;
            ascii++;
          }else{
            break;
          }
        }
      }
      continue;
    }
    if( c=='\\' ){
      if( i+1>=n ) break;
      c = (unsigned char)z[i+1];
      if( c=='u' ){
        int k;
        for(k=2; k<6; k++){
          if( i+k>=n || hexval(z[i+k])<0 ){
            return fail(err, i, "invalid \\u escape");
          }
        }
        i += 6;
        continue;
      }
      switch( c ){
        case '"': case '\\': case '/': case 'b': case 'f': case 'n':
        case 'r': case 't':
          break;
        default:
          return fail(err, i, "invalid escape");
      }
      i += 2;
      continue;
    }
    i++;
  }
  return fail(err, n, "unterminated string");
}

/* Two copies of the scan, each with its stop set fixed at compile time. */
static long long check_string(const char *z, size_t n, size_t i, jerr *err){
  return err->utf8 ? check_string_x(z, n, i, err, 1)
                   : check_string_x(z, n, i, err, 0);
}

static long long check_number(const char *z, size_t n, size_t i, jerr *err){
  size_t s = i;
  if( i<n && z[i]=='-' ) i++;
  if( i<n && z[i]=='0' ){
    i++;
  }else if( i<n && z[i]>='1' && z[i]<='9' ){
    while( i<n && z[i]>='0' && z[i]<='9' ) i++;
  }else{
    return fail(err, s, "expected a value");
  }
  if( i<n && z[i]=='.' ){
    i++;
    if( i>=n || z[i]<'0' || z[i]>'9' ){
      return fail(err, i, "expected a digit");
    }
    while( i<n && z[i]>='0' && z[i]<='9' ) i++;
  }
  if( i<n && (z[i]=='e' || z[i]=='E') ){
    i++;
    if( i<n && (z[i]=='+' || z[i]=='-') ) i++;
    if( i>=n || z[i]<'0' || z[i]>'9' ){
      return fail(err, i, "expected a digit");
    }
    while( i<n && z[i]>='0' && z[i]<='9' ) i++;
  }
  return (long long)i;
}

/* Checks the value at z[i] (white space skipped); returns the index after
** it, or -1. */
static long long check_value(const char *z, size_t n, size_t i, int depth,
                             jerr *err){
  i = skip_ws(z, n, i);
  if( i>=n ) return fail(err, n, "expected a value");
  switch( z[i] ){
    case '"': return check_string(z, n, i, err);
    case '{': case '[': {
      char close = z[i]=='{' ? '}' : ']';
      int object = z[i]=='{';
      long long r;
      if( depth>=JSON_MAX_DEPTH ){
        return fail(err, i, "nested deeper than 1000 levels");
      }
      i = skip_ws(z, n, i+1);
      if( i<n && z[i]==close ) return (long long)i+1;
      for(;;){
        if( object ){
          i = skip_ws(z, n, i);
          if( i>=n || z[i]!='"' ){
            return fail(err, i, "expected a string (a member's name)");
          }
          if( (r = check_string(z, n, i, err))<0 ) return -1;
          i = skip_ws(z, n, (size_t)r);
          if( i>=n || z[i]!=':' ) return fail(err, i, "expected ':'");
          i++;
        }
        if( (r = check_value(z, n, i, depth+1, err))<0 ) return -1;
        i = skip_ws(z, n, (size_t)r);
        if( i<n && z[i]==',' ){ i++; continue; }
        if( i<n && z[i]==close ) return (long long)i+1;
        return fail(err, i, object ? "expected ',' or '}'"
                                   : "expected ',' or ']'");
      }
    }
    case 't':
      if( n-i>=4 && memcmp(z+i, "true", 4)==0 ) return (long long)i+4;
      break;
    case 'f':
      if( n-i>=5 && memcmp(z+i, "false", 5)==0 ) return (long long)i+5;
      break;
    case 'n':
      if( n-i>=4 && memcmp(z+i, "null", 4)==0 ) return (long long)i+4;
      break;
    default:
      return check_number(z, n, i, err);
  }
  return fail(err, i, "expected a value");
}

static int check_text(const char *z, size_t n, size_t *errpos,
                      const char **why, int utf8){
  jerr err = {0, 0, utf8, 0};
  long long r = check_value(z, n, 0, 0, &err);
  size_t e;
  if( r>=0 ){
    e = skip_ws(z, n, (size_t)r);
    if( e>=n ) return 0;
    fail(&err, e, "text after the value");
  }
  *errpos = err.pos;
  if( why ) *why = err.why;
  return err.bad_utf8 ? 1 : -1;
}

int corpus_json_check_why(const char *z, size_t n, size_t *errpos,
                          const char **why){
  return check_text(z, n, errpos, why, 0);
}

int corpus_json_check_utf8(const char *z, size_t n, size_t *errpos,
                           const char **why){
  return check_text(z, n, errpos, why, 1);
}

int corpus_json_check(const char *z, size_t n, size_t *errpos){
  return corpus_json_check_why(z, n, errpos, 0);
}

int corpus_json_type(corpus_json v){
  if( v.n==0 ) return CORPUS_JSON_NULL;
  switch( v.z[0] ){
    case '{': return CORPUS_JSON_OBJECT;
    case '[': return CORPUS_JSON_ARRAY;
    case '"': return CORPUS_JSON_STRING;
    case 't': return CORPUS_JSON_TRUE;
    case 'f': return CORPUS_JSON_FALSE;
    case 'n': return CORPUS_JSON_NULL;
  }
  return CORPUS_JSON_NUMBER;
}

/* The end of the checked value that starts at z[i] (no white space). */
static size_t value_end(const char *z, size_t n, size_t i){
  int depth = 0;
  if( z[i]!='{' && z[i]!='[' && z[i]!='"' ){
    while( i<n && !json_ws(z[i]) && z[i]!=',' && z[i]!=']' && z[i]!='}' ) i++;
    return i;
  }
  while( i<n ){
    char c = z[i];
    if( c=='"' ){
      i++;
      for(;;){                   /* a checked string: it ends in n */
        i = plain_run(z, n, i, 0);
        if( z[i]=='"' ) break;
        i += z[i]=='\\' ? 2 : 1;
      }
      i++;
      if( depth==0 ) return i;
      continue;
    }
    if( c=='{' || c=='[' ) depth++;
    if( c=='}' || c==']' ){
      if( --depth==0 ) return i+1;
    }
    i++;
  }
  return n;
}

corpus_json corpus_json_root(const char *z, size_t n){
  corpus_json v;
  size_t i = skip_ws(z, n, 0), e = n;
  while( e>i && json_ws(z[e-1]) ) e--;
  v.z = z+i;
  v.n = e-i;
  return v;
}

void corpus_json_iter_init(corpus_json container, corpus_json_iter *it){
  it->p = container.z+1;
  it->end = container.z+container.n-1;   /* the closing bracket */
  it->object = container.z[0]=='{';
}

int corpus_json_iter_next(corpus_json_iter *it, corpus_json *key,
                          corpus_json *value){
  size_t n = (size_t)(it->end - it->p), i = skip_ws(it->p, n, 0), e;
  if( i<n && it->p[i]==',' ) i = skip_ws(it->p, n, i+1);
  if( i>=n ) return 0;
  if( it->object ){
    e = value_end(it->p, n, i);
    if( key ){ key->z = it->p+i; key->n = e-i; }
    i = skip_ws(it->p, n, e);
    i = skip_ws(it->p, n, i+1);            /* past ':' */
  }
  e = value_end(it->p, n, i);
  value->z = it->p+i;
  value->n = e-i;
  it->p += e;
  return 1;
}

/* Whether the JSON string s (quotes included) is the text k[0..kn-1]. */
static int string_is(corpus_json s, const char *k, size_t kn){
  corpus_buf b = {0, 0, 0};
  int eq;
  if( !memchr(s.z, '\\', s.n) ){
    return s.n-2==kn && memcmp(s.z+1, k, kn)==0;
  }
  if( corpus_json_append_text(s, &b) ) return -1;
  eq = b.n==kn && memcmp(b.z, k, kn)==0;
  corpus_free(b.z);
  return eq;
}

int corpus_json_member(corpus_json obj, const char *k, size_t kn,
                       corpus_json *out){
  corpus_json_iter it;
  corpus_json key, value;
  int found = 0;
  if( corpus_json_type(obj)!=CORPUS_JSON_OBJECT ) return 0;
  corpus_json_iter_init(obj, &it);
  /* the last of duplicate keys wins, as in SQLite's json_extract() */
  while( corpus_json_iter_next(&it, &key, &value) ){
    int eq = string_is(key, k, kn);
    if( eq<0 ) return -1;
    if( eq ){ *out = value; found = 1; }
  }
  return found;
}

int corpus_json_element(corpus_json arr, size_t idx, corpus_json *out){
  corpus_json_iter it;
  corpus_json value;
  size_t k = 0;
  if( corpus_json_type(arr)!=CORPUS_JSON_ARRAY ) return 0;
  corpus_json_iter_init(arr, &it);
  while( corpus_json_iter_next(&it, 0, &value) ){
    if( k++==idx ){ *out = value; return 1; }
  }
  return 0;
}

/* valid: the text is known to be valid UTF-8, and is copied unchecked. */
static int append_text(corpus_json v, corpus_buf *b, int valid){
  int (*app)(corpus_buf*, const char*, size_t) =
      valid ? corpus_buf_append : corpus_buf_append_utf8;
  size_t i, start;
  if( corpus_json_type(v)!=CORPUS_JSON_STRING ){
    return app(b, v.z, v.n);
  }
  i = start = 1;
  while( i<v.n-1 ){
    unsigned char out[4];
    uint32_t cp;
    int len;
    if( v.z[i]!='\\' ){
      const char *bs = memchr(v.z+i, '\\', v.n-1-i);
      if( bs==0 ) break;
      i = (size_t)(bs - v.z);
    }
    if( app(b, v.z+start, i-start) ) return -1;
    switch( v.z[i+1] ){
      case 'b': out[0] = '\b'; len = 1; break;
      case 'f': out[0] = '\f'; len = 1; break;
      case 'n': out[0] = '\n'; len = 1; break;
      case 'r': out[0] = '\r'; len = 1; break;
      case 't': out[0] = '\t'; len = 1; break;
      case 'u':
        cp = (uint32_t)(hexval(v.z[i+2])<<12 | hexval(v.z[i+3])<<8
                        | hexval(v.z[i+4])<<4 | hexval(v.z[i+5]));
        i += 4;
        /* a surrogate pair makes one code point; a lone one is U+FFFD */
        if( cp>=0xD800 && cp<=0xDBFF && i+7<v.n && v.z[i+2]=='\\'
         && v.z[i+3]=='u' ){
          uint32_t lo = (uint32_t)(hexval(v.z[i+4])<<12 | hexval(v.z[i+5])<<8
                                   | hexval(v.z[i+6])<<4 | hexval(v.z[i+7]));
          if( lo>=0xDC00 && lo<=0xDFFF ){
            cp = 0x10000 + ((cp-0xD800)<<10) + (lo-0xDC00);
            i += 6;
          }
        }
        /* a lone surrogate, and NUL (SQLite text would end there), read
        ** as U+FFFD */
        if( (cp>=0xD800 && cp<=0xDFFF) || cp==0 ) cp = 0xFFFD;
        len = corpus_utf8_encode((int32_t)cp, out);
        break;
      default: out[0] = (unsigned char)v.z[i+1]; len = 1; break;
    }
    if( corpus_buf_append(b, (const char*)out, (size_t)len) ) return -1;
    i += 2;
    start = i;
  }
  return app(b, v.z+start, v.n-1-start);
}

int corpus_json_append_text(corpus_json v, corpus_buf *b){
  return append_text(v, b, 0);
}

int corpus_json_append_text_valid(corpus_json v, corpus_buf *b){
  return append_text(v, b, 1);
}

int corpus_json_empty(corpus_json container){
  size_t i = skip_ws(container.z, container.n, 1);
  return i+1>=container.n;
}

/* A member of an object's index: the key's text (unescaped) and value. */
typedef struct json_slot {
  const char *k;      /* NULL: an empty slot */
  size_t kn;
  uint64_t h;
  corpus_json value;
} json_slot;

struct corpus_json_index {
  int object;
  size_t n;           /* elements (arrays) */
  corpus_json *elem;  /* arrays: each element */
  json_slot *slot;    /* objects: open addressing, a power of 2 of slots */
  size_t mask;
  char *keys;         /* the unescaped texts of the keys that had escapes */
};

void corpus_json_index_free(corpus_json_index *x){
  if( x==0 ) return;
  corpus_free(x->elem);
  corpus_free(x->slot);
  corpus_free(x->keys);
  corpus_free(x);
}

static json_slot *index_find(const corpus_json_index *x, const char *k,
                             size_t kn, uint64_t h){
  size_t i = (size_t)h & x->mask;
  for(;;){
    json_slot *s = &x->slot[i];
    if( s->k==0 || (s->h==h && s->kn==kn && memcmp(s->k, k, kn)==0) ){
      return s;
    }
    i = (i+1) & x->mask;
  }
}

/* Fills the object's slots; the unescaped keys go to a buffer first and
** are pointed at once it no longer moves. */
static int index_object(corpus_json_index *x, corpus_json obj, size_t n){
  corpus_json_iter it;
  corpus_json key, value;
  corpus_buf keys = {0, 0, 0};
  size_t cap = 8, m = 0, *off = 0;
  while( cap<2*n ) cap *= 2;
  x->slot = corpus_realloc(0, cap*sizeof(json_slot));
  off = corpus_realloc(0, (n ? n : 1)*sizeof(size_t));
  if( x->slot==0 || off==0 ) goto nomem;
  x->mask = cap-1;
  /* pass 1: each escaped key's offset in keys */
  corpus_json_iter_init(obj, &it);
  while( corpus_json_iter_next(&it, &key, &value) ){
    off[m] = keys.n;
    if( memchr(key.z, '\\', key.n) && corpus_json_append_text(key, &keys) ){
      goto nomem;
    }
    m++;
  }
  memset(x->slot, 0, cap*sizeof(json_slot));
  x->keys = keys.z;
  m = 0;
  corpus_json_iter_init(obj, &it);
  while( corpus_json_iter_next(&it, &key, &value) ){
    const char *k = key.z+1;
    size_t kn = key.n-2;
    json_slot *s;
    uint64_t h;
    if( memchr(key.z, '\\', key.n) ){
      k = keys.z+off[m];
      kn = (m+1<n ? off[m+1] : keys.n) - off[m];
    }
    m++;
    h = XXH3_64bits(k, kn);
    s = index_find(x, k, kn, h);
    /* the last of duplicate keys wins, as corpus_json_member() has it */
    s->k = k;
    s->kn = kn;
    s->h = h;
    s->value = value;
  }
  corpus_free(off);
  return 0;
nomem:
  corpus_free(keys.z);
  corpus_free(off);
  return -1;
}

int corpus_json_index_new(corpus_json container, corpus_json_index **out){
  corpus_json_iter it;
  corpus_json value;
  corpus_json_index *x = corpus_realloc(0, sizeof(*x));
  size_t n = 0;
  *out = 0;
  if( x==0 ) return -1;
  memset(x, 0, sizeof(*x));
  x->object = corpus_json_type(container)==CORPUS_JSON_OBJECT;
  corpus_json_iter_init(container, &it);
  while( corpus_json_iter_next(&it, 0, &value) ) n++;
  if( x->object ){
    if( index_object(x, container, n) ) goto nomem;
  }else{
    x->elem = corpus_realloc(0, (n ? n : 1)*sizeof(corpus_json));
    if( x->elem==0 ) goto nomem;
    corpus_json_iter_init(container, &it);
    while( corpus_json_iter_next(&it, 0, &x->elem[x->n]) ) x->n++;
  }
  *out = x;
  return 0;
nomem:
  corpus_json_index_free(x);
  return -1;
}

int corpus_json_index_member(const corpus_json_index *x, const char *key,
                             size_t klen, corpus_json *out){
  json_slot *s;
  if( !x->object ) return 0;
  s = index_find(x, key, klen, XXH3_64bits(key, klen));
  if( s->k==0 ) return 0;
  *out = s->value;
  return 1;
}

int corpus_json_index_element(const corpus_json_index *x, size_t idx,
                              corpus_json *out){
  if( x->object || idx>=x->n ) return 0;
  *out = x->elem[idx];
  return 1;
}
