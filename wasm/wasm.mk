# wasm/wasm.mk — the WebAssembly builds and the JS tests (included by the
# top Makefile).
#   make wasm     build/wasm/shale-browser.{js,wasm}  (emscripten, ES module)
#                 build/wasm/shale-edge.wasm          (clang --target=wasm32-wasi)
#                 build/wasm/*.js, *.d.ts               (the JS glue, copied next to them)
#   make jstest   node --test tests/js/ against both builds
#
# Both builds compile the same engine sources as the native library, minus
# the POSIX-only VFS (vfs_unix.c, unix_shm.c), plus wasm/exports.c and
# wasm/host_vfs.c.  wasm/include/pthread.h is a single-threaded shim found
# before the sysroot's pthread.h.

WASM_OUT := $(BUILD)/wasm
wasm_empty :=
wasm_space := $(wasm_empty) $(wasm_empty)
wasm_comma := ,
# WASM_ENGINE_DIR: the engine sources to build (default: the working tree).
# `make wasm-snapshot` builds from the last commit instead (git archive HEAD
# into build/wasm/snapshot), useful while engine files are mid-edit.
WASM_ENGINE_DIR ?= engine
WASM_LAYERS := util vfs wal pager btree func vm sql api
WASM_ENGINE_SRCS := $(filter-out %/vfs/vfs_unix.c %/vfs/unix_shm.c,\
  $(foreach l,$(WASM_LAYERS),$(sort $(wildcard $(WASM_ENGINE_DIR)/$(l)/*.c))))
WASM_OWN_SRCS := wasm/exports.c wasm/host_vfs.c
WASM_SRCS := $(WASM_ENGINE_SRCS) $(WASM_OWN_SRCS)
WASM_HDRS := wasm/host_vfs.h wasm/include/pthread.h
WASM_CFLAGS_COMMON := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -Iwasm/include \
  -I$(WASM_ENGINE_DIR)/include -I$(WASM_ENGINE_DIR)/vfs \
  -DSHALE_WASM=1

# ---- edge build: clang-14 --target=wasm32-wasi, reactor, no emscripten ----
WASI_CC ?= clang-14
WASI_LD ?= $(firstword $(wildcard /usr/bin/wasm-ld-14 /usr/lib/llvm-14/bin/wasm-ld) wasm-ld)
WASI_SYSROOT ?= /usr
WASI_OPT ?= -O2
WASI_CFLAGS := --target=wasm32-wasi --sysroot=$(WASI_SYSROOT) $(WASM_CFLAGS_COMMON) $(WASI_OPT) \
  -D_WASI_EMULATED_GETPID
WASI_OBJS := $(patsubst %.c,$(WASM_OUT)/wasi/%.o,$(WASM_SRCS))

$(WASM_OUT)/wasi/%.o: %.c $(WASM_HDRS)
	@mkdir -p $(dir $@)
	$(WASI_CC) $(WASI_CFLAGS) -MMD -MP -c $< -o $@

$(WASM_OUT)/shale-edge.wasm: $(WASI_OBJS)
	$(WASI_CC) --target=wasm32-wasi --sysroot=$(WASI_SYSROOT) -fuse-ld=$(WASI_LD) \
	  -mexec-model=reactor $(WASI_OPT) -o $@ $^ -lwasi-emulated-getpid \
	  -Wl,--strip-all -Wl,-z,stack-size=1048576 -Wl,--initial-memory=4194304 \
	  -Wl,--max-memory=2147483648 -Wl,--export=_initialize

# ---- browser build: emscripten ES module, single-threaded, no Asyncify ----
EMCC ?= emcc
EM_ENV := NODE_PATH=/usr/share/nodejs
EM_OPT ?= -Oz
EM_CFLAGS := $(WASM_CFLAGS_COMMON) $(EM_OPT)
WASM_EXPORT_NAMES = $(sort $(shell grep -ho 'EXPORT(shale_w_[a-z0-9_]*)' $(WASM_OWN_SRCS) | sed 's/EXPORT(\(.*\))/_\1/'))
EM_OBJS := $(patsubst %.c,$(WASM_OUT)/em/%.o,$(WASM_SRCS))
EM_LDFLAGS = $(EM_OPT) -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=createShaleModule \
  -sENVIRONMENT=web,worker -sFILESYSTEM=0 -sALLOW_MEMORY_GROWTH=1 \
  -sINITIAL_MEMORY=4194304 -sTOTAL_STACK=1048576 -sASSERTIONS=0 -sSUPPORT_LONGJMP=0 \
  -sDYNAMIC_EXECUTION=0 -sTEXTDECODER=2 -sEXPORTED_RUNTIME_METHODS=[] \
  -sINCOMING_MODULE_JS_API=[wasmBinary,instantiateWasm,print,printErr,shaleHostIoWait] \
  -sEXPORTED_FUNCTIONS=$(subst $(wasm_space),$(wasm_comma),$(WASM_EXPORT_NAMES))

$(WASM_OUT)/em/%.o: %.c $(WASM_HDRS)
	@mkdir -p $(dir $@)
	$(EM_ENV) $(EMCC) $(EM_CFLAGS) -MMD -MP -c $< -o $@

$(WASM_OUT)/shale-browser.js: $(EM_OBJS)
	$(EM_ENV) $(EMCC) $(EM_LDFLAGS) -o $@ $^

$(WASM_OUT)/shale-browser.wasm: $(WASM_OUT)/shale-browser.js

# ---- the JS glue next to the builds ----
# (build/wasm/ then holds a runnable package: glue + both builds side by side)
# wasm/opfs_vfs/*.js (the browser storages) ship flat next to the glue.
JS_GLUE_SRCS := $(wildcard js-glue/*.js js-glue/*.d.ts wasm/opfs_vfs/*.js)
$(WASM_OUT)/.glue-stamp: $(JS_GLUE_SRCS)
	@mkdir -p $(dir $@)
	cp $(JS_GLUE_SRCS) $(WASM_OUT)/
	@touch $@

.PHONY: wasm wasm-edge wasm-browser jstest wasm-sizes wasm-snapshot
wasm-snapshot:
	rm -rf $(WASM_OUT)/snapshot && mkdir -p $(WASM_OUT)/snapshot
	git archive HEAD engine | tar -x -C $(WASM_OUT)/snapshot
	$(MAKE) --no-print-directory wasm WASM_ENGINE_DIR=$(WASM_OUT)/snapshot/engine

wasm-edge: $(WASM_OUT)/shale-edge.wasm
wasm-browser: $(WASM_OUT)/shale-browser.js
wasm: wasm-edge wasm-browser $(WASM_OUT)/.glue-stamp wasm-sizes

wasm-sizes:
	@for f in $(WASM_OUT)/shale-browser.wasm $(WASM_OUT)/shale-browser.js $(WASM_OUT)/shale-edge.wasm; do \
	  printf '%-36s raw %8d  gzip -9 %8d\n' $$f $$(wc -c < $$f) $$(gzip -9c $$f | wc -c); done

jstest: npm-pack
	node --test tests/js/

# tests/browser: headless Debian Chromium (playwright-core), bundlers (vite,
# esbuild) and workerd against the npm tarball. Its node_modules come from
# tests/browser/package-lock.json (npm install --no-save, once: npm ci rejects
# the lock npm 11 writes here, which omits other platforms' optional packages).
BROWSER_DEPS := tests/browser/node_modules/.package-lock.json
$(BROWSER_DEPS): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm install --no-save --no-audit --no-fund --loglevel=error
.PHONY: browsertest
browsertest: npm-pack $(BROWSER_DEPS) playground
	cd tests/browser && node --test --test-concurrency=1 *.test.mjs

# ---- npm package: npm-package/dist = build/wasm's glue + builds; tarball in build/ ----
NPM_DIST_FILES = $(notdir $(JS_GLUE_SRCS)) shale-browser.js shale-browser.wasm shale-edge.wasm
.PHONY: npm-pack
npm-pack: wasm
	rm -rf npm-package/dist && mkdir -p npm-package/dist
	cd $(WASM_OUT) && cp $(NPM_DIST_FILES) $(CURDIR)/npm-package/dist/
	cd npm-package && npm pack --silent --pack-destination $(abspath $(BUILD)) | tail -1

# ---- the playground (examples/browser): static files in build/playground ----
# CodeMirror and esbuild come from examples/browser/package-lock.json (npm ci, once).
PLAYGROUND_OUT := $(BUILD)/playground
PLAYGROUND_DEPS := examples/browser/node_modules/.package-lock.json
PLAYGROUND_SRCS := $(wildcard examples/browser/src/*) examples/browser/index.html examples/browser/build.mjs
$(PLAYGROUND_DEPS): examples/browser/package.json examples/browser/package-lock.json
	cd examples/browser && npm ci --no-audit --no-fund --loglevel=error
$(PLAYGROUND_OUT)/index.html: $(PLAYGROUND_SRCS) $(PLAYGROUND_DEPS) $(WASM_OUT)/shale-browser.js $(WASM_OUT)/.glue-stamp
	cd examples/browser && SHALE_PKG_DIR=$(abspath $(WASM_OUT)) node build.mjs $(abspath $(PLAYGROUND_OUT))
.PHONY: playground playground-serve
playground: $(PLAYGROUND_OUT)/index.html
playground-serve: playground
	@echo "playground: http://localhost:8000/ (Ctrl-C to stop)"
	cd $(PLAYGROUND_OUT) && python3 -m http.server 8000
