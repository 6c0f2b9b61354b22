/*
** Option strings: corpus_options_parse() directly (every pair handed to the
** callback is a NUL-terminated key and value), then the whole input as the
** option string of each function that takes one (the first byte picks it).
*/
#include "fuzz.h"

static int record(void *ctx, const char *key, const char *value, char *err){
  (void)err;
  if( key==0 || value==0 ) fuzz_fail("options", "NULL key or value");
  *(size_t*)ctx += strlen(key) + strlen(value);
  return 0;
}

static const char *const azSql[] = {
  "SELECT normalize('Ab  Ç ﬁ 12', ?1)",
  "SELECT minhash('one two three four five six', ?1)",
  "SELECT jaccard('a b c d e f', 'a b c d e g', ?1)",
  "SELECT tokenize('hello world', 'words', ?1)",
  "SELECT tokenize('hello <|endoftext|>', 'cl100k_base', ?1)",
  "SELECT token_count('hello world', 'o200k_base', ?1)",
  "SELECT count(*) FROM tokens('a b', 'chars', ?1)",
  "SELECT count(*) FROM ngrams('a b c d', 2, ?1)",
  "SELECT quality_signals('A line.\nAnother line here.', ?1)",
  "SELECT quality_reject('A line.\nAnother line here.', ?1)",
  "SELECT quality_score('A line.\nAnother line here.', ?1)",
  "SELECT c4_clean('A line here is fine.\nlorem ipsum', ?1)",
  "SELECT fewshot(1, 'q', '[{\"id\":2,\"text\":\"t\",\"target\":\"a\"}]', 1, ?1)",
  ("SELECT length(quality_train(t, l, ?1)) FROM (SELECT 'good text' t, 1 l "
   "UNION ALL SELECT 'bad', 0)"),
  /* histogram's options and quantiles' list, over integers (huge ones
  ** among them), reals and NULLs */
  ("SELECT histogram(v, ?1) FROM (SELECT 1 v UNION ALL SELECT 7 UNION ALL "
   "SELECT NULL UNION ALL SELECT 9223372036854775807 UNION ALL SELECT -3)"),
  ("SELECT histogram(v, ?1) FROM (SELECT 0.5 v UNION ALL SELECT 2 UNION ALL "
   "SELECT 1e300 UNION ALL SELECT 2)"),
  ("SELECT quantiles(v, ?1) FROM (SELECT 1 v UNION ALL SELECT 5 UNION ALL "
   "SELECT -9223372036854775808 UNION ALL SELECT 2.5)"),
  ("SELECT quantiles(v, 'p0,p33.3,p50,p100', ?1) FROM (SELECT 1 v UNION ALL "
   "SELECT 4 UNION ALL SELECT 9223372036854775807)"),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  char err[CORPUS_ERRMAX];
  size_t total = 0;
  corpus_normalize_opts no;
  corpus_minhash_params mp;
  fuzz_part part;
  if( size==0 ) return 0;
  corpus_options_parse((const char*)data, size, record, &total, err);
  corpus_normalize_init(&no);
  if( corpus_options_parse((const char*)data, size, corpus_normalize_option,
                           &no, err) ){
    fuzz_check_utf8("normalize option error", err, strlen(err));
  }
  corpus_minhash_init(&mp);
  if( corpus_options_parse((const char*)data, size, corpus_minhash_option,
                           &mp, err) ){
    fuzz_check_utf8("minhash option error", err, strlen(err));
  }
  part.z = (const char*)data + 1;
  part.n = size - 1;
  fuzz_run(fuzz_db(), azSql[data[0] % (sizeof(azSql)/sizeof(azSql[0]))],
           &part, 1, 0, 0, 0);
  return 0;
}
