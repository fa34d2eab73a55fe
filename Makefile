# Resonant — the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
BIN       := bin/resonant
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
STATICCHECK_VERSION := v0.8.2
# PostgreSQL for the contract tests; CI sets the same default.
RESONANT_TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
export RESONANT_TEST_DATABASE_URL

.PHONY: run build test bench load load-postgres load-events lint fmt clean screenshots

## run: build and serve on the embedded SQLite database in ./data (http://127.0.0.1:8080)
run: build
	./$(BIN) serve

## build: compile the one binary into bin/resonant (static: no C library is mapped, 1.6 MiB less idle RSS)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/resonant

## test: every test, on SQLite and PostgreSQL, with the race detector
test:
	$(GO) test -race -count=1 -timeout 12m ./...

## bench: benchmarks and the pipeline load test (10,000 entries against a fake API failing 30% of calls)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...
	RESONANT_LOAD=1 $(GO) test -count=1 -run '^TestLoad10k$$' -v -timeout 60m ./internal/analysis/pipeline/

## load: issue 16's side-by-side run (needs wrk): a fresh server, idle and sign-in memory, 20,000 seeded entries,
## wrk publish/draft/list/get (2 threads, 32 connections, 20 s each), drain time, WAL and storage, PocketBase's
## figures beside ours; then the same on PostgreSQL when RESONANT_DATABASE_URL is set. LOAD_FLAGS adds flags
## (resonant dev load -h), e.g. make load LOAD_FLAGS='--duration 10s --scenarios publish'.
load: build
	./$(BIN) dev load $(LOAD_FLAGS)
	@if [ -n "$$RESONANT_DATABASE_URL" ]; then echo; ./$(BIN) dev load --database-url "$$RESONANT_DATABASE_URL" $(LOAD_FLAGS); fi

## load-postgres: the same scenarios on PostgreSQL (a fresh database on RESONANT_DATABASE_URL's server, else the local one)
load-postgres: build
	./$(BIN) dev load --database-url "$${RESONANT_DATABASE_URL:-$(RESONANT_TEST_DATABASE_URL)}" $(LOAD_FLAGS)

## screenshots: every page at 390 px and 1280 px, light and dark, into docs/screenshots (needs chromium)
screenshots:
	RESONANT_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run '^TestScreenshots$$' ./internal/web/

## load-events: the event stream under load (1,000 and 10,000 streams on SQLite; 1,000 across two PostgreSQL instances)
load-events: build
	./$(BIN) dev load-events --streams 1000 --users 100
	./$(BIN) dev load-events --streams 10000 --users 100
	./scripts/load-events-postgres.sh ./$(BIN)

## lint: gofmt, go vet and staticcheck must all be clean
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
