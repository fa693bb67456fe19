# Shale — one entry point.
#   make            libshale.a, libshale.so, the shale CLI
#   make test       every test (unit tests, SQL tests on the sync and pending VFS)
#   make asan       the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench      shale vs the system SQLite, side by side
#
# Layers (bottom to top): util vfs wal pager btree func vm sql api.  A unit
# test tests/unit/<layer>_*.c links only its layer and those below, so each
# layer can be built and tested while the layers above are still changing.

CC ?= cc
SHARED ?= ../shared
BUILD ?= build
OPT ?= -O2
SAN ?=
CFLAGS_BASE = -std=c11 -Wall -Wextra -Werror -g $(OPT) -D_GNU_SOURCE -fPIC $(SAN)
CFLAGS ?=
ALL_CFLAGS = $(CFLAGS_BASE) $(CFLAGS) -Iengine/include
LDLIBS = -lpthread -lm

layer_srcs = $(sort $(wildcard engine/$(1)/*.c))
UTIL_SRCS  := $(call layer_srcs,util)
VFS_SRCS   := $(UTIL_SRCS) $(call layer_srcs,vfs)
WAL_SRCS   := $(VFS_SRCS) $(call layer_srcs,wal)
PAGER_SRCS := $(WAL_SRCS) $(call layer_srcs,pager)
BTREE_SRCS := $(PAGER_SRCS) $(call layer_srcs,btree)
FUNC_SRCS  := $(BTREE_SRCS) $(call layer_srcs,func)
VM_SRCS    := $(FUNC_SRCS) $(call layer_srcs,vm)
SQL_SRCS   := $(VM_SRCS) $(call layer_srcs,sql)
ENGINE_SRCS := $(SQL_SRCS) $(call layer_srcs,api)
CLI_SRCS   := $(call layer_srcs,cli)
# The parser alone (tokenizer, parser, AST helpers) for tests/unit/parser_*.c
PARSER_SRCS := $(UTIL_SRCS) $(wildcard engine/sql/tokenize*.c engine/sql/parse*.c engine/sql/ast*.c)

objs = $(patsubst %.c,$(BUILD)/%.o,$(1))

LIB_A  = $(BUILD)/libshale.a
LIB_SO = $(BUILD)/libshale.so
CLI    = $(BUILD)/shale

.PHONY: api-oracle all test test-native asan-core jstest-results browsertest-results fuzz-results unit sqltest clitest difftest compattest asan bench clean fuzz run
all: $(LIB_A) $(LIB_SO) $(CLI)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB_A): $(call objs,$(ENGINE_SRCS))
	@rm -f $@
	ar rcs $@ $^

# -Bsymbolic: the engine's own calls to sqlite3_* bind inside libshale even
# when another SQLite is loaded in the same process (the benchmark does that).
$(LIB_SO): $(call objs,$(ENGINE_SRCS))
	$(CC) -shared -Wl,-soname,libshale.so -Wl,-Bsymbolic -o $@ $^ $(LDLIBS) $(SAN)

$(CLI): $(call objs,$(CLI_SRCS)) $(LIB_A)
	$(CC) -o $@ $^ $(LDLIBS) $(SAN)

# ---- unit tests: tests/unit/<layer>_<name>.c ----
UNIT_SRCS := $(sort $(wildcard tests/unit/*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(filter-out tests/unit/testlib.c,$(UNIT_SRCS)))
layer_of = $(firstword $(subst _, ,$(notdir $(1))))
srcs_for_layer = $(if $(filter parser,$(1)),$(PARSER_SRCS),$(if $(filter util,$(1)),$(UTIL_SRCS),$(if $(filter vfs,$(1)),$(VFS_SRCS),$(if $(filter wal,$(1)),$(WAL_SRCS),$(if $(filter pager,$(1)),$(PAGER_SRCS),$(if $(filter btree,$(1)),$(BTREE_SRCS),$(if $(filter func,$(1)),$(FUNC_SRCS),$(if $(filter vm,$(1)),$(VM_SRCS),$(if $(filter sql,$(1)),$(SQL_SRCS),$(ENGINE_SRCS))))))))))

.SECONDARY:
.SECONDEXPANSION:
$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/tests/unit/testlib.o $$(call objs,$$(call srcs_for_layer,$$(call layer_of,$$*)))
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $^ $(LDLIBS)

# ---- SQL tests (sqllogictest files) ----
SLT_RUNNER = $(BUILD)/slt-runner
$(SLT_RUNNER): tests/slt/runner.c tests/slt/md5.c $(LIB_A)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(LDLIBS)

# The same runner linked with the system libsqlite3: the oracle.  Built
# against the system sqlite3.h, not ours.
SLT_ORACLE = $(BUILD)/slt-oracle
$(SLT_ORACLE): tests/slt/runner.c tests/slt/md5.c
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $^ -lsqlite3

unit: $(UNIT_BINS)
	@RESULTS=$(BUILD)/results-unit tests/run-unit.sh $(UNIT_BINS)

sqltest: $(SLT_RUNNER) $(SLT_ORACLE)
	@RESULTS=$(BUILD)/results-slt tests/run-slt.sh $(SLT_RUNNER) $(SLT_ORACLE) $(SHARED)

# The shell against the sqlite3 shell: identical stdout, stderr, exit code.
clitest: $(CLI)
	@tests/cli/run-cli-tests.sh $(CLI) $(BUILD)/results-cli

# The C API tests that use only SQLite's public API, linked with the system
# libsqlite3: their expectations are SQLite's own behaviour.
API_ORACLE_TESTS = api_vfs api_lifecycle api_backup api_walhook api_busy api_vfs_shim api_extras api_vtab api_blob api_delete_loop api_stepapi
api-oracle:
	@mkdir -p $(BUILD)/api-oracle; ok=0; bad=0; \
	for t in $(API_ORACLE_TESTS); do \
	  $(CC) -std=c11 -g -D_GNU_SOURCE -Itests/unit -o $(BUILD)/api-oracle/$$t tests/unit/$$t.c tests/unit/testlib.c -lsqlite3 -lpthread \
	    && $(BUILD)/api-oracle/$$t && ok=$$((ok+1)) || bad=$$((bad+1)); \
	done; echo "api-oracle: $$ok passed, $$bad failed"; echo "$$ok $$bad" > $(BUILD)/results-api-oracle; [ $$bad -eq 0 ]

# Files written by each engine read back in the other; kill -9 recovery.
compattest: $(CLI)
	@tests/compat/run-compat.sh $(CLI) $(BUILD)/results-compat

# The JS package (wasm builds + node --test), results in build/results-js.
jstest-results:
	@$(MAKE) --no-print-directory jstest > $(BUILD)/jstest.log 2>&1; tail -9 $(BUILD)/jstest.log; \
	  p=$$(sed -n 's/^# pass //p' $(BUILD)/jstest.log); f=$$(sed -n 's/^# fail //p' $(BUILD)/jstest.log); \
	  echo "$${p:-0} $${f:-1}" > $(BUILD)/results-js

# Chromium, bundler and workerd tests (make browsertest), results in build/results-browser.
browsertest-results:
	@$(MAKE) --no-print-directory browsertest > $(BUILD)/browsertest.log 2>&1; tail -9 $(BUILD)/browsertest.log; \
	  p=$$(sed -n 's/^# pass //p' $(BUILD)/browsertest.log); f=$$(sed -n 's/^# fail //p' $(BUILD)/browsertest.log); \
	  echo "$${p:-0} $${f:-1}" > $(BUILD)/results-browser

NATIVE_RESULTS = $(BUILD)/results-api-oracle $(BUILD)/results-unit $(BUILD)/results-slt $(BUILD)/results-cli $(BUILD)/results-diff $(BUILD)/results-compat

# Every native suite, even when one fails (make asan runs this under sanitizers).
test-native: all
	@rm -f $(NATIVE_RESULTS)
	-@$(MAKE) --no-print-directory unit
	-@$(MAKE) --no-print-directory api-oracle
	-@$(MAKE) --no-print-directory sqltest
	-@$(MAKE) --no-print-directory clitest
	-@$(MAKE) --no-print-directory difftest
	-@$(MAKE) --no-print-directory compattest
	@tests/summary.sh $(NATIVE_RESULTS)

# A bounded fuzz run of both targets (a crash, sanitizer report, leak or hang
# fails it), results in build/results-fuzz.
fuzz-results:
	@mkdir -p $(BUILD); \
	if $(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30 > $(BUILD)/fuzz.log 2>&1; \
	then echo "fuzz: 2 passed, 0 failed"; echo "2 0" > $(BUILD)/results-fuzz; \
	else tail -30 $(BUILD)/fuzz.log; echo "fuzz: 0 passed, 1 failed"; echo "0 1" > $(BUILD)/results-fuzz; fi

# Every test: the native suites, the JS package, a bounded fuzz run, then the
# C unit tests and SQL suites again under ASan+UBSan; ends with the closing
# "N passed, M failed".
test: all
	@rm -f $(BUILD)/results-* build-asan/results-*
	-@$(MAKE) --no-print-directory test-native
	-@$(MAKE) --no-print-directory jstest-results
	-@$(MAKE) --no-print-directory browsertest-results
	-@$(MAKE) --no-print-directory fuzz-results
	-@$(MAKE) --no-print-directory asan-core
	@echo "== all suites"
	@tests/summary.sh $(NATIVE_RESULTS) $(BUILD)/results-js $(BUILD)/results-browser $(BUILD)/results-fuzz build-asan/results-unit build-asan/results-slt

run: $(CLI)
	$(CLI)

ASAN_FLAGS = BUILD=build-asan OPT=-O1 SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
asan:
	$(MAKE) $(ASAN_FLAGS) test-native

# The C unit tests and the SQL suites under ASan+UBSan (part of make test).
asan-core:
	-@$(MAKE) --no-print-directory $(ASAN_FLAGS) unit
	-@$(MAKE) --no-print-directory $(ASAN_FLAGS) sqltest

# ---- benchmark: Shale and the system SQLite side by side in one process ----
BENCH = $(BUILD)/bench
SYSTEM_SQLITE ?= $(firstword $(wildcard /usr/lib/*/libsqlite3.so.0 /usr/lib/libsqlite3.so.0))
BENCH_ARGS ?=
$(BENCH): bench/bench.c tests/dual/dual_api.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $< -ldl

# ---- differential tester: random schemas/data/queries, shale vs sqlite3 ----
DIFFTEST = $(BUILD)/difftest
DIFF_ARGS ?= -seed 1 -count 100 -queries 20
$(DIFFTEST): tests/dual/difftest.c tests/dual/dual_api.h
	@mkdir -p $(dir $@)
	$(CC) -std=c11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -o $@ $< -ldl

difftest: $(LIB_SO) $(DIFFTEST)
	@$(DIFFTEST) $(DIFF_ARGS) $(abspath $(LIB_SO)) $(SYSTEM_SQLITE) | tee $(BUILD)/difftest.log | tail -40; \
	  tail -1 $(BUILD)/difftest.log | sed -E 's/difftest: ([0-9]+) passed, ([0-9]+) failed/\1 \2/' > $(BUILD)/results-diff

bench: $(LIB_SO) $(BENCH)
	$(BENCH) $(BENCH_ARGS) $(abspath $(LIB_SO)) $(SYSTEM_SQLITE)

# ---- fuzzing (libFuzzer, clang): the parser and database files ----
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_FLAGS = -std=c11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -Iengine/include -Itests/unit
PARSER_ONLY_SRCS = $(filter-out engine/util/dberror.c,$(PARSER_SRCS))
build-fuzz/fuzz_parser: tests/fuzz/fuzz_parser.c $(PARSER_SRCS) $(wildcard tests/unit/parser_dump.c)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ -lpthread -lm
build-fuzz/fuzz_dbfile: tests/fuzz/fuzz_dbfile.c $(ENGINE_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $^ -lpthread -lm
build-fuzz/seeds-dbfile/done:
	@mkdir -p $(dir $@)
	@sqlite3 build-fuzz/seeds-dbfile/a.db "PRAGMA page_size=512; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT, c); CREATE INDEX tb ON t(b); INSERT INTO t VALUES(1,'x',zeroblob(700)),(2,'y',3.5),(3,NULL,x'00');"
	@sqlite3 build-fuzz/seeds-dbfile/b.db "PRAGMA page_size=512; CREATE TABLE u(x); INSERT INTO u VALUES(1),(2); DELETE FROM u WHERE x=1; CREATE VIEW v AS SELECT * FROM u;"
	@touch $@

fuzz: build-fuzz/fuzz_parser build-fuzz/fuzz_dbfile build-fuzz/seeds-dbfile/done
	@mkdir -p build-fuzz/corpus-parser build-fuzz/corpus-dbfile
	build-fuzz/fuzz_parser -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -artifact_prefix=build-fuzz/ build-fuzz/corpus-parser
	build-fuzz/fuzz_dbfile -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 -artifact_prefix=build-fuzz/ build-fuzz/corpus-dbfile build-fuzz/seeds-dbfile

clean:
	rm -rf build build-asan build-fuzz

# WebAssembly builds and the JS package (make wasm, make jstest): wasm/wasm.mk
-include wasm/wasm.mk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
