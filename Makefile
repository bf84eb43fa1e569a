# pipec: see README.md.
GO ?= go
BENCHCOUNT ?= 6

.PHONY: all build test vet fmt fmt-check e2e bench fuzz clean

all: build test

build:
	$(GO) build -o bin/pipec ./cmd/pipec

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# test: vet, gofmt, every unit test, golden file and CLI testscript, and the
# examples formatted and their committed YAML current.
test: vet fmt-check
	$(GO) test -skip '^TestCatalogue$$' ./...
	@# The catalogue round trip (importer/catalogue_test.go) prints its counts.
	@out=$$(mktemp); $(GO) test -run '^TestCatalogue$$' -v ./importer >$$out 2>&1; s=$$?; \
	grep -E '^(argo |  )' $$out; [ $$s -eq 0 ] || cat $$out; rm -f $$out; exit $$s
	$(GO) run ./cmd/pipec fmt --check examples
	$(GO) run ./cmd/pipec build --check examples

# e2e: compiled pipelines on a real API server and Argo controller (see e2e/README.md).
e2e:
	bash e2e/run.sh

# bench: Go benchmarks of each phase (lex, parse, load, check, lower,
# validate, emit), of the YAML floor and of Compile end to end, on generated
# pipelines of 10 to 10,000 steps and on the examples, several counts,
# benchstat-ready (bench.txt); then the whole pipec build process with peak
# memory (scripts/bench-process.sh). BENCH=regexp selects benchmarks;
# PIPEC_BENCH_MAX_STEPS=1000 skips the larger pipelines. See docs/performance.md.
bench:
	$(GO) test -run '^$$' -bench '$(or $(BENCH),.)' -benchmem -count $(BENCHCOUNT) -timeout 0 ./... | tee bench.txt
	bash scripts/bench-process.sh

fuzz:
	$(GO) test ./dsl -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 60s
	$(GO) test ./dsl -run '^$$' -fuzz '^FuzzParseSameAsReference$$' -fuzztime 60s
	$(GO) test ./dsl -run '^$$' -fuzz '^FuzzFormat$$' -fuzztime 60s
	$(GO) test ./compiler -run '^$$' -fuzz '^FuzzCompile$$' -fuzztime 60s
	$(GO) test ./internal/yamlenc -run '^$$' -fuzz '^FuzzFromJSON$$' -fuzztime 60s
	$(GO) test ./internal/yamlenc -run '^$$' -fuzz '^FuzzSequenceFromJSON$$' -fuzztime 60s
	$(GO) test ./importer -run '^$$' -fuzz '^FuzzImport$$' -fuzztime 60s

clean:
	rm -rf bin bench.txt
