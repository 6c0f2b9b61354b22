/*
** BPE round trip: for each encoding, detokenize(tokenize(x)) is x with
** every invalid UTF-8 subpart replaced by U+FFFD (JSON ids and packed
** BLOB ids, with and without special tokens), and token_count(),
** tokenize() and tokens() agree on the number of tokens.  Input: a
** selector byte (encoding, specials), then the text.
*/
#include "fuzz.h"

static const char *const azEnc[] = {
  "r50k_base", "p50k_base", "cl100k_base", "o200k_base",
};

/* The UTF-16 code unit of an encoded surrogate at u[0..n-1], or 0. */
static int32_t surrogate(const unsigned char *u, size_t n){
  if( n<3 || u[0]!=0xED || u[1]<0xA0 || u[1]>0xBF || (u[2]&0xC0)!=0x80 ){
    return 0;
  }
  return 0xD000 | (u[1]&0x3F)<<6 | (u[2]&0x3F);
}

/* z[0..n-1] as the BPE encodings read it (docs/bpe.md, "How it encodes,
** and invalid UTF-8"): an encoded high surrogate followed by an encoded
** low one is the character they encode, any other encoded surrogate one
** U+FFFD, any other maximal invalid subpart one U+FFFD. */
static char *replaced(const char *z, size_t n, size_t *pn){
  char *out = malloc(n*3 + 1);
  size_t i = 0, o = 0, len;
  if( out==0 ) fuzz_fail("replaced", "out of memory");
  while( i<n ){
    const unsigned char *u = (const unsigned char*)z + i;
    int32_t hi = surrogate(u, n - i), lo, cp;
    if( hi ){
      lo = hi<0xDC00 ? surrogate(u + 3, n - i - 3) : 0;
      if( lo>=0xDC00 ){
        cp = 0x10000 + ((hi - 0xD800)<<10) + (lo - 0xDC00);
        len = 6;
      }else{
        cp = 0xFFFD;
        len = 3;
      }
      o += (size_t)corpus_utf8_encode(cp, (unsigned char*)out + o);
      i += len;
      continue;
    }
    cp = corpus_utf8_decode(u, n - i, &len);
    o += (size_t)corpus_utf8_encode(cp, (unsigned char*)out + o);
    i += len;
  }
  *pn = o;
  return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  sqlite3 *db = fuzz_db();
  const char *zEnc, *zOpt;
  fuzz_part part;
  char *zSql, *zRep, *zOut = 0;
  size_t nRep, nOut = 0;
  int rc, i;
  if( size<1 ) return 0;
  zEnc = azEnc[data[0] & 3];
  zOpt = (data[0] & 4) ? "specials=all" : "";
  part.z = (const char*)data + 1;
  part.n = size - 1;
  zRep = replaced(part.z, part.n, &nRep);
  for(i=0; i<2; i++){
    zSql = sqlite3_mprintf(i==0
        ? "SELECT detokenize(tokenize(?1, '%s', '%s'), '%s')"
        : "SELECT detokenize(tokenize(?1, '%s', '%s format=blob'), '%s')",
        zEnc, zOpt, zEnc);
    rc = fuzz_run(db, zSql, &part, 1, 0, &zOut, &nOut);
    sqlite3_free(zSql);
    if( rc==SQLITE_DONE ){
      if( zOut==0 ? nRep!=0 : (nOut!=nRep || memcmp(zOut, zRep, nRep)) ){
        fuzz_fail("bpe round trip", zEnc);
      }
    }else if( rc!=SQLITE_NOMEM && rc!=SQLITE_TOOBIG ){
      fuzz_fail("bpe round trip failed", sqlite3_errmsg(db));
    }
    sqlite3_free(zOut);
    zOut = 0;
  }
  free(zRep);
  zSql = sqlite3_mprintf(
      "SELECT token_count(?1, '%s', '%s') = json_array_length(tokenize(?1, '%s', '%s'))"
      " AND token_count(?1, '%s', '%s') = (SELECT count(*) FROM tokens(?1, '%s', '%s'))"
      " AND token_count(?1, '%s', '%s') * 4 = length(tokenize(?1, '%s', '%s format=blob'))",
      zEnc, zOpt, zEnc, zOpt, zEnc, zOpt, zEnc, zOpt, zEnc, zOpt, zEnc, zOpt);
  if( !fuzz_int(db, zSql, &part, 1, 1) ) fuzz_fail("bpe token counts", zEnc);
  sqlite3_free(zSql);
  return 0;
}
