# newsflow — build, run and test targets.
GO       ?= go
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)
LDFLAGS  := -s -w -X github.com/newsflow/newsflow/internal/version.Version=$(VERSION) -X github.com/newsflow/newsflow/internal/version.Commit=$(COMMIT)
BENCH_DATA ?= ../shared/bench
IMAGE    ?= ghcr.io/newsflow/newsflow
FUZZ_TIME  ?= 5s
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: image build run test test-race test-short lint fuzz bench bench-clean bench-ner bench-store bench-e2e chaos fmt tidy clean

build: ## build bin/newsflow (static)
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/newsflow ./cmd/newsflow

image: ## container image $(IMAGE):$(VERSION) (needs a Docker engine with BuildKit; not run in CI)
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) -t $(IMAGE):$(VERSION) .

run: build ## run everything with the built-in defaults
	./bin/newsflow run

test: lint ## lint, then every test (the Kubernetes manifest tests too)
	$(GO) test -count=1 -timeout 20m ./...
	cd deploy && $(GO) test -count=1 ./...

# Go 1.26's fuzz coordinator can report "context deadline exceeded" when
# -fuzztime runs out while a worker is busy (golang/go#75804, fixed in Go
# 1.27). That is not a failing input, and Go writes no reproducer for it:
# it is reported and passed; anything else that fails, fails.
fuzz: ## every fuzz target for FUZZ_TIME each (make fuzz FUZZ_TIME=10m for a long run)
	@set -e; for pkg in $$($(GO) list ./...); do \
		for fz in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$fz"; \
			if out=$$($(GO) test -run '^$$' -fuzz "^$$fz\$$" -fuzztime $(FUZZ_TIME) -fuzzminimizetime 2s $$pkg 2>&1); then \
				echo "$$out" | grep -E 'elapsed' | tail -1; \
			elif echo "$$out" | grep -q '^    context deadline exceeded$$' && ! echo "$$out" | grep -q 'Failing input written'; then \
				echo "$$out" | grep -E 'elapsed' | tail -1; \
				echo "fuzz: stopped by the coordinator's deadline race (golang/go#75804); no input failed"; \
			else \
				echo "$$out" | tail -40; exit 1; \
			fi; \
		done; \
	done

test-race: ## every test under the race detector (several minutes)
	$(GO) test -race -count=1 -timeout 40m ./...

test-short: ## the quick tests only
	$(GO) test -short -count=1 ./...

lint: ## gofmt, go vet and staticcheck (pinned, fetched through the module proxy)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

bench: ## benchmarks; BENCH_DATA points at the public evaluation sets
	BENCH_DATA=$(abspath $(BENCH_DATA)) $(GO) test -run '^$$' -bench . -benchmem ./...

bench-clean: ## clean-stage quality and speed on the public sets, beside go-trafilatura and go-readability
	$(GO) run ./services/clean/cmd/benchclean -data $(abspath $(BENCH_DATA))

bench-store: ## store write rate and search latency over 100,000 generated articles per backend (several minutes)
	BENCH_SEARCH_ARTICLES=100000 $(GO) test -run '^$$' -bench SearchLatency -benchtime 5x -timeout 60m ./services/store

bench-ner: ## entity recognition scores on the open NER sets, beside prose/v3 alone
	$(GO) run ./services/extract/cmd/benchner -data $(abspath $(BENCH_DATA))

bench-e2e: ## whole-system throughput, freshness, memory and CPU profile split (E2E_ARTICLES=2000, E2E_CPUPROFILE=prefix)
	$(GO) test -run '^$$' -bench BenchmarkPipeline -benchtime 1x -timeout 60m ./internal/e2e

chaos: ## long chaos run: 10,000 articles, 40 faults, every stage its own process
	CHAOS_ARTICLES=$${CHAOS_ARTICLES:-10000} CHAOS_FAULTS=$${CHAOS_FAULTS:-40} $(GO) test -count=1 -v -timeout 60m -run TestChaos ./internal/e2e

fmt:
	gofmt -w $$(git ls-files '*.go')

tidy:
	$(GO) mod tidy && $(GO) build ./... && $(GO) vet ./...

clean:
	rm -rf bin
