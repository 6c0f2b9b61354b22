/*
** sqlite-corpus: public C interface.
**
** sqlite3_corpus_init() is the SQLite extension entry point.  The rest is
** the part of the plain C core that the SQL functions are thin glue over and
** that is kept public (and tested by test/capi.c): UTF-8, option strings,
** normalization, tokenizers, n-grams, MinHash, LSH and hashing.  It takes
** buffers and lengths and needs no SQLite: a program may link corpus.so and
** call it with no connection open.  These are the only names the library
** exports; everything else in it is hidden.
**
** Memory: every buffer these functions hand out is owned by the caller and is
** released with corpus_free() (the MinHash permutations of
** corpus_minhash_perm_new() with corpus_minhash_perm_free()).  The allocator is the C library's until
** sqlite3_corpus_init() first runs, then SQLite's (so its memory counters
** and heap limit see the core's use), unless the core had already
** allocated: then it stays the C library's.  corpus_free() always matches.
**
** Text is UTF-8.  Invalid byte sequences are never an error: each maximal
** invalid subpart (Unicode 15, section 3.9, as Python's "replace") reads as
** one U+FFFD.  Offsets and lengths are in bytes.
*/
#ifndef CORPUS_H
#define CORPUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Built with -fvisibility=hidden, the library exports what is declared
** between these pragmas and nothing else. */
#if defined(__GNUC__)
# pragma GCC visibility push(default)
#endif

struct sqlite3;
struct sqlite3_api_routines;

/* Registers every SQL function and virtual table of the extension on db. */
int sqlite3_corpus_init(struct sqlite3 *db, char **pzErrMsg,
                        const struct sqlite3_api_routines *pApi);

/* Version string, e.g. "0.1.0" (from the VERSION file at build time). */
const char *corpus_version(void);

/* Instruction sets of the hot paths.  corpus_simd_level() names the best
** one this CPU offers: "avx512", "avx2" or "portable". */
enum { CORPUS_SIMD_AUTO, CORPUS_SIMD_PORTABLE, CORPUS_SIMD_AVX2,
       CORPUS_SIMD_AVX512 };
const char *corpus_simd_level(void);
int corpus_simd_supported(int level);

/* Frees a buffer a corpus_*() function handed out (NULL: nothing). */
void corpus_free(void *p);

/* Errors of the core are written, without the SQL function's name, into a
** caller-supplied buffer of this size. */
#define CORPUS_ERRMAX 256

/*
** UTF-8 decoding.  Reads one code point from z[0..n-1] (n>0) and stores the
** number of bytes it spans in *len.  Invalid input yields 0xFFFD spanning the
** maximal invalid subpart (at least one byte).
*/
int32_t corpus_utf8_decode(const unsigned char *z, size_t n, size_t *len);
/* Writes cp (0..0x10FFFF) as UTF-8 into out[0..3]; returns the length. */
int corpus_utf8_encode(int32_t cp, unsigned char *out);
/* Nonzero if z[0..n-1] is valid UTF-8 (no overlongs, surrogates or >U+10FFFF). */
int corpus_utf8_valid(const char *z, size_t n);

/*
** Options: one string of "key=value" pairs separated by spaces or commas.
** A value may be 'single' or "double" quoted (quotes are doubled to escape)
** so it can hold spaces; a comma followed by a word with no '=' or quote
** continues an unquoted value, so a list reads as written ("rules=gopher,c4"
** gives rules the value "gopher,c4").  corpus_options_parse() calls set()
** once per pair, in order; set() returns 0, or writes err and returns
** nonzero, or returns CORPUS_NOMEM when out of memory (err not written).
** corpus_options_parse() returns 0, set()'s nonzero return, -1 after
** writing err, or CORPUS_NOMEM.
*/
#define CORPUS_NOMEM (-2)
typedef int (*corpus_option_fn)(void *ctx, const char *key, const char *value,
                                char *err);
int corpus_options_parse(const char *z, size_t n, corpus_option_fn set,
                         void *ctx, char *err);

/*
** Normalization (utf8proc).  Defaults (corpus_normalize_init) are the
** deduplication normalization: NFKC, full case folding, punctuation and
** symbols replaced by spaces, white space collapsed, default-ignorable
** (invisible) code points dropped.
*/
enum { CORPUS_FORM_NFKC, CORPUS_FORM_NFC, CORPUS_FORM_NFKD, CORPUS_FORM_NFD,
       CORPUS_FORM_NONE };
enum { CORPUS_CASE_FOLD, CORPUS_CASE_LOWER, CORPUS_CASE_KEEP };
typedef struct corpus_normalize_opts {
  int form;          /* CORPUS_FORM_* */
  int case_mode;     /* CORPUS_CASE_* */
  int strip_accents; /* drop nonspacing marks (Mn) after canonical decomposition */
  int strip_punct;   /* P* and S* code points become U+0020 */
  int zero_digits;   /* Nd code points become '0' */
  int collapse_space;/* runs of White_Space become one U+0020; trimmed */
  int drop_ignorable;/* Default_Ignorable_Code_Point code points are dropped */
} corpus_normalize_opts;
void corpus_normalize_init(corpus_normalize_opts *o);
/* A corpus_option_fn for normalize() options (form, case, accents, punct,
** digits, space, ignorable); ctx is a corpus_normalize_opts*. */
int corpus_normalize_option(void *ctx, const char *key, const char *value,
                            char *err);
/* Normalizes z[0..n-1] into a new buffer *pout of *pnout bytes (NUL
** terminated, not counted).  Returns 0, or -1 when out of memory. */
int corpus_normalize(const char *z, size_t n, const corpus_normalize_opts *o,
                     char **pout, size_t *pnout);

/*
** Tokenizers, in the shape of FTS5's xTokenize: the tokenizer walks the text
** and calls back once per token with its byte span [start, end) in the input
** and, for vocabulary-based (BPE) tokenizers, its id (-1 for the others).  A
** nonzero return from the callback stops the walk and is returned.
** specials: bit k lets the BPE encoding's k-th special token be recognized
** in the text (0: none, as tiktoken's encode_ordinary); others ignore it.
*/
typedef int (*corpus_token_fn)(void *ctx, size_t start, size_t end,
                               int64_t id);
typedef struct corpus_tokenizer corpus_tokenizer;
struct corpus_tokenizer {
  const char *name;
  int (*tokenize)(const corpus_tokenizer *tok, const char *z, size_t n,
                  unsigned specials, corpus_token_fn cb, void *ctx);
  const void *data; /* a BPE encoding; NULL for the text tokenizers */
};
/* The tokenizer of that name, or NULL after writing an error listing the
** valid names into err. */
const corpus_tokenizer *corpus_tokenizer_find(const char *name, char *err);

/*
** N-grams (shingles) over a tokenizer's tokens.  An n-gram of words is its
** words joined by one space; an n-gram of chars is its code points as they
** stand.  A text with at least one but fewer than n tokens has exactly one
** n-gram: all its tokens.  Each n-gram's hash is corpus_ngram_hash() of its
** text.
*/
#define CORPUS_NGRAM_MAX 1000
enum { CORPUS_UNIT_WORD, CORPUS_UNIT_CHAR };
uint64_t corpus_ngram_hash(const char *z, size_t n);
/* ngram is not NUL-terminated and lives only for the call. */
typedef int (*corpus_ngram_fn)(void *ctx, const char *ngram, size_t len,
                               uint64_t hash);
/* Streams every n-gram of z; returns 0, -1 (out of memory) or the callback's
** nonzero return. */
int corpus_ngrams(const char *z, size_t n, int ngram, int unit,
                  corpus_ngram_fn cb, void *ctx);


/*
** MinHash (minhash.c).  A signature is num_perm 32-bit minima over the
** shingles of a text (corpus_ngrams of its normalization); its BLOB is a
** 24-byte header and num_perm little-endian uint32 values:
**   0 "MNHS" | 4 format (1) | 5 scheme (1 = ms32) | 6 unit | 7 flags (1 =
**   empty) | 8 num_perm u16 | 10 ngram u16 | 12 seed u64 | 20 normalize u32
*/
#define CORPUS_MINHASH_HEADER 24
#define CORPUS_MINHASH_FORMAT 1
#define CORPUS_MINHASH_SCHEME_MS32 1
#define CORPUS_MINHASH_MAX_PERM 1024
typedef struct corpus_minhash_params {
  int num_perm;               /* 1..CORPUS_MINHASH_MAX_PERM, default 128 */
  int ngram;                  /* shingle size, default 5 */
  int unit;                   /* CORPUS_UNIT_WORD (default) or _CHAR */
  uint64_t seed;              /* of the permutations, default 1 */
  int normalize;              /* normalize first (default), with norm */
  corpus_normalize_opts norm;
  int simd;                   /* CORPUS_SIMD_*: not part of the signature */
} corpus_minhash_params;
void corpus_minhash_init(corpus_minhash_params *p);
/* A corpus_option_fn for minhash() options; ctx is a corpus_minhash_params*. */
int corpus_minhash_option(void *ctx, const char *key, const char *value,
                          char *err);
/* "num_perm=128 ngram=5 unit=word seed=1 normalize=\"...\"" */
void corpus_minhash_describe(const corpus_minhash_params *p, char *out,
                             size_t n);
typedef struct corpus_minhash_perm corpus_minhash_perm;
corpus_minhash_perm *corpus_minhash_perm_new(uint64_t seed, int num_perm);
void corpus_minhash_perm_free(corpus_minhash_perm *pm);
/* The 32-bit key of a 64-bit shingle hash. */
uint32_t corpus_minhash_key(uint64_t shingle_hash);
/* Folds nx keys into sig[0..num_perm-1] (initially 0xFFFFFFFF). */
void corpus_minhash_update(const corpus_minhash_perm *pm, int simd,
                           const uint32_t *keys, int nx, uint32_t *sig);
/* Signs a text: sig gets num_perm values, *empty whether it had no shingle
** (a text without a word has none, in either unit: it is contentless).
** Returns 0 or -1 (out of memory). */
int corpus_minhash_sign(const char *z, size_t n, const corpus_minhash_params *p,
                        const corpus_minhash_perm *pm, uint32_t *sig,
                        int *empty);
size_t corpus_minhash_size(int num_perm);
void corpus_minhash_encode(const corpus_minhash_params *p,
                           const uint32_t *values, int empty,
                           unsigned char *out);
/* A decoded signature points into the BLOB it was read from. */
typedef struct corpus_minhash_sig {
  corpus_minhash_params params;
  int empty;
  const unsigned char *values;   /* num_perm little-endian uint32 */
} corpus_minhash_sig;
int corpus_minhash_decode(const unsigned char *z, size_t n,
                          corpus_minhash_sig *sig, char *err);
int corpus_minhash_same_params(const corpus_minhash_params *a,
                               const corpus_minhash_params *b);
/* Fraction of equal slots; 0 when either signature is empty. */
double corpus_minhash_jaccard(const corpus_minhash_sig *a,
                              const corpus_minhash_sig *b);
/* Exact Jaccard of the two texts' sets of 64-bit shingle hashes (0 when
** both are empty).  Returns 0 or -1 (out of memory). */
int corpus_jaccard(const char *za, size_t na, const char *zb, size_t nb,
                   const corpus_minhash_params *p, double *out);
/* The set corpus_jaccard() compares: the distinct 64-bit shingle hashes of
** z[0..n-1] (normalized and shingled as p says), sorted ascending, in a new
** array *pset of *pn values (NULL and 0 for a text without a shingle),
** which the caller frees with corpus_free().  Returns 0 or -1 (out of
** memory). */
int corpus_shingle_set(const char *z, size_t n, const corpus_minhash_params *p,
                       uint64_t **pset, size_t *pn);
/* |A & B| / |A | B| of two sorted sets of distinct values (0 when both are
** empty): corpus_jaccard() of the texts they came from. */
double corpus_jaccard_sets(const uint64_t *a, size_t na, const uint64_t *b,
                           size_t nb);

/* LSH banding (lsh.c).  corpus_lsh_params() chooses bands and rows as
** datasketch's _optimal_param; corpus_lsh_bucket() hashes rows values
** (little-endian) of band with xxh3, seeded by the band number. */
void corpus_lsh_params(double threshold, int num_perm, double fp_weight,
                       double fn_weight, int *bands, int *rows, double *fp,
                       double *fn);
uint64_t corpus_lsh_bucket(const unsigned char *values, int band, int rows);


/* Hashing (xxHash).  corpus_sample_keep() is 1 for a fraction rate of keys. */
uint64_t corpus_xxh64(const void *p, size_t n, uint64_t seed);
uint64_t corpus_xxh3(const void *p, size_t n, uint64_t seed);
void corpus_xxh128(const void *p, size_t n, unsigned char out[16]);
int corpus_sample_keep(const void *key, size_t n, double rate, uint64_t seed);

#if defined(__GNUC__)
# pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif /* CORPUS_H */
