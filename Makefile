# Strata's front door. Every target installs what is missing first, so each
# works on a fresh Debian 12 machine (as root): what building needs, and the
# peers of that target's own tests (scripts/install-deps.sh --for GROUP).
#
#   make demo      build, then run the main job on its embedded defaults
#   make test      build, then every test through CTest (unit, integration, fuzz)
#   make bench     build, then the packet-rate benchmarks (bench/RESULTS.md)
#   make fuzz      build the libFuzzer targets with clang, run each for 60 s
#   make sanitize  unit tests under address,undefined sanitizers
#   make install   build, then install into $(DESTDIR)$(PREFIX) (default /usr/local)
#   make package   build, then the Debian package build/strata_VERSION_amd64.deb
#   make clean     remove the build trees

SHELL       := /bin/bash
BUILD       ?= build
FUZZ_BUILD  ?= build-fuzz
SAN_BUILD   ?= build-sanitize
JOBS        ?= $(shell nproc)
GENERATOR   := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")
CTEST_ARGS  ?=
PREFIX      ?= /usr/local
DESTDIR     ?=
FUZZ_SECONDS ?= 60
# CTest runs fuzzers when clang can build them; `make test FUZZ=0` skips them.
FUZZ        ?= $(shell command -v clang++ >/dev/null 2>&1 && echo 1 || echo 0)

.PHONY: all deps configure build test demo bench fuzz fuzz-build sanitize install package clean

all: build

# Target-specific values reach the prerequisites: `make test` runs
# `deps` with --for test, `make demo` with --for demo ...
DEPS_FOR ?=
test: DEPS_FOR += --for test $(if $(filter 1,$(FUZZ)),--for fuzz)
demo: DEPS_FOR += --for demo
bench: DEPS_FOR += --for bench
fuzz fuzz-build: DEPS_FOR += --for fuzz

deps:
	@scripts/install-deps.sh $(DEPS_FOR)

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -G "$(GENERATOR)" \
	  $(if $(filter 1,$(FUZZ)),-DSTRATA_FUZZ_BUILD_DIR=$(CURDIR)/$(FUZZ_BUILD))

configure: deps $(BUILD)/CMakeCache.txt

build: configure
	cmake --build $(BUILD) -j $(JOBS)

fuzz-build: deps
	@test -f $(FUZZ_BUILD)/CMakeCache.txt || \
	  CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -G "$(GENERATOR)" -DSTRATA_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers

test: build $(if $(filter 1,$(FUZZ)),fuzz-build)
	cd $(BUILD) && ctest --output-on-failure $(CTEST_ARGS)

install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

package: build
	cd $(BUILD) && cpack -G DEB

demo: build
	scripts/demo.sh

bench: build
	bench/run.sh

fuzz: fuzz-build
	@set -e; for f in $(CURDIR)/$(FUZZ_BUILD)/bin/fuzz_*; do \
	  name=$$(basename $$f); echo "== $$name for $(FUZZ_SECONDS) s"; \
	  tests/fuzz/run_fuzzer.sh $$f tests/fuzz/corpus/$$name $(FUZZ_SECONDS); done

sanitize: deps
	@test -f $(SAN_BUILD)/CMakeCache.txt || \
	  cmake -S . -B $(SAN_BUILD) -G "$(GENERATOR)" -DSTRATA_SANITIZE=address,undefined
	cmake --build $(SAN_BUILD) -j $(JOBS)
	cd $(SAN_BUILD) && ctest --output-on-failure -L unit

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) $(SAN_BUILD)
