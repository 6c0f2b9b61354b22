/*
** Quality heuristics: the Gopher quality and repetition rules, C4's line
** filter and FineWeb's rules, as datatrove (GopherQualityFilter,
** GopherRepetitionFilter, C4QualityFilter, FineWebQualityFilter) defines
** them, with thresholds from the papers (docs/references.md).
**
**   quality_signals(text [, options])  -> JSON object of every signal
**   quality_reject(text [, options])   -> NULL, or the first rule failed
**   quality_score(text [, options])    -> heuristic score in [0, 1]
**   c4_clean(text [, options])         -> C4's cleaned text, or NULL
**
** One call measures everything in a few linear passes: the tokens (once),
** the three notions of lines the rules use (Python's splitlines(), split on
** "\n", re.split("\n+")) and paragraphs, then the n-gram repetition passes
** over the tokens' hashes, which share one hash table.  Lines, paragraphs
** and n-grams are compared by 64-bit xxh3 hashes: a collision (about 2^-64
** per pair) would count two different pieces as one.
**
** Characters are code points, as Python's len() counts them.  The glue
** replaces invalid UTF-8 by U+FFFD first, so the core sees valid text.
*/
#define _GNU_SOURCE  /* memmem */
#define XXH_INLINE_ALL
#include <xxhash.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>
#include "corpus_sql.h"

/* ---- Signals and rules ---------------------------------------------------- */

static const char *const signal_names[CORPUS_QS_COUNT] = {
  "chars", "tokens", "words", "mean_word_length", "hash_ratio",
  "ellipsis_ratio", "lines", "bullet_lines_ratio", "ellipsis_lines_ratio",
  "alpha_words_ratio", "stop_words",
  "paragraphs", "dup_para_frac", "dup_para_chars", "rep_lines",
  "dup_line_frac", "dup_line_chars", "top_2gram", "top_3gram", "top_4gram",
  "dup_5gram", "dup_6gram", "dup_7gram", "dup_8gram", "dup_9gram",
  "dup_10gram",
  "c4_lines", "c4_kept_lines", "c4_sentences", "c4_long_word_lines",
  "c4_no_terminal_punct_lines", "c4_too_few_words_lines",
  "c4_javascript_lines", "c4_policy_lines", "c4_lorem_ipsum",
  "c4_curly_bracket",
  "fineweb_lines", "fineweb_punct_lines_ratio", "fineweb_short_lines_ratio",
  "fineweb_dup_line_chars", "fineweb_newline_ratio",
};

/* A rule fails when its signal compares with its threshold as op says
** (datatrove's comparisons).  OP_PAGE rules are C4's page drops, decided in
** line order.  ZERO_OFF: a threshold of 0 turns the rule off, as
** datatrove's `if self.threshold and ...` does for the Gopher rules. */
enum { OP_LT, OP_GT, OP_LE, OP_GE, OP_PAGE };
#define ZERO_OFF 8
typedef struct quality_rule {
  const char *name;
  int set;
  int signal;
  int op;
  double threshold;
} quality_rule;

#define GQ CORPUS_QSET_GOPHER_QUALITY
#define GR CORPUS_QSET_GOPHER_REPETITION
#define C4 CORPUS_QSET_C4
#define FW CORPUS_QSET_FINEWEB
static const quality_rule rules[CORPUS_QRULE_COUNT] = {
  {"gopher:min_words",      GQ, CORPUS_QS_WORDS,      OP_LT|ZERO_OFF, 50},
  {"gopher:max_words",      GQ, CORPUS_QS_WORDS,      OP_GT|ZERO_OFF, 100000},
  {"gopher:min_mean_word_length", GQ, CORPUS_QS_MEAN_WORD_LENGTH,
                                                      OP_LT|ZERO_OFF, 3},
  {"gopher:max_mean_word_length", GQ, CORPUS_QS_MEAN_WORD_LENGTH,
                                                      OP_GT|ZERO_OFF, 10},
  {"gopher:hash_ratio",     GQ, CORPUS_QS_HASH_RATIO, OP_GT|ZERO_OFF, 0.1},
  {"gopher:ellipsis_ratio", GQ, CORPUS_QS_ELLIPSIS_RATIO, OP_GT|ZERO_OFF, 0.1},
  {"gopher:bullet_lines",   GQ, CORPUS_QS_BULLET_LINES_RATIO,
                                                      OP_GT|ZERO_OFF, 0.9},
  {"gopher:ellipsis_lines", GQ, CORPUS_QS_ELLIPSIS_LINES_RATIO,
                                                      OP_GT|ZERO_OFF, 0.3},
  {"gopher:alpha_words",    GQ, CORPUS_QS_ALPHA_WORDS_RATIO,
                                                      OP_LT|ZERO_OFF, 0.8},
  {"gopher:stop_words",     GQ, CORPUS_QS_STOP_WORDS, OP_LT|ZERO_OFF, 2},
  {"gopher:dup_para_frac",  GR, CORPUS_QS_DUP_PARA_FRAC,  OP_GT|ZERO_OFF, 0.30},
  {"gopher:dup_para_chars", GR, CORPUS_QS_DUP_PARA_CHARS, OP_GT|ZERO_OFF, 0.20},
  {"gopher:dup_line_frac",  GR, CORPUS_QS_DUP_LINE_FRAC,  OP_GT|ZERO_OFF, 0.30},
  {"gopher:dup_line_chars", GR, CORPUS_QS_DUP_LINE_CHARS, OP_GT|ZERO_OFF, 0.20},
  {"gopher:top_2gram",      GR, CORPUS_QS_TOP_2GRAM,      OP_GT, 0.20},
  {"gopher:top_3gram",      GR, CORPUS_QS_TOP_3GRAM,      OP_GT, 0.18},
  {"gopher:top_4gram",      GR, CORPUS_QS_TOP_4GRAM,      OP_GT, 0.16},
  {"gopher:dup_5gram",      GR, CORPUS_QS_DUP_5GRAM,      OP_GT, 0.15},
  {"gopher:dup_6gram",      GR, CORPUS_QS_DUP_6GRAM,      OP_GT, 0.14},
  {"gopher:dup_7gram",      GR, CORPUS_QS_DUP_7GRAM,      OP_GT, 0.13},
  {"gopher:dup_8gram",      GR, CORPUS_QS_DUP_8GRAM,      OP_GT, 0.12},
  {"gopher:dup_9gram",      GR, CORPUS_QS_DUP_9GRAM,      OP_GT, 0.11},
  {"gopher:dup_10gram",     GR, CORPUS_QS_DUP_10GRAM,     OP_GT, 0.10},
  {"c4:lorem_ipsum",        C4, CORPUS_QS_C4_LOREM_IPSUM,   OP_PAGE, 1},
  {"c4:curly_bracket",      C4, CORPUS_QS_C4_CURLY_BRACKET, OP_PAGE, 1},
  {"c4:too_few_sentences",  C4, CORPUS_QS_C4_SENTENCES,     OP_LT, 5},
  {"fineweb:empty",         FW, CORPUS_QS_FINEWEB_LINES,    OP_LT, 1},
  {"fineweb:punct_lines", FW, CORPUS_QS_FINEWEB_PUNCT_LINES_RATIO, OP_LT, 0.12},
  {"fineweb:short_lines", FW, CORPUS_QS_FINEWEB_SHORT_LINES_RATIO, OP_GT, 0.67},
  {"fineweb:dup_line_chars", FW, CORPUS_QS_FINEWEB_DUP_LINE_CHARS, OP_GT, 0.01},
  {"fineweb:newline_ratio", FW, CORPUS_QS_FINEWEB_NEWLINE_RATIO,   OP_GT, 0.3},
};
#define RULE_LOREM 23
#define RULE_CURLY 24
#define RULE_SENTENCES 25

static const char *const set_names[CORPUS_QSET_COUNT] = {
  "gopher_quality", "gopher_repetition", "c4", "fineweb"
};

const char *corpus_quality_signal_name(int s){
  return s>=0 && s<CORPUS_QS_COUNT ? signal_names[s] : 0;
}
const char *corpus_quality_rule_name(int r){
  return r>=0 && r<CORPUS_QRULE_COUNT ? rules[r].name : 0;
}

void corpus_quality_init(corpus_quality_opts *o){
  int i;
  memset(o, 0, sizeof(*o));
  for(i=0; i<CORPUS_QSET_COUNT; i++) o->sets[i] = i;
  o->nset = CORPUS_QSET_COUNT;
  for(i=0; i<CORPUS_QRULE_COUNT; i++) o->threshold[i] = rules[i].threshold;
  o->c4_min_words_per_line = 3;
  o->c4_sentencizer = CORPUS_C4_SENTENCES_SPACY;
  o->c4_max_word_length = 1000;
  o->c4_citations = o->c4_terminal_punct = 1;
  o->c4_javascript = o->c4_policy = 1;
  o->fineweb_short_line_length = 30;
}

static int on_off(const char *key, const char *value, int *out, char *err){
  int v = corpus_option_choice(key, value, "on|off", err);
  if( v<0 ) return -1;
  *out = v==0;
  return 0;
}

#define SET_NAMES_VALID "(valid: gopher_quality, gopher_repetition, c4, " \
                        "fineweb, and gopher for both Gopher sets)"

static int list_sep(char c){
  return c==',' || (c!=0 && strchr(" \t\n\r\f\v", c)!=0);
}

/* Adds set k to the list, once. */
static int set_add(corpus_quality_opts *o, int k, int gopher, char *err){
  int i;
  for(i=0; i<o->nset; i++){
    if( o->sets[i]==k ){
      snprintf(err, CORPUS_ERRMAX, "rule set '%s' given twice%s", set_names[k],
               gopher ? " (gopher is gopher_quality,gopher_repetition)" : "");
      return -1;
    }
  }
  o->sets[o->nset++] = k;
  return 0;
}

/* rules='gopher,c4': the sets, in the order given, separated by commas or
** white space; gopher is gopher_quality,gopher_repetition. */
static int set_list(corpus_quality_opts *o, const char *value, char *err){
  const char *p = value;
  int gopher = 0;   /* whether 'gopher' was given, for the duplicate error */
  o->nset = 0;
  for(;;){
    const char *e;
    size_t n;
    int k, found = -1;
    while( list_sep(*p) ) p++;
    if( *p==0 ) break;
    for(e=p; *e && !list_sep(*e); e++){}
    n = (size_t)(e-p);
    if( n==6 && memcmp(p, "gopher", 6)==0 ){
      gopher = 1;
      if( set_add(o, CORPUS_QSET_GOPHER_QUALITY, gopher, err)
       || set_add(o, CORPUS_QSET_GOPHER_REPETITION, gopher, err) ){
        return -1;
      }
      p = e;
      continue;
    }
    for(k=0; k<CORPUS_QSET_COUNT; k++){
      if( strlen(set_names[k])==n && memcmp(set_names[k], p, n)==0 ) found = k;
    }
    if( found<0 ){
      snprintf(err, CORPUS_ERRMAX, "unknown rule set '%.*s' " SET_NAMES_VALID,
               n>40 ? 40 : (int)n, p);
      return -1;
    }
    if( set_add(o, found, gopher, err) ) return -1;
    p = e;
  }
  if( o->nset==0 ){
    snprintf(err, CORPUS_ERRMAX, "rules names no rule set " SET_NAMES_VALID);
    return -1;
  }
  return 0;
}

int corpus_quality_option(void *ctx, const char *key, const char *value,
                          char *err){
  corpus_quality_opts *o = (corpus_quality_opts*)ctx;
  long long v;
  int r;
  if( strcmp(key, "rules")==0 ) return set_list(o, value, err);
  if( strcmp(key, "c4.preset")==0 ){
    /* datatrove's C4QualityFilter defaults, or the TFDS C4 code's */
    int v = corpus_option_choice(key, value, "datatrove|tfds", err);
    if( v<0 ) return -1;
    o->c4_min_words_per_line = v==0 ? 3 : 5;
    o->threshold[RULE_SENTENCES] = v==0 ? 5 : 3;
    o->c4_sentencizer = v==0 ? CORPUS_C4_SENTENCES_SPACY
                             : CORPUS_C4_SENTENCES_RULE;
    return 0;
  }
  if( strcmp(key, "c4.min_words_per_line")==0 ){
    if( corpus_option_int(key, value, 0, 1000000, &v, err) ) return -1;
    o->c4_min_words_per_line = (int)v;
    return 0;
  }
  if( strcmp(key, "c4.max_word_length")==0 ){
    if( corpus_option_int(key, value, 1, 1000000000, &v, err) ) return -1;
    o->c4_max_word_length = (int)v;
    return 0;
  }
  if( strcmp(key, "fineweb.short_line_length")==0 ){
    if( corpus_option_int(key, value, 0, 1000000000, &v, err) ) return -1;
    o->fineweb_short_line_length = (int)v;
    return 0;
  }
  if( strcmp(key, "c4.citations")==0 ) return on_off(key, value, &o->c4_citations, err);
  if( strcmp(key, "c4.terminal_punct")==0 ){
    return on_off(key, value, &o->c4_terminal_punct, err);
  }
  if( strcmp(key, "c4.javascript")==0 ) return on_off(key, value, &o->c4_javascript, err);
  if( strcmp(key, "c4.policy")==0 ) return on_off(key, value, &o->c4_policy, err);
  /* <set>.<rule>: the rule's threshold, or off */
  for(r=0; r<CORPUS_QRULE_COUNT; r++){
    const char *n = rules[r].name;
    size_t colon = strcspn(n, ":");
    if( strncmp(key, n, colon)==0 && key[colon]=='.'
     && strcmp(key+colon+1, n+colon+1)==0 ){
      if( strcmp(value, "off")==0 ){
        o->threshold[r] = NAN;
      }else if( (rules[r].op & ~ZERO_OFF)==OP_PAGE ){
        int on;
        if( on_off(key, value, &on, err) ) return -1;
        o->threshold[r] = on ? 1 : NAN;
      }else if( corpus_option_double(key, value, -1e300, 1e300,
                                     &o->threshold[r], err) ){
        return -1;
      }
      return 0;
    }
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: rules, "
           "<set>.<rule> such as gopher.min_words, c4.preset, "
           "c4.min_words_per_line, "
           "c4.max_word_length, c4.citations, c4.terminal_punct, "
           "c4.javascript, c4.policy, fineweb.short_line_length)", key);
  return -1;
}

/* ---- Characters ------------------------------------------------------------ */


static const unsigned char ascii_space[128] = {
  0,0,0,0,0,0,0,0, 0,1,1,1,1,1,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,1,1,1,1,
  1,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,
  0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,
};

/* Whether the code point at z[i] (of z[0..n-1]) is white space; *len gets
** its length. */
/* For valid UTF-8 at u (lead byte >= 0x80): its length, and whether it is
** white space, read from the bytes without decoding (the white space
** above ASCII: U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029,
** U+202F, U+205F, U+3000). */
static inline int nonascii_space(const unsigned char *u, size_t avail,
                                 size_t *len){
  size_t l = u[0]<0xE0 ? 2 : u[0]<0xF0 ? 3 : 4;
  *len = l<=avail ? l : avail;
  if( *len<l ) return 0;
  if( l==2 ) return u[0]==0xC2 && (u[1]==0x85 || u[1]==0xA0);
  if( l==3 ){
    if( u[0]==0xE2 ){
      return (u[1]==0x80 && (u[2]<=0x8A || u[2]==0xA8 || u[2]==0xA9
                             || u[2]==0xAF))
          || (u[1]==0x81 && u[2]==0x9F);
    }
    return (u[0]==0xE1 && u[1]==0x9A && u[2]==0x80)
        || (u[0]==0xE3 && u[1]==0x80 && u[2]==0x80);
  }
  return 0;
}

static inline int space_at(const char *z, size_t n, size_t i, size_t *len){
  const unsigned char *u = (const unsigned char*)z + i;
  if( u[0]<0x80 ){ *len = 1; return ascii_space[u[0]]; }
  return nonascii_space(u, n-i, len);
}


/* The start of the code point that ends at byte e (e>0). */
static size_t cp_before(const char *z, size_t e){
  do e--; while( e>0 && ((unsigned char)z[e] & 0xC0)==0x80 );
  return e;
}

/* Python's strip(): narrows [*a, *b) past white space at both ends. */
static void py_strip(const char *z, size_t *a, size_t *b){
  size_t len;
  while( *a<*b && space_at(z, *b, *a, &len) ) *a += len;
  while( *b>*a ){
    size_t p = cp_before(z, *b);
    if( !space_at(z, *b, p, &len) ) break;
    *b = p;
  }
}

static int ends_with(const char *z, size_t a, size_t b, const char *s){
  size_t k = strlen(s);
  return b-a>=k && memcmp(z+b-k, s, k)==0;
}

/* ---- Sets of 64-bit keys, each with a 32-bit value -------------------------- */

/* Open addressing with linear probing; the table doubles when 3/4 full, so
** it holds about twice as many slots as distinct keys (12 bytes each). */
typedef struct hset {
  uint64_t *key;      /* 0 marks an empty slot; key 0 is stored as 1 */
  uint32_t *value;
  size_t mask, n;
} hset;

static int hset_init(hset *h, size_t expect){
  size_t cap = 16;
  while( cap*3 < expect*4 ) cap <<= 1;
  h->key = corpus_realloc(0, cap*sizeof(uint64_t));
  h->value = corpus_realloc(0, cap*sizeof(uint32_t));
  if( h->key==0 || h->value==0 ){
    corpus_free(h->key);
    corpus_free(h->value);
    memset(h, 0, sizeof(*h));
    return -1;
  }
  memset(h->key, 0, cap*sizeof(uint64_t));
  h->mask = cap-1;
  h->n = 0;
  return 0;
}

static void hset_free(hset *h){
  corpus_free(h->key);
  corpus_free(h->value);
  memset(h, 0, sizeof(*h));
}

/* Keys need not be uniform (a 2-gram's key is its two ids): the home slot
** comes from the high half of a multiplicative hash. */
static inline size_t hset_home(const hset *h, uint64_t key){
  return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 32) & h->mask;
}

/* The value of key, or 0 when absent. */
static uint32_t hset_lookup(const hset *h, uint64_t key){
  size_t i;
  if( key==0 ) key = 1;
  for(i=hset_home(h, key); h->key[i]; i=(i+1) & h->mask){
    if( h->key[i]==key ) return h->value[i];
  }
  return 0;
}

#define PLACED(p, i)     ((p)[(i)>>3] & (1u<<((i)&7)))
#define SET_PLACED(p, i) ((p)[(i)>>3] |= (unsigned char)(1u<<((i)&7)))

/* Doubles the table in place (realloc), so that the old and the new tables
** are never held at once: 24 bytes per old slot at the peak, not 36.  The
** entries are re-placed in one sweep: an entry goes to the first slot from
** its new home that is empty or holds an entry not yet placed, which it
** displaces and which is placed next; placed entries never move, so every
** slot between an entry's home and its slot stays full.  -1 when out of
** memory, the set unchanged (its arrays may have grown). */
static int hset_grow(hset *h){
  size_t cap = h->mask+1, ncap = 2*cap, j, i;
  uint64_t *key = corpus_realloc(h->key, ncap*sizeof(uint64_t));
  uint32_t *value;
  unsigned char *placed;
  if( key==0 ) return -1;
  h->key = key;
  value = corpus_realloc(h->value, ncap*sizeof(uint32_t));
  if( value==0 ) return -1;
  h->value = value;
  placed = corpus_realloc(0, ncap/8);
  if( placed==0 ) return -1;
  memset(placed, 0, ncap/8);
  memset(key+cap, 0, cap*sizeof(uint64_t));
  h->mask = ncap-1;
  for(j=0; j<ncap; j++){
    uint64_t k;
    uint32_t v;
    if( key[j]==0 || PLACED(placed, j) ) continue;
    k = key[j];
    v = value[j];
    key[j] = 0;
    for(;;){
      uint64_t k2;
      uint32_t v2;
      for(i=hset_home(h, k); key[i] && PLACED(placed, i); i=(i+1) & h->mask){}
      k2 = key[i];
      v2 = value[i];
      key[i] = k;
      value[i] = v;
      SET_PLACED(placed, i);
      if( k2==0 ) break;
      k = k2;      /* displaced before its turn: placed next */
      v = v2;
    }
  }
  corpus_free(placed);
  return 0;
}

/* The value of key, added with value 0 when new; valid until the next
** call.  NULL when out of memory (the set is unchanged). */
static uint32_t *hset_get(hset *h, uint64_t key){
  size_t i;
  if( key==0 ) key = 1;
  if( (h->n+1)*4 > (h->mask+1)*3 && hset_grow(h) ) return 0;
  for(i=hset_home(h, key); h->key[i]; i=(i+1) & h->mask){
    if( h->key[i]==key ) return &h->value[i];
  }
  h->key[i] = key;
  h->value[i] = 0;
  h->n++;
  return &h->value[i];
}

/* datatrove's find_duplicates over pieces given one at a time: the first
** occurrence of a piece is not a duplicate, each later one is.  The table
** starts small and grows: a text of many lines may have few distinct ones. */
typedef struct dup_count {
  hset set;
  double pieces, dups, dup_chars;
  int oom;
} dup_count;

/* Counts the piece z[a..b); returns its characters when it was seen
** before, else 0. */
static double dup_add(dup_count *d, const char *z, size_t a, size_t b){
  uint32_t *count = hset_get(&d->set, XXH3_64bits(z+a, b-a));
  double chars;
  if( count==0 ){
    d->oom = 1;
    return 0;
  }
  d->pieces++;
  if( (*count)++==0 ) return 0;
  chars = (double)corpus_utf8_count(z+a, b-a);
  d->dups++;
  d->dup_chars += chars;
  return chars;
}

/* The bytes that may start a line break of splitlines(). */
static const unsigned char line_break_byte[256] = {
  ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, [0x1C] = 1, [0x1D] = 1,
  [0x1E] = 1, [0xC2] = 1, [0xE2] = 1
};

/* ---- Tokens ---------------------------------------------------------------- */

/*
** The tokens are datatrove's split_into_words() for English: the tokens of
** spaCy's English tokenizer (spacy.c) without its white-space tokens.  A
** token is a word (for the word count and the mean word length) when it
** has a character outside datatrove's PUNCTUATION_SET, the set below.
*/

/* datatrove's PUNCTUATION_SET (PUNCTUATION and TERMINAL_PUNCTUATION of
** src/datatrove/utils/text.py, datatrove commit a649de7, 0.10.0), sorted;
** it holds the fullwidth digit one and most ASCII controls, as it is. */
static const int32_t dt_punctuation[] = {
  0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0xB, 0xC, 0xD, 0xE, 0xF,
  0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B,
  0x1C, 0x1D, 0x1E, 0x1F, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28,
  0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F, 0x3A, 0x3B, 0x3C, 0x3D, 0x3E,
  0x3F, 0x40, 0x5B, 0x5C, 0x5D, 0x5E, 0x5F, 0x60, 0x7B, 0x7C, 0x7D, 0x7E,
  0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8A,
  0x8B, 0x8C, 0x8D, 0x8E, 0x8F, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96,
  0x97, 0x98, 0x99, 0x9A, 0x9B, 0x9C, 0x9D, 0x9E, 0x9F, 0xAB, 0xB4, 0xBB,
  0x589, 0x61D, 0x61E, 0x61F, 0x6D4, 0x700, 0x701, 0x702, 0x7F9, 0x837,
  0x839, 0x83D, 0x83E, 0x964, 0x965, 0x104A, 0x104B, 0x1362, 0x1367, 0x1368,
  0x166E, 0x1735, 0x1736, 0x17D4, 0x17D5, 0x17D6, 0x17D9, 0x17DA, 0x1803,
  0x1809, 0x1944, 0x1945, 0x1AA8, 0x1AA9, 0x1AAA, 0x1AAB, 0x1B5A, 0x1B5B,
  0x1B5E, 0x1B5F, 0x1B7D, 0x1B7E, 0x1C3B, 0x1C3C, 0x1C7E, 0x1C7F, 0x2013,
  0x2014, 0x2019, 0x201C, 0x201D, 0x201E, 0x2026, 0x203C, 0x203D, 0x2047,
  0x2048, 0x2049, 0x2236, 0x2501, 0x25BA, 0x2E2E, 0x2E3C, 0x2E53, 0x2E54,
  0x3001, 0x3002, 0x3008, 0x3009, 0x300A, 0x300B, 0x300C, 0x300D, 0x3010,
  0x3011, 0xA4FF, 0xA60E, 0xA60F, 0xA6F3, 0xA6F7, 0xA876, 0xA877, 0xA8CE,
  0xA8CF, 0xA92F, 0xA9C8, 0xA9C9, 0xAA5D, 0xAA5E, 0xAA5F, 0xAAF0, 0xAAF1,
  0xABEB, 0xFE52, 0xFE56, 0xFE57, 0xFF01, 0xFF05, 0xFF08, 0xFF09, 0xFF0C,
  0xFF0E, 0xFF11, 0xFF1A, 0xFF1B, 0xFF1F, 0xFF5E, 0xFF61, 0x10A56, 0x10A57,
  0x10F55, 0x10F56, 0x10F57, 0x10F58, 0x10F59, 0x10F86, 0x10F87, 0x10F88,
  0x10F89, 0x11047, 0x11048, 0x110BE, 0x110BF, 0x110C0, 0x110C1, 0x11141,
  0x11142, 0x11143, 0x111C5, 0x111C6, 0x111CD, 0x111DE, 0x111DF, 0x11238,
  0x11239, 0x1123B, 0x1123C, 0x112A9, 0x1144B, 0x1144C, 0x115C2, 0x115C3,
  0x115C9, 0x115CA, 0x115CB, 0x115CC, 0x115CD, 0x115CE, 0x115CF, 0x115D0,
  0x115D1, 0x115D2, 0x115D3, 0x115D4, 0x115D5, 0x115D6, 0x115D7, 0x11641,
  0x11642, 0x1173C, 0x1173D, 0x1173E, 0x11944, 0x11946, 0x11A42, 0x11A43,
  0x11A9B, 0x11A9C, 0x11C41, 0x11C42, 0x11EF7, 0x11EF8, 0x11F43, 0x11F44,
  0x16A6E, 0x16A6F, 0x16AF5, 0x16B37, 0x16B38, 0x16B44, 0x16E98, 0x1BC9F,
  0x1DA88,
};
static const int32_t dt_terminal_punctuation[] = {
  0x21, 0x2E, 0x3F, 0x589, 0x61D, 0x61E, 0x61F, 0x6D4, 0x700, 0x701, 0x702,
  0x7F9, 0x837, 0x839, 0x83D, 0x83E, 0x964, 0x965, 0x104A, 0x104B, 0x1362,
  0x1367, 0x1368, 0x166E, 0x1735, 0x1736, 0x17D4, 0x17D5, 0x17D6, 0x17D9,
  0x17DA, 0x1803, 0x1809, 0x1944, 0x1945, 0x1AA8, 0x1AA9, 0x1AAA, 0x1AAB,
  0x1B5A, 0x1B5B, 0x1B5E, 0x1B5F, 0x1B7D, 0x1B7E, 0x1C3B, 0x1C3C, 0x1C7E,
  0x1C7F, 0x203C, 0x203D, 0x2047, 0x2048, 0x2049, 0x2E2E, 0x2E3C, 0x2E53,
  0x2E54, 0x3002, 0xA4FF, 0xA60E, 0xA60F, 0xA6F3, 0xA6F7, 0xA876, 0xA877,
  0xA8CE, 0xA8CF, 0xA92F, 0xA9C8, 0xA9C9, 0xAA5D, 0xAA5E, 0xAA5F, 0xAAF0,
  0xAAF1, 0xABEB, 0xFE52, 0xFE56, 0xFE57, 0xFF01, 0xFF0E, 0xFF1F, 0xFF61,
  0x10A56, 0x10A57, 0x10F55, 0x10F56, 0x10F57, 0x10F58, 0x10F59, 0x10F86,
  0x10F87, 0x10F88, 0x10F89, 0x11047, 0x11048, 0x110BE, 0x110BF, 0x110C0,
  0x110C1, 0x11141, 0x11142, 0x11143, 0x111C5, 0x111C6, 0x111CD, 0x111DE,
  0x111DF, 0x11238, 0x11239, 0x1123B, 0x1123C, 0x112A9, 0x1144B, 0x1144C,
  0x115C2, 0x115C3, 0x115C9, 0x115CA, 0x115CB, 0x115CC, 0x115CD, 0x115CE,
  0x115CF, 0x115D0, 0x115D1, 0x115D2, 0x115D3, 0x115D4, 0x115D5, 0x115D6,
  0x115D7, 0x11641, 0x11642, 0x1173C, 0x1173D, 0x1173E, 0x11944, 0x11946,
  0x11A42, 0x11A43, 0x11A9B, 0x11A9C, 0x11C41, 0x11C42, 0x11EF7, 0x11EF8,
  0x11F43, 0x11F44, 0x16A6E, 0x16A6F, 0x16AF5, 0x16B37, 0x16B38, 0x16B44,
  0x16E98, 0x1BC9F, 0x1DA88,
};

#define NPUNCT CORPUS_COUNT(dt_punctuation)
#define NTERMINAL CORPUS_COUNT(dt_terminal_punctuation)

/* The ASCII part of PUNCTUATION_SET (A_PUNCT), and ASCII letters (A_ALPHA). */
#define A_PUNCT 1
#define A_ALPHA 2
static const unsigned char ascii_class[128] = {
  1,1,1,1,1,1,1,1,1,0,0,1,1,1,1,1,
  1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
  0,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,
  0,0,0,0,0,0,0,0,0,0,1,1,1,1,1,1,
  1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,
  2,2,2,2,2,2,2,2,2,2,2,1,1,1,1,1,
  1,2,2,2,2,2,2,2,2,2,2,2,2,2,2,2,
  2,2,2,2,2,2,2,2,2,2,2,1,1,1,1,1,
};

/* Each distinct token text gets an id (1, 2, ...; by its 64-bit hash), so
** that a token costs 4 bytes and n-grams are compared by ids. */
typedef struct measure {
  const char *z;
  size_t n;
  uint32_t *id;           /* per token */
  size_t ntok, captok;
  hset ids;               /* a token's hash -> its id */
  uint32_t *id_chars;     /* per id: its length in characters */
  size_t nid, capid;
  double words, word_chars, alpha_tokens;
  unsigned stop_seen;     /* a bit per stop word present */
  /* spaCy's sentencizer, started again at each line of splitlines(): where
  ** sentences start after a line's first token, for C4's count */
  int seen_period;
  uint32_t *breaks;
  size_t nbreak, capbreak;
  int oom;
} measure;

/* Grows *a (of *cap elements of size sz) to hold n+1, by half again. */
static int grow(void **a, size_t *cap, size_t n, size_t sz){
  size_t c;
  void *p;
  if( n<*cap ) return 0;
  c = *cap ? *cap + *cap/2 : 256;
  p = corpus_realloc(*a, c*sz);
  if( p==0 ) return -1;
  *a = p;
  *cap = c;
  return 0;
}

/* Gopher's stop words (datatrove's STOP_WORDS): the, be, to, of, and, that,
** have, with, compared as they stand; the bit of the one z[0..n-1] is, or
** 0. */
static unsigned stop_word_bit(const char *w, size_t n){
  switch( n ){
    case 2:
      if( w[0]=='b' && w[1]=='e' ) return 1;
      if( w[0]=='t' && w[1]=='o' ) return 2;
      if( w[0]=='o' && w[1]=='f' ) return 4;
      return 0;
    case 3:
      if( memcmp(w, "the", 3)==0 ) return 8;
      if( memcmp(w, "and", 3)==0 ) return 16;
      return 0;
    case 4:
      if( memcmp(w, "that", 4)==0 ) return 32;
      if( memcmp(w, "have", 4)==0 ) return 64;
      if( memcmp(w, "with", 4)==0 ) return 128;
  }
  return 0;
}

/* Python's str.isalpha() for one code point: categories L*. */
static int is_alpha(int32_t c){
  int cat;
  if( c<0x80 ) return (ascii_class[c] & A_ALPHA)!=0;
  cat = utf8proc_category(c);
  return cat>=UTF8PROC_CATEGORY_LU && cat<=UTF8PROC_CATEGORY_LO;
}

/* One token of spaCy's: its hash and length, and whether it is a word,
** has a letter, is a stop word. */
static int measure_token(void *ctx, size_t a, size_t b, int64_t space){
  measure *m = (measure*)ctx;
  const unsigned char *u = (const unsigned char*)m->z;
  size_t i, chars = 0, len;
  int word = 0, alpha = 0;
  uint32_t *id;
  if( space ){
    const unsigned char *w = (const unsigned char*)m->z;
    for(i=a; i<b; i++){
      /* a line break of splitlines(): the next line starts afresh */
      if( line_break_byte[w[i]] && (w[i]<0x80
          || (w[i]==0xC2 && i+1<b && w[i+1]==0x85)
          || (w[i]==0xE2 && i+2<b && w[i+1]==0x80
              && (w[i+2]==0xA8 || w[i+2]==0xA9))) ){
        m->seen_period = 0;
        return 0;
      }
    }
  }
  if( corpus_spacy_sent_break(m->z, a, b, &m->seen_period) ){
    if( grow((void**)&m->breaks, &m->capbreak, m->nbreak, sizeof(uint32_t)) ){
      m->oom = 1;
      return -1;
    }
    m->breaks[m->nbreak++] = (uint32_t)a;
  }
  if( space ) return 0;
  if( grow((void**)&m->id, &m->captok, m->ntok, sizeof(uint32_t))
   || (id = hset_get(&m->ids, XXH3_64bits(m->z+a, b-a)))==0 ){
    m->oom = 1;
    return -1;
  }
  for(i=a; i<b; i+=len, chars++){
    int32_t c;
    if( u[i]<0x80 ){
      unsigned char k = ascii_class[u[i]];
      len = 1;
      word |= !(k & A_PUNCT);
      alpha |= k & A_ALPHA;
      continue;
    }
    c = corpus_utf8_decode(u+i, b-i, &len);
    word |= !corpus_cp_in_list(dt_punctuation, NPUNCT, c);
    alpha |= is_alpha(c);
  }
  if( *id==0 ){
    if( grow((void**)&m->id_chars, &m->capid, m->nid+1, sizeof(uint32_t)) ){
      m->oom = 1;
      return -1;
    }
    *id = (uint32_t)++m->nid;
    m->id_chars[*id] = (uint32_t)chars;
  }
  m->id[m->ntok++] = *id;
  m->alpha_tokens += alpha!=0;
  m->stop_seen |= stop_word_bit(m->z+a, b-a);
  if( word ){
    m->words++;
    m->word_chars += (double)chars;
  }
  return 0;
}

static int popcount8(unsigned v){
  int n = 0;
  for(; v; v &= v-1) n++;
  return n;
}

/* text.count() of "#", "...", "\u2026" and "\n", and whether a line break
** of splitlines() other than "\n" occurs. */
typedef struct text_counts {
  size_t hashes, ellipses, newlines;
  int rare_breaks;
} text_counts;

static void count_text(const char *z, size_t n, text_counts *t){
  const unsigned char *u = (const unsigned char*)z;
  size_t i;
  memset(t, 0, sizeof(*t));
  for(i=0; i<n; i++){
    switch( u[i] ){
      case '#': t->hashes++; break;
      case '\n': t->newlines++; break;
      case '.':
        if( i+2<n && u[i+1]=='.' && u[i+2]=='.' ){ t->ellipses++; i += 2; }
        break;
      case '\v': case '\f': case '\r': case 0x1C: case 0x1D: case 0x1E:
        t->rare_breaks = 1;
        break;
      case 0xC2:
        if( i+1<n && u[i+1]==0x85 ) t->rare_breaks = 1;
        break;
      case 0xE2:
        if( i+2<n && u[i+1]==0x80 ){
          if( u[i+2]==0xA6 ) t->ellipses++;
          if( u[i+2]==0xA8 || u[i+2]==0xA9 ) t->rare_breaks = 1;
        }
        break;
    }
  }
}

/* ---- N-gram repetition ------------------------------------------------------ */

/* a/b, and 0 for an empty denominator (where datatrove divides by zero). */
static double ratio(double a, double b){
  return b>0 ? a/b : 0;
}

/* A 2-gram's key is its two ids, exact.  Longer n-grams chain their ids
** through a multiply-xorshift step from a seed, each id mixed in before
** the next one is xored (a chain that started from the unmixed 2-gram key
** would make (a,a,a) and (a,b,b) one key, since a^a = b^b). */
static uint64_t gram2(const uint32_t *id){
  return ((uint64_t)id[0]<<32) | id[1];
}
static uint64_t gram_step(uint64_t h, uint32_t id){
  h = (h ^ id) * 0xFF51AFD7ED558CCDULL;
  return h ^ (h>>32);
}
#define GRAM_SEED 0x9E3779B97F4A7C15ULL

/* The characters of the n-gram at token i, its tokens joined by sep
** characters. */
static double gram_chars(const measure *m, size_t i, int n, int sep){
  double c = (double)(sep*(n-1));
  int j;
  for(j=0; j<n; j++) c += m->id_chars[m->id[i+j]];
  return c;
}

/*
** Only an n-gram that occurs twice can change these counts, and an n-gram
** (n >= 2) occurs twice only if each of its n-1 2-grams does.  So one
** counting pass over the 2-grams gives run[i], the number of consecutive
** repeated 2-grams from position i (capped), and the passes for n >= 3 hash
** only the positions with run[i] >= n-1 (the candidates, in order, with
** their keys): any other n-gram occurs once, and leaving it out of a table
** changes no count, no order of first sight among repeated ones, and no
** later lookup.
*/
#define RUN_CAP 16

typedef struct grams {
  uint32_t *pos;          /* candidate positions, increasing */
  uint64_t *key;          /* the key of the n-gram at each */
  size_t n;
} grams;

/* Keeps the candidates of the pass for n (run >= n-1) and makes their
** keys the n-grams'. */
static void next_candidates(grams *g, const measure *m, int n,
                            const unsigned char *run){
  size_t j, k = 0;
  for(j=0; j<g->n; j++){
    uint32_t i = g->pos[j];
    if( run[i]<n-1 ) continue;
    g->pos[k] = i;
    g->key[k++] = gram_step(g->key[j], m->id[i+n-1]);
  }
  g->n = k;
}

/* find_top_duplicate: chars of the most frequent n-gram (joined by spaces)
** times its count; among equally frequent ones the first seen, as Python's
** Counter.most_common(1): the first position whose count is the best. */
static int top_gram(const measure *m, const grams *g, int n, double *out){
  hset h;
  size_t j;
  uint32_t best = 0, *c;
  size_t at = 0;
  if( hset_init(&h, g->n<1024 ? g->n : 1024) ) return -1;
  for(j=0; j<g->n; j++){
    if( (c = hset_get(&h, g->key[j]))==0 ){ hset_free(&h); return -1; }
    if( ++*c > best ) best = *c;
  }
  if( best>=2 ){
    for(j=0; hset_lookup(&h, g->key[j])!=best; j++){}
    at = g->pos[j];
  }else{
    best = 1;   /* every n-gram once: the first n-gram of the text */
  }
  hset_free(&h);
  *out = gram_chars(m, at, n, 1) * best;
  return 0;
}

/* The 2-gram pass: top_gram for n = 2, run[], and the candidates for n = 3
** with their 2-gram keys. */
static int top_2gram(const measure *m, unsigned char *run, grams *g,
                     double *out){
  hset h;
  size_t i, ng = m->ntok-1, at = 0;
  uint32_t best = 0, *c;
  if( hset_init(&h, ng<4096 ? ng : 4096) ) return -1;
  for(i=0; i<ng; i++){
    if( (c = hset_get(&h, gram2(m->id+i)))==0 ){ hset_free(&h); return -1; }
    if( ++*c > best ) best = *c;
  }
  run[ng] = 0;
  for(i=ng; i-->0; ){
    uint32_t count = hset_lookup(&h, gram2(m->id+i));
    unsigned r = count>=2 ? 1u + run[i+1] : 0u;
    run[i] = (unsigned char)(r>RUN_CAP ? RUN_CAP : r);
    if( count==best ) at = i;   /* the first such, once the walk is done */
  }
  hset_free(&h);
  if( best<2 ){ best = 1; at = 0; }
  *out = gram_chars(m, at, 2, 1) * best;
  /* the candidates of the 3-gram pass, with their 2-gram chain keys */
  for(i=0, g->n=0; i<ng; i++) g->n += run[i]>=2;
  g->pos = corpus_realloc(0, (g->n ? g->n : 1)*sizeof(uint32_t));
  g->key = corpus_realloc(0, (g->n ? g->n : 1)*sizeof(uint64_t));
  if( g->pos==0 || g->key==0 ) return -1;
  for(i=0, g->n=0; i<ng; i++){
    if( run[i]<2 ) continue;
    g->pos[g->n] = (uint32_t)i;
    g->key[g->n++] = gram_step(gram_step(GRAM_SEED, m->id[i]), m->id[i+1]);
  }
  return 0;
}

/* find_all_duplicate: walks the n-grams; a repeated one adds its chars
** (tokens joined by "") and the walk jumps past it (n tokens), a new one is
** remembered.  *hits gets the number of repeats. */
static int dup_grams(const measure *m, const grams *g, int n, double *out,
                     size_t *hits){
  hset h;
  size_t j, next = 0;
  double chars = 0;
  uint32_t *c;
  *hits = 0;
  if( hset_init(&h, g->n<1024 ? g->n : 1024) ) return -1;
  for(j=0; j<g->n; j++){
    size_t i = g->pos[j];
    if( i<next ) continue;     /* inside the last repeat, jumped over */
    if( (c = hset_get(&h, g->key[j]))==0 ){ hset_free(&h); return -1; }
    if( *c ){
      chars += gram_chars(m, i, n, 0);
      (*hits)++;
      next = i+(size_t)n;
    }else{
      *c = 1;
      next = i+1;
    }
  }
  hset_free(&h);
  *out = chars;
  return 0;
}

/* The Gopher n-gram signals, from the 2-gram pass down the candidates. */
static int ngram_passes(const measure *m, double *sig){
  unsigned char *run = corpus_realloc(0, m->ntok);
  grams g;
  size_t hits = 1;
  double v;
  int k, rc = 0;
  memset(&g, 0, sizeof(g));
  if( run==0 || top_2gram(m, run, &g, &v) ){
    rc = -1;
    goto done;
  }
  sig[CORPUS_QS_TOP_2GRAM] = ratio(v, sig[CORPUS_QS_CHARS]);
  for(k=3; k<=4 && (size_t)k<=m->ntok; k++){
    next_candidates(&g, m, k, run);
    if( top_gram(m, &g, k, &v) ){ rc = -1; goto done; }
    sig[CORPUS_QS_TOP_2GRAM+k-2] = ratio(v, sig[CORPUS_QS_CHARS]);
  }
  /* when no n-gram is found again, no longer one is */
  for(k=5; k<=10 && hits && (size_t)k<=m->ntok; k++){
    next_candidates(&g, m, k, run);
    if( dup_grams(m, &g, k, &v, &hits) ){ rc = -1; goto done; }
    sig[CORPUS_QS_DUP_5GRAM+k-5] = ratio(v, sig[CORPUS_QS_CHARS]);
  }
done:
  corpus_free(run);
  corpus_free(g.pos);
  corpus_free(g.key);
  return rc;
}

/* ---- C4's line filter -------------------------------------------------------- */

/* C4's (and datatrove's) policy phrases: terms of use, privacy policy,
** cookie policy, uses cookies, use of cookies, use cookies.  The four with
** "cookie" are only looked for when the line has "cookie". */
static const char *const cookie_phrases[] = {
  "cookie policy", "uses cookies", "use of cookies", "use cookies"
};

/* Whether low[0..n-1], a line with its ASCII letters lowered, contains s. */
static int contains(const char *low, size_t n, const char *s){
  return memmem(low, n, s, strlen(s))!=0;
}

/* Removes the citation markers of CITATION_REGEX (\[\d*]|\[edit]|\[citation
** needed], \d being any decimal digit, Nd, as in Python's re) from z[a..b)
** into out; returns out's length. */
static size_t strip_citations(const char *z, size_t a, size_t b, char *out){
  size_t i = a, o = 0, len;
  while( i<b ){
    if( z[i]=='[' ){
      size_t j = i+1;
      while( j<b && utf8proc_category(corpus_cp_at(z, b, j, &len))
                    ==UTF8PROC_CATEGORY_ND ) j += len;
      if( j<b && z[j]==']' ){ i = j+1; continue; }
      if( b-i>=6 && memcmp(z+i, "[edit]", 6)==0 ){ i += 6; continue; }
      if( b-i>=17 && memcmp(z+i, "[citation needed]", 17)==0 ){
        i += 17;
        continue;
      }
    }
    out[o++] = z[i++];
  }
  return o;
}

static const unsigned char sentence_end[256] = {['.'] = 1, ['!'] = 1, ['?'] = 1};

/* Sentences of a kept line under c4.preset=tfds: 1, plus each run of . ! ?
** (and closing quotes or brackets) followed by white space and then a
** character that is not a lowercase letter (a rule, not TFDS's punkt). */
static int count_sentences(const char *z, size_t n){
  size_t i = 0;
  int count = 1;
  while( i<n ){
    size_t j, len;
    if( !sentence_end[(unsigned char)z[i]] ){ i++; continue; }
    j = i;
    while( j<n && (z[j]=='.' || z[j]=='!' || z[j]=='?') ) j++;
    while( j<n && (z[j]=='"' || z[j]=='\'' || z[j]==')' || z[j]==']') ) j++;
    i = j;
    if( j>=n || !space_at(z, n, j, &len) ) continue;
    while( j<n && space_at(z, n, j, &len) ) j += len;
    if( j<n && utf8proc_category(corpus_cp_at(z, n, j, &len))
               !=UTF8PROC_CATEGORY_LL ){
      count++;
    }
    i = j;
  }
  return count;
}

typedef struct c4_state {
  const corpus_quality_opts *o;
  corpus_quality *q;
  corpus_buf *out;
  char *scratch;      /* the line without citations */
  size_t nscratch;
  char *low;          /* the line, lowered */
  size_t nlow;
  const uint32_t *breaks;   /* measure's sentence starts, and the next one */
  size_t nbreak, next_break;
  int oom;
} c4_state;

/* One line of splitlines(), as datatrove's C4QualityFilter.filter(). */
static void c4_line(c4_state *c, const char *z, size_t a, size_t b){
  double *sig = c->q->signal;
  const corpus_quality_opts *o = c->o;
  size_t i, nwords = 0, len, ln, lowlen;
  const char *line;
  int long_word = 0;
  py_strip(z, &a, &b);
  /* words = line.split(), as far as the rules need them: a word longer
  ** than max_word_length characters needs that many bytes, and past
  ** min_words_per_line words the count no longer matters */
  i = a;
  while( i<b && (b-a>(size_t)o->c4_max_word_length
                 || nwords<(size_t)o->c4_min_words_per_line) ){
    size_t w;
    while( i<b && space_at(z, b, i, &len) ) i += len;
    if( i>=b ) break;
    w = 0;
    while( i<b && !space_at(z, b, i, &len) ){ i += len; w++; }
    nwords++;
    if( w>(size_t)o->c4_max_word_length ) long_word = 1;
  }
  if( long_word ){ sig[CORPUS_QS_C4_LONG_WORD_LINES]++; return; }
  line = z+a;
  ln = b-a;
  if( o->c4_citations && memchr(line, '[', ln) ){
    if( ln>c->nscratch ){
      char *s = corpus_realloc(c->scratch, ln);
      if( s==0 ){ c->oom = 1; return; }
      c->scratch = s;
      c->nscratch = ln;
    }
    ln = strip_citations(z, a, b, c->scratch);
    line = c->scratch;
  }
  if( o->c4_terminal_punct ){
    char last = ln ? line[ln-1] : 0;
    if( !(last=='.' || last=='?' || last=='!' || last=='"' || last=='\'')
     || ends_with(line, 0, ln, "...") ){
      sig[CORPUS_QS_C4_NO_TERMINAL_PUNCT_LINES]++;
      return;
    }
  }
  if( nwords<(size_t)o->c4_min_words_per_line ){
    sig[CORPUS_QS_C4_TOO_FEW_WORDS_LINES]++;
    return;
  }
  /* Python's lower() of the line, as far as the ASCII phrases can tell:
  ** ASCII letters, and the one character lowered into ASCII that they hold,
  ** U+212A KELVIN SIGN -> k ("COOKIE" with it is "cookie") */
  if( ln>c->nlow || c->low==0 ){
    char *p = corpus_realloc(c->low, ln ? ln : 1);   /* never NULL to memmem */
    if( p==0 ){ c->oom = 1; return; }
    c->low = p;
    c->nlow = ln ? ln : 1;
  }
  {
    size_t k = 0;
    for(i=0; i<ln; i++){
      char ch = line[i];
      if( ch=='\xE2' && i+2<ln && line[i+1]=='\x84' && line[i+2]=='\xAA' ){
        c->low[k++] = 'k';
        i += 2;
        continue;
      }
      c->low[k++] = (char)(ch>='A' && ch<='Z' ? ch+32 : ch);
    }
    lowlen = k;
  }
  if( !isnan(o->threshold[RULE_LOREM]) && contains(c->low, lowlen, "lorem ipsum") ){
    sig[CORPUS_QS_C4_LOREM_IPSUM] = 1;
    if( c->q->c4_page_drop<0 ) c->q->c4_page_drop = RULE_LOREM;
    return;
  }
  if( o->c4_javascript && contains(c->low, lowlen, "javascript") ){
    sig[CORPUS_QS_C4_JAVASCRIPT_LINES]++;
    return;
  }
  if( !isnan(o->threshold[RULE_CURLY]) && memchr(line, '{', ln) ){
    sig[CORPUS_QS_C4_CURLY_BRACKET] = 1;
    if( c->q->c4_page_drop<0 ) c->q->c4_page_drop = RULE_CURLY;
    return;
  }
  if( o->c4_policy ){
    int policy = contains(c->low, lowlen, "terms of use")
              || contains(c->low, lowlen, "privacy policy");
    if( !policy && contains(c->low, lowlen, "cookie") ){
      size_t k;
      for(k=0; k<sizeof(cookie_phrases)/sizeof(cookie_phrases[0]); k++){
        if( contains(c->low, lowlen, cookie_phrases[k]) ){ policy = 1; break; }
      }
    }
    if( policy ){
      sig[CORPUS_QS_C4_POLICY_LINES]++;
      return;
    }
  }
  sig[CORPUS_QS_C4_KEPT_LINES]++;
  if( o->c4_sentencizer==CORPUS_C4_SENTENCES_SPACY && line!=z+a ){
    /* citations went: the line's tokens are not the text's */
    size_t count;
    if( corpus_spacy_sentences(line, ln, &count) ){ c->oom = 1; return; }
    sig[CORPUS_QS_C4_SENTENCES] += (double)count;
  }else if( o->c4_sentencizer==CORPUS_C4_SENTENCES_SPACY ){
    /* the line's tokens are the text's between a and b (its ends are white
    ** space, and step 3 runs never cross a white-space token) */
    size_t count = 1;
    while( c->next_break<c->nbreak && c->breaks[c->next_break]<a ){
      c->next_break++;
    }
    while( c->next_break<c->nbreak && c->breaks[c->next_break]<b ){
      c->next_break++;
      count++;
    }
    sig[CORPUS_QS_C4_SENTENCES] += (double)count;
  }else{
    sig[CORPUS_QS_C4_SENTENCES] += count_sentences(line, ln);
  }
  if( c->out ){
    if( (c->out->n>0 && corpus_buf_append(c->out, "\n", 1))
     || corpus_buf_append(c->out, line, ln) ){
      c->oom = 1;
    }
  }
}

/* ---- Lines ------------------------------------------------------------------- */


/* The end of the line that starts at i under Python's splitlines(), and in
** *next where the next one starts. */
static size_t splitline_end(const char *z, size_t n, size_t i, size_t *next){
  const unsigned char *u = (const unsigned char*)z;
  for(; i<n; i++){
    unsigned char c = u[i];
    if( !line_break_byte[c] ) continue;
    if( c=='\n' || c=='\v' || c=='\f' || (c>=0x1C && c<=0x1E) ){
      *next = i+1;
      return i;
    }
    if( c=='\r' ){
      *next = (i+1<n && u[i+1]=='\n') ? i+2 : i+1;
      return i;
    }
    if( c==0xC2 && i+1<n && u[i+1]==0x85 ){ *next = i+2; return i; }
    if( c==0xE2 && i+2<n && u[i+1]==0x80 && (u[i+2]==0xA8 || u[i+2]==0xA9) ){
      *next = i+3;
      return i;
    }
  }
  *next = n;
  return n;
}

/* Gopher's bullet and ellipsis lines and C4, over splitlines(). */
static void splitlines_pass(const char *z, size_t n, int rare_breaks,
                            c4_state *c4){
  double *sig = c4->q->signal;
  double lines = 0, bullets = 0, ellipses = 0;
  size_t i = 0;
  while( i<n && !c4->oom ){
    size_t next, e, a, b;
    if( rare_breaks ){
      e = splitline_end(z, n, i, &next);
    }else{
      const char *nl = memchr(z+i, '\n', n-i);
      e = nl ? (size_t)(nl-z) : n;
      next = nl ? e+1 : n;
    }
    a = i;
    b = e;
    lines++;
    py_strip(z, &a, &b);
    if( a<b && (z[a]=='-' || (b-a>=3 && memcmp(z+a, "\xe2\x80\xa2", 3)==0)) ){
      bullets++;
    }
    if( ends_with(z, a, b, "...") || ends_with(z, a, b, "\xe2\x80\xa6") ){
      ellipses++;
    }
    c4_line(c4, z, i, e);
    i = next;
  }
  sig[CORPUS_QS_LINES] = lines;
  sig[CORPUS_QS_BULLET_LINES_RATIO] = ratio(bullets, lines);
  sig[CORPUS_QS_ELLIPSIS_LINES_RATIO] = ratio(ellipses, lines);
  sig[CORPUS_QS_C4_LINES] = lines;
}

/* Whether the code point that ends z[i..e) (e > i) is one of datatrove's
** TERMINAL_PUNCTUATION (FineWeb's stop_chars: line.endswith()). */
static int ends_terminal(const char *z, size_t i, size_t e){
  size_t p = cp_before(z, e), len;
  if( p<i ) return 0;
  return corpus_cp_in_list(dt_terminal_punctuation, NTERMINAL, corpus_cp_at(z, e, p, &len));
}

/* FineWeb over text.split("\n") less its blank lines (only white space:
** line.strip() == ""), and Gopher's lines, re.split("\n+", text): the
** first and the last "\n" line always, the others when not empty. */
static int newline_pass(const char *z, size_t n, const corpus_quality_opts *o,
                        corpus_quality *q, size_t nlines){
  double *sig = q->signal;
  dup_count rep;
  double punct = 0, shortl = 0, kept = 0, fw_dup_chars = 0;
  size_t i = 0, k = 0;
  int rc = 0;
  memset(&rep, 0, sizeof(rep));
  if( hset_init(&rep.set, nlines<512 ? nlines : 512) ) return -1;
  for(;;){
    const char *nl = memchr(z+i, '\n', n-i);
    size_t e = nl ? (size_t)(nl-z) : n, a = i, b = e;
    double seen = 0;
    py_strip(z, &a, &b);
    /* FineWeb's lines (those not blank) and the repetition lines (all but
    ** inner empty ones) are counted in one set: a line that is not blank
    ** is a repetition line, and being blank is a property of its text */
    if( k==0 || nl==0 || e>i ) seen = dup_add(&rep, z, i, e);
    if( a<b ){
      kept++;
      punct += ends_terminal(z, i, e);
      shortl += corpus_utf8_count(z+i, e-i)
                <= (size_t)o->fineweb_short_line_length;
      fw_dup_chars += seen;
    }
    k++;
    if( nl==0 ) break;
    i = e+1;
  }
  sig[CORPUS_QS_FINEWEB_LINES] = kept;
  sig[CORPUS_QS_FINEWEB_PUNCT_LINES_RATIO] = ratio(punct, kept);
  sig[CORPUS_QS_FINEWEB_SHORT_LINES_RATIO] = ratio(shortl, kept);
  sig[CORPUS_QS_FINEWEB_DUP_LINE_CHARS] =
      ratio(fw_dup_chars, sig[CORPUS_QS_CHARS] - (double)(k-1));
  sig[CORPUS_QS_REP_LINES] = rep.pieces;
  sig[CORPUS_QS_DUP_LINE_FRAC] = ratio(rep.dups, rep.pieces);
  sig[CORPUS_QS_DUP_LINE_CHARS] = ratio(rep.dup_chars, sig[CORPUS_QS_CHARS]);
  if( rep.oom ) rc = -1;
  hset_free(&rep.set);
  return rc;
}

/* Paragraphs: re.split(r"\n{2,}", text.strip()). */
static int paragraph_pass(const char *z, size_t n, corpus_quality *q,
                          size_t nlines){
  double *sig = q->signal;
  dup_count d;
  size_t a = 0, b = n, i, start;
  memset(&d, 0, sizeof(d));
  if( hset_init(&d.set, nlines/2+1<512 ? nlines/2+1 : 512) ) return -1;
  py_strip(z, &a, &b);
  i = start = a;
  for(;;){
    const char *nl = memchr(z+i, '\n', b-i);
    size_t p, r;
    if( nl==0 ) break;
    p = (size_t)(nl-z);
    for(r=p; r<b && z[r]=='\n'; r++){}
    if( r-p>=2 ){
      dup_add(&d, z, start, p);
      start = r;
    }
    i = r;
  }
  dup_add(&d, z, start, b);
  sig[CORPUS_QS_PARAGRAPHS] = d.pieces;
  sig[CORPUS_QS_DUP_PARA_FRAC] = ratio(d.dups, d.pieces);
  sig[CORPUS_QS_DUP_PARA_CHARS] = ratio(d.dup_chars, sig[CORPUS_QS_CHARS]);
  hset_free(&d.set);
  return d.oom ? -1 : 0;
}

/* ---- Measuring ---------------------------------------------------------------- */

int corpus_quality_measure(const char *z, size_t n, const corpus_quality_opts *o,
                           corpus_quality *q, corpus_buf *c4_text){
  double *sig = q->signal;
  measure m;
  c4_state c4;
  text_counts tc;
  int rc = 0;

  memset(q, 0, sizeof(*q));
  q->c4_page_drop = -1;
  memset(&m, 0, sizeof(m));
  memset(&c4, 0, sizeof(c4));
  m.z = z;
  m.n = n;
  if( c4_text ) c4_text->n = 0;

  sig[CORPUS_QS_CHARS] = (double)corpus_utf8_count(z, n);
  count_text(z, n, &tc);

  /* tokens and words */
  if( hset_init(&m.ids, 1024)
   || corpus_spacy_tokenize(z, n, measure_token, &m) || m.oom ){
    rc = -1;
    goto done;
  }
  sig[CORPUS_QS_TOKENS] = (double)m.ntok;
  sig[CORPUS_QS_WORDS] = m.words;
  sig[CORPUS_QS_MEAN_WORD_LENGTH] = ratio(m.word_chars, m.words);
  sig[CORPUS_QS_HASH_RATIO] = ratio((double)tc.hashes, (double)m.ntok);
  sig[CORPUS_QS_ELLIPSIS_RATIO] = ratio((double)tc.ellipses, (double)m.ntok);
  sig[CORPUS_QS_ALPHA_WORDS_RATIO] = ratio(m.alpha_tokens, (double)m.ntok);
  sig[CORPUS_QS_STOP_WORDS] = popcount8(m.stop_seen);
  sig[CORPUS_QS_FINEWEB_NEWLINE_RATIO] = ratio((double)tc.newlines,
                                               (double)m.ntok);
  hset_free(&m.ids);

  c4.o = o;
  c4.q = q;
  c4.out = c4_text;
  c4.breaks = m.breaks;
  c4.nbreak = m.nbreak;
  splitlines_pass(z, n, tc.rare_breaks, &c4);
  corpus_free(c4.scratch);
  corpus_free(c4.low);
  if( c4.oom
   || newline_pass(z, n, o, q, tc.newlines+1)
   || paragraph_pass(z, n, q, tc.newlines+1) ){
    rc = -1;
    goto done;
  }
  if( c4_text && c4_text->n ){
    size_t a = 0, b = c4_text->n;
    py_strip(c4_text->z, &a, &b);
    memmove(c4_text->z, c4_text->z+a, b-a);
    c4_text->n = b-a;
  }

  /* n-gram repetition */
  if( m.ntok>=2 && ngram_passes(&m, sig) ) rc = -1;
done:
  hset_free(&m.ids);
  corpus_free(m.id);
  corpus_free(m.id_chars);
  corpus_free(m.breaks);
  return rc;
}

/* ---- Judging -------------------------------------------------------------------- */

static int set_enabled(const corpus_quality_opts *o, int set){
  int k;
  for(k=0; k<o->nset; k++) if( o->sets[k]==set ) return 1;
  return 0;
}

static int rule_fails(const corpus_quality *q, const corpus_quality_opts *o,
                      int r){
  double t = o->threshold[r], v = q->signal[rules[r].signal];
  if( isnan(t) || (t==0 && (rules[r].op & ZERO_OFF)) ) return 0;
  switch( rules[r].op & ~ZERO_OFF ){
    case OP_LT: return v<t;
    case OP_GT: return v>t;
    case OP_LE: return v<=t;
    case OP_GE: return v>=t;
    default:    return q->c4_page_drop==r;
  }
}

int corpus_quality_reject(const corpus_quality *q, const corpus_quality_opts *o){
  int k, r;
  for(k=0; k<o->nset; k++){
    for(r=0; r<CORPUS_QRULE_COUNT; r++){
      if( rules[r].set==o->sets[k] && rule_fails(q, o, r) ) return r;
    }
  }
  return -1;
}

int corpus_quality_c4_drops(const corpus_quality *q,
                            const corpus_quality_opts *o){
  return rule_fails(q, o, RULE_LOREM) || rule_fails(q, o, RULE_CURLY)
      || rule_fails(q, o, RULE_SENTENCES);
}

/* Each rule's soft pass: the logistic function of its margin relative to
** the threshold, (t - v)/|t| for a maximum, (v - t)/|t| for a minimum,
** scaled so that a margin of 10% of the threshold gives 0.73 and one of 30%
** gives 0.95.  A page drop is 0 or 1.  The score is the least of them, so it
** is monotone in every signal and crosses 0.5 exactly at the thresholds. */
double corpus_quality_score(const corpus_quality *q,
                            const corpus_quality_opts *o){
  double score = 1;
  int r;
  for(r=0; r<CORPUS_QRULE_COUNT; r++){
    double t = o->threshold[r], v = q->signal[rules[r].signal], m, s;
    int op = rules[r].op & ~ZERO_OFF;
    if( isnan(t) || !set_enabled(o, rules[r].set) ) continue;
    if( t==0 && (rules[r].op & ZERO_OFF) ) continue;
    if( op==OP_PAGE ){
      s = q->c4_page_drop==r ? 0 : 1;
    }else{
      double scale = fabs(t)>0 ? fabs(t) : 1;
      m = (op==OP_GT || op==OP_GE) ? t-v : v-t;
      s = 1/(1+exp(-10*m/scale));
    }
    if( s<score ) score = s;
  }
  return score;
}

/* ---- SQL functions ---------------------------------------------------------------- */

/* Reads text and options, measures.  Nonzero when the function must return
** now (NULL text gives NULL; errors are set on ctx). */
static int quality_args(sqlite3_context *ctx, const char *func, int argc,
                        sqlite3_value **argv, corpus_quality_opts *o,
                        corpus_quality *q, corpus_buf *c4_text){
  const char *z;
  size_t n;
  corpus_buf clean = {0, 0, 0};
  int rc;
  corpus_quality_init(o);
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return 1;
  if( corpus_check_text(ctx, func, "text", argv[0]) ) return 1;
  if( argc>1 && corpus_apply_options(ctx, func, argv[1],
                                     corpus_quality_option, o) ){
    return 1;
  }
  z = (const char*)sqlite3_value_text(argv[0]);
  n = (size_t)sqlite3_value_bytes(argv[0]);
  if( z==0 && n>0 ){
    sqlite3_result_error_nomem(ctx);
    return 1;
  }
  if( z==0 ) z = "";
  if( !corpus_utf8_valid(z, n) ){
    if( corpus_buf_append_utf8(&clean, z, n) ){
      corpus_free(clean.z);
      sqlite3_result_error_nomem(ctx);
      return 1;
    }
    z = clean.z;
    n = clean.n;
  }
  rc = corpus_quality_measure(z, n, o, q, c4_text);
  corpus_free(clean.z);
  if( rc ){
    sqlite3_result_error_nomem(ctx);
    return 1;
  }
  return 0;
}

/* Writes a non-negative integer below 2^53 in decimal; returns its length. */
static int format_count(char *out, double v){
  char tmp[24];
  uint64_t u = (uint64_t)v;
  int n = 0, k;
  do{ tmp[n++] = (char)('0' + u%10); u /= 10; }while( u );
  for(k=0; k<n; k++) out[k] = tmp[n-1-k];
  return n;
}

static int append_signal(corpus_buf *b, int s, double v){
  char num[40];
  int len;
  /* counts, and the many ratios that are 0 or 1, without printf */
  if( v>=0 && v<9007199254740992.0 && v==(double)(uint64_t)v ){
    len = format_count(num, v);
  }else{
    len = snprintf(num, sizeof(num), "%.15g", v);
  }
  return corpus_buf_append(b, "\"", 1)
      || corpus_buf_append(b, signal_names[s], strlen(signal_names[s]))
      || corpus_buf_append(b, "\":", 2)
      || corpus_buf_append(b, num, (size_t)len);
}

static void quality_signals_func(sqlite3_context *ctx, int argc,
                                 sqlite3_value **argv){
  corpus_quality_opts o;
  corpus_quality q;
  corpus_buf b = {0, 0, 0};
  int s;
  if( quality_args(ctx, "quality_signals", argc, argv, &o, &q, 0) ) return;
  for(s=0; s<CORPUS_QS_COUNT; s++){
    if( corpus_buf_append(&b, s ? "," : "{", 1)
     || append_signal(&b, s, q.signal[s]) ){
      goto oom;
    }
  }
  if( corpus_buf_append(&b, "}", 1) ) goto oom;
  sqlite3_result_text64(ctx, b.z, b.n, corpus_free, SQLITE_UTF8);
  sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
  return;
oom:
  corpus_free(b.z);
  sqlite3_result_error_nomem(ctx);
}

static void quality_reject_func(sqlite3_context *ctx, int argc,
                                sqlite3_value **argv){
  corpus_quality_opts o;
  corpus_quality q;
  int r;
  if( quality_args(ctx, "quality_reject", argc, argv, &o, &q, 0) ) return;
  r = corpus_quality_reject(&q, &o);
  if( r>=0 ) sqlite3_result_text(ctx, rules[r].name, -1, SQLITE_STATIC);
}

static void c4_clean_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  corpus_quality_opts o;
  corpus_quality q;
  corpus_buf b = {0, 0, 0};
  if( quality_args(ctx, "c4_clean", argc, argv, &o, &q, &b) ){
    corpus_free(b.z);
    return;
  }
  if( corpus_quality_c4_drops(&q, &o) ){
    corpus_free(b.z);
    return;
  }
  if( b.z==0 ){
    sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
    return;
  }
  sqlite3_result_text64(ctx, b.z, b.n, corpus_free, SQLITE_UTF8);
}

/* A BLOB second argument is refused, not read as options: it is a model
** meant for quality_classify() (quality_score's old classifier form).  So
** is a NULL one, unlike the other functions' NULL options: in the old form
** it was a model subquery that found no row, and reading it as the default
** options would answer with the other metric. */
static void quality_score_func(sqlite3_context *ctx, int argc,
                               sqlite3_value **argv){
  corpus_quality_opts o;
  corpus_quality q;
  if( argc==2 && sqlite3_value_type(argv[1])==SQLITE_BLOB ){
    corpus_result_error(ctx, "quality_score", "the second argument is "
                        "options TEXT; to score with a trained model call "
                        "quality_classify(text, model)");
    return;
  }
  if( argc==2 && sqlite3_value_type(argv[1])==SQLITE_NULL ){
    corpus_result_error(ctx, "quality_score", "options is NULL (for the "
                        "default options call quality_score(text); to score "
                        "with a trained model call quality_classify(text, "
                        "model))");
    return;
  }
  if( quality_args(ctx, "quality_score", argc, argv, &o, &q, 0) ) return;
  sqlite3_result_double(ctx, corpus_quality_score(&q, &o));
}

static const corpus_sql quality_sql[] = {
  CORPUS_SCALAR("quality_signals", 1, CORPUS_PURE | CORPUS_JSON_RESULT, quality_signals_func),
  CORPUS_SCALAR("quality_signals", 2, CORPUS_PURE | CORPUS_JSON_RESULT, quality_signals_func),
  CORPUS_SCALAR("quality_reject",  1, CORPUS_PURE, quality_reject_func),
  CORPUS_SCALAR("quality_reject",  2, CORPUS_PURE, quality_reject_func),
  CORPUS_SCALAR("quality_score",   1, CORPUS_PURE, quality_score_func),
  CORPUS_SCALAR("quality_score",   2, CORPUS_PURE, quality_score_func),
  CORPUS_SCALAR("c4_clean",        1, CORPUS_PURE, c4_clean_func),
  CORPUS_SCALAR("c4_clean",        2, CORPUS_PURE, c4_clean_func),
};

int corpus_quality_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, quality_sql, CORPUS_COUNT(quality_sql), pzErr);
}
