# Test harness in the manner of SQLite's own test/tester.tcl.
#
# A test file sources this, then calls do_execsql_test, do_catchsql_test and
# do_test, and ends with finish_test.  Each file runs in its own tclsh with a
# fresh in-memory connection `db` that has the extension loaded; the library
# is the first command-line argument (default dist/corpus), as test/all.tcl
# passes it.  Failures print the expected and the actual result; the last
# line is "FILE: N passed, N failed".
package require sqlite3

set ::testdir [file dirname [file normalize [info script]]]
set ::corpus_lib [expr {[llength $::argv] ? [lindex $::argv 0] : "dist/corpus"}]
set ::n_pass 0
set ::n_fail 0

proc open_db {{name db}} {
  catch {$name close}
  sqlite3 $name :memory:
  $name enable_load_extension 1
  $name eval {SELECT load_extension($::corpus_lib)}
}
proc reset_db {} { open_db db }
open_db db

proc test_result {name expected got} {
  if {$expected eq $got} {
    incr ::n_pass
  } else {
    incr ::n_fail
    puts "FAIL $name"
    puts "  expected: [string range $expected 0 2000]"
    puts "  got:      [string range $got 0 2000]"
  }
}

# Lists compare as canonical Tcl lists, so the expected value may be written
# with any white space between elements.
proc do_execsql_test {name sql expected} {
  if {[catch {uplevel 1 [list db eval $sql]} got]} { set got [list error $got] }
  test_result $name [list {*}$expected] [list {*}$got]
}

proc do_catchsql_test {name sql expected} {
  set rc [catch {uplevel 1 [list db eval $sql]} msg]
  test_result $name [list {*}$expected] [list $rc $msg]
}

proc do_test {name script expected} {
  if {[catch {uplevel 1 $script} got]} { set got [list error $got] }
  test_result $name $expected $got
}

# A time limit of ms milliseconds for a check that the build is fast
# enough, 25 times as long under valgrind (`make valgrind`), whose memcheck
# runs code 20 to 50 times slower.
proc time_limit {ms} {
  if {[info exists ::env(LD_PRELOAD)] && [string match *vgpreload* $::env(LD_PRELOAD)]} {
    return [expr {25 * $ms}]
  }
  return $ms
}

# Runs /usr/bin/python3 with args (stderr too) and returns its output.
# Under make asan (LD_PRELOAD of the sanitizers) leak checking is off for
# Python, which does not free everything at exit; memory errors still
# abort, and the extension's own leaks are the Tcl suite's to find.
proc python_exec {args} {
  set asan [expr {[info exists ::env(ASAN_OPTIONS)] ? "$::env(ASAN_OPTIONS):" : ""}]
  exec env ASAN_OPTIONS=${asan}detect_leaks=0 /usr/bin/python3 {*}$args 2>@1
}

# Seed for a randomized test: $env(SEED) when set, otherwise from the clock.
# Always printed, so a failure can be replayed with SEED=N.
proc test_seed {name} {
  if {[info exists ::env(SEED)]} { set s $::env(SEED) } else {
    set s [expr {[clock microseconds] % 1000000007}]
  }
  puts "$name: seed $s"
  expr {srand($s)}
  return $s
}

# A new empty directory for the files a test reads and writes, removed with
# the others of this process by finish_test.
set test_tmproot [file join [expr {[info exists env(TMPDIR)] ? $env(TMPDIR) : "/tmp"}] \
                      corpus-test-[pid]]
proc test_dir {name} {
  set d [file join $::test_tmproot $name]
  file delete -force $d
  file mkdir $d
  return $d
}
# Writes bytes (binary) to a file, and returns its path.
proc write_bytes {path bytes} {
  set fd [open $path wb]
  puts -nonewline $fd $bytes
  close $fd
  return $path
}

proc finish_test {} {
  catch {db close}
  file delete -force $::test_tmproot
  puts "[file tail [info script]]: $::n_pass passed, $::n_fail failed"
  exit [expr {$::n_fail > 0}]
}
