/*
** The HTML report: chart_svg() and corpus_report() (docs/report.md).
**
** chart_svg(data [, options]) turns histogram()'s JSON object into vertical
** bars (one per bin, the x axis labelled with the bin edges) and a JSON
** array of [label, value] pairs or {"label":..,"value":..} objects into
** horizontal bars (labels on the left, values at the bar ends), and
** returns one <figure> holding an inline SVG.  Every bar is an element of
** class "bar"; the figure carries data-chart="ID".  The charts carry
** classes only: their look (palette, fonts) is report_css below, defined
** once, which corpus_report() puts in the page.
**
** corpus_report(path, title, figures [, options]) writes one HTML page of
** a JSON array of such figures (json_group_array(chart_svg(...))) through
** corpus_writer (a temporary file renamed when complete), refusing an
** existing file unless overwrite=on, and returns the bytes written.  The
** figures come as one JSON array, not as variadic arguments, so that a
** query builds them (one row per chart) and the options stay the one
** trailing argument they are everywhere else.
**
** Output is deterministic: numbers are printed with fixed formats, and
** nothing depends on the time or the machine.
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "corpus_sql.h"

/* The page's stylesheet: the one place where the charts' look is set. */
static const char report_css[] =
  ":root{--ink:#1f2933;--muted:#616e7c;--grid:#e4e7eb;--bar:#3b6ea5;"
  "--bar-hover:#24507f;--panel:#ffffff;--page:#f5f7fa;"
  "font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
  "sans-serif;color:var(--ink);background:var(--page)}\n"
  "body{margin:0 auto;padding:24px 32px;max-width:1400px}\n"
  "h1{font-size:24px;margin:0 0 4px}\n"
  "header p{color:var(--muted);margin:0 0 20px;font-size:14px}\n"
  ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(560px,100%),1fr));"
  "gap:20px;align-items:start}\n"
  "figure.chart{margin:0;padding:14px 16px 10px;background:var(--panel);"
  "border:1px solid var(--grid);border-radius:6px}\n"
  "figure.chart figcaption{font-size:16px;font-weight:600;margin:0 0 8px}\n"
  "figure.chart svg{display:block;max-width:100%;height:auto;overflow:visible}\n"
  "figure.chart p{margin:6px 0 0;font-size:12px;color:var(--muted)}\n"
  "figure.chart p.empty{font-size:14px;padding:40px 0;text-align:center}\n"
  "svg text{font-size:12px;fill:var(--ink)}\n"
  "svg .tick{font-size:11px;fill:var(--muted)}\n"
  "svg .axis-title{font-size:12px;fill:var(--muted)}\n"
  "svg .value{font-size:11px}\n"
  "svg .grid{stroke:var(--grid);stroke-width:1}\n"
  "svg .axis{stroke:var(--muted);stroke-width:1}\n"
  "svg .bar{fill:var(--bar)}\n"
  "svg .bar:hover{fill:var(--bar-hover)}\n"
  "footer{margin:24px 0 0;font-size:12px;color:var(--muted)}\n";

/* ---- Output: a buffer that remembers running out of memory -------------- */

typedef struct report_out { corpus_buf b; int nomem; } report_out;

static void out_raw(report_out *o, const char *z, size_t n){
  if( o->nomem ) return;
  if( corpus_buf_append(&o->b, z, n) ) o->nomem = 1;
}
static void out_str(report_out *o, const char *z){ out_raw(o, z, strlen(z)); }
static void out_fmt(report_out *o, const char *fmt, ...){
  char tmp[256];
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if( n>0 ) out_raw(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp)-1);
}

/* z[0..n-1] as XML character data or an attribute value: & < > " '
** escaped, each invalid UTF-8 subpart and each character XML 1.0 forbids
** (controls, U+FFFE, U+FFFF) as U+FFFD, line breaks and tabs as spaces.
** At most max_chars characters (0: all); a longer text is cut to
** max_chars-1 and an ellipsis. */
static void out_esc(report_out *o, const char *z, size_t n, size_t max_chars){
  size_t i = 0, chars = 0, len;
  if( max_chars && corpus_utf8_count(z, n)>max_chars ){
    max_chars--;                    /* room for the ellipsis */
  }else{
    max_chars = 0;
  }
  while( i<n && !o->nomem ){
    int32_t c = corpus_cp_at(z, n, i, &len);
    if( max_chars && chars==max_chars ){
      out_str(o, "\xE2\x80\xA6");
      return;
    }
    chars++;
    switch( c ){
      case '&':  out_str(o, "&amp;"); break;
      case '<':  out_str(o, "&lt;"); break;
      case '>':  out_str(o, "&gt;"); break;
      case '"':  out_str(o, "&quot;"); break;
      case '\'': out_str(o, "&#39;"); break;
      case '\t': case '\n': case '\r': out_str(o, " "); break;
      default:
        /* 0xFFFD: also what an invalid sequence decodes to (its bytes
        ** must not be copied) */
        if( c<0x20 || c==0x7F || c==0xFFFE || c==0xFFFF || c==0xFFFD ){
          out_str(o, "\xEF\xBF\xBD");
        }else{
          out_raw(o, z+i, len);
        }
    }
    i += len;
  }
}
static void out_esc_buf(report_out *o, const corpus_buf *b, size_t max){
  if( b->n ) out_esc(o, b->z, b->n, max);
}

/* A number as people read it on an axis: digits significant digits (3
** unless neighbours would read the same, see axis_digits), k, M, G, T from
** compact_from on (1000 for ticks), an integer below that as it is.  out
** holds 32 bytes. */
static void report_number_d(double v, double compact_from, int digits,
                            char *out){
  static const char units[] = "kMGT";
  double a = fabs(v);
  int u = -1;
  if( a<compact_from || a<1000.0 ){
    if( v==floor(v) && a<1e15 ){
      snprintf(out, 32, "%lld", (long long)v);
    }else if( a>=pow(10, digits-1) ){
      snprintf(out, 32, "%.0f", v);     /* 999.7 reads 1000, not 1e+03 */
    }else{
      snprintf(out, 32, "%.*g", digits, v);
    }
    return;
  }
  while( u<3 && a>=1000.0 ){ a /= 1000.0; v /= 1000.0; u++; }
  if( a>=1000.0-0.5*pow(10, 3-digits) && u<3 ){     /* 999.7k reads 1M */
    v /= 1000.0;
    u++;
  }
  snprintf(out, 32, "%.*g%c", digits, v, units[u]);
}
static void report_number(double v, double compact_from, char *out){
  report_number_d(v, compact_from, 3, out);
}

/* The significant digits (3 to 15) that print the n values v[] so that
** neighbours of different value read differently: 12340, 12345, 12350 as
** 12.34k, 12.345k, 12.35k, not 12.3k, 12.3k, 12.4k. */
static int axis_digits(const double *v, size_t n, double compact_from){
  int d;
  size_t i;
  char a[32], b[32];
  for(d=3; d<15; d++){
    for(i=1; i<n; i++){
      if( v[i]==v[i-1] ) continue;
      report_number_d(v[i-1], compact_from, d, a);
      report_number_d(v[i], compact_from, d, b);
      if( strcmp(a, b)==0 ) break;
    }
    if( i>=n ) break;
  }
  return d;
}

/* A value exactly: an integer as it is, else the fewest significant
** digits that read back as the same double (what histogram() and JSON
** print).  For tooltips: <title> gives the exact value. */
static void exact_number(double v, char *out){
  if( v==floor(v) && fabs(v)<1e15 ){
    snprintf(out, 32, "%lld", (long long)v);
    return;
  }
  corpus_double_text(v, out);
}

/* The tick step for an axis from 0 to max: 1, 2 or 5 times a power of ten,
** about five ticks, at least 1 when the values are counts (integral); *top
** the first tick at or above max. */
static double nice_step(double max, int integral, double *top){
  double raw, mag, r, step;
  if( !(max>0) ){ *top = 1; return 1; }
  raw = max/5;
  mag = pow(10, floor(log10(raw)));
  r = raw/mag;
  step = (r<=1 ? 1 : r<=2 ? 2 : r<=5 ? 5 : 10)*mag;
  if( integral && step<1 ) step = 1;
  *top = ceil(max/step - 1e-9)*step;
  if( *top<max ) *top += step;
  return step;
}

/* ---- chart_svg's options ------------------------------------------------- */

typedef struct chart_opts {
  corpus_buf title, x, y, id, note, unit;
  long long width, height, max_bars;
} chart_opts;

static int chart_option(void *ctx, const char *key, const char *value,
                        char *err){
  chart_opts *o = (chart_opts*)ctx;
  if( strcmp(key, "title")==0 ) return corpus_buf_set_option(&o->title, value);
  if( strcmp(key, "x")==0 ) return corpus_buf_set_option(&o->x, value);
  if( strcmp(key, "y")==0 ) return corpus_buf_set_option(&o->y, value);
  if( strcmp(key, "id")==0 ) return corpus_buf_set_option(&o->id, value);
  if( strcmp(key, "note")==0 ) return corpus_buf_set_option(&o->note, value);
  if( strcmp(key, "unit")==0 ) return corpus_buf_set_option(&o->unit, value);
  if( strcmp(key, "width")==0 ){
    return corpus_option_int(key, value, 240, 4000, &o->width, err);
  }
  if( strcmp(key, "height")==0 ){
    return corpus_option_int(key, value, 120, 4000, &o->height, err);
  }
  if( strcmp(key, "max_bars")==0 ){
    return corpus_option_int(key, value, 2, 10000, &o->max_bars, err);
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: title, x, y, "
           "width, height, max_bars, id, note, unit)", key);
  return -1;
}

static void chart_opts_free(chart_opts *o){
  corpus_free(o->title.z);
  corpus_free(o->x.z);
  corpus_free(o->y.z);
  corpus_free(o->id.z);
  corpus_free(o->note.z);
  corpus_free(o->unit.z);
}

/* ---- Reading the data ------------------------------------------------------ */

/* A JSON number's value: 1, 0 when v is no finite number, -1 when out of
** memory. */
static int json_number(corpus_json v, double *out){
  char tmp[64];
  if( corpus_json_type(v)!=CORPUS_JSON_NUMBER ) return 0;
  if( v.n>=sizeof(tmp) ){           /* a long number: a copy of its own */
    char *z = corpus_realloc(0, v.n+1);
    if( z==0 ) return -1;
    memcpy(z, v.z, v.n);
    z[v.n] = 0;
    *out = strtod(z, 0);
    corpus_free(z);
  }else{
    memcpy(tmp, v.z, v.n);
    tmp[v.n] = 0;
    *out = strtod(tmp, 0);
  }
  return isfinite(*out) ? 1 : 0;
}

/* A bar: its label (text, unescaped), value; a bin's edges. */
typedef struct chart_bar {
  corpus_buf label;
  double value, lo, hi;
} chart_bar;

typedef struct chart_data {
  int histogram;               /* vertical bars of bins */
  chart_bar *bar;
  size_t n, cap;
  double count, nulls, below, above;   /* histogram()'s totals */
  size_t folded;               /* items summed into 'other' */
} chart_data;

static void chart_data_free(chart_data *d){
  size_t i;
  for(i=0; i<d->n; i++) corpus_free(d->bar[i].label.z);
  corpus_free(d->bar);
}

static chart_bar *chart_add(chart_data *d){
  if( d->n==d->cap ){
    size_t cap = d->cap ? d->cap*2 : 16;
    chart_bar *b = corpus_realloc(d->bar, cap*sizeof(*b));
    if( b==0 ) return 0;
    d->bar = b;
    d->cap = cap;
  }
  memset(&d->bar[d->n], 0, sizeof(chart_bar));
  return &d->bar[d->n++];
}

/* An optional numeric member of histogram()'s object (0 when absent):
** 0, 1 when present but not a number, or CORPUS_NOMEM. */
static int hist_total(corpus_json obj, const char *key, double *out){
  corpus_json v;
  int rc = corpus_json_member(obj, key, strlen(key), &v);
  *out = 0;
  if( rc<0 ) return CORPUS_NOMEM;
  if( rc==0 ) return 0;
  rc = json_number(v, out);
  if( rc<0 ) return CORPUS_NOMEM;
  return rc==1 && *out>=0 ? 0 : 1;
}

/* Reads data into d: 0, or CORPUS_NOMEM, or -1 with the message in err. */
static int chart_read(const char *z, size_t n, chart_data *d, char *err){
  size_t pos;
  const char *why;
  corpus_json root, bins, key, v;
  corpus_json_iter it;
  int rc;
  size_t i = 0;
  /* invalid UTF-8 inside strings is read as U+FFFD, not refused: labels
  ** come from data (a source's name, a domain) */
  if( corpus_json_check_why(z, n, &pos, &why) ){
    snprintf(err, CORPUS_ERRMAX, "data is not JSON: %s at byte %zu", why,
             pos);
    return -1;
  }
  root = corpus_json_root(z, n);
  if( corpus_json_type(root)==CORPUS_JSON_OBJECT ){
    static const char *const totals[] = {"count", "nulls", "below", "above"};
    double *dest[4];
    int k;
    dest[0] = &d->count; dest[1] = &d->nulls;
    dest[2] = &d->below; dest[3] = &d->above;
    rc = corpus_json_member(root, "bins", 4, &bins);
    if( rc<0 ) return CORPUS_NOMEM;
    if( rc==0 || corpus_json_type(bins)!=CORPUS_JSON_ARRAY ){
      snprintf(err, CORPUS_ERRMAX, "data must be histogram()'s JSON object "
               "(with \"bins\": [...]) or a JSON array of [label, value] "
               "pairs");
      return -1;
    }
    for(k=0; k<4; k++){
      rc = hist_total(root, totals[k], dest[k]);
      if( rc==CORPUS_NOMEM ) return rc;
      if( rc ){
        snprintf(err, CORPUS_ERRMAX, "\"%s\" must be a number >= 0",
                 totals[k]);
        return -1;
      }
    }
    d->histogram = 1;
    corpus_json_iter_init(bins, &it);
    while( corpus_json_iter_next(&it, &key, &v) ){
      corpus_json lo, hi, count;
      chart_bar *b;
      int ok = corpus_json_type(v)==CORPUS_JSON_OBJECT;
      if( ok ){
        int r1 = corpus_json_member(v, "lo", 2, &lo);
        int r2 = corpus_json_member(v, "hi", 2, &hi);
        int r3 = corpus_json_member(v, "count", 5, &count);
        if( r1<0 || r2<0 || r3<0 ) return CORPUS_NOMEM;
        ok = r1 && r2 && r3;
      }
      if( (b = chart_add(d))==0 ) return CORPUS_NOMEM;
      if( ok ){
        int r1 = json_number(lo, &b->lo), r2 = json_number(hi, &b->hi);
        int r3 = json_number(count, &b->value);
        if( r1<0 || r2<0 || r3<0 ) return CORPUS_NOMEM;
        ok = r1 && r2 && r3 && b->value>=0 && b->lo<=b->hi;
      }
      if( !ok ){
        snprintf(err, CORPUS_ERRMAX, "bins[%zu] must be {\"lo\": number, "
                 "\"hi\": number >= lo, \"count\": number >= 0}", i);
        return -1;
      }
      i++;
    }
    return 0;
  }
  if( corpus_json_type(root)!=CORPUS_JSON_ARRAY ){
    snprintf(err, CORPUS_ERRMAX, "data must be histogram()'s JSON object "
             "or a JSON array of [label, value] pairs");
    return -1;
  }
  corpus_json_iter_init(root, &it);
  while( corpus_json_iter_next(&it, &key, &v) ){
    corpus_json label, value, extra;
    chart_bar *b;
    int ok = 0, t = corpus_json_type(v);
    if( t==CORPUS_JSON_ARRAY ){
      ok = corpus_json_element(v, 0, &label) && corpus_json_element(v, 1, &value)
        && !corpus_json_element(v, 2, &extra);
    }else if( t==CORPUS_JSON_OBJECT ){
      int r1 = corpus_json_member(v, "label", 5, &label);
      int r2 = corpus_json_member(v, "value", 5, &value);
      if( r1<0 || r2<0 ) return CORPUS_NOMEM;
      ok = r1 && r2;
    }
    if( (b = chart_add(d))==0 ) return CORPUS_NOMEM;
    if( ok ){
      int tl = corpus_json_type(label);
      rc = json_number(value, &b->value);
      if( rc<0 ) return CORPUS_NOMEM;
      ok = rc==1 && b->value>=0 && tl!=CORPUS_JSON_ARRAY
        && tl!=CORPUS_JSON_OBJECT;
      if( ok ){
        if( tl==CORPUS_JSON_NULL ){
          rc = corpus_buf_append(&b->label, "(none)", 6);
        }else{
          rc = corpus_json_append_text(label, &b->label);
        }
        if( rc ) return CORPUS_NOMEM;
      }
    }
    if( !ok ){
      snprintf(err, CORPUS_ERRMAX, "data[%zu] must be [label, value] or "
               "{\"label\": ..., \"value\": ...} with a text or number label "
               "and a number value >= 0", i);
      return -1;
    }
    i++;
  }
  return 0;
}

/* Horizontal bars past max_bars: the first max_bars-1 as they are, the
** rest (N bars) summed into one bar "N others". */
static int chart_fold(chart_data *d, size_t max_bars){
  size_t i, keep;
  double sum = 0;
  char tmp[48];
  chart_bar *b;
  if( d->histogram || d->n<=max_bars ) return 0;
  keep = max_bars-1;
  for(i=keep; i<d->n; i++){
    sum += d->bar[i].value;
    corpus_free(d->bar[i].label.z);
  }
  d->folded = d->n - keep;
  d->n = keep;
  b = chart_add(d);                 /* cannot fail: the array is larger */
  b->value = sum;
  snprintf(tmp, sizeof(tmp), "%zu others", d->folded);
  return corpus_buf_append(&b->label, tmp, strlen(tmp)) ? CORPUS_NOMEM : 0;
}

/* ---- Drawing ------------------------------------------------------------------ */

/* data-chart: the id= option, else the title's letters and digits
** lowercased with '-' between words, else "chart". */
static void out_chart_id(report_out *o, const chart_opts *opt){
  size_t i, start = o->b.n;
  int dash = 0;
  if( opt->id.n ){
    out_esc_buf(o, &opt->id, 0);
    return;
  }
  for(i=0; i<opt->title.n && o->b.n-start<48; i++){
    char c = opt->title.z[i];
    if( c>='A' && c<='Z' ) c = (char)(c - 'A' + 'a');
    if( (c>='a' && c<='z') || (c>='0' && c<='9') ){
      if( dash && o->b.n>start ) out_raw(o, "-", 1);
      dash = 0;
      out_raw(o, &c, 1);
    }else{
      dash = 1;
    }
  }
  if( !o->nomem && o->b.n==start ) out_str(o, "chart");
}

static void out_figure_start(report_out *o, const chart_opts *opt){
  out_str(o, "<figure class=\"chart\" data-chart=\"");
  out_chart_id(o, opt);
  out_str(o, "\">");
  if( opt->title.n ){
    out_str(o, "<figcaption>");
    out_esc_buf(o, &opt->title, 0);
    out_str(o, "</figcaption>");
  }
}

static void out_svg_start(report_out *o, const chart_opts *opt, double w,
                          double h){
  out_fmt(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f "
          "%.0f\" width=\"%.0f\" height=\"%.0f\" role=\"img\"", w, h, w, h);
  if( opt->title.n ){
    out_str(o, " aria-label=\"");
    out_esc_buf(o, &opt->title, 0);
    out_str(o, "\"");
  }
  out_str(o, ">");
}

/* What the values count: unit= (a plural noun; one drops its final s),
** else "values". */
static void out_unit(report_out *o, const chart_opts *opt, int one){
  size_t n = opt->unit.n;
  if( n==0 ){
    out_str(o, one ? "value" : "values");
    return;
  }
  if( one && n>1 && opt->unit.z[n-1]=='s' ) n--;
  out_esc(o, opt->unit.z, n, 0);
}

/* The text under the chart: what the bars leave out, and note=. */
static void out_notes(report_out *o, const chart_data *d,
                      const chart_opts *opt){
  char num[32];
  int any = 0;
  if( d->histogram && (d->count>0 || d->nulls>0) ){
    report_number(d->count, 1e6, num);
    out_fmt(o, "<p>%s ", num);
    out_unit(o, opt, d->count==1);
    if( d->nulls>0 ){
      report_number(d->nulls, 1e6, num);
      out_fmt(o, ", %s NULL", num);
    }
    if( d->below>0 ){
      report_number(d->below, 1e6, num);
      out_fmt(o, ", %s below the first bin", num);
    }
    if( d->above>0 ){
      report_number(d->above, 1e6, num);
      out_fmt(o, ", %s above the last bin", num);
    }
    any = 1;
  }
  if( d->folded ){
    out_fmt(o, any ? "; " : "<p>");
    out_fmt(o, "&#8220;%zu others&#8221; sums the ", d->folded);
    out_unit(o, opt, 0);
    out_fmt(o, " of %zu more categories", d->folded);
    any = 1;
  }
  if( opt->note.n ){
    out_str(o, any ? "; " : "<p>");
    out_esc_buf(o, &opt->note, 0);
    any = 1;
  }
  if( any ) out_str(o, "</p>");
}

/* A label of the y axis, rotated, centred on the plot's height. */
static void out_y_title(report_out *o, const chart_opts *opt, double x,
                        double cy){
  if( !opt->y.n ) return;
  out_fmt(o, "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\" "
          "text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\">",
          x, cy, x, cy);
  out_esc_buf(o, &opt->y, 0);
  out_str(o, "</text>");
}
static void out_x_title(report_out *o, const chart_opts *opt, double cx,
                        double y){
  if( !opt->x.n ) return;
  out_fmt(o, "<text class=\"axis-title\" x=\"%.1f\" y=\"%.1f\" "
          "text-anchor=\"middle\">", cx, y);
  out_esc_buf(o, &opt->x, 0);
  out_str(o, "</text>");
}

/* The digits of the ticks 0, step, ... top. */
static int tick_digits(double top, double step){
  double v[64] = {0};
  size_t n = 0;
  double t;
  for(t=0; t<=top*(1+1e-9) && n<CORPUS_COUNT(v); t+=step) v[n++] = t;
  return axis_digits(v, n, 1000);
}

/* Vertical bars, one per bin, equal widths (a log-scaled histogram's bins
** are equal on its scale); the edges label the x axis. */
/* Whether every bar's value is a whole number. */
static int chart_integral(const chart_data *d){
  size_t i;
  for(i=0; i<d->n; i++) if( d->bar[i].value!=floor(d->bar[i].value) ) return 0;
  return 1;
}

static void draw_histogram(report_out *o, const chart_data *d,
                           const chart_opts *opt){
  double w = (double)opt->width, h = (double)opt->height;
  double left = opt->y.n ? 62 : 44, right = 20, top = 10;
  double bottom = opt->x.n ? 50 : 30;
  double pw = w - left - right, ph = h - top - bottom;
  double max = 0, ytop, step, slot, t;
  size_t i, stride, max_labels, nedge;
  double edges[128];
  int digits;
  char num[32], num2[32];
  for(i=0; i<d->n; i++) if( d->bar[i].value>max ) max = d->bar[i].value;
  step = nice_step(max, chart_integral(d), &ytop);
  digits = tick_digits(ytop, step);
  out_svg_start(o, opt, w, h);
  /* the y axis: gridlines and their numbers */
  for(t=0; t<=ytop*(1+1e-9) && !o->nomem; t+=step){
    double y = top + ph - t/ytop*ph;
    report_number_d(t, 1000, digits, num);
    out_fmt(o, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
            "y2=\"%.1f\"/><text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
            "text-anchor=\"end\">%s</text>", left, left+pw, y, y, left-6,
            y+4, num);
  }
  out_y_title(o, opt, 14, top+ph/2);
  slot = pw/(double)d->n;
  for(i=0; i<d->n && !o->nomem; i++){
    const chart_bar *b = &d->bar[i];
    double bh = b->value/ytop*ph;
    double gap = slot>6 ? 1 : 0;
    if( b->value>0 && bh<1 ) bh = 1;
    exact_number(b->lo, num);
    exact_number(b->hi, num2);
    out_fmt(o, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
            "height=\"%.1f\"><title>", left + i*slot + gap, top+ph-bh,
            slot - 2*gap, bh);
    out_fmt(o, "[%s, %s%s: ", num, num2, i+1==d->n ? "]" : ")");
    exact_number(b->value, num);
    out_fmt(o, "%s</title></rect>", num);
  }
  out_fmt(o, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
          "y2=\"%.1f\"/>", left, left+pw, top+ph, top+ph);
  /* the edges, as many as fit (about 44 px each) */
  max_labels = (size_t)(pw/44);
  if( max_labels<2 ) max_labels = 2;
  stride = (d->n + max_labels) / max_labels;
  if( stride<1 ) stride = 1;
  for(i=0, nedge=0; i<=d->n && nedge<CORPUS_COUNT(edges); i+=stride){
    edges[nedge++] = i<d->n ? d->bar[i].lo : d->bar[d->n-1].hi;
  }
  digits = axis_digits(edges, nedge, 1000);
  for(i=0; i<=d->n && !o->nomem; i+=stride){
    double edge = i<d->n ? d->bar[i].lo : d->bar[d->n-1].hi;
    report_number_d(edge, 1000, digits, num);
    out_fmt(o, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
            "text-anchor=\"middle\">%s</text>", left + i*slot, top+ph+16,
            num);
  }
  out_x_title(o, opt, left+pw/2, h-8);
  out_str(o, "</svg>");
}

#define LABEL_CHARS 40   /* a longer label is cut (or one the width cannot
                         ** hold), whole in <title> */

/* Horizontal bars: labels on the left, values at the bar ends. */
static void draw_bars(report_out *o, const chart_data *d,
                      const chart_opts *opt){
  double w = (double)opt->width, row = 24, barh = 16, top = 6;
  double bottom = opt->x.n ? 44 : 24;
  double h, left, right, pw, max = 0, xtop, step, t;
  size_t i, label_chars = 0, value_chars = 0, cut;
  double compact = 10000;
  int digits;
  char num[32];
  /* the label's room: LABEL_CHARS, or what half the width holds */
  cut = (size_t)((w*0.5 - 12)/6.8);
  if( cut>LABEL_CHARS ) cut = LABEL_CHARS;
  for(i=0; i<d->n; i++){
    if( d->bar[i].value>max ) max = d->bar[i].value;
  }
  /* one style of number in a chart: all compact (9.35k, 266k) when any
  ** value reaches 10,000 */
  if( max>=10000 ) compact = 1000;
  for(i=0; i<d->n; i++){
    size_t c = corpus_utf8_count(d->bar[i].label.z, d->bar[i].label.n);
    if( c>label_chars ) label_chars = c;
    report_number(d->bar[i].value, compact, num);
    if( strlen(num)>value_chars ) value_chars = strlen(num);
  }
  if( label_chars>cut ) label_chars = cut;
  left = 12 + 6.8*(double)label_chars;
  right = 12 + 6.6*(double)value_chars;
  pw = w - left - right;
  h = top + row*(double)d->n + bottom;
  step = nice_step(max, chart_integral(d), &xtop);
  digits = tick_digits(xtop, step);
  out_svg_start(o, opt, w, h);
  for(t=0; t<=xtop*(1+1e-9) && !o->nomem; t+=step){
    double x = left + t/xtop*pw;
    report_number_d(t, 1000, digits, num);
    out_fmt(o, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
            "y2=\"%.1f\"/><text class=\"tick\" x=\"%.1f\" y=\"%.1f\" "
            "text-anchor=\"middle\">%s</text>", x, x, top,
            top+row*(double)d->n, x, top+row*(double)d->n+14, num);
  }
  for(i=0; i<d->n && !o->nomem; i++){
    const chart_bar *b = &d->bar[i];
    double y = top + row*(double)i + (row-barh)/2;
    double bw = b->value/xtop*pw;
    if( b->value>0 && bw<1 ) bw = 1;
    out_fmt(o, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" "
            "text-anchor=\"end\">", left-6, y+barh/2+4);
    out_esc(o, b->label.z, b->label.n, cut);
    if( corpus_utf8_count(b->label.z, b->label.n)>cut ){
      out_str(o, "<title>");
      out_esc(o, b->label.z, b->label.n, 0);
      out_str(o, "</title>");
    }
    out_str(o, "</text>");
    out_fmt(o, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
            "height=\"%.1f\"><title>", left, y, bw, barh);
    out_esc(o, b->label.z, b->label.n, 0);
    exact_number(b->value, num);
    out_fmt(o, ": %s</title></rect>", num);
    report_number(b->value, compact, num);
    out_fmt(o, "<text class=\"value\" x=\"%.1f\" y=\"%.1f\">%s</text>",
            left+bw+4, y+barh/2+4, num);
  }
  out_fmt(o, "<line class=\"axis\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
          "y2=\"%.1f\"/>", left, left, top, top+row*(double)d->n);
  out_x_title(o, opt, left+pw/2, h-6);
  out_str(o, "</svg>");
}

/* chart_svg(data [, options]) -> one <figure> with an inline SVG chart. */
static void chart_svg_func(sqlite3_context *ctx, int argc,
                           sqlite3_value **argv){
  chart_opts opt;
  chart_data d;
  report_out o;
  char err[CORPUS_ERRMAX];
  int rc;
  memset(&opt, 0, sizeof(opt));
  memset(&d, 0, sizeof(d));
  memset(&o, 0, sizeof(o));
  opt.width = 560;
  opt.height = 300;
  opt.max_bars = 20;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "chart_svg", "data", argv[0]) ) return;
  if( argc>1 && corpus_apply_options(ctx, "chart_svg", argv[1], chart_option,
                                     &opt) ){
    goto done;
  }
  {
    const char *z = (const char*)sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    if( z==0 ){ sqlite3_result_error_nomem(ctx); goto done; }
    err[0] = 0;
    rc = chart_read(z, n, &d, err);
  }
  if( rc==0 ) rc = chart_fold(&d, (size_t)opt.max_bars);
  if( rc==CORPUS_NOMEM ){ sqlite3_result_error_nomem(ctx); goto done; }
  if( rc ){
    corpus_result_error(ctx, "chart_svg", "%s", err);
    goto done;
  }
  out_figure_start(&o, &opt);
  if( d.n==0 ){
    out_str(&o, "<p class=\"empty\">no data</p>");
  }else if( d.histogram ){
    draw_histogram(&o, &d, &opt);
  }else{
    draw_bars(&o, &d, &opt);
  }
  out_notes(&o, &d, &opt);
  out_str(&o, "</figure>");
  if( o.nomem ){
    sqlite3_result_error_nomem(ctx);
  }else if( o.b.n>(size_t)0x7fffffff ){
    sqlite3_result_error_toobig(ctx);
  }else{
    sqlite3_result_text64(ctx, o.b.z, o.b.n, sqlite3_free, SQLITE_UTF8);
    o.b.z = 0;
  }
done:
  corpus_free(o.b.z);
  chart_data_free(&d);
  chart_opts_free(&opt);
}

/* ---- corpus_report ------------------------------------------------------------- */

typedef struct report_opts {
  int overwrite;
  corpus_buf note;
} report_opts;

static int report_option(void *ctx, const char *key, const char *value,
                         char *err){
  report_opts *o = (report_opts*)ctx;
  if( strcmp(key, "overwrite")==0 ){
    int v = corpus_option_choice(key, value, "off|on", err);
    if( v<0 ) return -1;
    o->overwrite = v;
    return 0;
  }
  if( strcmp(key, "note")==0 ) return corpus_buf_set_option(&o->note, value);
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: overwrite, "
           "note)", key);
  return -1;
}

/* Whether a figure's text starts with "<figure" after white space. */
static int is_figure(const corpus_buf *b){
  size_t i = 0;
  while( i<b->n && (b->z[i]==' ' || b->z[i]=='\n' || b->z[i]=='\t'
                    || b->z[i]=='\r') ) i++;
  return b->n-i>=7 && memcmp(b->z+i, "<figure", 7)==0;
}

/* Whether a figure holds what would run in a browser: a "<script" tag or,
** inside a tag and outside quoted attribute values, an event attribute
** (white space or '/', "on", letters, optional white space, "="), in any
** case.  chart_svg() writes neither; the page promises no JavaScript. */
static int is_space(char c){
  return c==' ' || c=='\t' || c=='\n' || c=='\r' || c=='\f';
}
static int has_script(const corpus_buf *b){
  size_t i, j;
  char quote = 0;
  int in_tag = 0;
  for(i=0; i<b->n; i++){
    char c = b->z[i];
    if( !in_tag ){
      if( c!='<' ) continue;
      if( b->n-i>=7 && sqlite3_strnicmp(b->z+i+1, "script", 6)==0 ) return 1;
      in_tag = 1;
    }else if( quote ){
      if( c==quote ) quote = 0;
    }else if( c=='"' || c=='\'' ){
      quote = c;
    }else if( c=='>' ){
      in_tag = 0;
    }else if( (is_space(c) || c=='/') && i+3<b->n
           && (b->z[i+1]|0x20)=='o' && (b->z[i+2]|0x20)=='n' ){
      j = i+3;
      while( j<b->n && (((b->z[j]|0x20)>='a' && (b->z[j]|0x20)<='z')
                        || b->z[j]=='-' || b->z[j]=='_') ) j++;
      if( j==i+3 ) continue;
      while( j<b->n && is_space(b->z[j]) ) j++;
      if( j<b->n && b->z[j]=='=' ) return 1;
    }
  }
  return 0;
}

/* The page: title, note, the figures in a grid, the stylesheet inline; no
** script, nothing fetched. */
static int report_page(report_out *o, const char *title, size_t ntitle,
                       const report_opts *opt, corpus_json figures,
                       char *err){
  corpus_json_iter it;
  corpus_json key, v;
  corpus_buf fig = {0, 0, 0};
  size_t i = 0;
  out_str(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
          "content=\"width=device-width, initial-scale=1\">\n<title>");
  out_esc(o, title, ntitle, 0);
  out_str(o, "</title>\n<style>\n");
  out_str(o, report_css);
  out_str(o, "</style>\n</head>\n<body>\n<header><h1>");
  out_esc(o, title, ntitle, 0);
  out_str(o, "</h1>");
  if( opt->note.n ){
    out_str(o, "<p>");
    out_esc_buf(o, &opt->note, 0);
    out_str(o, "</p>");
  }
  out_str(o, "</header>\n<main class=\"grid\">\n");
  corpus_json_iter_init(figures, &it);
  while( corpus_json_iter_next(&it, &key, &v) && !o->nomem ){
    fig.n = 0;
    if( corpus_json_type(v)==CORPUS_JSON_STRING ){
      if( corpus_json_append_text(v, &fig) ){    /* invalid UTF-8: U+FFFD */
        corpus_free(fig.z);
        return CORPUS_NOMEM;
      }
    }
    if( corpus_json_type(v)!=CORPUS_JSON_STRING || !is_figure(&fig) ){
      corpus_free(fig.z);
      snprintf(err, CORPUS_ERRMAX, "figures[%zu] is not a chart_svg() figure "
               "(a string that starts with <figure)", i);
      return -1;
    }
    if( has_script(&fig) ){
      corpus_free(fig.z);
      snprintf(err, CORPUS_ERRMAX, "figures[%zu] holds a script (<script or "
               "an on...= event attribute): the page runs no JavaScript", i);
      return -1;
    }
    out_raw(o, fig.z, fig.n);
    out_str(o, "\n");
    i++;
  }
  corpus_free(fig.z);
  out_str(o, "</main>\n<footer>Written by corpus_report() of sqlite-corpus."
          "</footer>\n</body>\n</html>\n");
  return o->nomem ? CORPUS_NOMEM : 0;
}

/* corpus_report(path, title, figures [, options]) -> bytes written. */
static void corpus_report_func(sqlite3_context *ctx, int argc,
                               sqlite3_value **argv){
  report_opts opt;
  report_out o;
  corpus_writer *w = 0;
  char err[CORPUS_ERRMAX];
  const char *path, *title, *figs;
  size_t nfigs, pos;
  const char *why;
  int rc;
  memset(&opt, 0, sizeof(opt));
  memset(&o, 0, sizeof(o));
  if( sqlite3_value_type(argv[0])==SQLITE_NULL ){
    corpus_result_error(ctx, "corpus_report", "path must not be NULL");
    return;
  }
  if( corpus_check_text(ctx, "corpus_report", "path", argv[0])
   || corpus_check_text(ctx, "corpus_report", "title", argv[1])
   || corpus_check_text(ctx, "corpus_report", "figures", argv[2]) ){
    return;
  }
  if( argc>3 && corpus_apply_options(ctx, "corpus_report", argv[3],
                                     report_option, &opt) ){
    goto done;
  }
  path = (const char*)sqlite3_value_text(argv[0]);
  title = (const char*)sqlite3_value_text(argv[1]);
  figs = (const char*)sqlite3_value_text(argv[2]);
  if( path==0 || title==0 || figs==0 ){
    sqlite3_result_error_nomem(ctx);
    goto done;
  }
  if( corpus_text_has_nul(argv[0]) ){
    corpus_result_error(ctx, "corpus_report", "path must not hold a NUL byte");
    goto done;
  }
  if( path[0]==0 ){
    corpus_result_error(ctx, "corpus_report", "path must not be empty");
    goto done;
  }
  nfigs = (size_t)sqlite3_value_bytes(argv[2]);
  if( corpus_json_check_why(figs, nfigs, &pos, &why) ){
    corpus_result_error(ctx, "corpus_report", "figures is not JSON: %s at "
                        "byte %lld (figures must be a JSON array of "
                        "chart_svg() figures: json_array(chart_svg(...), "
                        "...) or json_group_array(chart_svg(...)))", why,
                        (long long)pos);
    goto done;
  }
  if( corpus_json_type(corpus_json_root(figs, nfigs))!=CORPUS_JSON_ARRAY ){
    corpus_result_error(ctx, "corpus_report", "figures must be a JSON array "
                        "of chart_svg() figures: json_array(chart_svg(...), "
                        "...) or json_group_array(chart_svg(...))");
    goto done;
  }
  err[0] = 0;
  rc = report_page(&o, title, (size_t)sqlite3_value_bytes(argv[1]), &opt,
                   corpus_json_root(figs, nfigs), err);
  if( rc==CORPUS_NOMEM ){ sqlite3_result_error_nomem(ctx); goto done; }
  if( rc ){
    corpus_result_error(ctx, "corpus_report", "%s", err);
    goto done;
  }
  rc = corpus_writer_open(path, opt.overwrite, 0, &w, err);
  if( rc==0 ) rc = corpus_writer_write(w, o.b.z, o.b.n);
  if( rc==0 ) rc = corpus_writer_finish(w);
  if( rc==0 ) rc = corpus_writer_commit(w);
  if( rc==CORPUS_NOMEM ){
    sqlite3_result_error_nomem(ctx);
  }else if( rc ){
    corpus_result_error(ctx, "corpus_report", "%s", w ? w->err : err);
  }else{
    sqlite3_result_int64(ctx, w->raw);
  }
done:
  corpus_writer_abort(w);
  corpus_free(o.b.z);
  corpus_free(opt.note.z);
}

static const corpus_sql report_sql[] = {
  CORPUS_SCALAR("chart_svg", 1, CORPUS_PURE, chart_svg_func),
  CORPUS_SCALAR("chart_svg", 2, CORPUS_PURE, chart_svg_func),
  CORPUS_SCALAR("corpus_report", 3, CORPUS_DIRECTONLY, corpus_report_func),
  CORPUS_SCALAR("corpus_report", 4, CORPUS_DIRECTONLY, corpus_report_func),
};
int corpus_report_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, report_sql, CORPUS_COUNT(report_sql), pzErr);
}
