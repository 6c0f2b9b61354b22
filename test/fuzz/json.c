/*
** The JSON reader of ext/json.c directly: corpus_json_check() on any bytes;
** on a valid text, every member and element is visited (to a bounded depth
** and count), its text appended, and each container indexed and looked up
** by every key and index it has, which must agree with the plain lookups.
*/
#include "fuzz.h"
#include "corpus_int.h"

static void visit(corpus_json v, int depth, int *budget){
  corpus_json_iter it;
  corpus_json key, val, got, got2;
  corpus_json_index *x = 0;
  corpus_buf b = {0, 0, 0};
  size_t idx = 0;
  int type = corpus_json_type(v);
  if( --*budget<0 ) return;
  corpus_json_append_text(v, &b);
  corpus_free(b.z);
  if( type!=CORPUS_JSON_ARRAY && type!=CORPUS_JSON_OBJECT ) return;
  corpus_json_empty(v);
  if( corpus_json_index_new(v, &x) ) x = 0;
  corpus_json_iter_init(v, &it);
  while( corpus_json_iter_next(&it, &key, &val) ){
    if( type==CORPUS_JSON_OBJECT ){
      corpus_buf k = {0, 0, 0};
      int r1, r2;
      if( corpus_json_append_text(key, &k)==0 && k.z ){
        r1 = corpus_json_member(v, k.z, k.n, &got);
        if( x ){
          r2 = corpus_json_index_member(x, k.z, k.n, &got2);
          if( r1!=r2 || (r1==1 && (got.z!=got2.z || got.n!=got2.n)) ){
            fuzz_fail("json", "index and scan disagree on a member");
          }
        }
      }
      corpus_free(k.z);
    }else{
      if( corpus_json_element(v, idx, &got)!=1
       || got.z!=val.z || got.n!=val.n ){
        fuzz_fail("json", "element and iteration disagree");
      }
      if( x && (corpus_json_index_element(x, idx, &got2)!=1
             || got2.z!=val.z || got2.n!=val.n) ){
        fuzz_fail("json", "index and iteration disagree on an element");
      }
      idx++;
    }
    if( depth<2000 ) visit(val, depth+1, budget);
  }
  if( type==CORPUS_JSON_ARRAY ){
    if( corpus_json_element(v, idx, &got)!=0 ) fuzz_fail("json", "extra");
  }
  corpus_json_index_free(x);
}

/* The check that also validates strings' UTF-8 (read_jsonl's, in one
** pass) against the plain check and corpus_utf8_valid(): 0 only for valid
** JSON that is valid UTF-8, 1 only for text that is not valid UTF-8, -1
** only where the plain check fails at the same place. */
static void check_utf8_agrees(const char *z, size_t n){
  size_t pos = 0, pos2 = 0;
  const char *why = 0;
  int rc = corpus_json_check_utf8(z, n, &pos, &why);
  int plain = corpus_json_check(z, n, &pos2);
  int valid = corpus_utf8_valid(z, n);
  if( rc==0 && (plain!=0 || !valid) ){
    fuzz_fail("json", "check_utf8 passed what the checks refuse");
  }
  if( rc==1 && valid ) fuzz_fail("json", "check_utf8 refused valid UTF-8");
  if( rc==-1 && (plain==0 || pos!=pos2) ){
    fuzz_fail("json", "check_utf8 and the plain check disagree on a fault");
  }
  if( rc!=0 && (pos>n || why==0) ) fuzz_fail("json", "fault without a place");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  size_t errpos = 0;
  int budget = 100000;
  check_utf8_agrees((const char*)data, size);
  if( corpus_json_check((const char*)data, size, &errpos) ){
    if( errpos>size ) fuzz_fail("json", "error offset past the end");
    return 0;
  }
  visit(corpus_json_root((const char*)data, size), 0, &budget);
  return 0;
}
