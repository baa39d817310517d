# Gloss — `make run` to try it, `make test` to check it. `make help` lists all.
GO       ?= go
ADDR     ?= 127.0.0.1:8080
DB       ?= data/gloss.db
FUZZTIME ?= 3s
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
WASM     := web/app.wasm

.PHONY: help run run-pg build wasm server test test-short vet fuzz eval bench bench-render profile-render bench-sync bench-sync-pg bench-export bench-suggest bench-story clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

run: build ## build everything and start Gloss on http://$(ADDR) with the SQLite file $(DB)
	./bin/gloss serve -addr $(ADDR) -db $(DB)

run-pg: build ## PostgreSQL + two Gloss instances behind nginx on http://127.0.0.1:8080 (scripts/run-pg.sh)
	./scripts/run-pg.sh

build: wasm server ## build the wasm UI and the gloss binary

# WASM_OPT=1 also runs binaryen's wasm-opt -Oz (if installed): 9.4 → 8.7 MB,
# but the gzip/brotli sizes barely change and it takes minutes, so it is opt-in.
WASM_OPT ?=

wasm: ## build web/app.wasm (and its gzip and, if `brotli` is installed, brotli) from app/
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o $(WASM) ./app
	@if [ -n "$(WASM_OPT)" ]; then \
	  if command -v wasm-opt >/dev/null 2>&1; then \
	    wasm-opt -Oz --enable-bulk-memory --enable-sign-ext --enable-nontrapping-float-to-int $(WASM) -o $(WASM).opt && mv $(WASM).opt $(WASM); \
	  else echo "  wasm-opt not found (Debian: binaryen): skipped"; fi; fi
	gzip -9 -k -f $(WASM)
	@if command -v brotli >/dev/null 2>&1; then brotli -q 11 -k -f $(WASM); \
	  else rm -f $(WASM).br; echo "  brotli not found: serving gzip only"; fi
	@ls -l $(WASM)* | awk '{print "  " $$5 " bytes  " $$9}'

server: ## build bin/gloss
	$(GO) build -trimpath -ldflags="-X main.Version=$(VERSION)" -o bin/gloss ./server

vet: ## gofmt check, go vet natively and for wasm
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1)
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./app/... ./shared/...

test: wasm vet ## run every test, browser and PostgreSQL tests included, with the race detector; then fuzz
	$(GO) test -race -count=1 -timeout 20m ./...
	$(MAKE) fuzz

# A target whose run ends in "context deadline exceeded" with no failing input (the engine stopping a
# worker mid-input at the deadline, seen once in CI) runs once more; a found input always fails.
fuzz: ## run every fuzz target (protocol decoder, importers, …) for $(FUZZTIME) each
	@for f in $$(git ls-files '*_test.go' | xargs grep -l '^func Fuzz'); do \
		for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "fuzz ./$$(dirname $$f) $$t"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./$$(dirname $$f) >/tmp/gloss-fuzz.log 2>&1 || \
			{ grep -q 'context deadline exceeded' /tmp/gloss-fuzz.log && ! grep -q 'Failing input written' /tmp/gloss-fuzz.log && \
			  echo "  $$t: the fuzz engine timed out a worker at the deadline, no failing input: run again" && \
			  $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./$$(dirname $$f) >/tmp/gloss-fuzz.log 2>&1; } || \
				{ cat /tmp/gloss-fuzz.log; exit 1; }; \
		done; \
	done

test-short: ## unit tests only (no browser, no PostgreSQL)
	$(GO) test -short -count=1 ./...

eval: ## score the suggester on its evaluation sets (precision, recall, F1)
	$(GO) test -run '^TestEval$$' -count=1 -v ./shared/suggest/ | grep -v '^=== RUN'

bench: bench-render bench-sync bench-export bench-suggest bench-story ## run all benchmarks (figures go in BENCHMARKS.md)

# Iterations of the render benchmark: each is a fresh browser, cold tab, warm new tab and baseline tab.
RENDER_N ?= 7

bench-render: wasm ## document view: 5,000 spans, fresh browsers, cold / warm new tab / plain-DOM baseline, medians
	$(GO) test -run '^$$' -bench 'Render' -benchtime $(RENDER_N)x -count 1 ./server/internal/browsertest/

profile-render: ## CPU profile of opening the 5,000-span document in a new tab (wasm built with symbols), top functions
	GOOS=js GOARCH=wasm $(GO) build -trimpath -o $(WASM) ./app && gzip -9 -k -f $(WASM) && rm -f $(WASM).br
	GLOSS_PROFILE=1 $(GO) test -run '^TestProfileStartup$$' -count=1 -v ./server/internal/browsertest/ | grep -v '^=== '
	$(MAKE) wasm

# Iterations and length of each measurement of the separate-process sync benchmark.
SYNC_N        ?= 3
SYNC_DURATION ?= 5s
# More gloss-load flags, e.g. SYNC_FLAGS='-gloss /tmp/gloss-old' to measure another build (A/B).
SYNC_FLAGS    ?=

bench-sync: server ## live sync, separate processes: gloss serve pinned to CPU 0, clients on CPU 1, floor and Hocuspocus (if npm is here) in the same run, medians; then the in-process hub benchmarks
	$(GO) build -o bin/gloss-load ./server/cmd/gloss-load
	@if command -v npm >/dev/null 2>&1 && (cd scripts/hocuspocus && npm ci --silent --no-audit --no-fund); then \
	  echo "  Hocuspocus $$(node -p 'require("./scripts/hocuspocus/node_modules/@hocuspocus/server/package.json").version') measured in the same run"; \
	  taskset -c 1 ./bin/gloss-load -n $(SYNC_N) -duration $(SYNC_DURATION) -hocuspocus scripts/hocuspocus $(SYNC_FLAGS); \
	else echo "  npm not found or Hocuspocus not installable: measured without it"; \
	  taskset -c 1 ./bin/gloss-load -n $(SYNC_N) -duration $(SYNC_DURATION) $(SYNC_FLAGS); fi
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./server/internal/hub/

bench-story: wasm ## story view: 50 articles, 2,000 figures: navigation → table painted (warm new tab), op → table painted
	$(GO) test -run '^$$' -bench 'StoryView' -benchtime 3x -count 1 ./server/internal/browsertest/

bench-sync-pg: server ## live sync on PostgreSQL: 1, 2 and 3 instances, 1 and 50 documents (scripts/bench-pg.sh)
	$(GO) build -o bin/gloss-load ./server/cmd/gloss-load
	SYNC_N=$(SYNC_N) SYNC_DURATION=$(SYNC_DURATION) ./scripts/bench-pg.sh

bench-export: ## export 1,000,000 annotations to JSONL
	$(GO) test -run '^$$' -bench JSONL1M -benchtime 3x -count 1 ./server/internal/export/

bench-suggest: ## suggestions: MB of text per second on one core
	$(GO) test -run '^$$' -bench Extract -benchtime 3s -count 1 -cpu 1 ./shared/suggest/

clean: ## remove built files (not the database)
	rm -rf bin $(WASM) $(WASM).gz $(WASM).br
