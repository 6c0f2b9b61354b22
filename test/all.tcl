# Runs test/*.test, each in a tclsh of its own, and adds up the results.
#   tclsh test/all.tcl [LIBRARY] [-big | -all]      (default dist/corpus)
# By default every file but big*.test, the long inputs (100 MB texts), which
# `make test-big` runs with -big, alone; -all runs every file (`make asan`).
# TESTS=GLOB picks the files whose name matches from all of them, big ones
# included; TESTS_SKIP="GLOB ..." leaves out the files any GLOB matches.
# -wrap "CMD ARGS" runs each file's tclsh under that command (`make
# valgrind`: valgrind's memcheck).
# Ends with the line "N passed, N failed"; exits 1 on any failure, and when
# no file is selected.
set wrap {}
if {[set i [lsearch -exact $argv -wrap]] >= 0} {
  set wrap [lindex $argv [expr {$i + 1}]]
  set argv [lreplace $argv $i [expr {$i + 1}]]
}
set big [expr {[lsearch -exact $argv -big] >= 0}]
set all [expr {[lsearch -exact $argv -all] >= 0}]
set argv [lsearch -all -inline -not -regexp $argv {^-(big|all)$}]
set lib [expr {[llength $argv] ? [lindex $argv 0] : "dist/corpus"}]
set testdir [file dirname [file normalize [info script]]]
set tclsh [info nameofexecutable]
set pass 0
set fail 0
set files [lsort [glob -directory $testdir *.test]]
if {[info exists env(TESTS)]} {
  set files [lmap f $files {expr {[string match $env(TESTS) [file tail $f]] ? $f : [continue]}}]
} elseif {!$all} {
  set files [lmap f $files {
    expr {[string match big*.test [file tail $f]] == $big ? $f : [continue]}
  }]
}
if {[info exists env(TESTS_SKIP)]} {
  set files [lmap f $files {
    set keep 1
    foreach g $env(TESTS_SKIP) { if {[string match $g [file tail $f]]} { set keep 0 } }
    expr {$keep ? $f : [continue]}
  }]
}
if {![llength $files]} {
  puts "all.tcl: no test file selected"
  puts "0 passed, 1 failed"
  exit 1
}
foreach f $files {
  set name [file tail $f]
  set t0 [clock milliseconds]
  set rc [catch {exec {*}$wrap $tclsh $f $lib 2>@1} out]
  set ms [expr {[clock milliseconds] - $t0}]
  # exec appends this line when the file exits non-zero (it does on failure)
  regsub {\nchild process exited abnormally$} $out {} out
  set summary [lindex [split [string trimright $out] \n] end]
  if {[regexp {^(\S+): (\d+) passed, (\d+) failed$} $summary -> who p n]
      && $who eq $name} {
    # a clean summary from a process that exited non-zero: a report from
    # the -wrap command (valgrind's --error-exitcode) or a sanitizer
    if {$rc && $n == 0} {
      set n 1
      puts "$name: exited non-zero ($::errorCode) though its tests passed"
    }
    incr pass $p
    foreach line [lrange [split [string trimright $out] \n] 0 end-1] {
      puts $line
    }
    incr fail $n
    puts [format "%-24s %5d passed %3d failed %7d ms" $name $p $n $ms]
  } else {
    # The file died before finish_test: a crash or a sanitizer report.
    incr fail
    puts $out
    puts [format "%-24s CRASHED (exit status: %s)" $name $::errorCode]
  }
}
puts "$pass passed, $fail failed"
exit [expr {$fail > 0}]
