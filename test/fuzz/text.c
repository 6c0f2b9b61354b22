/*
** UTF-8 text (any bytes) through normalize, the tokenizers (tokenize,
** token_count, tokens), ngrams, minhash, jaccard, the quality functions,
** url_parts/url_domain and pii_redact/pii_spans.  Input: a selector byte,
** then the text.  Besides the sanitizers it checks that each tokenizer's
** spans are ordered and inside the text (C API), that token_count(),
** tokenize() and tokens() count the same tokens, and that pii_spans()'s
** spans are ordered, apart and the bytes of the text they cover.
*/
#include "fuzz.h"

static const char *const azTok[] = {
  "words", "chars", "lines", "paragraphs", "spacy_en",
  "r50k_base", "p50k_base", "cl100k_base", "o200k_base",
};
#define NTOK (sizeof(azTok)/sizeof(azTok[0]))

static const char *const azSql[] = {
  "SELECT normalize(?1)",
  "SELECT normalize(?1, 'form=nfd case=keep punct=keep space=keep')",
  "SELECT normalize(?1, 'form=none accents=strip digits=zero ignorable=keep')",
  "SELECT normalize(?1, 'form=nfkd case=lower')",
  "SELECT tokenize(?1, '%s')",
  "SELECT count(*), sum(end-start), group_concat(token, '') FROM tokens(?1, '%s')",
  "SELECT count(*), group_concat(ngram, '|') FROM ngrams(?1, 3)",
  "SELECT count(*), group_concat(ngram, '|') FROM ngrams(?1, 2, 'unit=char')",
  "SELECT minhash(?1)",
  "SELECT minhash(?1, 'unit=char ngram=3 num_perm=16')",
  "SELECT minhash(?1, 'normalize=none ngram=1')",
  "SELECT jaccard(?1, substr(?1, 2))",
  "SELECT quality_signals(?1)",
  "SELECT quality_reject(?1, 'rules=gopher_quality,gopher_repetition,c4')",
  "SELECT quality_score(?1)",
  "SELECT c4_clean(?1)",
  "SELECT decontam_n(?1)",
  "SELECT xxh64(?1), xxh3(?1), xxh128(?1), sample_keep(?1, 0.5)",
  "SELECT url_parts(?1), url_domain(?1), url_parts('http://' || ?1)",
  ("SELECT lang_id(?1), lang_id(?1, 'min_score=0 sample=256'), "
   "(SELECT group_concat(lang || score) FROM lang_scores(?1, 'sample=0'))"),
  "SELECT pii_redact(?1), pii_redact(?1, 'ips=all kinds=email,ip email=')",
  "SELECT group_concat(kind || start || text) FROM pii_spans(?1, 'ips=all')",
};

/* Spans must be ordered, non-empty and inside the text. */
typedef struct span_check { size_t n, last; } span_check;
static int check_span(void *ctx, size_t start, size_t end, int64_t id){
  span_check *c = (span_check*)ctx;
  (void)id;
  if( start>end || end>c->n || start<c->last ){
    fuzz_fail("tokenizer", "span out of order or out of the text");
  }
  c->last = start;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  sqlite3 *db = fuzz_db();
  const char *zTok;
  char err[CORPUS_ERRMAX];
  const corpus_tokenizer *tok;
  span_check sc;
  fuzz_part part;
  char *zSql;
  sqlite3_int64 ok;
  if( size<1 ) return 0;
  zTok = azTok[(data[0]>>5) % NTOK];
  part.z = (const char*)data + 1;
  part.n = size - 1;

  zSql = sqlite3_mprintf(azSql[data[0] % (sizeof(azSql)/sizeof(azSql[0]))],
                         zTok);
  fuzz_run(db, zSql, &part, 1, 0, 0, 0);
  sqlite3_free(zSql);

  tok = corpus_tokenizer_find(zTok, err);
  if( tok==0 ) fuzz_fail("tokenizer", err);
  sc.n = part.n;
  sc.last = 0;
  tok->tokenize(tok, part.z, part.n, 0, check_span, &sc);

  zSql = sqlite3_mprintf(
      "SELECT token_count(?1, '%s') = json_array_length(tokenize(?1, '%s'))"
      " AND token_count(?1, '%s') = (SELECT count(*) FROM tokens(?1, '%s'))",
      zTok, zTok, zTok, zTok);
  ok = fuzz_int(db, zSql, &part, 1, 1);
  sqlite3_free(zSql);
  if( !ok ) fuzz_fail("token counts", zTok);

  /* pii spans: in order, apart, non-empty, inside the text, and each the
  ** bytes it covers */
  ok = fuzz_int(db,
      "SELECT count(*) FROM (SELECT start, \"end\" AS e, text,"
      " lag(\"end\", 1, 0) OVER () AS pe FROM pii_spans(?1, 'ips=all'))"
      " WHERE start < pe OR e <= start OR e > length(CAST(?1 AS BLOB))"
      " OR CAST(text AS BLOB) <> substr(CAST(?1 AS BLOB), start + 1, e - start)",
      &part, 1, 0);
  if( ok!=0 ) fuzz_fail("pii spans", "out of order, overlapping or not the text");
  return 0;
}
