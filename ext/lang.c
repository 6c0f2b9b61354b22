/*
** Language identification: lang_id() and lang_scores(), with CLD2
** (Debian's libcld2, its full tables from libcld2_full) behind the C
** interface of lang_cld2.cc.  CLD2 was chosen over libexttextcat on a
** multilingual test set (docs/lang.md has the figures: more accurate at
** every length, 10 to 85 times faster).
**
** The score of a language is CLD2's share of the text's letter bytes in
** it (percent / 100; UTF-8 bytes, so a script of 2- or 3-byte letters
** weighs more per letter): in [0, 1], near 1 for a text all in one
** language, as fastText's probability is in FineWeb's filter.  CLD2's
** is_reliable is not folded in: on long texts it is false for any mixture
** (a Russian text with English option names).  Unsure answers are kept
** out another way: with min_score above 0, CLD2 is asked without its
** best-effort flag, and then answers "unknown" for a text too short or
** too odd for it (best effort gave "zxcv bnm" Turkish at 0.90); with
** min_score=0 its best guess is asked for.
** A text longer than sample= bytes is read as four windows spread over
** it (sample/4 bytes each), so that the cost of a long document is
** bounded and its middle and end count as well as its start.
*/
#include <limits.h>
#include <stdio.h>
#include "corpus_sql.h"
#include "lang_cld2.h"

#define LANG_WINDOWS 4
#define LANG_SAMPLE_DEFAULT 4096

typedef struct lang_opts {
  double min_score;                  /* candidates below it are not kept */
  sqlite3_int64 sample;              /* bytes read of a long text; 0: all */
} lang_opts;

/* The candidates, best first (n <= 3), their codes static strings. */
typedef struct lang_result {
  int n;
  const char *code[3];
  double score[3];
} lang_result;

static int lang_option(void *ctx, const char *key, const char *value,
                       char *err){
  lang_opts *o = (lang_opts*)ctx;
  if( strcmp(key, "min_score")==0 ){
    return corpus_option_double(key, value, 0, 1, &o->min_score, err);
  }
  if( strcmp(key, "sample")==0 ){
    long long v;
    /* any integer first, so that every value out of range gets the one
    ** message that names the whole range */
    if( corpus_option_int(key, value, -LLONG_MAX, LLONG_MAX, &v, err) ){
      return -1;
    }
    if( v<0 || (v>0 && v<256) || (unsigned long long)v>CORPUS_CLD2_MAX ){
      snprintf(err, CORPUS_ERRMAX, "sample must be 0 or 256..%lld, got %lld",
               (long long)CORPUS_CLD2_MAX, v);
      return -1;
    }
    o->sample = v;
    return 0;
  }
  snprintf(err, CORPUS_ERRMAX,
           "unknown option '%.40s' (valid: min_score, sample)", key);
  return -1;
}

/* Appends z[a..b) of z[0..n-1] to out, cut to whole characters and
** words: a start inside the text moved past the first white space (within
** 64 bytes) and an end inside it back to the last, so that no window
** begins or ends with part of a word (the text's own first and last words
** are whole already). */
static int lang_window(corpus_buf *out, const char *z, size_t n, size_t a,
                       size_t b){
  size_t k;
  for(k=a; a>0 && k<b && k<a+64; k++){
    if( z[k]==' ' || z[k]=='\n' || z[k]=='\t' ){ a = k+1; break; }
  }
  for(k=b; b<n && k>a && k+64>b; k--){
    if( z[k-1]==' ' || z[k-1]=='\n' || z[k-1]=='\t' ){ b = k-1; break; }
  }
  while( a<b && ((unsigned char)z[a] & 0xC0)==0x80 ) a++;
  while( b>a && b<n && ((unsigned char)z[b] & 0xC0)==0x80 ) b--;
  if( corpus_buf_append_utf8(out, z+a, b-a) ) return CORPUS_NOMEM;
  return corpus_buf_append(out, "\n", 1) ? CORPUS_NOMEM : 0;
}

/* The text CLD2 reads: z itself when it is valid UTF-8 and short enough,
** else a copy in buf (invalid subparts U+FFFD; the windows of a long
** text).  0 or CORPUS_NOMEM. */
static int lang_input(const char *z, size_t n, sqlite3_int64 sample,
                      corpus_buf *buf, const char **pz, size_t *pn){
  size_t cap = sample>0 ? (size_t)sample : CORPUS_CLD2_MAX;
  if( n>cap ){
    size_t w = cap/LANG_WINDOWS, i;
    for(i=0; i<LANG_WINDOWS; i++){
      /* the last window ends at the text's end exactly */
      size_t a = i==LANG_WINDOWS-1 ? n-w : (n-w)/(LANG_WINDOWS-1)*i;
      if( lang_window(buf, z, n, a, a+w) ) return CORPUS_NOMEM;
    }
  }else if( !corpus_utf8_valid(z, n) ){
    if( corpus_buf_append_utf8(buf, z, n) ) return CORPUS_NOMEM;
  }else{
    *pz = z;
    *pn = n;
    return 0;
  }
  *pz = buf->z ? buf->z : "";
  *pn = buf->n;
  return 0;
}

/* Detects the languages of z[0..n-1] (any bytes): 0 with *res filled
** (n 0: no language, e.g. for a text without letters), or CORPUS_NOMEM. */
static int lang_detect(const char *z, size_t n, const lang_opts *o,
                       lang_result *res){
  corpus_buf buf = {0, 0, 0};
  corpus_cld2_result r;
  const char *text = 0;
  size_t len = 0;
  int percent[3], i, j, rc;
  memset(res, 0, sizeof(*res));
  rc = lang_input(z, n, o->sample, &buf, &text, &len);
  if( rc==0 ) rc = corpus_cld2_detect(text, len, o->min_score==0, &r);
  corpus_free(buf.z);
  if( rc ) return CORPUS_NOMEM;
  if( r.text_bytes<=0 ) return 0;
  for(i=0; i<3; i++){
    if( r.code[i]==0 || r.percent[i]<=0 ) continue;
    /* two of CLD2's languages may have one code (zh and zh-Hant): their
    ** percents add up, as integers, so that the score prints as CLD2's
    ** percent / 100 does */
    for(j=0; j<res->n && strcmp(res->code[j], r.code[i]); j++){}
    if( j==res->n ){
      res->code[res->n] = r.code[i];
      percent[res->n++] = r.percent[i];
    }else{
      percent[j] += r.percent[i];
    }
  }
  /* best first (CLD2's order, unless a merge changed it) */
  for(i=1; i<res->n; i++){
    for(j=i; j>0 && percent[j]>percent[j-1]; j--){
      const char *c = res->code[j];
      int p = percent[j];
      res->code[j] = res->code[j-1];  percent[j] = percent[j-1];
      res->code[j-1] = c;             percent[j-1] = p;
    }
  }
  /* the rest below min_score goes */
  for(i=0; i<res->n; i++){
    res->score[i] = percent[i]/100.0;
    if( res->score[i]<o->min_score ) break;
  }
  res->n = i;
  return 0;
}

/* lang_id(text [, options]) -> the ISO 639-1 code of text's language, or
** NULL when no language scores min_score (default 0.5). */
static void lang_id_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  lang_opts o = {0.5, LANG_SAMPLE_DEFAULT};
  lang_result res;
  const char *z;
  int t = sqlite3_value_type(argv[0]);
  if( t!=SQLITE_NULL
   && corpus_check_text(ctx, "lang_id", "text", argv[0]) ) return;
  if( argc>1 && corpus_apply_options(ctx, "lang_id", argv[1], lang_option,
                                     &o) ){
    return;
  }
  if( t==SQLITE_NULL ) return;
  z = (const char*)sqlite3_value_text(argv[0]);
  if( z==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  if( lang_detect(z, (size_t)sqlite3_value_bytes(argv[0]), &o, &res) ){
    sqlite3_result_error_nomem(ctx);
  }else if( res.n>0 ){
    sqlite3_result_text(ctx, res.code[0], -1, SQLITE_STATIC);
  }
}

/* ---- lang_scores(text [, options]) ------------------------------------------- */

#define SCORES_LANG   0
#define SCORES_SCORE  1

typedef struct scores_cursor {
  corpus_tvf_cursor base;
  lang_result res;
} scores_cursor;

static int scores_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  scores_cursor *c = (scores_cursor*)cur;
  lang_opts o = {0, LANG_SAMPLE_DEFAULT};
  const char *z;
  int t = sqlite3_value_type(args[0]), rc;
  c->res.n = 0;
  if( t!=SQLITE_NULL && t!=SQLITE_TEXT ){
    return corpus_tvf_error(cur, "text must be TEXT, got %s",
                            corpus_type_name(t));
  }
  if( args[1] && (rc = corpus_tvf_options(cur, args[1], lang_option, &o)) ){
    return rc;
  }
  if( t==SQLITE_NULL ) return SQLITE_OK;
  z = (const char*)sqlite3_value_text(args[0]);
  if( z==0 ) return SQLITE_NOMEM;
  if( lang_detect(z, (size_t)sqlite3_value_bytes(args[0]), &o, &c->res) ){
    return SQLITE_NOMEM;
  }
  cur->nrow = c->res.n;
  return SQLITE_OK;
}

static int scores_column(corpus_tvf_cursor *cur, sqlite3_context *ctx,
                         int col){
  scores_cursor *c = (scores_cursor*)cur;
  if( col==SCORES_LANG ){
    sqlite3_result_text(ctx, c->res.code[cur->row], -1, SQLITE_STATIC);
  }else{
    sqlite3_result_double(ctx, c->res.score[cur->row]);
  }
  return SQLITE_OK;
}

static const char *const scores_args[] = {"text", "options"};
static const corpus_tvf scores_tvf = {
  "lang_scores",
  "CREATE TABLE x(lang TEXT, score REAL, text HIDDEN, options HIDDEN)",
  2, 2, 1, scores_args, SQLITE_VTAB_INNOCUOUS, sizeof(scores_cursor),
  scores_filter, scores_column, 0, 0, 0
};

static const corpus_sql lang_sql[] = {
  CORPUS_SCALAR("lang_id", 1, CORPUS_PURE, lang_id_func),
  CORPUS_SCALAR("lang_id", 2, CORPUS_PURE, lang_id_func),
  CORPUS_TABLE_FUNCTION("lang_scores", &scores_tvf),
};

int corpus_lang_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, lang_sql, CORPUS_COUNT(lang_sql), pzErr);
}
