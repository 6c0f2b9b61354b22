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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size){
  size_t errpos = 0;
  int budget = 100000;
  if( corpus_json_check((const char*)data, size, &errpos) ){
    if( errpos>size ) fuzz_fail("json", "error offset past the end");
    return 0;
  }
  visit(corpus_json_root((const char*)data, size), 0, &budget);
  return 0;
}
