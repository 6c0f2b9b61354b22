/*
** Statistics of a column: histogram() and quantiles(), aggregates that
** return JSON, for looking at a corpus (document lengths, token counts,
** cluster sizes) from SQL and for the report (sql/report.sql).
**
** Both keep every non-NULL value (8 bytes each), sort them once at the end
** and read the answer off the sorted array, so that they are exact: a
** histogram's counts are those of the edges it prints (each bin found by
** binary search on the same numbers), and a quantile of INTEGER values is
** the exact rational value of its definition, rounded once.  Values that
** are all INTEGER stay 64-bit integers (no rounding through double); one
** REAL among them turns the whole column into doubles.
**
** Quantiles follow Hyndman & Fan's definition 7, the default of numpy
** (numpy.quantile, method='linear'), R (type=7) and Python's
** statistics.quantiles(method='inclusive'): with the n values sorted,
** x[0..n-1], quantile p is at position h = (n-1)p, and is
** x[j] + (h-j)(x[j+1]-x[j]) with j = floor(h).  p is read from its decimal
** text ("p99.9" is 999/1000 exactly), so h and h-j are exact.  numpy's
** other simple methods are options: lower x[j], higher x[ceil h], nearest
** x[h rounded half to even] (numpy's rule), midpoint (x[j]+x[ceil h])/2.
**
** The core (first half) is plain C over arrays; the SQL half reads the
** rows, checks the arguments and writes the JSON.  docs/stats.md.
*/
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "corpus_sql.h"

/* ---- Core: a column of numbers ------------------------------------------ */

/* The values of a column, INTEGER while every value is one. */
typedef struct stats_col {
  int isint;                   /* every value so far an INTEGER */
  sqlite3_int64 n, cap;
  sqlite3_int64 *iv;           /* isint: the values */
  double *dv;                  /* !isint: the values */
} stats_col;

/* Beyond this many values an array would pass the allocator's limit. */
#define STATS_MAX_VALUES ((sqlite3_int64)(CORPUS_MAX_ALLOC/sizeof(double)))

static void stats_col_free(stats_col *c){
  corpus_free(c->iv);
  corpus_free(c->dv);
  memset(c, 0, sizeof(*c));
  c->isint = 1;
}

/* Room for one more value: 0, -1 when out of memory, -2 when past
** STATS_MAX_VALUES. */
static int stats_col_room(stats_col *c){
  sqlite3_int64 cap;
  void *p;
  if( c->n<c->cap ) return 0;
  if( c->n>=STATS_MAX_VALUES ) return -2;
  cap = c->cap ? c->cap*2 : 256;
  if( cap>STATS_MAX_VALUES ) cap = STATS_MAX_VALUES;
  if( c->isint ){
    p = corpus_realloc(c->iv, (size_t)cap*sizeof(sqlite3_int64));
    if( p==0 ) return -1;
    c->iv = p;
  }else{
    p = corpus_realloc(c->dv, (size_t)cap*sizeof(double));
    if( p==0 ) return -1;
    c->dv = p;
  }
  c->cap = cap;
  return 0;
}

/* The first REAL: the integers so far become doubles. */
static int stats_col_to_real(stats_col *c){
  sqlite3_int64 i;
  if( !c->isint ) return 0;
  if( c->cap ){
    c->dv = corpus_realloc(0, (size_t)c->cap*sizeof(double));
    if( c->dv==0 ) return -1;
    for(i=0; i<c->n; i++) c->dv[i] = (double)c->iv[i];
  }
  corpus_free(c->iv);
  c->iv = 0;
  c->isint = 0;
  return 0;
}

static int stats_col_add_int(stats_col *c, sqlite3_int64 v){
  int rc;
  if( !c->isint ){
    if( (rc = stats_col_room(c))!=0 ) return rc;
    c->dv[c->n++] = (double)v;
    return 0;
  }
  if( (rc = stats_col_room(c))!=0 ) return rc;
  c->iv[c->n++] = v;
  return 0;
}

static int stats_col_add_real(stats_col *c, double v){
  int rc;
  if( c->isint && stats_col_to_real(c) ) return -1;
  if( (rc = stats_col_room(c))!=0 ) return rc;
  c->dv[c->n++] = v;
  return 0;
}

static int cmp_int(const void *a, const void *b){
  sqlite3_int64 x = *(const sqlite3_int64*)a, y = *(const sqlite3_int64*)b;
  return (x>y) - (x<y);
}
static int cmp_real(const void *a, const void *b){
  double x = *(const double*)a, y = *(const double*)b;
  return (x>y) - (x<y);
}
static void stats_col_sort(stats_col *c){
  if( c->n<2 ) return;
  if( c->isint ) qsort(c->iv, (size_t)c->n, sizeof(sqlite3_int64), cmp_int);
  else qsort(c->dv, (size_t)c->n, sizeof(double), cmp_real);
}

/* A number of either kind: the column's values, edges, quantiles. */
typedef struct stats_num { int isint; sqlite3_int64 i; double d; } stats_num;

static stats_num num_int(sqlite3_int64 i){
  stats_num v; v.isint = 1; v.i = i; v.d = (double)i; return v;
}
static stats_num num_real(double d){
  stats_num v; v.isint = 0; v.i = 0; v.d = d; return v;
}
static stats_num col_at(const stats_col *c, sqlite3_int64 k){
  return c->isint ? num_int(c->iv[k]) : num_real(c->dv[k]);
}

/* Integer i against double r, exactly (as SQLite compares them): <0, 0,
** >0.  Converting i to double would round above 2^53. */
static int cmp_int_real(sqlite3_int64 i, double r){
  sqlite3_int64 t;
  double f;
  if( r<-9223372036854775808.0 ) return 1;
  if( r>=9223372036854775808.0 ) return -1;
  t = (sqlite3_int64)r;                  /* exact: r's integer part */
  if( i!=t ) return i<t ? -1 : 1;
  f = r - (double)t;                     /* exact: the fraction */
  return f>0 ? -1 : f<0 ? 1 : 0;
}

static int num_cmp(stats_num a, stats_num b){
  if( a.isint && b.isint ) return (a.i>b.i) - (a.i<b.i);
  if( a.isint ) return cmp_int_real(a.i, b.d);
  if( b.isint ) return -cmp_int_real(b.i, a.d);
  return (a.d>b.d) - (a.d<b.d);
}

/* The number of sorted values below v (upper=0), or at most v (upper=1). */
static sqlite3_int64 col_rank(const stats_col *c, stats_num v, int upper){
  sqlite3_int64 lo = 0, hi = c->n;
  while( lo<hi ){
    sqlite3_int64 mid = lo + (hi-lo)/2;
    int k = num_cmp(col_at(c, mid), v);
    if( upper ? k<=0 : k<0 ) lo = mid+1; else hi = mid;
  }
  return lo;
}

/* ---- Core: quantiles ---------------------------------------------------- */

/* The most quantiles one list names (each is checked against the others). */
#define STATS_MAX_QUANTILES 1000

/* A quantile's p as the exact fraction num/den (den = 100 * 10^k). */
typedef struct stats_p { sqlite3_int64 num, den; } stats_p;

enum { Q_LINEAR, Q_LOWER, Q_HIGHER, Q_NEAREST, Q_MIDPOINT };

/* The quantile p of the sorted column c (n > 0), by method. */
static stats_num stats_quantile(const stats_col *c, stats_p p, int method){
  __int128 h = (__int128)(c->n-1)*p.num;
  sqlite3_int64 j = (sqlite3_int64)(h/p.den);
  sqlite3_int64 r = (sqlite3_int64)(h%p.den);  /* h - j = r/den */
  stats_num a = col_at(c, j), b;
  if( r==0 ) return a;
  b = col_at(c, j+1);
  switch( method ){
    case Q_LOWER:   return a;
    case Q_HIGHER:  return b;
    case Q_NEAREST:
      if( 2*r<p.den ) return a;
      if( 2*r>p.den ) return b;
      return (j%2==0) ? a : b;               /* half to even, as numpy */
    case Q_MIDPOINT:
      if( a.isint ){
        __int128 s = (__int128)a.i + b.i;
        if( s%2==0 ) return num_int((sqlite3_int64)(s/2));
        return num_real((double)((long double)s/2));
      }
      return num_real(a.d/2 + b.d/2);
    default:
      if( a.isint ){
        /* a + (b-a) r/den, as one fraction, rounded once */
        __int128 t = (__int128)a.i*p.den + ((__int128)b.i - a.i)*r;
        if( t%p.den==0 ) return num_int((sqlite3_int64)(t/p.den));
        /* below 2^53 both are exact doubles, and IEEE division rounds the
        ** quotient once: the exact value, correctly rounded */
        if( t>-((__int128)1<<53) && t<((__int128)1<<53) ){
          return num_real((double)t/(double)p.den);
        }
        return num_real((double)((long double)t/(long double)p.den));
      }
      {
        double t = (double)r/(double)p.den, d = b.d - a.d;
        /* b - a past the largest double (-1.7e308 to 1.7e308): the
        ** weighted sum, whose terms cannot overflow */
        if( !isfinite(d) ) return num_real(a.d*(1-t) + b.d*t);
        return num_real(a.d + d*t);
      }
  }
}

/* ---- Core: histogram bins ----------------------------------------------- */

enum { H_LINEAR, H_LOG, H_QUANTILE };

typedef struct stats_bins {
  stats_num *edge;             /* nedge edges: bin k is [edge k, edge k+1),
                               ** the last [edge nedge-2, edge nedge-1] */
  int nedge;
  sqlite3_int64 *count;        /* nedge-1 counts */
} stats_bins;

/* Appends edge v when it is above the last one (equal edges would make
** empty bins that no value can fall in). */
static void bins_push(stats_bins *b, stats_num v){
  if( b->nedge>0 && num_cmp(v, b->edge[b->nedge-1])<=0 ) return;
  b->edge[b->nedge++] = v;
}

/* The edges over [lo, hi] (lo <= hi) for at most nbin bins of the scale,
** and their counts over the sorted column.  Integer edges when isint
** (values and range all integers): a bin then holds whole integers, and
** none is empty for want of an integer inside.  Otherwise the edges
** between lo and hi are doubles, and lo and hi stay as given (an integer
** bound rounded to a double could leave values out of every bin).  Every edge is <= hi, and
** hi closes the last bin, which is [hi, hi] when the last edge is hi
** itself (lo == hi gives that one bin).  0, or -1 when out of memory. */
static int stats_bin(const stats_col *c, int scale, int nbin, int isint,
                     stats_num lo, stats_num hi, stats_bins *b){
  int k;
  b->nedge = 0;
  b->edge = corpus_realloc(0, (size_t)(nbin+1)*sizeof(stats_num));
  b->count = corpus_realloc(0, (size_t)nbin*sizeof(sqlite3_int64));
  if( b->edge==0 || b->count==0 ) return -1;
  bins_push(b, lo);
  if( scale==H_QUANTILE ){
    /* the values at ranks k*m/nbin of the m values in range */
    sqlite3_int64 rlo = col_rank(c, lo, 0), rhi = col_rank(c, hi, 1);
    for(k=1; k<nbin && rhi>rlo; k++){
      __int128 r = (__int128)(rhi-rlo)*k/nbin;
      stats_num v = col_at(c, rlo + (sqlite3_int64)r);
      /* an integer past 2^53 made a double can round above hi */
      if( !isint ) v = num_real(v.d);
      if( num_cmp(v, hi)<=0 ) bins_push(b, v);
    }
  }else if( isint && scale==H_LINEAR ){
    /* width w = ceil((hi-lo)/nbin), at least 1: numpy's edges lo, lo+w,
    ** ... when nbin divides hi-lo (0..10 in 5 bins: 0, 2, 4, 6, 8, 10),
    ** and never a bin without an integer */
    __int128 span = (__int128)hi.i - lo.i;
    __int128 w = span<=nbin ? 1 : (span + nbin - 1)/nbin;
    for(k=1; k<nbin; k++){
      __int128 e = (__int128)lo.i + w*k;
      if( e>hi.i ) break;
      bins_push(b, num_int((sqlite3_int64)e));
    }
  }else if( scale==H_LINEAR ){
    for(k=1; k<nbin; k++){
      double t = (double)k/nbin;
      double e = lo.d*(1-t) + hi.d*t;
      if( num_cmp(num_real(e), hi)<=0 ) bins_push(b, num_real(e));
    }
  }else{
    /* log: lo * (hi/lo)^(k/nbin) (lo > 0).  Integer edges: lo + d
    ** rounded up, d = lo * ((hi/lo)^(k/nbin) - 1) by expm1 and log1p, so
    ** that d is exact to a few ulps of itself even where lo and hi are
    ** close and large (2^52 and 2^52 + 4), and an exact power stays
    ** exact (9.000000000000002 is 9: the edge 10, not 11). */
    double l0 = log(lo.d), l1 = log(hi.d);
    double lr = isint ? log1p((double)((__int128)hi.i - lo.i)/lo.d) : 0;
    for(k=1; k<nbin; k++){
      if( isint ){
        double d = lo.d*expm1(lr*k/nbin);
        __int128 e;
        if( fabs(d-nearbyint(d))<=1e-13*d ) d = nearbyint(d);
        d = ceil(d);
        if( !(d<1.8e19) ) break;
        e = (__int128)lo.i + (__int128)d;
        if( e>hi.i ) break;
        bins_push(b, num_int((sqlite3_int64)e));
      }else{
        double e = exp(l0 + (l1-l0)*k/nbin);
        if( num_cmp(num_real(e), hi)<=0 ) bins_push(b, num_real(e));
      }
    }
  }
  b->edge[b->nedge++] = hi;
  for(k=0; k+1<b->nedge; k++){
    int last = k+2==b->nedge;
    b->count[k] = col_rank(c, b->edge[k+1], last) - col_rank(c, b->edge[k], 0);
  }
  return 0;
}

static void stats_bins_free(stats_bins *b){
  corpus_free(b->edge);
  corpus_free(b->count);
  memset(b, 0, sizeof(*b));
}

/* ---- SQL: JSON output --------------------------------------------------- */

/* A number as JSON: integers as integers, doubles with the fewest digits
** that read back the same, and a ".0" when they would look like one. */
static void json_num(sqlite3_str *s, stats_num v){
  char buf[40];
  if( v.isint ){
    sqlite3_str_appendf(s, "%lld", v.i);
    return;
  }
  corpus_double_text(v.d, buf);
  if( strpbrk(buf, ".eEni")==0 ) strcat(buf, ".0");
  sqlite3_str_appendall(s, buf);
}

static void result_json(sqlite3_context *ctx, sqlite3_str *s){
  int n = sqlite3_str_length(s);
  char *z = sqlite3_str_finish(s);
  if( z==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, z, n, sqlite3_free);
  sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
}

/* ---- SQL: reading the rows ---------------------------------------------- */

/* An aggregate's state: the column, its NULLs, the constant argument
** (options or list) as the first row gave it. */
typedef struct stats_agg {
  int started;
  stats_col col;
  sqlite3_int64 nulls;
  char *arg;                   /* the first row's list or options text */
  char *opt;                   /* quantiles: the first row's options */
  /* histogram */
  int nbin, scale, has_lo, has_hi;
  stats_num lo, hi;
  /* quantiles */
  int method, np;
  stats_p *p;
  char **key;
} stats_agg;

static void stats_agg_free(stats_agg *a){
  int i;
  stats_col_free(&a->col);
  sqlite3_free(a->arg);
  sqlite3_free(a->opt);
  for(i=0; i<a->np; i++) sqlite3_free(a->key[i]);
  sqlite3_free(a->key);
  sqlite3_free(a->p);
}

/* Whether the constant argument v is the first row's (kept in *slot): 0,
** or nonzero with the error set.  The first row records it. */
static int stats_same_arg(sqlite3_context *ctx, const char *func,
                          const char *name, stats_agg *a, char **slot,
                          sqlite3_value *v){
  const char *z;
  if( sqlite3_value_type(v)==SQLITE_NULL ){
    if( !a->started || *slot==0 ) return 0;
  }else{
    if( corpus_check_text(ctx, func, name, v) ) return 1;
    z = (const char*)sqlite3_value_text(v);
    if( z==0 ){ sqlite3_result_error_nomem(ctx); return 1; }
    if( !a->started ){
      if( (*slot = sqlite3_mprintf("%s", z))==0 ){
        sqlite3_result_error_nomem(ctx);
        return 1;
      }
      return 0;
    }
    if( *slot && strcmp(*slot, z)==0 ) return 0;
  }
  corpus_result_error(ctx, func, "%s must be the same in every row", name);
  return 1;
}

/* Adds the row's value: 0, or nonzero with the error set. */
static int stats_add(sqlite3_context *ctx, const char *func, stats_agg *a,
                     sqlite3_value *v){
  int rc;
  switch( sqlite3_value_type(v) ){
    case SQLITE_NULL:
      a->nulls++;
      return 0;
    case SQLITE_INTEGER:
      rc = stats_col_add_int(&a->col, sqlite3_value_int64(v));
      break;
    case SQLITE_FLOAT: {
      double d = sqlite3_value_double(v);
      if( !isfinite(d) ){
        corpus_result_error(ctx, func, "value must be finite, got %s",
                            d>0 ? "Inf" : "-Inf");
        return 1;
      }
      rc = stats_col_add_real(&a->col, d);
      break;
    }
    default:
      corpus_result_error(ctx, func, "value must be INTEGER or REAL, got %s",
                          sqlite3_value_type(v)==SQLITE_TEXT ? "TEXT" : "BLOB");
      return 1;
  }
  if( rc==-2 ){
    corpus_result_error(ctx, func, "more than %lld values", STATS_MAX_VALUES);
    return 1;
  }
  if( rc ){
    sqlite3_result_error_nomem(ctx);
    return 1;
  }
  return 0;
}

/* ---- SQL: histogram(value [, options]) ---------------------------------- */

/* A bound option: an integer when it reads as one, else a finite number. */
static int bound_option(const char *key, const char *value, stats_num *out,
                        char *err){
  long long i;
  double d;
  char tmp[CORPUS_ERRMAX], *end;
  if( corpus_option_int(key, value, LLONG_MIN, LLONG_MAX, &i, tmp)==0 ){
    *out = num_int(i);
    return 0;
  }
  d = strtod(value, &end);
  if( *value && *end==0 && (d==HUGE_VAL || d==-HUGE_VAL) ){
    snprintf(err, CORPUS_ERRMAX, "%s must be finite, got '%.40s'", key, value);
    return -1;
  }
  if( corpus_option_double(key, value, -HUGE_VAL, HUGE_VAL, &d, err) ) return -1;
  if( !isfinite(d) ){
    snprintf(err, CORPUS_ERRMAX, "%s must be finite, got '%.40s'", key, value);
    return -1;
  }
  *out = num_real(d);
  return 0;
}

static int hist_option(void *ctx, const char *key, const char *value,
                       char *err){
  stats_agg *a = (stats_agg*)ctx;
  if( strcmp(key, "bins")==0 ){
    long long n;
    if( corpus_option_int(key, value, 1, 10000, &n, err) ) return -1;
    a->nbin = (int)n;
    return 0;
  }
  if( strcmp(key, "scale")==0 ){
    int v = corpus_option_choice(key, value, "linear|log|quantile", err);
    if( v<0 ) return -1;
    a->scale = v;
    return 0;
  }
  if( strcmp(key, "lo")==0 ){
    a->has_lo = 1;
    return bound_option(key, value, &a->lo, err);
  }
  if( strcmp(key, "hi")==0 ){
    a->has_hi = 1;
    return bound_option(key, value, &a->hi, err);
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: bins, scale, "
           "lo, hi)", key);
  return -1;
}

static int num_lt(stats_num a, stats_num b){ return num_cmp(a, b)<0; }

static void hist_step(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  stats_agg *a = sqlite3_aggregate_context(ctx, sizeof(*a));
  if( a==0 ){ sqlite3_result_error_nomem(ctx); return; }
  if( argc>1 && stats_same_arg(ctx, "histogram", "options", a, &a->arg,
                               argv[1]) ){
    return;
  }
  if( !a->started ){
    a->col.isint = 1;
    a->nbin = 10;
    if( argc>1 && corpus_apply_options(ctx, "histogram", argv[1],
                                       hist_option, a) ){
      return;
    }
    if( a->has_lo && a->has_hi && !num_lt(a->lo, a->hi) ){
      corpus_result_error(ctx, "histogram", "lo must be less than hi");
      return;
    }
    if( a->scale==H_LOG && a->has_lo && !(a->lo.d>0) ){
      corpus_result_error(ctx, "histogram", "scale=log needs lo > 0");
      return;
    }
    a->started = 1;
  }
  stats_add(ctx, "histogram", a, argv[0]);
}

static void hist_final(sqlite3_context *ctx){
  stats_agg *a = sqlite3_aggregate_context(ctx, 0);
  stats_agg empty;
  sqlite3_str *s;
  stats_bins b = {0, 0, 0};
  sqlite3_int64 below = 0, above = 0;
  int k;
  if( a==0 || !a->started ){
    memset(&empty, 0, sizeof(empty));
    empty.col.isint = 1;
    empty.nbin = 10;
    if( a ) stats_agg_free(a);
    a = &empty;
  }
  stats_col_sort(&a->col);
  s = sqlite3_str_new(0);
  sqlite3_str_appendf(s, "{\"count\":%lld,\"nulls\":%lld,\"min\":", a->col.n,
                      a->nulls);
  if( a->col.n ){
    json_num(s, col_at(&a->col, 0));
    sqlite3_str_appendall(s, ",\"max\":");
    json_num(s, col_at(&a->col, a->col.n-1));
  }else{
    sqlite3_str_appendall(s, "null,\"max\":null");
  }
  if( a->col.n || (a->has_lo && a->has_hi) ){
    /* the range: lo= and hi=, or the values' own */
    stats_num lo = a->has_lo ? a->lo : col_at(&a->col, 0);
    stats_num hi = a->has_hi ? a->hi : col_at(&a->col, a->col.n-1);
    int isint = a->col.isint && lo.isint && hi.isint;
    if( a->has_lo ) below = col_rank(&a->col, lo, 0);
    if( a->has_hi ) above = a->col.n - col_rank(&a->col, hi, 1);
    if( a->scale==H_LOG && !(lo.d>0) ){
      stats_bins_free(&b);
      sqlite3_free(sqlite3_str_finish(s));
      stats_agg_free(a);
      corpus_result_error(ctx, "histogram", "scale=log needs every value "
                          "above 0 (or lo= above 0: the rest count as below)");
      return;
    }
    if( !num_lt(hi, lo) ){
      if( stats_bin(&a->col, a->scale, a->nbin, isint, lo, hi, &b) ){
        stats_bins_free(&b);
        sqlite3_free(sqlite3_str_finish(s));
        stats_agg_free(a);
        sqlite3_result_error_nomem(ctx);
        return;
      }
    }
  }
  sqlite3_str_appendf(s, ",\"below\":%lld,\"above\":%lld,\"bins\":[", below,
                      above);
  for(k=0; k+1<b.nedge; k++){
    sqlite3_str_appendall(s, k ? ",{\"lo\":" : "{\"lo\":");
    json_num(s, b.edge[k]);
    sqlite3_str_appendall(s, ",\"hi\":");
    json_num(s, b.edge[k+1]);
    sqlite3_str_appendf(s, ",\"count\":%lld}", b.count[k]);
  }
  sqlite3_str_appendall(s, "]}");
  stats_bins_free(&b);
  stats_agg_free(a);
  result_json(ctx, s);
}

/* ---- SQL: quantiles(value, list [, options]) ---------------------------- */

/* Reads the list ("p10,p50,p99.9") into a->p and a->key: 0, or nonzero
** with the error set. */
static int quant_list(sqlite3_context *ctx, stats_agg *a, const char *z){
  const char *e;
  int n = 1, i;
  for(e=z; *e; e++) n += *e==',';
  if( n>STATS_MAX_QUANTILES ){
    corpus_result_error(ctx, "quantiles", "at most %d quantiles, got %d",
                        STATS_MAX_QUANTILES, n);
    return 1;
  }
  a->p = sqlite3_malloc64((sqlite3_uint64)n*sizeof(stats_p));
  a->key = sqlite3_malloc64((sqlite3_uint64)n*sizeof(char*));
  if( a->p==0 || a->key==0 ){ sqlite3_result_error_nomem(ctx); return 1; }
  for(;;){
    const char *b, *d;
    sqlite3_int64 num = 0, den = 100;
    int ok = 1, nint = 0, nfrac = 0;
    while( *z==' ' ) z++;
    b = z;
    while( *z && *z!=',' ) z++;
    e = z;
    while( e>b && e[-1]==' ' ) e--;
    d = b;
    if( d<e && *d=='p' ) d++; else ok = 0;
    for(; ok && d<e && *d>='0' && *d<='9'; d++){
      if( ++nint>3 ) ok = 0;
      num = num*10 + (*d-'0');
    }
    if( nint==0 ) ok = 0;
    if( ok && d<e && *d=='.' ){
      for(d++; ok && d<e && *d>='0' && *d<='9'; d++){
        if( ++nfrac>6 ) ok = 0;
        num = num*10 + (*d-'0');
        den *= 10;
      }
      if( nfrac==0 ) ok = 0;
    }
    if( d!=e || num>den ) ok = 0;
    if( !ok ){
      corpus_result_error(ctx, "quantiles", "each quantile must be pN with N "
                          "in 0..100 and at most 6 decimals (such as p50 or "
                          "p99.9), got '%.*s'", (int)(e-b) > 40 ? 40 : (int)(e-b), b);
      return 1;
    }
    for(i=0; i<a->np; i++){
      if( a->p[i].num*den!=num*a->p[i].den ) continue;
      if( strlen(a->key[i])==(size_t)(e-b) && memcmp(a->key[i], b, e-b)==0 ){
        corpus_result_error(ctx, "quantiles", "%.*s is given twice",
                            (int)(e-b), b);
      }else{
        corpus_result_error(ctx, "quantiles", "%s and %.*s are the same "
                            "quantile", a->key[i], (int)(e-b), b);
      }
      return 1;
    }
    a->key[a->np] = sqlite3_mprintf("%.*s", (int)(e-b), b);
    if( a->key[a->np]==0 ){ sqlite3_result_error_nomem(ctx); return 1; }
    a->p[a->np].num = num;
    a->p[a->np].den = den;
    a->np++;
    if( *z==0 ) break;
    z++;
  }
  return 0;
}

static int quant_option(void *ctx, const char *key, const char *value,
                        char *err){
  stats_agg *a = (stats_agg*)ctx;
  if( strcmp(key, "method")==0 ){
    int v = corpus_option_choice(key, value,
                                 "linear|lower|higher|nearest|midpoint", err);
    if( v<0 ) return -1;
    a->method = v;
    return 0;
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: method)", key);
  return -1;
}

static void quant_step(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  stats_agg *a = sqlite3_aggregate_context(ctx, sizeof(*a));
  if( a==0 ){ sqlite3_result_error_nomem(ctx); return; }
  if( !a->started ){
    if( sqlite3_value_type(argv[1])==SQLITE_NULL ){
      corpus_result_error(ctx, "quantiles", "quantiles must not be NULL");
      return;
    }
    if( corpus_check_text(ctx, "quantiles", "quantiles", argv[1]) ) return;
  }
  if( stats_same_arg(ctx, "quantiles", "quantiles", a, &a->arg, argv[1])
   || (argc>2 && stats_same_arg(ctx, "quantiles", "options", a, &a->opt,
                                argv[2])) ){
    return;
  }
  if( !a->started ){
    a->col.isint = 1;
    if( quant_list(ctx, a, a->arg) ) return;
    if( argc>2 && corpus_apply_options(ctx, "quantiles", argv[2],
                                       quant_option, a) ){
      return;
    }
    a->started = 1;
  }
  stats_add(ctx, "quantiles", a, argv[0]);
}

static void quant_final(sqlite3_context *ctx){
  stats_agg *a = sqlite3_aggregate_context(ctx, 0);
  sqlite3_str *s;
  int k;
  if( a==0 || !a->started ){       /* no rows: NULL, as avg() */
    if( a ) stats_agg_free(a);
    return;
  }
  stats_col_sort(&a->col);
  s = sqlite3_str_new(0);
  sqlite3_str_appendchar(s, 1, '{');
  for(k=0; k<a->np; k++){
    sqlite3_str_appendf(s, "%s\"%s\":", k ? "," : "", a->key[k]);
    if( a->col.n==0 ) sqlite3_str_appendall(s, "null");
    else json_num(s, stats_quantile(&a->col, a->p[k], a->method));
  }
  sqlite3_str_appendchar(s, 1, '}');
  stats_agg_free(a);
  result_json(ctx, s);
}

static const corpus_sql stats_sql[] = {
  CORPUS_AGGREGATE("histogram", 1, CORPUS_PURE | CORPUS_JSON_RESULT,
                   hist_step, hist_final),
  CORPUS_AGGREGATE("histogram", 2, CORPUS_PURE | CORPUS_JSON_RESULT,
                   hist_step, hist_final),
  CORPUS_AGGREGATE("quantiles", 2, CORPUS_PURE | CORPUS_JSON_RESULT,
                   quant_step, quant_final),
  CORPUS_AGGREGATE("quantiles", 3, CORPUS_PURE | CORPUS_JSON_RESULT,
                   quant_step, quant_final),
};

int corpus_stats_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, stats_sql, CORPUS_COUNT(stats_sql), pzErr);
}
