/*
** The extension's functions called from many threads at once.
**
**   threads LIBRARY [ITERATIONS]
**
** SQLite in SQLITE_CONFIG_SERIALIZED mode; the answers of a set of calls
** (BPE encodings, whose per-thread piece cache is shared by nothing,
** spaCy's tokenizer, whose rules are built once under a mutex, minhash,
** normalize, the quality signals, tokenize, hashes, prompts) are first
** computed on one thread, then NTHREAD threads each make every call
** ITERATIONS times, in an order of their own, on a connection of their own
** and on one connection shared by all, and compare each answer with the
** single-threaded one.  Each thread also opens and loads the extension on
** its own connection while the others run (the entry point hands SQLite's
** allocator over once).  Prints "threads: N calls, M mismatches, E errors"
** and exits 1 unless both are 0.  Built plain by test/threads01.test and
** with -fsanitize=thread by `make tsan`.
*/
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#define NTHREAD 8

static const char *const texts[] = {
  "The quick brown fox jumps over the lazy dog. It was not amused!",
  "Ça va? Ｆｕｌｌｗｉｄｔｈ ﬁ ligatures, e\xCC\x81 combining, 中文字符 and 🙂.",
  "    leading and trailing spaces    \n\n\nparagraph two\r\nline",
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!!",
  "function f(x) { return x * 2; } // code, with {curly} brackets; lorem ipsum",
  "don't can't won't I'm you're (parenthesised) \"quoted\" -- dashes... etc.",
  "1234567890 3.14159 2026-11-30 $100.00 50% user@example.com http://x.org/a?b=c",
  "word word word word word word word word word word word word word word word",
};

static const char *const calls[] = {
  "SELECT tokenize(?1, 'cl100k_base')",
  "SELECT tokenize(?1, 'o200k_base')",
  "SELECT tokenize(?1, 'r50k_base')",
  "SELECT token_count(?1, 'p50k_base')",
  "SELECT tokenize(?1, 'spacy_en')",
  "SELECT tokenize(?1, 'words')",
  "SELECT hex(minhash(?1))",
  "SELECT hex(minhash(?1, 'num_perm=64 ngram=3 unit=char'))",
  "SELECT jaccard(?1, 'the lazy dog')",
  "SELECT normalize(?1)",
  "SELECT normalize(?1, 'form=nfd accents=strip')",
  "SELECT quality_signals(?1)",
  "SELECT quality_reject(?1)",
  "SELECT c4_clean(?1)",
  "SELECT quality_score(?1)",
  "SELECT hex(xxh128(?1)) || xxh64(?1) || hex(xxh3(?1))",
  "SELECT prompt('<{{t}}>{{#a}}[{{.}}]{{/a}}', json_object('t', ?1, 'a', json_array(1, 2)))",
  "SELECT group_concat(token, '|') FROM tokens(?1, 'cl100k_base')",
  "SELECT group_concat(hash, ',') FROM ngrams(?1, 3)",
  "SELECT coalesce(lang_id(?1, 'min_score=0'), '-') || coalesce((SELECT "
  "group_concat(lang || score) FROM lang_scores(?1, 'sample=256')), '-')",
};

#define NTEXT (int)(sizeof(texts)/sizeof(texts[0]))
#define NCALL (int)(sizeof(calls)/sizeof(calls[0]))

static const char *lib;
static int iterations = 20;
static char *expected[NCALL][NTEXT];
static sqlite3 *shared;

static int open_db(sqlite3 **db){
  char *err = 0;
  if( sqlite3_open(":memory:", db)!=SQLITE_OK ) return 1;
  sqlite3_enable_load_extension(*db, 1);
  if( sqlite3_load_extension(*db, lib, 0, &err)!=SQLITE_OK ){
    fprintf(stderr, "threads: cannot load %s: %s\n", lib, err ? err : "?");
    sqlite3_free(err);
    return 1;
  }
  return 0;
}

/* The answer of call c on text t as a string (from sqlite3_mprintf), or
** NULL with *rc set. */
static char *run(sqlite3 *db, int c, int t, int *rc){
  sqlite3_stmt *st;
  char *out = 0;
  *rc = sqlite3_prepare_v2(db, calls[c], -1, &st, 0);
  if( *rc!=SQLITE_OK ) return 0;
  sqlite3_bind_text(st, 1, texts[t], -1, SQLITE_STATIC);
  *rc = sqlite3_step(st);
  if( *rc==SQLITE_ROW ){
    const unsigned char *v = sqlite3_column_text(st, 0);
    out = sqlite3_mprintf("%s", v ? (const char*)v : "NULL");
    *rc = SQLITE_OK;
  }
  sqlite3_finalize(st);
  return out;
}

typedef struct worker {
  int id;
  long calls, mismatches, errors;
} worker;

static void check(worker *w, sqlite3 *db, int c, int t){
  int rc;
  char *got = run(db, c, t, &rc);
  w->calls++;
  if( got==0 ){
    w->errors++;
    fprintf(stderr, "threads: thread %d: %s on text %d: %s\n", w->id, calls[c],
            t, sqlite3_errmsg(db));
    return;
  }
  if( strcmp(got, expected[c][t])!=0 ){
    w->mismatches++;
    fprintf(stderr, "threads: thread %d: %s on text %d: got %.80s, expected "
            "%.80s\n", w->id, calls[c], t, got, expected[c][t]);
  }
  sqlite3_free(got);
}

static void *work(void *arg){
  worker *w = arg;
  sqlite3 *db;
  int i, k;
  unsigned seed = 2654435761u * (unsigned)(w->id + 1);
  if( open_db(&db) ){
    w->errors++;
    return 0;
  }
  for(i=0; i<iterations; i++){
    for(k=0; k<NCALL*NTEXT; k++){
      int c, t;
      seed = seed*1103515245u + 12345u;
      c = (int)((seed>>8) % NCALL);
      t = (int)((seed>>20) % NTEXT);
      check(w, db, c, t);
      if( (k & 3)==0 ) check(w, shared, c, t);
    }
  }
  sqlite3_close(db);
  return 0;
}

int main(int argc, char **argv){
  pthread_t th[NTHREAD];
  worker w[NTHREAD];
  long calls_done = 0, mismatches = 0, errors = 0;
  int c, t, i;
  if( argc<2 ){
    fprintf(stderr, "usage: threads LIBRARY [ITERATIONS]\n");
    return 2;
  }
  lib = argv[1];
  if( argc>2 ) iterations = atoi(argv[2]);
  if( sqlite3_config(SQLITE_CONFIG_SERIALIZED)!=SQLITE_OK
   || sqlite3_initialize()!=SQLITE_OK ){
    fprintf(stderr, "threads: SQLite is not built thread-safe\n");
    return 1;
  }
  if( open_db(&shared) ) return 1;
  for(c=0; c<NCALL; c++){
    for(t=0; t<NTEXT; t++){
      int rc;
      expected[c][t] = run(shared, c, t, &rc);
      if( expected[c][t]==0 ){
        fprintf(stderr, "threads: %s on text %d: %s\n", calls[c], t,
                sqlite3_errmsg(shared));
        return 1;
      }
    }
  }
  for(i=0; i<NTHREAD; i++){
    memset(&w[i], 0, sizeof(w[i]));
    w[i].id = i;
    if( pthread_create(&th[i], 0, work, &w[i]) ){
      fprintf(stderr, "threads: cannot start a thread\n");
      return 1;
    }
  }
  for(i=0; i<NTHREAD; i++){
    pthread_join(th[i], 0);
    calls_done += w[i].calls;
    mismatches += w[i].mismatches;
    errors += w[i].errors;
  }
  for(c=0; c<NCALL; c++){
    for(t=0; t<NTEXT; t++) sqlite3_free(expected[c][t]);
  }
  sqlite3_close(shared);
  printf("threads: %d threads, %ld calls, %ld mismatches, %ld errors\n",
         NTHREAD, calls_done, mismatches, errors);
  return mismatches || errors;
}
