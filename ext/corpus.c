/*
** sqlite-corpus: the extension's only entry point.
**
** sqlite3_corpus_init() registers every area (one .c file each) and the two
** functions that describe the build:
**   corpus_version()  -> TEXT, the VERSION file at build time
**   corpus_debug()    -> TEXT, one "key: value" line per build fact
**   corpus_debug('memory') -> TEXT, JSON {"used":N,"highwater":N}: SQLite's
**                        process-wide allocator counters, for tests that
**                        bound the working memory of a function
*/
#include <stdio.h>
#include <utf8proc.h>
#include <xxhash.h>
#include "sqlite3ext.h"
SQLITE_EXTENSION_INIT1
#define SQLITE_CORPUS_NO_INIT3
#include "corpus_ext.h"

#ifndef CORPUS_VERSION
# error "build with -DCORPUS_VERSION=\"x.y.z\" (the Makefile reads VERSION)"
#endif

const char *corpus_version(void){
  return CORPUS_VERSION;
}

void *corpus_realloc(void *p, size_t n){
  if( n==0 ){
    sqlite3_free(p);
    return 0;
  }
  return sqlite3_realloc64(p, (sqlite3_uint64)n);
}

void corpus_free(void *p){
  sqlite3_free(p);
}

static void version_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_text(ctx, CORPUS_VERSION, -1, SQLITE_STATIC);
}

/*
** Every allocation of the extension goes through SQLite (corpus_realloc, and
** PCRE2's memory context), so SQLite's MEMORY_USED counter sees it all.  The
** high-water mark is reset to the current use on each call, so the next call
** reports the peak of whatever ran in between.
*/
static void debug_memory(sqlite3_context *ctx){
  sqlite3_int64 cur = 0, hi = 0;
  char *z;
  if( sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &cur, &hi, 1)!=SQLITE_OK ){
    sqlite3_result_error(ctx, "corpus_debug: memory statistics unavailable", -1);
    return;
  }
  z = sqlite3_mprintf("{\"used\":%lld,\"highwater\":%lld}", cur, hi);
  if( z==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, z, -1, sqlite3_free);
}

static void debug_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  unsigned x = XXH_VERSION_NUMBER;  /* xxHash is compiled in (hash.c) */
  char *z;
  if( argc==1 ){
    const char *zWhat = (const char*)sqlite3_value_text(argv[0]);
    if( zWhat && sqlite3_stricmp(zWhat, "memory")==0 ){
      debug_memory(ctx);
    }else{
      sqlite3_result_error(ctx,
          "corpus_debug: unknown topic (the only one is 'memory')", -1);
    }
    return;
  }
  z = sqlite3_mprintf(
      "version: %s\n"
      "sqlite_compiled: %s\n"
      "sqlite_runtime: %s\n"
      "xxhash: %u.%u.%u\n"
      "utf8proc: %s\n"
      "simd: %s\n"
#ifdef CORPUS_SANITIZE
      "build: sanitize"
#elif defined(NDEBUG)
      "build: release"
#else
      "build: debug"
#endif
      , CORPUS_VERSION, SQLITE_VERSION, sqlite3_libversion(),
      x/10000, (x/100)%100, x%100, utf8proc_version(), corpus_simd_level());
  if( z==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, z, -1, sqlite3_free);
}

#ifdef _WIN32
__declspec(dllexport)
#endif
int sqlite3_corpus_init(sqlite3 *db, char **pzErrMsg,
                        const sqlite3_api_routines *pApi){
  static const corpus_function funcs[] = {
    {"corpus_version", 0, 0, version_func},
    {"corpus_debug",   0, 0, debug_func},
  };
  int rc;
  SQLITE_EXTENSION_INIT2(pApi);
  rc = corpus_register_functions(db, funcs,
                                 (int)(sizeof(funcs)/sizeof(funcs[0])));
  /* Not deterministic: each call reads (and resets) the counters. */
  if( rc==SQLITE_OK ){
    rc = sqlite3_create_function(db, "corpus_debug", 1,
                                 SQLITE_UTF8 | SQLITE_DIRECTONLY, 0,
                                 debug_func, 0, 0);
  }
  if( rc==SQLITE_OK ) rc = text_register(db);
  if( rc==SQLITE_OK ) rc = hash_register(db);
  if( rc==SQLITE_OK ) rc = minhash_register(db);
  if( rc==SQLITE_OK ) rc = lsh_register(db);
  if( rc==SQLITE_OK ) rc = cluster_register(db);
  if( rc==SQLITE_OK ) rc = bpe_register(db);
  if( rc==SQLITE_OK ) rc = quality_register(db);
  if( rc==SQLITE_OK ) rc = classify_register(db);
  if( rc==SQLITE_OK ) rc = eval_register(db);
  if( rc==SQLITE_OK ) rc = decontam_register(db);
  if( rc!=SQLITE_OK && pzErrMsg ){
    *pzErrMsg = sqlite3_mprintf("corpus: registration failed: %s",
                                sqlite3_errmsg(db));
  }
  return rc;
}
