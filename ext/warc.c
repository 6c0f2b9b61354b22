/*
** read_warc(path [, options]): the records of WARC files (1.0 and 1.1) as
** rows, streaming, so memory follows the largest record, not the file.
** docs/warc.md is the user's page; warcio (the Python reader of the
** Internet Archive and Webrecorder) is the reference, and where this
** reader differs from it the page says so.
**
** The file comes through a corpus_reader (stream.c), which finds the
** compression from the first bytes: plain, gzip (one member per record,
** the Common Crawl layout, or the whole file in one member) or zstd.
** A record is its version line, header lines to a blank line, and
** Content-Length bytes of content; blank lines separate records.
**
** Layout of the work:  warc_next_record() reads one record's headers and
** keeps its content in the reader's window (valid until the reader is
** filled again, which only the next record does); warc_http() splits an
** HTTP request or response into its headers and body and decodes the
** body (chunked transfer coding, gzip or deflate content coding); the
** JSON of the header columns is built only when a column asks for it.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>
#include "corpus_sql.h"

/* The header block of a record may be at most this long: a file that is
** not a WARC file (or a line without an end) fails here, not by memory. */
#define WARC_MAX_HEADER (1<<20)
/* Content longer than the length limit is passed over in blocks. */
#define WARC_BLOCK (1<<20)
#define WARC_TOOLONG (-3)

/* ---- Header fields --------------------------------------------------------- */

/* name and value at text.z + name / + value, decoded to UTF-8 */
typedef struct warc_field { size_t name, nname, value, nvalue; } warc_field;
typedef struct warc_fields {
  corpus_buf text;
  warc_field *a;
  size_t n, cap;
  int last;            /* the line before: 0 none, 1 a field, 2 dropped */
} warc_fields;

static void warc_fields_clear(warc_fields *f){
  f->text.n = 0;
  f->n = 0;
  f->last = 0;
}

static void warc_fields_free(warc_fields *f){
  corpus_realloc(f->text.z, 0);
  corpus_realloc(f->a, 0);
  memset(f, 0, sizeof(*f));
}

/* Python's str.isspace() over ASCII, which is what warcio strips. */
static int warc_space(unsigned char c){
  return c==' ' || (c>=0x09 && c<=0x0D) || (c>=0x1C && c<=0x1F);
}

/* The length of z[0..n-1] without white space at its end. */
static size_t warc_rstrip(const char *z, size_t n){
  while( n>0 && warc_space((unsigned char)z[n-1]) ) n--;
  return n;
}

/* Appends z[0..n-1] to b as UTF-8: as it is when valid, else each byte as
** a Latin-1 character (warcio decodes a header line as UTF-8, and as
** ISO-8859-1 when that fails). */
static int warc_append_decoded(corpus_buf *b, const char *z, size_t n){
  size_t i;
  if( corpus_utf8_valid(z, n) ) return corpus_buf_append(b, z, n);
  if( corpus_buf_reserve(b, 2*n) ) return CORPUS_NOMEM;
  for(i=0; i<n; i++){
    unsigned char c = (unsigned char)z[i];
    if( c<0x80 ){
      b->z[b->n++] = (char)c;
    }else{
      b->z[b->n++] = (char)(0xC0 | (c>>6));
      b->z[b->n++] = (char)(0x80 | (c & 0x3F));
    }
  }
  return 0;
}

/* Adds one header line (z[0..n-1], its line end included) as warcio's
** StatusAndHeadersParser reads it: "name: value" split at the first colon,
** the name without blanks at its end, the value without white space
** around it; a line that starts with a space or tab continues the value
** before it.  Returns 0, 1 for a line without a colon (not added), or
** CORPUS_NOMEM. */
static int warc_fields_line(warc_fields *f, const char *z, size_t n){
  size_t i, colon;
  warc_field *fd;
  n = warc_rstrip(z, n);
  if( n>0 && (z[0]==' ' || z[0]=='\t') && f->last ){
    if( f->last==2 ) return 0;
    /* the value is the last thing in text: the line joins it as it is */
    i = f->text.n;
    if( warc_append_decoded(&f->text, z, n) ) return CORPUS_NOMEM;
    f->a[f->n-1].nvalue += f->text.n - i;
    return 0;
  }
  colon = 0;
  while( colon<n && z[colon]!=':' ) colon++;
  if( colon==n ){
    f->last = 2;
    return 1;
  }
  if( f->n==f->cap ){
    size_t cap = f->cap ? 2*f->cap : 32;
    warc_field *a = corpus_realloc(f->a, cap*sizeof(*a));
    if( a==0 ) return CORPUS_NOMEM;
    f->a = a;
    f->cap = cap;
  }
  fd = &f->a[f->n];
  i = colon;
  while( i>0 && (z[i-1]==' ' || z[i-1]=='\t') ) i--;
  fd->name = f->text.n;
  if( warc_append_decoded(&f->text, z, i) ) return CORPUS_NOMEM;
  fd->nname = f->text.n - fd->name;
  i = colon+1;
  while( i<n && warc_space((unsigned char)z[i]) ) i++;
  fd->value = f->text.n;
  if( warc_append_decoded(&f->text, z+i, n-i) ) return CORPUS_NOMEM;
  fd->nvalue = f->text.n - fd->value;
  f->n++;
  f->last = 1;
  return 0;
}

static int warc_name_eq(const char *a, size_t na, const char *b){
  size_t nb = strlen(b);
  return na==nb && sqlite3_strnicmp(a, b, (int)nb)==0;
}

/* The first field named name (any case), or NULL. */
static const warc_field *warc_get(const warc_fields *f, const char *name){
  size_t i;
  for(i=0; i<f->n; i++){
    if( warc_name_eq(f->text.z+f->a[i].name, f->a[i].nname, name) ){
      return &f->a[i];
    }
  }
  return 0;
}

/* For sorting the fields by name (any case), then by position. */
typedef struct warc_sortkey { const char *z; size_t n, i; } warc_sortkey;
static int warc_sortkey_cmp(const void *pa, const void *pb){
  const warc_sortkey *a = pa, *b = pb;
  size_t n = a->n<b->n ? a->n : b->n;
  int c = sqlite3_strnicmp(a->z, b->z, (int)n);
  if( c ) return c;
  if( a->n!=b->n ) return a->n<b->n ? -1 : 1;
  return a->i<b->i ? -1 : a->i>b->i;
}

/* The fields as a JSON object in their order: a name seen once has its
** value, a name repeated (compared in any case) an array of the values in
** order, under its first spelling.  Sorting makes it O(n log n) however
** many fields a record has. */
static int warc_fields_json(const warc_fields *f, corpus_buf *out){
  warc_sortkey *k = 0;
  size_t *next = 0, i, j;
  unsigned char *first = 0;
  int rc = CORPUS_NOMEM;
  out->n = 0;
  if( corpus_buf_append(out, "{", 1) ) return CORPUS_NOMEM;
  if( f->n>0 ){
    k = corpus_realloc(0, f->n*sizeof(*k));
    next = corpus_realloc(0, f->n*sizeof(*next));
    first = corpus_realloc(0, f->n);
    if( k==0 || next==0 || first==0 ) goto done;
    for(i=0; i<f->n; i++){
      k[i].z = f->text.z + f->a[i].name;
      k[i].n = f->a[i].nname;
      k[i].i = i;
      next[i] = f->n;
      first[i] = 1;
    }
    qsort(k, f->n, sizeof(*k), warc_sortkey_cmp);
    for(i=1; i<f->n; i++){
      if( k[i].n==k[i-1].n
       && sqlite3_strnicmp(k[i].z, k[i-1].z, (int)k[i].n)==0 ){
        next[k[i-1].i] = k[i].i;
        first[k[i].i] = 0;
      }
    }
  }
  for(i=0; i<f->n; i++){
    if( !first[i] ) continue;
    if( out->n>1 && corpus_buf_append(out, ",", 1) ) goto done;
    if( corpus_buf_append_json_string(out, f->text.z+f->a[i].name,
                                      f->a[i].nname)
     || corpus_buf_append(out, ":", 1) ){
      goto done;
    }
    if( next[i]<f->n && corpus_buf_append(out, "[", 1) ) goto done;
    for(j=i; j<f->n; j=next[j]){
      if( j!=i && corpus_buf_append(out, ",", 1) ) goto done;
      if( corpus_buf_append_json_string(out, f->text.z+f->a[j].value,
                                        f->a[j].nvalue) ){
        goto done;
      }
    }
    if( next[i]<f->n && corpus_buf_append(out, "]", 1) ) goto done;
  }
  if( corpus_buf_append(out, "}", 1)==0 ) rc = 0;
done:
  corpus_realloc(k, 0);
  corpus_realloc(next, 0);
  corpus_realloc(first, 0);
  return rc;
}

/* ---- HTTP bodies ----------------------------------------------------------- */

#define WARC_DECODE_STRICT  0
#define WARC_DECODE_LENIENT 1
#define WARC_DECODE_OFF     2

/* The chunk size at z[0..n-1], a line without its CRLF: hex digits, then
** optionally ';' and extensions; blanks around the digits.  -1 if none. */
static long long warc_chunk_size(const char *z, size_t n){
  size_t i = 0;
  long long v = 0;
  int digits = 0;
  while( i<n && (z[i]==' ' || z[i]=='\t') ) i++;
  for(; i<n; i++){
    int c = (unsigned char)z[i], d;
    if( c>='0' && c<='9' ) d = c-'0';
    else if( c>='a' && c<='f' ) d = c-'a'+10;
    else if( c>='A' && c<='F' ) d = c-'A'+10;
    else break;
    v = v*16 + d;
    if( v>0x80000000LL ) return -1;      /* warcio's limit, 2**31 */
    digits++;
  }
  while( i<n && (z[i]==' ' || z[i]=='\t') ) i++;
  if( digits==0 || (i<n && z[i]!=';') ) return -1;
  return v;
}

/* De-chunks z[0..n-1] into out.  A body that ends inside a chunk or
** without the last chunk was cut short (WARC-Truncated) and is kept as it
** is.  A bad size line or a chunk not followed by CRLF: in strict mode an
** error (0 returned, *why set), lenient (warcio's) the rest of the body
** taken as it is.  Returns 0 or CORPUS_NOMEM; *why NULL when fine. */
static int warc_dechunk(const char *z, size_t n, int mode, corpus_buf *out,
                        char *why, size_t nwhy, int *bad){
  size_t i = 0;
  *bad = 0;
  out->n = 0;
  while( i<n ){
    const char *nl = memchr(z+i, '\n', n-i);
    size_t len, linelen = nl ? (size_t)(nl-(z+i))+1 : n-i;
    long long size = -1;
    if( nl==0 && mode==WARC_DECODE_STRICT ) return 0;  /* cut short */
    if( linelen<=64 && linelen>=2 && z[i+linelen-2]=='\r' && nl ){
      size = warc_chunk_size(z+i, linelen-2);
    }
    if( size<0 ){
      if( mode==WARC_DECODE_STRICT ){
        size_t k = warc_rstrip(z+i, linelen<40 ? linelen : 40);
        snprintf(why, nwhy, "bad chunk size '%.*s' in a chunked body",
                 (int)k, z+i);
        *bad = 1;
        return 0;
      }
      return corpus_buf_append(out, z+i, n-i);
    }
    i += linelen;
    if( size==0 ) return 0;            /* trailers, if any, are not kept */
    len = (size_t)size<n-i ? (size_t)size : n-i;
    if( corpus_buf_append(out, z+i, len) ) return CORPUS_NOMEM;
    i += len;
    if( i==n ) return 0;
    if( n-i<2 || z[i]!='\r' || z[i+1]!='\n' ){
      if( mode==WARC_DECODE_STRICT ){
        snprintf(why, nwhy, "chunk of %lld bytes not followed by CRLF in a "
                 "chunked body", size);
        *bad = 1;
        return 0;
      }
      /* warcio reads two bytes for the CRLF and goes on unchunked */
      i += n-i<2 ? n-i : 2;
      return corpus_buf_append(out, z+i, n-i);
    }
    i += 2;
  }
  return 0;
}

/* Inflates z[0..n-1] (gzip, or deflate: zlib format, else raw) into out,
** at most max bytes.  As warcio: data that fails before any output is
** not compressed and is taken as it is; data cut short gives what it
** holds; data after the end of the stream is ignored.  Corrupt data after
** some output is an error in strict mode (*bad), the end of the payload
** in lenient mode.  Returns 0 or CORPUS_NOMEM. */
static int warc_inflate(const char *z, size_t n, int gzip, int mode,
                        size_t max, corpus_buf *out, char *why, size_t nwhy,
                        int *bad){
  int attempt;
  *bad = 0;
  for(attempt=0; attempt<2; attempt++){
    z_stream s;
    int zrc = Z_OK;
    int bits = gzip ? 16+MAX_WBITS : (attempt==0 ? MAX_WBITS : -MAX_WBITS);
    memset(&s, 0, sizeof(s));
    if( inflateInit2(&s, bits)!=Z_OK ) return CORPUS_NOMEM;
    out->n = 0;
    s.next_in = (Bytef*)z;
    while( zrc==Z_OK ){
      size_t room;
      uInt in = n - (size_t)((const char*)s.next_in - z) > 1u<<30 ?
                1u<<30 : (uInt)(n - (size_t)((const char*)s.next_in - z));
      if( out->n>=max ){
        inflateEnd(&s);
        snprintf(why, nwhy, "decoded payload over the length limit (%zu "
                 "bytes)", max);
        *bad = 2;
        return 0;
      }
      if( corpus_buf_reserve(out, 65536) ){
        inflateEnd(&s);
        return CORPUS_NOMEM;
      }
      room = out->cap - out->n - 1;
      if( room>max-out->n+1 ) room = max-out->n+1;
      if( room>1u<<30 ) room = 1u<<30;
      s.avail_in = in;
      s.next_out = (Bytef*)out->z + out->n;
      s.avail_out = (uInt)room;
      zrc = inflate(&s, Z_NO_FLUSH);
      out->n += room - s.avail_out;
      if( zrc==Z_BUF_ERROR ) break;       /* the data is cut short */
    }
    inflateEnd(&s);
    if( zrc==Z_MEM_ERROR ) return CORPUS_NOMEM;
    if( zrc==Z_OK || zrc==Z_STREAM_END || zrc==Z_BUF_ERROR ) return 0;
    if( out->n>0 ){
      if( mode==WARC_DECODE_STRICT ){
        snprintf(why, nwhy, "corrupt %s data in the HTTP body",
                 gzip ? "gzip" : "deflate");
        *bad = 1;
      }
      return 0;
    }
    if( gzip ) break;
  }
  out->n = 0;
  return corpus_buf_append(out, z, n);
}

/* ---- The cursor ------------------------------------------------------------ */

static const char *const warc_type_names[] = {
  "warcinfo", "response", "resource", "request", "metadata", "revisit",
  "conversion", "continuation",
};

typedef struct warc_cursor {
  corpus_tvf_cursor base;
  /* options */
  unsigned types;            /* bit i: warc_type_names[i] wanted; 0 all */
  int skip, progress, decode;
  /* the files */
  corpus_paths paths;
  size_t ifile;
  corpus_reader *r;
  corpus_read_counts counts;
  char *first_error;         /* of the file, for counts.first_error */
  long long done_bytes;      /* of the files before this one */
  long long all_rows;        /* returned, all files */
  corpus_progress prog;
  sqlite3_int64 limit;       /* SQLite's length limit */
  /* reading */
  int tail;                  /* a record's content ended: its blank lines */
  int broken;                /* the reader failed: its data ends there */
  int member;                /* the record started a gzip member */
  long long rec_start;       /* decompressed offset of the record */
  /* the current row */
  long long offset;
  warc_fields warc, http;
  int has_http, http_status;
  size_t content;            /* r->z + content: the record's content */
  size_t ncontent;
  const char *payload;       /* in the window or in body */
  size_t npayload;
  corpus_buf body, json, scratch;
  corpus_buf uri;            /* target_uri rewritten (never in scratch,
                             ** which may hold the payload) */
  char msg[CORPUS_ERRMAX];   /* a malformed record's message */
  char quote[48];            /* warc_quote() */
  long long last_end;        /* where the last record's content ended */
  corpus_probe probe;        /* the reader's interrupt check */
} warc_cursor;

#define WARC_REC  0          /* a record was read */
#define WARC_END  1          /* the file has ended */
#define WARC_BAD  2          /* a malformed record, c->msg says why */
#define WARC_FAIL 3          /* the reader failed: r->err */

/* The record offset that finds it again: for a record in a gzip member
** (or zstd frame) that started after the record before it, the member's
** offset in the file (warcio's, blank lines at the member's start
** included); for a plain file, the offset in the file; for a record that
** shares its member with the one before (whole-file gzip or zstd), the
** offset in the decompressed data. */
static void warc_locate(warc_cursor *c){
  long long off = corpus_reader_offset(c->r, c->r->pos), file_off, start;
  corpus_reader_member(c->r, off, &file_off, &start);
  c->rec_start = off;
  c->member = start==off || start>c->last_end;
  c->offset = c->member ? file_off : off;
}

/* Whether decompressed offset off starts a gzip member (or zstd frame). */
static int warc_member_start(corpus_reader *r, long long off){
  long long file_off, start;
  if( r->format==CORPUS_PLAIN ) return 0;
  corpus_reader_member(r, off, &file_off, &start);
  return start==off;
}

/* corpus_reader_fill() for the parser: a truncated or corrupt compressed
** file ends its data where the fault is (c->broken, r->err saying where),
** so that the records before the fault come out first, and the fill is
** never asked again. */
static long long warc_fill(warc_cursor *c, size_t want){
  corpus_reader *r = c->r;
  long long got;
  if( c->broken ) return (long long)(r->end - r->pos);
  got = corpus_reader_fill(r, want);
  if( got==-1 ){
    c->broken = 1;
    return (long long)(r->end - r->pos);
  }
  return got;
}

/* Makes the line at r->pos whole in the window: its length with the '\n'
** (to the end of the data when it has none), 0 at the end; -1 or
** CORPUS_NOMEM from the reader, WARC_TOOLONG past max bytes. */
static long long warc_line(warc_cursor *c, size_t max){
  corpus_reader *r = c->r;
  size_t scanned = 0;
  for(;;){
    size_t avail = r->end - r->pos;
    long long got;
    char *nl = avail>scanned ?
               memchr(r->z + r->pos + scanned, '\n', avail - scanned) : 0;
    if( nl ){
      size_t k = (size_t)(nl - (r->z + r->pos)) + 1;
      return k>max ? WARC_TOOLONG : (long long)k;   /* found whole, still long */
    }
    if( avail>max ) return WARC_TOOLONG;
    scanned = avail;
    got = warc_fill(c, avail + 65536);
    if( got<0 ) return got;
    if( (size_t)got<=avail ) return (long long)avail;
  }
}

static int warc_blank(const char *z, size_t n){
  return warc_rstrip(z, n)==0;
}

static int warc_bad(warc_cursor *c, const char *fmt, ...){
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
  va_end(ap);
  return WARC_BAD;
}

/* Up to 40 bytes of a line, for quoting in a message: control characters
** as '?' (a NUL would end the message); invalid UTF-8 is made U+FFFD with
** the whole message. */
static const char *warc_quote(warc_cursor *c, const char *z, size_t n){
  size_t i;
  n = warc_rstrip(z, n);
  if( n>40 ) n = 40;
  for(i=0; i<n; i++){
    unsigned char u = (unsigned char)z[i];
    c->quote[i] = (char)(u<0x20 || u==0x7f ? '?' : u);
  }
  c->quote[n] = 0;
  return c->quote;
}

/* After a malformed record: on to the next line that starts with "WARC/",
** and in a file of one gzip member per record, to the next such line in a
** later member (warcio reads a member at a time).  WARC_END, or WARC_FAIL
** / CORPUS_NOMEM from the reader. */
static int warc_resync(warc_cursor *c, int member){
  corpus_reader *r = c->r;
  int line_start = r->pos>0 && r->z[r->pos-1]=='\n';
  c->last_end = c->rec_start;
  for(;;){
    long long got = warc_fill(c, 65536);
    long long off, fo, st = 0;
    char *nl;
    if( got<0 ) return got==CORPUS_NOMEM ? CORPUS_NOMEM : WARC_FAIL;
    if( got<5 ){
      r->pos = r->end;
      return WARC_END;
    }
    off = corpus_reader_offset(r, r->pos);
    if( member ) corpus_reader_member(r, off, &fo, &st);
    if( memcmp(r->z+r->pos, "WARC/", 5)==0
     && (member ? st>c->rec_start && (line_start || st==off) : line_start) ){
      return WARC_REC;
    }
    nl = memchr(r->z+r->pos, '\n', r->end-r->pos);
    if( nl ){
      r->pos = (size_t)(nl - r->z) + 1;
      line_start = 1;
    }else{
      r->pos = r->end;
      line_start = 0;
    }
  }
}

/* Consumes Content-Length bytes of content.  A record that starts a gzip
** member ends with it (warcio reads a member at a time): content running
** into the next member stops there.  keep: the content must stay whole in
** the window (c->content), which is asked to grow by doubling, so that a
** Content-Length far beyond the data never sizes an allocation; else the
** content is passed over in blocks.  WARC_REC, WARC_BAD, WARC_FAIL,
** CORPUS_NOMEM. */
static int warc_content(warc_cursor *c, long long length, int keep){
  corpus_reader *r = c->r;
  long long done = 0;          /* consumed (not keep) */
  size_t want = 0;             /* the window asked for */
  c->content = r->pos;
  c->ncontent = 0;
  while( keep ? (long long)want<length : done<length ){
    long long got;
    size_t n;
    if( keep ){
      want = (long long)(2*want + 65536)<length ? 2*want + 65536
                                                : (size_t)length;
    }else{
      want = length-done<WARC_BLOCK ? (size_t)(length-done) : WARC_BLOCK;
    }
    got = warc_fill(c, want);
    if( got<0 ) return got==CORPUS_NOMEM ? CORPUS_NOMEM : WARC_FAIL;
    c->content = r->pos;
    n = (size_t)got<want ? (size_t)got : want;
    if( c->member && r->format!=CORPUS_PLAIN && n>0 ){
      /* the first member start after the record's, if inside [pos, pos+n) */
      long long base = corpus_reader_offset(r, r->pos), fo, st;
      corpus_reader_member(r, base+(long long)n-1, &fo, &st);
      if( st>c->rec_start ){
        size_t lo = 0, hi = n-1;        /* the member at lo is the record's */
        corpus_reader_member(r, base, &fo, &st);
        if( st>c->rec_start ){
          hi = 0;
        }else{
          while( hi-lo>1 ){
            size_t mid = lo + (hi-lo)/2;
            corpus_reader_member(r, base+(long long)mid, &fo, &st);
            if( st>c->rec_start ) hi = mid; else lo = mid;
          }
        }
        int rc;
        r->pos += hi;
        warc_bad(c, "Content-Length %lld runs past the end of its gzip "
                 "member (%lld bytes in it)", length, done+(long long)hi);
        /* the next member need not be a record (the rest of this one) */
        rc = warc_resync(c, 1);
        return rc==WARC_FAIL || rc==CORPUS_NOMEM ? rc : WARC_BAD;
      }
    }
    if( n<want ){
      r->pos += n;
      c->last_end = c->rec_start;
      return warc_bad(c, "Content-Length %lld runs past the end of the file "
                      "(%lld bytes follow the headers)", length,
                      done+(long long)n);
    }
    if( !keep ){
      r->pos += n;
      done += (long long)n;
    }
  }
  if( keep ) r->pos += (size_t)length;
  c->ncontent = keep ? (size_t)length : 0;
  c->last_end = corpus_reader_offset(r, r->pos);
  c->tail = 1;
  return WARC_REC;
}

/* Whether the record's type is wanted (types=). */
static int warc_wanted(warc_cursor *c){
  const warc_field *t;
  size_t i;
  if( c->types==0 ) return 1;
  t = warc_get(&c->warc, "WARC-Type");
  if( t==0 ) return 0;
  for(i=0; i<CORPUS_COUNT(warc_type_names); i++){
    if( (c->types & (1u<<i))
     && t->nvalue==strlen(warc_type_names[i])
     && memcmp(c->warc.text.z+t->value, warc_type_names[i], t->nvalue)==0 ){
      return 1;
    }
  }
  return 0;
}

static int warc_http(warc_cursor *c);

/* Reads the next record of c->r.  WARC_REC (wanted or not: *wanted),
** WARC_END, WARC_BAD (resynchronised), WARC_FAIL, CORPUS_NOMEM. */
static int warc_next_record(warc_cursor *c, int *wanted){
  corpus_reader *r = c->r;
  long long n, length;
  size_t total;
  const warc_field *cl;
  const char *z;
  int rc, member_file;
  *wanted = 0;
  c->has_http = 0;
  c->payload = 0;
  c->npayload = 0;
  c->ncontent = 0;
  warc_fields_clear(&c->warc);
  warc_fields_clear(&c->http);

  /* the end of the record before: its first line whatever it holds
  ** (warcio's, which tolerates a Content-Length a line short), unless it
  ** starts the next record; then blank lines */
  if( c->tail ){
    c->tail = 0;
    n = warc_line(c, WARC_MAX_HEADER);
    if( n==-1 ) return WARC_FAIL;
    if( n==CORPUS_NOMEM ) return CORPUS_NOMEM;
    if( n>0 && (warc_blank(r->z+r->pos, (size_t)n)
                || !(((size_t)n>=5 && memcmp(r->z+r->pos, "WARC/", 5)==0)
                     || warc_member_start(r, corpus_reader_offset(r, r->pos)))) ){
      r->pos += (size_t)n;
    }
  }
  for(;;){
    n = warc_line(c, WARC_MAX_HEADER);
    if( n==-1 ) return WARC_FAIL;
    if( n==CORPUS_NOMEM ) return CORPUS_NOMEM;
    if( n==0 ) return WARC_END;
    if( n<0 || !warc_blank(r->z+r->pos, (size_t)n) ) break;
    r->pos += (size_t)n;
  }
  warc_locate(c);
  member_file = c->member && r->format!=CORPUS_PLAIN;
  z = r->z + r->pos;
  if( n<0 ) n = WARC_MAX_HEADER;     /* too long: the start is enough */
  if( n<8 || (sqlite3_strnicmp(z, "WARC/1.0", 8)!=0
              && sqlite3_strnicmp(z, "WARC/1.1", 8)!=0
              && (n<9 || (sqlite3_strnicmp(z, "WARC/0.17", 9)!=0
                          && sqlite3_strnicmp(z, "WARC/0.18", 9)!=0))) ){
    rc = warc_bad(c, "expected a WARC/1.0 or WARC/1.1 line, got '%s'",
                  warc_quote(c, z, (size_t)n));
    r->pos++;
    goto resync;
  }
  r->pos += (size_t)n;
  total = (size_t)n;
  for(;;){
    n = warc_line(c, total<WARC_MAX_HEADER ? WARC_MAX_HEADER - total : 0);
    if( n==-1 ) return WARC_FAIL;
    if( n==CORPUS_NOMEM ) return CORPUS_NOMEM;
    if( n==WARC_TOOLONG ){
      rc = warc_bad(c, "WARC headers longer than %d bytes", WARC_MAX_HEADER);
      goto resync;
    }
    if( n==0 ){
      return warc_bad(c, "the file ends in the WARC headers");
    }
    z = r->z + r->pos;
    if( member_file && warc_member_start(r, corpus_reader_offset(r, r->pos)) ){
      rc = warc_bad(c, "the gzip member ends in the WARC headers");
      goto resync;
    }
    r->pos += (size_t)n;
    total += (size_t)n;
    if( warc_blank(z, (size_t)n) ) break;
    rc = warc_fields_line(&c->warc, z, (size_t)n);
    if( rc==CORPUS_NOMEM ) return CORPUS_NOMEM;
    if( rc ){
      rc = warc_bad(c, "WARC header line without a colon");
      goto resync;
    }
  }
  cl = warc_get(&c->warc, "Content-Length");
  if( cl==0 ){
    rc = warc_bad(c, "no Content-Length");
    goto resync;
  }
  {
    const char *v = c->warc.text.z + cl->value;
    size_t i;
    length = 0;
    for(i=0; i<cl->nvalue && v[i]>='0' && v[i]<='9'; i++){
      if( length>(0x7fffffffffffffffLL-9)/10 ) break;
      length = length*10 + (v[i]-'0');
    }
    if( i==0 || i<cl->nvalue ){
      rc = warc_bad(c, "bad Content-Length '%s'",
                    warc_quote(c, v, cl->nvalue));
      goto resync;
    }
  }
  *wanted = warc_wanted(c);
  if( *wanted && length>c->limit ){
    rc = warc_content(c, length, 0);
    if( rc==WARC_REC ){
      return warc_bad(c, "record of %lld bytes over the length limit (%lld)",
                      length, (long long)c->limit);
    }
    return rc;
  }
  rc = warc_content(c, length, *wanted);
  if( rc!=WARC_REC || !*wanted ) return rc;
  return warc_http(c);

resync:
  if( rc!=WARC_BAD ) return rc;
  rc = warc_resync(c, member_file);
  if( rc==CORPUS_NOMEM || rc==WARC_FAIL ) return rc;
  return WARC_BAD;
}

/* The HTTP message in a request, response or revisit record of an http:
** or https: URI (warcio's rule): its headers, status and body, decoded as
** the options say.  WARC_REC, WARC_BAD (the record is consumed whole, no
** resynchronising needed), CORPUS_NOMEM. */
static int warc_http(warc_cursor *c){
  const char *z = c->ncontent ? c->r->z + c->content : "";
  size_t n = c->ncontent, i, len;
  const warc_field *t = warc_get(&c->warc, "WARC-Type");
  const warc_field *u = warc_get(&c->warc, "WARC-Target-URI");
  const warc_field *te, *ce;
  const char *tv, *uv;
  size_t nu;
  int response, bad = 0, rc;
  c->payload = z;
  c->npayload = n;
  if( t==0 || u==0 || n==0 ) return WARC_REC;
  tv = c->warc.text.z + t->value;
  uv = c->warc.text.z + u->value;
  nu = u->nvalue;                  /* the value only, not what follows it */
  if( nu>0 && uv[0]=='<' ){ uv++; nu--; }
  response = t->nvalue==8 && memcmp(tv, "response", 8)==0;
  if( !response && !(t->nvalue==7 && (memcmp(tv, "request", 7)==0
                                       || memcmp(tv, "revisit", 7)==0)) ){
    return WARC_REC;
  }
  if( !(nu>=5 && sqlite3_strnicmp(uv, "http:", 5)==0)
   && !(nu>=6 && sqlite3_strnicmp(uv, "https:", 6)==0) ){
    return WARC_REC;
  }
  /* the start line, then header lines to a blank line or the end */
  c->has_http = 1;
  c->http_status = -1;
  {
    const char *nl = memchr(z, '\n', n);
    size_t k;
    len = nl ? (size_t)(nl-z)+1 : n;
    k = warc_rstrip(z, len);
    if( t->nvalue!=7 || memcmp(tv, "request", 7)!=0 ){
      /* "HTTP/1.1 200 OK": the code is the second word */
      size_t j = 0;
      long long code = 0;
      while( j<k && z[j]!=' ' ) j++;
      while( j<k && warc_space((unsigned char)z[j]) ) j++;
      if( j<k && z[j]>='0' && z[j]<='9' ){
        while( j<k && z[j]>='0' && z[j]<='9' && code<1000000 ){
          code = code*10 + (z[j++]-'0');
        }
        if( (j==k || z[j]==' ') && code>0 && code<1000000 ){
          c->http_status = (int)code;
        }
      }
    }
    i = len;
    if( k==0 ){
      c->has_http = 0;        /* an empty start line: warcio has none */
    }else{
      while( i<n ){
        nl = memchr(z+i, '\n', n-i);
        len = nl ? (size_t)(nl-(z+i))+1 : n-i;
        if( warc_blank(z+i, len) ){ i += len; break; }
        if( warc_fields_line(&c->http, z+i, len)==CORPUS_NOMEM ){
          return CORPUS_NOMEM;
        }
        i += len;
      }
    }
  }
  c->payload = z + i;
  c->npayload = n - i;
  if( !c->has_http || c->decode==WARC_DECODE_OFF ) return WARC_REC;
  te = warc_get(&c->http, "Transfer-Encoding");
  ce = warc_get(&c->http, "Content-Encoding");
  if( te && warc_name_eq(c->http.text.z+te->value, te->nvalue, "chunked") ){
    rc = warc_dechunk(c->payload, c->npayload, c->decode, &c->body, c->msg,
                      sizeof(c->msg), &bad);
    if( rc ) return rc;
    if( bad ) return WARC_BAD;
    c->payload = c->body.z ? c->body.z : "";
    c->npayload = c->body.n;
  }
  if( ce ){
    const char *v = c->http.text.z + ce->value;
    int gzip = warc_name_eq(v, ce->nvalue, "gzip");
    if( gzip || warc_name_eq(v, ce->nvalue, "deflate") ){
      corpus_buf *out = c->payload==c->body.z ? &c->scratch : &c->body;
      rc = warc_inflate(c->payload, c->npayload, gzip, c->decode,
                        (size_t)c->limit, out, c->msg, sizeof(c->msg), &bad);
      if( rc ) return rc;
      if( bad ) return WARC_BAD;
      c->payload = out->z ? out->z : "";
      c->npayload = out->n;
    }
  }
  if( c->npayload>(size_t)c->limit ){
    return warc_bad(c, "decoded payload over the length limit (%lld bytes)",
                    (long long)c->limit);
  }
  return WARC_REC;
}

/* ---- The table-valued function -------------------------------------------- */

#define WARC_FILE              0
#define WARC_OFFSET            1
#define WARC_RECORD_TYPE       2
#define WARC_RECORD_ID         3
#define WARC_TARGET_URI        4
#define WARC_DATE              5
#define WARC_CONTENT_TYPE      6
#define WARC_HEADERS           7
#define WARC_HTTP_STATUS       8
#define WARC_HTTP_HEADERS      9
#define WARC_HTTP_CONTENT_TYPE 10
#define WARC_PAYLOAD           11

static int warc_option(void *ctx, const char *key, const char *value,
                       char *err){
  warc_cursor *c = (warc_cursor*)ctx;
  int v;
  if( strcmp(key, "types")==0 ){
    const char *p = value;
    c->types = 0;
    while( *p ){
      size_t n = strcspn(p, ","), i;
      for(i=0; i<CORPUS_COUNT(warc_type_names); i++){
        if( strlen(warc_type_names[i])==n
         && memcmp(warc_type_names[i], p, n)==0 ) break;
      }
      if( i==CORPUS_COUNT(warc_type_names) ){
        snprintf(err, CORPUS_ERRMAX, "types: unknown record type '%.*s' "
                 "(valid: warcinfo, response, resource, request, metadata, "
                 "revisit, conversion, continuation)", (int)(n<40 ? n : 40), p);
        return -1;
      }
      c->types |= 1u<<i;
      p += n;
      if( *p==',' ) p++;
    }
    if( c->types==0 ){
      snprintf(err, CORPUS_ERRMAX, "types: expected record types separated "
               "by commas");
      return -1;
    }
    return 0;
  }
  if( strcmp(key, "on_error")==0 ){
    v = corpus_option_choice(key, value, "fail|skip", err);
    if( v<0 ) return -1;
    c->skip = v;
    return 0;
  }
  if( strcmp(key, "progress")==0 ){
    v = corpus_option_choice(key, value, "off|on", err);
    if( v<0 ) return -1;
    c->progress = v;
    return 0;
  }
  if( strcmp(key, "decode")==0 ){
    v = corpus_option_choice(key, value, "strict|lenient|off", err);
    if( v<0 ) return -1;
    c->decode = v;
    return 0;
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: types, "
           "on_error, progress, decode)", key);
  return -1;
}

/* Logs the file's counts (at its end, or when the scan stops in it). */
static int warc_log(warc_cursor *c){
  int rc;
  if( c->ifile>=c->paths.n ) return SQLITE_OK;
  c->counts.bytes = c->r ? c->r->raw : 0;
  c->counts.first_error = c->first_error;
  rc = corpus_read_log(&c->base, c->paths.path[c->ifile], &c->counts);
  return rc;
}

static void warc_close_file(warc_cursor *c){
  if( c->r ){
    c->done_bytes += c->r->raw;
    corpus_reader_close(c->r);
    c->r = 0;
  }
  sqlite3_free(c->first_error);
  c->first_error = 0;
  memset(&c->counts, 0, sizeof(c->counts));
  c->tail = 0;
  c->ifile++;
}

static void warc_reset(corpus_tvf_cursor *cur){
  warc_cursor *c = (warc_cursor*)cur;
  if( c->r ) warc_log(c);
  if( c->r ) corpus_reader_close(c->r);
  c->r = 0;
  corpus_probe_end(&c->probe);
  corpus_progress_end(&c->prog);
  corpus_paths_free(&c->paths);
  memset(&c->paths, 0, sizeof(c->paths));
  sqlite3_free(c->first_error);
  c->first_error = 0;
  warc_fields_free(&c->warc);
  warc_fields_free(&c->http);
  corpus_realloc(c->body.z, 0);
  corpus_realloc(c->json.z, 0);
  corpus_realloc(c->scratch.z, 0);
  corpus_realloc(c->uri.z, 0);
  memset(&c->types, 0, sizeof(*c) - offsetof(warc_cursor, types));
}

/* The message of a malformed record or a failed reader, as the error or
** as the file's first skipped one. */
static char *warc_message(warc_cursor *c, int what){
  const char *path = c->paths.path[c->ifile];
  if( what==WARC_FAIL ) return corpus_sql_utf8(sqlite3_mprintf("%s", c->r->err));
  return corpus_sql_utf8(sqlite3_mprintf("%s:%lld: %s", path, c->offset,
                                         c->msg));
}

/* Moves to the next wanted record, across files: SQLITE_OK with a row,
** or at the end (nrow = row). */
static int warc_advance(warc_cursor *c){
  corpus_tvf_cursor *cur = &c->base;
  for(;;){
    int rc, wanted, what;
    if( c->r==0 ){
      char err[CORPUS_ERRMAX+1024];
      if( c->ifile>=c->paths.n ){
        cur->nrow = cur->row;
        corpus_progress_end(&c->prog);
        return SQLITE_OK;
      }
      rc = corpus_reader_open(c->paths.path[c->ifile], &c->r, err);
      if( rc==CORPUS_NOMEM ) return SQLITE_NOMEM;
      if( rc ){
        c->r = 0;
        corpus_err_utf8(err);
        return corpus_tvf_error(cur, "%s", err);
      }
      c->probe.db = corpus_tvf_db(cur);
      c->r->xInterrupted = corpus_probe_interrupted;
      c->r->pInterruptArg = &c->probe;
      c->tail = 0;
      c->broken = 0;
      c->last_end = -1;
    }
    what = warc_next_record(c, &wanted);
    if( what==CORPUS_NOMEM ) return SQLITE_NOMEM;
    /* past a fault in the compressed data, the fault is what went wrong
    ** (a record it cut short is not malformed) */
    if( c->broken && (what==WARC_END || what==WARC_BAD) ) what = WARC_FAIL;
    if( what==WARC_REC ){
      c->counts.records++;
      if( wanted ){
        c->counts.rows++;
        c->all_rows++;
      }
      corpus_progress_update(&c->prog, c->all_rows, c->done_bytes + c->r->raw);
      if( !wanted ) continue;
      cur->nrow = cur->row + 1;
      return SQLITE_OK;
    }
    if( what==WARC_END ){
      corpus_progress_update(&c->prog, c->all_rows, c->done_bytes + c->r->raw);
      rc = warc_log(c);
      warc_close_file(c);
      if( rc ) return rc;
      continue;
    }
    /* WARC_BAD: a malformed record, counted among the records read and
    ** skipped with on_error=skip; WARC_FAIL: the file itself failed (a
    ** truncated or corrupt compressed stream, a read error), always an
    ** error, as in read_jsonl: a short read never looks like the end */
    {
      char *m = warc_message(c, what);
      if( m==0 ) return SQLITE_NOMEM;
      if( what==WARC_BAD ) c->counts.records++;
      if( what==WARC_FAIL && c->r->interrupted ){
        sqlite3_free(m);
        return SQLITE_INTERRUPT;
      }
      if( !c->skip || what==WARC_FAIL ){
        rc = corpus_tvf_error(cur, "%s", m);
        sqlite3_free(m);
        return rc;
      }
      c->counts.skipped++;
      if( c->first_error==0 ) c->first_error = m; else sqlite3_free(m);
    }
  }
}

static int warc_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  warc_cursor *c = (warc_cursor*)cur;
  int rc;
  if( sqlite3_value_type(args[0])==SQLITE_NULL ) return SQLITE_OK;
  if( sqlite3_value_type(args[0])!=SQLITE_TEXT ){
    return corpus_tvf_error(cur, "path must be TEXT, got %s",
                            corpus_type_name(sqlite3_value_type(args[0])));
  }
  if( args[1] ){
    rc = corpus_tvf_options(cur, args[1], warc_option, c);
    if( rc ) return rc;
  }
  c->limit = sqlite3_limit(corpus_tvf_db(cur), SQLITE_LIMIT_LENGTH, -1);
  rc = corpus_tvf_glob(cur, args[0], "path", &c->paths);
  if( rc ) return rc;
  if( c->progress ){
    corpus_progress_start(&c->prog, 1, "read_warc",
                          corpus_paths_bytes(&c->paths));
  }
  return warc_advance(c);
}

static int warc_next(corpus_tvf_cursor *cur){
  cur->row++;
  return warc_advance((warc_cursor*)cur);
}

/* A header's value as TEXT, or NULL without it. */
static void warc_result_field(sqlite3_context *ctx, const warc_fields *f,
                             const char *name){
  const warc_field *fd = warc_get(f, name);
  if( fd ){
    sqlite3_result_text64(ctx, f->text.z+fd->value, fd->nvalue,
                          SQLITE_TRANSIENT, SQLITE_UTF8);
  }
}

/* WARC-Target-URI as warcio gives it: without <> around it (wget 1.19
** wrote them) and with each space as %20. */
static int warc_result_uri(sqlite3_context *ctx, warc_cursor *c){
  const warc_field *fd = warc_get(&c->warc, "WARC-Target-URI");
  const char *v;
  size_t n, i;
  if( fd==0 ) return SQLITE_OK;
  v = c->warc.text.z + fd->value;
  n = fd->nvalue;
  if( n>=2 && v[0]=='<' && v[n-1]=='>' ){ v++; n -= 2; }
  c->uri.n = 0;
  for(i=0; i<n; i++){
    if( corpus_buf_append(&c->uri, v[i]==' ' ? "%20" : v+i,
                          v[i]==' ' ? 3 : 1) ){
      return SQLITE_NOMEM;
    }
  }
  sqlite3_result_text64(ctx, c->uri.z ? c->uri.z : "", c->uri.n,
                        SQLITE_TRANSIENT, SQLITE_UTF8);
  return SQLITE_OK;
}

static int warc_result_json(sqlite3_context *ctx, warc_cursor *c,
                            const warc_fields *f){
  if( warc_fields_json(f, &c->json) ) return SQLITE_NOMEM;
  sqlite3_result_text64(ctx, c->json.z, c->json.n, SQLITE_TRANSIENT,
                        SQLITE_UTF8);
  sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
  return SQLITE_OK;
}

static int warc_column(corpus_tvf_cursor *cur, sqlite3_context *ctx, int col){
  warc_cursor *c = (warc_cursor*)cur;
  switch( col ){
    case WARC_FILE:
      corpus_result_path(ctx, c->paths.path[c->ifile]);
      break;
    case WARC_OFFSET: sqlite3_result_int64(ctx, c->offset); break;
    case WARC_RECORD_TYPE: warc_result_field(ctx, &c->warc, "WARC-Type"); break;
    case WARC_RECORD_ID:
      warc_result_field(ctx, &c->warc, "WARC-Record-ID");
      break;
    case WARC_TARGET_URI: return warc_result_uri(ctx, c);
    case WARC_DATE: warc_result_field(ctx, &c->warc, "WARC-Date"); break;
    case WARC_CONTENT_TYPE:
      warc_result_field(ctx, &c->warc, "Content-Type");
      break;
    case WARC_HEADERS: return warc_result_json(ctx, c, &c->warc);
    case WARC_HTTP_STATUS:
      if( c->has_http && c->http_status>=0 ){
        sqlite3_result_int(ctx, c->http_status);
      }
      break;
    case WARC_HTTP_HEADERS:
      if( c->has_http ) return warc_result_json(ctx, c, &c->http);
      break;
    case WARC_HTTP_CONTENT_TYPE:
      if( c->has_http ) warc_result_field(ctx, &c->http, "Content-Type");
      break;
    default:
      sqlite3_result_blob64(ctx, c->payload ? c->payload : "", c->npayload,
                            SQLITE_TRANSIENT);
  }
  return SQLITE_OK;
}

static const char *const warc_args[] = {"path", "options"};
static const corpus_tvf warc_tvf = {
  "read_warc",
  "CREATE TABLE x(file TEXT, offset INTEGER, record_type TEXT, "
  "record_id TEXT, target_uri TEXT, date TEXT, content_type TEXT, "
  "headers TEXT, http_status INTEGER, http_headers TEXT, "
  "http_content_type TEXT, payload BLOB, path HIDDEN, options HIDDEN)",
  12, 2, 1, warc_args, SQLITE_VTAB_DIRECTONLY, sizeof(warc_cursor),
  warc_filter, warc_column, warc_reset, warc_next, 0
};

static const corpus_sql warc_sql[] = {
  CORPUS_TABLE_FUNCTION("read_warc", &warc_tvf),
};

int corpus_warc_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, warc_sql, (int)CORPUS_COUNT(warc_sql), pzErr);
}
