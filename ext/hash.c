/*
** Hashing: xxHash (Debian's libxxhash-dev, compiled inline so that short
** inputs such as shingles pay no call overhead) and deterministic sampling.
**
** SQL:
**   xxh64(x [, seed])                -> INTEGER
**   xxh3(x [, seed])                 -> INTEGER (XXH3_64bits)
**   xxh128(x)                        -> 16-byte BLOB, canonical (big-endian)
**   sample_keep(key, rate [, seed])  -> 0 or 1
**
** A 64-bit hash is returned as the INTEGER with the same bits (two's
** complement), so printf('%016x', xxh64(x)) prints what xxhsum prints.  x is
** hashed as bytes: a BLOB as it is, TEXT as its UTF-8, a number as its text
** (xxh64(5) = xxh64('5')), so hashes do not depend on column affinity.
*/
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <math.h>
#include <string.h>
#include "corpus_sql.h"

uint64_t corpus_xxh64(const void *p, size_t n, uint64_t seed){
  return XXH64(p, n, seed);
}

uint64_t corpus_xxh3(const void *p, size_t n, uint64_t seed){
  return XXH3_64bits_withSeed(p, n, seed);
}

void corpus_xxh128(const void *p, size_t n, unsigned char out[16]){
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, XXH3_128bits(p, n));
  memcpy(out, c.digest, 16);
}

/* The top 53 bits of the hash, as a uniform double in [0, 1), against rate:
** a key kept at rate r is kept at every rate above r. */
int corpus_sample_keep(const void *key, size_t n, double rate, uint64_t seed){
  uint64_t h = XXH3_64bits_withSeed(key, n, seed);
  return (double)(h>>11) * (1.0/9007199254740992.0) < rate;
}

/* ---- SQL functions ------------------------------------------------------- */

/* The bytes of a hash input; numbers read as their text. */
static const void *hash_input(sqlite3_value *v, size_t *n){
  const void *p;
  if( sqlite3_value_type(v)==SQLITE_BLOB ){
    p = sqlite3_value_blob(v);
  }else{
    p = sqlite3_value_text(v);
  }
  *n = (size_t)sqlite3_value_bytes(v);
  return p ? p : "";
}

/* Reads optional argument i as a 64-bit seed (default 0).  Nonzero when the
** function must return now: an error was set, or the seed is NULL (so the
** result is NULL). */
static int seed_arg(sqlite3_context *ctx, const char *func, int argc,
                    sqlite3_value **argv, int i, uint64_t *seed){
  *seed = 0;
  if( argc<=i ) return 0;
  if( sqlite3_value_type(argv[i])==SQLITE_NULL ) return 1;
  if( sqlite3_value_type(argv[i])!=SQLITE_INTEGER ){
    corpus_result_error(ctx, func, "seed must be INTEGER, got %s",
                        corpus_type_name(sqlite3_value_type(argv[i])));
    return 1;
  }
  *seed = (uint64_t)sqlite3_value_int64(argv[i]);
  return 0;
}

static void xxh64_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  uint64_t seed;
  size_t n;
  const void *p;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( seed_arg(ctx, "xxh64", argc, argv, 1, &seed) ) return;
  p = hash_input(argv[0], &n);
  sqlite3_result_int64(ctx, (sqlite3_int64)corpus_xxh64(p, n, seed));
}

static void xxh3_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  uint64_t seed;
  size_t n;
  const void *p;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( seed_arg(ctx, "xxh3", argc, argv, 1, &seed) ) return;
  p = hash_input(argv[0], &n);
  sqlite3_result_int64(ctx, (sqlite3_int64)corpus_xxh3(p, n, seed));
}

static void xxh128_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  unsigned char out[16];
  size_t n;
  const void *p;
  (void)argc;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  p = hash_input(argv[0], &n);
  corpus_xxh128(p, n, out);
  sqlite3_result_blob(ctx, out, 16, SQLITE_TRANSIENT);
}

/* Reads argument v, called name, as a number in [lo, hi].  Nonzero when the
** function must return now (an error was set). */
static int number_arg(sqlite3_context *ctx, const char *func, const char *name,
                      sqlite3_value *v, double lo, double hi, double *out){
  int t = sqlite3_value_type(v);
  if( t!=SQLITE_INTEGER && t!=SQLITE_FLOAT ){
    corpus_result_error(ctx, func, "%s must be a number, got %s", name,
                        corpus_type_name(t));
    return 1;
  }
  *out = sqlite3_value_double(v);
  if( !(*out>=lo && *out<=hi) ){
    corpus_result_error(ctx, func, "%s must be %g..%g, got %g", name, lo, hi,
                        *out);
    return 1;
  }
  return 0;
}

static void sample_keep_func(sqlite3_context *ctx, int argc,
                             sqlite3_value **argv){
  uint64_t seed;
  double rate;
  size_t n;
  const void *p;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL
   || sqlite3_value_type(argv[1])==SQLITE_NULL ) return;
  if( number_arg(ctx, "sample_keep", "rate", argv[1], 0, 1, &rate) ) return;
  if( seed_arg(ctx, "sample_keep", argc, argv, 2, &seed) ) return;
  p = hash_input(argv[0], &n);
  sqlite3_result_int(ctx, corpus_sample_keep(p, n, rate, seed));
}

/* GPT-3's Pareto rule: keep when np.random.pareto(alpha) > 1 - score, which
** happens with probability (2 - score)^-alpha; the draw comes from the key,
** so it is sample_keep(key, (2 - score)^-alpha, seed). */
static void quality_keep_func(sqlite3_context *ctx, int argc,
                              sqlite3_value **argv){
  uint64_t seed;
  double score, alpha = 9;
  size_t n;
  const void *p;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL
   || sqlite3_value_type(argv[1])==SQLITE_NULL
   || (argc>2 && sqlite3_value_type(argv[2])==SQLITE_NULL) ) return;
  if( number_arg(ctx, "quality_keep", "score", argv[0], 0, 1, &score) ) return;
  if( argc>2 && number_arg(ctx, "quality_keep", "alpha", argv[2], 1e-9, 1e9,
                           &alpha) ){
    return;
  }
  if( seed_arg(ctx, "quality_keep", argc, argv, 3, &seed) ) return;
  p = hash_input(argv[1], &n);
  sqlite3_result_int(ctx, corpus_sample_keep(p, n, pow(2-score, -alpha),
                                             seed));
}

static const corpus_sql hash_sql[] = {
  CORPUS_SCALAR("xxh64",        1, CORPUS_PURE, xxh64_func),
  CORPUS_SCALAR("xxh64",        2, CORPUS_PURE, xxh64_func),
  CORPUS_SCALAR("xxh3",         1, CORPUS_PURE, xxh3_func),
  CORPUS_SCALAR("xxh3",         2, CORPUS_PURE, xxh3_func),
  CORPUS_SCALAR("xxh128",       1, CORPUS_PURE, xxh128_func),
  CORPUS_SCALAR("sample_keep",  2, CORPUS_PURE, sample_keep_func),
  CORPUS_SCALAR("sample_keep",  3, CORPUS_PURE, sample_keep_func),
  CORPUS_SCALAR("quality_keep", 2, CORPUS_PURE, quality_keep_func),
  CORPUS_SCALAR("quality_keep", 3, CORPUS_PURE, quality_keep_func),
  CORPUS_SCALAR("quality_keep", 4, CORPUS_PURE, quality_keep_func),
};

int corpus_hash_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, hash_sql, CORPUS_COUNT(hash_sql), pzErr);
}
