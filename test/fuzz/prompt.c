/*
** Templates and JSON through SQL: prompt(), fewshot(), calibrate() and
** content_free_probs(); the report's chart_svg() and corpus_report()
** (selectors 100..127: ?1 a title or label, ?2 the data, ?3 options);
** models in the loop (selectors 80..99: llm_request(), llm_response(),
** fewshot()'s chat format, rouge_l(), rouge_n(), the regexp functions).
** Input: a selector byte, then up to three parts separated by 0xFF bytes
** (?1 template or text, ?2 JSON, ?3 options).
**
** Selectors 128..255 build the template by repetition, so that deep
** nesting is one mutation away: a count byte R, then parts open, middle,
** close and values (0xFF between them); the template is open repeated R
** times, middle, close repeated R times, rendered with prompt().
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

/* Selectors 80..99 (no seed used them before these came). */
static const char *const azLlm[] = {
  "SELECT llm_request(?1, ?2, ?3)",
  "SELECT llm_request('id', ?2, 'format=chat ' || ?3), llm_request(?1, ?1, 'model=m')",
  "SELECT llm_response(?2, ?1)",
  ("SELECT llm_response(?2, f) FROM (SELECT 'text' f UNION ALL SELECT 'error' "
   "UNION ALL SELECT 'tool_calls' UNION ALL SELECT 'body' UNION ALL SELECT "
   "'status' UNION ALL SELECT 'prompt_tokens' UNION ALL SELECT 'custom_id' "
   "UNION ALL SELECT 'choices')"),
  ("SELECT rouge_l(?1, ?2, ?3), rouge_n(?1, ?2, 2), "
   "rouge_n(?2, ?1, length(?3) % 7 + 1)"),
  "SELECT fewshot('q', ?1, ?2, 2, 'format=chat ' || ?3)",
  "SELECT regexp(?1, ?2), regexp_replace(?2, ?1, ?3)",
  "SELECT position, piece FROM regexp_split(?2, ?1)",
};

/* Selectors 100..127 (no seed used them before the report's came). */
static const char *const azReport[] = {
  "SELECT chart_svg(?2, ?3)",
  "SELECT chart_svg(?2), chart_svg(json_array(json_array(?1, length(?2))), ?3)",
  ("SELECT chart_svg(json_group_array(json_array(?1 || x, x)), ?3) FROM "
   "(SELECT 1 x UNION ALL SELECT 2.5 UNION ALL SELECT 1e6 UNION ALL SELECT 0)"),
  ("SELECT corpus_report('/tmp/corpus-fuzz-report.html', ?1, "
   "json_array(chart_svg(?2, ?3), ?1), 'overwrite=on note=' || quote(?1))"),
  "SELECT corpus_report('/tmp/corpus-fuzz-report.html', ?1, ?2, ?3)",
};

static void nested(const uint8_t *data, size_t size){
  fuzz_part parts[4], args[2];
  unsigned r, i;
  char *z;
  size_t n = 0;
  if( size<1 ) return;
  r = data[0];
  fuzz_split(data+1, size-1, parts, 4);
  z = malloc(r*(parts[0].n + parts[2].n) + parts[1].n + 1);
  if( z==0 ) return;
  for(i=0; i<r; i++){ memcpy(z+n, parts[0].z, parts[0].n); n += parts[0].n; }
  memcpy(z+n, parts[1].z, parts[1].n); n += parts[1].n;
  for(i=0; i<r; i++){ memcpy(z+n, parts[2].z, parts[2].n); n += parts[2].n; }
  args[0].z = z;  args[0].n = n;
  args[1] = parts[3];
  fuzz_run(fuzz_db(), "SELECT prompt(?1, ?2)", args, 2, 0, 0, 0);
  free(z);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  fuzz_part parts[3];
  if( size<1 ) return 0;
  if( data[0]>=128 ){
    nested(data+1, size-1);
    return 0;
  }
  fuzz_split(data+1, size-1, parts, 3);
  if( data[0]>=80 && data[0]<100 ){
    fuzz_run(fuzz_db(), azLlm[(data[0]-80) % (sizeof(azLlm)/sizeof(azLlm[0]))],
             parts, 3, 0, 0, 0);
    return 0;
  }
  if( data[0]>=100 ){
    fuzz_run(fuzz_db(), azReport[(data[0]-100) % (sizeof(azReport)/sizeof(azReport[0]))],
             parts, 3, 0, 0, 0);
    return 0;
  }
  fuzz_run(fuzz_db(), azSql[data[0] % (sizeof(azSql)/sizeof(azSql[0]))],
           parts, 3, 0, 0, 0);
  return 0;
}
