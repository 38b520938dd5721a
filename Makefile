# tanggap: omnichannel contact-center backend.
GO       ?= go
BIN      := bin/tanggap
PKGS     := ./...
# The suite runs once on the embedded defaults (SQLite + in-process NATS)
# and, when TEST_DATABASE_URL and TEST_NATS_URL are set, once more on
# PostgreSQL + external NATS. In CI both runs are required. The browser
# tests (internal/e2e) run one after another and take up to 18 minutes
# on a busy 2-core machine under the race detector: the per-package
# limit leaves room above that, and still stops a hung package well
# within CI's 90 minutes.
TESTFLAGS ?= -race -count=1 -timeout 30m

.PHONY: run build test test-embedded test-external lint bench fuzz clean

run: build
	./$(BIN) serve

build:
	$(GO) build -o $(BIN) ./cmd/tanggap

test: test-embedded test-external

test-embedded:
	TEST_EMBEDDED_ONLY=1 TEST_DATABASE_URL= TEST_NATS_URL= $(GO) test $(TESTFLAGS) $(PKGS)

test-external:
	@if [ -n "$$TEST_DATABASE_URL" ] && [ -n "$$TEST_NATS_URL" ]; then \
		echo "== PostgreSQL + external NATS"; \
		$(GO) test $(TESTFLAGS) $(PKGS); \
	elif [ "$$CI" = "true" ]; then \
		echo "CI must set TEST_DATABASE_URL and TEST_NATS_URL (see .ci/run)"; exit 1; \
	else \
		echo "== skipping the PostgreSQL + NATS run: set TEST_DATABASE_URL and TEST_NATS_URL"; \
	fi

lint:
	$(GO) vet $(PKGS)
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Benchmarks: the core's persistence path (throughput, CPU per message at
# 40 messages/s and at full load), form submissions, phone calls and
# signed WhatsApp webhooks end to end, the live-chat gateway (idle memory,
# latencies, new chats), the agents' push socket (fan-out latency, idle
# memory), routing decisions (PostgreSQL only: skipped on the embedded
# run), search and filtered ticket pages and, with BENCH_SCALE=1, the scaling benchmark (10k/100k/1M
# tickets; BENCH_SCALE_SIZES picks sizes), reports over one month of tickets
# (BENCH_REPORTS_TICKETS, default 20,000; 1000000 for the target), the wallboard's event → push
# time (BenchmarkWallboardPush). cmd/benchrun runs each package on
# the embedded defaults and (when TEST_* are set) on PostgreSQL + NATS, goes
# on after a failure, prints one table at the end and exits non-zero if
# anything failed.
BENCH_PKGS := ./internal/ingest/ ./internal/app/ ./channels/voice/ ./channels/whatsapp/ ./channels/livechat/ ./internal/consolews/ ./internal/routing/ ./internal/scale/ ./internal/search/ ./internal/notify/ ./internal/reports/ ./internal/wallboard/
bench:
	$(GO) run ./cmd/benchrun $(BENCH_PKGS)

.PHONY: cluster chaos
# A three-node NATS cluster (JetStream, streams replicated 3 times; each
# node its own process) and two instances on it and DATABASE_URL
# (PostgreSQL) behind a round-robin front on 127.0.0.1:8080, all on
# loopback (CLUSTER_FLAGS=-addr=127.0.0.1:8090 to move the front,
# -nats-url=… to use an existing NATS); Ctrl-C stops them. Refused on the
# embedded SQLite (see README "Running at scale").
cluster: build
	$(GO) run ./cmd/cluster -bin $(BIN) $(CLUSTER_FLAGS)

# The fault run: its own three-node NATS cluster and a private schema of
# DATABASE_URL behind a proxy, throughput of one instance and of two
# (forms, signed WhatsApp webhooks, live chat), then a burst during which
# one instance is killed (its chat visitors resume on the other), a NATS
# node is killed with SIGKILL and restarted, and the database is away 20 s;
# exits 1 if any accepted message is lost, duplicated or misfiled.
# CHAOS_FLAGS passes -n, -faulty, -c, -db-down, -kill-nats-node,
# -visitors, -v.
chaos: build
	$(GO) run ./cmd/chaos -bin $(BIN) $(CHAOS_FLAGS)

# Every fuzz target in turn, FUZZTIME each.
FUZZTIME ?= 30s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
		done; \
	done

clean:
	rm -rf bin
