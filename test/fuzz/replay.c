/*
** A main() for the fuzz targets without libFuzzer: runs
** LLVMFuzzerTestOneInput() once per file named on the command line (a
** directory: each file in it), so that the seed corpora and the
** reproducers of fixed faults (test/fuzz/crashes/) run under gcc's
** ASan/UBSan in `make fuzz-replay`.  Prints how many inputs ran.
*/
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path){
  FILE *f = fopen(path, "rb");
  uint8_t *buf;
  long n;
  if( f==0 || fseek(f, 0, SEEK_END) || (n = ftell(f))<0 ){
    fprintf(stderr, "replay: cannot read %s\n", path);
    exit(1);
  }
  rewind(f);
  buf = malloc((size_t)n + 1);  /* +1: malloc(0) may be NULL */
  if( buf==0 || fread(buf, 1, (size_t)n, f)!=(size_t)n ){
    fprintf(stderr, "replay: cannot read %s\n", path);
    exit(1);
  }
  fclose(f);
  LLVMFuzzerTestOneInput(buf, (size_t)n);
  free(buf);
  return 1;
}

int main(int argc, char **argv){
  int i, count = 0;
  for(i=1; i<argc; i++){
    struct stat st;
    if( stat(argv[i], &st) ) continue;  /* an absent crashes/ directory */
    if( S_ISDIR(st.st_mode) ){
      DIR *d = opendir(argv[i]);
      struct dirent *e;
      while( d && (e = readdir(d))!=0 ){
        char path[4096];
        if( e->d_name[0]=='.' ) continue;
        snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
        count += run_file(path);
      }
      if( d ) closedir(d);
    }else{
      count += run_file(argv[i]);
    }
  }
  printf("%s: %d inputs\n", argv[0], count);
  return 0;
}
