/*
** The public C API (include/corpus.h) called with no SQLite in the process:
** every exported function once.  Prints one "name: value" line per check;
** test/capi01.test compares them with stated values and with the SQL
** functions' answers for the same input.  Exits 1 on a failed invariant.
*/
#include <stdio.h>
#include <string.h>
#include "corpus.h"

static int nfail = 0;
#define CHECK(cond) do{ if(!(cond)){ \
  printf("FAILED line %d: %s\n", __LINE__, #cond); nfail++; } }while(0)

static void hex(const char *name, const unsigned char *p, size_t n){
  size_t i;
  printf("%s: ", name);
  for(i=0; i<n; i++) printf("%02X", p[i]);
  printf("\n");
}

static int count_token(void *ctx, size_t start, size_t end, int64_t id){
  (void)start; (void)end; (void)id;
  (*(int*)ctx)++;
  return 0;
}

static int last_ngram(void *ctx, const char *ngram, size_t len,
                      uint64_t hash){
  char *out = ctx;
  CHECK(hash==corpus_ngram_hash(ngram, len));
  snprintf(out, 64, "%.*s", (int)len, ngram);
  return 0;
}

typedef struct opt_seen { char keys[128]; } opt_seen;
static int note_option(void *ctx, const char *key, const char *value,
                       char *err){
  opt_seen *s = ctx;
  (void)err;
  strcat(s->keys, key); strcat(s->keys, "="); strcat(s->keys, value);
  strcat(s->keys, ";");
  return 0;
}

int main(void){
  const char *text = "The quick brown fox jumps over the lazy dog again";
  char err[CORPUS_ERRMAX], buf[256];
  unsigned char u8[4];
  size_t len, nout;
  char *out;
  int n = 0;
  corpus_normalize_opts no;
  const corpus_tokenizer *tok;
  opt_seen seen = {""};

  printf("version: %s\n", corpus_version());
  printf("simd: %s %d\n", corpus_simd_level(),
         corpus_simd_supported(CORPUS_SIMD_PORTABLE));

  n = (int)corpus_utf8_decode((const unsigned char*)"\xE2\x82\xAC", 3, &len);
  printf("utf8_decode: %X %zu\n", (unsigned)n, len);
  n = (int)corpus_utf8_decode((const unsigned char*)"\xE2\x82" "a", 3, &len);
  printf("utf8_decode_invalid: %X %zu\n", (unsigned)n, len);
  n = 0;
  printf("utf8_encode: %d\n", corpus_utf8_encode(0x1F600, u8));
  hex("utf8_encode_bytes", u8, 4);
  printf("utf8_valid: %d %d\n", corpus_utf8_valid("caf\xC3\xA9", 5),
         corpus_utf8_valid("\xED\xA0\x80", 3));

  CHECK(corpus_options_parse("a=1, b='x y'", 12, note_option, &seen, err)==0);
  printf("options: %s\n", seen.keys);

  corpus_normalize_init(&no);
  CHECK(corpus_options_parse("case=keep", 9, corpus_normalize_option, &no,
                             err)==0);
  CHECK(corpus_options_parse("case=upper", 10, corpus_normalize_option, &no,
                             err)!=0);
  printf("normalize_option_error: %s\n", err);
  corpus_normalize_init(&no);
  CHECK(corpus_normalize("Crème BRÛLÉE, ﬁne!", strlen("Crème BRÛLÉE, ﬁne!"),
                         &no, &out, &nout)==0);
  printf("normalize: %s %zu\n", out, nout);
  corpus_free(out);

  tok = corpus_tokenizer_find("cl100k_base", err);
  CHECK(tok!=0);
  CHECK(tok->tokenize(tok, text, strlen(text), 0, count_token, &n)==0);
  printf("cl100k_tokens: %d\n", n);
  CHECK(corpus_tokenizer_find("nope", err)==0);
  printf("tokenizer_find_error: %s\n", err);

  CHECK(corpus_ngrams(text, strlen(text), 3, CORPUS_UNIT_WORD, last_ngram,
                      buf)==0);
  printf("ngrams_last: %s\n", buf);
  printf("ngram_hash: %016llx\n",
         (unsigned long long)corpus_ngram_hash("lazy dog again", 14));

  {
    corpus_minhash_params p;
    corpus_minhash_perm *pm;
    corpus_minhash_sig a, b;
    uint32_t sig[128], sig2[128];
    unsigned char blob[CORPUS_MINHASH_HEADER + 4*128];
    unsigned char blob2[CORPUS_MINHASH_HEADER + 4*128];
    uint32_t keys[1];
    int empty;
    double j;
    corpus_minhash_init(&p);
    CHECK(corpus_options_parse("ngram=3", 7, corpus_minhash_option, &p,
                               err)==0);
    corpus_minhash_describe(&p, buf, sizeof(buf));
    printf("minhash_describe: %s\n", buf);
    pm = corpus_minhash_perm_new(p.seed, p.num_perm);
    CHECK(pm!=0);
    CHECK(corpus_minhash_sign(text, strlen(text), &p, pm, sig, &empty)==0);
    printf("minhash_size: %zu\n", corpus_minhash_size(p.num_perm));
    corpus_minhash_encode(&p, sig, empty, blob);
    hex("minhash", blob, 40);
    CHECK(corpus_minhash_decode(blob, sizeof(blob), &a, err)==0);
    CHECK(corpus_minhash_decode(blob, 10, &b, err)!=0);
    printf("minhash_decode_error: %s\n", err);
    CHECK(corpus_minhash_sign("The quick brown fox jumps over the lazy cat "
                              "again", 49, &p, pm, sig2, &empty)==0);
    corpus_minhash_encode(&p, sig2, empty, blob2);
    CHECK(corpus_minhash_decode(blob2, sizeof(blob2), &b, err)==0);
    CHECK(corpus_minhash_same_params(&a.params, &b.params));
    printf("minhash_jaccard: %.4f\n", corpus_minhash_jaccard(&a, &b));
    CHECK(corpus_jaccard(text, strlen(text), "The quick brown fox jumps over "
                         "the lazy cat again", 49, &p, &j)==0);
    printf("jaccard: %.4f\n", j);
    /* one more key folded in can only lower the minima */
    keys[0] = corpus_minhash_key(12345);
    memcpy(sig2, sig, sizeof(sig));
    corpus_minhash_update(pm, CORPUS_SIMD_PORTABLE, keys, 1, sig2);
    for(n=0; n<128; n++) CHECK(sig2[n]<=sig[n]);
    printf("lsh_bucket: %lld\n",
           (long long)corpus_lsh_bucket(a.values, 3, 8));
    corpus_minhash_perm_free(pm);
  }
  {
    int bands, rows;
    double fp, fn;
    corpus_lsh_params(0.8, 128, 0.5, 0.5, &bands, &rows, &fp, &fn);
    printf("lsh_params: %d %d\n", bands, rows);
  }
  printf("xxh64: %016llx\n", (unsigned long long)corpus_xxh64("abc", 3, 0));
  printf("xxh3: %016llx\n", (unsigned long long)corpus_xxh3("abc", 3, 0));
  {
    unsigned char h[16];
    corpus_xxh128("abc", 3, h);
    hex("xxh128", h, 16);
  }
  for(n=0, len=0; len<10000; len++){
    n += corpus_sample_keep(&len, sizeof(len), 0.25, 7);
  }
  printf("sample_keep: %d\n", n);
  corpus_free(0);
  printf("failed: %d\n", nfail);
  return nfail!=0;
}
