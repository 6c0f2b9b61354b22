#!/bin/sh
# Checks the layering of ext/ (ARCHITECTURE.md) from the objects' symbols:
# file A depends on file B when A's object uses a symbol that B's defines
# (nm).  Fails when a file depends on a file of a higher layer, or when any
# files depend on each other, directly or through a chain.
#
#   sh tools/layers.sh OBJDIR        (make test runs it on dist/obj)
#
# Layers, bottom up: base (no SQLite), glue (the shared SQL glue), the
# areas (any file not named here; they may use each other, without
# circles), entry (the extension's entry point).  A new base or glue file
# must be added to its list below, or it is checked as an area.  The
# objects must be plain ones (not LTO), whose symbol tables nm can read.
set -eu
dir=${1:?usage: tools/layers.sh OBJDIR}
NM=${NM:-nm}

base="base options json stream"
glue="sql"
entry="corpus"

layer() {
  for f in $base; do [ "$1" = "$f" ] && { echo "0 base"; return; }; done
  for f in $glue; do [ "$1" = "$f" ] && { echo "1 glue"; return; }; done
  for f in $entry; do [ "$1" = "$f" ] && { echo "3 entry"; return; }; done
  echo "2 area"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for o in "$dir"/*.o; do
  [ -e "$o" ] || { echo "layers: no objects in $dir" >&2; exit 2; }
  f=$(basename "$o" .o)
  set -- $(layer "$f")
  echo "$f $1 $2" >> "$tmp/files"
  "$NM" --defined-only -g "$o" | awk -v f="$f" 'NF==3 {print $3, f}' >> "$tmp/defs"
  "$NM" -u "$o" | awk -v f="$f" '{print f, $NF}' >> "$tmp/uses"
  n=$((n+1))
done

awk -v nfiles="$n" '
  FILENAME ~ /files$/ { rank[$1] = $2; lname[$1] = $3; files[++nf] = $1; next }
  FILENAME ~ /defs$/  { def[$1] = $2; next }
  {
    # $1 uses $2
    if( !($2 in def) || def[$2]==$1 ) next
    to = def[$2]
    if( !(($1, to) in edge) ){ edge[$1, to] = $2; out[$1] = out[$1] " " to }
  }
  function visit(f,    i, j, k, t, nxt, parts, path){
    state[f] = 1; stack[++depth] = f
    k = split(out[f], parts, " ")
    for(i=1; i<=k; i++){
      t = parts[i]
      if( state[t]==1 ){
        # the circle: t, the files after it on the stack, f, back to t
        for(j=depth; j>=1 && stack[j]!=t; j--) ;
        path = ""
        for(; j<=depth; j++){
          nxt = (j<depth) ? stack[j+1] : t
          path = path stack[j] ".c (" edge[stack[j], nxt] ") -> "
        }
        print "layers: circle: " path t ".c"
        bad = 1
      }else if( state[t]==0 ){
        visit(t)
      }
    }
    depth--; state[f] = 2
  }
  END {
    for(key in edge){
      split(key, ab, SUBSEP)
      if( rank[ab[2]] > rank[ab[1]] ){
        printf "layers: %s.c (%s) uses %s from %s.c (%s), a higher layer\n",
               ab[1], lname[ab[1]], edge[key], ab[2], lname[ab[2]]
        bad = 1
      }
    }
    for(i=1; i<=nf; i++) state[files[i]] = 0
    for(i=1; i<=nf; i++) if( state[files[i]]==0 ) visit(files[i])
    if( bad ) exit 1
    ne = 0; for(key in edge) ne++
    printf "layers: %d files, %d dependencies, no circle, none upward\n", nf, ne
  }
' "$tmp/files" "$tmp/defs" "$tmp/uses"
