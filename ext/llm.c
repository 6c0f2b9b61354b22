/*
** Models in the loop, the data side: requests written as the lines model
** providers and local servers take, responses read back.  No network:
** files go out (write_jsonl), files come back (read_jsonl).
**
**   llm_request(custom_id, messages [, options]) -> TEXT, one JSON line:
**     format=batch: an OpenAI Batch API request line
**       {"custom_id", "method":"POST", "url", "body":{"model", "messages",
**        "temperature", "max_tokens", "seed", "response_format", ...}}
**     format=chat: the chat-completions body alone, as llama.cpp's server
**       and vLLM take it (POST /v1/chat/completions).
**   llm_response(line, field) -> the field of an OpenAI Batch API output
**     line (or of a chat-completions response body): text, finish_reason,
**     token usage, status, error, ...
**
** Formats followed: OpenAI's Batch API guide and API reference (request
** input object: custom_id, method, url, body; batch output line: id,
** custom_id, response {status_code, request_id, body}, error {code,
** message}) and the chat-completions object (choices[i].message.content,
** finish_reason, usage.prompt_tokens/completion_tokens/total_tokens), as
** of 2026.
*/
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include "corpus_sql.h"

/* ---- JSON written out ------------------------------------------------------ */

/* Appends checked JSON value v without the white space between its tokens
** (a JSON Lines line must be one line), each invalid UTF-8 sequence in its
** strings U+FFFD.  0 or -1 (out of memory). */
static int json_minify(corpus_json v, corpus_buf *b){
  size_t i = 0, start;
  while( i<v.n ){
    char c = v.z[i];
    if( c==' ' || c=='\t' || c=='\n' || c=='\r' ){ i++; continue; }
    if( c!='"' ){
      start = i;
      while( i<v.n && v.z[i]!='"' && v.z[i]!=' ' && v.z[i]!='\t'
          && v.z[i]!='\n' && v.z[i]!='\r' ){
        i++;
      }
      if( corpus_buf_append(b, v.z+start, i-start) ) return -1;
      continue;
    }
    start = i++;
    while( i<v.n && v.z[i]!='"' ) i += v.z[i]=='\\' ? 2 : 1;
    i++;                                   /* the closing quote */
    if( corpus_buf_append_utf8(b, v.z+start, i-start) ) return -1;
  }
  return 0;
}

static int append_cstr(corpus_buf *b, const char *z){
  return corpus_buf_append(b, z, strlen(z));
}

/* ---- llm_request ----------------------------------------------------------- */

#define LLM_MAX_BYTES_DEFAULT 200000000LL   /* OpenAI: 200 MB a batch file */

typedef struct llm_opts {
  int chat;                    /* format=chat: the body alone */
  corpus_buf model, url, response_format, body;
  int has_temperature, has_max_tokens, has_seed, has_top_p;
  int rf_object;               /* response_format= is a JSON object */
  int oversize_null;           /* on_oversize=null: NULL, not an error */
  double temperature, top_p;
  long long max_tokens, seed, max_bytes;
} llm_opts;

static void llm_opts_free(llm_opts *o){
  corpus_free(o->model.z);
  corpus_free(o->url.z);
  corpus_free(o->response_format.z);
  corpus_free(o->body.z);
}

/* The body's own members, in the order they are written; body= may not
** repeat them. */
static const char *const body_keys[] = {
  "model", "messages", "temperature", "top_p", "max_tokens", "seed",
  "response_format"
};

static int llm_option(void *ctx, const char *key, const char *value,
                      char *err){
  llm_opts *o = (llm_opts*)ctx;
  if( strcmp(key, "format")==0 ){
    int v = corpus_option_choice(key, value, "batch|chat", err);
    if( v<0 ) return -1;
    o->chat = v==1;
    return 0;
  }
  if( strcmp(key, "model")==0 ){
    if( value[0]==0 ){
      snprintf(err, CORPUS_ERRMAX, "model must not be empty");
      return -1;
    }
    return corpus_buf_set_option(&o->model, value);
  }
  if( strcmp(key, "url")==0 ){
    if( value[0]!='/' ){
      snprintf(err, CORPUS_ERRMAX, "url must be a path starting with '/', "
               "got '%.40s'", value);
      return -1;
    }
    return corpus_buf_set_option(&o->url, value);
  }
  if( strcmp(key, "temperature")==0 ){
    o->has_temperature = 1;
    return corpus_option_double(key, value, 0, 2, &o->temperature, err);
  }
  if( strcmp(key, "top_p")==0 ){
    o->has_top_p = 1;
    return corpus_option_double(key, value, 0, 1, &o->top_p, err);
  }
  if( strcmp(key, "max_tokens")==0 ){
    o->has_max_tokens = 1;
    return corpus_option_int(key, value, 1, 0x7fffffffLL, &o->max_tokens,
                             err);
  }
  if( strcmp(key, "seed")==0 ){
    o->has_seed = 1;
    return corpus_option_int(key, value, -0x7fffffffffffffffLL-1,
                             0x7fffffffffffffffLL, &o->seed, err);
  }
  if( strcmp(key, "max_bytes")==0 ){
    return corpus_option_int(key, value, 1, 0x7fffffffffffffffLL,
                             &o->max_bytes, err);
  }
  if( strcmp(key, "on_oversize")==0 ){
    int v = corpus_option_choice(key, value, "fail|null", err);
    if( v<0 ) return -1;
    o->oversize_null = v==1;
    return 0;
  }
  if( strcmp(key, "response_format")==0 || strcmp(key, "body")==0 ){
    int is_body = key[0]=='b';
    size_t pos, n = strlen(value);
    corpus_json v;
    if( !is_body && (strcmp(value, "text")==0
                     || strcmp(value, "json_object")==0) ){
      return corpus_buf_set_option(&o->response_format, value);
    }
    if( corpus_json_check(value, n, &pos)
     || corpus_json_type(v = corpus_json_root(value, n))!=CORPUS_JSON_OBJECT ){
      snprintf(err, CORPUS_ERRMAX, is_body
               ? "body must be a JSON object of more body members, got '%.40s'"
               : "response_format must be text, json_object or a JSON object "
                 "(a json_schema format), got '%.40s'", value);
      return -1;
    }
    if( !is_body ) o->rf_object = 1;
    if( is_body ){
      size_t k;
      for(k=0; k<CORPUS_COUNT(body_keys); k++){
        corpus_json m;
        int rc = corpus_json_member(v, body_keys[k], strlen(body_keys[k]), &m);
        if( rc<0 ) return CORPUS_NOMEM;
        if( rc==1 ){
          snprintf(err, CORPUS_ERRMAX, "body must not hold \"%s\" (%s)",
                   body_keys[k], k==1 ? "the messages argument gives it"
                                      : "it has an option of its own");
          return -1;
        }
      }
    }
    return corpus_buf_set_option(is_body ? &o->body : &o->response_format,
                                 value);
  }
  snprintf(err, CORPUS_ERRMAX, "unknown option '%.40s' (valid: format, model, "
           "url, temperature, top_p, max_tokens, seed, response_format, body, "
           "max_bytes, on_oversize)", key);
  return -1;
}

static const char *const json_type_names[] = {
  "null", "false", "true", "a number", "a string", "an array", "an object"
};

/* Checks message number i (from 1) of a messages array and appends it.
** Roles: system, user, assistant, tool.  content: a string, an array of
** content parts (objects with a string "type"), or, for an assistant
** message with "tool_calls", null or absent; a tool message needs a
** string "tool_call_id".  Other members are kept as given.  0, 1 with an
** error set, -1 out of memory. */
static int append_message(sqlite3_context *ctx, long long i, corpus_json m,
                          corpus_buf *b){
  static const char *const roles[] = {"system", "user", "assistant", "tool"};
  corpus_json role, content, extra;
  int rc, r, has_content, ct;
  if( corpus_json_type(m)!=CORPUS_JSON_OBJECT ){
    corpus_result_error(ctx, "llm_request", "message %lld must be an object "
                        "{\"role\", \"content\"}, got %s", i,
                        json_type_names[corpus_json_type(m)]);
    return 1;
  }
  rc = corpus_json_member(m, "role", 4, &role);
  if( rc<0 ) return -1;
  if( rc==0 || corpus_json_type(role)!=CORPUS_JSON_STRING ){
    corpus_result_error(ctx, "llm_request", "message %lld: role must be a "
                        "string, %s", i, rc==0 ? "it is missing"
                        : json_type_names[corpus_json_type(role)]);
    return 1;
  }
  for(r=0; r<4; r++){
    size_t len = strlen(roles[r]);
    if( role.n==len+2 && memcmp(role.z+1, roles[r], len)==0 ) break;
  }
  if( r==4 ){
    corpus_result_error(ctx, "llm_request", "message %lld: role must be one "
                        "of system, user, assistant, tool, got %.*s", i,
                        (int)(role.n<40 ? role.n : 40), role.z);
    return 1;
  }
  rc = corpus_json_member(m, "content", 7, &content);
  if( rc<0 ) return -1;
  has_content = rc==1;
  ct = has_content ? corpus_json_type(content) : CORPUS_JSON_NULL;
  if( ct==CORPUS_JSON_NULL ){
    rc = corpus_json_member(m, "tool_calls", 10, &extra);
    if( rc<0 ) return -1;
    if( r!=2 || rc==0 ){
      corpus_result_error(ctx, "llm_request", "message %lld: content %s "
                          "(only an assistant message with tool_calls may "
                          "have none)", i,
                          has_content ? "is null" : "is missing");
      return 1;
    }
  }else if( ct==CORPUS_JSON_ARRAY ){
    corpus_json_iter it;
    corpus_json part, type;
    long long k = 0;
    corpus_json_iter_init(content, &it);
    while( corpus_json_iter_next(&it, 0, &part) ){
      k++;
      rc = corpus_json_type(part)==CORPUS_JSON_OBJECT
         ? corpus_json_member(part, "type", 4, &type) : 0;
      if( rc<0 ) return -1;
      if( rc==0 || corpus_json_type(type)!=CORPUS_JSON_STRING ){
        corpus_result_error(ctx, "llm_request", "message %lld: content part "
                            "%lld must be an object with a string \"type\"",
                            i, k);
        return 1;
      }
    }
    if( k==0 ){
      corpus_result_error(ctx, "llm_request", "message %lld: content is an "
                          "empty array of parts", i);
      return 1;
    }
  }else if( ct!=CORPUS_JSON_STRING ){
    corpus_result_error(ctx, "llm_request", "message %lld: content must be a "
                        "string or an array of content parts, got %s", i,
                        json_type_names[ct]);
    return 1;
  }
  if( r==3 ){
    rc = corpus_json_member(m, "tool_call_id", 12, &extra);
    if( rc<0 ) return -1;
    if( rc==0 || corpus_json_type(extra)!=CORPUS_JSON_STRING ){
      corpus_result_error(ctx, "llm_request", "message %lld: a tool message "
                          "needs a string \"tool_call_id\"", i);
      return 1;
    }
  }
  return json_minify(m, b) ? -1 : 0;
}

/* Appends the messages array for the messages argument v (header of
** llm_request in docs/llm.md): a JSON array of messages, or any other
** text as the content of one user message.  0, 1 with an error set, -1
** out of memory. */
static int append_messages(sqlite3_context *ctx, sqlite3_value *v,
                           corpus_buf *b){
  const char *z = (const char*)sqlite3_value_text(v);
  size_t n = (size_t)sqlite3_value_bytes(v), i = 0, pos;
  int is_json = sqlite3_value_subtype(v)==CORPUS_JSON_SUBTYPE;
  if( z==0 ) return -1;
  while( i<n && (z[i]==' ' || z[i]=='\t' || z[i]=='\n' || z[i]=='\r') ) i++;
  if( i<n && z[i]=='[' ){
    size_t j = i+1;
    while( j<n && (z[j]==' ' || z[j]=='\t' || z[j]=='\n' || z[j]=='\r') ) j++;
    if( corpus_json_check(z, n, &pos)==0 ){
      /* a JSON array of objects (or none): messages; of anything else, a
      ** prompt that happens to be JSON ("[3]"), unless it came as JSON */
      corpus_json first;
      if( !corpus_json_element(corpus_json_root(z, n), 0, &first)
       || corpus_json_type(first)==CORPUS_JSON_OBJECT ){
        is_json = 1;
      }
    }else if( is_json || (j<n && (z[j]=='{' || z[j]==']')) ){
      /* "[{" or "[]" that does not parse: a broken messages array, not a
      ** prompt */
      corpus_result_error(ctx, "llm_request", "messages is not valid JSON "
                          "(at offset %lld)",
                          (long long)corpus_utf8_count(z, pos));
      return 1;
    }
  }
  if( is_json ){
    corpus_json root, m;
    corpus_json_iter it;
    long long k = 0;
    int rc;
    if( corpus_json_check(z, n, &pos) ){
      corpus_result_error(ctx, "llm_request", "messages is not valid JSON "
                          "(at offset %lld)",
                          (long long)corpus_utf8_count(z, pos));
      return 1;
    }
    root = corpus_json_root(z, n);
    if( corpus_json_type(root)!=CORPUS_JSON_ARRAY ){
      corpus_result_error(ctx, "llm_request", "messages must be a JSON array "
                          "of {\"role\", \"content\"} objects or a prompt's "
                          "text, got JSON that is %s",
                          json_type_names[corpus_json_type(root)]);
      return 1;
    }
    if( corpus_buf_append(b, "[", 1) ) return -1;
    corpus_json_iter_init(root, &it);
    while( corpus_json_iter_next(&it, 0, &m) ){
      if( k++ && corpus_buf_append(b, ",", 1) ) return -1;
      if( (rc = append_message(ctx, k, m, b))!=0 ) return rc;
    }
    if( k==0 ){
      corpus_result_error(ctx, "llm_request", "messages is an empty array");
      return 1;
    }
    return corpus_buf_append(b, "]", 1);
  }
  if( append_cstr(b, "[{\"role\":\"user\",\"content\":")
   || corpus_buf_append_json_string(b, z, n)
   || append_cstr(b, "}]") ){
    return -1;
  }
  return 0;
}

/* llm_request(custom_id, messages [, options]) */
static void llm_request_func(sqlite3_context *ctx, int argc,
                             sqlite3_value **argv){
  llm_opts o;
  corpus_buf out = {0, 0, 0};
  int ty, rc;
  char num[40];
  if( sqlite3_value_type(argv[0])==SQLITE_NULL
   || sqlite3_value_type(argv[1])==SQLITE_NULL ){
    return;
  }
  ty = sqlite3_value_type(argv[0]);
  if( ty!=SQLITE_TEXT && ty!=SQLITE_INTEGER ){
    corpus_result_error(ctx, "llm_request", "custom_id must be TEXT or "
                        "INTEGER, got %s", corpus_type_name(ty));
    return;
  }
  if( corpus_check_text(ctx, "llm_request", "messages", argv[1]) ) return;
  memset(&o, 0, sizeof(o));
  o.max_bytes = LLM_MAX_BYTES_DEFAULT;
  if( argc>2 && corpus_apply_options(ctx, "llm_request", argv[2], llm_option,
                                     &o) ){
    goto done;
  }
  if( !o.chat && o.model.z==0 ){
    corpus_result_error(ctx, "llm_request", "format=batch needs model=NAME "
                        "(the Batch API asks every request for its model)");
    goto done;
  }
  if( o.chat && o.url.z ){
    corpus_result_error(ctx, "llm_request", "url is for format=batch (the "
                        "chat body is posted to the server's own URL)");
    goto done;
  }
  if( !o.chat ){
    const char *id = (const char*)sqlite3_value_text(argv[0]);
    if( id==0 ) goto nomem;
    if( id[0]==0 ){
      corpus_result_error(ctx, "llm_request", "custom_id must not be empty");
      goto done;
    }
    if( append_cstr(&out, "{\"custom_id\":")
     || corpus_buf_append_json_string(&out, id,
                                      (size_t)sqlite3_value_bytes(argv[0]))
     || append_cstr(&out, ",\"method\":\"POST\",\"url\":")
     || corpus_buf_append_json_string(&out,
            o.url.z ? o.url.z : "/v1/chat/completions",
            o.url.z ? o.url.n : 20)
     || append_cstr(&out, ",\"body\":") ){
      goto nomem;
    }
  }
  if( corpus_buf_append(&out, "{", 1) ) goto nomem;
  if( o.model.z ){
    if( append_cstr(&out, "\"model\":")
     || corpus_buf_append_json_string(&out, o.model.z, o.model.n)
     || corpus_buf_append(&out, ",", 1) ){
      goto nomem;
    }
  }
  if( append_cstr(&out, "\"messages\":") ) goto nomem;
  rc = append_messages(ctx, argv[1], &out);
  if( rc<0 ) goto nomem;
  if( rc ) goto done;
  if( o.has_temperature ){
    corpus_double_text(o.temperature, num);
    if( append_cstr(&out, ",\"temperature\":") || append_cstr(&out, num) ){
      goto nomem;
    }
  }
  if( o.has_top_p ){
    corpus_double_text(o.top_p, num);
    if( append_cstr(&out, ",\"top_p\":") || append_cstr(&out, num) ){
      goto nomem;
    }
  }
  if( o.has_max_tokens ){
    snprintf(num, sizeof(num), "%lld", o.max_tokens);
    if( append_cstr(&out, ",\"max_tokens\":") || append_cstr(&out, num) ){
      goto nomem;
    }
  }
  if( o.has_seed ){
    snprintf(num, sizeof(num), "%lld", o.seed);
    if( append_cstr(&out, ",\"seed\":") || append_cstr(&out, num) ){
      goto nomem;
    }
  }
  if( o.response_format.z ){
    if( append_cstr(&out, ",\"response_format\":") ) goto nomem;
    if( o.rf_object ){
      if( json_minify(corpus_json_root(o.response_format.z,
                                       o.response_format.n), &out) ){
        goto nomem;
      }
    }else if( append_cstr(&out, "{\"type\":")
           || corpus_buf_append_json_string(&out, o.response_format.z,
                                            o.response_format.n)
           || corpus_buf_append(&out, "}", 1) ){
      goto nomem;
    }
  }
  if( o.body.z ){
    /* the members of body=, after the ones above */
    corpus_buf extra = {0, 0, 0};
    int empty;
    if( json_minify(corpus_json_root(o.body.z, o.body.n), &extra) ){
      corpus_free(extra.z);
      goto nomem;
    }
    empty = extra.n<=2;
    if( (!empty && (corpus_buf_append(&out, ",", 1)
                    || corpus_buf_append(&out, extra.z+1, extra.n-2))) ){
      corpus_free(extra.z);
      goto nomem;
    }
    corpus_free(extra.z);
  }
  if( corpus_buf_append(&out, o.chat ? "}" : "}}", o.chat ? 1 : 2) ){
    goto nomem;
  }
  if( (long long)out.n > o.max_bytes && o.oversize_null ) goto done;
  if( (long long)out.n > o.max_bytes ){
    corpus_result_error(ctx, "llm_request", "the request for custom_id %.40s "
                        "is %lld bytes, more than max_bytes=%lld",
                        (const char*)sqlite3_value_text(argv[0]),
                        (long long)out.n, o.max_bytes);
    goto done;
  }
  sqlite3_result_text64(ctx, out.z, out.n, corpus_free, SQLITE_UTF8);
  sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
  out.z = 0;
  goto done;
nomem:
  sqlite3_result_error_nomem(ctx);
done:
  corpus_free(out.z);
  llm_opts_free(&o);
}

/* ---- llm_response ---------------------------------------------------------- */

enum { F_CUSTOM_ID, F_TEXT, F_FINISH_REASON, F_PROMPT_TOKENS,
       F_COMPLETION_TOKENS, F_TOTAL_TOKENS, F_MODEL, F_STATUS, F_ERROR,
       F_REFUSAL, F_TOOL_CALLS, F_CHOICES, F_BODY };
static const char *const field_names[] = {
  "custom_id", "text", "finish_reason", "prompt_tokens", "completion_tokens",
  "total_tokens", "model", "status", "error", "refusal", "tool_calls",
  "choices", "body"
};
#define FIELD_LIST "custom_id, text, finish_reason, prompt_tokens, " \
  "completion_tokens, total_tokens, model, status, error, refusal, " \
  "tool_calls, choices, body"

/* A member by a path of names ("a", "b", 0): 1 and *out, 0 when a step is
** missing or not an object, -1 out of memory. */
static int json_path(corpus_json v, const char *const *names,
                     corpus_json *out){
  for(; *names; names++){
    int rc;
    if( corpus_json_type(v)!=CORPUS_JSON_OBJECT ) return 0;
    rc = corpus_json_member(v, *names, strlen(*names), &v);
    if( rc<=0 ) return rc;
  }
  *out = v;
  return 1;
}

/* Sets a JSON value as the result: a string unescaped as TEXT, a number
** as INTEGER or REAL, null as NULL, true/false as 1/0, an array or
** object as its JSON text (subtype JSON). */
static void result_json(sqlite3_context *ctx, corpus_json v){
  corpus_buf b = {0, 0, 0};
  switch( corpus_json_type(v) ){
    case CORPUS_JSON_NULL: sqlite3_result_null(ctx); return;
    case CORPUS_JSON_TRUE: sqlite3_result_int(ctx, 1); return;
    case CORPUS_JSON_FALSE: sqlite3_result_int(ctx, 0); return;
    case CORPUS_JSON_NUMBER: {
      char buf[64];
      char *end;
      long long i;
      if( v.n<sizeof(buf) ){
        memcpy(buf, v.z, v.n);
        buf[v.n] = 0;
        errno = 0;
        i = strtoll(buf, &end, 10);
        if( *end==0 && errno==0 ){ sqlite3_result_int64(ctx, i); return; }
        sqlite3_result_double(ctx, strtod(buf, 0));
        return;
      }
      sqlite3_result_text64(ctx, v.z, v.n, SQLITE_TRANSIENT, SQLITE_UTF8);
      return;
    }
    case CORPUS_JSON_STRING:
      if( corpus_json_append_text(v, &b) ){
        corpus_free(b.z);
        sqlite3_result_error_nomem(ctx);
        return;
      }
      sqlite3_result_text64(ctx, b.z ? b.z : "", b.n,
                            b.z ? corpus_free : SQLITE_STATIC, SQLITE_UTF8);
      return;
    default:
      if( json_minify(v, &b) ){
        corpus_free(b.z);
        sqlite3_result_error_nomem(ctx);
        return;
      }
      sqlite3_result_text64(ctx, b.z, b.n, corpus_free, SQLITE_UTF8);
      sqlite3_result_subtype(ctx, CORPUS_JSON_SUBTYPE);
      return;
  }
}

/* The error of a line that is not a successful response, as TEXT (see
** docs/llm.md), or NULL. */
static void result_line_error(sqlite3_context *ctx, const char *fmt, ...){
  char *msg;
  va_list ap;
  va_start(ap, fmt);
  msg = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  msg = msg ? corpus_sql_utf8(msg) : 0;
  if( msg==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, msg, -1, sqlite3_free);
}

/* llm_response(line, field) */
static void llm_response_func(sqlite3_context *ctx, int argc,
                              sqlite3_value **argv){
  static const char *const p_response[] = {"response", 0};
  static const char *const p_status[] = {"response", "status_code", 0};
  static const char *const p_rbody[] = {"response", "body", 0};
  static const char *const p_error[] = {"error", 0};
  static const char *const p_custom[] = {"custom_id", 0};
  const char *z, *fz;
  size_t n, pos, f;
  corpus_json root, body, response, status, err, choices, choice, v;
  int rc, has_status = 0, batch;
  long long code = 0;
  (void)argc;
  if( sqlite3_value_type(argv[0])==SQLITE_NULL
   || sqlite3_value_type(argv[1])==SQLITE_NULL ){
    return;
  }
  if( corpus_check_text(ctx, "llm_response", "line", argv[0])
   || corpus_check_text(ctx, "llm_response", "field", argv[1]) ){
    return;
  }
  fz = (const char*)sqlite3_value_text(argv[1]);
  z = (const char*)sqlite3_value_text(argv[0]);
  if( fz==0 || z==0 ){
    sqlite3_result_error_nomem(ctx);
    return;
  }
  for(f=0; f<CORPUS_COUNT(field_names); f++){
    if( strcmp(fz, field_names[f])==0 ) break;
  }
  if( f==CORPUS_COUNT(field_names) ){
    corpus_result_error(ctx, "llm_response", "unknown field '%.40s' (valid: "
                        FIELD_LIST ")", fz);
    return;
  }
  n = (size_t)sqlite3_value_bytes(argv[0]);
  if( corpus_json_check(z, n, &pos) ){
    if( f==F_ERROR ){
      result_line_error(ctx, "not valid JSON (at offset %lld)",
                        (long long)corpus_utf8_count(z, pos));
    }
    return;
  }
  root = corpus_json_root(z, n);
  if( corpus_json_type(root)!=CORPUS_JSON_OBJECT ){
    if( f==F_ERROR ) result_line_error(ctx, "not a JSON object");
    return;
  }
  if( f==F_CUSTOM_ID ){
    rc = json_path(root, p_custom, &v);
    if( rc<0 ) goto nomem;
    if( rc==1 ) result_json(ctx, v);
    return;
  }
  /* A batch output line has "response" (an object or null); anything else
  ** is taken as a chat-completions body. */
  rc = json_path(root, p_response, &response);
  if( rc<0 ) goto nomem;
  batch = rc==1;
  body = root;
  if( batch ){
    rc = json_path(root, p_status, &status);
    if( rc<0 ) goto nomem;
    if( rc==1 && corpus_json_type(status)==CORPUS_JSON_NUMBER ){
      char buf[24];
      if( status.n<sizeof(buf) ){
        memcpy(buf, status.z, status.n);
        buf[status.n] = 0;
        code = strtoll(buf, 0, 10);
        has_status = 1;
      }
    }
    rc = json_path(root, p_rbody, &body);
    if( rc<0 ) goto nomem;
    if( rc==0 ) body.z = 0;
  }
  if( f==F_STATUS ){
    if( has_status ) sqlite3_result_int64(ctx, code);
    return;
  }
  if( f==F_BODY ){
    if( body.z ) result_json(ctx, body);
    return;
  }
  if( f==F_ERROR ){
    /* the line's error, the body's error, a status other than 200, a body
    ** without choices: in that order */
    static const char *const p_msg[] = {"message", 0};
    static const char *const p_code[] = {"code", 0};
    corpus_json msg, ecode;
    corpus_buf b = {0, 0, 0};
    int hasmsg, hascode;
    rc = json_path(root, p_error, &err);
    if( rc<0 ) goto nomem;
    if( (rc==0 || corpus_json_type(err)==CORPUS_JSON_NULL) && body.z ){
      static const char *const p_berr[] = {"error", 0};
      rc = json_path(body, p_berr, &err);
      if( rc<0 ) goto nomem;
    }
    if( rc==1 && corpus_json_type(err)!=CORPUS_JSON_NULL ){
      hasmsg = json_path(err, p_msg, &msg);
      hascode = hasmsg<0 ? -1 : json_path(err, p_code, &ecode);
      if( hasmsg<0 || hascode<0 ) goto nomem;
      if( has_status && code!=200 ){
        char num[32];
        snprintf(num, sizeof(num), "HTTP %lld: ", code);
        if( append_cstr(&b, num) ) goto nomem_b;
      }
      if( hascode==1 && corpus_json_type(ecode)!=CORPUS_JSON_NULL ){
        if( corpus_json_append_text(ecode, &b) || append_cstr(&b, ": ") ){
          goto nomem_b;
        }
      }
      if( hasmsg==1 && corpus_json_type(msg)==CORPUS_JSON_STRING ){
        if( corpus_json_append_text(msg, &b) ) goto nomem_b;
      }else if( json_minify(err, &b) ){
        goto nomem_b;
      }
      sqlite3_result_text64(ctx, b.z, b.n, corpus_free, SQLITE_UTF8);
      return;
    nomem_b:
      corpus_free(b.z);
      goto nomem;
    }
    if( has_status && code!=200 ){
      result_line_error(ctx, "HTTP %lld", code);
      return;
    }
    if( batch && body.z==0 ){
      result_line_error(ctx, "no response body");
      return;
    }
  }
  if( body.z==0 ) return;
  if( f==F_MODEL ){
    static const char *const p_model[] = {"model", 0};
    rc = json_path(body, p_model, &v);
    if( rc<0 ) goto nomem;
    if( rc==1 ) result_json(ctx, v);
    return;
  }
  if( f==F_PROMPT_TOKENS || f==F_COMPLETION_TOKENS || f==F_TOTAL_TOKENS ){
    const char *path[3];
    path[0] = "usage";
    path[1] = field_names[f];
    path[2] = 0;
    rc = json_path(body, path, &v);
    if( rc<0 ) goto nomem;
    if( rc==1 && corpus_json_type(v)==CORPUS_JSON_NUMBER ) result_json(ctx, v);
    return;
  }
  {
    static const char *const p_choices[] = {"choices", 0};
    rc = json_path(body, p_choices, &choices);
    if( rc<0 ) goto nomem;
  }
  if( rc==0 || corpus_json_type(choices)!=CORPUS_JSON_ARRAY ){
    if( f==F_ERROR ){
      result_line_error(ctx, batch ? "no choices in the response body"
                        : "neither a batch output line (\"response\") nor a "
                          "chat completion (\"choices\")");
    }
    return;
  }
  if( f==F_CHOICES ){
    long long k = 0;
    corpus_json_iter it;
    corpus_json_iter_init(choices, &it);
    while( corpus_json_iter_next(&it, 0, &v) ) k++;
    sqlite3_result_int64(ctx, k);
    return;
  }
  if( !corpus_json_element(choices, 0, &choice)
   || corpus_json_type(choice)!=CORPUS_JSON_OBJECT ){
    if( f==F_ERROR ) result_line_error(ctx, "no choices in the response body");
    return;
  }
  if( f==F_ERROR ) return;                  /* a response: no error */
  if( f==F_FINISH_REASON ){
    static const char *const p_fr[] = {"finish_reason", 0};
    rc = json_path(choice, p_fr, &v);
  }else{
    const char *path[3];
    path[0] = "message";
    path[1] = f==F_TEXT ? "content" : field_names[f];
    path[2] = 0;
    rc = json_path(choice, path, &v);
  }
  if( rc<0 ) goto nomem;
  if( rc==1 ) result_json(ctx, v);
  return;
nomem:
  sqlite3_result_error_nomem(ctx);
}

/* llm_request reads its messages argument's subtype (JSON or not). */
#ifdef SQLITE_SUBTYPE
# define LLM_ARG_SUBTYPE SQLITE_SUBTYPE
#else
# define LLM_ARG_SUBTYPE 0
#endif

static const corpus_sql llm_sql[] = {
  CORPUS_SCALAR("llm_request", 2, CORPUS_PURE | CORPUS_JSON_RESULT | LLM_ARG_SUBTYPE, llm_request_func),
  CORPUS_SCALAR("llm_request", 3, CORPUS_PURE | CORPUS_JSON_RESULT | LLM_ARG_SUBTYPE, llm_request_func),
  CORPUS_SCALAR("llm_response", 2, CORPUS_PURE | CORPUS_JSON_RESULT, llm_response_func),
};

int corpus_llm_register(sqlite3 *db, char **pzErr){
  return corpus_sql_register(db, llm_sql, CORPUS_COUNT(llm_sql), pzErr);
}
