/*
** The C interface of ext/lang_cld2.cc, CLD2's C++ API behind C calls
** (lang.c uses it; the only C++ of the library).  Plain C, no SQLite.
*/
#ifndef CORPUS_LANG_CLD2_H
#define CORPUS_LANG_CLD2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* CLD2 takes an int length: a longer text is refused (lang.c reads no
** more than a prefix of this size). */
#define CORPUS_CLD2_MAX ((size_t)0x7fffffff)

/* CLD2's top three languages of a text: code[i] ISO 639-1 (639-2 or 639-3
** where the language has no two-letter code; NULL: no language),
** percent[i] the share of the text's letter bytes (UTF-8) in it (0..100),
** norm[i] CLD2's normalised score (its scale: about 1,000 to 1,600 for
** ordinary sentences; not used), reliable CLD2's is_reliable, text_bytes
** the letter bytes CLD2 scored. */
typedef struct corpus_cld2_result {
  const char *code[3];
  int percent[3];
  double norm[3];
  int reliable;
  int text_bytes;
} corpus_cld2_result;

/* Detects the language of z[0..n-1], valid UTF-8 (CLD2 reads invalid
** UTF-8 as no text), n <= CORPUS_CLD2_MAX.  best_effort: a guess even for
** text too short for CLD2 to be reliable.  0, or -2 (out of memory: CLD2
** threw). */
int corpus_cld2_detect(const char *z, size_t n, int best_effort,
                       corpus_cld2_result *r);

#ifdef __cplusplus
}
#endif
#endif
