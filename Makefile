# Thin front door over CMake. `make run` and `make test` are the two commands of the Quick start.
BUILD      ?= build
ASAN_BUILD ?= build-asan
HOME_DIR   ?= demo-home
LISTEN     ?= 127.0.0.1:8080
JOBS       ?= 2

.PHONY: all deps build build-asan run test bench format clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

build-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCT_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)

# Initialise a demo instance on the embedded defaults (once) and serve it.
run: build
	@scripts/run-demo $(BUILD)/chungthu $(HOME_DIR) $(LISTEN)

# The whole suite, once on the normal build and once under ASan+UBSan.
test: build build-asan
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j$(JOBS)

# Each prints its figures next to a reference measured in the same run (docs/benchmarks.md).
# bench/search fills a directory of a million certificates first: run it on its own.
bench: build
	@bench/issue $(BUILD)
	@bench/token $(BUILD)
	@bench/crl $(BUILD)
	@bench/ocsp $(BUILD)

format:
	@clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'bench/*.c')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
