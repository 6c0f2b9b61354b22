/*
** bpe_gen: compile a tiktoken rank file into C source.
**
**   bpe_gen [--gap RANK]... NAME FILE.tiktoken > bpe_NAME.c
**
** FILE has one line per token, "base64(token bytes) SPACE rank".  The
** generator checks that the ranks are exactly 0..N-1, each once, that no two
** tokens have the same bytes, that no token is empty and that every single
** byte is a token; anything else is an error (message on stderr, exit 1).
**
** --gap RANK declares a rank that the file is known to lack (p50k_base has
** no 50256: that id is its special token <|endoftext|>).  Each declared gap
** must be missing and below the highest rank; in the table it is a token of
** length zero that has no slot, so bpe_rank() never returns it.  Any gap not
** declared is still an error.
**
** The output defines `const bpe_table bpe_NAME` (ext/bpe_table.h): the token
** bytes in rank order as one string literal, offset[N+1], the slot table
** of the tokens of three bytes or more keyed by bpe_hash(), pair[65536]
** for the two-byte ones and byte_rank[256].  It includes "bpe_table.h", so
** compile it with -Iext.
**
** Host tool: C99, libc and xxHash (inline, header only).  Build:
**   cc -O2 -Iext -o dist/bpe_gen tools/bpe_gen.c
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "bpe_table.h"

static const char *zProg = "bpe_gen";
static const char *zFile = "";

static void die(const char *zMsg, unsigned long line){
  if( line ) fprintf(stderr, "%s: %s:%lu: %s\n", zProg, zFile, line, zMsg);
  else fprintf(stderr, "%s: %s: %s\n", zProg, zFile, zMsg);
  exit(1);
}

static void *xmalloc(size_t n){
  void *p = malloc(n ? n : 1);
  if( p==0 ){ fprintf(stderr, "%s: out of memory\n", zProg); exit(1); }
  return p;
}

/* Standard base64 (RFC 4648, '+' '/', '=' padding): -1 for other bytes. */
static int b64val(unsigned char c){
  if( c>='A' && c<='Z' ) return c - 'A';
  if( c>='a' && c<='z' ) return c - 'a' + 26;
  if( c>='0' && c<='9' ) return c - '0' + 52;
  if( c=='+' ) return 62;
  if( c=='/' ) return 63;
  return -1;
}

/* Decode z[0..n) into out (room for n/4*3 bytes).  Returns the decoded
** length, or -1 if z is not canonical padded base64. */
static long b64decode(const char *z, size_t n, unsigned char *out){
  size_t i, o = 0;
  if( n==0 || n%4 ) return -1;
  for(i=0; i<n; i+=4){
    int v[4], k, pad = 0;
    for(k=0; k<4; k++){
      unsigned char c = (unsigned char)z[i+k];
      if( c=='=' && i+4==n && k>=2 ){ v[k] = 0; pad++; continue; }
      if( pad ) return -1;               /* data after '=' */
      v[k] = b64val(c);
      if( v[k]<0 ) return -1;
    }
    if( pad==2 && z[i+2]!='=' ) return -1;
    out[o++] = (unsigned char)(v[0]<<2 | v[1]>>4);
    if( pad<2 ) out[o++] = (unsigned char)((v[1]&15)<<4 | v[2]>>2);
    if( pad<1 ) out[o++] = (unsigned char)((v[2]&3)<<6 | v[3]);
    /* canonical form: the bits dropped by padding are zero */
    if( pad==2 && (v[1]&15) ) return -1;
    if( pad==1 && (v[2]&3) ) return -1;
  }
  return (long)o;
}

/* Is p[0..n) well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF)? */
static int valid_utf8(const unsigned char *p, size_t n){
  size_t j = 0;
  while( j<n ){
    unsigned c = p[j], need, m;
    uint32_t cp;
    if( c<0x80 ){ j++; continue; }
    if( c>=0xc2 && c<=0xdf ){ need = 1; cp = c & 0x1f; }
    else if( c>=0xe0 && c<=0xef ){ need = 2; cp = c & 0x0f; }
    else if( c>=0xf0 && c<=0xf4 ){ need = 3; cp = c & 0x07; }
    else return 0;
    if( j+need>=n ) return 0;
    for(m=1; m<=need; m++){
      if( (p[j+m] & 0xc0)!=0x80 ) return 0;
      cp = cp<<6 | (p[j+m] & 0x3f);
    }
    if( (need==2 && cp<0x800) || (need==3 && cp<0x10000) || cp>0x10ffff
     || (cp>=0xd800 && cp<=0xdfff) ) return 0;
    j += need + 1;
  }
  return 1;
}

static int is_ident(const char *z){
  if( !((*z>='a' && *z<='z') || (*z>='A' && *z<='Z') || *z=='_') ) return 0;
  for(z++; *z; z++){
    if( !((*z>='a' && *z<='z') || (*z>='A' && *z<='Z') || *z=='_'
          || (*z>='0' && *z<='9')) ) return 0;
  }
  return 1;
}

/* Read the whole file. */
static char *read_file(const char *zPath, size_t *pn){
  FILE *f = fopen(zPath, "rb");
  char *buf = 0;
  size_t n = 0, cap = 0;
  if( f==0 ){
    fprintf(stderr, "%s: cannot open %s: %s\n", zProg, zPath, strerror(errno));
    exit(1);
  }
  for(;;){
    size_t got;
    if( cap-n < 65536 ){
      char *p;
      cap = cap ? cap*2 : 1<<20;
      p = realloc(buf, cap);
      if( p==0 ){ fprintf(stderr, "%s: out of memory\n", zProg); exit(1); }
      buf = p;
    }
    got = fread(buf+n, 1, cap-n, f);
    n += got;
    if( got==0 ) break;
  }
  if( ferror(f) ){
    fprintf(stderr, "%s: cannot read %s\n", zProg, zPath);
    exit(1);
  }
  fclose(f);
  *pn = n;
  return buf;
}

static void write_u32_array(FILE *out, const char *zType, const char *zName,
                            const uint32_t *a, size_t n){
  size_t i;
  fprintf(out, "static const %s %s[%lu] = {\n", zType, zName,
          (unsigned long)n);
  for(i=0; i<n; i++){
    fprintf(out, "%lu,", (unsigned long)a[i]);
    if( i%16==15 || i+1==n ) fputc('\n', out);
  }
  fprintf(out, "};\n");
}

int main(int argc, char **argv){
  const char *zName;
  char *text;
  size_t ntext, pos, i;
  unsigned long line = 0;
  unsigned char *bytes;          /* decoded tokens, in file order */
  size_t nbytes = 0;
  uint32_t nline = 0, captok, n, maxrank = 0, r;
  uint32_t *tokoff, *toklen, *tokrank;   /* per file line */
  uint32_t *byrank;              /* rank -> line number, 0 = none */
  unsigned char *sorted;         /* token bytes in rank order */
  uint32_t *offset, *slot, nslot, *pair, nslot_used = 0;
  uint32_t byte_rank[256];
  uint32_t maxlen = 0, maxprobe = 0;
  unsigned long nprobe = 0, nonutf8 = 0;
  uint32_t gap[16];
  int ngap = 0, argi = 1, g;
  char msg[200];
  FILE *out = stdout;

  while( argi<argc && strcmp(argv[argi], "--gap")==0 ){
    char *zEnd;
    unsigned long v;
    if( argi+1>=argc ) break;
    errno = 0;
    v = strtoul(argv[argi+1], &zEnd, 10);
    if( errno || *zEnd || zEnd==argv[argi+1] || v>0xfffffffeUL
     || argv[argi+1][0]=='-' || argv[argi+1][0]=='+' ){
      fprintf(stderr, "%s: --gap wants a rank, got \"%s\"\n", zProg,
              argv[argi+1]);
      return 1;
    }
    if( ngap==(int)(sizeof gap/sizeof gap[0]) ){
      fprintf(stderr, "%s: too many --gap\n", zProg);
      return 1;
    }
    gap[ngap++] = (uint32_t)v;
    argi += 2;
  }
  if( argc-argi!=2 ){
    fprintf(stderr, "usage: %s [--gap RANK]... NAME FILE.tiktoken > "
            "bpe_NAME.c\n", zProg);
    return 1;
  }
  zName = argv[argi];
  zFile = argv[argi+1];
  if( !is_ident(zName) ){
    fprintf(stderr, "%s: NAME must be a C identifier, got \"%s\"\n", zProg,
            zName);
    return 1;
  }
  text = read_file(zFile, &ntext);
  if( ntext>=0x7fffffffu ) die("file too large", 0);

  /* parse and decode every line */
  captok = 1024;
  tokoff = xmalloc(captok*sizeof(uint32_t));
  toklen = xmalloc(captok*sizeof(uint32_t));
  tokrank = xmalloc(captok*sizeof(uint32_t));
  bytes = xmalloc(ntext/4*3 + 4);
  for(pos=0; pos<ntext; ){
    size_t eol = pos, sp;
    unsigned long v = 0;
    long dn;
    line++;
    while( eol<ntext && text[eol]!='\n' ) eol++;
    if( eol==ntext ) die("last line has no newline", line);
    for(sp=pos; sp<eol && text[sp]!=' '; sp++){}
    if( sp==eol ) die("expected \"BASE64 RANK\"", line);
    if( sp+1==eol ) die("missing rank", line);
    for(i=sp+1; i<eol; i++){
      if( text[i]<'0' || text[i]>'9' ){
        die("rank is not a decimal number", line);
      }
      v = v*10 + (unsigned long)(text[i]-'0');
      if( v>0x7ffffffeUL ) die("rank too large", line);
    }
    if( eol-sp-1>1 && text[sp+1]=='0' ) die("rank has a leading zero", line);
    dn = b64decode(text+pos, sp-pos, bytes+nbytes);
    if( dn<0 ) die("bad base64", line);
    if( dn==0 ) die("empty token", line);
    if( nline==captok ){
      captok *= 2;
      tokoff = realloc(tokoff, captok*sizeof(uint32_t));
      toklen = realloc(toklen, captok*sizeof(uint32_t));
      tokrank = realloc(tokrank, captok*sizeof(uint32_t));
      if( !tokoff || !toklen || !tokrank ) die("out of memory", 0);
    }
    tokoff[nline] = (uint32_t)nbytes;
    toklen[nline] = (uint32_t)dn;
    tokrank[nline] = (uint32_t)v;
    if( (uint32_t)v>maxrank ) maxrank = (uint32_t)v;
    nline++;
    nbytes += (size_t)dn;
    if( (uint32_t)dn>maxlen ) maxlen = (uint32_t)dn;
    pos = eol + 1;
  }
  if( nline==0 ) die("no tokens", 0);
  /* ext/bpe.c links the parts of a long piece by one-byte lengths */
  if( maxlen>255 ) die("a token is longer than 255 bytes", 0);
  n = maxrank + 1;

  /* ranks: each once, all of 0..n-1 but the declared gaps */
  byrank = xmalloc((size_t)n*sizeof(uint32_t));
  memset(byrank, 0, (size_t)n*sizeof(uint32_t));
  for(i=0; i<nline; i++){
    if( byrank[tokrank[i]] ){
      snprintf(msg, sizeof msg, "rank %lu also on line %lu",
               (unsigned long)tokrank[i], (unsigned long)byrank[tokrank[i]]);
      die(msg, (unsigned long)i+1);
    }
    byrank[tokrank[i]] = (uint32_t)i + 1;
  }
  for(g=0; g<ngap; g++){
    if( gap[g]>=n ){
      snprintf(msg, sizeof msg, "--gap %lu is not below the highest rank %lu",
               (unsigned long)gap[g], (unsigned long)maxrank);
      die(msg, 0);
    }
    if( byrank[gap[g]] ){
      snprintf(msg, sizeof msg, "--gap %lu: that rank is present",
               (unsigned long)gap[g]);
      die(msg, (unsigned long)byrank[gap[g]]);
    }
  }
  for(r=0; r<n; r++){
    if( byrank[r]==0 ){
      for(g=0; g<ngap && gap[g]!=r; g++){}
      if( g==ngap ){
        snprintf(msg, sizeof msg, "rank %lu is missing (the ranks must be "
                 "0..%lu; pass --gap %lu if this is intended)",
                 (unsigned long)r, (unsigned long)maxrank, (unsigned long)r);
        die(msg, 0);
      }
    }
  }

  /* bytes and offsets in rank order (a gap is a zero-length token) */
  sorted = xmalloc(nbytes + 1);
  offset = xmalloc(((size_t)n+1)*sizeof(uint32_t));
  {
    size_t o = 0;
    for(r=0; r<n; r++){
      offset[r] = (uint32_t)o;
      if( byrank[r] ){
        uint32_t k = byrank[r] - 1;
        size_t len = toklen[k];
        memcpy(sorted+o, bytes+tokoff[k], len);
        o += len;
        /* count tokens that are not whole valid UTF-8 (for information) */
        if( !valid_utf8(bytes + tokoff[k], len) ) nonutf8++;
      }
    }
    offset[n] = (uint32_t)o;
  }

  /* the tables: one-byte tokens in byte_rank[], two-byte ones in pair[],
  ** longer ones in the slot table */
  if( (uint64_t)n+1>BPE_RANK_MASK ) die("too many ranks for a slot", 0);
  for(nslot=1; nslot<2*(uint64_t)n; nslot*=2){}
  slot = xmalloc((size_t)nslot*sizeof(uint32_t));
  memset(slot, 0, (size_t)nslot*sizeof(uint32_t));
  pair = xmalloc(65536*sizeof(uint32_t));
  memset(pair, 0xff, 65536*sizeof(uint32_t));
  memset(byte_rank, 0xff, sizeof byte_rank);
  {
    uint32_t mask = nslot - 1;
    for(r=0; r<n; r++){
      const unsigned char *p = sorted + offset[r];
      size_t len = offset[r+1] - offset[r];
      uint32_t h, probes = 1, *dup = 0;
      uint64_t hash;
      if( len==0 ) continue;                          /* a gap */
      if( len==1 ) dup = &byte_rank[p[0]];
      if( len==2 ) dup = &pair[(unsigned)p[0]<<8 | p[1]];
      if( dup ){
        if( *dup!=BPE_NO_RANK ){
          snprintf(msg, sizeof msg, "rank %lu has the same bytes as rank %lu",
                   (unsigned long)r, (unsigned long)*dup);
          die(msg, (unsigned long)byrank[r]);
        }
        *dup = r;
        continue;
      }
      hash = bpe_hash(p, len);
      h = (uint32_t)hash & mask;
      while( slot[h] ){
        uint32_t q = (slot[h] & BPE_RANK_MASK) - 1;
        if( offset[q+1]-offset[q]==len
         && memcmp(sorted+offset[q], p, len)==0 ){
          snprintf(msg, sizeof msg, "rank %lu has the same bytes as rank %lu",
                   (unsigned long)r, (unsigned long)q);
          die(msg, (unsigned long)byrank[r]);
        }
        h = (h + 1) & mask;
        probes++;
      }
      slot[h] = bpe_slot_tag(hash) | (r + 1);
      nslot_used++;
      nprobe += probes;
      if( probes>maxprobe ) maxprobe = probes;
    }
  }

  /* every single byte is a token */
  {
    unsigned b;
    for(b=0; b<256; b++){
      if( byte_rank[b]==BPE_NO_RANK ){
        snprintf(msg, sizeof msg, "byte 0x%02x is not a token", b);
        die(msg, 0);
      }
    }
  }

  /* output */
  fprintf(out,
    "/* Generated by tools/bpe_gen from %s: do not edit.\n"
    "** %lu tokens, ranks 0..%lu", zFile, (unsigned long)nline,
    (unsigned long)n-1);
  for(g=0; g<ngap; g++){
    fprintf(out, "%s%lu", g ? ", " : " but ", (unsigned long)gap[g]);
  }
  fprintf(out, "; %lu bytes, longest token %lu bytes;\n"
    "** %lu tokens not valid UTF-8 on their own; %lu slots, mean probe %.3f,"
    " max %lu. */\n"
    "#include <stdint.h>\n"
    "#define XXH_INLINE_ALL\n"
    "#include <xxhash.h>\n"
    "#include \"bpe_table.h\"\n\n",
    (unsigned long)nbytes, (unsigned long)maxlen, nonutf8,
    (unsigned long)nslot, (double)nprobe/(nslot_used ? nslot_used : 1),
    (unsigned long)maxprobe);

  /* the bytes: one string literal, a line per ~100 source bytes.  Octal
  ** escapes (at most 3 digits, so never greedy); '?' escaped (trigraphs). */
  fprintf(out, "static const unsigned char bpe_%s_bytes[%lu] =\n\"",
          zName, (unsigned long)nbytes + 1);
  {
    size_t col = 0;
    for(i=0; i<nbytes; i++){
      unsigned c = sorted[i];
      if( c=='"' || c=='\\' || c=='?' ){
        fputc('\\', out); fputc((int)c, out); col += 2;
      }else if( c>=0x20 && c<0x7f ){
        fputc((int)c, out); col++;
      }else{
        fprintf(out, "\\%03o", c); col += 4;
      }
      if( col>=100 && i+1<nbytes ){ fputs("\"\n\"", out); col = 0; }
    }
  }
  fprintf(out, "\";\n\n");

  {
    char zArr[128];
    snprintf(zArr, sizeof zArr, "bpe_%s_offset", zName);
    write_u32_array(out, "uint32_t", zArr, offset, (size_t)n+1);
    fputc('\n', out);
    snprintf(zArr, sizeof zArr, "bpe_%s_slot", zName);
    write_u32_array(out, "uint32_t", zArr, slot, nslot);
    fputc('\n', out);
    snprintf(zArr, sizeof zArr, "bpe_%s_pair", zName);
    write_u32_array(out, "uint32_t", zArr, pair, 65536);
    fputc('\n', out);
  }

  fprintf(out, "BPE_TABLE_VISIBILITY const bpe_table bpe_%s = {\n"
               "  \"%s\", %lu, bpe_%s_bytes, bpe_%s_offset,\n"
               "  bpe_%s_slot, %lu, bpe_%s_pair,\n  {\n",
          zName, zName, (unsigned long)n, zName, zName, zName,
          (unsigned long)nslot, zName);
  for(i=0; i<256; i++){
    fprintf(out, "%s%lu,", i%16==0 ? "    " : "",
            (unsigned long)byte_rank[i]);
    if( i%16==15 ) fputc('\n', out);
  }
  fprintf(out, "  }\n};\n");

  if( fflush(out) || ferror(out) ){
    fprintf(stderr, "%s: write error\n", zProg);
    return 1;
  }
  fprintf(stderr, "%s: %s: n=%lu (%lu tokens, %d gap%s), %lu bytes, "
          "%lu slots, longest token %lu bytes, max probe %lu, "
          "%lu tokens not valid UTF-8\n",
          zProg, zName, (unsigned long)n, (unsigned long)nline, ngap,
          ngap==1 ? "" : "s", (unsigned long)nbytes, (unsigned long)nslot,
          (unsigned long)maxlen, (unsigned long)maxprobe, nonutf8);
  free(text); free(bytes); free(sorted); free(offset); free(slot); free(pair);
  free(byrank); free(tokoff); free(toklen); free(tokrank);
  return 0;
}
