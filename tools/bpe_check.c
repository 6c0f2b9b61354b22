/*
** bpe_check: self-test of the generated BPE rank tables.
**
**   cc -O2 -Iext -o dist/bpe_check tools/bpe_check.c dist/gen/bpe_*.c
**   dist/bpe_check
**
** For every encoding: every rank's bytes look up to that rank, gaps are
** empty and unreachable, byte_rank[] agrees with the table, the slot table
** holds exactly the tokens, a few strings that are not tokens give -1, and
** some known ids match tiktoken.  Prints the sizes; exit 0 when all is well.
*/
#include <stdio.h>
#include <string.h>
#include <time.h>
#define XXH_INLINE_ALL
#include <xxhash.h>
#include "bpe_table.h"

static int nfail = 0;

static void fail(const bpe_table *t, const char *zMsg, long a, long b){
  fprintf(stderr, "bpe_check: %s: %s (%ld, %ld)\n", t->name, zMsg, a, b);
  if( ++nfail>20 ){ fprintf(stderr, "bpe_check: too many failures\n"); exit(1); }
}

static int64_t rank_of(const bpe_table *t, const char *z){
  return bpe_rank(t, (const unsigned char*)z, strlen(z));
}

static void check_table(const bpe_table *t, const char *zName, uint32_t nExpect,
                        uint32_t nGapExpect){
  uint32_t r, b, nslotUsed = 0, ngap = 0, maxlen = 0, nshort = 0;
  clock_t c0;
  double secs;
  size_t total;

  if( strcmp(t->name, zName)!=0 ) fail(t, "wrong name", 0, 0);
  if( t->n!=nExpect ) fail(t, "wrong n", (long)t->n, (long)nExpect);
  if( t->nslot==0 || (t->nslot & (t->nslot-1)) || t->nslot<2*t->n ){
    fail(t, "nslot not a power of two >= 2n", (long)t->nslot, (long)t->n);
  }
  if( t->offset[0]!=0 ) fail(t, "offset[0] != 0", (long)t->offset[0], 0);

  c0 = clock();
  for(r=0; r<t->n; r++){
    uint32_t len = t->offset[r+1] - t->offset[r];
    int64_t got;
    if( t->offset[r+1]<t->offset[r] ) fail(t, "offsets decrease", (long)r, 0);
    if( len==0 ){ ngap++; continue; }
    if( len>maxlen ) maxlen = len;
    got = bpe_rank(t, t->bytes + t->offset[r], len);
    if( got!=(int64_t)r ) fail(t, "bpe_rank(bytes of r) != r", (long)r,
                               (long)got);
  }
  secs = (double)(clock() - c0)/CLOCKS_PER_SEC;
  if( ngap!=nGapExpect ) fail(t, "wrong number of gaps", (long)ngap,
                              (long)nGapExpect);

  for(r=0; r<t->nslot; r++){
    if( t->slot[r]==0 ) continue;
    nslotUsed++;
    if( (t->slot[r] & BPE_RANK_MASK)==0 || (t->slot[r] & BPE_RANK_MASK)>t->n ){
      fail(t, "slot out of range", (long)r, (long)t->slot[r]);
    }
  }
  for(r=0; r<65536; r++){
    uint32_t pr = t->pair[r];
    if( pr==BPE_NO_RANK ){ nshort++; continue; }
    if( pr>=t->n || t->offset[pr+1]-t->offset[pr]!=2
     || t->bytes[t->offset[pr]]!=r>>8 || t->bytes[t->offset[pr]+1]!=(r&255) ){
      fail(t, "pair wrong", (long)r, (long)pr);
    }
  }
  nshort = 65536 - nshort + 256;
  if( nslotUsed!=t->n - ngap - nshort ){
    fail(t, "slot count != token count", (long)nslotUsed,
         (long)(t->n - ngap - nshort));
  }

  for(b=0; b<256; b++){
    uint32_t br = t->byte_rank[b];
    unsigned char c = (unsigned char)b;
    if( br>=t->n || t->offset[br+1]-t->offset[br]!=1
     || t->bytes[t->offset[br]]!=c ){
      fail(t, "byte_rank wrong", (long)b, (long)br);
    }
    if( bpe_rank(t, &c, 1)!=(int64_t)br ) fail(t, "byte lookup", (long)b, 0);
  }

  /* not tokens */
  if( bpe_rank(t, (const unsigned char*)"", 0)!=-1 ) fail(t, "empty", 0, 0);
  if( rank_of(t, "<|endoftext|>")!=-1 ) fail(t, "<|endoftext|> found", 0, 0);
  if( rank_of(t, "zzqxjzzqxjzzqxj")!=-1 ) fail(t, "junk found", 0, 0);
  {
    unsigned char big[200];
    memset(big, 'a', sizeof big);
    if( bpe_rank(t, big, sizeof big)!=-1 ) fail(t, "200 a's found", 0, 0);
  }

  total = t->offset[t->n] + 1 + ((size_t)t->n+1)*4 + (size_t)t->nslot*4
          + 65536*4
          + sizeof *t;
  printf("%-12s n=%-6lu gaps=%lu  bytes=%-8lu offset=%-8lu slot=%-8lu "
         "(nslot %lu, load %.2f)  total %.2f MB  maxlen %lu  "
         "%.0f ns/lookup\n",
         t->name, (unsigned long)t->n, (unsigned long)ngap,
         (unsigned long)t->offset[t->n] + 1, (unsigned long)(t->n+1)*4,
         (unsigned long)t->nslot*4, (unsigned long)t->nslot,
         (double)nslotUsed/t->nslot, total/1048576.0,
         (unsigned long)maxlen, secs*1e9/(t->n - ngap));
}

static void expect(const bpe_table *t, const char *z, int64_t want){
  int64_t got = rank_of(t, z);
  if( got!=want ){
    fprintf(stderr, "bpe_check: %s: \"%s\" -> %ld, want %ld\n", t->name, z,
            (long)got, (long)want);
    nfail++;
  }
}

int main(void){
  check_table(&bpe_r50k_base, "r50k_base", 50256, 0);
  check_table(&bpe_p50k_base, "p50k_base", 50281, 1);
  check_table(&bpe_cl100k_base, "cl100k_base", 100256, 0);
  check_table(&bpe_o200k_base, "o200k_base", 199998, 0);

  /* p50k_base: 50256 is <|endoftext|>, not in the table */
  if( bpe_p50k_base.offset[50256]!=bpe_p50k_base.offset[50257] ){
    fprintf(stderr, "bpe_check: p50k_base: rank 50256 not empty\n");
    nfail++;
  }
  /* known ids (tiktoken: "hello world" -> r50k [31373, 995],
  ** cl100k [15339, 1917]) */
  expect(&bpe_r50k_base, "hello", 31373);
  expect(&bpe_r50k_base, " world", 995);
  expect(&bpe_p50k_base, "hello", 31373);
  expect(&bpe_cl100k_base, "hello", 15339);
  expect(&bpe_cl100k_base, " world", 1917);
  expect(&bpe_r50k_base, "!", 0);
  expect(&bpe_o200k_base, "!", 0);
  /* p50k adds whitespace runs of 2..25 spaces at 50257..50280 */
  expect(&bpe_p50k_base, "  ", 50257);

  if( nfail ){
    fprintf(stderr, "bpe_check: %d failure%s\n", nfail, nfail==1 ? "" : "s");
    return 1;
  }
  printf("bpe_check: ok\n");
  return 0;
}
