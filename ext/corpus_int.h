/*
** The internal core: declarations shared by the files of ext/ that are not
** part of the public C API (include/corpus.h) and need no SQLite.  Nothing
** here is exported from the library (it is built with -fvisibility=hidden).
**
** Base layer (base.c, options.c, json.c, stream.c): the allocator, UTF-8,
** growable buffers, character classes, option values, the JSON reader,
** files read and written whole.  Areas' cores
** (their plain C halves): the tokenizer objects, BPE, spaCy's tokenizer,
** union-find, the quality signals, the classifier, the janitor's n-grams.
*/
#ifndef CORPUS_INT_H
#define CORPUS_INT_H

#include <string.h>
#include "corpus.h"

/* ---- Base: the allocator (base.c) ---------------------------------------- */

/* NULL on failure; n==0 frees.  Pairs with corpus_free(). */
void *corpus_realloc(void *p, size_t n);
/* The largest single allocation SQLite's allocator grants (sqlite3Malloc
** refuses 0x7fffff00 bytes and more): an array sized by the input must stay
** under it, or the call fails with "input too large", not "out of memory". */
#define CORPUS_MAX_ALLOC ((size_t)0x7ffffeff)
/* Hands the allocator over to xRealloc/xFree (SQLite's, from
** sqlite3_corpus_init) if nothing has been allocated yet: 0, or 1 when the
** C library's stays because memory from it is live. */
int corpus_use_allocator(void *(*xRealloc)(void*, size_t),
                         void (*xFree)(void*));

/* The length of the ASCII prefix of z[0..n-1], eight bytes at a time. */
size_t corpus_ascii_prefix(const char *z, size_t n);

/* ---- Base: character classes (base.c) ------------------------------------ */

/* Unicode's White_Space property (PropList.txt, Unicode 15.0), which no
** utf8proc call exposes.  Inline: the BPE pre-tokenizer asks it of every
** character that is not ASCII. */
static inline int corpus_white_space(int32_t c){
  if( c<0x80 ) return c==' ' || (c>=0x09 && c<=0x0D);
  return c==0x85 || c==0xA0 || c==0x1680 || (c>=0x2000 && c<=0x200A)
      || c==0x2028 || c==0x2029 || c==0x202F || c==0x205F || c==0x3000;
}
/* Python's str.isspace(): White_Space plus U+001C..U+001F, what Python's
** str.split() and str.strip() cut at (and so datatrove, the janitor). */
int corpus_py_isspace(int32_t c);
/* Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt 15.0,
** reserved code points included), which normalize() drops by default. */
int corpus_default_ignorable(int32_t c);

/* Code points in z[0..n-1] as the bytes that are not UTF-8 continuation
** bytes (exact for valid UTF-8), eight bytes at a time.  Inline: it runs
** once per line and per word in quality.c's hot path. */
static inline size_t corpus_utf8_count(const char *z, size_t n){
  size_t i = 0, cont = 0;
  /* a continuation byte has bit 7 set and bit 6 clear */
  for(; i+8<=n; i+=8){
    uint64_t w;
    memcpy(&w, z+i, 8);
    w = (w & ~(w<<1) & 0x8080808080808080ULL) >> 7;
    cont += (size_t)((w * 0x0101010101010101ULL) >> 56);
  }
  for(; i<n; i++) cont += ((unsigned char)z[i] & 0xC0)==0x80;
  return n - cont;
}

/* Character offsets of a series of growing byte offsets into one text,
** each counted on from the last (start from a zeroed counter), so that
** many offsets cost one pass. */
typedef struct corpus_char_counter { size_t byte, chars; } corpus_char_counter;
static inline size_t corpus_char_offset(corpus_char_counter *c, const char *z,
                                        size_t byte){
  c->chars += corpus_utf8_count(z+c->byte, byte-c->byte);
  c->byte = byte;
  return c->chars;
}

/* The code point at z[i] of z[0..n-1] (i < n) and its length in *len; an
** invalid subpart is one U+FFFD, as corpus_utf8_decode() reads it. */
static inline int32_t corpus_cp_at(const char *z, size_t n, size_t i,
                                   size_t *len){
  const unsigned char *u = (const unsigned char*)z + i;
  if( u[0]<0x80 ){ *len = 1; return u[0]; }
  return corpus_utf8_decode(u, n-i, len);
}

/* Whether code point c is in r[0..n-1], sorted disjoint [lo, hi] ranges,
** or in a[0..n-1], a sorted list: a binary search over a table of
** character data. */
static inline int corpus_cp_in_ranges(const int32_t (*r)[2], size_t n,
                                      int32_t c){
  size_t lo = 0, hi = n;
  while( lo<hi ){
    size_t mid = lo + (hi-lo)/2;
    if( c<r[mid][0] ) hi = mid;
    else if( c>r[mid][1] ) lo = mid+1;
    else return 1;
  }
  return 0;
}
static inline int corpus_cp_in_list(const int32_t *a, size_t n, int32_t c){
  size_t lo = 0, hi = n;
  while( lo<hi ){
    size_t mid = lo + (hi-lo)/2;
    if( c<a[mid] ) hi = mid;
    else if( c>a[mid] ) lo = mid+1;
    else return 1;
  }
  return 0;
}
#define CORPUS_COUNT(a) (sizeof(a)/sizeof((a)[0]))

/* ---- Base: growable buffers (base.c) -------------------------------------- */

/* Appends z[0..n-1] to a growable buffer, with each invalid UTF-8 sequence
** replaced by U+FFFD.  Returns 0 or -1 (out of memory). */
typedef struct corpus_buf { char *z; size_t n, cap; } corpus_buf;
int corpus_buf_append(corpus_buf *b, const char *z, size_t n);
/* Makes room for extra more bytes and a NUL: 0 or -1 (out of memory). */
int corpus_buf_reserve(corpus_buf *b, size_t extra);
int corpus_buf_append_utf8(corpus_buf *b, const char *z, size_t n);
/* An option's text kept: b's content replaced by the NUL-terminated z, each
** invalid UTF-8 sequence U+FFFD.  0, or CORPUS_NOMEM (a corpus_option_fn's
** return). */
int corpus_buf_set_option(corpus_buf *b, const char *z);
/* A finite double as the fewest digits of "%.15g" to "%.17g" that read
** back as the same double, into out (32 bytes): 0.1, 2.5, 1e+300. */
void corpus_double_text(double v, char *out);
/* Rewrites err (a NUL-terminated message in a CORPUS_ERRMAX buffer) as
** valid UTF-8: each invalid subpart U+FFFD, cut at a character when that
** makes it longer.  For the core's messages that quote user bytes. */
void corpus_err_utf8(char *err);
/* Appends the text as a JSON string literal, quotes included. */
int corpus_buf_append_json_string(corpus_buf *b, const char *z, size_t n);


/* ---- Base: option values (options.c) -------------------------------------- */

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
/* A memory budget: a number of MiB in 0..CORPUS_OPTION_MIB_MAX, as bytes
** (at most SIZE_MAX), else "KEY must be a number of MiB in 0..16777216,
** got VALUE" and -1. */
#define CORPUS_OPTION_MIB_MAX 16777216
int corpus_option_mib(const char *key, const char *value, size_t *bytes,
                      char *err);
/* A number in (0, 1] (a Jaccard threshold), else "KEY must be in (0, 1],
** got VALUE" (or the error of a non-number) and -1. */
int corpus_option_fraction(const char *key, const char *value, double *out,
                           char *err);


/* ---- Areas' cores ----------------------------------------------------------- */

/* LSH banding for a threshold (lsh.c), as minhash_index and near_duplicates
** take it: bands and rows both 0 (not given) become lsh_params(threshold,
** num_perm, 0.05, 0.95), the recipe's recall-oriented choice (16 x 8 at 0.8
** and 128); one given alone takes num_perm / it for the other.  Returns 0,
** or -1 with the message (without the function's name) in err. */
int corpus_lsh_banding(double threshold, int num_perm, int *bands, int *rows,
                       char *err);

/* Tokenizer objects; corpus_tokenizer_find() (tokenize.c) has them all.
** "words": runs of letters, marks and numbers (L*, M*, N*); a character of a
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
/* The longest pre-token piece an encoding merges (its state is 4 bytes a
** byte per array): a longer one makes the tokenizer return SQLITE_TOOBIG. */
#define CORPUS_BPE_MAX_PIECE (CORPUS_MAX_ALLOC/4)
/* Parses a specials option value (none, all, or special tokens separated by
** commas) for a BPE tokenizer into a specials mask. */
int corpus_bpe_specials(const corpus_tokenizer *tok, const char *value,
                        unsigned *out, char *err);
/* The bytes of token id (NULL if the encoding has no such id). */
const unsigned char *corpus_bpe_token_bytes(const corpus_tokenizer *tok,
                                            int64_t id, size_t *len);

/* N-grams: the span of one token, and the n-gram text of a window of them. */
typedef struct corpus_span { size_t start, end; int64_t id; } corpus_span;
/* Writes the n-gram made of spans[0..count-1] of z into b (b->n reset). */
int corpus_ngram_text(const char *z, const corpus_span *spans, int count,
                      int unit, corpus_buf *b);
/* The text of that n-gram: where it stands in z when it can be (z valid
** UTF-8, words one space apart), else built in b.  0 or -1 (no memory). */
int corpus_ngram_get(const char *z, int valid, int unit,
                     const corpus_span *spans, int count, corpus_buf *b,
                     const char **pz, size_t *pn);

/* Union-find over dense indexes 0..n-1 (cluster.c): union by size, path
** halving, 8 bytes an index.  dedup_verify() and near_duplicates() join
** document indexes with it; corpus_uf maps 64-bit ids onto it. */
typedef struct corpus_dsu { uint32_t *parent, *size; uint32_t n, cap; } corpus_dsu;
/* n singletons (a zeroed corpus_dsu grows by corpus_dsu_add): 0 or -1. */
int corpus_dsu_init(corpus_dsu *d, uint32_t n);
void corpus_dsu_free(corpus_dsu *d);
/* A new singleton, index n (the arrays doubled when full): it, or -1. */
int64_t corpus_dsu_add(corpus_dsu *d);
uint32_t corpus_dsu_find(corpus_dsu *d, uint32_t x);
void corpus_dsu_union(corpus_dsu *d, uint32_t x, uint32_t y);
/* The indexes in components of two or more, ascending, each with the
** least index of its component: two new arrays of *count entries; 0 or
** -1 (no memory). */
int corpus_dsu_clusters(corpus_dsu *d, int64_t **ids, int64_t **clusters,
                        uint32_t *count);

/* Union-find over 64-bit ids (cluster.c). */
typedef struct corpus_uf corpus_uf;
corpus_uf *corpus_uf_new(void);
void corpus_uf_free(corpus_uf *u);
int corpus_uf_union(corpus_uf *u, int64_t a, int64_t b);  /* 0 or -1 */
/* Whether a and b are in one component (0 when either was never added). */
int corpus_uf_connected(corpus_uf *u, int64_t a, int64_t b);
uint32_t corpus_uf_count(const corpus_uf *u);
/* Ids ascending, each with the least id of its component (new arrays). */
int corpus_uf_clusters(corpus_uf *u, int64_t **ids, int64_t **clusters);

/*
** Candidate pairs verified in passes over the documents under a memory
** budget (cluster.c): the scheme of dedup_verify() and near_duplicates().
** Pairs are document indexes hi<<32 | lo (lo < hi), sorted and distinct.
** A pass reads the documents in index order from its first (*first of
** corpus_passes_begin) and holds what the caller makes of each document
** with pairs to later ones (a shingle set, a signature) from when it is
** read until its last such pair is verified, while the bytes held stay
** within the budget: the first document that would pass it closes the
** pass's window of held documents [start, end), and the next pass begins
** there.  A pair is verified in the pass whose window holds its earlier
** document, when its later one is read; so each pair once, each document
** made once where it is held and once a pass where it is the later one of
** a pair; one pass when everything fits.  At least one document is held a
** pass, whatever the budget, so there are at most as many passes as
** documents with later pairs.  A pass ends when it is over (below) or
** its documents are: then what is still held (documents start to
** held_end) goes (pairs whose later document never came are not
** verified) and the next pass begins.
*/
/* The budget of dedup_verify's memory= and near_duplicates' verify_memory=
** (bytes; 0 holds one document at a time). */
#define CORPUS_PASSES_MEMORY_DEFAULT ((size_t)256<<20)
typedef struct corpus_passes {
  const uint64_t *pairs;      /* not owned */
  size_t npair;
  uint32_t *left;             /* per document: its later pairs to come */
  uint32_t start, end;        /* the window; end 0xFFFFFFFF while open */
  size_t next;                /* the first pair of the documents to come */
  size_t budget, held;        /* bytes: the most to hold; held now */
  uint32_t nheld;             /* documents held now */
  uint32_t held_end;          /* one past the last document held a pass */
  int npass;                  /* passes begun */
} corpus_passes;
/* 0, or -1 (no memory). */
int corpus_passes_init(corpus_passes *p, const uint64_t *pairs, size_t npair,
                       uint32_t ndoc, size_t budget);
void corpus_passes_free(corpus_passes *p);
/* 1 and the pass's first document in *first, or 0 when all are verified. */
int corpus_passes_begin(corpus_passes *p, uint32_t *first);
/* Document i is read (ascending in a pass): pairs[*b..*e) are to verify
** now (its earlier documents held).  Whether i is needed at all: it has
** pairs now, or it may be held. */
int corpus_passes_doc(corpus_passes *p, uint32_t i, size_t *b, size_t *e);
/* Whether document i, read now, is to be made for holding (if it fits). */
int corpus_passes_may_hold(const corpus_passes *p, uint32_t i);
/* Pair k is verified or skipped: 1 when its earlier document has no more
** pairs (what is held of it can go: corpus_passes_drop when held). */
int corpus_passes_done(corpus_passes *p, size_t k);
/* Whether to hold document i, of that many bytes (counted when 1). */
int corpus_passes_hold(corpus_passes *p, uint32_t i, size_t bytes);
void corpus_passes_drop(corpus_passes *p, size_t bytes);
/* Whether the pass has nothing left to do (its window closed, and every
** document held in it let go): stop reading. */
int corpus_passes_over(const corpus_passes *p);

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
  /* Asked every 4096 documents of training (epochs x sample can take
  ** minutes): nonzero stops it.  NULL by default. */
  int (*interrupted)(void*);
  void *interrupt_arg;
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
** Returns 0, -1 (out of memory), 1 (err written: one label only, or
** diverged) or 2 (o.interrupted said stop). */
int corpus_trainer_finish(corpus_trainer *t, unsigned char **out,
                          size_t *nout, char *err);
void corpus_trainer_free(corpus_trainer *t);
/* A decoded model points into its BLOB.  corpus_model_decode() checks the
** header (its floats finite); corpus_model_check_weights() the 2^bits
** weights (none NaN or infinite: a crafted BLOB would score NaN), a scan
** a caller does once per model.  Both return 0 or -1 with err written. */
typedef struct corpus_model {
  int flags, ngram, bits, epochs;
  uint32_t documents, positives;
  float bias, lr, l2;
  uint64_t seed, rows;
  const unsigned char *weights;   /* 2^bits little-endian float32 */
} corpus_model;
int corpus_model_decode(const unsigned char *z, size_t n, corpus_model *m,
                        char *err);
int corpus_model_check_weights(const corpus_model *m, char *err);
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
/* The same, with *why a static phrase that says what was wrong there
** ("expected ',' or '}'", "unterminated string", ...). */
int corpus_json_check_why(const char *z, size_t n, size_t *errpos,
                          const char **why);
/* The same, and strings must be valid UTF-8: 1 (not -1) when the fault
** is an invalid sequence in a string, at *errpos.  A byte that is not
** ASCII outside a string is a JSON error either way. */
int corpus_json_check_utf8(const char *z, size_t n, size_t *errpos,
                           const char **why);
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
/* The same for a text known to be valid UTF-8 (not checked again). */
int corpus_json_append_text_valid(corpus_json v, corpus_buf *b);
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
** The n-grams of lm-evaluation-harness's janitor (ngram_index.c), which the
** ngram_index stores and decontam.c looks up: ASCII letters lowercased,
** ASCII punctuation deleted, split on white space (Python's str.split());
** a chunk of punctuation alone is no word.  cb gets each n-gram's hash,
** the index of its first word and its byte span (from its first word's
** chunk to its last's).
**
** corpus_janitor_scan() gives the opt->n-grams, and with opt->mask the
** k-grams too for each k whose bit k-1 is set (k < n), all ending at a
** word before any ending at the next; with opt->whole, a text of 1..n-1
** words gives one gram of them all; with opt->fold, typographic quotes and
** dashes read as their ASCII forms and Default_Ignorable code points are
** dropped.  *words (when not NULL) gets the number of words.  Both return
** 0, -1 (out of memory, or n not 1..CORPUS_JANITOR_MAX) or cb's nonzero
** return.
*/
#define CORPUS_JANITOR_MAX 64
typedef int (*corpus_janitor_fn)(void *ctx, uint64_t hash, size_t word,
                                 size_t start, size_t end);
typedef struct corpus_janitor_opts { int n, fold, whole; uint64_t mask; }
  corpus_janitor_opts;
int corpus_janitor_scan(const char *z, size_t n, const corpus_janitor_opts *opt,
                        corpus_janitor_fn cb, void *ctx, size_t *words);
int corpus_janitor_grams(const char *z, size_t n, int ngram,
                         corpus_janitor_fn cb, void *ctx);

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

/*
** Files read and written whole (stream.c): the readers and writer of the
** file functions (jsonl.c, warc.c, files.c).  No SQLite.
**
** A corpus_reader gives the decompressed bytes of one file through a
** window: corpus_reader_fill() makes at least `want` bytes available at
** the current position (fewer only at the end of the data), the caller
** reads them at r->z[r->pos .. r->end) and advances r->pos itself.  The
** compression is found from the first bytes, never from the name: gzip
** (1f 8b; concatenated members read as one stream, as gzip -d does),
** zstd (28 b5 2f fd; concatenated frames likewise, skippable frames
** skipped), else the bytes as they are.  A truncated or corrupt
** compressed file is always an error naming the byte offset in the file,
** never a short read that looks like the end.
**
** Errors: functions return 0 (or a count), -1 with r->err set to a
** message that starts with the path ("a.jsonl.gz: truncated gzip data at
** byte 1234"), or CORPUS_NOMEM (err not written).
*/
#define CORPUS_PLAIN 0
#define CORPUS_GZIP  1
#define CORPUS_ZSTD  2
typedef struct corpus_reader corpus_reader;
struct corpus_reader {
  char *z;                  /* the window: z[pos..end) is unread */
  size_t pos, end;
  long long base;           /* decompressed offset of z[0] */
  long long raw;            /* bytes of the file read so far */
  long long size;           /* the file's size in bytes (-1: not known) */
  int format;               /* CORPUS_PLAIN, CORPUS_GZIP, CORPUS_ZSTD */
  int eof;                  /* the decompressed data has ended */
  char err[CORPUS_ERRMAX + 1024];   /* the message of the last error */
  /* Asked every few blocks read, when set: nonzero stops the read with
  ** -1, interrupted set and err "interrupted" (a skip over a huge line or
  ** a resync over a huge file is a loop SQLite cannot stop). */
  int (*xInterrupted)(void*);
  void *pInterruptArg;
  int interrupted;
  struct corpus_reader_impl *impl;  /* file, decoder state (stream.c) */
};
/* Opens path ("-" is not special): *out, or -1 with the message in err
** (CORPUS_ERRMAX+1024 bytes), e.g. "x.jsonl: No such file or directory"
** or "x: is a directory".  A regular file, a FIFO or a socket
** (/dev/stdin): a device is refused ("is a device"), and a FIFO is opened
** without waiting for a writer (with none, it is at its end).  An empty
** file is a reader at its end. */
int corpus_reader_open(const char *path, corpus_reader **out, char *err);
/* Makes want bytes available at r->pos (moving the window, which
** invalidates pointers into it): returns end-pos, less than want only at
** the end of the data; -1 (r->err) or CORPUS_NOMEM. */
long long corpus_reader_fill(corpus_reader *r, size_t want);
/* The decompressed offset of z[i]. */
#define corpus_reader_offset(r, i) ((r)->base + (long long)(i))
/* The gzip member or zstd frame that the decompressed offset off lies in,
** or the last one started: its offset in the file and its first
** decompressed offset (for a plain file, off itself both).  Known for
** offsets in the window and the member before it.  WARC files gzip each
** record as a member of its own, and a record is found again by the
** member's offset (warcio). */
void corpus_reader_member(corpus_reader *r, long long off, long long *file_off,
                          long long *start);
void corpus_reader_close(corpus_reader *r);

/* The regular files matching a glob(7) pattern, in sorted (byte) order
** (what else a wildcard matches, directories, FIFOs, devices, dangling
** links, is left out); a pattern without * ? [ is the one path, checked
** only when opened.  0, -1 with
** "PATTERN: no file matches" in err, or CORPUS_NOMEM.  Free with
** corpus_paths_free(). */
typedef struct corpus_paths { char **path; size_t n; } corpus_paths;
int corpus_glob(const char *pattern, corpus_paths *out, char *err);
void corpus_paths_free(corpus_paths *p);
/* The sizes of the regular files among them, in bytes (progress's total). */
long long corpus_paths_bytes(const corpus_paths *p);

/*
** A corpus_writer writes one file atomically: bytes go to a temporary
** file in the same directory ("NAME.tmp-XXXXXX"), compressed by the
** final name's extension (.gz: gzip, .zst: zstd, else plain);
** corpus_writer_finish() flushes and fsyncs it, corpus_writer_commit()
** renames it to the final name (refusing an existing file unless
** overwrite), corpus_writer_abort() removes it.  A file that was not
** committed never exists under its final name.  Errors as the reader's,
** the message starting with the final path.
*/
typedef struct corpus_writer corpus_writer;
struct corpus_writer {
  long long bytes;          /* uncompressed bytes written */
  long long raw;            /* bytes in the file (known after finish) */
  char err[CORPUS_ERRMAX + 1024];
  struct corpus_writer_impl *impl;
};
/* level: gzip 1..9, zstd 1..19 (0: the library's default). */
int corpus_writer_open(const char *path, int overwrite, int level,
                       corpus_writer **out, char *err);
int corpus_writer_write(corpus_writer *w, const void *z, size_t n);
int corpus_writer_finish(corpus_writer *w);
int corpus_writer_commit(corpus_writer *w);
/* Removes the temporary file (if not committed) and frees w; NULL is a
** no-op. */
void corpus_writer_abort(corpus_writer *w);
/* Whether path exists (lstat). */
int corpus_path_exists(const char *path);

/*
** Progress on stderr for long work (progress=on): rows, bytes, rate and,
** when the total is known, percent and ETA, on one line redrawn at most
** four times a second (a new line every 10 s when stderr is not a
** terminal), and a last line with a newline at the end.  Never stdout.
*/
typedef struct corpus_progress {
  int on;
  const char *what;         /* "read_jsonl", shown first */
  long long total;          /* bytes, or -1 */
  long long rows, bytes;
  double t0, last;          /* seconds (CLOCK_MONOTONIC) */
  unsigned tick;
} corpus_progress;
void corpus_progress_start(corpus_progress *p, int on, const char *what,
                           long long total);
/* Cheap when called for every row: the clock is read every 256 calls. */
void corpus_progress_update(corpus_progress *p, long long rows,
                            long long bytes);
void corpus_progress_end(corpus_progress *p);

#endif /* CORPUS_INT_H */
