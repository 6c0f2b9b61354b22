/*
** read_jsonl() over a file of the input's bytes.  The first byte selects
** how the rest is stored: as it is (so that it may be a gzip or zstd
** stream of its own, corrupt or truncated), gzip-compressed in two members
** split at a place the second byte picks, or zstd-compressed; and the
** options (on_error, strict, the table form with columns).  Besides the
** sanitizers and the UTF-8 rule: with on_error=skip, a read that succeeds
** has logged rows + skipped = records for its file, and returned as many
** rows as it logged.
*/
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include "fuzz.h"

static char path[64];

static void write_file(const void *z, size_t n){
  FILE *f = fopen(path, "wb");
  if( f==0 ) fuzz_fail("jsonl", "cannot write the input file");
  if( n && fwrite(z, 1, n, f)!=n ) fuzz_fail("jsonl", "short write");
  fclose(f);
}

static size_t gzip_into(const uint8_t *z, size_t n, uint8_t *out, size_t cap){
  z_stream s;
  size_t k;
  memset(&s, 0, sizeof(s));
  if( deflateInit2(&s, 6, Z_DEFLATED, 16+MAX_WBITS, 8, Z_DEFAULT_STRATEGY) ){
    fuzz_fail("jsonl", "deflateInit2");
  }
  s.next_in = (Bytef*)z;
  s.avail_in = (uInt)n;
  s.next_out = out;
  s.avail_out = (uInt)cap;
  if( deflate(&s, Z_FINISH)!=Z_STREAM_END ) fuzz_fail("jsonl", "deflate");
  k = cap - s.avail_out;
  deflateEnd(&s);
  return k;
}

static sqlite3_int64 one_int(sqlite3 *db, const char *sql){
  sqlite3_stmt *st = 0;
  sqlite3_int64 v = -1;
  if( sqlite3_prepare_v2(db, sql, -1, &st, 0)==SQLITE_OK
   && sqlite3_step(st)==SQLITE_ROW ){
    v = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  sqlite3 *db;
  unsigned sel, split;
  const uint8_t *z;
  size_t n;
  uint8_t *buf;
  size_t cap, k;
  char sql[512];
  const char *opts;
  int rc;
  if( size<2 ) return 0;
  if( path[0]==0 ){
    snprintf(path, sizeof(path), "/tmp/corpus-fuzz-%d.jsonl", (int)getpid());
  }
  sel = data[0];
  split = data[1];
  z = data+2;
  n = size-2;
  cap = 2*n + 1024;
  buf = malloc(cap);
  if( buf==0 ) return 0;
  switch( sel & 3 ){
    case 1: {                           /* gzip, two members */
      size_t cut = n ? (split*n)/255 : 0;
      k = gzip_into(z, cut, buf, cap);
      k += gzip_into(z+cut, n-cut, buf+k, cap-k);
      write_file(buf, k);
      break;
    }
    case 2:                             /* zstd */
      k = ZSTD_compress(buf, cap, z, n, 1);
      if( ZSTD_isError(k) ) fuzz_fail("jsonl", "ZSTD_compress");
      write_file(buf, k);
      break;
    default:
      write_file(z, n);
  }
  free(buf);
  db = fuzz_open();         /* a fresh read log for each input */
  opts = (sel & 4) ? "on_error=skip" : "on_error=fail";
  snprintf(sql, sizeof(sql), "SELECT file, line, json FROM read_jsonl('%s', "
           "'%s %s')", path, opts, (sel & 8) ? "strict=off" : "");
  rc = fuzz_run(db, sql, 0, 0, 0, 0, 0);
  if( (sel & 4) && rc==SQLITE_DONE ){
    sqlite3_int64 rows = one_int(db, "SELECT rows FROM corpus_errors() "
                                 "ORDER BY scan DESC LIMIT 1");
    sqlite3_int64 bad = one_int(db, "SELECT records - rows - skipped FROM "
                                "corpus_errors() ORDER BY scan DESC LIMIT 1");
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM read_jsonl('%s', "
             "'%s %s')", path, opts, (sel & 8) ? "strict=off" : "");
    if( bad!=0 ) fuzz_fail("jsonl", "records != rows + skipped");
    if( one_int(db, sql)!=rows ) fuzz_fail("jsonl", "rows differ from the log");
  }
  if( sel & 16 ){
    snprintf(sql, sizeof(sql), "CREATE VIRTUAL TABLE temp.t USING "
             "read_jsonl('%s', 'columns=id,text,a:meta.url,b:x.y.z,\"c d\" %s "
             "%s')", path, opts, (sel & 8) ? "strict=off" : "");
    if( fuzz_run(db, sql, 0, 0, 0, 0, 0)==SQLITE_DONE ){
      fuzz_run(db, "SELECT * FROM temp.t", 0, 0, 0, 0, 0);
    }
  }
  sqlite3_close(db);
  return 0;
}
