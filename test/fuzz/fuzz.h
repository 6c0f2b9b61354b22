/*
** Shared by the fuzz targets (test/fuzz/T.c, one LLVMFuzzerTestOneInput
** each; test/fuzz/README.md).  A target is linked with the extension's
** objects and the system libsqlite3: fuzz_db() opens an in-memory database
** with the extension registered through sqlite3_auto_extension(), as an
** application that links it statically would.
**
** Besides what the sanitizers catch, every target checks the rule that
** every error message and every TEXT result is valid UTF-8 (fuzz_run()),
** and aborts when it does not hold, so that libFuzzer keeps the input.
*/
#ifndef CORPUS_FUZZ_H
#define CORPUS_FUZZ_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "corpus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_fail(const char *what, const char *detail){
  fprintf(stderr, "fuzz: %s: %s\n", what, detail ? detail : "");
  abort();
}

/* A fresh in-memory database with the extension registered. */
static inline sqlite3 *fuzz_open(void){
  static int registered = 0;
  sqlite3 *db = 0;
  if( !registered ){
    sqlite3_auto_extension((void(*)(void))sqlite3_corpus_init);
    registered = 1;
  }
  if( sqlite3_open(":memory:", &db)!=SQLITE_OK ){
    fuzz_fail("sqlite3_open", sqlite3_errmsg(db));
  }
  /* Bound what one input can make SQLite itself hold, so that a memory
  ** blowup libFuzzer reports is the extension's. */
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 50*1000*1000);
  return db;
}

/* One database for the whole process, for the stateless targets. */
static inline sqlite3 *fuzz_db(void){
  static sqlite3 *db = 0;
  if( db==0 ) db = fuzz_open();
  return db;
}

/* Aborts unless z[0..n-1] is valid UTF-8.  CORPUS_FUZZ_NO_UTF8=1 in the
** environment turns the check off, to look for other faults while a known
** one of this kind is being fixed. */
static inline void fuzz_check_utf8(const char *what, const char *z, size_t n){
  static int off = -1;
  if( off<0 ){
    const char *e = getenv("CORPUS_FUZZ_NO_UTF8");
    off = e && e[0]=='1';
  }
  if( z && !off && !corpus_utf8_valid(z, n) ){
    fuzz_fail(what, "not valid UTF-8");
  }
}

/* The input's bytes, split at the first occurrences of the separator byte
** 0xFF: part k of *parts (k < nPart), empty when missing. */
typedef struct fuzz_part { const char *z; size_t n; } fuzz_part;
static inline void fuzz_split(const uint8_t *data, size_t size, fuzz_part *parts,
                       int nPart){
  int k = 0;
  size_t start = 0, i;
  for(k=0; k<nPart; k++){ parts[k].z = ""; parts[k].n = 0; }
  k = 0;
  for(i=0; i<=size && k<nPart; i++){
    if( i==size || (data[i]==0xFF && k<nPart-1) ){
      parts[k].z = (const char*)data + start;
      parts[k].n = i - start;
      k++;
      start = i + 1;
    }
  }
}

/* Nonzero if sql contains one of the comma-separated words of
** CORPUS_FUZZ_SKIP: such statements are not run, to fuzz past an open
** fault (CORPUS_FUZZ_SKIP=dedup_clusters,covered_words). */
static inline int fuzz_skipped(const char *sql){
  const char *e = getenv("CORPUS_FUZZ_SKIP");
  char word[64];
  while( e && *e ){
    size_t n = strcspn(e, ",");
    if( n>0 && n<sizeof(word) ){
      memcpy(word, e, n);
      word[n] = 0;
      if( strstr(sql, word) ) return 1;
    }
    e += n + (e[n]==',');
  }
  return 0;
}

/*
** Prepares sql, binds the parts (?1 = parts[0], ...; as TEXT, or as BLOB
** when the bit k of blobs is set), steps every row and checks that TEXT
** results and the error message are valid UTF-8.  Returns the final rc.
** out, when not NULL, gets a copy of the first row's first column (TEXT),
** *pnOut bytes, to be freed with sqlite3_free().
*/
static inline int fuzz_run(sqlite3 *db, const char *sql, const fuzz_part *parts,
                    int nPart, unsigned blobs, char **out, size_t *pnOut){
  sqlite3_stmt *st = 0;
  int rc, k, row = 0;
  if( out ) *out = 0;
  if( fuzz_skipped(sql) ) return SQLITE_DONE;
  rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
  if( getenv("CORPUS_FUZZ_VERBOSE") ){
    fprintf(stderr, "fuzz: %s -> %s\n", sql,
            rc==SQLITE_OK ? "prepared" : sqlite3_errmsg(db));
  }
  if( rc!=SQLITE_OK ){
    fuzz_check_utf8("prepare error message", sqlite3_errmsg(db),
                    strlen(sqlite3_errmsg(db)));
    return rc;
  }
  for(k=0; k<nPart && k<sqlite3_bind_parameter_count(st); k++){
    if( blobs & (1u<<k) ){
      sqlite3_bind_blob(st, k+1, parts[k].z, (int)parts[k].n, SQLITE_STATIC);
    }else{
      sqlite3_bind_text(st, k+1, parts[k].z, (int)parts[k].n, SQLITE_STATIC);
    }
  }
  while( (rc = sqlite3_step(st))==SQLITE_ROW ){
    int i, nCol = sqlite3_column_count(st);
    for(i=0; i<nCol; i++){
      if( sqlite3_column_type(st, i)==SQLITE_TEXT ){
        const char *z = (const char*)sqlite3_column_text(st, i);
        size_t n = (size_t)sqlite3_column_bytes(st, i);
        fuzz_check_utf8(sql, z, n);
        if( out && row==0 && i==0 && (*out = sqlite3_malloc64(n+1))!=0 ){
          memcpy(*out, z, n);
          (*out)[n] = 0;
          *pnOut = n;
        }
      }
    }
    row++;
  }
  if( rc!=SQLITE_DONE ){
    const char *e = sqlite3_errmsg(db);
    if( getenv("CORPUS_FUZZ_VERBOSE") ) fprintf(stderr, "fuzz:   %s\n", e);
    fuzz_check_utf8("error message", e, strlen(e));
  }
  sqlite3_finalize(st);
  return rc;
}

/* The first column of the first row of sql (parts bound as in fuzz_run())
** as an integer, or def when there is none or the statement fails. */
static inline sqlite3_int64 fuzz_int(sqlite3 *db, const char *sql,
                              const fuzz_part *parts, int nPart,
                              sqlite3_int64 def){
  sqlite3_stmt *st = 0;
  sqlite3_int64 v = def;
  int k;
  if( sqlite3_prepare_v2(db, sql, -1, &st, 0)!=SQLITE_OK ) return def;
  for(k=0; k<nPart && k<sqlite3_bind_parameter_count(st); k++){
    sqlite3_bind_text(st, k+1, parts[k].z, (int)parts[k].n, SQLITE_STATIC);
  }
  if( sqlite3_step(st)==SQLITE_ROW
   && sqlite3_column_type(st, 0)!=SQLITE_NULL ){
    v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  return v;
}

#endif /* CORPUS_FUZZ_H */
