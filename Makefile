# sqlite-corpus.  `make` builds dist/corpus.so; see README.md for the rest.
CC      ?= cc
CFLAGS  ?= -O2 -g
PREFIX  ?= /usr/local
TCLSH   ?= tclsh
SQLITE3 ?= sqlite3

VERSION  := $(shell cat VERSION)
WARN     := -Wall -Wextra
CPPFLAGS += -Iinclude -Iext -DCORPUS_VERSION='"$(VERSION)"'
LDLIBS   := -lutf8proc -lpcre2-8 -lpthread -lm
SRC      := $(wildcard ext/*.c)
HDR      := $(wildcard ext/*.h include/*.h)
# One object per file, so that tools/layers.sh can read who uses whom.  The
# library exports sqlite3_corpus_init and the C API of include/corpus.h,
# nothing else (-fvisibility=hidden; the header's pragmas).
OBJ      := $(SRC:ext/%.c=dist/obj/%.o)
ASAN_OBJ := $(SRC:ext/%.c=dist/asan/obj/%.o)
VIS      := -fvisibility=hidden

# The BPE rank tables (data/bpe/*.tiktoken, SHA-256 checked against OpenAI's
# published hashes) become C arrays at build time (tools/bpe_gen.c) and are
# compiled once into objects that both builds of the library link.
GEN      := dist/gen
BPE_ENCS := r50k_base p50k_base cl100k_base o200k_base
BPE_OBJ  := $(BPE_ENCS:%=$(GEN)/bpe_%.o)
BPE_GAP_p50k_base := --gap 50256   # the id of its <|endoftext|>

# The sanitizer build: gcc's ASan+UBSan runtimes are preloaded into tclsh,
# which is not itself instrumented.  `make asan` runs every test file, the
# long inputs of `make test-big` included.
ASAN_FLAGS   := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=all -DCORPUS_SANITIZE
ASAN_PRELOAD  = $(shell $(CC) -print-file-name=libasan.so) \
                $(shell $(CC) -print-file-name=libubsan.so)

.PHONY: all deps test test-big asan demo bench install uninstall clean

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

dist/corpus.so: $(OBJ) $(BPE_OBJ)
	$(CC) $(CFLAGS) -shared -Wl,-soname,corpus.so -o $@.tmp $(OBJ) $(BPE_OBJ) $(LDLIBS)
	@mv $@.tmp $@  # a new file, not overwritten in place: running tests keep theirs

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

asan: deps dist/asan/corpus.so dist/asan/oom
	LD_PRELOAD="$(ASAN_PRELOAD)" \
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/test/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  $(TCLSH) test/all.tcl dist/asan/corpus -all

demo: deps dist/corpus.so
	$(SQLITE3) -bail :memory: < examples/tour.sql

bench: deps dist/corpus.so
	@sh bench/run.sh

install: dist/corpus.so
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include
	install -m 644 dist/corpus.so $(DESTDIR)$(PREFIX)/lib/corpus.so
	install -m 644 include/corpus.h $(DESTDIR)$(PREFIX)/include/corpus.h

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/lib/corpus.so $(DESTDIR)$(PREFIX)/include/corpus.h

clean:
	rm -rf dist
