/*
** BLOBs the extension reads back: MinHash signatures (minhash_jaccard,
** minhash_info, lsh_bucket, lsh_bands), classifier models (quality_classify,
** quality_model_info, quality_score's model form) and packed token ids
** (detokenize); and two byte strings of remove_spans (a text, TEXT or
** BLOB, and its spans, JSON or not, or spans of the two integers).
** Input: a selector byte, two small integers, a 2-byte length L, then
** BLOB ?1 (L bytes) and BLOB ?2 (the rest).
*/
#include "fuzz.h"

static const char *const azSql[] = {
  "SELECT minhash_jaccard(?1, ?2)",
  "SELECT minhash_info(?1)",
  "SELECT minhash_jaccard(?1, minhash('one two three four five six seven'))",
  "SELECT lsh_bucket(?1, %d, %d)",
  "SELECT lsh_bucket(?1, %d, %d, %d)",
  "SELECT count(*), sum(bucket) FROM lsh_bands(?1, %d)",
  "SELECT count(*) FROM lsh_bands(?1, %d, %d)",
  "SELECT quality_classify('Some text to classify, in a few words.', ?1)",
  "SELECT quality_classify(CAST(?2 AS TEXT), ?1)",
  "SELECT quality_model_info(?1)",
  "SELECT quality_score('Some text to score.', ?1)",
  "SELECT detokenize(?1, 'cl100k_base')",
  "SELECT detokenize(?1, 'o200k_base')",
  "SELECT detokenize(?1, 'r50k_base')",
  "SELECT quality_keep(quality_classify('x y', ?1), ?2)",
  "SELECT remove_spans(CAST(?1 AS TEXT), CAST(?2 AS TEXT))",
  "SELECT hex(remove_spans(?1, CAST(?2 AS TEXT)))",
  ("SELECT remove_spans(CAST(?1 AS TEXT), json_array(json_array(%d, %d), "
   "json_object('start', 0, 'end', %d)))"),
  "SELECT remove_spans(?1, ?2)",
};

/* Mostly small, sometimes an edge value. */
static int small_int(uint8_t b){
  static const int edge[] = { 0, -1, 2147483647, -2147483647-1, 65536, 1024 };
  if( b>=250 ) return edge[b-250];
  return (int)b - 8;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  fuzz_part parts[2];
  size_t len;
  char *zSql;
  int a, b;
  if( size<5 ) return 0;
  a = small_int(data[1]);
  b = small_int(data[2]);
  len = (size_t)data[3] | (size_t)data[4]<<8;
  data += 5; size -= 5;
  if( len>size ) len = size;
  parts[0].z = (const char*)data;        parts[0].n = len;
  parts[1].z = (const char*)data + len;  parts[1].n = size - len;
  zSql = sqlite3_mprintf(azSql[data[-5] % (sizeof(azSql)/sizeof(azSql[0]))],
                         a, b, (int)(((long long)a + b) & 0x7fffffff));
  fuzz_run(fuzz_db(), zSql, parts, 2, 3, 0, 0);
  sqlite3_free(zSql);
  return 0;
}
