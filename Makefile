# channel -- PGXS build.
#
# The install script channel--$(EXTVERSION).sql is generated from the readable
# pieces in src/sql/ (one file per concern, applied in file-name order).
# Pure-computation C lives in src/core/ (no PostgreSQL headers) and is linked
# both into the extension and into the stand-alone unit tests and fuzzers.

EXTENSION  = channel
EXTVERSION = $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(EXTENSION).control)

MODULE_big = channel
CORE_SRCS  = $(sort $(wildcard src/core/*.c))
WRAP_SRCS  = $(sort $(wildcard src/*.c))
OBJS       = $(CORE_SRCS:.c=.o) $(WRAP_SRCS:.c=.o)

SQL_PIECES = $(sort $(wildcard src/sql/[0-9]*.sql))
# Upgrade scripts are generated the same way: channel--A--B.sql is the
# concatenation of src/sql/upgrade/A--B/*.sql, one piece per concern, so
# that every change to the schema adds its own piece beside the install
# piece it changes.
UPGRADE_DIRS  = $(sort $(patsubst %/,%,$(dir $(wildcard src/sql/upgrade/*--*/*.sql))))
UPGRADES_built = $(patsubst src/sql/upgrade/%,$(EXTENSION)--%.sql,$(UPGRADE_DIRS))
INSTALL_built = $(EXTENSION)--$(EXTVERSION).sql
DATA_built = $(INSTALL_built) $(UPGRADES_built)

# pg_regress: every sql/NN_name.sql, in name order, in one database where the
# extension is created first.
REGRESS      := $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=channel
# isolation specs live in test/isolation (specs/ + expected/).
ISOLATION      := $(sort $(basename $(notdir $(wildcard test/isolation/specs/*.spec))))
ISOLATION_OPTS = --inputdir=test/isolation --load-extension=channel

ICU_CFLAGS := $(shell pkg-config --cflags icu-uc icu-i18n)
ICU_LIBS   := $(shell pkg-config --libs icu-uc icu-i18n)
PG_CPPFLAGS = -Isrc -Isrc/core $(ICU_CFLAGS)
PG_CFLAGS   = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers $(CHANNEL_WERROR)
SHLIB_LINK  = $(ICU_LIBS)

GENERATED_INC = src/core/legal_forms.inc src/core/company_words.inc src/core/english_words.inc
EXTRA_CLEAN = $(DATA_built) test/unit/run_unit_tests test/fuzz/*.fuzz output_iso $(GENERATED_INC)

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

$(INSTALL_built): src/sql $(SQL_PIECES) $(EXTENSION).control Makefile
	@{ echo '-- channel $(EXTVERSION): generated from src/sql/*.sql by make; do not edit.'; \
	   printf '%s\n' '\echo Use "CREATE EXTENSION channel" to load this file. \quit'; \
	   for f in $(SQL_PIECES); do echo; echo "-- ===== $$f ====="; cat $$f; done; } > $@

$(EXTENSION)--%.sql: src/sql/upgrade/% src/sql/upgrade/%/*.sql Makefile
	@{ echo '-- channel upgrade $*: generated from src/sql/upgrade/$*/*.sql by make; do not edit.'; \
	   printf '%s\n' '\echo Use "ALTER EXTENSION channel UPDATE" to load this file. \quit'; \
	   for f in $(sort $(wildcard src/sql/upgrade/$*/*.sql)); do echo; echo "-- ===== $$f ====="; cat $$f; done; } > $@

all: check-icu

# The extension must link the ICU major the server itself was built with:
# two ICU majors in one backend give different collation and
# transliteration results for the same text.
.PHONY: check-icu
check-icu:
	@server_icu=$$(ldd $$($(PG_CONFIG) --bindir)/postgres | sed -n 's/.*libicuuc\.so\.\([0-9]*\).*/\1/p'); \
	 ours=$$(pkg-config --modversion icu-uc | cut -d. -f1); \
	 if [ -n "$$server_icu" ] && [ "$$server_icu" != "$$ours" ]; then \
	   echo "error: server uses ICU $$server_icu but pkg-config finds ICU $$ours" >&2; exit 1; fi

# Stand-alone unit tests of src/core (no server needed).
UNIT_CFLAGS = -std=c11 -O1 -g -Wall -Wextra -Werror -Isrc/core $(ICU_CFLAGS)
test/unit/run_unit_tests: $(wildcard test/unit/*.c test/unit/*.h) $(CORE_SRCS) $(wildcard src/core/*.h)
	$(CC) $(UNIT_CFLAGS) -o $@ $(wildcard test/unit/*.c) $(CORE_SRCS) $(ICU_LIBS) -lm

.PHONY: unitcheck
unitcheck: test/unit/run_unit_tests
	./test/unit/run_unit_tests

# The legal-form designations normalize_company() drops are data
# (src/core/legal_forms.txt); they are compiled in as a C initializer.
src/core/legal_forms.inc: src/core/legal_forms.txt
	LC_ALL=C awk -F '\t' '/^[[:space:]]*(#|$$)/ { next } \
	  { gsub(/\\/, "\\\\", $$1); gsub(/"/, "\\\"", $$1); \
	    if ($$2 != "after" && $$2 != "both" || $$3 !~ /^(\*|[A-Z][A-Z](,[A-Z][A-Z])*)$$/) { \
	      print FILENAME ":" FNR ": want form<TAB>after|both<TAB>jurisdictions" > "/dev/stderr"; exit 1 } \
	    printf "{\"%s\", %s, \"%s\"},\n", $$1, ($$2 == "both" ? "true" : "false"), $$3 }' $< > $@.tmp && mv $@.tmp $@
# The words compared in one form (src/core/company_words.txt: word, tab, form, tab, source),
# sorted for a binary search, and the English word list (src/core/english_words.txt).
src/core/company_words.inc: src/core/company_words.txt
	LC_ALL=C awk -F '\t' '/^[[:space:]]*(#|$$)/ { next } { print $$1 "\t" $$2 }' $< | LC_ALL=C sort -u -t '	' -k1,1 | \
	  LC_ALL=C awk -F '\t' '{ printf "{\"%s\", \"%s\"},\n", $$1, $$2 }' > $@
src/core/english_words.inc: src/core/english_words.txt
	LC_ALL=C grep -v '^#' $< | LC_ALL=C grep -x '[a-z]*' | LC_ALL=C sort -u | LC_ALL=C awk '{ printf "\"%s\",\n", $$0 }' > $@
src/core/company_legal_forms.o: src/core/legal_forms.inc
src/core/company_words.o: src/core/company_words.inc src/core/english_words.inc
test/unit/run_unit_tests: $(GENERATED_INC)

# libFuzzer + AddressSanitizer/UBSan over the pure-C company-name core
# (test/fuzz/fuzz_company.c).  `make fuzzcheck FUZZ_SECONDS=600` for a long run.
CLANG ?= $(shell command -v clang-14 || command -v clang)
FUZZ_SECONDS ?= 60
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Isrc/core $(ICU_CFLAGS)
test/fuzz/fuzz_company.fuzz: test/fuzz/fuzz_company.c $(CORE_SRCS) $(wildcard src/core/*.h) $(GENERATED_INC)
	$(CLANG) $(FUZZ_FLAGS) -o $@ test/fuzz/fuzz_company.c $(CORE_SRCS) $(ICU_LIBS) -lm

# ... over the bulk end-customer matcher (test/fuzz/fuzz_customer_match.c)
test/fuzz/fuzz_customer_match.fuzz: test/fuzz/fuzz_customer_match.c $(CORE_SRCS) $(wildcard src/core/*.h) $(GENERATED_INC)
	$(CLANG) $(FUZZ_FLAGS) -o $@ test/fuzz/fuzz_customer_match.c $(CORE_SRCS) $(ICU_LIBS) -lm

# ... and over the X12 867 reader (test/fuzz/fuzz_edi867.c)
test/fuzz/fuzz_edi867.fuzz: test/fuzz/fuzz_edi867.c src/core/edi867.c src/core/edi867.h
	$(CLANG) $(FUZZ_FLAGS) -o $@ test/fuzz/fuzz_edi867.c src/core/edi867.c

.PHONY: fuzz fuzzcheck
fuzz: test/fuzz/fuzz_company.fuzz test/fuzz/fuzz_edi867.fuzz test/fuzz/fuzz_customer_match.fuzz

fuzzcheck: test/fuzz/fuzz_company.fuzz test/fuzz/fuzz_edi867.fuzz test/fuzz/fuzz_customer_match.fuzz
	mkdir -p test/fuzz/corpus-work test/fuzz/corpus-edi867-work test/fuzz/corpus-match-work
	./test/fuzz/fuzz_company.fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=70000 -timeout=10 \
	  -print_final_stats=1 test/fuzz/corpus-work test/fuzz/corpus
	./test/fuzz/fuzz_edi867.fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=20000 -timeout=10 \
	  -print_final_stats=1 test/fuzz/corpus-edi867-work test/fuzz/corpus-edi867
	./test/fuzz/fuzz_customer_match.fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 \
	  -print_final_stats=1 test/fuzz/corpus-match-work test/fuzz/corpus-match

# PGXS does not track header dependencies: an object built against an old
# layout of a struct in a header (company_side.h) would be linked with new
# ones.  Every object depends on every header of the project; the build is
# small enough that rebuilding it all after a header change costs little.
$(OBJS) $(OBJS:.o=.bc): $(wildcard src/*.h src/core/*.h) $(GENERATED_INC)
