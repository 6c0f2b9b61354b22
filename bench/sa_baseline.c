/*
** bench/substr.tcl's baseline: libdivsufsort alone on the same bytes as
** substring_dups, without the extension.
**
**   cc -O2 -o sa_baseline bench/sa_baseline.c -lsqlite3 -ldivsufsort -ldivsufsort64
**   ./sa_baseline DB 32|64 [SQL]
**
** Reads the texts of SQL (default SELECT text FROM docs) from the SQLite
** database DB, concatenated as substring_dups reads them (NULLs left out), into
** one buffer, then sorts its suffixes with divsufsort (32) or divsufsort64
** (64).  Prints one line: "bytes read_s sort_s peak_kB read_cpu_s sort_cpu_s"
** (wall-clock seconds, VmHWM, CPU seconds).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sqlite3.h>
#include <divsufsort.h>
#include <divsufsort64.h>

static double now(void){
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec/1e9;
}

static double cpu(void){
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec/1e9;
}

static long hwm_kb(void){
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  if( f==0 ) return -1;
  while( fgets(line, sizeof(line), f) ){
    if( strncmp(line, "VmHWM:", 6)==0 ) kb = strtol(line+6, 0, 10);
  }
  fclose(f);
  return kb;
}

int main(int argc, char **argv){
  sqlite3 *db;
  sqlite3_stmt *st;
  unsigned char *T = 0;
  size_t n = 0, cap = 0;
  double t0, t1, t2, c0, c1, c2;
  int width, rc;
  if( argc<3 ){
    fprintf(stderr, "usage: %s DB 32|64 [SQL]\n", argv[0]);
    return 2;
  }
  width = atoi(argv[2]);
  if( sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, 0)
   || sqlite3_prepare_v2(db, argc>3 ? argv[3] : "SELECT text FROM docs", -1,
                         &st, 0) ){
    fprintf(stderr, "%s\n", sqlite3_errmsg(db));
    return 1;
  }
  t0 = now();
  c0 = cpu();
  while( sqlite3_step(st)==SQLITE_ROW ){
    const void *p = sqlite3_column_blob(st, 0);
    size_t len = (size_t)sqlite3_column_bytes(st, 0);
    if( p==0 ) continue;
    if( n+len>cap ){
      cap = (n+len)*3/2 + 4096;
      T = realloc(T, cap);
      if( T==0 ){ fprintf(stderr, "out of memory\n"); return 1; }
    }
    memcpy(T+n, p, len);
    n += len;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  t1 = now();
  c1 = cpu();
  if( width==32 ){
    saidx_t *sa = malloc((n ? n : 1)*sizeof(saidx_t));
    if( sa==0 ){ fprintf(stderr, "out of memory\n"); return 1; }
    rc = divsufsort(T, sa, (saidx_t)n);
    t2 = now();
    c2 = cpu();
    free(sa);
  }else{
    saidx64_t *sa = malloc((n ? n : 1)*sizeof(saidx64_t));
    if( sa==0 ){ fprintf(stderr, "out of memory\n"); return 1; }
    rc = divsufsort64(T, sa, (saidx64_t)n);
    t2 = now();
    c2 = cpu();
    free(sa);
  }
  if( rc ){ fprintf(stderr, "divsufsort failed (%d)\n", rc); return 1; }
  printf("%zu %.3f %.3f %ld %.3f %.3f\n", n, t1-t0, t2-t1, hwm_kb(), c1-c0,
         c2-c1);
  free(T);
  return 0;
}
