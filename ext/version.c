/*
** What the build is: the version and the facts a bug report needs.
**
** SQL:
**   corpus_version()        -> TEXT, the VERSION file at build time
**   corpus_debug()          -> TEXT, one "key: value" line per build fact
**   corpus_debug('memory')  -> TEXT, JSON {"used":N,"highwater":N}: SQLite's
**                              process-wide allocator counters, for tests
**                              that bound the working memory of a function
*/
#include <stdio.h>
#include <utf8proc.h>
#include <xxhash.h>
#include "corpus_sql.h"

#ifndef CORPUS_VERSION
# error "build with -DCORPUS_VERSION=\"x.y.z\" (the Makefile reads VERSION)"
#endif

const char *corpus_version(void){
  return CORPUS_VERSION;
}

static void version_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  (void)argc; (void)argv;
  sqlite3_result_text(ctx, CORPUS_VERSION, -1, SQLITE_STATIC);
}

/*
** Every allocation of the extension goes through SQLite once it is loaded
** (corpus_realloc, and PCRE2's memory context), so SQLite's MEMORY_USED
** counter sees it all.  The
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

/* corpus_debug is not deterministic: each call reads (and resets) the
** counters.  It is DIRECTONLY: a schema has no business with them. */
static const corpus_sql version_sql[] = {
  CORPUS_SCALAR("corpus_version", 0, CORPUS_PURE,       version_func),
  CORPUS_SCALAR("corpus_debug",   0, CORPUS_PURE,       debug_func),
  CORPUS_SCALAR("corpus_debug",   1, CORPUS_DIRECTONLY, debug_func),
};

int corpus_version_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, version_sql, CORPUS_COUNT(version_sql), pzErr);
}
