# Benchmark of read_warc() over a WARC file with each record its own gzip
# member (Common Crawl's layout), next to `zcat FILE > /dev/null` on the
# same file, measured in the same run: the issue's target is read_warc
# within 1.5x of zcat's time.
#
#   tclsh bench/warc.tcl LIB [-runs N] [-mb N] [-keep] [DIR...]
#
# LIB is the extension without its suffix (dist/corpus).  The WARC is built
# first from the HTML files under DIR (default /usr/share/doc, where
# Debian's python3.11-doc and friends put theirs), each a response record
# with HTTP headers, until -mb MB (default 100) of records; every fourth
# body is chunked and every fourth gzip-encoded, as crawled pages are.  It
# is written to a temporary file, removed at the end unless -keep.  Every
# query runs -runs times (default 3), the best wall-clock time reported.
# The output is figures, never a verdict.
package require sqlite3
source [file join [file dirname [info script]] lib.tcl]

proc usage {} {
  puts stderr "usage: tclsh bench/warc.tcl LIB \[-runs N\] \[-mb N\] \[-keep\] \[DIR...\]"
  exit 2
}

set runs 3
set mb 100
set keep 0
set dirs [parse_args $argv {-runs runs -mb mb -keep {keep flag}}]
if {![string is integer -strict $runs] || $runs < 1} usage
if {![string is double -strict $mb] || $mb <= 0} usage
if {![llength $dirs]} { set dirs /usr/share/doc }

proc html_files {dir} {
  set out {}
  foreach f [lsort [glob -nocomplain -directory $dir *]] {
    if {[file isdirectory $f] && [file type $f] ne "link"} {
      lappend out {*}[html_files $f]
    } elseif {[string match *.html $f] && [file isfile $f]} {
      lappend out $f
    }
  }
  return $out
}

# One response record for body: HTTP headers, then the body (chunked or
# gzip-encoded for some), all in one gzip member.
proc record {n uri body} {
  set ce ""
  set te ""
  if {$n % 4 == 1} {
    set body [zlib gzip $body]
    set ce "Content-Encoding: gzip\r\n"
  }
  if {$n % 4 == 2} {
    set chunked ""
    for {set i 0} {$i < [string length $body]} {incr i 8192} {
      set part [string range $body $i [expr {$i + 8191}]]
      append chunked [format %x [string length $part]] "\r\n" $part "\r\n"
    }
    set body "${chunked}0\r\n\r\n"
    set te "Transfer-Encoding: chunked\r\n"
  }
  set http "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n$ce$te\r\n$body"
  set id [format %08x-0000-4000-8000-%012x $n $n]
  set rec "WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:$id>\r\n"
  append rec "WARC-Date: 2024-01-01T00:00:00Z\r\nWARC-Target-URI: $uri\r\n"
  append rec "Content-Type: application/http; msgtype=response\r\n"
  append rec "Content-Length: [string length $http]\r\n\r\n$http\r\n\r\n"
  return [zlib gzip $rec]
}

set files {}
foreach d $dirs { lappend files {*}[html_files $d] }
if {![llength $files]} { puts stderr "bench/warc.tcl: no .html file under $dirs"; exit 1 }
set path [file join [expr {[info exists env(TMPDIR)] ? $env(TMPDIR) : "/tmp"}] \
              bench-warc-[pid].warc.gz]
set out [open $path wb]
set n 0
set raw 0
set limit [expr {$mb * 1e6}]
while {$raw < $limit} {
  foreach f $files {
    set fd [open $f rb]; set body [read $fd]; close $fd
    set uri "http://example.org/[incr n]/[file tail $f]"
    set r [record $n $uri $body]
    puts -nonewline $out $r
    incr raw [string length [zlib gunzip $r]]
    if {$raw >= $limit} break
  }
}
close $out
set size [file size $path]

header "read_warc over a per-record-gzip WARC" 12
machine_fields " (one used)"
field library $lib
field file "$n records, [format %.1f [expr {$size / 1e6}]] MB gzip, [format %.1f [expr {$raw / 1e6}]] MB of WARC (from [llength $files] HTML files under $dirs)"
field runs $runs

open_db $lib
proc zcat_time {} {
  set best {}
  for {set r 0} {$r < $::runs} {incr r} {
    set t0 [clock microseconds]
    exec zcat $::path > /dev/null
    set dt [expr {([clock microseconds] - $t0) / 1e6}]
    if {$best eq "" || $dt < $best} { set best $dt }
  }
  return $best
}
set zs [zcat_time]
set queries {
  {SELECT count(*) FROM read_warc($path)}
  {SELECT sum(length(payload)) FROM read_warc($path)}
  {SELECT sum(length(payload)) FROM read_warc($path, 'decode=off')}
  {SELECT count(*) FROM read_warc($path) WHERE http_status = 200 AND http_content_type LIKE 'text/html%'}
}
puts [format "   %-100s %8s %9s %10s  %s" query seconds "MB/s gz" "x zcat" result]
puts [format "   %-100s %8.3f %9.1f %10.2f  %s" "zcat FILE > /dev/null" $zs \
          [expr {$size / 1e6 / $zs}] 1.0 -]
foreach q $queries {
  lassign [time_query $q] s r
  puts [format "   %-100s %8.3f %9.1f %10.2f  %s" $q $s [expr {$size / 1e6 / $s}] \
            [expr {$s / $zs}] $r]
}
db close
if {!$keep} { file delete $path } else { puts "kept $path" }
