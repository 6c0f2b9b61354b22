/*
** sqlite-corpus: the extension's entry point, and nothing else.
**
** sqlite3_corpus_init() hands the core SQLite's allocator and registers
** every area's table of SQL names (one .c file each; ARCHITECTURE.md).
*/
#include "corpus_sql.h"

typedef int (*area_register)(sqlite3*, char**);
static const area_register areas[] = {
  corpus_sql_glue_register,
  corpus_version_register,
  corpus_text_register,
  corpus_tokenize_register,
  corpus_hash_register,
  corpus_minhash_register,
  corpus_lsh_register,
  corpus_minhash_index_register,
  corpus_cluster_register,
  corpus_files_register,
  corpus_quality_register,
  corpus_classify_register,
  corpus_prompt_register,
  corpus_ngram_index_register,
  corpus_decontam_register,
  corpus_jsonl_register,
  corpus_url_register,
  corpus_html_register,
  corpus_lang_register,
  corpus_pii_register,
  corpus_warc_register,
  corpus_neardup_register,
  corpus_substr_register,
  corpus_stats_register,
  corpus_report_register,
  corpus_rouge_register,
  corpus_llm_register,
  corpus_regexp_register,
};

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_corpus_init(sqlite3 *db, char **pzErrMsg,
                        const sqlite3_api_routines *pApi){
  char *zErr = 0;
  int rc = SQLITE_OK;
  size_t i;
  /* Every connection that loads the library passes the same routines:
  ** storing them again while other threads call through them would be a
  ** data race (ThreadSanitizer, `make tsan`), so only the first load does. */
  if( sqlite3_api!=pApi ){
    SQLITE_EXTENSION_INIT2(pApi);
  }
  corpus_use_allocator(corpus_sql_realloc, corpus_sql_free);
  rc = corpus_sql_conn_begin();
  for(i=0; rc==SQLITE_OK && i<CORPUS_COUNT(areas); i++){
    rc = areas[i](db, &zErr);
  }
  corpus_sql_conn_end();
  if( rc!=SQLITE_OK && pzErrMsg ){
    *pzErrMsg = sqlite3_mprintf("corpus: %s", zErr ? zErr : "out of memory");
  }
  sqlite3_free(zErr);
  return rc;
}
