/*
** Stateful: random statement sequences over the virtual tables and the
** functions that read them (ngram_index and its shadow tables,
** contamination, decontaminate, covered_words, dedup_clusters,
** near_duplicates), decoded from the input, on a fresh in-memory database
** per input.  Each input
** byte picks an operation; the bytes after it pick its arguments.  The
** operations include direct writes to the shadow tables (corrupt states),
** transactions and savepoints, and statements that fail.  Statement
** errors are expected; crashes, sanitizer reports, hangs, invalid UTF-8 in
** messages, a failed write inside a transaction that changed the index,
** and an integrity-check that fails after a sequence that never
** wrote to a shadow table are the faults.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  sqlite3 *db = fuzz_open();
  reader r;
  int nOp = 0;
  int corrupted = 0;       /* a shadow table was written to */
  r.p = data;
  r.end = data + size;
  if( sqlite3_exec(db, "CREATE TABLE docs(id INTEGER PRIMARY KEY, t TEXT);"
      "CREATE TABLE q(s TEXT); INSERT INTO q VALUES('VALUES (1, 2)')",
      0, 0, 0)!=SQLITE_OK ){
    fuzz_fail("vtab setup", sqlite3_errmsg(db));
  }
  while( r.p<r.end && nOp++<200 ){
    unsigned op = next(&r);
    int k = op & 1;              /* which of the tables ix0, ix1 */
    char *zText = 0, *zVal = 0;
    sqlite3_int64 a1, a2, a3, a4;  /* read in order: C leaves the order of */
    unsigned b1;                   /* a call's arguments to the compiler */
    fuzz_part part;
    switch( (op>>1) % 24 ){
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
      default:
        exec1(db, sqlite3_mprintf("INSERT INTO ix%d(text, source) "
              "SELECT t, id FROM docs", k), 0);
        break;
    }
    sqlite3_free(zText);
    sqlite3_free(zVal);
  }
  sqlite3_close(db);
  return 0;
}
