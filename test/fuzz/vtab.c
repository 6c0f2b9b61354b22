/*
** Stateful: random statement sequences over the virtual tables and the
** functions that read them (ngram_index and its shadow tables,
** contamination, decontaminate, covered_words, dedup_clusters, dedup_verify,
** near_duplicates, substring_dups, substring_index and its shadow tables,
** remove_spans over their spans), decoded from the input, on a fresh
** in-memory database per input.  Each input
** byte picks an operation; the bytes after it pick its arguments.  The
** operations include direct writes to the shadow tables (corrupt states),
** transactions and savepoints, and statements that fail.  Statement
** errors are expected; crashes, sanitizer reports, hangs, invalid UTF-8 in
** messages, a failed write inside a transaction that changed the index,
** and an integrity-check that fails after a sequence that never
** wrote to a shadow table are the faults.
**
** substring_index (tables sx0 and sx1, the second name "sxK x"): CREATE
** over sources and options good and bad, queries with random min_length
** and min_count (none, one, both, not integers, in joins and self-joins),
** substring_dups over sources and over the indexes, rebuild and the
** commands, integrity-check, writes to NAME_config, NAME_doc and NAME_data
** (values out of range, and consistent-looking ones: a suffix array
** permuted, a document dropped with ndoc fixed, the build renumbered so
** that it is read again), ALTER TABLE RENAME, DROP TABLE, and changes to
** the documents.  Faults besides the above: a failed CREATE or command
** that changed the schema or the shadow tables; while no shadow table of
** the index was written, an integrity-check (the operation, and at the
** end of every input) that says it is corrupt, and an index that, just
** rebuilt and checked, gives other spans than substring_dups over its
** source with the same unit and encoding; remove_spans refusing the spans
** substring_dups found in the same texts (they end at code points).
*/
#include "fuzz.h"

typedef struct reader { const uint8_t *p, *end; } reader;
static unsigned next(reader *r){ return r->p<r->end ? *r->p++ : 0; }

/* An integer argument: mostly small, sometimes an edge value. */
static sqlite3_int64 arg_int(reader *r){
  static const sqlite3_int64 edge[] = {
    0, -1, 64, 65, 1000, 1099511627776LL, 9223372036854775807LL,
    -9223372036854775807LL-1, 2147483647, 13,
  };
  unsigned b = next(r);
  if( b>=246 ) return edge[b-246];
  return (sqlite3_int64)(b % 16);
}

/* A text of up to 127 words from a small vocabulary, so that items and
** documents share n-grams. */
static char *arg_text(reader *r){
  static const char *const azWord[] = {
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog",
    "Fox,", "--", "...", ("qu\xc2\xad" "ick"), "isn\xe2\x80\x99t", "\xc3\xa9t\xc3\xa9",
    "\xff\xfe", "a\n",
  };
  unsigned n = next(r) % 128, i;
  char *z = sqlite3_mprintf("%s", "");
  for(i=0; i<n && z; i++){
    char *z2 = sqlite3_mprintf("%s%s%s", z, i ? " " : "",
                               azWord[next(r) % 16]);
    sqlite3_free(z);
    z = z2;
  }
  return z;
}

/* arg_text() bound as a statement's ?1: the text, which the caller frees,
** and part pointing at it (empty when out of memory). */
static char *text_part(reader *r, fuzz_part *part){
  char *z = arg_text(r);
  part->z = z ? z : "";
  part->n = z ? strlen(z) : 0;
  return z;
}

/* A value for a shadow-table column, as SQL text. */
static char *arg_value(reader *r){
  switch( next(r) % 6 ){
    case 0: return sqlite3_mprintf("%lld", arg_int(r));
    case 1: return sqlite3_mprintf("'%lld'", arg_int(r));
    case 2: return sqlite3_mprintf("NULL");
    case 3: { unsigned b1 = next(r), b2 = next(r);
              return sqlite3_mprintf("x'%02x%02x'", b1, b2); }
    case 4: return sqlite3_mprintf("%lld.5", arg_int(r));
    default: return sqlite3_mprintf("-%lld", arg_int(r));
  }
}

static const char *const azConfigKey[] = {
  "n", "format", "fold", "short", "short_items", "empty_items", "x",
};

static const char *const azVerifyDocs[] = {
  "SELECT id, t FROM docs ORDER BY id",
  "SELECT id, minhash(t, 'ngram=2') FROM docs ORDER BY id",
  "SELECT id, t FROM docs ORDER BY id DESC",
  "SELECT id, iif(id % 2, t, minhash(t)) FROM docs ORDER BY id",
  "SELECT id, t FROM docs WHERE id > 3 ORDER BY id",
};

static const char *const azVerifyOpt[] = {
  "threshold=0.5", "skip=none ngram=1", "threshold=0.9 unit=char ngram=3",
  "threshold=1 normalize=none", "bad=1",
};

static const char *const azClusterSql[] = {
  "VALUES (1, 2), (2, 3), (7, 8), (10, 10)",
  "SELECT id, id+1 FROM docs",
  ("SELECT a.id, b.id FROM docs a, docs b "
   "WHERE minhash_jaccard(minhash(a.t), minhash(b.t)) > 0.5"),
  "SELECT id, cluster FROM dedup_clusters((SELECT s FROM q))",
  "SELECT 1",
  "SELECT 'a', 'b'",
  "PRAGMA database_list",
  "SELECT item, pos FROM ix0_grams",
  "SELECT 1, 2; SELECT 3, 4",
  "SELECT 9223372036854775807, -9223372036854775808",
};

/* near_duplicates(): sources (docs has no column text; its t holds the
** texts) and options. */
static const char *const azNearSrc[] = {
  "docs",
  "SELECT id, t FROM docs",
  "SELECT t, id FROM docs",
  "SELECT id, t FROM docs UNION ALL SELECT id + 1000, t || ' x' FROM docs",
  "SELECT 'd' || id, upper(t), id % 3 FROM docs",
  "SELECT rowid, text FROM ix0",
  ("SELECT id, t FROM docs WHERE id IN (SELECT id FROM "
   "near_duplicates('SELECT id, t FROM docs'))"),
  "SELECT id, t FROM docs; -- done",
};
static const char *const azNearOpt[] = {
  "", "verify=minhash", "keep=longest all_pairs=2", "keep=max(length(t))",
  "threshold=0.3 num_perm=16 bands=8 rows=2 unit=char ngram=3",
  "keep=max(", "bands=17 verify=minhash keep=max(-id)", "threshold=1 ngram=1",
};

/* substring_index and substring_dups: sources (docs's texts are in t; an
** entry that reads sx0 or sx1 reads an index: not stable across its
** rebuilds), options when an index is created, and substring_dups's
** options after min_length and min_count. */
static const char *const azSubSrc[] = {
  "SELECT id, t FROM docs",
  "docs",
  "SELECT id, CAST(t AS BLOB) FROM docs",
  "SELECT id, t FROM docs UNION ALL SELECT id + 1000, t FROM docs",
  "SELECT rowid, text FROM ix0",
  "SELECT t, id FROM docs",
  ("SELECT id, t FROM docs WHERE id IN (SELECT doc FROM "
   "substring_dups('SELECT id, t FROM docs', 'min_length=4'))"),
  "SELECT doc, 'x y ' || start FROM sx0 WHERE min_length = 2",
  "SELECT id, substr(t, 2) FROM docs; -- done",
  "SELECT id, t FROM docs; SELECT 1",
  ("WITH r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 3) "
   "SELECT i, (SELECT group_concat(t, '') FROM docs) FROM r"),
  "VALUES (1, ''), (2, NULL), (3, x'00ff00ff'), ('x', 'a a a a')",
  "sx1",
  "\"sx0 x\"",
  "main.sx0",
  "DELETE FROM docs",
};
static const char *const azSubIdxOpt[] = {
  "", ", unit=tokens", ", unit=tokens, encoding=o200k_base", ", width=64",
  ", width=32", ", unit=tokens, encoding=r50k_base, width=64",
  ", min_length=3", ", unit=chars", ", encoding=words", ", width=auto",
  ", unit=bytes, encoding=gpt2", ", source=docs",
};
static const char *const azSubOpt[] = {
  "", " unit=tokens", " unit=tokens encoding=p50k_base", " width=64",
  " width=32", " unit=tokens width=64", " encoding=o200k_base", " bogus=1",
};
static const char *const azSubKey[] = {
  "source", "unit", "encoding", "width", "gen", "n", "nsa", "ndoc",
  "sawidth", "x",
};
/* A corrupt NAME_data: ways to change the bytes of one kind. */
static const char *const azSubData[] = {
  "substr(data, 5) || substr(data, 1, 4)",
  "substr(data, 1, 4) || substr(data, 1, 4) || substr(data, 9)",
  "substr(data, 5, 4) || substr(data, 1, 4) || substr(data, 9)",
  "substr(data, 1, length(data) - 1)",
  "data || x'00'",
  "zeroblob(length(data))",
  "NULL",
  "CAST(data AS TEXT)",
  "x'ffffff7f' || substr(data, 5)",
  "substr(data, 1, length(data) - 4) || x'00000080'",
};

/* The name table k of substring_index has now (after op 30's RENAME, the
** second). */
static const char *sx_name(sqlite3 *db, int k){
  static const char *const az[] = {"sx0", "sx1", "sx0 x", "sx1 x"};
  char *zSql = sqlite3_mprintf("SELECT 1 FROM sqlite_schema WHERE name = "
                               "'sx%d x'", k);
  int renamed = zSql && fuzz_int(db, zSql, 0, 0, 0)==1;
  sqlite3_free(zSql);
  return az[k + 2*renamed];
}

/* The state of substring_index k as text (the names of its tables, its
** config, documents and blocks), or NULL when it cannot be read. */
static char *sx_snapshot(sqlite3 *db, int k){
  const char *zName = sx_name(db, k);
  char *zSql = sqlite3_mprintf(
      "SELECT (SELECT coalesce(group_concat(name), '') FROM sqlite_schema "
      "WHERE name GLOB 'sx%d*')"
      " || ';' || (SELECT coalesce(group_concat(quote(k) || '=' || quote(v)), "
      "'') "
      "FROM \"%w_config\")"
      " || ';' || (SELECT count(*) || ',' || coalesce(group_concat(quote(gen) "
      "|| '/' || quote(i) || '/' || hex(id) || '/' || quote(start) || '/' || "
      "quote(len)), '') FROM \"%w_doc\")"
      " || ';' || (SELECT count(*) || ',' || coalesce(group_concat(quote(gen) "
      "|| '/' || quote(kind) || '/' || quote(block) || '/' || "
      "quote(xxh3(data))), '') FROM \"%w_data\")",
      k, zName, zName, zName);
  char *z = 0;
  size_t n;
  int rc = zSql ? fuzz_run(db, zSql, 0, 0, 0, &z, &n) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if( rc!=SQLITE_DONE ){
    sqlite3_free(z);
    return 0;
  }
  return z;
}

/* The names of the tables of substring_index k, as text. */
static char *sx_schema(sqlite3 *db, int k){
  char *zSql = sqlite3_mprintf("SELECT coalesce(group_concat(name), '-') "
                               "FROM sqlite_schema WHERE name GLOB 'sx%d*'", k);
  char *z = 0;
  size_t n;
  int rc = zSql ? fuzz_run(db, zSql, 0, 0, 0, &z, &n) : SQLITE_NOMEM;
  sqlite3_free(zSql);
  if( rc!=SQLITE_DONE ){
    sqlite3_free(z);
    return 0;
  }
  return z;
}

/* Runs one statement (at most 8 KB of SQL); returns nonzero if it failed. */
static int exec1(sqlite3 *db, char *zSql, fuzz_part *part){
  int rc;
  if( zSql==0 ) return 1;
  rc = fuzz_run(db, zSql, part, part ? 1 : 0, 0, 0, 0);
  sqlite3_free(zSql);
  return rc!=SQLITE_DONE;
}

/* The state of index k as text (its items, n-grams and config), or NULL
** when it cannot be read. */
static char *snapshot(sqlite3 *db, int k){
  char *zSql = sqlite3_mprintf(
      "SELECT (SELECT count(*) || ',' || total(length(text)) FROM ix%d_items)"
      " || ';' || (SELECT count(*) || ',' || total(item + pos) FROM ix%d_grams)"
      " || ';' || (SELECT group_concat(k || '=' || quote(v)) FROM ix%d_config)",
      k, k, k);
  char *z = 0;
  size_t n;
  int rc = fuzz_run(db, zSql, 0, 0, 0, &z, &n);
  sqlite3_free(zSql);
  if( rc!=SQLITE_DONE ){
    sqlite3_free(z);
    return 0;
  }
  return z;
}

/* A write to index k that fails must change nothing (a statement is
** atomic): runs it and compares the index before and after, unless the
** failure ended the transaction (SQLite rolls it back on some errors). */
static void write1(sqlite3 *db, int k, char *zSql, fuzz_part *part){
  char *zBefore = snapshot(db, k), *zAfter, *zCopy;
  int autocommit = sqlite3_get_autocommit(db);
  zCopy = sqlite3_mprintf("%s", zSql);
  if( exec1(db, zSql, part) && zBefore
   && sqlite3_get_autocommit(db)==autocommit ){
    char *zErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    zAfter = snapshot(db, k);
    if( zAfter && strcmp(zBefore, zAfter)!=0 ){
      fprintf(stderr, "fuzz: %s\nfuzz: before %s\nfuzz: after  %s\n",
              zCopy ? zCopy : "", zBefore, zAfter);
      fuzz_fail("a failed statement changed the index", zErr);
    }
    sqlite3_free(zAfter);
    sqlite3_free(zErr);
  }
  sqlite3_free(zCopy);
  sqlite3_free(zBefore);
}

/* A statement on substring_index k that fails must change nothing: the
** snapshot (snap: its tables' names alone, for a CREATE; or their rows) is
** compared before and after, unless the failure ended the transaction.
** Returns nonzero if it failed. */
static int sx_write(sqlite3 *db, int k, char *zSql,
                    char *(*snap)(sqlite3*, int)){
  char *zBefore = snap(db, k), *zAfter, *zCopy;
  int autocommit = sqlite3_get_autocommit(db), failed;
  zCopy = sqlite3_mprintf("%s", zSql ? zSql : "");
  failed = exec1(db, zSql, 0);
  if( failed && zBefore && sqlite3_get_autocommit(db)==autocommit ){
    char *zErr = sqlite3_mprintf("%s", sqlite3_errmsg(db));
    zAfter = snap(db, k);
    if( zAfter && strcmp(zBefore, zAfter)!=0 ){
      fprintf(stderr, "fuzz: %s\nfuzz: before %s\nfuzz: after  %s\n",
              zCopy ? zCopy : "", zBefore, zAfter);
      fuzz_fail("a failed statement changed the substring_index", zErr);
    }
    sqlite3_free(zAfter);
    sqlite3_free(zErr);
  }
  sqlite3_free(zCopy);
  sqlite3_free(zBefore);
  return failed;
}

/* integrity-check of substring_index k: it may fail (no such table), but
** while none of its shadow tables was written (bad 0), it may not say
** that the index is corrupt.  Returns nonzero if it failed. */
static int sx_check(sqlite3 *db, int k, int bad){
  const char *zName = sx_name(db, k);
  int failed = exec1(db, sqlite3_mprintf("INSERT INTO \"%w\"(\"%w\") VALUES "
                                         "('integrity-check')", zName, zName),
                     0);
  const char *e = sqlite3_errmsg(db);
  if( failed && !bad && strstr(e, "is corrupt") ){
    fuzz_fail("substring_index integrity-check failed with no shadow write",
              e);
  }
  return failed;
}

/* The first column of the first row of zSql (freed) as text
** (sqlite3_free), or NULL. */
static char *sx_text(sqlite3 *db, char *zSql){
  char *z = 0;
  size_t n;
  int rc;
  if( zSql==0 ) return 0;
  rc = fuzz_run(db, zSql, 0, 0, 0, &z, &n);
  sqlite3_free(zSql);
  if( rc!=SQLITE_DONE ){
    sqlite3_free(z);
    return 0;
  }
  return z;
}

/* Index k rebuilt and checked gives the spans substring_dups finds over its
** source with its unit and encoding, for min_length L, min_count C and a
** suffix array of width W (auto, 32, 64: the index's own may differ).
** Only when none of its shadow tables was written, and its source does
** not read an index (whose rows a rebuild changes). */
static void sx_compare(sqlite3 *db, int k, int L, int C, int W){
  static const char *const azWidth[] = {"auto", "32", "64"};
  const char *zName = sx_name(db, k);
  char *zSrc = sx_text(db, sqlite3_mprintf("SELECT v FROM \"%w_config\" "
                                           "WHERE k = 'source'", zName));
  char *zUnit = sx_text(db, sqlite3_mprintf("SELECT v FROM \"%w_config\" "
                                            "WHERE k = 'unit'", zName));
  char *zEnc = sx_text(db, sqlite3_mprintf("SELECT v FROM \"%w_config\" "
                                           "WHERE k = 'encoding'", zName));
  char *zA = 0, *zB = 0;
  if( zSrc && zUnit && zEnc && strstr(zSrc, "sx")==0
   && !exec1(db, sqlite3_mprintf("INSERT INTO \"%w\"(\"%w\") VALUES "
                                 "('rebuild')", zName, zName), 0)
   && !sx_check(db, k, 0) ){
    zA = sx_text(db, sqlite3_mprintf(
        "SELECT count(*) || ':' || coalesce(group_concat(hex(doc) || ',' || "
        "start || ',' || end || ',' || count, ';'), '') FROM (SELECT * FROM "
        "\"%w\" WHERE min_length = %d AND min_count = %d)", zName, L, C));
    zB = sx_text(db, sqlite3_mprintf(
        "SELECT count(*) || ':' || coalesce(group_concat(hex(doc) || ',' || "
        "start || ',' || end || ',' || count, ';'), '') FROM substring_dups("
        "%Q, 'min_length=%d min_count=%d unit=%s encoding=%s width=%s')",
        zSrc, L, C, zUnit, zEnc, azWidth[W]));
    if( zA && zB && strcmp(zA, zB)!=0 ){
      fprintf(stderr, "fuzz: source %s unit %s encoding %s min_length %d "
              "min_count %d width %s\nfuzz: index           %s\n"
              "fuzz: substring_dups  %s\n", zSrc, zUnit, zEnc, L, C,
              azWidth[W], zA, zB);
      fuzz_fail("substring_index and substring_dups disagree", zName);
    }
  }
  sqlite3_free(zA);
  sqlite3_free(zB);
  sqlite3_free(zSrc);
  sqlite3_free(zUnit);
  sqlite3_free(zEnc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  sqlite3 *db = fuzz_open();
  reader r;
  int nOp = 0;
  int corrupted = 0;       /* a shadow table was written to */
  int sxbad[2] = {0, 0};   /* a shadow table of sx0, sx1 was written to */
  r.p = data;
  r.end = data + size;
  if( sqlite3_exec(db, "CREATE TABLE docs(id INTEGER PRIMARY KEY, t TEXT);"
      "CREATE TABLE q(s TEXT); INSERT INTO q VALUES('VALUES (1, 2)')",
      0, 0, 0)!=SQLITE_OK ){
    fuzz_fail("vtab setup", sqlite3_errmsg(db));
  }
  while( r.p<r.end && nOp++<200 ){
    unsigned op = next(&r);
    int k = op & 1;              /* which of the tables ix0, ix1 (sx0, sx1) */
    char *zText = 0, *zVal = 0;
    sqlite3_int64 a1, a2, a3, a4;  /* read in order: C leaves the order of */
    unsigned b1, b2, b3;           /* a call's arguments to the compiler */
    unsigned sel = op>>1;
    const char *zName;
    fuzz_part part;
    /* 0..23 the first operations; 24..34 substring_dups and
    ** substring_index, each at two values of sel (24..45); the values
    ** past them wrap onto 0..23 as all did before those were added, so
    ** that the seeds and reproducers written then decode as they did */
    if( sel>=24 && sel<46 ) sel = 24 + (sel-24)%11;
    else sel %= 24;
    switch( sel ){
      case 0:
        a1 = arg_int(&r);
        exec1(db, sqlite3_mprintf("CREATE VIRTUAL TABLE ix%d USING "
              "ngram_index(n=%lld%s)", k, a1, next(&r)&1 ? ", fold=on" : ""),
              0);
        break;
      case 1: case 2:
        zText = text_part(&r, &part);
        write1(db, k, sqlite3_mprintf("INSERT INTO ix%d(rowid, text, source) "
              "VALUES(%lld, ?1, 'src')", k, arg_int(&r)), &part);
        break;
      case 3:
        write1(db, k, sqlite3_mprintf("DELETE FROM ix%d WHERE rowid=%lld", k,
                                  arg_int(&r)), 0);
        break;
      case 4:
        a1 = arg_int(&r);
        a2 = arg_int(&r);
        write1(db, k, sqlite3_mprintf("UPDATE ix%d SET rowid=%lld WHERE "
              "rowid=%lld", k, a1, a2), 0);
        break;
      case 5:
        zText = text_part(&r, &part);
        a1 = arg_int(&r);
        a2 = arg_int(&r);
        write1(db, k, sqlite3_mprintf("UPDATE ix%d SET text=?1, source=%lld "
              "WHERE rowid=%lld", k, a1, a2), &part);
        break;
      case 6: {
        int failed = exec1(db, sqlite3_mprintf("INSERT INTO ix%d(ix%d) "
                           "VALUES('integrity-check')", k, k), 0);
        const char *e = sqlite3_errmsg(db);
        if( failed && !corrupted && strstr(e, "integrity-check failed") ){
          fuzz_fail("integrity-check failed with no shadow write", e);
        }
        break;
      }
      case 7: case 8:
        zText = text_part(&r, &part);
        exec1(db, sqlite3_mprintf("SELECT contamination(?1, 'ix%d')", k),
              &part);
        break;
      case 9:
        zText = text_part(&r, &part);
        a1 = arg_int(&r);
        a2 = arg_int(&r);
        a3 = arg_int(&r);
        exec1(db, sqlite3_mprintf("SELECT decontaminate(?1, 'ix%d', "
              "'window=%lld min_piece=%lld too_dirty=%lld')", k, a1, a2, a3),
              &part);
        break;
      case 10:
        zText = text_part(&r, &part);
        exec1(db, sqlite3_mprintf("SELECT covered_words(value->>'pos', %lld)"
              " FROM json_each(contamination(?1, 'ix%d'))", arg_int(&r), k),
              &part);
        break;
      case 11:
        a1 = arg_int(&r);
        a2 = arg_int(&r);
        a3 = arg_int(&r);
        a4 = arg_int(&r);
        exec1(db, sqlite3_mprintf("SELECT covered_words(column1, column2) "
              "FROM (VALUES (%lld, %lld), (%lld, %lld))", a1, a2, a3, a4), 0);
        break;
      case 12:
        corrupted = 1;
        zVal = arg_value(&r);
        exec1(db, sqlite3_mprintf("UPDATE ix%d_config SET v=%s WHERE k='%s'",
              k, zVal, azConfigKey[next(&r) % 7]), 0);
        break;
      case 13:
        corrupted = 1;
        b1 = next(&r);
        exec1(db, sqlite3_mprintf(b1&1
              ? "DELETE FROM ix%d_config WHERE k='%s'"
              : "INSERT INTO ix%d_config VALUES('%s', 1)",
              k, azConfigKey[next(&r) % 7]), 0);
        break;
      case 14:
        corrupted = 1;
        zVal = arg_value(&r);
        switch( next(&r) % 4 ){
          case 0:
            a1 = arg_int(&r);
            a2 = arg_int(&r);
            exec1(db, sqlite3_mprintf("INSERT INTO ix%d_grams VALUES(%s, "
                  "%lld, %lld)", k, zVal, a1, a2), 0);
            break;
          case 1:
            exec1(db, sqlite3_mprintf("DELETE FROM ix%d_grams WHERE "
                  "rowid IN (SELECT rowid FROM ix%d_grams LIMIT 1) OR "
                  "item=%lld", k, k, arg_int(&r)), 0);
            break;
          case 2:
            exec1(db, sqlite3_mprintf("UPDATE ix%d_items SET text=%s WHERE "
                  "id=%lld", k, zVal, arg_int(&r)), 0);
            break;
          default:
            exec1(db, sqlite3_mprintf("UPDATE ix%d_grams SET pos=%s WHERE "
                  "item=%lld", k, zVal, arg_int(&r)), 0);
            break;
        }
        break;
      case 15: {
        static const char *const azTx[] = {
          "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT s1", "SAVEPOINT s2",
          "RELEASE s1", "ROLLBACK TO s1", "ROLLBACK TO s2",
        };
        exec1(db, sqlite3_mprintf("%s", azTx[next(&r) % 8]), 0);
        break;
      }
      case 16:
        exec1(db, sqlite3_mprintf(next(&r)&1 ? "DROP TABLE ix%d"
                                             : "DROP TABLE ix%d_grams", k), 0);
        corrupted = 1;
        break;
      case 17:
        zText = text_part(&r, &part);
        exec1(db, sqlite3_mprintf("INSERT OR REPLACE INTO docs VALUES(%lld, "
              "?1)", arg_int(&r)), &part);
        break;
      case 18:
        exec1(db, sqlite3_mprintf("UPDATE q SET s=%Q",
              azClusterSql[next(&r) % 10]), 0);
        break;
      case 19:
        exec1(db, sqlite3_mprintf("SELECT count(*), sum(cluster) FROM "
              "dedup_clusters((SELECT s FROM q))"), 0);
        break;
      case 20:
        b1 = next(&r);
        if( b1 & 0x80 ){
          exec1(db, sqlite3_mprintf("SELECT id, cluster, keep FROM "
                "near_duplicates(%Q, %Q)", azNearSrc[b1 % 8],
                azNearOpt[next(&r) % 8]), 0);
        }else if( b1 & 0x40 ){
          /* dedup_verify: the same pair queries, documents in order or
          ** not, texts or signatures */
          exec1(db, sqlite3_mprintf("SELECT a, b, similarity FROM "
                "dedup_verify(%Q, %Q, %Q)", azClusterSql[b1 % 10],
                azVerifyDocs[(b1/10) % 5], azVerifyOpt[(b1/3) % 5]), 0);
        }else{
          exec1(db, sqlite3_mprintf("SELECT id, cluster FROM "
                "dedup_clusters(%Q)", azClusterSql[b1 % 10]), 0);
        }
        break;
      case 21:
        /* hex: the table gives its items back as they were inserted,
        ** invalid UTF-8 too, as any table does (results of functions are
        ** what must be valid UTF-8) */
        exec1(db, sqlite3_mprintf("SELECT rowid, hex(text), hex(source) FROM "
              "ix%d WHERE rowid>=%lld", k, arg_int(&r)), 0);
        break;
      case 22:
        zText = text_part(&r, &part);
        write1(db, k, sqlite3_mprintf("INSERT OR REPLACE INTO ix%d(rowid, text) "
              "VALUES(%lld, ?1)", k, arg_int(&r)), &part);
        break;
      case 23:
        exec1(db, sqlite3_mprintf("INSERT INTO ix%d(text, source) "
              "SELECT t, id FROM docs", k), 0);
        break;
      case 24:
        /* CREATE over a source with options; bit 7: no source */
        b1 = next(&r);
        b2 = next(&r);
        if( b1 & 0x80 ){
          const char *zOpt = azSubIdxOpt[b2 % 12];
          sx_write(db, k, sqlite3_mprintf("CREATE VIRTUAL TABLE sx%d USING "
                   "substring_index(%s)", k, zOpt[0] ? zOpt+2 : ""), sx_schema);
        }else{
          sx_write(db, k, sqlite3_mprintf("CREATE VIRTUAL TABLE sx%d USING "
                   "substring_index(source=%Q%s)", k, azSubSrc[b1 % 16],
                   azSubIdxOpt[b2 % 12]), sx_schema);
        }
        break;
      case 25: {
        static const char *const azNotInt[] = {
          "NULL", "'3'", "2.5", "'x'", "x'03'", "-1", "0", "1e10",
        };
        b1 = next(&r);
        a1 = arg_int(&r);
        a2 = arg_int(&r);
        zName = sx_name(db, k);
        switch( b1 % 6 ){
          case 0:
            exec1(db, sqlite3_mprintf("SELECT hex(doc), start, end, count FROM "
                  "\"%w\" WHERE min_length = %lld AND min_count = %lld", zName,
                  a1, a2), 0);
            break;
          case 1:
            exec1(db, sqlite3_mprintf("SELECT hex(doc), start, end, count FROM "
                  "\"%w\" WHERE min_length = %lld", zName, a1), 0);
            break;
          case 2:
            exec1(db, sqlite3_mprintf("SELECT count(*), total(end - start) "
                  "FROM \"%w\"", zName), 0);
            break;
          case 3:
            exec1(db, sqlite3_mprintf("SELECT hex(doc), start FROM \"%w\" WHERE "
                  "min_length = %s AND min_count = %lld", zName,
                  azNotInt[(b1/6) % 8], a2), 0);
            break;
          case 4:
            exec1(db, sqlite3_mprintf("SELECT d.id, s.start, s.end FROM docs d "
                  "JOIN \"%w\" s ON s.doc = d.id WHERE s.min_length = %lld "
                  "ORDER BY s.count DESC, s.start LIMIT 5", zName, a1), 0);
            break;
          default:
            exec1(db, sqlite3_mprintf("SELECT count(*) FROM \"%w\" a, \"%w\" b "
                  "WHERE a.min_length = %lld AND b.min_length = a.end - a.start "
                  "AND b.min_count = a.count", zName, zName, a1), 0);
            break;
        }
        break;
      }
      case 26: {
        /* substring_dups over a source or an index; bit 7: an index */
        static const char *const azIdx[] = {
          "sx0", "sx1", "\"sx0 x\"", "main.sx1", " sx0 ", "temp.sx0",
        };
        const char *zSrc;
        b1 = next(&r);
        b2 = next(&r);
        a1 = arg_int(&r);
        a2 = arg_int(&r);
        zSrc = (b1 & 0x80) ? azIdx[b1 % 6] : azSubSrc[b1 % 16];
        switch( b2 % 4 ){
          case 0:
            exec1(db, sqlite3_mprintf("SELECT hex(doc), start, end, count FROM "
                  "substring_dups(%Q, 'min_length=%lld min_count=%lld%s')",
                  zSrc, a1, a2, azSubOpt[(b2/4) % 8]), 0);
            break;
          case 1:
            exec1(db, sqlite3_mprintf("SELECT hex(doc), start, end, count FROM "
                  "substring_dups(%Q)", zSrc), 0);
            break;
          case 2:
            exec1(db, sqlite3_mprintf("SELECT hex(doc), start, end, count FROM "
                  "substring_dups(%Q, 'min_length=%lld%s')", zSrc, a1,
                  azSubOpt[(b2/4) % 8]), 0);
            break;
          default:
            /* a correlated call: filtered again for each document */
            exec1(db, sqlite3_mprintf("SELECT count(*) FROM docs, "
                  "substring_dups('SELECT id, t FROM docs WHERE id <= ' || "
                  "docs.id, 'min_length=%lld%s')", a1,
                  azSubOpt[(b2/4) % 8]), 0);
            break;
        }
        break;
      }
      case 27: {
        /* the commands, and writes the table refuses */
        static const char *const azCmd[] = {
          "INSERT INTO \"%w\"(\"%w\") VALUES ('rebuild')",
          "INSERT INTO \"%w\"(\"%w\") VALUES ('rebuild')",
          "INSERT INTO \"%w\"(\"%w\") VALUES ('optimize')",
          "INSERT INTO \"%w\"(doc, start) VALUES (1, 2) -- %w",
          "DELETE FROM \"%w\" WHERE min_length = 2 -- %w",
          "UPDATE \"%w\" SET start = 0 WHERE min_length = 2 -- %w",
        };
        b1 = next(&r);
        zName = sx_name(db, k);
        sx_write(db, k, sqlite3_mprintf(azCmd[b1 % 6], zName, zName),
                 sx_snapshot);
        break;
      }
      case 28:
        sx_check(db, k, sxbad[k]);
        break;
      case 29: {
        /* writes to the shadow tables */
        static const char *const azDocCol[] = {"gen", "i", "id", "start", "len"};
        static const char *const azKind[] = {"text", "sa", "tokoff"};
        static const char *const azBlock[] = {
          "block = block + 1", "gen = gen + 1", "kind = 'x'", "block = -1",
        };
        sxbad[k] = 1;
        zName = sx_name(db, k);
        b1 = next(&r);
        switch( b1 % 8 ){
          case 0:
            zVal = arg_value(&r);
            b2 = next(&r);
            exec1(db, sqlite3_mprintf("UPDATE \"%w_config\" SET v = %s WHERE "
                  "k = '%s'", zName, zVal, azSubKey[b2 % 10]), 0);
            break;
          case 1:
            zVal = arg_value(&r);
            b2 = next(&r);
            exec1(db, sqlite3_mprintf((b1/8)&1
                  ? "DELETE FROM \"%w_config\" WHERE k = '%s' -- %s"
                  : "INSERT INTO \"%w_config\" VALUES ('%s', %s)",
                  zName, azSubKey[b2 % 10], zVal), 0);
            break;
          case 2:
            zVal = arg_value(&r);
            b2 = next(&r);
            a1 = arg_int(&r);
            exec1(db, sqlite3_mprintf("UPDATE \"%w_doc\" SET %s = %s WHERE "
                  "i = %lld", zName, azDocCol[b2 % 5], zVal, a1), 0);
            break;
          case 3:
            exec1(db, sqlite3_mprintf("DELETE FROM \"%w_doc\" WHERE i = %lld",
                  zName, arg_int(&r)), 0);
            break;
          case 4:
            /* consistent-looking: the last document, or all of them,
            ** dropped and ndoc fixed */
            exec1(db, sqlite3_mprintf((b1/8)&1
                  ? "DELETE FROM \"%w_doc\""
                  : "DELETE FROM \"%w_doc\" WHERE i = (SELECT max(i) FROM "
                    "\"%w_doc\")", zName, zName), 0);
            exec1(db, sqlite3_mprintf("UPDATE \"%w_config\" SET v = (SELECT "
                  "count(*) FROM \"%w_doc\") WHERE k = 'ndoc'", zName, zName),
                  0);
            break;
          case 5:
            b2 = next(&r);
            b3 = next(&r);
            exec1(db, sqlite3_mprintf("UPDATE \"%w_data\" SET data = %s WHERE "
                  "kind = '%s'", zName, azSubData[b2 % 10], azKind[b3 % 3]), 0);
            break;
          case 6:
            b2 = next(&r);
            if( b2 & 0x80 ){
              exec1(db, sqlite3_mprintf("INSERT INTO \"%w_data\" SELECT gen, "
                    "kind, block + 1, data FROM \"%w_data\"", zName, zName), 0);
            }else{
              exec1(db, sqlite3_mprintf("UPDATE \"%w_data\" SET %s", zName,
                    azBlock[b2 % 4]), 0);
            }
            break;
          default:
            /* the build renumbered, so that it is read again */
            exec1(db, sqlite3_mprintf("UPDATE \"%w_config\" SET v = v + 1 "
                  "WHERE k = 'gen'", zName), 0);
            exec1(db, sqlite3_mprintf("UPDATE \"%w_doc\" SET gen = gen + 1",
                  zName), 0);
            exec1(db, sqlite3_mprintf("UPDATE \"%w_data\" SET gen = gen + 1",
                  zName), 0);
            break;
        }
        break;
      }
      case 30:
        zName = sx_name(db, k);
        if( strchr(zName, ' ') ){
          exec1(db, sqlite3_mprintf("ALTER TABLE \"%w\" RENAME TO sx%d",
                zName, k), 0);
        }else{
          exec1(db, sqlite3_mprintf("ALTER TABLE sx%d RENAME TO \"sx%d x\"",
                k, k), 0);
        }
        break;
      case 31: {
        static const char *const azShadow[] = {"config", "doc", "data"};
        b1 = next(&r);
        zName = sx_name(db, k);
        switch( b1 % 4 ){
          case 0: case 1:
            exec1(db, sqlite3_mprintf("DROP TABLE \"%w\"", zName), 0);
            break;
          case 2:
            sxbad[k] = 1;
            exec1(db, sqlite3_mprintf("DROP TABLE \"%w_%s\"", zName,
                  azShadow[(b1/4) % 3]), 0);
            break;
          default:
            exec1(db, sqlite3_mprintf("DROP TABLE IF EXISTS \"sx%d x\"", k), 0);
            break;
        }
        break;
      }
      case 32: {
        /* remove_spans over the spans of substring_dups and of the index */
        static const char *const azDupOpt[] = {
          "", " unit=tokens", " unit=tokens encoding=o200k_base", " min_count=3",
        };
        int L;
        b1 = next(&r);
        L = (int)(next(&r) % 12) + 1;
        switch( b1 % 4 ){
          case 0: {
            /* the spans of the same texts end at code points: never
            ** refused */
            int failed = exec1(db, sqlite3_mprintf("SELECT id, remove_spans(%s, "
                  "(SELECT json_group_array(json_array(start, end)) FROM "
                  "substring_dups('SELECT id, t FROM docs', 'min_length=%d%s') "
                  "WHERE doc = docs.id)) FROM docs", (b1/4)&1 ? "CAST(t AS BLOB)"
                  : "t", L, azDupOpt[(b1/8) % 4]), 0);
            if( failed && strstr(sqlite3_errmsg(db), "remove_spans") ){
              fuzz_fail("remove_spans refused the spans of substring_dups",
                        sqlite3_errmsg(db));
            }
            break;
          }
          case 1:
            zName = sx_name(db, k);
            exec1(db, sqlite3_mprintf("SELECT id, remove_spans(t, (SELECT "
                  "json_group_array(json_object('start', start, 'end', end, "
                  "'count', count)) FROM \"%w\" WHERE min_length = %d AND "
                  "doc = docs.id)) FROM docs", zName, L), 0);
            break;
          case 2:
            zText = text_part(&r, &part);
            a1 = arg_int(&r);
            a2 = arg_int(&r);
            a3 = arg_int(&r);
            a4 = arg_int(&r);
            exec1(db, sqlite3_mprintf("SELECT remove_spans(?1, '[[%lld, %lld], "
                  "{\"start\": %lld, \"end\": %lld}]'), hex(remove_spans("
                  "CAST(?1 AS BLOB), '[[%lld, %lld]]'))", a1, a2, a3, a4, a3,
                  a1), &part);
            break;
          default:
            zText = text_part(&r, &part);
            exec1(db, sqlite3_mprintf("SELECT remove_spans(t, ?1), "
                  "remove_spans(?1, json_array(json_array(0, %d))) FROM docs",
                  L), &part);
            break;
        }
        break;
      }
      case 33:
        b1 = next(&r);
        b2 = next(&r);
        if( !sxbad[k] ){
          sx_compare(db, k, (int)(b1 % 12) + 1, (int)(b2 % 3) + 2,
                     (int)((b1/12) % 3));
        }
        break;
      default: {
        /* the documents change */
        static const char *const azDocs[] = {
          "DELETE FROM docs WHERE id = %lld",
          ("INSERT OR REPLACE INTO docs SELECT id + 16, t || ' ' || t FROM "
           "docs WHERE id < 16 -- %lld"),
          "UPDATE docs SET t = NULL WHERE id = %lld",
          "UPDATE docs SET t = CAST(t AS BLOB) WHERE id = %lld",
          "INSERT OR REPLACE INTO docs VALUES (%lld, '')",
          "UPDATE docs SET t = upper(t) || substr(t, 1, 7) WHERE id = %lld",
        };
        b1 = next(&r);
        exec1(db, sqlite3_mprintf(azDocs[b1 % 6], arg_int(&r)), 0);
        break;
      }
    }
    sqlite3_free(zText);
    sqlite3_free(zVal);
  }
  /* at the end of every input, as after each operation */
  if( !sxbad[0] ) sx_check(db, 0, 0);
  if( !sxbad[1] ) sx_check(db, 1, 0);
  sqlite3_close(db);
  return 0;
}
