/*
** CLD2 next to libexttextcat on the language-identification test set
** (scripts/lang_testset.py): accuracy per text size and MB/s, each
** library called directly, so that the choice of lang_id()'s detector
** rests on figures (bench/lang.tcl runs it; docs/lang.md has the
** results).  CLD2 through ext/lang_cld2.cc, as lang_id() calls it.
**
**   lang_compare SET.TSV
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libexttextcat/textcat.h>
#include "lang_cld2.h"

#define TEXTCAT_DIR "/usr/share/libexttextcat/"

typedef struct sample { char lang[8], band[8]; char *text; size_t n; } sample;

static double now(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec*1e-9;
}

/* textcat's answer "[de--utf8][nl--utf8]" as "de" (its nb as no, its sh,
** Serbian in Latin letters, as sr), or "" for UNKNOWN and SHORT. */
static void textcat_code(const char *r, char *out){
  size_t k = 0;
  out[0] = 0;
  if( r==0 || r[0]!='[' ) return;
  r++;
  while( r[k] && r[k]!='-' && r[k]!=']' && k<7 ){ out[k] = r[k]; k++; }
  out[k] = 0;
  if( strcmp(out, "nb")==0 ) strcpy(out, "no");
  if( strcmp(out, "sh")==0 ) strcpy(out, "sr");
}

static const char *cld2_top(const char *z, size_t n, int best){
  corpus_cld2_result r;
  if( corpus_cld2_detect(z, n, best, &r) ) return "";
  return r.code[0] ? r.code[0] : "";
}

int main(int argc, char **argv){
  static const char *bands[] = {"short", "medium", "long"};
  FILE *f;
  char *line = 0;
  size_t cap = 0, ns = 0, i;
  ssize_t len;
  sample *s = 0;
  void *tc;
  int b;
  if( argc!=2 || (f = fopen(argv[1], "r"))==0 ){
    fprintf(stderr, "usage: lang_compare SET.TSV\n");
    return 2;
  }
  while( (len = getline(&line, &cap, f))>0 ){
    char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1+1, '\t') : 0;
    if( t2==0 ) continue;
    if( line[len-1]=='\n' ) line[--len] = 0;
    if( (t1 = strchr(t2+1, '\t'))!=0 ){ *t1 = 0; len = t1-line; }
    t1 = strchr(line, '\t');
    s = realloc(s, (ns+1)*sizeof(*s));
    snprintf(s[ns].lang, sizeof(s[ns].lang), "%.*s", (int)(t1-line), line);
    snprintf(s[ns].band, sizeof(s[ns].band), "%.*s", (int)(t2-t1-1), t1+1);
    s[ns].text = strdup(t2+1);
    s[ns].n = strlen(t2+1);
    ns++;
  }
  fclose(f);
  free(line);
  tc = special_textcat_Init(TEXTCAT_DIR "fpdb.conf", TEXTCAT_DIR);
  if( tc==0 ){ fprintf(stderr, "textcat: cannot load %s\n", TEXTCAT_DIR); return 1; }
  printf("%-8s %6s %7s %12s %12s %12s\n", "size", "texts", "chars",
         "cld2", "cld2-best", "textcat");
  /* a first pass, untimed: the tables paged in */
  for(i=0; i<ns; i++){
    cld2_top(s[i].text, s[i].n, 1);
    textcat_Classify(tc, s[i].text, s[i].n);
  }
  for(b=0; b<3; b++){
    size_t n = 0, ok[3] = {0, 0, 0}, chars = 0;
    double secs[3];
    int m;
    for(i=0; i<ns; i++){
      if( strcmp(s[i].band, bands[b])==0 ){ n++; chars += s[i].n; }
    }
    /* each detector in a pass of its own over the texts of the size, so
    ** that one's tables do not evict the other's from the caches */
    for(m=0; m<3; m++){
      double t = now();
      for(i=0; i<ns; i++){
        char code[8];
        const char *c = code;
        if( strcmp(s[i].band, bands[b]) ) continue;
        if( m<2 ){
          c = cld2_top(s[i].text, s[i].n, m);
        }else{
          textcat_code(textcat_Classify(tc, s[i].text, s[i].n), code);
        }
        ok[m] += strcmp(c, s[i].lang)==0;
      }
      secs[m] = now()-t;
    }
    printf("%-8s %6zu %7zu %12.4f %12.4f %12.4f\n", bands[b], n,
           n ? chars/n : 0, n ? (double)ok[0]/n : 0, n ? (double)ok[1]/n : 0,
           n ? (double)ok[2]/n : 0);
    printf("%-8s %6s %7s %9.2f MB/s %7.2f MB/s %7.2f MB/s\n", "", "", "",
           chars/secs[0]/1e6, chars/secs[1]/1e6, chars/secs[2]/1e6);
  }
  /* the errors, for reading: label, size, what each said, the text */
  if( getenv("LANG_COMPARE_ERRORS") ){
    for(i=0; i<ns; i++){
      char code[8];
      const char *c = cld2_top(s[i].text, s[i].n, 1);
      textcat_code(textcat_Classify(tc, s[i].text, s[i].n), code);
      if( strcmp(c, s[i].lang) ){
        printf("ERR %s %s cld2=%s textcat=%s | %.80s\n", s[i].lang,
               s[i].band, c, code, s[i].text);
      }
    }
  }
  textcat_Done(tc);
  for(i=0; i<ns; i++) free(s[i].text);
  free(s);
  return 0;
}
