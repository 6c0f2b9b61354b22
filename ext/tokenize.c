/*
** Tokenizers by name, and the SQL functions over them.
**
** SQL:
**   tokenize(text [, tokenizer [, options]])     -> JSON array of tokens
**   token_count(text [, tokenizer [, options]])  -> INTEGER (words unless a
**                                                   tokenizer is named)
**   detokenize(ids, encoding)                    -> TEXT, a BPE encoding's
**                                                   ids back to text
**   tokens(text [, tokenizer [, options]])  table: position, token, start,
**                                                  end, token_id
**   ngrams(text, n [, options])             table: position, ngram, hash
**
** A tokenizer is a corpus_tokenizer from the text layer (words, chars,
** lines, paragraphs: text.c), spaCy's English tokenizer (spacy_en:
** spacy.c) or a tiktoken encoding (bpe.c); this file is the only one that
** knows them all.  docs/text.md and docs/bpe.md document the behaviour.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "corpus_sql.h"

/* ---- The tokenizers by name ------------------------------------------------- */

static const corpus_tokenizer *const all_tokenizers[] = {
  &corpus_tokenizer_words, &corpus_tokenizer_chars, &corpus_tokenizer_lines,
  &corpus_tokenizer_paragraphs, &corpus_tokenizer_r50k, &corpus_tokenizer_gpt2,
  &corpus_tokenizer_p50k, &corpus_tokenizer_cl100k, &corpus_tokenizer_o200k,
  &corpus_tokenizer_spacy_en,
};
#define TOKENIZER_NAMES "words, chars, lines, paragraphs, r50k_base, gpt2, " \
                        "p50k_base, cl100k_base, o200k_base, spacy_en"

const corpus_tokenizer *corpus_tokenizer_find(const char *name, char *err){
  size_t i;
  for(i=0; i<sizeof(all_tokenizers)/sizeof(all_tokenizers[0]); i++){
    if( strcmp(all_tokenizers[i]->name, name)==0 ) return all_tokenizers[i];
  }
  snprintf(err, CORPUS_ERRMAX, "unknown tokenizer '%.40s' (valid: "
           TOKENIZER_NAMES ")", name);
  corpus_err_utf8(err);
  return 0;
}

/* ---- tokenize(), token_count() ----------------------------------------------- */

/* The tokenizer a tokenizer argument names (absent or NULL: words), or
** NULL with the reason in err, for the scalar functions and tokens()
** alike. */
static const corpus_tokenizer *tokenizer_value(sqlite3_value *v, char *err){
  int t = v ? sqlite3_value_type(v) : SQLITE_NULL;
  if( t==SQLITE_NULL ) return &corpus_tokenizer_words;
  if( t!=SQLITE_TEXT ){
    snprintf(err, CORPUS_ERRMAX, "tokenizer must be TEXT, got %s",
             corpus_type_name(t));
    return 0;
  }
  return corpus_tokenizer_find((const char*)sqlite3_value_text(v), err);
}

static const corpus_tokenizer *tokenizer_arg(sqlite3_context *ctx,
                                             const char *func, int argc,
                                             sqlite3_value **argv){
  char err[CORPUS_ERRMAX];
  const corpus_tokenizer *tok = tokenizer_value(argc<2 ? 0 : argv[1], err);
  if( tok==0 ) corpus_result_error(ctx, func, "%s", err);
  return tok;
}

/* Options of tokenize(), token_count() and tokens(): specials (BPE only)
** and, for tokenize(), format. */
typedef struct token_opts {
  const corpus_tokenizer *tok;
  int allow_format;
  int blob;             /* format=blob */
  unsigned specials;
} token_opts;

static int token_option(void *ctx, const char *key, const char *value,
                        char *err){
  token_opts *o = (token_opts*)ctx;
  if( strcmp(key, "specials")==0 ){
    if( o->tok->data==0 ){
      snprintf(err, CORPUS_ERRMAX, "specials is an option of the BPE "
               "encodings, not of %s", o->tok->name);
      return -1;
    }
    return corpus_bpe_specials(o->tok, value, &o->specials, err);
  }
  if( strcmp(key, "format")==0 && o->allow_format ){
    int v = corpus_option_choice(key, value, "json|blob", err);
    if( v<0 ) return -1;
    if( v==1 && o->tok->data==0 ){
      snprintf(err, CORPUS_ERRMAX, "format=blob holds token ids: it needs a "
               "BPE encoding, not %s", o->tok->name);
      return -1;
    }
    o->blob = v;
    return 0;
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: %s)", key,
           o->allow_format ? "format, specials" : "specials");
  return -1;
}

/* The tokenizer and options of a tokenize()-like call; nonzero on error. */
static int token_args(sqlite3_context *ctx, const char *func, int argc,
                      sqlite3_value **argv, int allow_format, token_opts *o){
  memset(o, 0, sizeof(*o));
  o->allow_format = allow_format;
  if( (o->tok = tokenizer_arg(ctx, func, argc, argv))==0 ) return 1;
  if( argc>2 && corpus_apply_options(ctx, func, argv[2], token_option, o) ){
    return 1;
  }
  return 0;
}

/* A tokenizer's failure as the error of ctx: SQLITE_TOOBIG is a BPE piece
** longer than its state may be (bpe.c), anything else no memory. */
static void tokenizer_failed(sqlite3_context *ctx, const char *func, int rc){
  if( rc==SQLITE_TOOBIG ){
    corpus_result_error(ctx, func, "input too large (limit %lld bytes in "
                        "one pre-token piece)",
                        (long long)CORPUS_BPE_MAX_PIECE);
  }else{
    sqlite3_result_error_nomem(ctx);
  }
}

typedef struct json_tokens {
  const char *z;
  corpus_buf b;
  int first;
  int ids;              /* write ids (BPE), not the tokens' text */
} json_tokens;

static int json_token(void *ctx, size_t start, size_t end, int64_t id){
  json_tokens *j = (json_tokens*)ctx;
  char num[24];
  if( !j->first && corpus_buf_append(&j->b, ",", 1) ) return -1;
  j->first = 0;
  if( j->ids ){
    return corpus_buf_append(&j->b, num,
                             (size_t)snprintf(num, sizeof(num), "%lld",
                                              (long long)id));
  }
  return corpus_buf_append_json_string(&j->b, j->z+start, end-start);
}

static int blob_token(void *ctx, size_t start, size_t end, int64_t id){
  unsigned char le[4];
  (void)start; (void)end;
  le[0] = (unsigned char)id;
  le[1] = (unsigned char)(id>>8);
  le[2] = (unsigned char)(id>>16);
  le[3] = (unsigned char)(id>>24);
  return corpus_buf_append((corpus_buf*)ctx, (const char*)le, 4);
}

static void tokenize_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  token_opts o;
  json_tokens j;
  size_t n;
  int rc;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "tokenize", "text", argv[0]) ) return;
  if( token_args(ctx, "tokenize", argc, argv, 1, &o) ) return;
  memset(&j, 0, sizeof(j));
  j.z = (const char*)sqlite3_value_text(argv[0]);
  n = (size_t)sqlite3_value_bytes(argv[0]);
  if( o.blob ){
    rc = corpus_buf_append(&j.b, "", 0) ? SQLITE_NOMEM
       : o.tok->tokenize(o.tok, j.z, n, o.specials, blob_token, &j.b);
    if( rc ){
      corpus_free(j.b.z);
      tokenizer_failed(ctx, "tokenize", rc);
      return;
    }
    sqlite3_result_blob64(ctx, j.b.z, j.b.n, corpus_free);
    return;
  }
  j.first = 1;
  j.ids = o.tok->data!=0;
  rc = corpus_buf_append(&j.b, "[", 1) ? SQLITE_NOMEM
     : o.tok->tokenize(o.tok, j.z, n, o.specials, json_token, &j);
  if( rc==SQLITE_OK && corpus_buf_append(&j.b, "]", 1) ) rc = SQLITE_NOMEM;
  if( rc ){
    corpus_free(j.b.z);
    tokenizer_failed(ctx, "tokenize", rc);
    return;
  }
  sqlite3_result_text64(ctx, j.b.z, j.b.n, corpus_free, SQLITE_UTF8);
  sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
}

static int count_token(void *ctx, size_t start, size_t end, int64_t id){
  (void)start; (void)end; (void)id;
  (*(sqlite3_int64*)ctx)++;
  return 0;
}

static void token_count_func(sqlite3_context *ctx, int argc,
                             sqlite3_value **argv){
  token_opts o;
  sqlite3_int64 count = 0;
  int rc;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "token_count", "text", argv[0]) ) return;
  if( token_args(ctx, "token_count", argc, argv, 0, &o) ) return;
  rc = o.tok->tokenize(o.tok, (const char*)sqlite3_value_text(argv[0]),
                       (size_t)sqlite3_value_bytes(argv[0]), o.specials,
                       count_token, &count);
  if( rc ){
    tokenizer_failed(ctx, "token_count", rc);
    return;
  }
  sqlite3_result_int64(ctx, count);
}

/* ---- detokenize(ids, encoding) ------------------------------------------------- */

static int detok_append(sqlite3_context *ctx, const corpus_tokenizer *tok,
                        corpus_buf *b, sqlite3_int64 id){
  size_t len;
  const unsigned char *p = corpus_bpe_token_bytes(tok, id, &len);
  if( p==0 ){
    corpus_result_error(ctx, "detokenize", "id %lld is not a token of %s",
                        id, tok->name);
    return 1;
  }
  if( corpus_buf_append(b, (const char*)p, len) ){
    sqlite3_result_error_nomem(ctx);
    return 1;
  }
  return 0;
}

/* ids as a JSON array of integers, read with the JSON reader of the base
** layer (json.c). */
static int detok_json(sqlite3_context *ctx, const corpus_tokenizer *tok,
                      const char *z, size_t n, corpus_buf *b){
  corpus_json arr, v, key;
  corpus_json_iter it;
  size_t errpos;
  if( corpus_json_check(z, n, &errpos) ) goto bad;
  arr = corpus_json_root(z, n);
  if( corpus_json_type(arr)!=CORPUS_JSON_ARRAY ) goto bad;
  corpus_json_iter_init(arr, &it);
  while( corpus_json_iter_next(&it, &key, &v) ){
    char num[24], *end;
    long long id;
    if( corpus_json_type(v)!=CORPUS_JSON_NUMBER || v.n>=sizeof(num)
     || memchr(v.z, '.', v.n) || memchr(v.z, 'e', v.n)
     || memchr(v.z, 'E', v.n) ){
      goto bad;
    }
    memcpy(num, v.z, v.n);
    num[v.n] = 0;
    errno = 0;
    id = strtoll(num, &end, 10);
    if( errno==ERANGE ) goto bad;
    if( detok_append(ctx, tok, b, id) ) return 1;
  }
  return 0;
bad:
  corpus_result_error(ctx, "detokenize", "ids must be a JSON array of "
                      "integers or a BLOB of little-endian uint32");
  return 1;
}

static void detokenize_func(sqlite3_context *ctx, int argc,
                            sqlite3_value **argv){
  char err[CORPUS_ERRMAX];
  const corpus_tokenizer *tok;
  corpus_buf b;
  int t = sqlite3_value_type(argv[0]);
  (void)argc;
  if( t==SQLITE_NULL || sqlite3_value_type(argv[1])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "detokenize", "encoding", argv[1]) ) return;
  tok = corpus_tokenizer_find((const char*)sqlite3_value_text(argv[1]), err);
  if( tok==0 ){
    corpus_result_error(ctx, "detokenize", "%s", err);
    return;
  }
  if( tok->data==0 ){
    corpus_result_error(ctx, "detokenize", "%s is not a BPE encoding (valid: "
                        "r50k_base, gpt2, p50k_base, cl100k_base, o200k_base)",
                        tok->name);
    return;
  }
  memset(&b, 0, sizeof(b));
  if( corpus_buf_append(&b, "", 0) ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if( t==SQLITE_BLOB ){
    const unsigned char *p = sqlite3_value_blob(argv[0]);
    int n = sqlite3_value_bytes(argv[0]), i;
    if( n%4 ){
      corpus_free(b.z);
      corpus_result_error(ctx, "detokenize", "a BLOB of ids must hold "
                          "little-endian uint32, got %d bytes", n);
      return;
    }
    for(i=0; i<n; i+=4){
      uint32_t id = (uint32_t)p[i] | (uint32_t)p[i+1]<<8
                  | (uint32_t)p[i+2]<<16 | (uint32_t)p[i+3]<<24;
      if( detok_append(ctx, tok, &b, id) ){ corpus_free(b.z); return; }
    }
  }else if( t==SQLITE_TEXT ){
    if( detok_json(ctx, tok, (const char*)sqlite3_value_text(argv[0]),
                   (size_t)sqlite3_value_bytes(argv[0]), &b) ){
      corpus_free(b.z);
      return;
    }
  }else{
    corpus_free(b.z);
    corpus_result_error(ctx, "detokenize", "ids must be a JSON array of "
                        "integers or a BLOB of little-endian uint32, got %s",
                        corpus_type_name(t));
    return;
  }
  /* A token may hold part of a UTF-8 sequence: the bytes are decoded as
  ** tiktoken's decode() does (errors="replace": each maximal invalid
  ** subpart one U+FFFD), so that the TEXT is valid UTF-8. */
  if( !corpus_utf8_valid(b.z, b.n) ){
    corpus_buf r = {0, 0, 0};
    int rc = corpus_buf_append_utf8(&r, b.z, b.n);
    corpus_free(b.z);
    if( rc ){
      corpus_free(r.z);
      sqlite3_result_error_nomem(ctx);
      return;
    }
    b = r;
  }
  sqlite3_result_text64(ctx, b.z, b.n, corpus_free, SQLITE_UTF8);
}

/* ---- Table-valued functions: tokens() and ngrams() -------------------------- */

/*
** Both tokenize their text argument once, in xFilter, into an array of
** spans over a private copy of the text, then hand out one row per token
** (tokens) or per n-gram (ngrams).
*/

/* A token of the cursor: 12 bytes, not corpus_span's 24, as a table holds
** one per token of the whole text (a text is under 4 GB; an id is a BPE
** rank or -1).  The spans are one array, so a table holds at most
** SPAN_MAX tokens: 178 million, which a text of one-byte tokens (chars)
** reaches at 178 MB. */
typedef struct text_span { uint32_t start, end; int32_t id; } text_span;
#define SPAN_MAX ((sqlite3_int64)(CORPUS_MAX_ALLOC/sizeof(text_span)))

typedef struct text_cursor {
  corpus_tvf_cursor base;
  char *z;                /* copy of the text argument */
  size_t n;
  text_span *spans;
  sqlite3_int64 nspan, cap;
  int valid;              /* z is valid UTF-8: tokens are used in place */
  const corpus_tokenizer *bpe; /* a BPE encoding: tokens are its own */
  int ngram, unit;        /* ngrams() only */
  int full;               /* stopped at SPAN_MAX tokens */
  corpus_buf text;        /* a token or n-gram rebuilt with U+FFFD */
} text_cursor;

static void text_cursor_reset(corpus_tvf_cursor *cur){
  text_cursor *c = (text_cursor*)cur;
  corpus_free(c->z);
  corpus_free(c->spans);
  corpus_free(c->text.z);
  memset((char*)c + sizeof(c->base), 0, sizeof(*c) - sizeof(c->base));
}

static int text_cursor_token(void *ctx, size_t start, size_t end, int64_t id){
  text_cursor *c = (text_cursor*)ctx;
  if( c->nspan==c->cap ){
    /* by half again: a table's spans are its largest array (12 bytes a
    ** byte for chars), and doubling left up to half of it unused */
    sqlite3_int64 cap = c->cap ? c->cap + c->cap/2 : 64;
    text_span *p;
    if( c->cap==SPAN_MAX ){
      c->full = 1;
      return SQLITE_TOOBIG;
    }
    if( cap>SPAN_MAX ) cap = SPAN_MAX;
    p = corpus_realloc(c->spans, (size_t)cap*sizeof(text_span));
    if( p==0 ) return SQLITE_NOMEM;
    c->spans = p;
    c->cap = cap;
  }
  c->spans[c->nspan].start = (uint32_t)start;
  c->spans[c->nspan].end = (uint32_t)end;
  c->spans[c->nspan].id = (int32_t)id;
  c->nspan++;
  return 0;
}

/* Whether the text argument is there (a NULL text has no rows). */
static int text_arg(text_cursor *c, sqlite3_value *v, int *rc){
  *rc = SQLITE_OK;
  if( v==0 || sqlite3_value_type(v)==SQLITE_NULL ) return 0;
  if( sqlite3_value_type(v)!=SQLITE_TEXT ){
    *rc = corpus_tvf_error(&c->base, "text must be TEXT, got %s",
                           corpus_type_name(sqlite3_value_type(v)));
    return 0;
  }
  return 1;
}

/* Copies the text and cuts it into the cursor's spans. */
static int text_cursor_load(text_cursor *c, sqlite3_value *v,
                            const corpus_tokenizer *tok, unsigned specials){
  int rc;
  c->n = (size_t)sqlite3_value_bytes(v);
  if( c->n>=0xFFFFFFFFu ) return SQLITE_TOOBIG;   /* spans are 32-bit */
  c->z = corpus_realloc(0, c->n + 1);
  if( c->z==0 ) return SQLITE_NOMEM;
  memcpy(c->z, sqlite3_value_text(v), c->n);
  c->z[c->n] = 0;
  c->valid = corpus_utf8_valid(c->z, c->n);
  rc = tok->tokenize(tok, c->z, c->n, specials, text_cursor_token, c);
  if( rc==SQLITE_TOOBIG && c->full ){
    return corpus_tvf_error(&c->base, "input too large (limit %lld tokens)",
                            SPAN_MAX);
  }
  if( rc==SQLITE_TOOBIG ){
    return corpus_tvf_error(&c->base, "input too large (limit %lld bytes in "
                            "one pre-token piece)",
                            (long long)CORPUS_BPE_MAX_PIECE);
  }
  return rc;
}

/* tokens(text [, tokenizer [, options]]) */
#define TOKENS_POSITION 0
#define TOKENS_TOKEN    1
#define TOKENS_START    2
#define TOKENS_END      3
#define TOKENS_TOKEN_ID 4

static int tokens_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  text_cursor *c = (text_cursor*)cur;
  const corpus_tokenizer *tok;
  char err[CORPUS_ERRMAX];
  unsigned specials = 0;
  int rc;
  if( !text_arg(c, args[0], &rc) ) return rc;
  tok = tokenizer_value(args[1], err);
  if( tok==0 ) return corpus_tvf_error(cur, "%s", err);
  if( args[2] ){
    token_opts o;
    memset(&o, 0, sizeof(o));
    o.tok = tok;
    rc = corpus_tvf_options(cur, args[2], token_option, &o);
    if( rc ) return rc;
    specials = o.specials;
  }
  c->bpe = tok->data ? tok : 0;
  rc = text_cursor_load(c, args[0], tok, specials);
  if( rc==SQLITE_OK ) cur->nrow = c->nspan;
  return rc;
}

static int tokens_column(corpus_tvf_cursor *cur, sqlite3_context *ctx,
                         int col){
  text_cursor *c = (text_cursor*)cur;
  const text_span *sp = &c->spans[cur->row];
  switch( col ){
    case TOKENS_POSITION: sqlite3_result_int64(ctx, cur->row); break;
    case TOKENS_TOKEN:
      if( c->bpe ){
        /* the token's bytes, not the input's (invalid UTF-8 was
        ** replaced); part of a UTF-8 sequence comes as a BLOB */
        size_t len;
        const char *p = (const char*)corpus_bpe_token_bytes(c->bpe, sp->id,
                                                            &len);
        if( corpus_utf8_valid(p, len) ){
          sqlite3_result_text64(ctx, p, len, SQLITE_STATIC, SQLITE_UTF8);
        }else{
          sqlite3_result_blob64(ctx, p, len, SQLITE_STATIC);
        }
        break;
      }
      if( c->valid ){
        sqlite3_result_text64(ctx, c->z+sp->start, sp->end-sp->start,
                              SQLITE_TRANSIENT, SQLITE_UTF8);
        break;
      }
      c->text.n = 0;
      if( corpus_buf_append_utf8(&c->text, c->z+sp->start,
                                 sp->end-sp->start) ){
        return SQLITE_NOMEM;
      }
      sqlite3_result_text64(ctx, c->text.z, c->text.n, SQLITE_TRANSIENT,
                            SQLITE_UTF8);
      break;
    case TOKENS_START: sqlite3_result_int64(ctx, (sqlite3_int64)sp->start);
                       break;
    case TOKENS_END:   sqlite3_result_int64(ctx, (sqlite3_int64)sp->end);
                       break;
    default:           if( sp->id>=0 ) sqlite3_result_int64(ctx, sp->id);
  }
  return SQLITE_OK;
}

static const char *const tokens_args[] = {"text", "tokenizer", "options"};
static const corpus_tvf tokens_tvf = {
  "tokens",
  "CREATE TABLE x(position INTEGER, token TEXT, start INTEGER, end INTEGER, "
  "token_id INTEGER, text HIDDEN, tokenizer HIDDEN, options HIDDEN)",
  5, 3, 1, tokens_args, SQLITE_VTAB_INNOCUOUS, sizeof(text_cursor),
  tokens_filter, tokens_column, text_cursor_reset, 0, 0
};

/* ngrams(text, n [, options]) */
#define NGRAMS_POSITION 0
#define NGRAMS_NGRAM    1
#define NGRAMS_HASH     2

static int ngrams_option(void *ctx, const char *key, const char *value,
                         char *err){
  text_cursor *c = (text_cursor*)ctx;
  if( strcmp(key, "unit")==0 ){
    int v = corpus_option_choice(key, value, "word|char", err);
    if( v<0 ) return -1;
    c->unit = v==0 ? CORPUS_UNIT_WORD : CORPUS_UNIT_CHAR;
    return 0;
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: unit)", key);
  return -1;
}

static int ngrams_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  text_cursor *c = (text_cursor*)cur;
  sqlite3_int64 ngram;
  int rc;
  if( !text_arg(c, args[0], &rc) ) return rc;
  if( sqlite3_value_type(args[1])==SQLITE_NULL ) return SQLITE_OK;
  if( sqlite3_value_type(args[1])!=SQLITE_INTEGER ){
    return corpus_tvf_error(cur, "n must be INTEGER, got %s",
                            corpus_type_name(sqlite3_value_type(args[1])));
  }
  ngram = sqlite3_value_int64(args[1]);
  if( ngram<1 || ngram>CORPUS_NGRAM_MAX ){
    return corpus_tvf_error(cur, "n must be 1..%d, got %lld",
                            CORPUS_NGRAM_MAX, ngram);
  }
  c->ngram = (int)ngram;
  c->unit = CORPUS_UNIT_WORD;
  if( args[2] ){
    rc = corpus_tvf_options(cur, args[2], ngrams_option, c);
    if( rc ) return rc;
  }
  rc = text_cursor_load(c, args[0], c->unit==CORPUS_UNIT_CHAR ?
                        &corpus_tokenizer_chars : &corpus_tokenizer_words, 0);
  if( rc ) return rc;
  if( c->nspan>=c->ngram ){
    cur->nrow = c->nspan - c->ngram + 1;
  }else{
    cur->nrow = c->nspan>0;   /* short text: one n-gram of all its tokens */
  }
  return SQLITE_OK;
}

static int ngrams_column(corpus_tvf_cursor *cur, sqlite3_context *ctx,
                         int col){
  text_cursor *c = (text_cursor*)cur;
  const text_span *sp = &c->spans[cur->row];
  const char *p;
  size_t len;
  int count = (int)(c->nspan<c->ngram ? c->nspan : c->ngram), i;
  corpus_span win[CORPUS_NGRAM_MAX];
  if( col==NGRAMS_POSITION ){
    sqlite3_result_int64(ctx, cur->row);
    return SQLITE_OK;
  }
  for(i=0; i<count; i++){
    win[i].start = sp[i].start;
    win[i].end = sp[i].end;
    win[i].id = sp[i].id;
  }
  if( corpus_ngram_get(c->z, c->valid, c->unit, win, count, &c->text, &p,
                       &len) ){
    return SQLITE_NOMEM;
  }
  if( col==NGRAMS_NGRAM ){
    sqlite3_result_text64(ctx, p, len, SQLITE_TRANSIENT, SQLITE_UTF8);
  }else{
    sqlite3_result_int64(ctx, (sqlite3_int64)corpus_ngram_hash(p, len));
  }
  return SQLITE_OK;
}

static const char *const ngrams_args[] = {"text", "n", "options"};
static const corpus_tvf ngrams_tvf = {
  "ngrams",
  "CREATE TABLE x(position INTEGER, ngram TEXT, hash INTEGER, "
  "text HIDDEN, n HIDDEN, options HIDDEN)",
  3, 3, 2, ngrams_args, SQLITE_VTAB_INNOCUOUS, sizeof(text_cursor),
  ngrams_filter, ngrams_column, text_cursor_reset, 0, 0
};

static const corpus_sql tokenize_sql[] = {
  CORPUS_SCALAR("tokenize",    1, CORPUS_PURE | CORPUS_JSON_RESULT, tokenize_func),
  CORPUS_SCALAR("tokenize",    2, CORPUS_PURE | CORPUS_JSON_RESULT, tokenize_func),
  CORPUS_SCALAR("tokenize",    3, CORPUS_PURE | CORPUS_JSON_RESULT, tokenize_func),
  CORPUS_SCALAR("token_count", 1, CORPUS_PURE, token_count_func),
  CORPUS_SCALAR("token_count", 2, CORPUS_PURE, token_count_func),
  CORPUS_SCALAR("token_count", 3, CORPUS_PURE, token_count_func),
  CORPUS_SCALAR("detokenize",  2, CORPUS_PURE, detokenize_func),
  CORPUS_TABLE_FUNCTION("tokens", &tokens_tvf),
  CORPUS_TABLE_FUNCTION("ngrams", &ngrams_tvf),
};

int corpus_tokenize_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, tokenize_sql, CORPUS_COUNT(tokenize_sql),
                             pzErr);
}
