/*
** read_warc() over any bytes.  Input: a selector byte, then the file.
** The selector's low two bits choose the layout the bytes are written in
** (plain; one gzip stream; a gzip member per record, split before each
** line that starts with "WARC/"), the next bits the options.  Besides the
** sanitizers and the UTF-8 check it checks that every offset finds its
** record again: in a plain file a "WARC/" line starts there, in a file
** of members a member starts there (or, for a record that shares a member
** with the one before, "WARC/" in the decompressed data).
*/
#include <stdio.h>
#include <unistd.h>
#include <zlib.h>
#include "fuzz.h"

static const char *const azOpt[] = {
  "on_error=skip",
  "on_error=skip decode=lenient",
  "on_error=skip decode=off types=response,request,revisit",
  "on_error=fail",
  "on_error=skip types=conversion,warcinfo",
  "on_error=skip decode=strict",
  "on_error=fail decode=lenient",
  "on_error=skip types=response",
};

typedef struct out_buf { unsigned char *z; size_t n, cap; } out_buf;
static void out_add(out_buf *b, const void *z, size_t n){
  if( b->n+n>b->cap ){
    b->cap = (b->n+n)*2 + 64;
    b->z = realloc(b->z, b->cap);
    if( b->z==0 ) fuzz_fail("fuzz", "out of memory");
  }
  memcpy(b->z+b->n, z, n);
  b->n += n;
}

/* Appends z[0..n-1] as one gzip member. */
static void gz_member(out_buf *b, const unsigned char *z, size_t n){
  z_stream s;
  unsigned char tmp[4096];
  int rc;
  memset(&s, 0, sizeof(s));
  if( deflateInit2(&s, 6, Z_DEFLATED, 16+MAX_WBITS, 8,
                   Z_DEFAULT_STRATEGY)!=Z_OK ){
    fuzz_fail("fuzz", "deflateInit2");
  }
  s.next_in = (Bytef*)z;
  s.avail_in = (uInt)n;
  do{
    s.next_out = tmp;
    s.avail_out = sizeof(tmp);
    rc = deflate(&s, Z_FINISH);
    out_add(b, tmp, sizeof(tmp)-s.avail_out);
  }while( rc==Z_OK );
  deflateEnd(&s);
}

static int starts_record(const unsigned char *z, size_t n, size_t i){
  return (i==0 || z[i-1]=='\n') && n-i>=5 && memcmp(z+i, "WARC/", 5)==0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  static char path[64];
  sqlite3 *db = fuzz_db();
  const unsigned char *z;
  size_t n, i, start, nmember = 0;
  size_t *members = 0;
  out_buf file = {0, 0, 0};
  fuzz_part part;
  sqlite3_stmt *st;
  char *zSql;
  int layout;
  FILE *f;
  if( size<1 ) return 0;
  if( path[0]==0 ){
    snprintf(path, sizeof(path), "/tmp/fuzz-warc-%d.warc", (int)getpid());
  }
  layout = data[0] & 3;
  z = data + 1;
  n = size - 1;
  if( layout==1 ){
    gz_member(&file, z, n);
  }else if( layout>=2 ){
    members = malloc(sizeof(size_t)*(n+1));
    if( members==0 ) fuzz_fail("fuzz", "out of memory");
    for(start=0, i=1; i<=n; i++){
      if( i==n || starts_record(z, n, i) ){
        members[nmember++] = file.n;
        gz_member(&file, z+start, i-start);
        start = i;
      }
    }
  }else{
    out_add(&file, z, n);
  }
  f = fopen(path, "wb");
  if( f==0 ) fuzz_fail("fuzz", "cannot write the input file");
  if( file.n>0 && fwrite(file.z, 1, file.n, f)!=file.n ){
    fuzz_fail("fuzz", "cannot write the input file");
  }
  fclose(f);

  part.z = path;
  part.n = strlen(path);
  zSql = sqlite3_mprintf("SELECT file, offset, record_type, record_id, "
      "target_uri, date, content_type, headers, http_status, http_headers, "
      "http_content_type, length(payload) FROM read_warc(?1, '%s')",
      azOpt[(data[0]>>2) % (sizeof(azOpt)/sizeof(azOpt[0]))]);
  fuzz_run(db, zSql, &part, 1, 0, 0, 0);
  sqlite3_free(zSql);

  /* every offset finds its record */
  if( layout!=1
   && sqlite3_prepare_v2(db, "SELECT offset FROM read_warc(?1, "
                         "'on_error=skip')", -1, &st, 0)==SQLITE_OK ){
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    while( sqlite3_step(st)==SQLITE_ROW ){
      sqlite3_int64 off = sqlite3_column_int64(st, 0);
      if( layout==0 ){
        if( off<0 || (size_t)off+5>n
         || sqlite3_strnicmp((const char*)z+off, "WARC/", 5)!=0 ){
          fuzz_fail("offset", "no WARC/ line at a plain file's offset");
        }
      }else{
        size_t lo = 0, hi = nmember;
        while( lo<hi ){
          size_t mid = lo + (hi-lo)/2;
          if( members[mid]<(size_t)off ) lo = mid+1; else hi = mid;
        }
        /* or, for a record that shares its member, where it starts in
        ** the decompressed data */
        if( (lo==nmember || members[lo]!=(size_t)off)
         && (off<0 || (size_t)off+5>n
             || sqlite3_strnicmp((const char*)z+off, "WARC/", 5)!=0) ){
          fuzz_fail("offset", "not the offset of a gzip member");
        }
      }
    }
    sqlite3_finalize(st);
  }
  free(members);
  free(file.z);
  return 0;
}
