# pipec: see README.md.
GO ?= go
BENCHCOUNT ?= 6
# The version stamped into pipec (pipec version) by install and release.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
# The date of release archives and man pages: the last commit's (reproducible).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
# install puts pipec in $(BINDIR) and its man pages in $(MANDIR)/man1.
PREFIX ?= $(HOME)/.local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
LDFLAGS = -X main.version=$(VERSION)

.PHONY: all build install man release test vet fmt fmt-check e2e bench fuzz clean editors-test vscode

all: build test

build:
	$(GO) build -o bin/pipec ./cmd/pipec
	$(GO) build -o bin/pipec-graphviz ./cmd/pipec-graphviz

# install: pipec in $(DESTDIR)$(BINDIR) (default ~/.local/bin) with its
# version stamped, and its man pages in $(DESTDIR)$(MANDIR)/man1.
install:
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	$(GO) build -ldflags '$(LDFLAGS)' -o $(DESTDIR)$(BINDIR)/pipec ./cmd/pipec
	$(GO) build -ldflags '$(LDFLAGS)' -o $(DESTDIR)$(BINDIR)/pipec-graphviz ./cmd/pipec-graphviz
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $(DESTDIR)$(BINDIR)/pipec man --dir $(DESTDIR)$(MANDIR)/man1

# man: the man pages, one per command, in man/man1 (from the same
# definitions as --help).
man:
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $(GO) run ./cmd/pipec man --dir man/man1

# release: archives for linux, darwin and windows on amd64 and arm64 in
# dist/ (pipec_VERSION_OS_ARCH.tar.gz, .zip for windows: the binary,
# README, man pages, completions) and dist/SHA256SUMS; offline, reproducible.
# PLATFORMS=linux/amd64 builds one.
release:
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $(GO) run ./scripts/release -version $(VERSION) -out dist $(if $(PLATFORMS),-platforms $(PLATFORMS))

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# test: vet, gofmt, every unit test, golden file and CLI testscript, the
# examples' YAML checked against Argo v4's rules (internal/argo4check, a
# test-only module: Argo v4 stays out of pipec's binary), and the examples
# formatted and their committed YAML current.
test: vet fmt-check
	$(GO) test -timeout 30m -skip '^TestCatalogue$$' ./...
	@# The catalogue round trip (importer/catalogue_test.go) prints its counts.
	@out=$$(mktemp); $(GO) test -run '^TestCatalogue$$' -v ./importer >$$out 2>&1; s=$$?; \
	grep -E '^(argo |  )' $$out; [ $$s -eq 0 ] || cat $$out; rm -f $$out; exit $$s
	cd internal/argo4check && $(GO) vet ./... && $(GO) test ./...
	$(GO) run ./cmd/pipec fmt --check examples
	$(GO) run ./cmd/pipec build --check examples
	$(MAKE) editors-test

# editors-test: the TextMate grammar's tests (assertions, snapshots of every
# example, scopes through vscode-textmate) and the VS Code extension's
# host-free tests, with the npm packages pinned in editors/*/package-lock.json.
# After a deliberate change to the grammar or an example:
# (cd editors/textmate && sh test/snap.sh -u).
editors-test: build
	cd editors/textmate && { test -d node_modules || npm ci --no-audit --no-fund; } && npm test --silent
	cd editors/vscode && { test -d node_modules || npm ci --no-audit --no-fund; } && PIPEC_BIN=$(CURDIR)/bin/pipec npm test --silent

# vscode: the VS Code extension, editors/vscode/pipec.vsix.
vscode:
	cd editors/vscode && npm ci --no-audit --no-fund && npm run package

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
	$(GO) test ./dsl -run '^$$' -fuzz '^FuzzParseEdit$$' -fuzztime 60s
	$(GO) test ./compiler -run '^$$' -fuzz '^FuzzCompile$$' -fuzztime 60s
	$(GO) test ./compiler -run '^$$' -fuzz '^FuzzLoopItems$$' -fuzztime 60s
	$(GO) test ./internal/yamlenc -run '^$$' -fuzz '^FuzzFromJSON$$' -fuzztime 60s
	$(GO) test ./internal/yamlenc -run '^$$' -fuzz '^FuzzSequenceFromJSON$$' -fuzztime 60s
	$(GO) test ./internal/argojson -run '^$$' -fuzz '^FuzzDifferential$$' -fuzztime 60s
	$(GO) test ./importer -run '^$$' -fuzz '^FuzzImport$$' -fuzztime 60s
	$(GO) test ./diag -run '^$$' -fuzz '^FuzzWriteGitHub$$' -fuzztime 30s
	$(GO) test ./diag -run '^$$' -fuzz '^FuzzWriteSARIF$$' -fuzztime 30s
	$(GO) test ./lsp -run '^$$' -fuzz '^FuzzFrameReader$$' -fuzztime 60s
	$(GO) test ./graph -run '^$$' -fuzz '^FuzzReaders$$' -fuzztime 60s

clean:
	rm -rf bin bench.txt dist man editors/vscode/pipec.vsix
