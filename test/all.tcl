# Runs every test/*.test in a tclsh of its own and adds up the results.
#   tclsh test/all.tcl [LIBRARY]      (default dist/corpus)
# Ends with the line "N passed, N failed"; exits 1 on any failure.
set lib [expr {[llength $argv] ? [lindex $argv 0] : "dist/corpus"}]
set testdir [file dirname [file normalize [info script]]]
set tclsh [info nameofexecutable]
set pass 0
set fail 0
set files [lsort [glob -directory $testdir *.test]]
if {[info exists env(TESTS)]} {
  set files [lmap f $files {expr {[string match $env(TESTS) [file tail $f]] ? $f : [continue]}}]
}
foreach f $files {
  set name [file tail $f]
  set t0 [clock milliseconds]
  set rc [catch {exec $tclsh $f $lib 2>@1} out]
  set ms [expr {[clock milliseconds] - $t0}]
  # exec appends this line when the file exits non-zero (it does on failure)
  regsub {\nchild process exited abnormally$} $out {} out
  set summary [lindex [split [string trimright $out] \n] end]
  if {[regexp {^(\S+): (\d+) passed, (\d+) failed$} $summary -> who p n]
      && $who eq $name} {
    incr pass $p
    incr fail $n
    foreach line [lrange [split [string trimright $out] \n] 0 end-1] {
      puts $line
    }
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
