# Thin front door over CMake. `make run` and `make test` are the two commands of the Quick start.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
# the tests where threads meet: requests racing in the server, bulk issuance on several threads,
# a dossier's tokens provisioned at once
TSAN_TESTS ?= races|ocsp_unknown|cert_batch|accounts|token_parallel
# `make fuzz`: executions per harness (scripts/fuzz also reads FUZZ_JOBS, FUZZ_DIR, FUZZ_MAX_TIME)
FUZZ_RUNS  ?= 10000000
HOME_DIR   ?= demo-home
LISTEN     ?= 127.0.0.1:8080
JOBS       ?= 2
# tests at a time (CMakeLists.txt counts the busiest tests as two)
TEST_JOBS  ?= 4

.PHONY: all deps deps-test build build-asan build-tsan build-fuzz run test test-tsan fuzz bench format clean

all: build

# What building and running need (`make run` asks nothing of the npm registry), and what the
# tests, fuzzing and benchmarks need besides (scripts/install-deps says which is which).
deps:
	@scripts/install-deps

deps-test: deps
	@scripts/install-deps --test

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCT_WERROR=ON >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCT_SANITIZE=ON -DCT_WERROR=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

build-tsan: deps
	@cmake -S . -B $(TSAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCT_TSAN=ON -DCT_WERROR=ON >/dev/null
	@cmake --build $(TSAN_BUILD) -j$(JOBS)

# The libFuzzer harnesses (tests/fuzz), with clang, ASan and UBSan: only the libraries and the
# harnesses are built there.
build-fuzz: deps-test
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCT_FUZZ=ON \
		-DCT_WERROR=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS)

# Initialise a demo instance on the embedded defaults (once) and serve it.
run: build
	@scripts/run-demo $(BUILD)/chungthu $(HOME_DIR) $(LISTEN)

# The whole suite, once on the normal build (on SQLite, and the tests that work the store once
# more on PostgreSQL, each with a private server: label pg) and once under ASan+UBSan (there the
# shell tests on SQLite only: label pg_sh left out, the unit tests and the two-node test on both;
# the portal's Chromium tests, label browser, on the normal build only);
# the tests where threads meet once more under ThreadSanitizer; then each fuzzing harness for a
# short fixed run over its seed corpus.
test: deps-test build build-asan build-tsan build-fuzz
	@cd $(BUILD) && ctest --output-on-failure -j$(TEST_JOBS)
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j$(TEST_JOBS) -LE 'pg_sh|browser'
	@cd $(TSAN_BUILD) && ctest --output-on-failure -j$(JOBS) -R '$(TSAN_TESTS)' -LE pg_sh
	@cd $(FUZZ_BUILD) && ctest --output-on-failure -j$(JOBS)

# Each harness for FUZZ_RUNS executions, one after the other (docs/fuzzing.md); the corpus grows
# outside the repository. `make fuzz FUZZ_RUNS=1000000 NAMES="ocsp der"` for a part.
fuzz: build-fuzz
	@FUZZ_RUNS=$(FUZZ_RUNS) scripts/fuzz $(FUZZ_BUILD) $(NAMES)

# The tests where threads meet (requests racing in the server, bulk issuance), under
# ThreadSanitizer: a data race it reports fails the test.
test-tsan: build-tsan
	@cd $(TSAN_BUILD) && ctest --output-on-failure -R '$(TSAN_TESTS)'

# Each prints its figures next to a reference measured in the same run (docs/benchmarks.md).
# bench/search fills a directory of a million certificates first: run it on its own.
bench: deps-test build
	@bench/issue $(BUILD)
	@bench/token $(BUILD)
	@bench/crl $(BUILD)
	@bench/ocsp $(BUILD)

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
