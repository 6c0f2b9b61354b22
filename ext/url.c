/*
** URLs taken apart: url_parts() and url_domain().  The parse is RFC 3986's
** generic syntax (scheme ":" ["//" authority] path ["?" query]
** ["#" fragment]), lenient where crawled URLs are (white space around,
** uppercase schemes and hosts); the registered domain is the Public Suffix
** List's (Debian's libpsl, its built-in list, so that the answer is the
** same on every machine with the same libpsl), as RefinedWeb's URL
** filter and per-domain statistics need it.
*/
#include <libpsl.h>
#include <stdio.h>
#include "corpus_sql.h"

/* A URL's parts as spans of the text (n 0 and z NULL when absent). */
typedef struct url_span { const char *z; size_t n; } url_span;
typedef struct url_parts {
  url_span scheme, user, host, port, path, query, fragment;
  int has_authority;
  long port_number;            /* -1: none */
} url_parts;

static int is_alpha(char c){ return (c>='a' && c<='z') || (c>='A' && c<='Z'); }
static int is_digit(char c){ return c>='0' && c<='9'; }

/* The first of the characters of set in z[i..n), or n (a NUL byte is
** never one: strchr() would find the set's own terminator). */
static size_t find_any(const char *z, size_t n, size_t i, const char *set){
  while( i<n && (z[i]==0 || strchr(set, z[i])==0) ) i++;
  return i;
}

/* Parses z[0..n) (white space around it already cut): 0, or -1 when it is
** not a URL this reads (an empty text, a bad scheme, a bad port, an
** unclosed IPv6 literal). */
static int url_parse(const char *z, size_t n, url_parts *u){
  size_t i = 0, e;
  memset(u, 0, sizeof(*u));
  u->port_number = -1;
  if( n==0 ) return -1;
  /* scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
  if( is_alpha(z[0]) ){
    size_t k = 1;
    while( k<n && (is_alpha(z[k]) || is_digit(z[k]) || z[k]=='+'
                   || z[k]=='-' || z[k]=='.') ) k++;
    if( k<n && z[k]==':' ){
      u->scheme.z = z;
      u->scheme.n = k;
      i = k+1;
    }
  }
  if( u->scheme.z==0 && !(n>=2 && z[0]=='/' && z[1]=='/') ){
    /* no scheme: a host and a path as crawl metadata gives them
    ** ("example.com/page"), read as if after "//" */
    if( z[0]=='/' || z[0]=='?' || z[0]=='#' ) return -1;
    u->has_authority = 1;
  }else if( n-i>=2 && z[i]=='/' && z[i+1]=='/' ){
    u->has_authority = 1;
    i += 2;
  }
  if( u->has_authority ){
    size_t end = find_any(z, n, i, "/?#"), at, h;
    /* userinfo: up to the last '@' of the authority */
    for(at=end; at>i && z[at-1]!='@'; at--){}
    if( at>i ){
      u->user.z = z+i;
      u->user.n = at-1-i;
      i = at;
    }
    if( i<end && z[i]=='[' ){                /* an IPv6 literal */
      h = find_any(z, end, i, "]");
      if( h>=end ) return -1;
      u->host.z = z+i;
      u->host.n = h+1-i;
      i = h+1;
      if( i<end && z[i]!=':' ) return -1;
    }else{
      h = find_any(z, end, i, ":");
      u->host.z = z+i;
      u->host.n = h-i;
      i = h;
    }
    if( i<end ){                             /* ":" port */
      size_t k;
      long port = 0;
      i++;
      u->port.z = z+i;
      u->port.n = end-i;
      for(k=i; k<end; k++){
        if( !is_digit(z[k]) || port>65535 ) return -1;
        port = port*10 + (z[k]-'0');
      }
      if( port>65535 ) return -1;
      if( end>i ) u->port_number = port;
    }
    i = end;
  }
  e = find_any(z, n, i, "?#");
  u->path.z = z+i;
  u->path.n = e-i;
  i = e;
  if( i<n && z[i]=='?' ){
    e = find_any(z, n, i+1, "#");
    u->query.z = z+i+1;
    u->query.n = e-i-1;
    i = e;
  }
  if( i<n && z[i]=='#' ){
    u->fragment.z = z+i+1;
    u->fragment.n = n-i-1;
  }
  return 0;
}

/* Whether host (lowercased, no trailing dot) is an IPv4 address in dotted
** decimal: no registered domain. */
static int is_ipv4(const char *h, size_t n){
  size_t i;
  int dots = 0;
  if( n==0 ) return 0;
  for(i=0; i<n; i++){
    if( h[i]=='.' ) dots++;
    else if( !is_digit(h[i]) ) return 0;
  }
  return dots==3;
}

/* The host lowercased (ASCII; a host of other characters as libpsl
** lowercases it), without one trailing dot, into b (NUL-terminated). */
static int host_lower(url_span host, corpus_buf *b){
  size_t i, n = host.n;
  b->n = 0;
  if( n>0 && host.z[n-1]=='.' ) n--;
  if( corpus_buf_append_utf8(b, host.z, n) ) return CORPUS_NOMEM;
  for(i=0; i<b->n; i++){
    if( b->z[i]>='A' && b->z[i]<='Z' ) b->z[i] += 'a'-'A';
  }
  if( corpus_buf_reserve(b, 0) ) return CORPUS_NOMEM;
  b->z[b->n] = 0;
  return 0;
}

/* The registered domain of a lowercased host, copied into out, or 0 (an
** IP address, a public suffix itself, a name without a dot).  A name of
** other characters than ASCII (an IDN written in Unicode) is lowercased
** as libpsl does it (Unicode's rules) before the lookup. */
static int registered_domain(const char *host, size_t n, corpus_buf *out){
  const char *d;
  char *lower = 0;
  out->n = 0;
  if( n==0 || host[0]=='[' || is_ipv4(host, n) ) return 0;
  if( corpus_ascii_prefix(host, n)<n
   && psl_str_to_utf8lower(host, "utf-8", "en", &lower)==PSL_SUCCESS ){
    d = psl_registrable_domain(psl_builtin(), lower);
  }else{
    d = psl_registrable_domain(psl_builtin(), host);
  }
  if( d && corpus_buf_append(out, d, strlen(d)) ){
    psl_free_string(lower);
    return CORPUS_NOMEM;
  }
  psl_free_string(lower);
  return d ? 1 : 0;
}

/* Reads the url argument: SQLITE_OK with *u parsed and *ok 1; *ok 0 for
** NULL or a text this cannot read (the result is NULL); or an error. */
static int url_arg(sqlite3_context *ctx, const char *func, sqlite3_value *v,
                   url_parts *u, int *ok){
  const char *z;
  size_t n, i = 0;
  int t = sqlite3_value_type(v);
  *ok = 0;
  if( t==SQLITE_NULL ) return SQLITE_OK;
  if( t!=SQLITE_TEXT ){
    corpus_result_error(ctx, func, "url must be TEXT, got %s",
                        corpus_type_name(t));
    return SQLITE_ERROR;
  }
  z = (const char*)sqlite3_value_text(v);
  n = (size_t)sqlite3_value_bytes(v);
  if( z==0 ){
    sqlite3_result_error_nomem(ctx);
    return SQLITE_NOMEM;
  }
  /* white space and control characters around it, as browsers cut them */
  while( i<n && (unsigned char)z[i]<=' ' ) i++;
  while( n>i && (unsigned char)z[n-1]<=' ' ) n--;
  /* a NUL inside is no URL (libpsl, given the host as a C string, would
  ** read a different name: 'evil.com\0.google.com') */
  *ok = memchr(z+i, 0, n-i)==0 && url_parse(z+i, n-i, u)==0;
  return SQLITE_OK;
}

static int append_span(corpus_buf *b, const char *key, url_span s,
                       int lower){
  size_t k0;
  if( corpus_buf_append(b, key, strlen(key)) ) return -1;
  if( s.z==0 ) return corpus_buf_append(b, "null", 4);
  k0 = b->n;
  if( corpus_buf_append_json_string(b, s.z, s.n) ) return -1;
  if( lower ){
    size_t i;
    for(i=k0; i<b->n; i++){
      if( b->z[i]>='A' && b->z[i]<='Z' ) b->z[i] += 'a'-'A';
    }
  }
  return 0;
}

/* url_parts(url) -> {"scheme", "user", "host", "port", "path", "query",
** "fragment", "domain"}: each part as written (scheme and host
** lowercased, port an integer), null when absent. */
static void url_parts_func(sqlite3_context *ctx, int argc,
                           sqlite3_value **argv){
  url_parts u;
  corpus_buf b = {0, 0, 0}, host = {0, 0, 0}, dom = {0, 0, 0};
  char port[32];
  int ok, rc, has_dom = 0;
  (void)argc;
  if( url_arg(ctx, "url_parts", argv[0], &u, &ok) || !ok ) return;
  rc = u.host.z ? host_lower(u.host, &host) : 0;
  if( rc==0 && u.host.z ){
    rc = registered_domain(host.z, host.n, &dom);
    has_dom = rc==1;
    if( rc==1 ) rc = 0;
  }
  if( u.port_number>=0 ){
    snprintf(port, sizeof(port), "%ld", u.port_number);
  }else{
    snprintf(port, sizeof(port), "null");
  }
  if( rc
   || append_span(&b, "{\"scheme\":", u.scheme, 1)
   || append_span(&b, ",\"user\":", u.user, 0)
   || append_span(&b, ",\"host\":", u.host, 1)
   || corpus_buf_append(&b, ",\"port\":", 8)
   || corpus_buf_append(&b, port, strlen(port))
   || append_span(&b, ",\"path\":", u.path, 0)
   || append_span(&b, ",\"query\":", u.query, 0)
   || append_span(&b, ",\"fragment\":", u.fragment, 0)
   || corpus_buf_append(&b, ",\"domain\":", 10)
   || (has_dom ? corpus_buf_append_json_string(&b, dom.z, dom.n)
               : corpus_buf_append(&b, "null", 4))
   || corpus_buf_append(&b, "}", 1) ){
    sqlite3_result_error_nomem(ctx);
  }else{
    sqlite3_result_text(ctx, b.z, (int)b.n, SQLITE_TRANSIENT);
    sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
  }
  corpus_free(b.z);
  corpus_free(host.z);
  corpus_free(dom.z);
}

/* url_domain(url) -> the registered domain, or NULL. */
static void url_domain_func(sqlite3_context *ctx, int argc,
                            sqlite3_value **argv){
  url_parts u;
  corpus_buf host = {0, 0, 0}, dom = {0, 0, 0};
  int ok, rc;
  (void)argc;
  if( url_arg(ctx, "url_domain", argv[0], &u, &ok) || !ok || !u.host.z ){
    return;
  }
  rc = host_lower(u.host, &host);
  if( rc==0 ) rc = registered_domain(host.z, host.n, &dom);
  if( rc<0 ){
    sqlite3_result_error_nomem(ctx);
  }else if( rc==1 ){
    sqlite3_result_text(ctx, dom.z, (int)dom.n, SQLITE_TRANSIENT);
  }
  corpus_free(host.z);
  corpus_free(dom.z);
}

static const corpus_sql url_sql[] = {
  CORPUS_SCALAR("url_parts", 1, CORPUS_PURE | CORPUS_JSON_RESULT,
                url_parts_func),
  CORPUS_SCALAR("url_domain", 1, CORPUS_PURE, url_domain_func),
};

int corpus_url_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, url_sql, CORPUS_COUNT(url_sql), pzErr);
}
