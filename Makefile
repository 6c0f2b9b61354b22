# sqlite-corpus.  `make` builds dist/corpus.so; see README.md for the rest.
CC      ?= cc
CFLAGS  ?= -O2 -g
CXX     ?= g++
CXXFLAGS ?= -O2 -g
PREFIX  ?= /usr/local
TCLSH   ?= tclsh
SQLITE3 ?= sqlite3

VERSION  := $(shell cat VERSION)
WARN     := -Wall -Wextra
CPPFLAGS += -Iinclude -Iext -I/usr/include/libxml2 -DCORPUS_VERSION='"$(VERSION)"'
# CLD2 (lang.c): libcld2_full holds CLD2's full tables (160+ languages)
# and nothing else; it must come before libcld2, whose own smaller tables
# it replaces at load time, and be linked though no object names it.
# lang_cld2.cc, the library's only C++, needs libstdc++.
CLD2LIBS := -Wl,--push-state,--no-as-needed -lcld2_full -Wl,--pop-state \
            -lcld2 -lstdc++
LDLIBS   := -lutf8proc -lpcre2-8 -lz -lzstd -lpsl -lxml2 -ldivsufsort -ldivsufsort64 $(CLD2LIBS) -lpthread -lm
SRC      := $(wildcard ext/*.c)
CXXSRC   := $(wildcard ext/*.cc)
HDR      := $(wildcard ext/*.h include/*.h)
# One object per file, so that tools/layers.sh can read who uses whom.  The
# library exports sqlite3_corpus_init and the C API of include/corpus.h,
# nothing else (-fvisibility=hidden; the header's pragmas).
OBJ      := $(SRC:ext/%.c=dist/obj/%.o) $(CXXSRC:ext/%.cc=dist/obj/%.o)
ASAN_OBJ := $(SRC:ext/%.c=dist/asan/obj/%.o) \
            $(CXXSRC:ext/%.cc=dist/asan/obj/%.o)
VIS      := -fvisibility=hidden

# The BPE rank tables (data/bpe/*.tiktoken, SHA-256 checked against OpenAI's
# published hashes) become C arrays at build time (tools/bpe_gen.c) and are
# compiled once into objects that both builds of the library link.
GEN      := dist/gen
BPE_ENCS := r50k_base p50k_base cl100k_base o200k_base
BPE_OBJ  := $(BPE_ENCS:%=$(GEN)/bpe_%.o)
BPE_GAP_p50k_base := --gap 50256   # the id of its <|endoftext|>

# The sanitizer build: gcc's ASan+UBSan runtimes are preloaded into tclsh,
# which is not itself instrumented.  It builds json.c's portable string
# scan (CORPUS_NO_SIMD), so that the suite runs it as `make test` runs the
# SSE2 one.  `make asan` runs every test file, the
# long inputs of `make test-big` included.
ASAN_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=all -DCORPUS_SANITIZE -DCORPUS_NO_SIMD
ASAN_PRELOAD  = $(shell $(CC) -print-file-name=libasan.so) \
                $(shell $(CC) -print-file-name=libubsan.so)

# ThreadSanitizer: the library and test/threads.c (8 threads calling the
# functions at once, on connections of their own and a shared one) built
# with -fsanitize=thread; `make tsan` runs it.
TSAN_FLAGS := -O1 -g -fno-omit-frame-pointer -fsanitize=thread -DCORPUS_SANITIZE
TSAN_OBJ   := $(SRC:ext/%.c=dist/tsan/obj/%.o) \
              $(CXXSRC:ext/%.cc=dist/tsan/obj/%.o)

# Valgrind's memcheck over the suite but the files in VALGRIND_SKIP: the
# timing and peak-memory files (budget, scaling, memory, big), which measure
# what memcheck's 20 to 50 times slowdown and its own allocator distort,
# the documentation files, which run other programs (python3, sqlite3), and
# the Python package's, the Dask pipeline's, sqlite-utils' and make install's
# files, which do too.
VALGRIND_SKIP ?= budget*.test scaling*.test memory*.test big*.test docs*.test readme*.test examples*.test \
                 python*.test sqlite_utils*.test install*.test dask*.test
VALGRIND := valgrind --tool=memcheck --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite --show-leak-kinds=definite \
            --suppressions=$(CURDIR)/test/valgrind.supp --quiet

.PHONY: all deps test test-big asan asan-tests tsan valgrind demo examples-update bench install uninstall clean \
        fuzz fuzz-ci fuzz-deps fuzz-build fuzz-replay

.PHONY: report report-shot

all: dist/corpus.so

$(GEN)/bpe_gen: tools/bpe_gen.c ext/bpe_table.h
	@mkdir -p $(@D)
	$(CC) -O2 -Iext -o $@ tools/bpe_gen.c

$(GEN)/bpe_%.c: data/bpe/%.tiktoken data/bpe/SHA256SUMS $(GEN)/bpe_gen
	cd data/bpe && grep ' $*.tiktoken$$' SHA256SUMS | sha256sum --quiet -c -
	$(GEN)/bpe_gen $(BPE_GAP_$*) $* $< > $@.tmp && mv $@.tmp $@

$(GEN)/bpe_%.o: $(GEN)/bpe_%.c ext/bpe_table.h
	$(CC) -Iext -O1 $(VIS) -fPIC -c -o $@ $<

.SECONDARY: $(BPE_ENCS:%=$(GEN)/bpe_%.c)

# Every rank of every table looks up to itself (tools/bpe_check.c).
$(GEN)/bpe_check: tools/bpe_check.c ext/bpe_table.h $(BPE_OBJ)
	$(CC) -O2 $(WARN) -Iext -o $@ tools/bpe_check.c $(BPE_OBJ)

dist/obj/%.o: ext/%.c $(HDR) VERSION Makefile
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -DNDEBUG $(CFLAGS) $(WARN) $(VIS) -fPIC -c -o $@ $<

dist/asan/obj/%.o: ext/%.c $(HDR) VERSION Makefile
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_FLAGS) $(WARN) $(VIS) -fPIC -c -o $@ $<

# The C++ shim (lang_cld2.cc), in each build as the C files are.
dist/obj/%.o: ext/%.cc $(HDR) VERSION Makefile
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) -DNDEBUG $(CXXFLAGS) $(WARN) $(VIS) -fPIC -c -o $@ $<

dist/asan/obj/%.o: ext/%.cc $(HDR) VERSION Makefile
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(ASAN_FLAGS) $(WARN) $(VIS) -fPIC -c -o $@ $<

dist/tsan/obj/%.o: ext/%.cc $(HDR) VERSION Makefile
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(TSAN_FLAGS) $(WARN) $(VIS) -fPIC -c -o $@ $<

dist/corpus.so: $(OBJ) $(BPE_OBJ)
	$(CC) $(CFLAGS) -shared -Wl,-soname,corpus.so -o $@.tmp $(OBJ) $(BPE_OBJ) $(LDLIBS)
	@mv $@.tmp $@  # a new file, not overwritten in place: running tests keep theirs

dist/tsan/obj/%.o: ext/%.c $(HDR) VERSION Makefile
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(TSAN_FLAGS) $(WARN) $(VIS) -fPIC -c -o $@ $<

dist/tsan/corpus.so: $(TSAN_OBJ) $(BPE_OBJ)
	$(CC) $(TSAN_FLAGS) -shared -Wl,-soname,corpus.so -o $@.tmp $(TSAN_OBJ) $(BPE_OBJ) $(LDLIBS)
	@mv $@.tmp $@

dist/tsan/threads: test/threads.c
	@mkdir -p $(@D)
	$(CC) $(TSAN_FLAGS) $(WARN) -o $@ test/threads.c -lsqlite3 -lpthread

dist/asan/corpus.so: $(ASAN_OBJ) $(BPE_OBJ)
	$(CC) $(ASAN_FLAGS) -shared -Wl,-soname,corpus.so -o $@.tmp $(ASAN_OBJ) $(BPE_OBJ) $(LDLIBS)
	@mv $@.tmp $@

# The allocation-failure driver (test/oom.c, run by test/oom01.test): the
# library's objects linked into a program with the system SQLite, whose
# allocator it replaces.
OOM_LIBS := -lsqlite3 $(LDLIBS)
dist/oom: test/oom.c include/corpus.h $(OBJ) $(BPE_OBJ)
	$(CC) $(CFLAGS) $(WARN) -Iinclude -o $@ test/oom.c $(OBJ) $(BPE_OBJ) $(OOM_LIBS)

dist/asan/oom: test/oom.c include/corpus.h $(ASAN_OBJ) $(BPE_OBJ)
	$(CC) $(ASAN_FLAGS) $(WARN) -Iinclude -o $@ test/oom.c $(ASAN_OBJ) $(BPE_OBJ) $(OOM_LIBS)

# Installs the Debian packages the build, tests and demo need (once).
deps:
	@sh scripts/deps.sh

test: deps dist/corpus.so dist/oom $(GEN)/bpe_check
	$(GEN)/bpe_check
	sh tools/layers.sh dist/obj
	$(TCLSH) test/all.tcl dist/corpus

# The long inputs (test/big*.test: 100 MB texts), which `make test` leaves out.
test-big: deps dist/corpus.so
	$(TCLSH) test/all.tcl dist/corpus -big

asan: deps dist/asan/corpus.so dist/asan/oom fuzz-replay
	@$(MAKE) --no-print-directory asan-tests

# The sanitizer run of the test files alone, the library built (make asan
# builds it and replays the fuzz inputs first); TESTS and TESTS_SKIP pick
# files, as .ci/run does to run two parts at once on two cores.
asan-tests:
	LD_PRELOAD="$(ASAN_PRELOAD)" \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/test/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(TCLSH) test/all.tcl dist/asan/corpus -all

# Fuzzing (test/fuzz/README.md).  Each test/fuzz/T.c is a libFuzzer target,
# built with clang against the extension's objects and the system
# libsqlite3 (dist/fuzz/T); `make fuzz` runs each for FUZZ_TIME seconds,
# one process at a time, its new inputs kept in dist/fuzz/corpus/T and
# any crash, leak, timeout or memory blowup written to dist/fuzz/crashes/T.
# `make fuzz-replay` runs the same targets with a plain main()
# (test/fuzz/replay.c, gcc, ASan/UBSan) over the seeds and the
# reproducers of fixed faults in test/fuzz/crashes/T.
FUZZ_CC      ?= clang-14
FUZZ_TIME    ?= 60
FUZZ_TARGETS := $(basename $(notdir $(filter-out test/fuzz/replay.c, \
                  $(wildcard test/fuzz/*.c))))
FUZZ_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=all
FUZZ_OBJ     := $(SRC:ext/%.c=dist/fuzz/obj/%.o) \
                $(CXXSRC:ext/%.cc=dist/fuzz/obj/%.o)
FUZZ_LIBS    := -lsqlite3 $(LDLIBS)
# Inputs up to these sizes: templates 30+ sections deep, long texts.
FUZZ_MAXLEN_options := 4096
FUZZ_MAXLEN_blobs   := 16384
FUZZ_MAXLEN_prompt  := 8192
FUZZ_MAXLEN_json    := 16384
FUZZ_MAXLEN_text    := 65536
FUZZ_MAXLEN_bpe     := 16384
FUZZ_MAXLEN_vtab    := 4096
FUZZ_MAXLEN_mhindex := 4096
FUZZ_MAXLEN_jsonl   := 65536
FUZZ_MAXLEN_warc    := 32768
FUZZ_MAXLEN_html    := 65536
# Templates and texts may be long from the start (libFuzzer otherwise grows
# the length limit slowly), so that deep nesting and big inputs come early.
FUZZ_EXTRA_prompt   := -len_control=0
FUZZ_EXTRA_text     := -len_control=0
FUZZ_EXTRA_vtab     := -len_control=0
FUZZ_EXTRA_mhindex  := -len_control=0
# A hang (10 s for one input) and a memory blowup (2 GB) are failures.
FUZZ_RUN_FLAGS = -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
                 -max_total_time=$(FUZZ_TIME) -print_final_stats=1

dist/fuzz/obj/%.o: ext/%.c $(HDR) VERSION Makefile | fuzz-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(WARN) \
	  $(VIS) -c -o $@ $<

# clang compiles a .cc file as C++
dist/fuzz/obj/%.o: ext/%.cc $(HDR) VERSION Makefile | fuzz-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link $(WARN) \
	  $(VIS) -c -o $@ $<

dist/fuzz/%: test/fuzz/%.c test/fuzz/fuzz.h $(FUZZ_OBJ) $(BPE_OBJ) | fuzz-deps
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer $(WARN) -o $@ \
	  $< $(FUZZ_OBJ) $(BPE_OBJ) $(FUZZ_LIBS)

dist/fuzz-replay/%: test/fuzz/%.c test/fuzz/fuzz.h test/fuzz/replay.c \
                    $(ASAN_OBJ) $(BPE_OBJ)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ASAN_FLAGS) $(WARN) -o $@ $< test/fuzz/replay.c \
	  $(ASAN_OBJ) $(BPE_OBJ) $(FUZZ_LIBS)

fuzz-deps:
	@sh scripts/deps.sh fuzz

fuzz-build: fuzz-deps $(FUZZ_TARGETS:%=dist/fuzz/%)

# Every target runs; the failed ones are named at the end.
fuzz: fuzz-build
	@failed=; for t in $(FUZZ_TARGETS); do \
	  $(MAKE) --no-print-directory fuzz-run-$$t || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed"; exit 1; fi

# One target: libFuzzer writes its new inputs into the first directory and
# reads the committed seeds from the second.
fuzz-run-%: dist/fuzz/%
	@mkdir -p dist/fuzz/corpus/$* dist/fuzz/crashes/$*
	@echo "fuzz: $* for $(FUZZ_TIME) s"
	@dist/fuzz/$* $(FUZZ_RUN_FLAGS) -max_len=$(FUZZ_MAXLEN_$*) $(FUZZ_EXTRA_$*) \
	  $(if $(wildcard test/fuzz/$*.dict),-dict=test/fuzz/$*.dict) \
	  -artifact_prefix=dist/fuzz/crashes/$*/ \
	  dist/fuzz/corpus/$* test/fuzz/corpus/$* > dist/fuzz/$*.log 2>&1 \
	|| { tail -40 dist/fuzz/$*.log; \
	     echo "fuzz: $* FAILED (dist/fuzz/$*.log, dist/fuzz/crashes/$*/)"; \
	     exit 1; }
	@grep -E '^stat::number_of_executed_units' dist/fuzz/$*.log \
	  | sed 's/^stat::number_of_executed_units: */fuzz: $*: executions: /'

# The short pass that CI runs: a fixed seed and a fixed number of inputs
# per target (at most 15 s each), so that a CI run is reproducible and does
# not pass or fail by the machine's speed; open-ended search is `make fuzz`.
FUZZ_CI_RUNS ?= 400
fuzz-ci:
	@$(MAKE) --no-print-directory fuzz FUZZ_TIME=15 \
	  FUZZ_RUN_FLAGS="$(FUZZ_RUN_FLAGS) -seed=1 -runs=$(FUZZ_CI_RUNS)"

fuzz-replay: deps $(FUZZ_TARGETS:%=dist/fuzz-replay/%)
	@for t in $(FUZZ_TARGETS); do \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    dist/fuzz-replay/$$t test/fuzz/corpus/$$t test/fuzz/crashes/$$t \
	    || exit 1; \
	done

# Exits non-zero on any race TSan reports (exitcode) or a wrong answer.
tsan: deps dist/tsan/corpus.so dist/tsan/threads
	TSAN_OPTIONS=halt_on_error=1:exitcode=66:second_deadlock_stack=1 \
	  dist/tsan/threads dist/tsan/corpus 20

# Each test file's tclsh runs under memcheck (test/all.tcl's -wrap); any
# error, a definite leak included, makes valgrind exit 99 and the file fail.
valgrind: deps dist/corpus.so
	@command -v valgrind >/dev/null || { echo "valgrind: not installed (apt-get install valgrind)"; exit 1; }
	TESTS_SKIP='$(VALGRIND_SKIP)' $(TCLSH) test/all.tcl dist/corpus -wrap "$(VALGRIND)"

# The quickstart notebook (examples/01-quickstart.sql) on the bundled corpus.
demo: deps dist/corpus.so
	$(SQLITE3) -bail :memory: < examples/01-quickstart.sql
	@echo "demo: the report of the corpus is $(CURDIR)/dist/report.html (open it in a browser; make report-shot takes a screenshot)"

# Writes examples/NN-name.out again from this build (test/examples01.test
# compares each notebook's output with it).
examples-update: dist/corpus.so
	EXAMPLES_UPDATE=1 TESTS='examples01.test' $(TCLSH) test/all.tcl dist/corpus

# The HTML report (sql/report.sql) of the quickstart's corpus: the notebook
# run on a database file (dist/demo.db) keeps its report_docs, which the
# recipe reads: dist/report.html.  report-shot takes a screenshot of the
# whole page, 1280 pixels wide, in headless Chromium: dist/report.png.
CHROMIUM ?= chromium
report: deps dist/corpus.so
	rm -f dist/demo.db
	$(SQLITE3) -bail dist/demo.db < examples/01-quickstart.sql > /dev/null
	@echo "report: $(CURDIR)/dist/report.html (its input: report_docs in dist/demo.db)"

report-shot: report
	/usr/bin/python3 tools/chromium_page.py --screenshot dist/report.png \
	  $(CHROMIUM) dist/report.html
	@echo "report-shot: $(CURDIR)/dist/report.png"

bench: deps dist/corpus.so
	@sh bench/run.sh

# The library, its header, a pkg-config file (tools/corpus.pc.in: the
# paths as installed, without DESTDIR, which only stages the files) and the
# SQL recipes of sql/ in $(PREFIX)/share/sqlite-corpus/sql (pkg-config's
# variable recipes).
RECIPEDIR = $(PREFIX)/share/sqlite-corpus/sql
install: dist/corpus.so
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(RECIPEDIR)
	install -m 644 dist/corpus.so $(DESTDIR)$(PREFIX)/lib/corpus.so
	install -m 644 include/corpus.h $(DESTDIR)$(PREFIX)/include/corpus.h
	install -m 644 sql/*.sql $(DESTDIR)$(RECIPEDIR)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' tools/corpus.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/corpus.pc.tmp
	chmod 644 $(DESTDIR)$(PREFIX)/lib/pkgconfig/corpus.pc.tmp
	mv $(DESTDIR)$(PREFIX)/lib/pkgconfig/corpus.pc.tmp $(DESTDIR)$(PREFIX)/lib/pkgconfig/corpus.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/corpus.so $(DESTDIR)$(PREFIX)/include/corpus.h \
	      $(DESTDIR)$(PREFIX)/lib/pkgconfig/corpus.pc
	rm -f $(addprefix $(DESTDIR)$(RECIPEDIR)/,$(notdir $(wildcard sql/*.sql)))
	rmdir $(DESTDIR)$(RECIPEDIR) $(DESTDIR)$(PREFIX)/share/sqlite-corpus 2>/dev/null || true

clean:
	rm -rf dist python/build python/sqlite_corpus.egg-info
