# A thin front door over CMake. `make demo` and `make test` each work alone on a fresh Debian 12
# machine: they install what is missing (scripts/install-deps.sh), configure, build, then run.
BUILD      ?= build
# One clang-19 build serves both the sanitized suite and the fuzzers, so make test compiles the tree
# twice rather than three times.
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 5
CMAKE_FLAGS ?= -DSTRATA_WERROR=ON

.PHONY: all deps build asan demo test test-unit test-asan fuzz fuzz-smoke fuzz-build bench clean

all: build

deps:
	@scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/CMakeCache.txt: | deps
	CC=clang-19 CXX=clang++-19 cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSTRATA_SANITIZE=ON -DSTRATA_FUZZ=ON \
	  -DSTRATA_BENCH=OFF $(CMAKE_FLAGS)

asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# The main job on the embedded default: apply the seed-003 schema to a SQLite file.
demo: build
	@rm -rf demo && mkdir -p demo
	./$(BUILD)/strata --url sqlite:demo/vibesurf.db --dir examples/vibesurf up
	./$(BUILD)/strata --url sqlite:demo/vibesurf.db --dir examples/vibesurf status

# The whole suite: unit + end-to-end tests, the same suite under ASan+UBSan, and each fuzzer briefly.
# The suite in $(BUILD) mostly waits on its servers, so $(ASAN_BUILD) compiles meanwhile, at a lower
# priority, on the CPU the suite leaves idle (its log: $(ASAN_BUILD)/make-test-build.log, printed if
# it fails); the sanitized suite and the fuzzers then run from it.
test: build $(ASAN_BUILD)/CMakeCache.txt
	@nice -n 10 cmake --build $(ASAN_BUILD) -j $(JOBS) >$(ASAN_BUILD)/make-test-build.log 2>&1 & asan=$$!; \
	  (cd $(BUILD) && ctest --output-on-failure -j $(JOBS)); unit=$$?; \
	  wait $$asan; built=$$?; \
	  if [ $$built -ne 0 ]; then tail -n 100 $(ASAN_BUILD)/make-test-build.log; echo "the $(ASAN_BUILD) build failed"; fi; \
	  [ $$unit -eq 0 ] && [ $$built -eq 0 ]
	@$(MAKE) --no-print-directory test-asan fuzz-smoke
	@echo "make test: all suites passed"

test-unit: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

fuzz-build: asan

# Each fuzzer for FUZZ_SECONDS (make fuzz) or FUZZ_SMOKE_SECONDS (inside make test).
fuzz: fuzz-build
	fuzz/run.sh $(ASAN_BUILD) $(FUZZ_SECONDS)

fuzz-smoke: fuzz-build
	fuzz/run.sh $(ASAN_BUILD) $(FUZZ_SMOKE_SECONDS)

# Every benchmark of docs/benchmarks.md; run_postgres.sh and run_mariadb.sh start (and remove) their own
# local servers.
bench: build
	bench/run_sqlite.sh $(BUILD)
	bench/run_rebuild.sh $(BUILD)
	bench/run_postgres.sh $(BUILD) 1000 5
	bench/run_mariadb.sh $(BUILD) 1000 5
	bench/run_checkpoint.sh $(BUILD)
	bench/run_testdb.sh $(BUILD)
	bench/run_lint.sh $(BUILD)
	bench/run_fleet.sh $(BUILD)
	$(BUILD)/bench/startup_bench

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) demo
