/*
** Templates and JSON through SQL: prompt(), fewshot(), calibrate() and
** content_free_probs().  Input: a selector byte, then up to three parts
** separated by 0xFF bytes (?1 template or text, ?2 JSON, ?3 options).
*/
#include "fuzz.h"

static const char *const azSql[] = {
  "SELECT prompt(?1, ?2)",
  "SELECT prompt(?1, ?2)",
  "SELECT prompt(?1, ?2)",
  ("SELECT prompt(?1, '{\"a\":[1,2],\"b\":{\"c\":[{\"d\":\"x\"},{\"d\":null}]},"
   "\"e\":true,\"f\":\"\\u00e9\\ud800\"}')"),
  "SELECT prompt(?1, ?2) FROM (SELECT 1 UNION ALL SELECT 2)",
  "SELECT fewshot(1, ?1, ?2, 2)",
  "SELECT fewshot('q', ?1, ?2, 3, ?3)",
  "SELECT fewshot(?3, 'query', ?2, length(?1))",
  "SELECT calibrate(?1, ?2)",
  ("SELECT content_free_probs(x) FROM (SELECT ?1 x UNION ALL SELECT ?2 "
   "UNION ALL SELECT ?3)"),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  fuzz_part parts[3];
  if( size<1 ) return 0;
  fuzz_split(data+1, size-1, parts, 3);
  fuzz_run(fuzz_db(), azSql[data[0] % (sizeof(azSql)/sizeof(azSql[0]))],
           parts, 3, 0, 0, 0);
  return 0;
}
