# Gloss — `make run` to try it, `make test` to check it. `make help` lists all.
GO       ?= go
ADDR     ?= 127.0.0.1:8080
DB       ?= data/gloss.db
FUZZTIME ?= 3s
VERSION  ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
WASM     := web/app.wasm

.PHONY: help run build wasm server test test-short vet fuzz eval bench bench-render bench-sync bench-export bench-suggest clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

run: build ## build everything and start Gloss on http://$(ADDR) with the SQLite file $(DB)
	./bin/gloss serve -addr $(ADDR) -db $(DB)

build: wasm server ## build the wasm UI and the gloss binary

wasm: ## build web/app.wasm (and its gzip) from app/
	GOOS=js GOARCH=wasm $(GO) build -trimpath -ldflags="-s -w" -o $(WASM) ./app
	gzip -9 -k -f $(WASM)
	@ls -l $(WASM) $(WASM).gz | awk '{print "  " $$5 " bytes  " $$9}'

server: ## build bin/gloss
	$(GO) build -trimpath -ldflags="-X main.Version=$(VERSION)" -o bin/gloss ./server

vet: ## gofmt check, go vet natively and for wasm
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1)
	$(GO) vet ./...
	GOOS=js GOARCH=wasm $(GO) vet ./app/... ./shared/...

test: wasm vet ## run every test, browser and PostgreSQL tests included, with the race detector; then fuzz
	$(GO) test -race -count=1 -timeout 20m ./...
	$(MAKE) fuzz

fuzz: ## run every fuzz target (protocol decoder, importers, …) for $(FUZZTIME) each
	@for f in $$(git ls-files '*_test.go' | xargs grep -l '^func Fuzz'); do \
		for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "fuzz ./$$(dirname $$f) $$t"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./$$(dirname $$f) >/tmp/gloss-fuzz.log 2>&1 || \
				{ cat /tmp/gloss-fuzz.log; exit 1; }; \
		done; \
	done

test-short: ## unit tests only (no browser, no PostgreSQL)
	$(GO) test -short -count=1 ./...

eval: ## score the suggester on its evaluation sets (precision, recall, F1)
	$(GO) test -run '^TestEval$$' -count=1 -v ./shared/suggest/ | grep -v '^=== RUN'

bench: bench-render bench-sync bench-export bench-suggest ## run all benchmarks (figures go in BENCHMARKS.md)

bench-render: wasm ## document view: 5,000 spans in headless Chromium
	$(GO) test -run '^$$' -bench 'Render' -benchtime 5x -count 1 ./server/internal/browsertest/

bench-sync: ## live sync: fan-out latency, throughput, memory per connection
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./server/internal/hub/

bench-export: ## export 1,000,000 annotations to JSONL
	$(GO) test -run '^$$' -bench JSONL1M -benchtime 3x -count 1 ./server/internal/export/

bench-suggest: ## suggestions: MB of text per second on one core
	$(GO) test -run '^$$' -bench Extract -benchtime 3s -count 1 -cpu 1 ./shared/suggest/

clean: ## remove built files (not the database)
	rm -rf bin $(WASM) $(WASM).gz
