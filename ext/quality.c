/*
** Quality heuristics: the Gopher quality and repetition rules, C4's line
** filter and FineWeb's rules, as datatrove (GopherQualityFilter,
** GopherRepetitionFilter, C4QualityFilter, FineWebQualityFilter) defines
** them, with thresholds from the papers (../shared/REFERENCES.md).
**
**   quality_signals(text [, options])  -> JSON object of every signal
**   quality_reject(text [, options])   -> NULL, or the first rule failed
**   quality_score(text [, options])    -> heuristic score in [0, 1]
**   quality_score(text, model)         -> the classifier's probability
**                                         (classify.c)
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
#include "corpus_ext.h"

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
** (datatrove's comparisons, < and > for Gopher, <= and >= in places for
** FineWeb).  OP_PAGE rules are C4's page drops, decided in line order. */
enum { OP_LT, OP_GT, OP_LE, OP_GE, OP_PAGE };
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
  {"gopher:min_words",            GQ, CORPUS_QS_WORDS,            OP_LT, 50},
  {"gopher:max_words",            GQ, CORPUS_QS_WORDS,            OP_GT, 100000},
  {"gopher:min_mean_word_length", GQ, CORPUS_QS_MEAN_WORD_LENGTH, OP_LT, 3},
  {"gopher:max_mean_word_length", GQ, CORPUS_QS_MEAN_WORD_LENGTH, OP_GT, 10},
  {"gopher:hash_ratio",           GQ, CORPUS_QS_HASH_RATIO,       OP_GT, 0.1},
  {"gopher:ellipsis_ratio",       GQ, CORPUS_QS_ELLIPSIS_RATIO,   OP_GT, 0.1},
  {"gopher:bullet_lines",   GQ, CORPUS_QS_BULLET_LINES_RATIO,   OP_GT, 0.9},
  {"gopher:ellipsis_lines", GQ, CORPUS_QS_ELLIPSIS_LINES_RATIO, OP_GT, 0.3},
  {"gopher:alpha_words",    GQ, CORPUS_QS_ALPHA_WORDS_RATIO,    OP_LT, 0.8},
  {"gopher:stop_words",           GQ, CORPUS_QS_STOP_WORDS,       OP_LT, 2},
  {"gopher:dup_para_frac",  GR, CORPUS_QS_DUP_PARA_FRAC,  OP_GT, 0.30},
  {"gopher:dup_para_chars", GR, CORPUS_QS_DUP_PARA_CHARS, OP_GT, 0.20},
  {"gopher:dup_line_frac",  GR, CORPUS_QS_DUP_LINE_FRAC,  OP_GT, 0.30},
  {"gopher:dup_line_chars", GR, CORPUS_QS_DUP_LINE_CHARS, OP_GT, 0.20},
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
  {"c4:too_few_sentences",  C4, CORPUS_QS_C4_SENTENCES,     OP_LT, 3},
  {"fineweb:punct_lines", FW, CORPUS_QS_FINEWEB_PUNCT_LINES_RATIO, OP_LE, 0.12},
  {"fineweb:short_lines", FW, CORPUS_QS_FINEWEB_SHORT_LINES_RATIO, OP_GE, 0.67},
  {"fineweb:dup_line_chars", FW, CORPUS_QS_FINEWEB_DUP_LINE_CHARS, OP_GE, 0.01},
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
  o->c4_min_words_per_line = 5;
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

/* rules='gopher_quality,c4': the sets, in the order given. */
static int set_list(corpus_quality_opts *o, const char *value, char *err){
  const char *p = value;
  o->nset = 0;
  for(;;){
    const char *e = p;
    int k, found = -1;
    while( *e && *e!=',' ) e++;
    for(k=0; k<CORPUS_QSET_COUNT; k++){
      if( strlen(set_names[k])==(size_t)(e-p)
       && memcmp(set_names[k], p, (size_t)(e-p))==0 ) found = k;
    }
    if( found<0 ){
      snprintf(err, CORPUS_ERRMAX, "unknown rule set '%.*s' (valid: "
               "gopher_quality, gopher_repetition, c4, fineweb)",
               (int)(e-p) > 40 ? 40 : (int)(e-p), p);
      return -1;
    }
    for(k=0; k<o->nset; k++){
      if( o->sets[k]==found ){
        snprintf(err, CORPUS_ERRMAX, "rule set '%s' given twice",
                 set_names[found]);
        return -1;
      }
    }
    o->sets[o->nset++] = found;
    if( *e==0 ) return 0;
    p = e+1;
  }
}

int corpus_quality_option(void *ctx, const char *key, const char *value,
                          char *err){
  corpus_quality_opts *o = (corpus_quality_opts*)ctx;
  long long v;
  int r;
  if( strcmp(key, "rules")==0 ) return set_list(o, value, err);
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
      }else if( rules[r].op==OP_PAGE ){
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
           "<set>.<rule> such as gopher.min_words, c4.min_words_per_line, "
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

static int32_t cp_at(const char *z, size_t n, size_t i, size_t *len){
  const unsigned char *u = (const unsigned char*)z + i;
  if( u[0]<0x80 ){ *len = 1; return u[0]; }
  return corpus_utf8_decode(u, n-i, len);
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

/* ---- Sets of 64-bit hashes with a count and a first position ------------- */

typedef struct hslot { uint64_t key; uint32_t count, first; } hslot;
typedef struct hset {
  hslot *s;
  size_t mask, alloc;
  uint32_t *used;     /* the slots filled since the last reset */
  size_t nused;
} hset;

/* Empties h, with room for expect keys at most half full.  The table is
** zeroed once when allocated; after that only the slots a pass filled are
** cleared, so that the many small passes of a long text do not each pay
** for the whole table. */
static int hset_reset(hset *h, size_t expect){
  size_t cap = 16, i;
  while( cap < expect*2 ) cap <<= 1;
  if( cap > h->alloc ){
    corpus_free(h->s);
    corpus_free(h->used);
    h->s = corpus_realloc(0, cap*sizeof(hslot));
    h->used = corpus_realloc(0, (cap/2+1)*sizeof(uint32_t));
    if( h->s==0 || h->used==0 ){
      corpus_free(h->s);
      corpus_free(h->used);
      memset(h, 0, sizeof(*h));
      return -1;
    }
    h->alloc = cap;
    memset(h->s, 0, cap*sizeof(hslot));
  }else{
    for(i=0; i<h->nused; i++) memset(&h->s[h->used[i]], 0, sizeof(hslot));
  }
  h->nused = 0;
  h->mask = cap-1;
  return 0;
}

/* hset_get() for a table that may be sized below what it will hold: it
** doubles when half full.  The slot returned is valid until the next call. */
static inline hslot *hset_get(hset *h, uint64_t key, uint32_t pos);
static hslot *hset_get_grow(hset *h, uint64_t key, int *oom){
  if( (h->nused+1)*2 > h->mask+1 ){
    size_t cap = (h->mask+1)*2, i, n = h->nused;
    hslot *old = h->s;
    uint32_t *oldused = h->used;
    h->s = corpus_realloc(0, cap*sizeof(hslot));
    h->used = corpus_realloc(0, (cap/2+1)*sizeof(uint32_t));
    if( h->s==0 || h->used==0 ){
      corpus_free(h->s);
      corpus_free(h->used);
      h->s = old;
      h->used = oldused;
      *oom = 1;
      return 0;
    }
    memset(h->s, 0, cap*sizeof(hslot));
    h->alloc = cap;
    h->mask = cap-1;
    h->nused = 0;
    for(i=0; i<n; i++){
      const hslot *o = &old[oldused[i]];
      hslot *s = hset_get(h, o->key, o->first);
      s->count = o->count;
    }
    corpus_free(old);
    corpus_free(oldused);
  }
  return hset_get(h, key, 0);
}

static void hset_free(hset *h){
  corpus_free(h->s);
  corpus_free(h->used);
}

/* The slot of key, added (count 0, first = pos) when new.  The table never
** fills: it is sized for every key the pass can add. */
static
hslot *hset_get(hset *h, uint64_t key, uint32_t pos){
  size_t i;
  if( key==0 ) key = 1;   /* 0 marks an empty slot */
  i = (size_t)(key ^ (key>>29)) & h->mask;   /* as hset_index() */
  while( h->s[i].key!=key ){
    if( h->s[i].key==0 ){
      h->s[i].key = key;
      h->s[i].first = pos;
      h->used[h->nused++] = (uint32_t)i;
      return &h->s[i];
    }
    i = (i+1) & h->mask;
  }
  return &h->s[i];
}

/* datatrove's find_duplicates over pieces given one at a time: the first
** occurrence of a piece is not a duplicate, each later one is.  The table
** starts small and grows: a text of many lines may have few distinct ones. */
typedef struct dup_count {
  hset set;
  double pieces, dups, dup_chars;
  int oom;
} dup_count;

static void dup_add(dup_count *d, const char *z, size_t a, size_t b){
  hslot *s = hset_get_grow(&d->set, XXH3_64bits(z+a, b-a), &d->oom);
  if( s==0 ) return;
  d->pieces++;
  if( s->count++ ){
    d->dups++;
    d->dup_chars += (double)corpus_utf8_count(z+a, b-a);
  }
}

/* ---- Tokens ---------------------------------------------------------------- */

typedef struct qtoken { uint64_t hash; uint32_t chars; } qtoken;

typedef struct measure {
  const char *z;
  size_t n;
  qtoken *tok;
  size_t ntok, captok;
  double words, word_chars, alpha_tokens, stop_words;
  size_t hashes, ellipses, newlines;
  int rare_breaks;       /* a line break of splitlines() other than \n */
  int oom;
} measure;

/* Adds the token z[a..b) of chars characters. */
static int add_token(measure *m, size_t a, size_t b, size_t chars){
  if( m->ntok==m->captok ){
    size_t cap = m->captok ? m->captok*2 : 256;
    qtoken *t = corpus_realloc(m->tok, cap*sizeof(qtoken));
    if( t==0 ){ m->oom = 1; return -1; }
    m->tok = t;
    m->captok = cap;
  }
  m->tok[m->ntok].hash = XXH3_64bits(m->z+a, b-a);
  m->tok[m->ntok].chars = (uint32_t)chars;
  m->ntok++;
  return 0;
}

/* Gopher's stop words: the, be, to, of, and, that, have, with (compared as
** they stand, as datatrove does). */
static int is_stop_word(const char *w, size_t n){
  switch( n ){
    case 2:
      return (w[0]=='b' && w[1]=='e') || (w[0]=='t' && w[1]=='o')
          || (w[0]=='o' && w[1]=='f');
    case 3:
      return memcmp(w, "the", 3)==0 || memcmp(w, "and", 3)==0;
    case 4:
      return memcmp(w, "that", 4)==0 || memcmp(w, "have", 4)==0
          || memcmp(w, "with", 4)==0;
  }
  return 0;
}

/* ASCII punctuation and symbols (categories P* and S*). */
static const unsigned char ascii_punct[128] = {
  0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,
  0,1,1,1,1,1,1,1, 1,1,1,1,1,1,1,1, 0,0,0,0,0,0,0,0, 0,0,1,1,1,1,1,1,
  1,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,1,1,1,1,1,
  1,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0, 0,0,0,1,1,1,1,0,
};

static int is_punct(int32_t c){
  int cat;
  if( c<0x80 ) return ascii_punct[c];
  cat = utf8proc_category(c);
  return (cat>=UTF8PROC_CATEGORY_PC && cat<=UTF8PROC_CATEGORY_PO)
      || (cat>=UTF8PROC_CATEGORY_SM && cat<=UTF8PROC_CATEGORY_SO);
}

static int is_alpha(int32_t c){
  int cat;
  if( c<0x80 ) return (c|0x20)>='a' && (c|0x20)<='z';
  cat = utf8proc_category(c);
  return cat>=UTF8PROC_CATEGORY_LU && cat<=UTF8PROC_CATEGORY_LO;
}

/* A run of punctuation at the edge of a chunk: each mark a token, but
** "..." one token, as NLTK and spaCy keep it. */
static int punct_tokens(measure *m, size_t a, size_t b){
  while( a<b ){
    size_t len, chars = 1;
    if( b-a>=3 && memcmp(m->z+a, "...", 3)==0 ){
      len = chars = 3;
    }else{
      cp_at(m->z, b, a, &len);
    }
    if( add_token(m, a, a+len, chars) ) return -1;
    a += len;
  }
  return 0;
}

/* A word: a token with a character that is not punctuation; chars is its
** length in characters, or 0 to count them. */
static int word_token(measure *m, size_t a, size_t b, int alpha,
                      size_t chars){
  if( chars==0 ) chars = corpus_utf8_count(m->z+a, b-a);
  if( add_token(m, a, b, chars) ) return -1;
  m->words++;
  m->word_chars += (double)chars;
  m->alpha_tokens += alpha;
  m->stop_words += is_stop_word(m->z+a, b-a);
  return 0;
}

/* The middle of a chunk, from its first to its last character that is not
** punctuation: one word, except that a character of a script written
** without spaces (Han, kana, Thai, ...) is a word by itself, with the marks
** that follow it, as the "words" tokenizer has it. */
static int middle_tokens(measure *m, size_t a, size_t b){
  const unsigned char *u = (const unsigned char*)m->z;
  size_t i = a, start = a;
  int alpha = 0;
  while( i<b ){
    size_t len = 1;
    int32_t c;
    if( u[i]<0x80 ){
      alpha |= (u[i]|0x20)>='a' && (u[i]|0x20)<='z';
      i++;
      continue;
    }
    c = corpus_utf8_decode(u+i, b-i, &len);
    if( corpus_is_solo(c) ){
      size_t e = i+len;
      while( e<b ){
        size_t l2;
        int32_t d = corpus_utf8_decode(u+e, b-e, &l2);
        int cat = utf8proc_category(d);
        if( cat<UTF8PROC_CATEGORY_MN || cat>UTF8PROC_CATEGORY_ME ) break;
        e += l2;
      }
      if( i>start && word_token(m, start, i, alpha, 0) ) return -1;
      if( word_token(m, i, e, is_alpha(c), 0) ) return -1;
      start = i = e;
      alpha = 0;
      continue;
    }
    alpha |= is_alpha(c);
    i += len;
  }
  if( b>start ) return word_token(m, start, b, alpha, 0);
  return 0;
}

/*
** The tokens: the text is cut into chunks at white space; the punctuation
** (P*, S*) at either end of a chunk is split off, a token per mark, and
** what lies between is a word (split further at characters of scripts
** without spaces).  This is how NLTK's and spaCy's English tokenizers treat
** most text, which datatrove's thresholds were set with: "end." is "end"
** and ".", "(test)" three tokens, while "e-mail", "don't", "3.14" and URLs
** stay whole.
*/
/* The ASCII bytes tokenize_text() looks at. */
#define B_SPACE 1
#define B_ALPHA 2
#define B_COUNT 4    /* '#' and '.', counted for the symbol ratios */
#define B_BREAK 8    /* a line break of splitlines() other than '\n' */
static const unsigned char ascii_bits[128] = {
  0,0,0,0,0,0,0,0, 0,1,1,9,9,9,0,0,
  0,0,0,0,0,0,0,0, 0,0,0,0,9,9,9,1,
  1,0,0,4,0,0,0,0, 0,0,0,0,0,0,4,0,
  0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,
  0,2,2,2,2,2,2,2, 2,2,2,2,2,2,2,2,
  2,2,2,2,2,2,2,2, 2,2,2,0,0,0,0,0,
  0,2,2,2,2,2,2,2, 2,2,2,2,2,2,2,2,
  2,2,2,2,2,2,2,2, 2,2,2,0,0,0,0,0,
};

static int tokenize_text(measure *m){
  const unsigned char *u = (const unsigned char*)m->z;
  size_t n = m->n, i = 0;
  while( i<n ){
    size_t a, b, lead, tail, len;
    int alpha = 0, ascii = 1;
    /* white space; counting newlines and noting the rarer line breaks */
    while( i<n ){
      if( u[i]<0x80 ){
        unsigned char bits = ascii_bits[u[i]];
        if( !(bits & B_SPACE) ) break;
        m->newlines += u[i]=='\n';
        m->rare_breaks |= bits & B_BREAK;
        i++;
      }else{
        if( !nonascii_space(u+i, n-i, &len) ) break;
        /* U+0085, U+2028, U+2029 */
        if( (u[i]==0xC2 && u[i+1]==0x85)
         || (u[i]==0xE2 && u[i+1]==0x80 && (u[i+2]==0xA8 || u[i+2]==0xA9)) ){
          m->rare_breaks = 1;
        }
        i += len;
      }
    }
    if( i>=n ) break;
    /* the chunk; punctuation is never alphabetic, so a letter anywhere in
    ** it is a letter of its middle.  "..." and '#' never hold a space, so
    ** counting them chunk by chunk counts them in the text. */
    a = i;
    while( i<n ){
      if( u[i]<0x80 ){
        unsigned char bits = ascii_bits[u[i]];
        if( bits & B_SPACE ) break;
        alpha |= bits & B_ALPHA;
        if( bits & B_COUNT ){
          if( u[i]=='#' ){
            m->hashes++;
          }else if( i+2<n && u[i+1]=='.' && u[i+2]=='.' ){
            m->ellipses++;
            i += 2;
          }
        }
        i++;
      }else{
        if( nonascii_space(u+i, n-i, &len) ) break;
        if( len==3 && u[i]==0xE2 && u[i+1]==0x80 && u[i+2]==0xA6 ){
          m->ellipses++;                                  /* U+2026 */
        }
        ascii = 0;
        i += len;
      }
    }
    b = i;
    lead = a;
    while( lead<b && is_punct(cp_at(m->z, b, lead, &len)) ) lead += len;
    tail = b;
    while( tail>lead ){
      size_t p = cp_before(m->z, tail);
      if( !is_punct(cp_at(m->z, tail, p, &len)) ) break;
      tail = p;
    }
    if( punct_tokens(m, a, lead) ) return -1;
    if( tail>lead ){
      if( ascii ? word_token(m, lead, tail, alpha!=0, tail-lead)
                : middle_tokens(m, lead, tail) ) return -1;
    }
    if( punct_tokens(m, tail, b) ) return -1;
  }
  return 0;
}

/* ---- N-gram repetition ------------------------------------------------------ */

/* The tokens' hashes are already uniform: a multiply-xorshift chain over
** them (order-sensitive) is as good a key as hashing their text again. */
static uint64_t gram_step(uint64_t h, uint64_t token){
  h = (h ^ token) * 0xFF51AFD7ED558CCDULL;
  return h ^ (h>>32);
}
#define GRAM_SEED 0x9E3779B97F4A7C15ULL

static double gram_chars(const qtoken *t, int n){
  double c = 0;
  int j;
  for(j=0; j<n; j++) c += t[j].chars;
  return c;
}

/* Keeps in cand[] the positions a pass for n hashes (run[i] >= n-1, a
** subset of those of n-1, whose keys are up to date) and makes their
** key[i], the hash of the (n-1)-gram at i, the n-gram's.  Returns how many
** are left. */
static size_t next_candidates(uint64_t *key, const qtoken *t, int n,
                              const unsigned char *run, uint32_t *cand,
                              size_t ncand){
  size_t j, k = 0;
  for(j=0; j<ncand; j++){
    uint32_t i = cand[j];
    if( run[i]<n-1 ) continue;
    key[i] = gram_step(key[i], t[i+n-1].hash);
    cand[k++] = i;
  }
  return k;
}

/*
** Only an n-gram that occurs twice can change these counts, and an n-gram
** (n >= 2) occurs twice only if each of its n-1 2-grams does.  So one
** counting pass over the 2-grams gives run[i], the number of consecutive
** repeated 2-grams from position i (capped), and the passes for n >= 3 hash
** only the positions with run[i] >= n-1: any other n-gram occurs once, and
** leaving it out of a table changes no count, no order of first sight among
** repeated ones, and no later lookup.
*/
#define RUN_CAP 16

/* find_top_duplicate: chars of the most frequent n-gram (joined by spaces)
** times its count; among equally frequent ones the first seen, as Python's
** Counter.most_common(1). */
static double top_gram(hset *h, const qtoken *t, const uint64_t *key, int n,
                       const uint32_t *cand, size_t ncand){
  size_t j;
  uint32_t best = 0, bestFirst = 0;
  for(j=0; j<ncand; j++){
    uint32_t i = cand[j];
    hslot *s = hset_get(h, key[i], i);
    s->count++;
    if( s->count>best || (s->count==best && s->first<bestFirst) ){
      best = s->count;
      bestFirst = s->first;
    }
  }
  if( best<2 ){ best = 1; bestFirst = 0; }  /* all once: the first n-gram */
  return (gram_chars(t+bestFirst, n) + n-1) * best;
}

static size_t hset_index(const hset *h, uint64_t key){
  if( key==0 ) key = 1;
  return (size_t)(key ^ (key>>29)) & h->mask;
}

/* The 2-gram pass: top_gram for n = 2, and run[] for the others.  Every
** token is hashed here, in a table too big for the caches of a long text:
** the keys are computed first so that each slot can be fetched ahead.
** slot[] (ng entries) is scratch. */
#define PREFETCH 12
static double top_2gram(hset *h, const qtoken *t, size_t nt, uint32_t *slot,
                        uint64_t *key, unsigned char *run){
  size_t i, ng = nt-1;
  uint32_t best = 0, bestFirst = 0;
  for(i=0; i<ng; i++) key[i] = gram_step(gram_step(GRAM_SEED, t[i].hash),
                                          t[i+1].hash);
  for(i=0; i<ng; i++){
    hslot *s;
    if( i+PREFETCH<ng ) __builtin_prefetch(&h->s[hset_index(h, key[i+PREFETCH])]);
    s = hset_get(h, key[i], (uint32_t)i);
    s->count++;
    slot[i] = (uint32_t)(s - h->s);
    if( s->count>best || (s->count==best && s->first<bestFirst) ){
      best = s->count;
      bestFirst = s->first;
    }
  }
  run[ng] = 0;
  for(i=ng; i-->0; ){
    unsigned r = h->s[slot[i]].count>=2 ? 1u + run[i+1] : 0u;
    run[i] = (unsigned char)(r>RUN_CAP ? RUN_CAP : r);
  }
  return (gram_chars(t+bestFirst, 2) + 1) * best;
}

/* find_all_duplicate: walks the n-grams; a repeated one adds its chars and
** the walk jumps past it (n tokens), a new one is remembered.  *hits gets
** the number of repeats. */
static double dup_grams(hset *h, const qtoken *t, const uint64_t *key, int n,
                        const uint32_t *cand, size_t ncand, size_t *hits){
  size_t j, next = 0;
  double chars = 0;
  *hits = 0;
  for(j=0; j<ncand; j++){
    size_t i = cand[j];
    hslot *s;
    if( i<next ) continue;     /* inside the last repeat, jumped over */
    s = hset_get(h, key[i], 0);
    if( s->count ){
      chars += gram_chars(t+i, n);
      (*hits)++;
      next = i+(size_t)n;
    }else{
      s->count = 1;
      next = i+1;
    }
  }
  return chars;
}

static double ratio(double a, double b){
  return b>0 ? a/b : 0;
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
** needed], ASCII digits) from z[a..b) into out; returns out's length. */
static size_t strip_citations(const char *z, size_t a, size_t b, char *out){
  size_t i = a, o = 0;
  while( i<b ){
    if( z[i]=='[' ){
      size_t j = i+1;
      while( j<b && z[j]>='0' && z[j]<='9' ) j++;
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

/* Sentences of a kept line: 1, plus each run of . ! ? (and closing quotes
** or brackets) followed by white space and then a character that is not a
** lowercase letter.  NLTK's punkt, which datatrove uses, is not reproduced. */
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
    if( j<n && utf8proc_category(cp_at(z, n, j, &len))
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
  int oom;
} c4_state;

/* One line of splitlines(), as datatrove's C4QualityFilter.filter(). */
static void c4_line(c4_state *c, const char *z, size_t a, size_t b){
  double *sig = c->q->signal;
  const corpus_quality_opts *o = c->o;
  size_t i, nwords = 0, len, ln;
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
  /* Python's lower() of the line, for ASCII phrases: ASCII letters */
  if( ln>c->nlow || c->low==0 ){
    char *p = corpus_realloc(c->low, ln ? ln : 1);   /* never NULL to memmem */
    if( p==0 ){ c->oom = 1; return; }
    c->low = p;
    c->nlow = ln ? ln : 1;
  }
  for(i=0; i<ln; i++){
    char ch = line[i];
    c->low[i] = (char)(ch>='A' && ch<='Z' ? ch+32 : ch);
  }
  if( !isnan(o->threshold[RULE_LOREM]) && contains(c->low, ln, "lorem ipsum") ){
    sig[CORPUS_QS_C4_LOREM_IPSUM] = 1;
    if( c->q->c4_page_drop<0 ) c->q->c4_page_drop = RULE_LOREM;
    return;
  }
  if( o->c4_javascript && contains(c->low, ln, "javascript") ){
    sig[CORPUS_QS_C4_JAVASCRIPT_LINES]++;
    return;
  }
  if( !isnan(o->threshold[RULE_CURLY]) && memchr(line, '{', ln) ){
    sig[CORPUS_QS_C4_CURLY_BRACKET] = 1;
    if( c->q->c4_page_drop<0 ) c->q->c4_page_drop = RULE_CURLY;
    return;
  }
  if( o->c4_policy ){
    int policy = contains(c->low, ln, "terms of use")
              || contains(c->low, ln, "privacy policy");
    if( !policy && contains(c->low, ln, "cookie") ){
      size_t k;
      for(k=0; k<sizeof(cookie_phrases)/sizeof(cookie_phrases[0]); k++){
        if( contains(c->low, ln, cookie_phrases[k]) ){ policy = 1; break; }
      }
    }
    if( policy ){
      sig[CORPUS_QS_C4_POLICY_LINES]++;
      return;
    }
  }
  sig[CORPUS_QS_C4_KEPT_LINES]++;
  sig[CORPUS_QS_C4_SENTENCES] += count_sentences(line, ln);
  if( c->out ){
    if( (c->out->n>0 && corpus_buf_append(c->out, "\n", 1))
     || corpus_buf_append(c->out, line, ln) ){
      c->oom = 1;
    }
  }
}

/* ---- Lines ------------------------------------------------------------------- */

/* The bytes that may start a line break of splitlines(). */
static const unsigned char line_break_byte[256] = {
  ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1, [0x1C] = 1, [0x1D] = 1,
  [0x1E] = 1, [0xC2] = 1, [0xE2] = 1
};

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

/* FineWeb over text.split("\n") and Gopher's lines, re.split("\n+", text):
** the first and the last "\n" line always, the others when not empty. */
static int newline_pass(const char *z, size_t n, const corpus_quality_opts *o,
                        corpus_quality *q, size_t nlines){
  double *sig = q->signal;
  dup_count fw, rep;
  double punct = 0, shortl = 0;
  size_t i = 0, k = 0;
  int rc = 0;
  memset(&fw, 0, sizeof(fw));
  memset(&rep, 0, sizeof(rep));
  if( hset_reset(&fw.set, nlines<512 ? nlines : 512)
   || hset_reset(&rep.set, nlines<512 ? nlines : 512) ){
    rc = -1;
    goto done;
  }
  for(;;){
    const char *nl = memchr(z+i, '\n', n-i);
    size_t e = nl ? (size_t)(nl-z) : n, a = i, b = e;
    char last = e>i ? z[e-1] : 0;
    if( last=='.' || last=='\'' || last=='"' || last=='!' || last=='?' ) punct++;
    if( corpus_utf8_count(z+i, e-i)<=(size_t)o->fineweb_short_line_length ) shortl++;
    py_strip(z, &a, &b);
    if( a<b ) dup_add(&fw, z, i, e);
    if( k==0 || nl==0 || e>i ) dup_add(&rep, z, i, e);
    k++;
    if( nl==0 ) break;
    i = e+1;
  }
  sig[CORPUS_QS_FINEWEB_LINES] = (double)k;
  sig[CORPUS_QS_FINEWEB_PUNCT_LINES_RATIO] = ratio(punct, (double)k);
  sig[CORPUS_QS_FINEWEB_SHORT_LINES_RATIO] = ratio(shortl, (double)k);
  sig[CORPUS_QS_FINEWEB_DUP_LINE_CHARS] =
      ratio(fw.dup_chars, sig[CORPUS_QS_CHARS] - (double)(k-1));
  sig[CORPUS_QS_REP_LINES] = rep.pieces;
  sig[CORPUS_QS_DUP_LINE_FRAC] = ratio(rep.dups, rep.pieces);
  sig[CORPUS_QS_DUP_LINE_CHARS] = ratio(rep.dup_chars, sig[CORPUS_QS_CHARS]);
  if( fw.oom || rep.oom ) rc = -1;
done:
  hset_free(&fw.set);
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
  if( hset_reset(&d.set, nlines/2+1<512 ? nlines/2+1 : 512) ) return -1;
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
  hset h;
  int rc = 0, k;

  memset(q, 0, sizeof(*q));
  q->c4_page_drop = -1;
  memset(&m, 0, sizeof(m));
  memset(&c4, 0, sizeof(c4));
  memset(&h, 0, sizeof(h));
  m.z = z;
  m.n = n;
  if( c4_text ) c4_text->n = 0;

  sig[CORPUS_QS_CHARS] = (double)corpus_utf8_count(z, n);

  /* tokens and words */
  if( tokenize_text(&m) ){
    rc = -1;
    goto done;
  }
  sig[CORPUS_QS_TOKENS] = (double)m.ntok;
  sig[CORPUS_QS_WORDS] = m.words;
  sig[CORPUS_QS_MEAN_WORD_LENGTH] = ratio(m.word_chars, m.words);
  sig[CORPUS_QS_HASH_RATIO] = ratio((double)m.hashes, (double)m.ntok);
  sig[CORPUS_QS_ELLIPSIS_RATIO] = ratio((double)m.ellipses, (double)m.ntok);
  sig[CORPUS_QS_ALPHA_WORDS_RATIO] = ratio(m.alpha_tokens, (double)m.ntok);
  sig[CORPUS_QS_STOP_WORDS] = m.stop_words;
  sig[CORPUS_QS_FINEWEB_NEWLINE_RATIO] = ratio((double)m.newlines,
                                               (double)m.ntok);

  c4.o = o;
  c4.q = q;
  c4.out = c4_text;
  splitlines_pass(z, n, m.rare_breaks, &c4);
  corpus_free(c4.scratch);
  corpus_free(c4.low);
  if( c4.oom
   || newline_pass(z, n, o, q, m.newlines+1)
   || paragraph_pass(z, n, q, m.newlines+1) ){
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
  if( m.ntok>=2 ){
    uint32_t *slot = corpus_realloc(0, m.ntok*sizeof(uint32_t));
    uint64_t *key = corpus_realloc(0, m.ntok*sizeof(uint64_t));
    unsigned char *run = corpus_realloc(0, m.ntok);
    size_t hits = 1, ncand;
    if( slot==0 || key==0 || run==0 || hset_reset(&h, m.ntok) ){
      corpus_free(slot);
      corpus_free(key);
      corpus_free(run);
      rc = -1;
      goto done;
    }
    sig[CORPUS_QS_TOP_2GRAM] = ratio(
        top_2gram(&h, m.tok, m.ntok, slot, key, run), sig[CORPUS_QS_CHARS]);
    /* slot[] becomes the list of candidate positions, every 2-gram first */
    for(ncand=0; ncand<m.ntok-1; ncand++) slot[ncand] = (uint32_t)ncand;
    for(k=3; k<=4 && (size_t)k<=m.ntok; k++){
      ncand = next_candidates(key, m.tok, k, run, slot, ncand);
      hset_reset(&h, ncand);
      if( ncand==0 ){
        /* every k-gram occurs once: the first one */
        sig[CORPUS_QS_TOP_2GRAM+k-2] = ratio(gram_chars(m.tok, k) + k-1,
                                             sig[CORPUS_QS_CHARS]);
        continue;
      }
      sig[CORPUS_QS_TOP_2GRAM+k-2] = ratio(
          top_gram(&h, m.tok, key, k, slot, ncand), sig[CORPUS_QS_CHARS]);
    }
    /* when no n-gram is found again, no longer one is */
    for(k=5; k<=10 && hits && (size_t)k<=m.ntok; k++){
      ncand = next_candidates(key, m.tok, k, run, slot, ncand);
      hset_reset(&h, ncand);
      sig[CORPUS_QS_DUP_5GRAM+k-5] = ratio(
          dup_grams(&h, m.tok, key, k, slot, ncand, &hits),
          sig[CORPUS_QS_CHARS]);
    }
    corpus_free(slot);
    corpus_free(key);
    corpus_free(run);
  }
done:
  corpus_free(m.tok);
  hset_free(&h);
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
  if( isnan(t) ) return 0;
  switch( rules[r].op ){
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
    if( isnan(t) || !set_enabled(o, rules[r].set) ) continue;
    if( rules[r].op==OP_PAGE ){
      s = q->c4_page_drop==r ? 0 : 1;
    }else{
      double scale = fabs(t)>0 ? fabs(t) : 1;
      m = (rules[r].op==OP_GT || rules[r].op==OP_GE) ? t-v : v-t;
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

/* quality_score(text [, options]) here; with a model BLOB, the classifier. */
static void quality_score_func(sqlite3_context *ctx, int argc,
                               sqlite3_value **argv){
  corpus_quality_opts o;
  corpus_quality q;
  if( argc==2 && sqlite3_value_type(argv[1])==SQLITE_BLOB ){
    corpus_classify_score_func(ctx, argc, argv);
    return;
  }
  if( quality_args(ctx, "quality_score", argc, argv, &o, &q, 0) ) return;
  sqlite3_result_double(ctx, corpus_quality_score(&q, &o));
}

int quality_register(sqlite3 *db){
  static const corpus_function funcs[] = {
    {"quality_signals", 1, CORPUS_JSON_RESULT, quality_signals_func},
    {"quality_signals", 2, CORPUS_JSON_RESULT, quality_signals_func},
    {"quality_reject",  1, 0, quality_reject_func},
    {"quality_reject",  2, 0, quality_reject_func},
    {"quality_score",   1, 0, quality_score_func},
    {"quality_score",   2, 0, quality_score_func},
    {"c4_clean",        1, 0, c4_clean_func},
    {"c4_clean",        2, 0, c4_clean_func},
  };
  return corpus_register_functions(db, funcs,
                                   (int)(sizeof(funcs)/sizeof(funcs[0])));
}
