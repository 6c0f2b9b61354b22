/*
** Locality-sensitive hashing of MinHash signatures by banding.
**
** SQL:
**   lsh_params(threshold [, num_perm [, fp_weight, fn_weight]]) -> JSON
**   lsh_bucket(sig, band, bands [, rows])  -> INTEGER bucket key
**   lsh_bands(sig, bands [, rows])         table: band, bucket
**
** A signature cut into b bands of r rows becomes b bucket keys; two texts
** with Jaccard s share at least one bucket with probability 1-(1-s^r)^b.
** lsh_params() picks (b, r) as datasketch's _optimal_param does: over every
** b and every r <= num_perm/b, the least fp_weight*FP + fn_weight*FN, FP
** and FN being the integrals of that curve below and above the threshold.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "corpus_sql.h"

/* ---- Parameter choice ----------------------------------------------------- */

typedef struct lsh_curve { int b, r; int above; } lsh_curve;

/* FP integrand (s below the threshold) or FN integrand (above). */
static double lsh_integrand(const lsh_curve *c, double s){
  double miss = pow(1.0 - pow(s, c->r), c->b);
  return c->above ? miss : 1.0 - miss;
}

static double simpson_step(const lsh_curve *c, double a, double b, double fa,
                           double fm, double fb, double whole, double eps,
                           int depth){
  double m = (a+b)/2, lm = (a+m)/2, rm = (m+b)/2;
  double flm = lsh_integrand(c, lm), frm = lsh_integrand(c, rm);
  double left = (m-a)/6 * (fa + 4*flm + fm);
  double right = (b-m)/6 * (fm + 4*frm + fb);
  double delta = left + right - whole;
  if( depth<=0 || fabs(delta)<=15*eps ) return left + right + delta/15;
  return simpson_step(c, a, m, fa, flm, fm, left, eps/2, depth-1)
       + simpson_step(c, m, b, fm, frm, fb, right, eps/2, depth-1);
}

/* Adaptive Simpson to 1e-12, far below the gaps between candidates'
** errors, so that the choice matches scipy's quad in datasketch. */
static double lsh_integral(const lsh_curve *c, double a, double b){
  double fa = lsh_integrand(c, a), fb = lsh_integrand(c, b);
  double fm = lsh_integrand(c, (a+b)/2);
  double whole = (b-a)/6 * (fa + 4*fm + fb);
  return simpson_step(c, a, b, fa, fm, fb, whole, 1e-12, 40);
}

void corpus_lsh_params(double threshold, int num_perm, double fp_weight,
                       double fn_weight, int *bands, int *rows, double *fp,
                       double *fn){
  double best = INFINITY;
  int b, r;
  *bands = *rows = 0;
  for(b=1; b<=num_perm; b++){
    for(r=1; r<=num_perm/b; r++){
      lsh_curve lo = {b, r, 0}, hi = {b, r, 1};
      double efp = lsh_integral(&lo, 0.0, threshold);
      double efn = lsh_integral(&hi, threshold, 1.0);
      double err = efp*fp_weight + efn*fn_weight;
      if( err<best ){
        best = err;
        *bands = b;
        *rows = r;
        *fp = efp;
        *fn = efn;
      }
    }
  }
}

int corpus_lsh_banding(double threshold, int num_perm, int *bands, int *rows,
                       char *err){
  if( *bands==0 && *rows==0 ){
    double fp, fn;
    corpus_lsh_params(threshold, num_perm, 0.05, 0.95, bands, rows, &fp, &fn);
    return 0;
  }
  if( *bands>num_perm || *rows>num_perm ){
    snprintf(err, CORPUS_ERRMAX, "%s must be 1..%d (num_perm), got %d",
             *bands>num_perm ? "bands" : "rows", num_perm,
             *bands>num_perm ? *bands : *rows);
    return -1;
  }
  if( *rows==0 ) *rows = num_perm / *bands;
  if( *bands==0 ) *bands = num_perm / *rows;
  if( *bands * *rows > num_perm ){
    snprintf(err, CORPUS_ERRMAX, "bands*rows must be at most num_perm (%d), "
             "got %d*%d", num_perm, *bands, *rows);
    return -1;
  }
  return 0;
}

uint64_t corpus_lsh_bucket(const unsigned char *values, int band, int rows){
  return corpus_xxh3(values + 4*(size_t)band*(size_t)rows, 4*(size_t)rows,
                     (uint64_t)band);
}

/* ---- SQL ----------------------------------------------------------------- */

static int number_arg(sqlite3_context *ctx, const char *func, const char *name,
                      sqlite3_value *v, double *out){
  int t = sqlite3_value_type(v);
  if( t!=SQLITE_INTEGER && t!=SQLITE_FLOAT ){
    corpus_result_error(ctx, func, "%s must be a number, got %s", name,
                        corpus_type_name(t));
    return 1;
  }
  *out = sqlite3_value_double(v);
  return 0;
}

static int integer_arg(sqlite3_context *ctx, const char *func,
                       const char *name, sqlite3_value *v, sqlite3_int64 lo,
                       sqlite3_int64 hi, sqlite3_int64 *out){
  int t = sqlite3_value_type(v);
  if( t!=SQLITE_INTEGER ){
    corpus_result_error(ctx, func, "%s must be INTEGER, got %s", name,
                        corpus_type_name(t));
    return 1;
  }
  *out = sqlite3_value_int64(v);
  if( *out<lo || *out>hi ){
    corpus_result_error(ctx, func, "%s must be %lld..%lld, got %lld", name,
                        lo, hi, *out);
    return 1;
  }
  return 0;
}

static void lsh_params_func(sqlite3_context *ctx, int argc,
                            sqlite3_value **argv){
  double t, wfp = 0.5, wfn = 0.5, fp = 0, fn = 0;
  sqlite3_int64 num_perm = 128;
  int b, r;
  char *z;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( number_arg(ctx, "lsh_params", "threshold", argv[0], &t) ) return;
  if( !(t>0.0 && t<1.0) ){
    corpus_result_error(ctx, "lsh_params", "threshold must be between 0 and "
                        "1 (exclusive), got %g", t);
    return;
  }
  if( argc>1 && integer_arg(ctx, "lsh_params", "num_perm", argv[1], 1,
                            CORPUS_MINHASH_MAX_PERM, &num_perm) ){
    return;
  }
  if( argc>2 ){
    if( number_arg(ctx, "lsh_params", "fp_weight", argv[2], &wfp)
     || number_arg(ctx, "lsh_params", "fn_weight", argv[3], &wfn) ){
      return;
    }
    if( !(wfp>=0 && wfn>=0 && fabs(wfp + wfn - 1.0)<1e-9) ){
      corpus_result_error(ctx, "lsh_params", "fp_weight and fn_weight must be "
                          "non-negative and sum to 1, got %g and %g", wfp, wfn);
      return;
    }
  }
  corpus_lsh_params(t, (int)num_perm, wfp, wfn, &b, &r, &fp, &fn);
  z = sqlite3_mprintf("{\"bands\":%d,\"rows\":%d,\"fp\":%.6g,\"fn\":%.6g}",
                      b, r, fp, fn);
  if( z==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, z, -1, sqlite3_free);
  sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
}

/* Checks bands and rows (rows 0: num_perm/bands) against a signature;
** message without the function name into err. */
static int check_banding(int num_perm, sqlite3_int64 bands, sqlite3_int64 *rows,
                         char *err){
  if( bands<1 || bands>num_perm ){
    snprintf(err, CORPUS_ERRMAX, "bands must be 1..%d (num_perm), got %lld",
             num_perm, bands);
    return -1;
  }
  if( *rows==0 ) *rows = num_perm / bands;
  if( *rows<1 || *rows>num_perm || bands * *rows > num_perm ){
    snprintf(err, CORPUS_ERRMAX, "bands*rows must be at most num_perm (%d), "
             "got %lld*%lld", num_perm, bands, *rows);
    return -1;
  }
  return 0;
}

static void lsh_bucket_func(sqlite3_context *ctx, int argc,
                            sqlite3_value **argv){
  corpus_minhash_sig sig;
  sqlite3_int64 band, bands, rows = 0;
  char err[CORPUS_ERRMAX];
  int i;
  for(i=0; i<argc; i++) if( sqlite3_value_type(argv[i])==SQLITE_NULL ) return;
  if( corpus_sig_arg(ctx, "lsh_bucket", "sig", argv[0], &sig) ) return;
  if( integer_arg(ctx, "lsh_bucket", "bands", argv[2], INT64_MIN, INT64_MAX,
                  &bands) ) return;   /* check_banding() says the range */
  if( argc>3 && integer_arg(ctx, "lsh_bucket", "rows", argv[3], 1,
                            CORPUS_MINHASH_MAX_PERM, &rows) ) return;
  if( check_banding(sig.params.num_perm, bands, &rows, err) ){
    corpus_result_error(ctx, "lsh_bucket", "%s", err);
    return;
  }
  if( integer_arg(ctx, "lsh_bucket", "band", argv[1], 0, bands-1, &band) ){
    return;
  }
  if( sig.empty ) return;   /* no shingles: never a candidate */
  sqlite3_result_int64(ctx, (sqlite3_int64)corpus_lsh_bucket(sig.values,
                                                   (int)band, (int)rows));
}

/* ---- lsh_bands(sig, bands [, rows]) ------------------------------------------ */

#define BANDS_BAND    0
#define BANDS_BUCKET  1

typedef struct bands_cursor {
  corpus_tvf_cursor base;
  sqlite3_int64 *buckets;
} bands_cursor;

static void bands_reset(corpus_tvf_cursor *cur){
  bands_cursor *c = (bands_cursor*)cur;
  corpus_free(c->buckets);
  c->buckets = 0;
}

static int bands_error(corpus_tvf_cursor *cur, const char *msg){
  return corpus_tvf_error(cur, "%s", msg);
}

static int bands_filter(corpus_tvf_cursor *cur, sqlite3_value **args){
  bands_cursor *c = (bands_cursor*)cur;
  corpus_minhash_sig sig;
  sqlite3_int64 bands, rows = 0;
  char err[CORPUS_ERRMAX];
  int i;
  if( sqlite3_value_type(args[0])==SQLITE_NULL ) return SQLITE_OK;
  if( sqlite3_value_type(args[0])!=SQLITE_BLOB ){
    snprintf(err, sizeof(err), "sig must be a minhash signature BLOB, got %s",
             corpus_type_name(sqlite3_value_type(args[0])));
    return bands_error(cur, err);
  }
  if( corpus_minhash_decode(sqlite3_value_blob(args[0]),
                            (size_t)sqlite3_value_bytes(args[0]), &sig, err) ){
    char msg[CORPUS_ERRMAX + 8];
    snprintf(msg, sizeof(msg), "sig %s", err);
    return bands_error(cur, msg);
  }
  for(i=1; i<3; i++){
    if( args[i]==0 || sqlite3_value_type(args[i])==SQLITE_INTEGER ) continue;
    if( i==2 && sqlite3_value_type(args[i])==SQLITE_NULL ) continue;
    snprintf(err, sizeof(err), "%s must be INTEGER, got %s",
             i==1 ? "bands" : "rows",
             corpus_type_name(sqlite3_value_type(args[i])));
    return bands_error(cur, err);
  }
  bands = sqlite3_value_int64(args[1]);
  if( args[2] ){
    rows = sqlite3_value_int64(args[2]);
    if( sqlite3_value_type(args[2])!=SQLITE_NULL
     && (rows<1 || rows>CORPUS_MINHASH_MAX_PERM) ){
      snprintf(err, sizeof(err), "rows must be 1..%d, got %lld",
               CORPUS_MINHASH_MAX_PERM, rows);
      return bands_error(cur, err);
    }
  }
  if( check_banding(sig.params.num_perm, bands, &rows, err) ){
    return bands_error(cur, err);
  }
  if( sig.empty ) return SQLITE_OK;
  c->buckets = corpus_realloc(0, sizeof(sqlite3_int64)*(size_t)bands);
  if( c->buckets==0 ) return SQLITE_NOMEM;
  for(i=0; i<bands; i++){
    c->buckets[i] = (sqlite3_int64)corpus_lsh_bucket(sig.values, i, (int)rows);
  }
  cur->nrow = bands;
  return SQLITE_OK;
}

static int bands_column(corpus_tvf_cursor *cur, sqlite3_context *ctx,
                        int col){
  bands_cursor *c = (bands_cursor*)cur;
  if( col==BANDS_BAND ) sqlite3_result_int64(ctx, cur->row);
  else sqlite3_result_int64(ctx, c->buckets[cur->row]);
  return SQLITE_OK;
}

static const char *const bands_args[] = {"sig", "bands", "rows"};
static const corpus_tvf bands_tvf = {
  "lsh_bands",
  "CREATE TABLE x(band INTEGER, bucket INTEGER, sig HIDDEN, bands HIDDEN, "
  "rows HIDDEN)",
  2, 3, 2, bands_args, SQLITE_VTAB_INNOCUOUS, sizeof(bands_cursor),
  bands_filter, bands_column, bands_reset, 0, 0
};

static const corpus_sql lsh_sql[] = {
  CORPUS_SCALAR("lsh_params", 1, CORPUS_PURE | CORPUS_JSON_RESULT, lsh_params_func),
  CORPUS_SCALAR("lsh_params", 2, CORPUS_PURE | CORPUS_JSON_RESULT, lsh_params_func),
  CORPUS_SCALAR("lsh_params", 4, CORPUS_PURE | CORPUS_JSON_RESULT, lsh_params_func),
  CORPUS_SCALAR("lsh_bucket", 3, CORPUS_PURE, lsh_bucket_func),
  CORPUS_SCALAR("lsh_bucket", 4, CORPUS_PURE, lsh_bucket_func),
  CORPUS_TABLE_FUNCTION("lsh_bands", &bands_tvf),
};

int corpus_lsh_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, lsh_sql, CORPUS_COUNT(lsh_sql), pzErr);
}
