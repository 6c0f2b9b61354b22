/*
** Option strings and argument checks shared by every SQL function.
**
** An option string is "key=value" pairs separated by white space or commas,
** the syntax of virtual-table arguments: 'form=nfc case=keep' or
** 'form=nfc, case=keep'.  A value may be quoted with '...' or "..." (the
** quote doubled inside to escape it) to hold spaces or commas:
** 'normalize="form=nfc case=keep"'.  Keys are identifiers; a key may appear
** once.  What each key means is up to the caller's set() function.
*/
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "corpus_ext.h"

#define OPTIONS_MAX 64

static int is_separator(char c){
  return c==' ' || c==',' || c=='\t' || c=='\n' || c=='\r' || c=='\f'
      || c=='\v';
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
  if( buf==0 ){
    snprintf(err, CORPUS_ERRMAX, "out of memory");
    return -1;
  }
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
    while( i<n && (buf[i]==' ' || buf[i]=='\t') ) i++;
    if( keyEnd==key || i>=n || buf[i]!='=' ){
      snprintf(err, CORPUS_ERRMAX, "expected key=value at '%.40s'", buf+key);
      rc = -1;
      break;
    }
    i++;
    while( i<n && (buf[i]==' ' || buf[i]=='\t') ) i++;
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

/* ---- SQL glue shared by every area ------------------------------------ */

int corpus_register_functions(sqlite3 *db, const corpus_function *funcs,
                              int count){
  int rc = SQLITE_OK;
  int i;
  for(i=0; rc==SQLITE_OK && i<count; i++){
    rc = sqlite3_create_function(db, funcs[i].name, funcs[i].nArg,
                                 CORPUS_PURE | funcs[i].flags, 0,
                                 funcs[i].xFunc, 0, 0);
  }
  return rc;
}

const char *corpus_type_name(int type){
  switch( type ){
    case SQLITE_INTEGER: return "INTEGER";
    case SQLITE_FLOAT:   return "REAL";
    case SQLITE_TEXT:    return "TEXT";
    case SQLITE_BLOB:    return "BLOB";
    default:             return "NULL";
  }
}

void corpus_result_error(sqlite3_context *ctx, const char *func,
                         const char *fmt, ...){
  va_list ap;
  char *msg;
  char *full;
  va_start(ap, fmt);
  msg = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  full = msg ? sqlite3_mprintf("%s: %s", func, msg) : 0;
  if( full ){
    sqlite3_result_error(ctx, full, -1);
  }else{
    sqlite3_result_error_nomem(ctx);
  }
  sqlite3_free(msg);
  sqlite3_free(full);
}

int corpus_check_text(sqlite3_context *ctx, const char *func, const char *name,
                      sqlite3_value *v){
  int t = sqlite3_value_type(v);
  if( t==SQLITE_TEXT ) return 0;
  corpus_result_error(ctx, func, "%s must be TEXT, got %s", name,
                      corpus_type_name(t));
  return 1;
}

int corpus_parse_options_value(const char *func, sqlite3_value *v,
                               corpus_option_fn set, void *opts, char **pzErr){
  char err[CORPUS_ERRMAX];
  int t = sqlite3_value_type(v);
  if( t==SQLITE_NULL ) return 0;
  if( t!=SQLITE_TEXT ){
    *pzErr = sqlite3_mprintf("%s: options must be TEXT, got %s", func,
                             corpus_type_name(t));
    return SQLITE_ERROR;
  }
  err[0] = 0;
  if( corpus_options_parse((const char*)sqlite3_value_text(v),
                           (size_t)sqlite3_value_bytes(v), set, opts, err) ){
    *pzErr = sqlite3_mprintf("%s: %s", func, err);
    return SQLITE_ERROR;
  }
  return SQLITE_OK;
}

int corpus_apply_options(sqlite3_context *ctx, const char *func,
                         sqlite3_value *v, corpus_option_fn set, void *opts){
  char *zErr = 0;
  if( corpus_parse_options_value(func, v, set, opts, &zErr)==SQLITE_OK ){
    return 0;
  }
  if( zErr ){
    sqlite3_result_error(ctx, zErr, -1);
    sqlite3_free(zErr);
  }else{
    sqlite3_result_error_nomem(ctx);
  }
  return 1;
}

/* ---- Table-valued functions ----------------------------------------------- */

int corpus_tvf_best_index(sqlite3_index_info *info, int nOutput, int nArg,
                          int nRequired){
  int slot[CORPUS_TVF_MAXARG];
  int i, seen = 0, usable = 0, nargv = 0;
  int required = (1<<nRequired) - 1;
  for(i=0; i<nArg; i++) slot[i] = -1;
  for(i=0; i<info->nConstraint; i++){
    const struct sqlite3_index_constraint *p = &info->aConstraint[i];
    int arg = p->iColumn - nOutput;
    if( arg<0 || arg>=nArg || p->op!=SQLITE_INDEX_CONSTRAINT_EQ ) continue;
    seen |= 1<<arg;
    if( p->usable ){
      usable |= 1<<arg;
      slot[arg] = i;
    }
  }
  if( (seen & ~usable)!=0 ) return SQLITE_CONSTRAINT;
  for(i=0; i<nArg; i++){
    if( slot[i]<0 ) continue;
    info->aConstraintUsage[slot[i]].argvIndex = ++nargv;
    info->aConstraintUsage[slot[i]].omit = 1;
  }
  info->idxNum = usable;
  if( (usable & required)==required ){
    info->estimatedCost = 1000.0;
    info->estimatedRows = 1000;
  }else{
    info->estimatedCost = 1e300;
    info->estimatedRows = 1000000000;
  }
  return SQLITE_OK;
}

int corpus_vtab_error(sqlite3_vtab *vtab, const char *func, const char *fmt,
                      ...){
  va_list ap;
  char *msg;
  va_start(ap, fmt);
  msg = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  sqlite3_free(vtab->zErrMsg);
  vtab->zErrMsg = msg ? sqlite3_mprintf("%s: %s", func, msg) : 0;
  sqlite3_free(msg);
  return vtab->zErrMsg ? SQLITE_ERROR : SQLITE_NOMEM;
}

int corpus_tvf_args(sqlite3_vtab *vtab, const char *func,
                    const char *const *argNames, int nArg, int nRequired,
                    int idxNum, sqlite3_value **argv, sqlite3_value **args,
                    sqlite3_value **dups){
  int i, j = 0;
  for(i=0; i<nArg; i++){
    args[i] = 0;
    if( idxNum & (1<<i) ){
      args[i] = argv[j++];
      if( dups && (dups[i] = sqlite3_value_dup(args[i]))==0 ) return SQLITE_NOMEM;
    }else if( i<nRequired ){
      return corpus_vtab_error(vtab, func, "missing argument %s", argNames[i]);
    }
  }
  return SQLITE_OK;
}
