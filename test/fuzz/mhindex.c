/*
** Stateful: random statement sequences over the minhash_index virtual
** table, decoded from the input, on a fresh in-memory database per input.
** Each input byte picks an operation (its low bit one of two tables, each
** with two possible names, the second needing quotes); the bytes after it
** pick its arguments.  Operations: CREATE with random options (good, edge
** and invalid), inserts by text and by signature (the index's parameters,
** other ones, broken BLOBs) in every conflict mode, updates of text, sig
** and rowid, deletes, MATCH queries (filtered, ordered, limited, in joins
** and subqueries), the commands, transactions and savepoints, ALTER TABLE
** RENAME, DROP TABLE, direct writes and triggers on the shadow tables, and
** an interrupt armed for the next statement.
**
** Statement errors are expected.  The faults, besides crashes, sanitizer
** reports, hangs and invalid UTF-8 (fuzz_run()):
**  - a failed write that changed the index (its three shadow tables
**    compared before and after), unless SQLite ended the transaction, the
**    statement was a multi-row OR FAIL, or the error says the transaction
**    cannot commit;
**  - COMMIT succeeding after an error said the transaction cannot commit;
**  - while no shadow table of the table was written and no statement was
**    interrupted in the transaction: integrity-check failing (the
**    operation, and at the end of every input), and a MATCH query whose
**    rows differ from the rule (the rows of NAME_sig sharing an lsh_bands()
**    bucket with the query's signature, similarity = minhash_jaccard,
**    filtered, ordered by similarity then rowid, limited).
*/
#include "fuzz.h"

typedef struct reader { const uint8_t *p, *end; } reader;
static unsigned next(reader *r){ return r->p<r->end ? *r->p++ : 0; }

/* The state of one input. */
typedef struct mh_state {
  sqlite3 *db;
  reader r;
  char *ring[4];            /* the last texts, for near-duplicates */
  int iRing;
  int corrupted[2];         /* a shadow table of table k was written */
  int tainted;              /* a statement of the transaction was
                            ** interrupted: the index may be half-written */
  int broken;               /* an error said the transaction cannot commit */
  int interrupt;            /* armed: interrupt the next statement after
                            ** this many progress callbacks ... */
  int persist;              /* ... and every callback after it */
} mh_state;

static int on_progress(void *p){
  mh_state *s = (mh_state*)p;
  if( s->interrupt>0 && --s->interrupt==0 ){
    if( s->persist ) s->interrupt = 1;
    return 1;
  }
  return 0;
}

/* An integer argument (rowids, limits): mostly small, sometimes an edge. */
static sqlite3_int64 arg_int(reader *r){
  static const sqlite3_int64 edge[] = {
    0, -1, 64, 65, 1000, 1099511627776LL, 9223372036854775807LL,
    -9223372036854775807LL-1, 2147483647, 13,
  };
  unsigned b = next(r);
  if( b>=246 ) return edge[b-246];
  return (sqlite3_int64)(b % 16);
}

/* A text of up to 63 words from a small vocabulary, or one of the last
** texts as it was or with a word more, so that rows share buckets. */
static char *arg_text(mh_state *s){
  static const char *const azWord[] = {
    "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog",
    "Fox,", "--", "...", ("qu\xc2\xad" "ick"), "isn\xe2\x80\x99t",
    "\xc3\xa9t\xc3\xa9", "\xff\xfe", "a\n",
  };
  reader *r = &s->r;
  unsigned mode = next(r), n, i;
  char *z;
  const char *prev = s->ring[mode % 4];
  if( mode>=128 && prev ){
    z = mode & 8 ? sqlite3_mprintf("%s %s", prev, azWord[next(r) % 16])
                 : sqlite3_mprintf("%s", prev);
  }else{
    n = mode % 64;
    z = sqlite3_mprintf("%s", "");
    for(i=0; i<n && z; i++){
      char *z2 = sqlite3_mprintf("%s%s%s", z, i ? " " : "",
                                 azWord[next(r) % 16]);
      sqlite3_free(z);
      z = z2;
    }
  }
  if( z ){
    sqlite3_free(s->ring[s->iRing]);
    s->ring[s->iRing] = sqlite3_mprintf("%s", z);
    s->iRing = (s->iRing + 1) % 4;
  }
  return z;
}

static char *text_part(mh_state *s, fuzz_part *part){
  char *z = arg_text(s);
  part->z = z ? z : "";
  part->n = z ? strlen(z) : 0;
  return z;
}

/* The name table k has now: "mhK", or after a RENAME "mhK q'\"" (quotes
** in the shadow tables' names). */
static const char *const azName[2][2] = {
  {"mh0", "mh0 q'\""}, {"mh1", "mh1 q'\""},
};
static const char *cur_name(mh_state *s, int k){
  char *zSql = sqlite3_mprintf("SELECT 1 FROM sqlite_schema WHERE name=%Q",
                               azName[k][1]);
  int alt = (int)fuzz_int(s->db, zSql, 0, 0, 0);
  sqlite3_free(zSql);
  return azName[k][alt];
}

/* The expression of the signature of ?1 with the index's parameters. */
static char *own_sig(const char *zName){
  return sqlite3_mprintf("minhash(?1, (SELECT v FROM \"%w_config\" WHERE "
                         "k='signature'))", zName);
}

/* A value for the sig column or a shadow table: a signature made with the
** index's parameters or others, a broken one, or no BLOB at all. */
static char *arg_sig(mh_state *s, const char *zName){
  reader *r = &s->r;
  unsigned b = next(r);
  char *zOwn = own_sig(zName), *z;
  switch( b % 10 ){
    case 0: case 1: return zOwn;
    case 2: {
      int nPerm = (int)(next(r) % 5)*32 + 1, nGram = (int)next(r) % 6 + 1;
      z = sqlite3_mprintf("minhash(?1, 'num_perm=%d ngram=%d')", nPerm, nGram);
      break;
    }
    case 3: {
      unsigned n = next(r) % 40, i;
      z = sqlite3_mprintf("x'4d4e4853'");
      for(i=0; i<n && z; i++){
        char *z2 = sqlite3_mprintf("%s||x'%02x'", z, next(r));
        sqlite3_free(z);
        z = z2;
      }
      break;
    }
    case 4: z = sqlite3_mprintf("substr(%s, 1, length(%s) - %d)", zOwn, zOwn,
                                (int)next(r) % 8);
            break;
    case 5: z = sqlite3_mprintf("(substr(%s, 1, %d) || x'%02x' || substr(%s, %d))",
                                zOwn, (int)(b>>4), next(r), zOwn, (int)(b>>4) + 2);
            break;
    case 6: z = sqlite3_mprintf("(SELECT sig FROM \"%w\" WHERE rowid=%lld)",
                                zName, arg_int(r));
            break;
    case 7: z = sqlite3_mprintf("%s", b & 16 ? "'text'" : b & 32 ? "42" : "NULL");
            break;
    case 8: z = sqlite3_mprintf("zeroblob(%d)", 24 + 4*(int)(next(r) % 130));
            break;
    default: z = sqlite3_mprintf("minhash(?1, (SELECT v FROM \"%w_config\" "
                                 "WHERE k='signature') || ' seed=%lld')", zName,
                                 arg_int(r));
  }
  sqlite3_free(zOwn);
  return z;
}

/* A value for a config row, as SQL (arguments read in order: C leaves the
** order of a call's arguments to the compiler). */
static char *arg_value(reader *r){
  sqlite3_int64 a;
  unsigned b;
  switch( next(r) % 8 ){
    case 0: return sqlite3_mprintf("%lld", arg_int(r));
    case 1: return sqlite3_mprintf("'%lld'", arg_int(r));
    case 2: return sqlite3_mprintf("NULL");
    case 3: b = next(r); return sqlite3_mprintf("x'%02x%02x'", b, next(r));
    case 4: return sqlite3_mprintf("%lld.5", arg_int(r));
    case 5: a = arg_int(r);
            return sqlite3_mprintf("'num_perm=%d ngram=%d'", (int)a,
                                   (int)arg_int(r));
    case 6: return sqlite3_mprintf("'%s'", next(r)&1 ? "exact" : "minhash");
    default: return sqlite3_mprintf("-%lld", arg_int(r));
  }
}

/* CREATE VIRTUAL TABLE's options: up to six, each an edge of its range or
** past it, one per argument or all in one string. */
static char *arg_options(reader *r){
  static const char *const azOpt[] = {
    "threshold=0.8", "threshold=0.5", "threshold=1", "threshold=0.01",
    "threshold=0", "threshold=1.5", "threshold=x",
    "num_perm=1", "num_perm=2", "num_perm=4", "num_perm=16", "num_perm=64",
    "num_perm=1024", "num_perm=1025", "num_perm=0",
    "bands=1", "bands=2", "bands=4", "bands=16", "bands=1024", "bands=0",
    "rows=1", "rows=2", "rows=4", "rows=8", "rows=1024", "rows=-1",
    "ngram=1", "ngram=2", "ngram=3", "ngram=1000", "ngram=0",
    "unit=char", "unit=word", "unit=byte",
    "store_text=on", "store_text=off", "store_text=x",
    "unique=on", "unique=off", "unique=2",
    "verify=exact", "verify=minhash", "verify=x",
    "seed=0", "seed=-1", "seed=9223372036854775807", "normalize=none",
    "normalize=\"form=nfc case=keep\"", "normalize=\"form=x\"", "simd=auto",
    "bogus=1", "num_perm=16 num_perm=8", "",
  };
  unsigned n = next(r) % 7, i, one = next(r) & 1;
  int nOpt = (int)(sizeof(azOpt)/sizeof(azOpt[0]));
  char *z = sqlite3_mprintf("%s", "");
  for(i=0; i<n && z; i++){
    const char *o = azOpt[next(r) % nOpt];
    char *z2 = one ? sqlite3_mprintf("%s%s%s", z, i ? " " : "", o)
                   : sqlite3_mprintf("%s%s%s", z, i ? ", " : "", o);
    sqlite3_free(z);
    z = z2;
  }
  if( z && one ){
    char *z2 = sqlite3_mprintf("%Q", z);
    sqlite3_free(z);
    z = z2;
  }
  return z;
}

/* Runs one statement (the interrupt, when armed, applies to it); returns
** its final rc. */
static int exec_rc(mh_state *s, char *zSql, fuzz_part *part){
  int rc, wasAuto = sqlite3_get_autocommit(s->db);
  if( zSql==0 ) return SQLITE_NOMEM;
  if( s->interrupt ) sqlite3_progress_handler(s->db, 8, on_progress, s);
  rc = fuzz_run(s->db, zSql, part, part ? 1 : 0, 0, 0, 0);
  if( s->interrupt ){
    sqlite3_progress_handler(s->db, 0, 0, 0);
    if( rc!=SQLITE_DONE && !wasAuto ) s->tainted = 1;
    s->interrupt = 0;
  }
  if( rc!=SQLITE_DONE && strstr(sqlite3_errmsg(s->db), "cannot commit")
   && !sqlite3_get_autocommit(s->db) ){
    s->broken = s->tainted = 1;
  }
  /* an error must say what went wrong: SQLite's bare text for the code
  ** ("SQL logic error") is what a module's error without a message gives */
  if( rc!=SQLITE_DONE && rc!=SQLITE_INTERRUPT && rc!=SQLITE_NOMEM
   && rc!=SQLITE_TOOBIG && rc!=SQLITE_MISMATCH      /* SQLite's: a rowid 'x' */
   && strcmp(sqlite3_errmsg(s->db), sqlite3_errstr(rc))==0 ){
    fuzz_fail("an error without a message", zSql);
  }
  sqlite3_free(zSql);
  return rc;
}

static int exec1(mh_state *s, char *zSql, fuzz_part *part){
  return exec_rc(s, zSql, part)!=SQLITE_DONE;
}

/* The rows of a query as text ("id:similarity ..."), or NULL when it
** fails. */
static char *rows_of(sqlite3 *db, const char *zSql, const fuzz_part *part,
                     unsigned blob){
  sqlite3_stmt *st = 0;
  char *z = sqlite3_mprintf("%s", "");
  int rc;
  if( z==0 || sqlite3_prepare_v2(db, zSql, -1, &st, 0)!=SQLITE_OK ){
    sqlite3_free(z);
    return 0;
  }
  if( part && sqlite3_bind_parameter_count(st)>0 ){
    if( blob ) sqlite3_bind_blob(st, 1, part->z, (int)part->n, SQLITE_STATIC);
    else sqlite3_bind_text(st, 1, part->z, (int)part->n, SQLITE_STATIC);
  }
  while( z && (rc = sqlite3_step(st))==SQLITE_ROW ){
    char *z2 = sqlite3_mprintf("%s %lld:%.17g", z, sqlite3_column_int64(st, 0),
                               sqlite3_column_double(st, 1));
    sqlite3_free(z);
    z = z2;
  }
  if( z && rc!=SQLITE_DONE ){ sqlite3_free(z); z = 0; }
  sqlite3_finalize(st);
  return z;
}

/* The state of table zName's index as text, or NULL when it cannot be
** read.  The table is read through first: the bucket rows of its inserts
** wait until then (or the end of the transaction), and a statement that
** reads the table writes them, a change that is no part of it. */
static char *snapshot(sqlite3 *db, const char *zName){
  char *zFlush = sqlite3_mprintf("SELECT count(*) FROM \"%w\" WHERE rowid = "
                                 "-9223372036854775807", zName);
  char *zSql;
  if( zFlush ){
    sqlite3_exec(db, zFlush, 0, 0, 0);
    sqlite3_free(zFlush);
  }
  zSql = sqlite3_mprintf(
      "SELECT (SELECT count(*) || ',' || total(id) || ',' || total(xxh64(sig))"
      " || ',' || total(xxh64(text)) FROM \"%w_sig\")"
      " || ';' || (SELECT count(*) || ',' || total(band) || ',' ||"
      " total(bucket) || ',' || total(id) FROM \"%w_bucket\")"
      " || ';' || (SELECT group_concat(k || '=' || quote(v)) FROM"
      " \"%w_config\")", zName, zName, zName);
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

/* A write to table zName that fails must change nothing (a statement is
** atomic): runs it and compares the index before and after, unless the
** failure ended the transaction (SQLite rolls it back on some errors),
** the statement may keep its earlier rows (multi, OR FAIL) or the error
** says the transaction cannot commit. */
static void write1(mh_state *s, const char *zName, char *zSql,
                   fuzz_part *part, int multi){
  char *zBefore, *zAfter, *zCopy;
  int autocommit = sqlite3_get_autocommit(s->db);
  if( zSql==0 ) return;
  zBefore = snapshot(s->db, zName);
  zCopy = sqlite3_mprintf("%s", zSql);
  if( exec1(s, zSql, part) && zBefore && zCopy
   && sqlite3_get_autocommit(s->db)==autocommit
   && !(multi && strstr(zCopy, "OR FAIL"))
   && !strstr(sqlite3_errmsg(s->db), "cannot commit") ){
    char *zErr = sqlite3_mprintf("%s", sqlite3_errmsg(s->db));
    zAfter = snapshot(s->db, zName);
    if( zAfter && strcmp(zBefore, zAfter)!=0 ){
      fprintf(stderr, "fuzz: %s\nfuzz: before %s\nfuzz: after  %s\n", zCopy,
              zBefore, zAfter);
      fuzz_fail("a failed statement changed the index", zErr);
    }
    sqlite3_free(zAfter);
    sqlite3_free(zErr);
  }
  sqlite3_free(zCopy);
  sqlite3_free(zBefore);
}

static void integrity1(mh_state *s, int k, const char *zName){
  int failed = exec1(s, sqlite3_mprintf("INSERT INTO \"%w\"(\"%w\") "
                     "VALUES('integrity-check')", zName, zName), 0);
  const char *e = sqlite3_errmsg(s->db);
  if( failed && !s->corrupted[k] && !s->tainted
   && strstr(e, "integrity-check failed") ){
    fuzz_fail("integrity-check failed with no shadow write", e);
  }
}

/* A MATCH query by text or by the signature made with the index's
** parameters, compared with the rule when the table is sound: the rows
** of NAME_sig that share a bucket of lsh_bands() with the query's
** signature, with minhash_jaccard as their similarity. */
static void match_checked(mh_state *s, int k, const char *zName){
  static const char *const azMin[] = {"0", "0.5", "0.8", "1"};
  reader *r = &s->r;
  unsigned form = next(r), bySig = form & 1;
  const char *zMin = azMin[(form>>1) % 4];
  int order = (form>>3) % 4;    /* none, rowid, similarity DESC, ASC */
  sqlite3_int64 lim = arg_int(r);
  fuzz_part part;
  char *zText = text_part(s, &part);
  char *zQ = bySig ? own_sig(zName) : sqlite3_mprintf("?1");
  char *zFilter = sqlite3_mprintf("%s%s%s",
      form & 32 ? " AND similarity >= " : "", form & 32 ? zMin : "",
      order==1 ? " ORDER BY rowid" :
      order==2 ? " ORDER BY similarity DESC" :
      order==3 ? " ORDER BY similarity" : "");
  char *zLimit = order>=2 && (form & 64) ? sqlite3_mprintf(" LIMIT %lld", lim)
                                         : sqlite3_mprintf("%s", "");
  char *zSql = sqlite3_mprintf("SELECT rowid, similarity FROM \"%w\" WHERE "
                               "\"%w\" MATCH %s%s%s", zName, zName, zQ,
                               zFilter, zLimit);
  char *zGot = 0, *zWant = 0, *zRule = 0;
  sqlite3_int64 nBand, nRow;
  if( zSql==0 || exec1(s, sqlite3_mprintf("%s", zSql), &part)
   || s->corrupted[k] || s->tainted ){
    goto done;
  }
  if( order ){
    zGot = rows_of(s->db, zSql, &part, 0);
  }else{
    char *zSorted = sqlite3_mprintf("SELECT * FROM (%s) ORDER BY 1", zSql);
    zGot = zSorted ? rows_of(s->db, zSorted, &part, 0) : 0;
    sqlite3_free(zSorted);
  }
  {
    char *zb = sqlite3_mprintf("SELECT v FROM \"%w_config\" WHERE k='bands'",
                               zName);
    char *zr = sqlite3_mprintf("SELECT v FROM \"%w_config\" WHERE k='rows'",
                               zName);
    nBand = zb ? fuzz_int(s->db, zb, 0, 0, 0) : 0;
    nRow = zr ? fuzz_int(s->db, zr, 0, 0, 0) : 0;
    sqlite3_free(zb);
    sqlite3_free(zr);
  }
  zRule = sqlite3_mprintf(
      "SELECT id, sim FROM (SELECT s.id AS id, minhash_jaccard(q.sig, s.sig)"
      " AS sim FROM \"%w_sig\" AS s, (SELECT %z AS sig) AS q WHERE EXISTS"
      " (SELECT 1 FROM lsh_bands(s.sig, %lld, %lld) AS a, lsh_bands(q.sig,"
      " %lld, %lld) AS b WHERE a.band = b.band AND a.bucket = b.bucket))"
      " WHERE 1%s%s ORDER BY %s id%s", zName, own_sig(zName), nBand, nRow,
      nBand, nRow, form & 32 ? " AND sim >= " : "", form & 32 ? zMin : "",
      order==2 ? "sim DESC," : order==3 ? "sim," : "", zLimit);
  if( zRule && nBand>0 ){
    zWant = rows_of(s->db, zRule, &part, 0);
  }
  if( getenv("CORPUS_FUZZ_VERBOSE") ){
    fprintf(stderr, "fuzz:   got  %s\nfuzz:   want %s\n", zGot ? zGot : "-",
            zWant ? zWant : "-");
  }
  if( zGot && zWant && strcmp(zGot, zWant)!=0 ){
    fprintf(stderr, "fuzz: %s\nfuzz: query %s\nfuzz: got  %s\nfuzz: want %s\n",
            zSql, zText ? zText : "", zGot, zWant);
    fuzz_fail("MATCH differs from the rule", zName);
  }
done:
  sqlite3_free(zGot);
  sqlite3_free(zWant);
  sqlite3_free(zRule);
  sqlite3_free(zSql);
  sqlite3_free(zFilter);
  sqlite3_free(zLimit);
  sqlite3_free(zQ);
  sqlite3_free(zText);
}

static const char *const azConflict[] = {
  "", " OR IGNORE", " OR REPLACE", " OR FAIL", " OR ABORT", " OR ROLLBACK",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  mh_state s;
  int nOp = 0, k;
  memset(&s, 0, sizeof(s));
  s.db = fuzz_open();
  s.r.p = data;
  s.r.end = data + size;
  if( sqlite3_exec(s.db, "CREATE TABLE batch(id INTEGER PRIMARY KEY, t);"
      "CREATE TABLE taken_sig(x);"
      "INSERT INTO batch VALUES (1, 'the quick brown fox jumps over the lazy"
      " dog'), (2, 'the quick brown fox jumps over the lazy dog --'), (3, ''),"
      " (4, NULL), (5, 'over lazy dog the quick')", 0, 0, 0)!=SQLITE_OK ){
    fuzz_fail("mhindex setup", sqlite3_errmsg(s.db));
  }
  while( s.r.p<s.r.end && nOp++<200 ){
    reader *r = &s.r;
    unsigned op = next(r);
    const char *zName, *zMode;
    char *zText = 0, *zA = 0, *zB = 0;
    sqlite3_int64 a1, a2;
    unsigned b1;
    fuzz_part part;
    k = op & 1;
    if( sqlite3_get_autocommit(s.db) ) s.tainted = s.broken = 0;
    zName = cur_name(&s, k);
    switch( (op>>1) % 24 ){
      case 0:
        zA = arg_options(r);
        if( zA ){
          exec1(&s, sqlite3_mprintf("CREATE VIRTUAL TABLE \"%w\" USING "
                "minhash_index(%s)", zName, zA), 0);
        }
        break;
      case 1: case 2:
        zMode = azConflict[next(r) % 6];
        a1 = arg_int(r);
        b1 = next(r);
        zText = text_part(&s, &part);
        write1(&s, zName, b1&1
               ? sqlite3_mprintf("INSERT%s INTO \"%w\"(rowid, text) "
                                 "VALUES(%lld, ?1)", zMode, zName, a1)
               : sqlite3_mprintf("INSERT%s INTO \"%w\"(text) VALUES(?1)",
                                 zMode, zName), &part, 0);
        break;
      case 3:
        zMode = azConflict[next(r) % 6];
        a1 = arg_int(r);
        zA = arg_sig(&s, zName);
        b1 = next(r);
        zText = text_part(&s, &part);
        if( zA ){
          write1(&s, zName, (b1 & 3)==0
                 ? sqlite3_mprintf("INSERT%s INTO \"%w\"(rowid, text, sig) "
                                   "VALUES(%lld, ?1, %s)", zMode, zName, a1, zA)
                 : sqlite3_mprintf("INSERT%s INTO \"%w\"(rowid, sig) "
                                   "VALUES(%lld, %s)", zMode, zName, a1, zA),
                 &part, 0);
        }
        break;
      case 4: {
        static const char *const azWhere[] = {
          "rowid = %lld", "rowid >= %lld", "\"%w\" MATCH ?1", "1",
        };
        zMode = azConflict[next(r) % 6];
        b1 = next(r);
        a1 = arg_int(r);
        a2 = arg_int(r);
        zA = arg_sig(&s, zName);
        zText = text_part(&s, &part);
        zB = (b1>>2)%4==2 ? sqlite3_mprintf(azWhere[2], zName)
                          : sqlite3_mprintf(azWhere[(b1>>2)%4], a2);
        if( zA && zB ){
          const char *zSet[] = {"text = ?1", "sig = %s", "rowid = %lld",
                                "rowid = rowid + %lld"};
          char *zS = (b1&3)==1 ? sqlite3_mprintf(zSet[1], zA)
                               : sqlite3_mprintf(zSet[b1&3], a1);
          if( zS ){
            write1(&s, zName, sqlite3_mprintf("UPDATE%s \"%w\" SET %s%s WHERE "
                   "%s", zMode, zName, zS, b1&16 ? ", text = ?1" : "", zB),
                   &part, (b1>>2)%4!=0);
          }
          sqlite3_free(zS);
        }
        break;
      }
      case 5:
        b1 = next(r);
        a1 = arg_int(r);
        zText = text_part(&s, &part);
        write1(&s, zName, b1&1
               ? sqlite3_mprintf("DELETE FROM \"%w\" WHERE rowid = %lld", zName,
                                 a1)
               : b1&2 ? sqlite3_mprintf("DELETE FROM \"%w\" WHERE \"%w\" MATCH "
                                        "?1", zName, zName)
               : sqlite3_mprintf("DELETE FROM \"%w\" WHERE rowid > %lld",
                                 zName, a1), &part, 1);
        break;
      case 6: case 7: case 8:
        match_checked(&s, k, zName);
        break;
      case 9: {
        /* MATCH with its value from elsewhere, and the other columns */
        static const char *const azJoin[] = {
          "SELECT b.id, m.rowid, m.similarity FROM batch AS b, \"%w\" AS m "
            "WHERE m.\"%w\" MATCH b.t",
          "SELECT b.id FROM batch AS b WHERE NOT EXISTS (SELECT 1 FROM \"%w\" "
            "AS m WHERE m.\"%w\" MATCH b.t AND similarity >= 0.8)",
          "SELECT b.id, m.rowid FROM batch AS b LEFT JOIN \"%w\" AS m ON "
            "m.\"%w\" MATCH b.t",
          "SELECT m.rowid, b.id FROM \"%w\" AS m, batch AS b WHERE m.\"%w\" "
            "MATCH b.t ORDER BY m.similarity DESC LIMIT 3",
          "SELECT a.rowid, b.rowid, b.similarity FROM \"%w\" AS a, \"%w\" AS b"
            " WHERE b.\"%w\" MATCH a.sig",
          "SELECT count(*) FROM \"%w\" WHERE \"%w\" MATCH (SELECT t FROM batch"
            " WHERE id = 1)",
          "SELECT rowid, hex(text), length(sig), jaccard, similarity FROM "
            "\"%w\" WHERE \"%w\" MATCH ?1",
          "SELECT rowid, jaccard FROM \"%w\" WHERE \"%w\" MATCH ?1 AND "
            "rowid IN (1, 2, 3)",
          ("SELECT rowid FROM \"%w\" WHERE \"%w\" MATCH ?1 AND \"%w\" MATCH "
           "'the quick brown fox'"),
          "SELECT rowid FROM \"%w\" WHERE \"%w\" MATCH ?1 OR rowid = 1",
          "SELECT rowid FROM \"%w\" WHERE text MATCH ?1",
          "SELECT rowid, similarity FROM \"%w\" WHERE \"%w\" MATCH ?1 ORDER BY "
            "rowid DESC, similarity",
          "SELECT (SELECT group_concat(rowid) FROM \"%w\" AS m WHERE "
            "m.\"%w\" MATCH b.t) FROM batch AS b",
          "SELECT rowid FROM \"%w\" WHERE \"%w\" MATCH x'00'",
          "SELECT rowid FROM \"%w\" WHERE \"%w\" MATCH 42",
          "SELECT rowid FROM \"%w\" WHERE \"%w\" MATCH minhash(?1, "
            "'num_perm=64')",
        };
        zText = text_part(&s, &part);
        exec1(&s, sqlite3_mprintf(azJoin[next(r) % 16], zName, zName, zName, zName),
              &part);
        break;
      }
      case 10:
        integrity1(&s, k, zName);
        break;
      case 11: {
        static const char *const azCmd[] = {
          "'rebuild'", "'optimize'", "'delete-all'", "'x'", "NULL", "1",
          "'REBUILD'", "x'00'", "'rebuild '",
        };
        b1 = next(r);
        write1(&s, zName, sqlite3_mprintf("INSERT INTO \"%w\"(\"%w\"%s) "
               "VALUES(%s%s)", zName, zName, b1&16 ? ", rowid" : "",
               azCmd[b1 % 9], b1&16 ? ", 5" : ""), 0, 1);
        break;
      }
      case 12: {
        static const char *const azTx[] = {
          "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT s1", "SAVEPOINT s2",
          "RELEASE s1", "ROLLBACK TO s1", "ROLLBACK TO s2",
        };
        int broken = s.broken, t = next(r) % 8;
        int rc = exec_rc(&s, sqlite3_mprintf("%s", azTx[t]), 0);
        if( broken && rc==SQLITE_DONE && (t==1 || t==5)
         && sqlite3_get_autocommit(s.db) ){
          fuzz_fail("a transaction committed after a write said it cannot",
                    azTx[t]);
        }
        break;
      }
      case 13:
        /* to the table's other name; to a name taken, by a table or by
        ** a table named like one of the shadow tables ("taken_sig") */
        b1 = next(r);
        exec1(&s, sqlite3_mprintf("ALTER TABLE \"%w\" RENAME TO \"%w\"", zName,
              b1 & 1 ? "batch" : b1 & 2 ? "taken"
                     : azName[k][zName==azName[k][0]]), 0);
        break;
      case 14:
        b1 = next(r);
        if( b1 & 1 ){
          exec1(&s, sqlite3_mprintf("DROP TABLE \"%w\"", zName), 0);
        }else{
          s.corrupted[k] = 1;
          exec1(&s, sqlite3_mprintf("DROP TABLE \"%w_%s\"", zName,
                b1 & 2 ? "bucket" : "sig"), 0);
        }
        break;
      case 15: {
        static const char *const azKey[] = {
          "format", "signature", "threshold", "bands", "rows", "store_text",
          "unique", "verify", "x",
        };
        s.corrupted[k] = 1;
        b1 = next(r);
        zA = arg_value(r);
        if( zA ){
          exec1(&s, sqlite3_mprintf(b1 & 1
                ? "UPDATE \"%w_config\" SET v = %s WHERE k = '%s'"
                : b1 & 2 ? "INSERT INTO \"%w_config\" VALUES('%.0s%s', 1)"
                : "DELETE FROM \"%w_config\" WHERE k = '%.0s%s'", zName, zA,
                azKey[(b1>>2) % 9]), 0);
        }
        break;
      }
      case 16:
        s.corrupted[k] = 1;
        b1 = next(r);
        a1 = arg_int(r);
        zA = arg_sig(&s, zName);
        zText = text_part(&s, &part);
        if( zA ){
          switch( b1 % 4 ){
            case 0: exec1(&s, sqlite3_mprintf("UPDATE \"%w_sig\" SET sig = %s"
                          " WHERE id = %lld", zName, zA, a1), &part); break;
            case 1: exec1(&s, sqlite3_mprintf("UPDATE \"%w_sig\" SET text = %s"
                          " WHERE id = %lld", zName, b1&4 ? "?1" : "NULL", a1),
                          &part); break;
            case 2: exec1(&s, sqlite3_mprintf("DELETE FROM \"%w_sig\" WHERE "
                          "id = %lld", zName, a1), 0); break;
            default: exec1(&s, sqlite3_mprintf("INSERT INTO \"%w_sig\" "
                           "VALUES(%lld, %s, %s)", zName, a1, zA,
                           b1&4 ? "?1" : "NULL"), &part);
          }
        }
        break;
      case 17:
        s.corrupted[k] = 1;
        b1 = next(r);
        a1 = arg_int(r);
        zA = arg_value(r);
        if( zA ){
          switch( b1 % 4 ){
            case 0: exec1(&s, sqlite3_mprintf("INSERT INTO \"%w_bucket\" "
                          "VALUES(%s, %lld, %lld)", zName, zA, arg_int(r), a1),
                          0); break;
            case 1: exec1(&s, sqlite3_mprintf("DELETE FROM \"%w_bucket\" WHERE "
                          "(band, bucket, id) IN (SELECT * FROM \"%w_bucket\" "
                          "LIMIT 1) OR id = %lld", zName, zName, a1), 0); break;
            case 2: exec1(&s, sqlite3_mprintf("UPDATE \"%w_bucket\" SET bucket"
                          " = bucket + 1 WHERE id = %lld", zName, a1), 0); break;
            default: exec1(&s, sqlite3_mprintf("UPDATE \"%w_bucket\" SET id ="
                           " %s WHERE id = %lld", zName, zA, a1), 0);
          }
        }
        break;
      case 18:
        /* a trigger on a shadow table: a write fails midway, or its undo */
        s.corrupted[k] = 1;
        b1 = next(r);
        a1 = arg_int(r);
        exec1(&s, sqlite3_mprintf(b1 & 1
              ? "CREATE TRIGGER IF NOT EXISTS \"tr%d%d\" BEFORE %s ON "
                "\"%w_%s\" WHEN %s.id = %lld BEGIN SELECT RAISE(ABORT, "
                "'trigger says no'); END"
              : "DROP TRIGGER IF EXISTS \"tr%d%d\"", k, (b1>>1) & 3,
              b1 & 2 ? "INSERT" : "DELETE", zName, b1 & 4 ? "bucket" : "sig",
              b1 & 2 ? "new" : "old", a1), 0);
        break;
      case 19:
        zText = text_part(&s, &part);
        exec1(&s, sqlite3_mprintf("INSERT OR REPLACE INTO batch VALUES(%lld, "
              "?1)", arg_int(r)), &part);
        break;
      case 20:
        zMode = azConflict[next(r) % 6];
        a1 = arg_int(r);
        write1(&s, zName, sqlite3_mprintf("INSERT%s INTO \"%w\"(rowid, text) "
               "SELECT id + %lld, t FROM batch ORDER BY id", zMode, zName, a1),
               0, 1);
        break;
      case 21:
        /* hex: a stored text comes back as it was inserted */
        a1 = arg_int(r);
        b1 = next(r);
        exec1(&s, sqlite3_mprintf(b1 & 1
              ? "SELECT rowid, hex(text), hex(sig), similarity, jaccard FROM "
                "\"%w\" WHERE rowid = %lld"
              : b1 & 2 ? "SELECT rowid, length(sig) FROM \"%w\" WHERE rowid >= "
                "%lld ORDER BY rowid DESC"
              : b1 & 4 ? "SELECT rowid, hex(text) FROM \"%w\" WHERE rowid >= %lld"
                " ORDER BY rowid"
              : "SELECT rowid FROM \"%w\" WHERE rowid = '%lld.5'", zName, a1),
              0);
        break;
      case 22: {
        static const char *const azBad[] = {
          "INSERT INTO \"%w\"(rowid, text) VALUES('x', 'a b c')",
          "INSERT INTO \"%w\"(rowid, text) VALUES(1.5, 'a b c')",
          "INSERT INTO \"%w\"(text) VALUES(42)",
          "INSERT INTO \"%w\"(text) VALUES(x'41')",
          "INSERT INTO \"%w\"(similarity, text) VALUES(1, 'a b')",
          "INSERT INTO \"%w\"(jaccard, text) VALUES(1, 'a b')",
          "INSERT INTO \"%w\"(rowid) VALUES(7)",
          "UPDATE \"%w\" SET similarity = 1",
          "UPDATE \"%w\" SET rowid = NULL",
          "UPDATE \"%w\" SET text = NULL",
          "UPDATE \"%w\" SET sig = NULL",
          "INSERT INTO \"%w\"(text) SELECT t FROM batch",
          "INSERT INTO \"%w\"(sig) SELECT sig FROM \"%w\" LIMIT 3",
          "UPDATE \"%w\" SET sig = (SELECT sig FROM \"%w\" WHERE rowid = 1)",
          "REPLACE INTO \"%w\"(rowid, sig) SELECT rowid + 1, sig FROM \"%w\"",
          ("UPDATE OR REPLACE \"%w\" SET text = (SELECT t FROM batch WHERE "
           "id = 1)"),
        };
        write1(&s, zName, sqlite3_mprintf(azBad[next(r) % 16], zName, zName),
               0, 1);
        break;
      }
      default:
        /* the next statement is interrupted after so many progress
        ** callbacks (once, or at every one after it) */
        b1 = next(r);
        s.interrupt = 1 + (int)(b1 >> 1);
        s.persist = b1 & 1;
        break;
    }
    sqlite3_free(zText);
    sqlite3_free(zA);
    sqlite3_free(zB);
  }
  if( sqlite3_get_autocommit(s.db) ) s.tainted = 0;
  s.interrupt = 0;
  for(k=0; k<2; k++){
    const char *zName = cur_name(&s, k);
    char *zSql = sqlite3_mprintf("SELECT 1 FROM sqlite_schema WHERE name=%Q",
                                 zName);
    if( zSql && fuzz_int(s.db, zSql, 0, 0, 0) ) integrity1(&s, k, zName);
    sqlite3_free(zSql);
  }
  for(k=0; k<4; k++) sqlite3_free(s.ring[k]);
  sqlite3_close(s.db);
  return 0;
}
