/*
** Option strings (base layer: no SQLite), read the same way by every SQL
** function and virtual table that takes options.
**
** An option string is "key=value" pairs separated by white space or commas,
** the syntax of virtual-table arguments: 'form=nfc case=keep' or
** 'form=nfc, case=keep'.  A comma followed by a word with no '=' continues
** the value before it, so a list reads as written: 'rules=gopher,c4' (the
** value "gopher,c4").  A value may be quoted with '...' or "..." (the
** quote doubled inside to escape it) to hold spaces or commas:
** 'normalize="form=nfc case=keep"'.  Keys are identifiers; a key may appear
** once.  What each key means is up to the caller's set() function.
*/
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "corpus_int.h"

#define OPTIONS_MAX 64

static int is_separator(char c){
  return c==' ' || c==',' || c=='\t' || c=='\n' || c=='\r' || c=='\f'
      || c=='\v';
}

/* Past the spaces and tabs at buf[i..n-1]: around '=' and around a list's
** commas. */
static size_t skip_blanks(const char *buf, size_t n, size_t i){
  while( i<n && (buf[i]==' ' || buf[i]=='\t') ) i++;
  return i;
}

/* '.' lets a key name a rule of a rule set (gopher.min_words). */
static int is_key_char(char c){
  return isalnum((unsigned char)c) || c=='_' || c=='.';
}

/* Parses the options in a private NUL-terminated copy, unquoting values in
** place: an unquoted value is never longer than its source. */
int corpus_options_parse(const char *z, size_t n, corpus_option_fn set,
                         void *ctx, char *err){
  const char *keys[OPTIONS_MAX];
  int nkey = 0;
  int rc = 0;
  char *buf;
  size_t i = 0;

  if( n==0 ) return 0;
  buf = corpus_realloc(0, n+1);
  if( buf==0 ) return CORPUS_NOMEM;
  memcpy(buf, z, n);
  buf[n] = 0;
  while( rc==0 ){
    size_t key, keyEnd, val, out;
    int k;
    while( i<n && is_separator(buf[i]) ) i++;
    if( i>=n ) break;
    key = i;
    while( i<n && is_key_char(buf[i]) ) i++;
    keyEnd = i;
    i = skip_blanks(buf, n, i);
    if( keyEnd==key || i>=n || buf[i]!='=' ){
      snprintf(err, CORPUS_ERRMAX, "expected key=value at '%.40s'", buf+key);
      rc = -1;
      break;
    }
    i++;
    i = skip_blanks(buf, n, i);
    val = out = i;
    if( i<n && (buf[i]=='\'' || buf[i]=='"') ){
      char q = buf[i++];
      for(;;){
        if( i>=n ){
          snprintf(err, CORPUS_ERRMAX, "unterminated quote in value of '%.*s'",
                   (int)(keyEnd-key), buf+key);
          rc = -1;
          break;
        }
        if( buf[i]==q ){
          if( i+1<n && buf[i+1]==q ){ buf[out++] = q; i += 2; continue; }
          i++;
          break;
        }
        buf[out++] = buf[i++];
      }
      if( rc ) break;
      if( i<n && !is_separator(buf[i]) ){
        snprintf(err, CORPUS_ERRMAX, "expected a separator after the quoted "
                 "value of '%.*s'", (int)(keyEnd-key), buf+key);
        rc = -1;
        break;
      }
    }else{
      while( i<n && !is_separator(buf[i]) ) i++;
      out = i;
      /* a list: a comma followed by a bare word (no '=', no quote)
      ** continues the value, 'rules=gopher,c4' or 'rules=gopher, c4' */
      while( out>val ){
        size_t j = skip_blanks(buf, n, i), w;
        if( j>=n || buf[j]!=',' ) break;
        j++;
        j = skip_blanks(buf, n, j);
        for(w=j; w<n && !is_separator(buf[w]); w++){
          if( buf[w]=='=' || buf[w]=='\'' || buf[w]=='"' ) break;
        }
        if( w==j || (w<n && !is_separator(buf[w])) ) break;
        buf[out++] = ',';
        memmove(buf+out, buf+j, w-j);
        out += w-j;
        i = w;
      }
      if( out==val ){
        snprintf(err, CORPUS_ERRMAX, "option '%.*s' has no value",
                 (int)(keyEnd-key), buf+key);
        rc = -1;
        break;
      }
    }
    buf[keyEnd] = 0;
    buf[out] = 0;
    i++;  /* past the separator (or closing quote) just overwritten */
    for(k=0; k<nkey; k++){
      if( strcmp(keys[k], buf+key)==0 ){
        snprintf(err, CORPUS_ERRMAX, "option '%s' given twice", buf+key);
        rc = -1;
      }
    }
    if( rc ) break;
    if( nkey==OPTIONS_MAX ){
      snprintf(err, CORPUS_ERRMAX, "more than %d options", OPTIONS_MAX);
      rc = -1;
      break;
    }
    keys[nkey++] = buf+key;
    rc = set(ctx, buf+key, buf+val, err);
  }
  corpus_free(buf);
  /* a quoted key or value may hold invalid UTF-8, or be cut inside a
  ** character by a "%.40s": the message is valid UTF-8 all the same */
  if( rc && rc!=CORPUS_NOMEM ) corpus_err_utf8(err);
  return rc;
}

int corpus_option_choice(const char *key, const char *value,
                         const char *choices, char *err){
  const char *c = choices;
  size_t nv = strlen(value);
  int idx = 0;
  for(;;){
    const char *e = strchr(c, '|');
    size_t len = e ? (size_t)(e-c) : strlen(c);
    if( len==nv && memcmp(c, value, nv)==0 ) return idx;
    if( e==0 ) break;
    c = e+1;
    idx++;
  }
  snprintf(err, CORPUS_ERRMAX, "%s must be one of %s, got '%.40s'", key,
           choices, value);
  return -1;
}

int corpus_option_int(const char *key, const char *value, long long lo,
                      long long hi, long long *out, char *err){
  char *end;
  long long v;
  errno = 0;
  v = strtoll(value, &end, 10);
  if( end==value || *end!=0 || errno==ERANGE ){
    snprintf(err, CORPUS_ERRMAX, "%s must be an integer, got '%.40s'", key,
             value);
    return -1;
  }
  if( v<lo || v>hi ){
    snprintf(err, CORPUS_ERRMAX, "%s must be %lld..%lld, got %lld", key, lo,
             hi, v);
    return -1;
  }
  *out = v;
  return 0;
}

int corpus_option_double(const char *key, const char *value, double lo,
                         double hi, double *out, char *err){
  char *end;
  double v;
  errno = 0;
  v = strtod(value, &end);
  /* ERANGE with a subnormal result is fine; an overflow is not */
  if( end==value || *end!=0 || v!=v
   || (errno==ERANGE && (v==HUGE_VAL || v==-HUGE_VAL)) ){
    snprintf(err, CORPUS_ERRMAX, "%s must be a number, got '%.40s'", key,
             value);
    return -1;
  }
  if( v<lo || v>hi ){
    snprintf(err, CORPUS_ERRMAX, "%s must be %g..%g, got %g", key, lo, hi, v);
    return -1;
  }
  *out = v;
  return 0;
}

int corpus_option_mib(const char *key, const char *value, size_t *bytes,
                      char *err){
  double v, b;
  if( corpus_option_double(key, value, -INFINITY, INFINITY, &v, err) ){
    return -1;
  }
  if( !(v>=0.0 && v<=CORPUS_OPTION_MIB_MAX) ){
    snprintf(err, CORPUS_ERRMAX, "%s must be a number of MiB in 0..%d, got "
             "%.40s", key, CORPUS_OPTION_MIB_MAX, value);
    return -1;
  }
  b = v*1048576.0;
  *bytes = b>=(double)SIZE_MAX ? SIZE_MAX : (size_t)b;
  return 0;
}

int corpus_option_fraction(const char *key, const char *value, double *out,
                           char *err){
  double v;
  if( corpus_option_double(key, value, -INFINITY, INFINITY, &v, err) ){
    return -1;
  }
  if( !(v>0.0 && v<=1.0) ){
    /* the text as given: 1.0000000000000002 prints as 1 with %g */
    snprintf(err, CORPUS_ERRMAX, "%s must be in (0, 1], got %.40s", key,
             value);
    return -1;
  }
  *out = v;
  return 0;
}
