/*
** Evaluation sets: prompts from rows, few-shot contexts as
** lm-evaluation-harness builds them, contextual calibration.
**
**   prompt(template, values)                      -> TEXT
**   fewshot(query_id, query_text, pool, k [, options])  -> TEXT
**   calibrate(probs, content_free_probs)          -> JSON array
**   content_free_probs(probs)   aggregate          -> JSON array
**
** prompt()'s template language, in the manner of Mustache:
**
**   {{name}}  {{a.b}}  {{a[0]}}   a value of the JSON object `values`
**   {{name|text}}                 text when the value is missing or null
**   {{#list}}...{{/list}}         the block once per element of an array
**                                 (once for any other value that is not
**                                 false, null, missing or an empty array)
**   {{^list}}...{{/list}}         the block when that is not the case
**   {{.}}                         the current element
**   {{@index}} {{@number}} {{@letter}}   0, 1, A for the first element
**   {{{{                          a literal "{{"
**
** A name is looked up in the current element first, then in the enclosing
** ones, out to `values`.  Strings are inserted unescaped, numbers, true and
** false as written, null as nothing, arrays and objects as their JSON.
** The template is compiled once per statement (sqlite3_set_auxdata) when it
** is the same for every row.  A container of the values that is not small
** is indexed at its first lookup (per call), so that the lookups of many
** tags, or of one tag in each element of a section, do not each scan it.
*/
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "corpus_sql.h"

enum { N_TEXT, N_VAR, N_SECTION, N_INVERTED, N_END };

typedef struct pnode {
  int kind;
  size_t a, b;        /* TEXT: the text; VAR, SECTION: the path */
  size_t da, db;      /* VAR: the default, when has_default */
  int has_default;
  size_t end;         /* SECTION: the index of its N_END */
  size_t offset;      /* of the tag, in characters, for errors */
} pnode;

typedef struct ptemplate {
  char *z;            /* a copy of the template */
  size_t n;
  pnode *node;
  size_t nnode;
} ptemplate;

static void template_free(void *p){
  ptemplate *t = (ptemplate*)p;
  if( t==0 ) return;
  corpus_free(t->z);
  corpus_free(t->node);
  corpus_free(t);
}


static int add_node(ptemplate *t, size_t *cap, pnode *nd){
  if( t->nnode==*cap ){
    size_t c = *cap ? *cap*2 : 16;
    pnode *p = corpus_realloc(t->node, c*sizeof(pnode));
    if( p==0 ) return -1;
    t->node = p;
    *cap = c;
  }
  t->node[t->nnode++] = *nd;
  return 0;
}

/* White space inside a {{tag}}: the four characters JSON allows. */
static int tag_space(char c){
  return c==' ' || c=='\t' || c=='\n' || c=='\r';
}

/* A path: name or @name, then .name or [digits] parts; or "." alone. */
static int valid_path(const char *z, size_t a, size_t b){
  size_t i = a;
  if( b-a==1 && z[a]=='.' ) return 1;
  if( i<b && z[i]=='@' ) i++;
  for(;;){
    size_t s = i;
    while( i<b && z[i]!='.' && z[i]!='[' && z[i]!=']' && !tag_space(z[i])
        && z[i]!='{' && z[i]!='}' && z[i]!='|' ) i++;
    if( i==s ) return 0;
    while( i<b && z[i]=='[' ){
      size_t d = ++i;
      while( i<b && z[i]>='0' && z[i]<='9' ) i++;
      /* at most 18 digits: an index that fits, with no wrap-around */
      if( i==d || i-d>18 || i>=b || z[i]!=']' ) return 0;
      i++;
    }
    if( i==b ) return 1;
    if( z[i]!='.' ) return 0;
    i++;
  }
}

/* Compiles z[0..n-1]; on error writes err and returns NULL (*oom set when
** memory ran out). */
static ptemplate *compile(const char *z, size_t n, char *err, int *oom){
  ptemplate *t = corpus_realloc(0, sizeof(*t));
  size_t cap = 0, i = 0, text = 0;
  size_t open[64], nopen = 0;   /* open sections, innermost last */
  corpus_char_counter oc = {0, 0};   /* the tags' offsets, counted once */
  pnode nd;
  *oom = 0;
  if( t==0 ){ *oom = 1; return 0; }
  memset(t, 0, sizeof(*t));
  if( corpus_utf8_valid(z, n) ){
    t->z = corpus_realloc(0, n ? n : 1);
    if( t->z==0 ) goto nomem;
    memcpy(t->z, z, n);
  }else{
    /* its text is copied to the output: invalid parts become U+FFFD there,
    ** as in every TEXT result */
    corpus_buf b = {0, 0, 0};
    if( corpus_buf_append_utf8(&b, z, n) ){ corpus_free(b.z); goto nomem; }
    t->z = b.z;
    n = b.n;
  }
  t->n = n;
  z = t->z;
  while( i<n ){
    const char *p = memchr(z+i, '{', n-i);
    size_t tag, a, b, close;
    if( p==0 ) break;
    tag = (size_t)(p-z);
    if( tag+1>=n || z[tag+1]!='{' ){ i = tag+1; continue; }
    if( tag+3<n && z[tag+2]=='{' && z[tag+3]=='{' ){
      /* {{{{ : a literal {{ */
      memset(&nd, 0, sizeof(nd));
      nd.kind = N_TEXT; nd.a = text; nd.b = tag+2;
      if( add_node(t, &cap, &nd) ) goto nomem;
      i = text = tag+4;
      continue;
    }
    if( tag>text ){
      memset(&nd, 0, sizeof(nd));
      nd.kind = N_TEXT; nd.a = text; nd.b = tag;
      if( add_node(t, &cap, &nd) ) goto nomem;
    }
    p = 0;
    for(close=tag+2; close+1<n; close++){
      if( z[close]=='}' && z[close+1]=='}' ){ p = z+close; break; }
      if( z[close]=='{' && z[close+1]=='{' ) break;
    }
    if( p==0 ){
      snprintf(err, CORPUS_ERRMAX, "unclosed tag '{{' at offset %zu",
               corpus_char_offset(&oc, z, tag));
      goto fail;
    }
    a = tag+2;
    b = close;
    while( a<b && tag_space(z[a]) ) a++;
    while( b>a && tag_space(z[b-1]) ) b--;
    memset(&nd, 0, sizeof(nd));
    nd.offset = corpus_char_offset(&oc, z, tag);
    if( a<b && (z[a]=='#' || z[a]=='^' || z[a]=='/') ){
      char sigil = z[a];
      a++;
      while( a<b && tag_space(z[a]) ) a++;
      if( !valid_path(z, a, b) ){
        snprintf(err, CORPUS_ERRMAX, "bad name '%.*s' in tag at offset %zu",
                 (int)(b-a>40 ? 40 : b-a), z+a, nd.offset);
        goto fail;
      }
      if( sigil=='/' ){
        pnode *o;
        if( nopen==0 ){
          snprintf(err, CORPUS_ERRMAX, "'{{/%.*s}}' at offset %zu closes no "
                   "section", (int)(b-a>40 ? 40 : b-a), z+a, nd.offset);
          goto fail;
        }
        o = &t->node[open[nopen-1]];
        if( o->b-o->a!=b-a || memcmp(z+o->a, z+a, b-a)!=0 ){
          snprintf(err, CORPUS_ERRMAX, "'{{/%.*s}}' at offset %zu closes "
                   "section '%.*s' opened at offset %zu",
                   (int)(b-a>40 ? 40 : b-a), z+a, nd.offset,
                   (int)(o->b-o->a>40 ? 40 : o->b-o->a), z+o->a, o->offset);
          goto fail;
        }
        o->end = t->nnode;
        nopen--;
        nd.kind = N_END;
      }else{
        if( nopen==sizeof(open)/sizeof(open[0]) ){
          snprintf(err, CORPUS_ERRMAX, "sections nested deeper than 64 at "
                   "offset %zu", nd.offset);
          goto fail;
        }
        nd.kind = sigil=='#' ? N_SECTION : N_INVERTED;
        nd.a = a; nd.b = b;
        open[nopen++] = t->nnode;
      }
    }else{
      const char *bar = memchr(z+a, '|', b-a);
      size_t pe = bar ? (size_t)(bar-z) : b;
      while( pe>a && tag_space(z[pe-1]) ) pe--;
      if( !valid_path(z, a, pe) ){
        snprintf(err, CORPUS_ERRMAX, "bad name '%.*s' in tag at offset %zu",
                 (int)(pe-a>40 ? 40 : pe-a), z+a, nd.offset);
        goto fail;
      }
      nd.kind = N_VAR;
      nd.a = a; nd.b = pe;
      if( bar ){
        nd.has_default = 1;
        nd.da = (size_t)(bar-z)+1;
        nd.db = close;      /* the default keeps its spaces */
      }
    }
    if( add_node(t, &cap, &nd) ) goto nomem;
    i = text = close+2;
  }
  if( nopen ){
    pnode *o = &t->node[open[nopen-1]];
    snprintf(err, CORPUS_ERRMAX, "section '%.*s' opened at offset %zu is "
             "not closed", (int)(o->b-o->a>40 ? 40 : o->b-o->a), z+o->a,
             o->offset);
    goto fail;
  }
  if( n>text ){
    memset(&nd, 0, sizeof(nd));
    nd.kind = N_TEXT; nd.a = text; nd.b = n;
    if( add_node(t, &cap, &nd) ) goto nomem;
  }
  return t;
nomem:
  *oom = 1;
fail:
  template_free(t);
  return 0;
}

/* ---- Rendering ------------------------------------------------------------ */

typedef struct frame {
  corpus_json value;
  long long index;      /* of the element in its array, or -1 */
} frame;

/* Containers smaller than this are scanned at each lookup, which then
** costs about what hashing the key would; larger ones are indexed at their
** first lookup, so that no lookup scans a container that can be large. */
#define INDEX_MIN_BYTES 256

/* A container's index, by the address of its text. */
typedef struct icache_entry {
  const char *z;
  corpus_json_index *x;
} icache_entry;

typedef struct render {
  const ptemplate *t;
  frame stack[65];
  int depth;
  corpus_buf out;
  char *err;
  int oom;
  icache_entry *ic;   /* open addressing, a power of 2 of entries */
  size_t nic, icmask;
  /* The budget: sections over arrays multiply (k nested sections over two
  ** elements render their body 2^k times), and prompt() is INNOCUOUS, so
  ** a view in an untrusted file may call it.  Each node rendered is a step,
  ** and each frame a name is looked up in. */
  sqlite3_int64 steps, max_steps;
  size_t max_out;     /* SQLITE_LIMIT_LENGTH */
} render;

/* The budget of steps: enough for every template whose work follows its
** output or its values (16 steps per byte of either), never less than
** 2^22 (about 50 ms). */
#define RENDER_MIN_STEPS ((sqlite3_int64)1<<22)
#define RENDER_STEPS_PER_BYTE 16

static size_t icache_home(const render *r, const char *z){
  return (size_t)(((uint64_t)(uintptr_t)z * 0x9E3779B97F4A7C15ULL) >> 20)
         & r->icmask;
}

static void icache_free(render *r){
  size_t i;
  if( r->ic==0 ) return;
  for(i=0; i<=r->icmask; i++) corpus_json_index_free(r->ic[i].x);
  corpus_free(r->ic);
  r->ic = 0;
}

/* The index of the container v, built at its first lookup; NULL with
** r->oom set when memory ran out. */
static corpus_json_index *index_of(render *r, corpus_json v){
  size_t i;
  if( r->ic==0 || 2*(r->nic+1)>r->icmask+1 ){
    size_t cap = r->ic ? 2*(r->icmask+1) : 16, old = r->ic ? r->icmask+1 : 0;
    icache_entry *o = r->ic, *p = corpus_realloc(0, cap*sizeof(*p));
    if( p==0 ){ r->oom = 1; return 0; }
    memset(p, 0, cap*sizeof(*p));
    r->ic = p;
    r->icmask = cap-1;
    for(i=0; i<old; i++){
      size_t h;
      if( o[i].z==0 ) continue;
      for(h=icache_home(r, o[i].z); p[h].z; h=(h+1)&r->icmask){}
      p[h] = o[i];
    }
    corpus_free(o);
  }
  for(i=icache_home(r, v.z); r->ic[i].z; i=(i+1)&r->icmask){
    if( r->ic[i].z==v.z ) return r->ic[i].x;
  }
  if( corpus_json_index_new(v, &r->ic[i].x) ){ r->oom = 1; return 0; }
  r->ic[i].z = v.z;
  r->nic++;
  return r->ic[i].x;
}

/* The member k of v, when v is an object that has it: 1 and *out. */
static int member(render *r, corpus_json v, const char *k, size_t kn,
                  corpus_json *out){
  corpus_json_index *x;
  if( v.n<INDEX_MIN_BYTES || corpus_json_type(v)!=CORPUS_JSON_OBJECT ){
    int rc = corpus_json_member(v, k, kn, out);
    if( rc<0 ) r->oom = 1;
    return rc>0;
  }
  x = index_of(r, v);
  return x ? corpus_json_index_member(x, k, kn, out) : 0;
}

/* Element idx of v, when v is an array that has it: 1 and *out. */
static int element(render *r, corpus_json v, size_t idx, corpus_json *out){
  corpus_json_index *x;
  if( v.n<INDEX_MIN_BYTES || corpus_json_type(v)!=CORPUS_JSON_ARRAY ){
    return corpus_json_element(v, idx, out);
  }
  x = index_of(r, v);
  return x ? corpus_json_index_element(x, idx, out) : 0;
}

/* Follows the path z[a..b) from v; 1 when found. */
static int follow(render *r, corpus_json v, const char *z, size_t a, size_t b,
                  corpus_json *out){
  size_t i = a;
  while( i<b ){
    if( z[i]=='.' ){ i++; continue; }
    if( z[i]=='[' ){
      size_t idx = 0;
      i++;
      while( z[i]!=']' ) idx = idx*10 + (size_t)(z[i++]-'0');
      i++;
      if( !element(r, v, idx, &v) ) return 0;
    }else{
      size_t s = i;
      while( i<b && z[i]!='.' && z[i]!='[' ) i++;
      if( !member(r, v, z+s, i-s, &v) ) return 0;
    }
  }
  *out = v;
  return 1;
}

/* Looks a path up: its first name in the innermost frame that has it.
** Returns 1 (value in *out), 2 (a number written into num), or 0. */
static int lookup(render *r, size_t a, size_t b, corpus_json *out,
                  char *num){
  const char *z = r->t->z;
  size_t first = a;
  int d;
  if( b-a==1 && z[a]=='.' ){
    *out = r->stack[r->depth-1].value;
    return 1;
  }
  if( z[a]=='@' ){
    long long idx = -1;
    for(d=r->depth-1; d>=0 && idx<0; d--) idx = r->stack[d].index;
    if( idx<0 ) return 0;
    if( b-a==6 && memcmp(z+a, "@index", 6)==0 ){
      snprintf(num, 24, "%lld", idx);
      return 2;
    }
    if( b-a==7 && memcmp(z+a, "@number", 7)==0 ){
      snprintf(num, 24, "%lld", idx+1);
      return 2;
    }
    if( b-a==7 && memcmp(z+a, "@letter", 7)==0 ){
      /* A..Z, then AA, AB, ... as spreadsheet columns */
      char tmp[24];
      int k = 0, m;
      long long x = idx+1;
      while( x>0 ){ tmp[k++] = (char)('A' + (x-1)%26); x = (x-1)/26; }
      for(m=0; m<k; m++) num[m] = tmp[k-1-m];
      num[k] = 0;
      return 2;
    }
    return 0;
  }
  while( first<b && z[first]!='.' && z[first]!='[' ) first++;
  r->steps += r->depth;   /* the frames it may look in */
  for(d=r->depth-1; d>=0; d--){
    corpus_json v;
    if( member(r, r->stack[d].value, z+a, first-a, &v) ){
      return follow(r, v, z, first, b, out);
    }
    if( r->oom ) return 0;
  }
  return 0;
}

static int render_range(render *r, size_t from, size_t to);

static int render_section(render *r, const pnode *nd, size_t at){
  corpus_json v;
  char num[24];
  int found = lookup(r, nd->a, nd->b, &v, num), type, truthy;
  if( r->oom ) return -1;
  if( found==2 ){
    v.z = "1";   /* @index and the like: a number, so truthy */
    v.n = 1;
  }
  type = found ? corpus_json_type(v) : CORPUS_JSON_NULL;
  truthy = found && type!=CORPUS_JSON_NULL && type!=CORPUS_JSON_FALSE
        && (type!=CORPUS_JSON_ARRAY || !corpus_json_empty(v));
  if( nd->kind==N_INVERTED ){
    return truthy ? 0 : render_range(r, at+1, nd->end);
  }
  if( !truthy ) return 0;
  /* compile() limits nesting to 64 sections: 65 frames with values' */
  if( r->depth>=(int)(sizeof(r->stack)/sizeof(r->stack[0])) ) return 0;
  if( type==CORPUS_JSON_ARRAY ){
    corpus_json_iter it;
    corpus_json e;
    long long k = 0;
    corpus_json_iter_init(v, &it);
    while( corpus_json_iter_next(&it, 0, &e) ){
      r->stack[r->depth].value = e;
      r->stack[r->depth].index = k++;
      r->depth++;
      if( render_range(r, at+1, nd->end) ) return -1;
      r->depth--;
    }
    return 0;
  }
  r->stack[r->depth].value = v;
  r->stack[r->depth].index = -1;
  r->depth++;
  if( render_range(r, at+1, nd->end) ) return -1;
  r->depth--;
  return 0;
}

static int render_range(render *r, size_t from, size_t to){
  const ptemplate *t = r->t;
  size_t k = from;
  while( k<to ){
    const pnode *nd = &t->node[k];
    if( ++r->steps>r->max_steps ){
      snprintf(r->err, CORPUS_ERRMAX, "rendering needs more than %lld steps, "
               "the budget for this template and values (nested sections "
               "over arrays multiply)", (long long)r->max_steps);
      return -1;
    }
    if( r->out.n>r->max_out ){
      snprintf(r->err, CORPUS_ERRMAX, "the result would be longer than %zu "
               "bytes (SQLITE_LIMIT_LENGTH)", r->max_out);
      return -1;
    }
    if( nd->kind==N_TEXT ){
      if( corpus_buf_append(&r->out, t->z+nd->a, nd->b-nd->a) ) goto nomem;
      k++;
    }else if( nd->kind==N_VAR ){
      corpus_json v;
      char num[24];
      int found = lookup(r, nd->a, nd->b, &v, num);
      if( r->oom ) goto nomem;
      if( found==2 ){
        if( corpus_buf_append(&r->out, num, strlen(num)) ) goto nomem;
      }else if( found && corpus_json_type(v)!=CORPUS_JSON_NULL ){
        if( corpus_json_append_text(v, &r->out) ) goto nomem;
      }else if( nd->has_default ){
        if( corpus_buf_append(&r->out, t->z+nd->da, nd->db-nd->da) ){
          goto nomem;
        }
      }else if( !found ){
        snprintf(r->err, CORPUS_ERRMAX, "no value for '%.*s' (tag at "
                 "offset %zu)", (int)(nd->b-nd->a>60 ? 60 : nd->b-nd->a),
                 t->z+nd->a, nd->offset);
        return -1;
      }
      k++;
    }else if( nd->kind==N_SECTION || nd->kind==N_INVERTED ){
      if( render_section(r, nd, k) ) return -1;
      k = nd->end+1;
    }else{
      k++;
    }
  }
  return 0;
nomem:
  r->oom = 1;
  return -1;
}

/* For errors: "got %s", indexed by corpus_json_type(). */
static const char *const json_type_names[] = {
  "null", "false", "true", "a number", "a string", "an array", "an object"
};

static void prompt_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  ptemplate *t;
  render r;
  const char *vz;
  size_t vn, pos;
  char err[CORPUS_ERRMAX];
  corpus_json root;
  int rc;
  (void)argc;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL
   || sqlite3_value_type(argv[1])==SQLITE_NULL ) return;
  if( corpus_check_text(ctx, "prompt", "template", argv[0])
   || corpus_check_text(ctx, "prompt", "values", argv[1]) ){
    return;
  }
  t = (ptemplate*)sqlite3_get_auxdata(ctx, 0);
  if( t==0 ){
    const char *z = (const char*)sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    int oom;
    if( z==0 && n>0 ){ sqlite3_result_error_nomem(ctx); return; }
    t = compile(z ? z : "", n, err, &oom);
    if( t==0 ){
      if( oom ) sqlite3_result_error_nomem(ctx);
      else corpus_result_error(ctx, "prompt", "%s", err);
      return;
    }
    sqlite3_set_auxdata(ctx, 0, t, template_free);
    t = (ptemplate*)sqlite3_get_auxdata(ctx, 0);
    if( t==0 ){ sqlite3_result_error_nomem(ctx); return; }
  }
  vz = (const char*)sqlite3_value_text(argv[1]);
  vn = (size_t)sqlite3_value_bytes(argv[1]);
  if( vz==0 && vn>0 ){ sqlite3_result_error_nomem(ctx); return; }
  if( vz==0 ) vz = "";
  if( corpus_json_check(vz, vn, &pos) ){
    corpus_result_error(ctx, "prompt", "values is not valid JSON (at "
                        "offset %lld)", (long long)corpus_utf8_count(vz, pos));
    return;
  }
  root = corpus_json_root(vz, vn);
  if( corpus_json_type(root)!=CORPUS_JSON_OBJECT ){
    corpus_result_error(ctx, "prompt", "values must be a JSON object, got %s",
                        json_type_names[corpus_json_type(root)]);
    return;
  }
  memset(&r, 0, sizeof(r));
  r.t = t;
  r.err = err;
  r.stack[0].value = root;
  r.stack[0].index = -1;
  r.depth = 1;
  r.max_steps = RENDER_STEPS_PER_BYTE * (sqlite3_int64)(t->n + vn);
  if( r.max_steps<RENDER_MIN_STEPS ) r.max_steps = RENDER_MIN_STEPS;
  r.max_out = (size_t)sqlite3_limit(sqlite3_context_db_handle(ctx),
                                    SQLITE_LIMIT_LENGTH, -1);
  rc = render_range(&r, 0, t->nnode);
  if( rc==0 && r.out.n>r.max_out ){
    snprintf(err, CORPUS_ERRMAX, "the result would be longer than %zu bytes "
             "(SQLITE_LIMIT_LENGTH)", r.max_out);
    rc = -1;
  }
  icache_free(&r);
  if( rc ){
    corpus_free(r.out.z);
    if( r.oom ) sqlite3_result_error_nomem(ctx);
    else corpus_result_error(ctx, "prompt", "%s", err);
    return;
  }
  if( r.out.z==0 ){
    sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
    return;
  }
  sqlite3_result_text64(ctx, r.out.z, r.out.n, corpus_free, SQLITE_UTF8);
}

/* ---- Few-shot contexts ---------------------------------------------------- */

typedef struct fewshot_opts {
  corpus_buf description, target_delimiter, fewshot_delimiter, system;
  uint64_t seed;
  int first_n;        /* sampler=first_n: the pool's order */
  int chat;           /* format=chat: a messages array */
  int multiturn;      /* with chat: a turn per shot (default), or one */
  int has_multiturn;
} fewshot_opts;

static int fewshot_option(void *ctx, const char *key, const char *value,
                          char *err){
  fewshot_opts *o = (fewshot_opts*)ctx;
  if( strcmp(key, "description")==0 ) return corpus_buf_set_option(&o->description, value);
  if( strcmp(key, "system")==0 ) return corpus_buf_set_option(&o->system, value);
  if( strcmp(key, "format")==0 ){
    int v = corpus_option_choice(key, value, "text|chat", err);
    if( v<0 ) return -1;
    o->chat = v==1;
    return 0;
  }
  if( strcmp(key, "multiturn")==0 ){
    int v = corpus_option_choice(key, value, "off|on", err);
    if( v<0 ) return -1;
    o->multiturn = v==1;
    o->has_multiturn = 1;
    return 0;
  }
  if( strcmp(key, "target_delimiter")==0 ){
    return corpus_buf_set_option(&o->target_delimiter, value);
  }
  if( strcmp(key, "fewshot_delimiter")==0 ){
    return corpus_buf_set_option(&o->fewshot_delimiter, value);
  }
  if( strcmp(key, "seed")==0 ){
    long long v;
    if( corpus_option_int(key, value, 0, 0x7fffffffffffffffLL, &v, err) ){
      return -1;
    }
    o->seed = (uint64_t)v;
    return 0;
  }
  if( strcmp(key, "sampler")==0 ){
    int v = corpus_option_choice(key, value, "random|first_n", err);
    if( v<0 ) return -1;
    o->first_n = v==1;
    return 0;
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: description, "
           "system, target_delimiter, fewshot_delimiter, seed, sampler, "
           "format, multiturn)", key);
  return -1;
}

/* A shot: its text, and its answer as build_qa_turn() picks it from the
** target (answer.z==0: no answer, the text alone). */
typedef struct shot {
  corpus_json text, answer;
  uint64_t rank;
  size_t order;
} shot;

/* An integer JSON number (no fraction, no exponent) in *v; 0 if not one or
** out of range. */
static int json_integer(corpus_json v, long long *v_out){
  char buf[24];
  char *end;
  size_t i;
  if( corpus_json_type(v)!=CORPUS_JSON_NUMBER || v.n>=sizeof(buf) ) return 0;
  for(i=0; i<v.n; i++){
    if( v.z[i]=='.' || v.z[i]=='e' || v.z[i]=='E' ) return 0;
  }
  memcpy(buf, v.z, v.n);
  buf[v.n] = 0;
  errno = 0;
  *v_out = strtoll(buf, &end, 10);
  return errno==0 && *end==0;
}

/* Checks a pool element's text and picks its answer from its target and
** choices as lm-evaluation-harness's Task.build_qa_turn() does: no answer
** for null or ""; choices[target] for an integer (or boolean) target when
** the element has choices, a negative index counting from the end as in
** Python; the first element of a list; the target itself
** otherwise.  Where the harness fails an assertion (a text that is not a
** string, an answer that is not a string, an empty list), an error naming
** the element and the field.  Nonzero after reporting an error. */
static int shot_resolve(sqlite3_context *ctx, long long element,
                        corpus_json item, corpus_json target, shot *sh){
  corpus_json choices;
  int tt, ty, rc, has_choices;
  ty = corpus_json_type(sh->text);
  if( ty==CORPUS_JSON_NULL || ty==CORPUS_JSON_ARRAY
   || ty==CORPUS_JSON_OBJECT ){
    corpus_result_error(ctx, "fewshot", "pool element %lld: text must be a "
                        "string, number or boolean, got %s", element,
                        json_type_names[ty]);
    return 1;
  }
  rc = corpus_json_member(item, "choices", 7, &choices);
  if( rc<0 ){
    sqlite3_result_error_nomem(ctx);
    return 1;
  }
  has_choices = rc==1 && corpus_json_type(choices)!=CORPUS_JSON_NULL;
  if( has_choices && corpus_json_type(choices)!=CORPUS_JSON_ARRAY ){
    corpus_result_error(ctx, "fewshot", "pool element %lld: choices must be "
                        "an array of strings, got %s", element,
                        json_type_names[corpus_json_type(choices)]);
    return 1;
  }
  memset(&sh->answer, 0, sizeof(sh->answer));
  tt = corpus_json_type(target);
  if( tt==CORPUS_JSON_NULL || (tt==CORPUS_JSON_STRING && target.n==2) ){
    return 0;
  }
  if( has_choices && (tt==CORPUS_JSON_TRUE || tt==CORPUS_JSON_FALSE
                      || tt==CORPUS_JSON_NUMBER) ){
    long long n = 0, idx = tt==CORPUS_JSON_TRUE;  /* a bool is 0 or 1 */
    corpus_json_iter it;
    corpus_json_iter_init(choices, &it);
    while( corpus_json_iter_next(&it, 0, &sh->answer) ) n++;
    if( (tt==CORPUS_JSON_NUMBER && !json_integer(target, &idx))
     || idx<-n || idx>=n ){
      corpus_result_error(ctx, "fewshot", "pool element %lld: target %.*s "
                          "is not an index of its %lld choices", element,
                          (int)(target.n<40 ? target.n : 40), target.z, n);
      return 1;
    }
    if( idx<0 ) idx += n;   /* Python's negative index, from the end */
    corpus_json_element(choices, (size_t)idx, &sh->answer);
    if( corpus_json_type(sh->answer)!=CORPUS_JSON_STRING ){
      corpus_result_error(ctx, "fewshot", "pool element %lld: choice %lld "
                          "must be a string, got %s", element, idx,
                          json_type_names[corpus_json_type(sh->answer)]);
      return 1;
    }
    return 0;
  }
  if( tt==CORPUS_JSON_ARRAY ){
    /* Several targets: the harness shows the first. */
    if( !corpus_json_element(target, 0, &sh->answer) ){
      corpus_result_error(ctx, "fewshot", "pool element %lld: target is an "
                          "empty array", element);
      return 1;
    }
    if( corpus_json_type(sh->answer)!=CORPUS_JSON_STRING ){
      corpus_result_error(ctx, "fewshot", "pool element %lld: target's first "
                          "element must be a string, got %s", element,
                          json_type_names[corpus_json_type(sh->answer)]);
      return 1;
    }
    return 0;
  }
  if( tt==CORPUS_JSON_OBJECT ){
    corpus_result_error(ctx, "fewshot", "pool element %lld: target must be "
                        "a string, number, boolean, array or null, got an "
                        "object", element);
    return 1;
  }
  sh->answer = target;
  return 0;
}

/* Appends a text or answer: a string unescaped, a number as written, a
** boolean as Python prints it (a template's {{field}} of a bool). */
static int shot_append(corpus_json v, corpus_buf *b){
  switch( corpus_json_type(v) ){
    case CORPUS_JSON_TRUE:  return corpus_buf_append(b, "True", 4);
    case CORPUS_JSON_FALSE: return corpus_buf_append(b, "False", 5);
    default:                return corpus_json_append_text(v, b);
  }
}

/* The shots as text: each text + target_delimiter + answer +
** fewshot_delimiter, a shot without an answer its text alone. */
static int shots_text(const shot *shots, size_t k, const fewshot_opts *o,
                      corpus_buf *out){
  size_t taken;
  for(taken=0; taken<k; taken++){
    const shot *sh = &shots[taken];
    if( shot_append(sh->text, out) ) return -1;
    if( sh->answer.z==0 ) continue;   /* no answer: no delimiters either */
    if( corpus_buf_append(out, o->target_delimiter.z, o->target_delimiter.n)
     || shot_append(sh->answer, out)
     || corpus_buf_append(out, o->fewshot_delimiter.z ? o->fewshot_delimiter.z
                                                      : "",
                          o->fewshot_delimiter.n) ){
      return -1;
    }
  }
  return 0;
}

/* The harness's maybe_delimit(prefix, suffix, delimiter) (lm_eval/api/
** utils.py): one of them alone when the other is empty; both joined by
** the delimiter unless prefix ends or suffix starts with white space
** (Python's str.isspace()).  The system prompt is
** maybe_delimit(system, description, fewshot_delimiter). */
static int maybe_delimit(corpus_buf *out, const corpus_buf *pre,
                         const corpus_buf *suf, const corpus_buf *delim){
  size_t last, len;
  int space;
  if( pre->n==0 ) return corpus_buf_append(out, suf->z ? suf->z : "", suf->n);
  if( suf->n==0 ) return corpus_buf_append(out, pre->z, pre->n);
  last = pre->n - 1;
  while( last>0 && ((unsigned char)pre->z[last] & 0xC0)==0x80 ) last--;
  space = corpus_py_isspace(corpus_cp_at(pre->z, pre->n, last, &len))
       || corpus_py_isspace(corpus_cp_at(suf->z, suf->n, 0, &len));
  return corpus_buf_append(out, pre->z, pre->n)
      || (!space && corpus_buf_append(out, delim->z ? delim->z : "", delim->n))
      || corpus_buf_append(out, suf->z, suf->n);
}

/* Appends {"role":ROLE,"content":"..."} (after a comma unless first in
** the array). */
static int chat_message(corpus_buf *out, const char *role, const char *z,
                        size_t n){
  return (out->n>1 && corpus_buf_append(out, ",", 1))
      || corpus_buf_append(out, "{\"role\":\"", 9)
      || corpus_buf_append(out, role, strlen(role))
      || corpus_buf_append(out, "\",\"content\":", 12)
      || corpus_buf_append_json_string(out, z ? z : "", n)
      || corpus_buf_append(out, "}", 1);
}

/* By rank as a signed integer, as SQL's xxh3() returns it, so that ORDER BY
** xxh3(id, xxh3(query_id, seed)) lists the same shots in the same order. */
static int shot_cmp(const void *a, const void *b){
  const shot *x = (const shot*)a, *y = (const shot*)b;
  int64_t rx = (int64_t)x->rank, ry = (int64_t)y->rank;
  if( rx!=ry ) return rx<ry ? -1 : 1;
  return x->order<y->order ? -1 : x->order>y->order;
}

/* fewshot(query_id, query_text, pool, k [, options]): lm-evaluation-
** harness's context: description, then k shots from pool (a JSON array of
** {"id", "text", "target" [, "choices"]}) other than the query itself,
** each text + target_delimiter + answer + fewshot_delimiter (text alone
** without an answer; shot_resolve() picks it), then the query's text.  The shots are the k with the
** least xxh3(id, xxh3(query_id, seed)) (ids as text), so each query gets
** its own reproducible draw whatever the order of the rows; or, with
** sampler=first_n, the first k of the pool (MMLU's dev examples). */
static void fewshot_func(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  fewshot_opts o;
  const char *qid, *qtext, *pz;
  size_t qidn, pn, pos, nshot = 0, capshot = 0, taken;
  long long k;
  corpus_json pool, item;
  corpus_json_iter it;
  shot *shots = 0;
  corpus_buf out = {0, 0, 0}, idtext = {0, 0, 0}, sys = {0, 0, 0};
  corpus_buf turn = {0, 0, 0};
  uint64_t qseed;
  long long element = 0;
  int i_arg;
  memset(&o, 0, sizeof(o));
  for(i_arg=0; i_arg<4; i_arg++){
    if( sqlite3_value_type(argv[i_arg])==SQLITE_NULL ) return;
  }
  if( corpus_check_text(ctx, "fewshot", "query_text", argv[1])
   || corpus_check_text(ctx, "fewshot", "pool", argv[2]) ){
    return;
  }
  if( sqlite3_value_type(argv[3])!=SQLITE_INTEGER
   || (k = sqlite3_value_int64(argv[3]))<0 || k>10000 ){
    corpus_result_error(ctx, "fewshot", "k must be an INTEGER 0..10000, got %s",
        sqlite3_value_type(argv[3])==SQLITE_INTEGER
          ? (const char*)sqlite3_value_text(argv[3])
          : corpus_type_name(sqlite3_value_type(argv[3])));
    return;
  }
  o.seed = 1234;
  if( corpus_buf_set_option(&o.target_delimiter, " ")
   || corpus_buf_set_option(&o.fewshot_delimiter, "\n\n") ){
    goto nomem;
  }
  o.multiturn = 1;
  if( argc>4 && corpus_apply_options(ctx, "fewshot", argv[4], fewshot_option,
                                     &o) ){
    goto done;
  }
  if( o.has_multiturn && !o.chat ){
    corpus_result_error(ctx, "fewshot", "multiturn is for format=chat");
    goto done;
  }
  qid = (const char*)sqlite3_value_text(argv[0]);
  qidn = (size_t)sqlite3_value_bytes(argv[0]);
  qtext = (const char*)sqlite3_value_text(argv[1]);
  pz = (const char*)sqlite3_value_text(argv[2]);
  pn = (size_t)sqlite3_value_bytes(argv[2]);
  if( qid==0 || qtext==0 || pz==0 ) goto nomem;
  if( corpus_json_check(pz, pn, &pos) ){
    corpus_result_error(ctx, "fewshot", "pool is not valid JSON (at offset "
                        "%lld)", (long long)corpus_utf8_count(pz, pos));
    goto done;
  }
  pool = corpus_json_root(pz, pn);
  if( corpus_json_type(pool)!=CORPUS_JSON_ARRAY ){
    corpus_result_error(ctx, "fewshot", "pool must be a JSON array of "
                        "{\"id\", \"text\", \"target\"} objects");
    goto done;
  }
  qseed = corpus_xxh3(qid, qidn, o.seed);
  corpus_json_iter_init(pool, &it);
  while( corpus_json_iter_next(&it, 0, &item) ){
    corpus_json id, target;
    shot sh;
    element++;
    if( corpus_json_type(item)!=CORPUS_JSON_OBJECT
     || corpus_json_member(item, "id", 2, &id)!=1
     || corpus_json_member(item, "text", 4, &sh.text)!=1
     || corpus_json_member(item, "target", 6, &target)!=1 ){
      corpus_result_error(ctx, "fewshot", "pool element %lld is not an "
                          "object with \"id\", \"text\" and \"target\"",
                          element);
      goto done;
    }
    if( corpus_json_type(id)==CORPUS_JSON_NULL ){
      corpus_result_error(ctx, "fewshot", "pool element %lld: id is null",
                          element);
      goto done;
    }
    if( shot_resolve(ctx, element, item, target, &sh) ) goto done;
    idtext.n = 0;
    if( corpus_json_append_text(id, &idtext) ) goto nomem;
    if( idtext.n==qidn && memcmp(idtext.z, qid, qidn)==0 ) continue;
    if( nshot==capshot ){
      size_t c = capshot ? capshot*2 : 64;
      shot *p = corpus_realloc(shots, c*sizeof(shot));
      if( p==0 ) goto nomem;
      shots = p;
      capshot = c;
    }
    sh.rank = o.first_n ? 0 : corpus_xxh3(idtext.z, idtext.n, qseed);
    sh.order = nshot;
    shots[nshot++] = sh;
  }
  if( (size_t)k>nshot ){
    corpus_result_error(ctx, "fewshot", "k is %lld but the pool has %lld "
                        "other items", k, (long long)nshot);
    goto done;
  }
  if( !o.first_n && nshot>1 ) qsort(shots, nshot, sizeof(shot), shot_cmp);
  if( maybe_delimit(&sys, &o.system, &o.description, &o.fewshot_delimiter) ){
    goto nomem;
  }
  if( !o.chat ){
    if( corpus_buf_append(&out, sys.z ? sys.z : "", sys.n)
     || shots_text(shots, (size_t)k, &o, &out)
     || corpus_buf_append_utf8(&out, qtext,
                               (size_t)sqlite3_value_bytes(argv[1])) ){
      goto nomem;
    }
    sqlite3_result_text64(ctx, out.z, out.n, corpus_free, SQLITE_UTF8);
    out.z = 0;
    goto done;
  }
  /* format=chat: the messages of Task.fewshot_context() before the chat
  ** template renders them */
  if( corpus_buf_append(&out, "[", 1) ) goto nomem;
  if( sys.n && chat_message(&out, "system", sys.z, sys.n) ) goto nomem;
  if( o.multiturn ){
    for(taken=0; taken<(size_t)k; taken++){
      const shot *sh = &shots[taken];
      turn.n = 0;
      if( shot_append(sh->text, &turn)
       || chat_message(&out, "user", turn.z, turn.n) ){
        goto nomem;
      }
      if( sh->answer.z==0 ) continue;   /* no answer: no assistant turn */
      turn.n = 0;
      if( shot_append(sh->answer, &turn)
       || chat_message(&out, "assistant", turn.z, turn.n) ){
        goto nomem;
      }
    }
    turn.n = 0;
  }else{
    /* multiturn_to_singleturn(): the shots and the query as one user turn */
    turn.n = 0;
    if( shots_text(shots, (size_t)k, &o, &turn) ) goto nomem;
  }
  if( corpus_buf_append_utf8(&turn, qtext,
                             (size_t)sqlite3_value_bytes(argv[1]))
   || chat_message(&out, "user", turn.z, turn.n)
   || corpus_buf_append(&out, "]", 1) ){
    goto nomem;
  }
  sqlite3_result_text64(ctx, out.z, out.n, corpus_free, SQLITE_UTF8);
  sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
  out.z = 0;
  goto done;
nomem:
  sqlite3_result_error_nomem(ctx);
done:
  corpus_free(out.z);
  corpus_free(sys.z);
  corpus_free(turn.z);
  corpus_free(o.system.z);
  corpus_free(idtext.z);
  corpus_free(shots);
  corpus_free(o.description.z);
  corpus_free(o.target_delimiter.z);
  corpus_free(o.fewshot_delimiter.z);
}

/* ---- Contextual calibration (Zhao et al. 2021) ------------------------------ */

/* Reads argument v, a JSON array of non-negative numbers with a positive
** sum, as probabilities normalized to sum 1 into a new array (*out, *n).
** Nonzero when the function must return (an error set). */
static int prob_array(sqlite3_context *ctx, const char *func, const char *name,
                      sqlite3_value *v, double **out, size_t *n){
  const char *z;
  size_t len, pos, k = 0, cap = 0;
  corpus_json root, e;
  corpus_json_iter it;
  double *p = 0, sum = 0;
  *out = 0;
  *n = 0;
  if( corpus_check_text(ctx, func, name, v) ) return 1;
  z = (const char*)sqlite3_value_text(v);
  len = (size_t)sqlite3_value_bytes(v);
  if( z==0 ){ sqlite3_result_error_nomem(ctx); return 1; }
  if( corpus_json_check(z, len, &pos) ){
    corpus_result_error(ctx, func, "%s is not valid JSON (at offset %lld)",
                        name, (long long)corpus_utf8_count(z, pos));
    return 1;
  }
  root = corpus_json_root(z, len);
  if( corpus_json_type(root)!=CORPUS_JSON_ARRAY ){
    corpus_result_error(ctx, func, "%s must be a JSON array of numbers", name);
    return 1;
  }
  corpus_json_iter_init(root, &it);
  while( corpus_json_iter_next(&it, 0, &e) ){
    double x;
    if( corpus_json_type(e)!=CORPUS_JSON_NUMBER ){
      corpus_result_error(ctx, func, "%s[%lld] is not a number", name,
                          (long long)k);
      corpus_free(p);
      return 1;
    }
    /* the text is NUL-terminated and a JSON number is strtod syntax that
    ** ends at the next ',', ']' or space */
    x = strtod(e.z, 0);
    if( !(x>=0) || isinf(x) ){
      corpus_result_error(ctx, func, "%s[%lld] must be a finite probability "
                          ">= 0, got %.*s", name, (long long)k,
                          (int)(e.n>40 ? 40 : e.n), e.z);
      corpus_free(p);
      return 1;
    }
    if( k==cap ){
      size_t c = cap ? cap*2 : 8;
      double *q = corpus_realloc(p, c*sizeof(double));
      if( q==0 ){ corpus_free(p); sqlite3_result_error_nomem(ctx); return 1; }
      p = q;
      cap = c;
    }
    p[k++] = x;
    if( x>sum ) sum = x;      /* the largest, first */
  }
  if( k==0 || !(sum>0) ){
    corpus_result_error(ctx, func, "%s must hold at least one positive "
                        "number", name);
    corpus_free(p);
    return 1;
  }
  /* by the largest, then by the sum, which then cannot overflow */
  for(pos=0; pos<k; pos++) p[pos] /= sum;
  sum = 0;
  for(pos=0; pos<k; pos++) sum += p[pos];
  for(pos=0; pos<k; pos++) p[pos] /= sum;
  *out = p;
  *n = k;
  return 0;
}

static void result_prob_array(sqlite3_context *ctx, const double *p,
                              size_t n){
  corpus_buf b = {0, 0, 0};
  size_t i;
  for(i=0; i<n; i++){
    char num[40];
    int len = snprintf(num, sizeof(num), "%.15g", p[i]);
    if( corpus_buf_append(&b, i ? "," : "[", 1)
     || corpus_buf_append(&b, num, (size_t)len) ){
      corpus_free(b.z);
      sqlite3_result_error_nomem(ctx);
      return;
    }
  }
  if( corpus_buf_append(&b, "]", 1) ){
    corpus_free(b.z);
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text64(ctx, b.z, b.n, corpus_free, SQLITE_UTF8);
  sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
}

/* calibrate(probs, content_free_probs): with both normalized, q_i =
** (p_i / cf_i) / sum_j (p_j / cf_j): diag(p_cf)^-1 p, renormalized. */
static void calibrate_func(sqlite3_context *ctx, int argc,
                           sqlite3_value **argv){
  double *p = 0, *cf = 0, sum = 0, top = 0;
  size_t n, ncf, i;
  (void)argc;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL
   || sqlite3_value_type(argv[1])==SQLITE_NULL ) return;
  if( prob_array(ctx, "calibrate", "probs", argv[0], &p, &n)
   || prob_array(ctx, "calibrate", "content_free_probs", argv[1], &cf, &ncf) ){
    corpus_free(p);
    return;
  }
  if( n!=ncf ){
    corpus_result_error(ctx, "calibrate", "probs has %lld labels but "
                        "content_free_probs has %lld", (long long)n,
                        (long long)ncf);
    goto done;
  }
  /* in logs, so that a tiny cf_i cannot overflow the ratio */
  for(i=0; i<n; i++){
    if( cf[i]==0 ){
      corpus_result_error(ctx, "calibrate", "content_free_probs[%lld] is 0: "
                          "no calibration can divide by it", (long long)i);
      goto done;
    }
    p[i] = p[i]>0 ? log(p[i]) - log(cf[i]) : -HUGE_VAL;
    if( i==0 || p[i]>top ) top = p[i];
  }
  for(i=0; i<n; i++){
    p[i] = exp(p[i] - top);
    sum += p[i];
  }
  for(i=0; i<n; i++) p[i] /= sum;
  result_prob_array(ctx, p, n);
done:
  corpus_free(p);
  corpus_free(cf);
}

/* content_free_probs(probs): the mean of the normalized label
** probabilities of the content-free inputs ("N/A", "", "[MASK]"),
** renormalized: Zhao et al.'s p_cf. */
typedef struct cf_agg {
  double *sum;
  size_t n;
  long long rows;
  int failed;
} cf_agg;

static void cf_step(sqlite3_context *ctx, int argc, sqlite3_value **argv){
  cf_agg *a = sqlite3_aggregate_context(ctx, sizeof(cf_agg));
  double *p;
  size_t n, i;
  (void)argc;
  if( a==0 ){ sqlite3_result_error_nomem(ctx); return; }
  if( a->failed || sqlite3_value_type(argv[0])==SQLITE_NULL ) return;
  if( prob_array(ctx, "content_free_probs", "probs", argv[0], &p, &n) ){
    a->failed = 1;
    return;
  }
  if( a->sum==0 ){
    a->sum = corpus_realloc(0, n*sizeof(double));
    if( a->sum==0 ){
      corpus_free(p);
      a->failed = 1;
      sqlite3_result_error_nomem(ctx);
      return;
    }
    memset(a->sum, 0, n*sizeof(double));
    a->n = n;
  }else if( n!=a->n ){
    corpus_result_error(ctx, "content_free_probs", "probs has %lld labels "
                        "on this row and %lld on the first", (long long)n,
                        (long long)a->n);
    corpus_free(p);
    a->failed = 1;
    return;
  }
  for(i=0; i<n; i++) a->sum[i] += p[i];
  a->rows++;
  corpus_free(p);
}

static void cf_final(sqlite3_context *ctx){
  cf_agg *a = sqlite3_aggregate_context(ctx, 0);
  size_t i;
  double total = 0;
  if( a==0 || a->sum==0 ) return;
  if( !a->failed ){
    for(i=0; i<a->n; i++) total += a->sum[i];
    for(i=0; i<a->n; i++) a->sum[i] /= total;
    result_prob_array(ctx, a->sum, a->n);
  }
  corpus_free(a->sum);
  a->sum = 0;
}

static const corpus_sql prompt_sql[] = {
  CORPUS_SCALAR("prompt",    2, CORPUS_PURE, prompt_func),
  CORPUS_SCALAR("fewshot",   4, CORPUS_PURE | CORPUS_JSON_RESULT, fewshot_func),
  CORPUS_SCALAR("fewshot",   5, CORPUS_PURE | CORPUS_JSON_RESULT, fewshot_func),
  CORPUS_SCALAR("calibrate", 2, CORPUS_PURE | CORPUS_JSON_RESULT, calibrate_func),
  CORPUS_AGGREGATE("content_free_probs", 1, CORPUS_PURE | CORPUS_JSON_RESULT, cf_step, cf_final),
};

int corpus_prompt_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, prompt_sql, CORPUS_COUNT(prompt_sql), pzErr);
}
