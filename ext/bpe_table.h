/*
** bpe_table.h: the compiled-in BPE rank tables (tiktoken encodings).
**
** One bpe_table per encoding is generated at build time by tools/bpe_gen
** from data/bpe/NAME.tiktoken (see tools/README.md) and linked into the
** library; this header is shared by the generator, the generated files and
** the extension, so all three agree on the layout and on the hash.
**
** Layout: token r (0 <= r < n) is bytes[offset[r] .. offset[r+1]).
** slot[] is an open-addressing table of nslot entries (a power of two,
** >= 2n) for the tokens of three bytes or more: a slot holds rank+1 in its
** low BPE_RANK_BITS and, above them, a tag (the top bits of the token's
** bpe_hash), 0 means empty; a token's home slot is bpe_hash(bytes) &
** (nslot-1), collisions probe linearly upward (wrapping).  The tag lets a
** probe pass a slot without reading offset[] or the token's bytes, which
** would be two more cache misses: only one probe in 2^14 of another key
** does.
** pair[] holds the ranks of the two-byte strings, indexed by b0<<8 | b1
** (BPE_NO_RANK if not a token): the pairs of single bytes that every merge
** starts with are one load each, not a hash.
** A rank the encoding has no token for (p50k_base's 50256, the id of its
** special token <|endoftext|>) is a token of length zero with no slot:
** bpe_rank() never returns it; detokenize must treat it as a special.
** byte_rank[b] is the rank of the one-byte token b (every byte is a token in
** all four encodings; the generator checks it).
**
** Include <xxhash.h> with XXH_INLINE_ALL before this header (as the ext
** files do);
** if it was not included yet, this header does so itself.
*/
#ifndef BPE_TABLE_H
#define BPE_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifndef XXH_INLINE_ALL
# define XXH_INLINE_ALL
#endif
#include <xxhash.h>

typedef struct bpe_table {
  const char *name;
  uint32_t n;                      /* ranks 0..n-1 */
  const unsigned char *bytes;      /* every token's bytes, in rank order */
  const uint32_t *offset;          /* n+1 entries: token r is bytes[offset[r] .. offset[r+1]) */
  const uint32_t *slot;            /* nslot entries: tag | rank+1, 0 = empty */
  uint32_t nslot;                  /* power of two */
  const uint32_t *pair;            /* 65536 entries: rank of b0 b1 */
  uint32_t byte_rank[256];
} bpe_table;

/* The hash the slot table is keyed by.  Changing it means regenerating the
** tables (they are rebuilt whenever this header changes). */
static inline uint64_t bpe_hash(const unsigned char *p, size_t n){
  return XXH3_64bits(p, n);
}

#define BPE_RANK_BITS 18               /* rank+1 < 2^18: o200k has 199998 */
#define BPE_RANK_MASK ((1u<<BPE_RANK_BITS) - 1)
#define BPE_NO_RANK   0xFFFFFFFFu

/* The tag bits of a slot whose token hashes to h. */
static inline uint32_t bpe_slot_tag(uint64_t h){
  return (uint32_t)(h >> (64 - (32 - BPE_RANK_BITS))) << BPE_RANK_BITS;
}

/* Rank of the token with these bytes (n >= 3) from the slot table, or -1;
** h is bpe_hash(p, n). */
static inline int64_t bpe_rank_hashed(const bpe_table *t,
                                      const unsigned char *p, size_t n,
                                      uint64_t h){
  uint32_t mask = t->nslot - 1;
  uint32_t i = (uint32_t)h & mask, tag = bpe_slot_tag(h);
  for(;;){
    uint32_t s = t->slot[i];
    if( s==0 ) return -1;
    if( (s & ~BPE_RANK_MASK)==tag ){
      uint32_t r = (s & BPE_RANK_MASK) - 1;
      uint32_t a = t->offset[r], b = t->offset[r+1];
      if( (size_t)(b - a)==n && memcmp(t->bytes + a, p, n)==0 ) return r;
    }
    i = (i + 1) & mask;
  }
}

/* rank of the token with these bytes, or -1 */
static inline int64_t bpe_rank(const bpe_table *t, const unsigned char *p,
                               size_t n){
  if( n>2 ) return bpe_rank_hashed(t, p, n, bpe_hash(p, n));
  if( n==2 ){
    uint32_t r = t->pair[(unsigned)p[0]<<8 | p[1]];
    return r==BPE_NO_RANK ? -1 : (int64_t)r;
  }
  return n==1 ? (int64_t)t->byte_rank[p[0]] : -1;
}

/* The four generated tables (dist/gen/bpe_NAME.c).  Hidden: they are the
** library's own data, not part of its exported symbols. */
#if defined(__GNUC__) && !defined(_WIN32)
# define BPE_TABLE_VISIBILITY __attribute__((visibility("hidden")))
#else
# define BPE_TABLE_VISIBILITY
#endif
extern BPE_TABLE_VISIBILITY const bpe_table bpe_r50k_base;
extern BPE_TABLE_VISIBILITY const bpe_table bpe_p50k_base;
extern BPE_TABLE_VISIBILITY const bpe_table bpe_cl100k_base;
extern BPE_TABLE_VISIBILITY const bpe_table bpe_o200k_base;

#endif /* BPE_TABLE_H */
