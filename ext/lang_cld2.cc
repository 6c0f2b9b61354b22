/*
** The C interface to CLD2 (Debian's libcld2, the Compact Language Detector
** 2 of Chromium), whose API is C++: lang.c calls corpus_cld2_detect()
** and sees no C++.  CLD2 may allocate (the scoring context, std::vector);
** an exception must not cross into C, where it would abort the process,
** so every one is caught here and becomes -2 (CORPUS_NOMEM).
*/
#include <cstdio>                     /* compact_lang_det.h uses FILE */
#include <cstring>
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>
#include "lang_cld2.h"

/* CLD2's code of lang as ISO 639-1 where it has one, or NULL for no
** language (unknown, a script without a language, CLD2's fake ones). */
static const char *cld2_code(CLD2::Language lang){
  const char *c;
  if( lang==CLD2::UNKNOWN_LANGUAGE || lang==CLD2::TG_UNKNOWN_LANGUAGE ){
    return 0;
  }
  c = CLD2::LanguageCode(lang);
  if( c==0 || c[0]==0 ) return 0;
  /* CLD2 keeps the codes ISO 639 withdrew, and a Google one for Chinese
  ** in traditional characters */
  if( std::strcmp(c, "iw")==0 ) return "he";
  if( std::strcmp(c, "jw")==0 ) return "jv";
  if( std::strcmp(c, "zh-Hant")==0 ) return "zh";
  if( std::strcmp(c, "sr-ME")==0 ) return "sr";
  /* "xx-Latn" and the like: a script alone; zz* and tlh (Klingon): CLD2's
  ** test languages */
  if( (c[0]=='x' && c[1]=='x') || (c[0]=='z' && c[1]=='z') ) return 0;
  if( std::strcmp(c, "tlh")==0 ) return 0;
  return c;
}

extern "C" int corpus_cld2_detect(const char *z, size_t n, int best_effort,
                                  corpus_cld2_result *r){
  CLD2::CLDHints hints = {0, 0, CLD2::UNKNOWN_ENCODING,
                          CLD2::UNKNOWN_LANGUAGE};
  CLD2::Language lang3[3];
  int percent3[3], text_bytes = 0, i;
  double norm3[3];
  bool reliable = false;
  std::memset(r, 0, sizeof(*r));
  if( n>CORPUS_CLD2_MAX ) n = CORPUS_CLD2_MAX;
  try{
    CLD2::ExtDetectLanguageSummary(z, (int)n, true, &hints,
                                   best_effort ? CLD2::kCLDFlagBestEffort : 0,
                                   lang3, percent3, norm3, 0, &text_bytes,
                                   &reliable);
  }catch( ... ){
    return -2;
  }
  r->text_bytes = text_bytes;
  r->reliable = reliable;
  for(i=0; i<3; i++){
    r->code[i] = cld2_code(lang3[i]);
    r->percent[i] = percent3[i];
    r->norm[i] = norm3[i];
  }
  return 0;
}
