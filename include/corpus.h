/*
** sqlite-corpus: public C interface.
**
** sqlite3_corpus_init() is the SQLite extension entry point.  Everything else
** here is the plain C core that the SQL functions are thin glue over: it takes
** buffers and lengths and knows nothing of SQLite, so other front ends (and
** tests in C) can call it directly.
**
** Memory: every buffer these functions hand out is owned by the caller and is
** released with corpus_free().  Inside SQLite the allocator is SQLite's
** (sqlite3_malloc64), so corpus_*() may only be called after the extension has
** been loaded into some connection.
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

void *corpus_realloc(void *p, size_t n); /* NULL on failure; n==0 frees */
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
** so it can hold spaces.  corpus_options_parse() calls set() once per pair,
** in order; set() returns 0, or writes err and returns nonzero.
*/
typedef int (*corpus_option_fn)(void *ctx, const char *key, const char *value,
                                char *err);
int corpus_options_parse(const char *z, size_t n, corpus_option_fn set,
                         void *ctx, char *err);
/* Index of value in a '|'-separated list of choices ("nfkc|nfc|none"), or -1
** after writing "KEY must be one of ..., got 'VALUE'" into err. */
int corpus_option_choice(const char *key, const char *value,
                         const char *choices, char *err);
/* Parses a decimal integer in [lo, hi], else writes an error and returns -1. */
int corpus_option_int(const char *key, const char *value, long long lo,
                      long long hi, long long *out, char *err);
/* Parses a decimal number (strtod syntax, not NaN) in [lo, hi] likewise. */
int corpus_option_double(const char *key, const char *value, double lo,
                         double hi, double *out, char *err);

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
/* "words": runs of letters, marks and numbers (L*, M*, N*); a character of a
** script written without spaces (Han, Hiragana, Katakana, Thai, Lao, Khmer,
** Myanmar, ...) is a word by itself, together with any marks that follow. */
extern const corpus_tokenizer corpus_tokenizer_words;
/* Whether c belongs to a script written without spaces (a word by itself). */
int corpus_is_solo(int32_t c);
/* "chars": every code point, white space included. */
extern const corpus_tokenizer corpus_tokenizer_chars;
/* "lines": the non-empty lines ('\n' ends a line; a '\r' ending it is not
** part of it).  "paragraphs": the non-empty runs between blank lines (two
** or more line breaks in a row). */
extern const corpus_tokenizer corpus_tokenizer_lines;
extern const corpus_tokenizer corpus_tokenizer_paragraphs;
/* tiktoken's encodings (bpe.c): ids identical to OpenAI's tiktoken. */
extern const corpus_tokenizer corpus_tokenizer_r50k, corpus_tokenizer_gpt2,
                              corpus_tokenizer_p50k, corpus_tokenizer_cl100k,
                              corpus_tokenizer_o200k;
/* Parses a specials option value (none, all, or special tokens separated by
** commas) for a BPE tokenizer into a specials mask. */
int corpus_bpe_specials(const corpus_tokenizer *tok, const char *value,
                        unsigned *out, char *err);
/* The bytes of token id (NULL if the encoding has no such id). */
const unsigned char *corpus_bpe_token_bytes(const corpus_tokenizer *tok,
                                            int64_t id, size_t *len);

/* Appends z[0..n-1] to a growable buffer, with each invalid UTF-8 sequence
** replaced by U+FFFD.  Returns 0 or -1 (out of memory). */
typedef struct corpus_buf { char *z; size_t n, cap; } corpus_buf;
int corpus_buf_append(corpus_buf *b, const char *z, size_t n);
int corpus_buf_append_utf8(corpus_buf *b, const char *z, size_t n);
/* Appends the text as a JSON string literal, quotes included. */
int corpus_buf_append_json_string(corpus_buf *b, const char *z, size_t n);

/*
** N-grams (shingles) over a tokenizer's tokens.  An n-gram of words is its
** words joined by one space; an n-gram of chars is its code points as they
** stand.  A text with at least one but fewer than n tokens has exactly one
** n-gram: all its tokens.  Each n-gram's hash is corpus_ngram_hash() of its
** text.
*/
typedef struct corpus_span { size_t start, end; int64_t id; } corpus_span;
#define CORPUS_NGRAM_MAX 1000
enum { CORPUS_UNIT_WORD, CORPUS_UNIT_CHAR };
/* Writes the n-gram made of spans[0..count-1] of z into b (b->n reset). */
int corpus_ngram_text(const char *z, const corpus_span *spans, int count,
                      int unit, corpus_buf *b);
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

/* LSH banding (lsh.c).  corpus_lsh_params() chooses bands and rows as
** datasketch's _optimal_param; corpus_lsh_bucket() hashes rows values
** (little-endian) of band with xxh3, seeded by the band number. */
void corpus_lsh_params(double threshold, int num_perm, double fp_weight,
                       double fn_weight, int *bands, int *rows, double *fp,
                       double *fn);
uint64_t corpus_lsh_bucket(const unsigned char *values, int band, int rows);

/* Union-find over 64-bit ids (cluster.c). */
typedef struct corpus_uf corpus_uf;
corpus_uf *corpus_uf_new(void);
void corpus_uf_free(corpus_uf *u);
int corpus_uf_union(corpus_uf *u, int64_t a, int64_t b);  /* 0 or -1 */
uint32_t corpus_uf_count(const corpus_uf *u);
/* Ids ascending, each with the least id of its component (new arrays). */
int corpus_uf_clusters(corpus_uf *u, int64_t **ids, int64_t **clusters);

/*
** Quality heuristics (quality.c): the signals of Gopher's quality and
** repetition rules, C4's line filter and FineWeb's rules, as datatrove
** defines them, measured in one call; the rules that judge them; C4's
** cleaned text.  Tokens are the white-space chunks of the text with the
** punctuation at their ends split off (a mark a token), words the tokens
** that are not punctuation: close to the NLTK tokens datatrove counts.
** docs/quality.md defines each signal.
*/
enum {
  CORPUS_QS_CHARS, CORPUS_QS_TOKENS, CORPUS_QS_WORDS,
  CORPUS_QS_MEAN_WORD_LENGTH, CORPUS_QS_HASH_RATIO, CORPUS_QS_ELLIPSIS_RATIO,
  CORPUS_QS_LINES, CORPUS_QS_BULLET_LINES_RATIO,
  CORPUS_QS_ELLIPSIS_LINES_RATIO, CORPUS_QS_ALPHA_WORDS_RATIO,
  CORPUS_QS_STOP_WORDS,
  CORPUS_QS_PARAGRAPHS, CORPUS_QS_DUP_PARA_FRAC, CORPUS_QS_DUP_PARA_CHARS,
  CORPUS_QS_REP_LINES, CORPUS_QS_DUP_LINE_FRAC, CORPUS_QS_DUP_LINE_CHARS,
  CORPUS_QS_TOP_2GRAM, CORPUS_QS_TOP_3GRAM, CORPUS_QS_TOP_4GRAM,
  CORPUS_QS_DUP_5GRAM, CORPUS_QS_DUP_6GRAM, CORPUS_QS_DUP_7GRAM,
  CORPUS_QS_DUP_8GRAM, CORPUS_QS_DUP_9GRAM, CORPUS_QS_DUP_10GRAM,
  CORPUS_QS_C4_LINES, CORPUS_QS_C4_KEPT_LINES, CORPUS_QS_C4_SENTENCES,
  CORPUS_QS_C4_LONG_WORD_LINES, CORPUS_QS_C4_NO_TERMINAL_PUNCT_LINES,
  CORPUS_QS_C4_TOO_FEW_WORDS_LINES, CORPUS_QS_C4_JAVASCRIPT_LINES,
  CORPUS_QS_C4_POLICY_LINES, CORPUS_QS_C4_LOREM_IPSUM,
  CORPUS_QS_C4_CURLY_BRACKET,
  CORPUS_QS_FINEWEB_LINES, CORPUS_QS_FINEWEB_PUNCT_LINES_RATIO,
  CORPUS_QS_FINEWEB_SHORT_LINES_RATIO, CORPUS_QS_FINEWEB_DUP_LINE_CHARS,
  CORPUS_QS_FINEWEB_NEWLINE_RATIO,
  CORPUS_QS_COUNT
};
/* The rule sets, in their default order. */
enum { CORPUS_QSET_GOPHER_QUALITY, CORPUS_QSET_GOPHER_REPETITION,
       CORPUS_QSET_C4, CORPUS_QSET_FINEWEB, CORPUS_QSET_COUNT };
#define CORPUS_QRULE_COUNT 31
enum { CORPUS_C4_SENTENCES_SPACY, CORPUS_C4_SENTENCES_RULE };
typedef struct corpus_quality_opts {
  int sets[CORPUS_QSET_COUNT];  /* the sets to apply, in order ... */
  int nset;                     /* ... and how many */
  double threshold[CORPUS_QRULE_COUNT]; /* per rule; NaN: the rule is off */
  int c4_min_words_per_line;    /* 3 (datatrove; TFDS C4: 5) */
  int c4_max_word_length;       /* 1000 */
  int c4_citations, c4_terminal_punct, c4_javascript, c4_policy; /* 1: on */
  int c4_sentencizer;           /* CORPUS_C4_SENTENCES_SPACY (datatrove) or
                                ** _RULE (c4.preset=tfds) */
  int fineweb_short_line_length; /* 30 */
} corpus_quality_opts;
void corpus_quality_init(corpus_quality_opts *o);
/* A corpus_option_fn: rules, <set>.<rule> thresholds (a number or off) and
** the C4 and FineWeb line settings; ctx is a corpus_quality_opts*. */
int corpus_quality_option(void *ctx, const char *key, const char *value,
                          char *err);
/* Names of the signals (JSON keys) and of the rules ("gopher:min_words"). */
const char *corpus_quality_signal_name(int signal);
const char *corpus_quality_rule_name(int rule);
/* The result of measuring one text. */
typedef struct corpus_quality {
  double signal[CORPUS_QS_COUNT];
  int c4_page_drop;   /* the C4 rule that dropped the page in line order
                      ** (lorem ipsum or curly bracket), or -1 */
} corpus_quality;
/* Measures z[0..n-1], which must be valid UTF-8.  When c4_text is not NULL,
** C4's cleaned text is written into it (its n reset first).  Returns 0 or -1
** (out of memory). */
int corpus_quality_measure(const char *z, size_t n, const corpus_quality_opts *o,
                           corpus_quality *q, corpus_buf *c4_text);
/* The first rule of o's sets that q fails, or -1. */
int corpus_quality_reject(const corpus_quality *q, const corpus_quality_opts *o);
/* Whether C4 drops the page (its three rules, whatever the sets). */
int corpus_quality_c4_drops(const corpus_quality *q,
                            const corpus_quality_opts *o);
/* The heuristic score in [0, 1]: the soft margin of the worst rule of o's
** sets; above 0.5 when every rule passes, below when one fails. */
double corpus_quality_score(const corpus_quality *q,
                            const corpus_quality_opts *o);

/*
** GPT-3's quality classifier (classify.c): logistic regression over hashed
** lowercased words and word pairs.  A trainer keeps a seeded reservoir of at
** most sample documents as sparse vectors; finish runs the epochs of SGD and
** writes the model BLOB (docs/quality.md has its layout).
*/
#define CORPUS_MODEL_MAGIC "QCLF"
#define CORPUS_MODEL_FORMAT 1
#define CORPUS_MODEL_HEADER 48
typedef struct corpus_train_opts {
  int bits;           /* log2 of the buckets, 10..24, default 18 */
  int ngram;          /* 1 (words) or 2 (and word pairs, default) */
  int epochs;         /* default 5 */
  double lr, l2;      /* default 0.5 and 1e-6 */
  uint64_t seed;      /* of the reservoir and the shuffles, default 1 */
  long long sample;   /* reservoir size, default 100000 */
} corpus_train_opts;
void corpus_train_init(corpus_train_opts *o);
/* A corpus_option_fn for quality_train() options; ctx is a
** corpus_train_opts*. */
int corpus_train_option(void *ctx, const char *key, const char *value,
                        char *err);
typedef struct corpus_trainer corpus_trainer;
corpus_trainer *corpus_trainer_new(const corpus_train_opts *o);
/* Offers one document (label 0 or 1) to the reservoir; 0 or -1 (out of
** memory). */
int corpus_trainer_add(corpus_trainer *t, const char *z, size_t n, int label);
/* Trains and hands over the model BLOB (*out, freed with corpus_free).
** Returns 0, -1 (out of memory) or 1 (err written: one label only). */
int corpus_trainer_finish(corpus_trainer *t, unsigned char **out,
                          size_t *nout, char *err);
void corpus_trainer_free(corpus_trainer *t);
/* A decoded model points into its BLOB. */
typedef struct corpus_model {
  int flags, ngram, bits, epochs;
  uint32_t documents, positives;
  float bias, lr, l2;
  uint64_t seed, rows;
  const unsigned char *weights;   /* 2^bits little-endian float32 */
} corpus_model;
int corpus_model_decode(const unsigned char *z, size_t n, corpus_model *m,
                        char *err);
/* The model's probability of label 1 for z[0..n-1]: 0, or -1 (out of
** memory). */
int corpus_model_score(const corpus_model *m, const char *z, size_t n,
                       double *p);

/*
** JSON reading (json.c): a text is checked once (RFC 8259), then navigated
** in place.  A corpus_json is a value's span, without white space around.
*/
enum { CORPUS_JSON_NULL, CORPUS_JSON_FALSE, CORPUS_JSON_TRUE,
       CORPUS_JSON_NUMBER, CORPUS_JSON_STRING, CORPUS_JSON_ARRAY,
       CORPUS_JSON_OBJECT };
typedef struct corpus_json { const char *z; size_t n; } corpus_json;
typedef struct corpus_json_iter { const char *p, *end; int object; }
  corpus_json_iter;
/* 0 if z[0..n-1] is one JSON value (nested at most 1000 deep), else -1
** with *errpos the byte offset of the fault. */
int corpus_json_check(const char *z, size_t n, size_t *errpos);
/* The value of a checked text. */
corpus_json corpus_json_root(const char *z, size_t n);
int corpus_json_type(corpus_json v);
/* 1 and *out when the object has the member (the last of equal keys), 0
** when not, -1 out of memory. */
int corpus_json_member(corpus_json obj, const char *key, size_t klen,
                       corpus_json *out);
/* 1 and *out when the array has element idx, else 0. */
int corpus_json_element(corpus_json arr, size_t idx, corpus_json *out);
/* The members (key a JSON string) or elements (key NULL) of a container. */
void corpus_json_iter_init(corpus_json container, corpus_json_iter *it);
int corpus_json_iter_next(corpus_json_iter *it, corpus_json *key,
                          corpus_json *value);
/* Appends a string's text, unescaped; any other value as its JSON text. */
int corpus_json_append_text(corpus_json v, corpus_buf *b);
/* 1 when the container has no members or elements, else 0. */
int corpus_json_empty(corpus_json container);
/* An index of a container, built in one pass, for lookups that do not scan
** it: a hash of the (unescaped) member keys, or the elements' spans.  It
** points into the text, which must outlive it. */
typedef struct corpus_json_index corpus_json_index;
/* The index of an object or array in *out: 0, or -1 out of memory. */
int corpus_json_index_new(corpus_json container, corpus_json_index **out);
void corpus_json_index_free(corpus_json_index *x);
/* As corpus_json_member() and corpus_json_element(), through the index. */
int corpus_json_index_member(const corpus_json_index *x, const char *key,
                             size_t klen, corpus_json *out);
int corpus_json_index_element(const corpus_json_index *x, size_t idx,
                              corpus_json *out);

/*
** Decontamination (decontam.c): the n-grams of lm-evaluation-harness's
** janitor (ASCII letters lowercased, ASCII punctuation deleted, split on
** white space; a chunk of punctuation alone is no word).  cb gets each
** n-gram's hash, the index of its first word and its byte span.  Returns
** 0, -1 (out of memory, or ngram not 1..64) or cb's nonzero return.
*/
int corpus_janitor_grams(const char *z, size_t n, int ngram,
                         int (*cb)(void *ctx, uint64_t hash, size_t word,
                                   size_t start, size_t end), void *ctx);
/* Python's str.isspace() for one code point (text.c). */
int corpus_py_space(int32_t c);
/* Unicode's Default_Ignorable_Code_Point (Unicode 15.0, reserved code
** points included), which normalize() drops by default (text.c). */
int corpus_default_ignorable(int32_t c);

/*
** spaCy's rule-based English tokenizer (spacy.c): spacy.blank("en") of
** spaCy 3.8, as datatrove splits words with it.  cb gets every token of
** z[0..n-1] (valid UTF-8) as a byte span, with id 1 for a white-space token
** (spaCy's token for white space other than one ' ' after a token) and 0
** for the others.  Returns 0, -1 (out of memory) or cb's nonzero return.
** corpus_spacy_sentences() counts the sentences of spaCy's sentencizer
** (its default punct_chars) over those tokens: 0 for a text without
** tokens.
*/
int corpus_spacy_tokenize(const char *z, size_t n, corpus_token_fn cb,
                          void *ctx);
int corpus_spacy_sentences(const char *z, size_t n, size_t *count);
/* One step of that sentencizer over the token z[start..end) (white-space
** tokens too): 1 when a sentence starts at it, with *seen_period (0 at the
** start of a text) carried from token to token. */
int corpus_spacy_sent_break(const char *z, size_t start, size_t end,
                            int *seen_period);
/* "spacy_en": the tokens of corpus_spacy_tokenize() but white space. */
extern const corpus_tokenizer corpus_tokenizer_spacy_en;

/* Hashing (xxHash).  corpus_sample_keep() is 1 for a fraction rate of keys. */
uint64_t corpus_xxh64(const void *p, size_t n, uint64_t seed);
uint64_t corpus_xxh3(const void *p, size_t n, uint64_t seed);
void corpus_xxh128(const void *p, size_t n, unsigned char out[16]);
int corpus_sample_keep(const void *key, size_t n, double rate, uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif /* CORPUS_H */
