/*
** Files read and written whole: the byte streams under the file functions
** (read_jsonl, read_warc, read_text, write_jsonl).  A reader decompresses
** gzip (zlib) and zstd (libzstd) found by their magic bytes; a writer
** compresses by the final name's extension into a temporary file that is
** renamed only when complete; a glob lists files in byte order; progress
** goes to stderr.  No SQLite here (corpus_int.h declares it all).
*/
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>
#include "corpus_int.h"

#define IN_SIZE  (256*1024)     /* bytes read from the file at a time */
#define WIN_MIN  (256*1024)     /* the smallest window */

/* ---- Messages -------------------------------------------------------------- */

static void msg(char *err, size_t size, const char *path, const char *fmt,
                ...){
  va_list ap;
  int k = snprintf(err, size, "%s: ", path);
  if( k<0 || (size_t)k>=size ) k = 0;
  va_start(ap, fmt);
  vsnprintf(err+k, size-(size_t)k, fmt, ap);
  va_end(ap);
}
#define RMSG(r, ...) msg((r)->err, sizeof((r)->err), (r)->impl->path, \
                         __VA_ARGS__)

/* ---- Reading --------------------------------------------------------------- */

/* Where a gzip member or zstd frame starts: in the file, and decompressed. */
typedef struct member { long long file_off, start; } member;

struct corpus_reader_impl {
  char *path;
  int fd;
  unsigned char *in;            /* IN_SIZE bytes read from the file */
  size_t in_pos, in_len;
  int file_eof;
  size_t cap;                   /* of the window r->z */
  z_stream zs;                  /* gzip */
  int zs_live;
  ZSTD_DCtx *zd;                /* zstd */
  int in_member;                /* within a member (or frame) */
  unsigned blocks;              /* decodes asked, for xInterrupted */
  member *mem;                  /* members from the one before the window */
  size_t nmem, capmem;
};

/* The offset in the file of the next byte not yet given to the decoder. */
static long long raw_pos(corpus_reader *r){
  return r->raw - (long long)(r->impl->in_len - r->impl->in_pos);
}

/* Reads more of the file into in[] (keeping what is unread): 0, or -1. */
static int read_in(corpus_reader *r){
  struct corpus_reader_impl *p = r->impl;
  ssize_t k;
  if( p->in_pos>0 ){
    memmove(p->in, p->in+p->in_pos, p->in_len-p->in_pos);
    p->in_len -= p->in_pos;
    p->in_pos = 0;
  }
  do{
    k = read(p->fd, p->in+p->in_len, IN_SIZE-p->in_len);
  }while( k<0 && errno==EINTR );
  if( k<0 ){
    RMSG(r, "read error at byte %lld: %s", r->raw, strerror(errno));
    return -1;
  }
  if( k==0 ) p->file_eof = 1;
  p->in_len += (size_t)k;
  r->raw += k;
  return 0;
}

static int add_member(corpus_reader *r, long long file_off, long long start){
  struct corpus_reader_impl *p = r->impl;
  if( p->nmem>0 && p->mem[p->nmem-1].start==start ){
    /* the member before gave no byte: a file of empty members would
    ** otherwise grow this list without end */
    p->mem[p->nmem-1].file_off = file_off;
    return 0;
  }
  if( p->nmem==p->capmem ){
    size_t cap = p->capmem ? 2*p->capmem : 16;
    member *m = corpus_realloc(p->mem, cap*sizeof(member));
    if( m==0 ) return CORPUS_NOMEM;
    p->mem = m;
    p->capmem = cap;
  }
  p->mem[p->nmem].file_off = file_off;
  p->mem[p->nmem].start = start;
  p->nmem++;
  return 0;
}

/* Forgets the members that ended before the member of offset `keep`. */
static void trim_members(corpus_reader *r, long long keep){
  struct corpus_reader_impl *p = r->impl;
  size_t i = 0;
  while( i+2<p->nmem && p->mem[i+2].start<=keep ) i++;
  if( i>0 ){
    memmove(p->mem, p->mem+i, (p->nmem-i)*sizeof(member));
    p->nmem -= i;
  }
}

/* At the end of a member: whether another follows.  Zero bytes after the
** last member are padding (Python's gzip module skips them too); anything
** else that is not the next member's magic is an error. */
static int next_member(corpus_reader *r, int *more){
  struct corpus_reader_impl *p = r->impl;
  static const unsigned char gz[2] = {0x1f, 0x8b};
  *more = 0;
  for(;;){
    while( p->in_pos<p->in_len && p->in[p->in_pos]==0
        && r->format==CORPUS_GZIP ){
      p->in_pos++;
    }
    if( p->in_len-p->in_pos>=4 || p->file_eof ) break;
    if( read_in(r) ) return -1;
  }
  if( p->in_pos==p->in_len ) return 0;
  if( r->format==CORPUS_GZIP
      ? (p->in_len-p->in_pos<2 || memcmp(p->in+p->in_pos, gz, 2)!=0)
      : (p->in_len-p->in_pos<4) ){
    RMSG(r, "trailing data that is not %s at byte %lld",
         r->format==CORPUS_GZIP ? "gzip" : "zstd", raw_pos(r));
    return -1;
  }
  *more = 1;
  return 0;
}

/* Decodes into z[end..cap): 0 (something added, or the end), or -1. */
static int produce(corpus_reader *r){
  struct corpus_reader_impl *p = r->impl;
  if( r->format==CORPUS_PLAIN ){
    ssize_t k;
    if( p->in_pos<p->in_len ){            /* the magic bytes looked at */
      size_t n = p->in_len - p->in_pos;
      if( n>p->cap-r->end ) n = p->cap-r->end;
      memcpy(r->z+r->end, p->in+p->in_pos, n);
      p->in_pos += n;
      r->end += n;
      return 0;
    }
    do{
      k = read(p->fd, r->z+r->end, p->cap-r->end);
    }while( k<0 && errno==EINTR );
    if( k<0 ){
      RMSG(r, "read error at byte %lld: %s", r->raw, strerror(errno));
      return -1;
    }
    if( k==0 ) r->eof = 1;
    r->raw += k;
    r->end += (size_t)k;
    return 0;
  }
  for(;;){
    size_t before = r->end;
    int done = 0;
    if( !p->in_member ){
      int more, rc;
      rc = next_member(r, &more);
      if( rc ) return rc;
      if( !more ){ r->eof = 1; return 0; }
      rc = add_member(r, raw_pos(r), corpus_reader_offset(r, r->end));
      if( rc ) return rc;
      if( r->format==CORPUS_GZIP ){
        if( inflateReset2(&p->zs, 16+MAX_WBITS)!=Z_OK ) return CORPUS_NOMEM;
      }else{
        ZSTD_DCtx_reset(p->zd, ZSTD_reset_session_only);
      }
      p->in_member = 1;
    }
    if( p->in_pos==p->in_len ){
      if( p->file_eof ){
        RMSG(r, "truncated %s data at byte %lld",
             r->format==CORPUS_GZIP ? "gzip" : "zstd", r->raw);
        return -1;
      }
      if( read_in(r) ) return -1;
      continue;
    }
    if( r->format==CORPUS_GZIP ){
      int zrc;
      p->zs.next_in = p->in + p->in_pos;
      p->zs.avail_in = (uInt)(p->in_len - p->in_pos);
      p->zs.next_out = (unsigned char*)r->z + r->end;
      p->zs.avail_out = (uInt)(p->cap - r->end);
      zrc = inflate(&p->zs, Z_NO_FLUSH);
      p->in_pos = p->in_len - p->zs.avail_in;
      r->end = p->cap - p->zs.avail_out;
      if( zrc==Z_STREAM_END ){
        done = 1;
      }else if( zrc==Z_MEM_ERROR ){
        return CORPUS_NOMEM;
      }else if( zrc!=Z_OK && zrc!=Z_BUF_ERROR ){
        RMSG(r, "corrupt gzip data at byte %lld: %s", raw_pos(r),
             p->zs.msg ? p->zs.msg : "invalid data");
        return -1;
      }
    }else{
      ZSTD_inBuffer in = {p->in, p->in_len, p->in_pos};
      ZSTD_outBuffer out = {r->z, p->cap, r->end};
      size_t zrc = ZSTD_decompressStream(p->zd, &out, &in);
      p->in_pos = in.pos;
      r->end = out.pos;
      if( ZSTD_isError(zrc) ){
        if( ZSTD_getErrorCode(zrc)==ZSTD_error_memory_allocation ){
          return CORPUS_NOMEM;
        }
        /* zstd buffers its input: the place of the fault within the
        ** frame is not known, the frame is */
        RMSG(r, "corrupt zstd data in the frame at byte %lld: %s",
             p->nmem ? p->mem[p->nmem-1].file_off : 0,
             ZSTD_getErrorName(zrc));
        return -1;
      }
      if( zrc==0 ) done = 1;
    }
    if( done ) p->in_member = 0;
    if( r->end>before || r->end==p->cap ) return 0;
  }
}

int corpus_reader_open(const char *path, corpus_reader **out, char *err){
  size_t errsize = CORPUS_ERRMAX + 1024;
  struct stat st;
  corpus_reader *r;
  struct corpus_reader_impl *p;
  size_t plen = strlen(path);
  int fd;
  *out = 0;
  /* O_NONBLOCK: opening a FIFO would wait for a writer, in the kernel,
  ** where no interrupt reaches; reads block again below */
  do{
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  }while( fd<0 && errno==EINTR );
  if( fd<0 ){
    msg(err, errsize, path, "%s", strerror(errno));
    return -1;
  }
  if( fstat(fd, &st)!=0 ){
    msg(err, errsize, path, "%s", strerror(errno));
    close(fd);
    return -1;
  }
  if( S_ISDIR(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ){
    /* a device (/dev/zero, /dev/urandom) is endless */
    msg(err, errsize, path, "%s", S_ISDIR(st.st_mode) ? "is a directory"
                                                      : "is a device");
    close(fd);
    return -1;
  }
  if( fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)!=0 ){
    msg(err, errsize, path, "%s", strerror(errno));
    close(fd);
    return -1;
  }
  r = corpus_realloc(0, sizeof(*r));
  p = corpus_realloc(0, sizeof(*p));
  if( r ) memset(r, 0, sizeof(*r));
  if( p ) memset(p, 0, sizeof(*p));
  if( r==0 || p==0 ){
    corpus_free(r);
    corpus_free(p);
    close(fd);
    return CORPUS_NOMEM;
  }
  r->impl = p;
  p->fd = fd;
  r->size = S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
  p->path = corpus_realloc(0, plen+1);
  p->in = corpus_realloc(0, IN_SIZE);
  p->cap = WIN_MIN;
  r->z = corpus_realloc(0, p->cap);
  if( p->path==0 || p->in==0 || r->z==0 ){
    corpus_reader_close(r);
    return CORPUS_NOMEM;
  }
  memcpy(p->path, path, plen+1);
  while( p->in_len<4 && !p->file_eof ){
    if( read_in(r) ){
      memcpy(err, r->err, sizeof(r->err));
      corpus_reader_close(r);
      return -1;
    }
  }
  if( p->in_len>=2 && p->in[0]==0x1f && p->in[1]==0x8b ){
    r->format = CORPUS_GZIP;
    memset(&p->zs, 0, sizeof(p->zs));
    if( inflateInit2(&p->zs, 16+MAX_WBITS)!=Z_OK ){
      corpus_reader_close(r);
      return CORPUS_NOMEM;
    }
    p->zs_live = 1;
  }else if( p->in_len>=4 && memcmp(p->in, "\x28\xb5\x2f\xfd", 4)==0 ){
    r->format = CORPUS_ZSTD;
    p->zd = ZSTD_createDCtx();
    if( p->zd==0 ){
      corpus_reader_close(r);
      return CORPUS_NOMEM;
    }
  }
  *out = r;
  return 0;
}

long long corpus_reader_fill(corpus_reader *r, size_t want){
  struct corpus_reader_impl *p = r->impl;
  if( r->end-r->pos>=want || r->eof ) return (long long)(r->end-r->pos);
  /* Move the unread bytes to the front, and grow the window for want. */
  if( r->pos>0 ){
    memmove(r->z, r->z+r->pos, r->end-r->pos);
    r->base += (long long)r->pos;
    r->end -= r->pos;
    r->pos = 0;
    trim_members(r, r->base);
  }
  if( want>p->cap ){
    size_t cap = p->cap;
    char *z;
    while( cap<want ){
      if( cap>CORPUS_MAX_ALLOC/2 ){ cap = want; break; }
      cap *= 2;
    }
    if( cap>CORPUS_MAX_ALLOC ) return CORPUS_NOMEM;
    z = corpus_realloc(r->z, cap);
    if( z==0 ) return CORPUS_NOMEM;
    r->z = z;
    p->cap = cap;
  }
  while( r->end<want && !r->eof ){
    int rc;
    if( r->xInterrupted && (++p->blocks & 3)==0
     && r->xInterrupted(r->pInterruptArg) ){
      r->interrupted = 1;
      RMSG(r, "interrupted");
      return -1;
    }
    rc = produce(r);
    if( rc ) return rc;
  }
  return (long long)r->end;
}

void corpus_reader_member(corpus_reader *r, long long off, long long *file_off,
                          long long *start){
  struct corpus_reader_impl *p = r->impl;
  size_t lo = 0, hi = p->nmem;
  if( r->format==CORPUS_PLAIN || p->nmem==0 ){
    *file_off = *start = off;
    return;
  }
  while( hi-lo>1 ){                 /* the last member starting <= off */
    size_t mid = lo + (hi-lo)/2;
    if( p->mem[mid].start<=off ) lo = mid; else hi = mid;
  }
  *file_off = p->mem[lo].file_off;
  *start = p->mem[lo].start;
}

void corpus_reader_close(corpus_reader *r){
  struct corpus_reader_impl *p;
  if( r==0 ) return;
  p = r->impl;
  if( p ){
    if( p->zs_live ) inflateEnd(&p->zs);
    ZSTD_freeDCtx(p->zd);
    if( p->fd>=0 ) close(p->fd);
    corpus_free(p->path);
    corpus_free(p->in);
    corpus_free(p->mem);
    corpus_free(p);
  }
  corpus_free(r->z);
  corpus_free(r);
}

/* ---- Globs ----------------------------------------------------------------- */

static int cmp_path(const void *a, const void *b){
  return strcmp(*(char*const*)a, *(char*const*)b);
}

static int add_path(corpus_paths *out, const char *path){
  size_t n = strlen(path);
  char **v = corpus_realloc(out->path, (out->n+1)*sizeof(char*));
  if( v==0 ) return CORPUS_NOMEM;
  out->path = v;
  v[out->n] = corpus_realloc(0, n+1);
  if( v[out->n]==0 ) return CORPUS_NOMEM;
  memcpy(v[out->n++], path, n+1);
  return 0;
}

int corpus_glob(const char *pattern, corpus_paths *out, char *err){
  glob_t g;
  size_t i;
  int rc;
  out->path = 0;
  out->n = 0;
  if( strpbrk(pattern, "*?[")==0 ){
    rc = add_path(out, pattern);
    if( rc ) corpus_paths_free(out);
    return rc;
  }
  memset(&g, 0, sizeof(g));
  rc = glob(pattern, GLOB_NOSORT, 0, &g);
  if( rc==GLOB_NOSPACE ){
    globfree(&g);
    return CORPUS_NOMEM;
  }
  if( rc!=0 || g.gl_pathc==0 ){
    globfree(&g);
    msg(err, CORPUS_ERRMAX+1024, pattern, "no file matches");
    return -1;
  }
  for(i=0; i<g.gl_pathc; i++){
    struct stat st;
    /* a wildcard lists files: a directory, a FIFO, a device or a dangling
    ** link that it matches is not one (a path named alone is opened as it
    ** is, so /dev/stdin works) */
    if( stat(g.gl_pathv[i], &st)!=0 || !S_ISREG(st.st_mode) ) continue;
    rc = add_path(out, g.gl_pathv[i]);
    if( rc ){
      globfree(&g);
      corpus_paths_free(out);
      return rc;
    }
  }
  globfree(&g);
  if( out->n==0 ){
    msg(err, CORPUS_ERRMAX+1024, pattern, "no file matches");
    return -1;
  }
  /* glob(3) sorts by the locale's collation; files are read in byte order,
  ** the same on every machine. */
  qsort(out->path, out->n, sizeof(char*), cmp_path);
  return 0;
}

long long corpus_paths_bytes(const corpus_paths *p){
  long long total = 0;
  size_t i;
  for(i=0; i<p->n; i++){
    struct stat st;
    if( stat(p->path[i], &st)==0 && S_ISREG(st.st_mode) ){
      total += (long long)st.st_size;
    }
  }
  return total;
}

void corpus_paths_free(corpus_paths *p){
  size_t i;
  for(i=0; i<p->n; i++) corpus_free(p->path[i]);
  corpus_free(p->path);
  p->path = 0;
  p->n = 0;
}

/* ---- Writing --------------------------------------------------------------- */

#define OUT_SIZE (256*1024)

struct corpus_writer_impl {
  char *path, *tmp;             /* the final name, the temporary one */
  int fd, format, overwrite, committed;
  unsigned char *out;           /* compressed bytes not yet written */
  size_t out_len;
  z_stream zs;
  int zs_live;
  ZSTD_CCtx *zc;
};

#define WMSG(w, ...) msg((w)->err, sizeof((w)->err), (w)->impl->path, \
                         __VA_ARGS__)

static int ends_with(const char *s, const char *suffix){
  size_t n = strlen(s), k = strlen(suffix);
  return n>=k && strcmp(s+n-k, suffix)==0;
}

int corpus_path_exists(const char *path){
  struct stat st;
  return lstat(path, &st)==0;
}

/* Writes out[0..out_len) to the file. */
static int flush_out(corpus_writer *w){
  struct corpus_writer_impl *p = w->impl;
  size_t done = 0;
  while( done<p->out_len ){
    ssize_t k = write(p->fd, p->out+done, p->out_len-done);
    if( k<0 && errno==EINTR ) continue;
    if( k<0 ){
      WMSG(w, "write error: %s", strerror(errno));
      return -1;
    }
    done += (size_t)k;
  }
  w->raw += (long long)p->out_len;
  p->out_len = 0;
  return 0;
}

int corpus_writer_open(const char *path, int overwrite, int level,
                       corpus_writer **out, char *err){
  size_t errsize = CORPUS_ERRMAX + 1024;
  size_t plen = strlen(path);
  corpus_writer *w;
  struct corpus_writer_impl *p;
  int tries;
  struct stat st;
  *out = 0;
  if( stat(path, &st)==0 && S_ISDIR(st.st_mode) ){
    msg(err, errsize, path, "is a directory (a file's name is needed)");
    return -1;
  }
  if( !overwrite && corpus_path_exists(path) ){
    msg(err, errsize, path, "file exists (overwrite=on replaces it)");
    return -1;
  }
  w = corpus_realloc(0, sizeof(*w));
  p = corpus_realloc(0, sizeof(*p));
  if( w ) memset(w, 0, sizeof(*w));
  if( p ) memset(p, 0, sizeof(*p));
  if( w==0 || p==0 ){
    corpus_free(w);
    corpus_free(p);
    return CORPUS_NOMEM;
  }
  w->impl = p;
  p->fd = -1;
  p->overwrite = overwrite;
  p->path = corpus_realloc(0, plen+1);
  p->tmp = corpus_realloc(0, plen+16);
  p->out = corpus_realloc(0, OUT_SIZE);
  if( p->path==0 || p->tmp==0 || p->out==0 ){
    corpus_writer_abort(w);
    return CORPUS_NOMEM;
  }
  memcpy(p->path, path, plen+1);
  /* A name of our own next to the final one (so that rename() does not
  ** cross file systems), created with O_EXCL and the usual mode. */
  for(tries=0; p->fd<0 && tries<100; tries++){
    unsigned int rnd = 0;
    if( getrandom(&rnd, sizeof(rnd), 0)!=(ssize_t)sizeof(rnd) ){
      rnd = (unsigned)getpid()*2654435761u + (unsigned)tries;
    }
    snprintf(p->tmp, plen+16, "%s.tmp-%06x", path, rnd & 0xffffff);
    p->fd = open(p->tmp, O_WRONLY|O_CREAT|O_EXCL|O_CLOEXEC, 0666);
    if( p->fd<0 && errno!=EEXIST && errno!=EINTR ) break;
  }
  if( p->fd<0 ){
    msg(err, errsize, path, "cannot create a file: %s", strerror(errno));
    p->tmp[0] = 0;
    corpus_writer_abort(w);
    return -1;
  }
  if( ends_with(path, ".gz") ){
    p->format = CORPUS_GZIP;
    if( deflateInit2(&p->zs, level>0 ? level : Z_DEFAULT_COMPRESSION,
                     Z_DEFLATED, 16+MAX_WBITS, 8, Z_DEFAULT_STRATEGY)!=Z_OK ){
      corpus_writer_abort(w);
      return CORPUS_NOMEM;
    }
    p->zs_live = 1;
  }else if( ends_with(path, ".zst") ){
    p->format = CORPUS_ZSTD;
    p->zc = ZSTD_createCCtx();
    if( p->zc==0
     || ZSTD_isError(ZSTD_CCtx_setParameter(p->zc, ZSTD_c_compressionLevel,
                                            level>0 ? level : 3))
     || ZSTD_isError(ZSTD_CCtx_setParameter(p->zc, ZSTD_c_checksumFlag, 1)) ){
      corpus_writer_abort(w);
      return CORPUS_NOMEM;
    }
  }
  *out = w;
  return 0;
}

/* Compresses z[0..n) (flush: and ends the stream) into out[], writing it
** out as it fills. */
static int compress_some(corpus_writer *w, const void *z, size_t n,
                         int flush){
  struct corpus_writer_impl *p = w->impl;
  if( p->format==CORPUS_GZIP ){
    p->zs.next_in = (unsigned char*)z;
    p->zs.avail_in = (uInt)n;
    for(;;){
      int zrc;
      p->zs.next_out = p->out + p->out_len;
      p->zs.avail_out = (uInt)(OUT_SIZE - p->out_len);
      zrc = deflate(&p->zs, flush ? Z_FINISH : Z_NO_FLUSH);
      p->out_len = OUT_SIZE - p->zs.avail_out;
      if( zrc==Z_STREAM_ERROR ){
        WMSG(w, "gzip compression failed");
        return -1;
      }
      if( p->out_len==OUT_SIZE && flush_out(w) ) return -1;
      if( flush ? zrc==Z_STREAM_END : p->zs.avail_in==0 ) return 0;
    }
  }else{
    ZSTD_inBuffer in = {z, n, 0};
    for(;;){
      ZSTD_outBuffer o = {p->out, OUT_SIZE, p->out_len};
      size_t zrc = ZSTD_compressStream2(p->zc, &o, &in,
                                        flush ? ZSTD_e_end : ZSTD_e_continue);
      p->out_len = o.pos;
      if( ZSTD_isError(zrc) ){
        if( ZSTD_getErrorCode(zrc)==ZSTD_error_memory_allocation ){
          return CORPUS_NOMEM;
        }
        WMSG(w, "zstd compression failed: %s", ZSTD_getErrorName(zrc));
        return -1;
      }
      if( p->out_len==OUT_SIZE && flush_out(w) ) return -1;
      if( flush ? zrc==0 : in.pos==in.size ) return 0;
    }
  }
}

int corpus_writer_write(corpus_writer *w, const void *z, size_t n){
  struct corpus_writer_impl *p = w->impl;
  w->bytes += (long long)n;
  if( p->format!=CORPUS_PLAIN ){
    /* zlib's avail_in is 32 bits */
    while( n>(1u<<30) ){
      int rc = compress_some(w, z, 1u<<30, 0);
      if( rc ) return rc;
      z = (const char*)z + (1u<<30);
      n -= 1u<<30;
    }
    return compress_some(w, z, n, 0);
  }
  if( n>=OUT_SIZE-p->out_len ){
    if( flush_out(w) ) return -1;
    if( n>=OUT_SIZE ){
      size_t done = 0;
      while( done<n ){
        ssize_t k = write(p->fd, (const char*)z+done, n-done);
        if( k<0 && errno==EINTR ) continue;
        if( k<0 ){
          WMSG(w, "write error: %s", strerror(errno));
          return -1;
        }
        done += (size_t)k;
      }
      w->raw += (long long)n;
      return 0;
    }
  }
  memcpy(p->out+p->out_len, z, n);
  p->out_len += n;
  return 0;
}

int corpus_writer_finish(corpus_writer *w){
  struct corpus_writer_impl *p = w->impl;
  int rc;
  if( p->format!=CORPUS_PLAIN ){
    rc = compress_some(w, "", 0, 1);
    if( rc ) return rc;
  }
  if( flush_out(w) ) return -1;
  if( fsync(p->fd)!=0 ){
    WMSG(w, "fsync failed: %s", strerror(errno));
    return -1;
  }
  if( close(p->fd)!=0 ){
    p->fd = -1;
    WMSG(w, "close failed: %s", strerror(errno));
    return -1;
  }
  p->fd = -1;
  /* a finished file waits for its commit with nothing but its names: a
  ** sharded write keeps every shard until the last one is done, and a
  ** zstd context (~1 MB at level 3) and the buffer each would add up */
  if( p->zs_live ){
    deflateEnd(&p->zs);
    p->zs_live = 0;
  }
  ZSTD_freeCCtx(p->zc);
  p->zc = 0;
  corpus_free(p->out);
  p->out = 0;
  return 0;
}

/* Syncs the directory that holds path, so that a rename survives a crash. */
static void sync_dir(const char *path){
  const char *slash = strrchr(path, '/');
  char dir[4096];
  int fd;
  if( slash==0 ){
    strcpy(dir, ".");
  }else if( (size_t)(slash-path)<sizeof(dir) ){
    size_t n = slash==path ? 1 : (size_t)(slash-path);
    memcpy(dir, path, n);
    dir[n] = 0;
  }else{
    return;
  }
  fd = open(dir, O_RDONLY|O_DIRECTORY|O_CLOEXEC);
  if( fd>=0 ){
    (void)fsync(fd);
    close(fd);
  }
}

int corpus_writer_commit(corpus_writer *w){
  struct corpus_writer_impl *p = w->impl;
  if( p->overwrite ){
    if( rename(p->tmp, p->path)!=0 ){
      WMSG(w, "cannot rename %s: %s", p->tmp, strerror(errno));
      return -1;
    }
  }else{
    /* link() refuses an existing name, where rename() would replace it:
    ** a file created meanwhile is not overwritten. */
    int rc = link(p->tmp, p->path);
    if( rc!=0 && errno!=EEXIST ){    /* no hard links here (vfat, FUSE) */
      rc = renameat2(AT_FDCWD, p->tmp, AT_FDCWD, p->path, RENAME_NOREPLACE);
      if( rc==0 ){
        p->committed = 1;
        sync_dir(p->path);
        return 0;
      }
    }
    if( rc!=0 ){
      if( errno==EEXIST ){
        WMSG(w, "file exists (overwrite=on replaces it)");
      }else{
        WMSG(w, "cannot create: %s", strerror(errno));
      }
      return -1;
    }
    (void)unlink(p->tmp);
  }
  p->committed = 1;
  sync_dir(p->path);
  return 0;
}

void corpus_writer_abort(corpus_writer *w){
  struct corpus_writer_impl *p;
  if( w==0 ) return;
  p = w->impl;
  if( p ){
    if( p->fd>=0 ) close(p->fd);
    if( !p->committed && p->tmp && p->tmp[0] ) (void)unlink(p->tmp);
    if( p->zs_live ) deflateEnd(&p->zs);
    ZSTD_freeCCtx(p->zc);
    corpus_free(p->path);
    corpus_free(p->tmp);
    corpus_free(p->out);
    corpus_free(p);
  }
  corpus_free(w);
}

/* ---- Progress -------------------------------------------------------------- */

static double now(void){
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec/1e9;
}

static void show(corpus_progress *p, int last){
  double t = now(), dt = t - p->t0;
  double mb = (double)p->bytes/1e6;
  char line[200];
  int k = snprintf(line, sizeof(line), "%s: %lld rows, %.1f MB, %.1f MB/s",
                   p->what, p->rows, mb, dt>0 ? mb/dt : 0.0);
  if( p->total>0 && k>0 && (size_t)k<sizeof(line) ){
    double f = (double)p->bytes/(double)p->total;
    if( f>1 ) f = 1;
    k += snprintf(line+k, sizeof(line)-(size_t)k, ", %.0f%%", 100*f);
    if( !last && f>0 && (size_t)k<sizeof(line) ){
      long eta = (long)(dt/f - dt + 0.5);
      snprintf(line+k, sizeof(line)-(size_t)k, ", ETA %ld:%02ld:%02ld",
               eta/3600, eta/60%60, eta%60);
    }
  }
  if( isatty(2) ){
    fprintf(stderr, "\r%s\033[K%s", line, last ? "\n" : "");
  }else{
    fprintf(stderr, "%s\n", line);
  }
  fflush(stderr);
  p->last = t;
}

void corpus_progress_start(corpus_progress *p, int on, const char *what,
                           long long total){
  memset(p, 0, sizeof(*p));
  p->on = on;
  p->what = what;
  p->total = total;
  if( on ) p->t0 = p->last = now();
}

void corpus_progress_update(corpus_progress *p, long long rows,
                            long long bytes){
  if( !p->on ) return;
  p->rows = rows;
  p->bytes = bytes;
  if( (++p->tick & 255)!=0 ) return;
  if( now() - p->last >= (isatty(2) ? 0.25 : 10.0) ) show(p, 0);
}

void corpus_progress_end(corpus_progress *p){
  if( !p->on ) return;
  show(p, 1);
  p->on = 0;
}
