# Sodam — the targets a newcomer can guess.
.PHONY: run test test-short lint build screenshots bench

# Run Sodam on its embedded defaults (SQLite under ./data, 127.0.0.1:8080).
run:
	@echo "Building Sodam (the first build downloads and compiles its modules: a minute or more)…"
	go run ./cmd/sodam serve

# Every test: unit, store conformance (PostgreSQL too when
# SODAM_TEST_DATABASE_URL is set), HTTP/WebSocket and browser tests.
# -p runs one package more than there are CPUs (go test's default is as
# many): most packages spend their time waiting (on Chromium, PostgreSQL,
# sockets, the cluster tests' one-minute timers), so a third package on
# two cores cuts the wall time by about a third. -timeout is per package:
# the browser tests took up to 16.4 minutes (983 s) on a slow two-core
# machine while the rest ran beside them, so 25 leaves room.
# RACE leaves out the race detector's pointer checks (checkptr) in the
# SQLite engine: modernc.org's packages are C translated to Go, full of
# pointer arithmetic the checks inspect on every step, tested by their
# authors; the checks took a third of the test binaries' CPU (a profile of
# internal/httpapi: 21.0 s of samples with them, 14.8 s without). The race
# detector itself stays on everywhere: compiling those packages without it
# made it report false races elsewhere. See docs/testing.md.
RACE = -race -gcflags='modernc.org/...=-d=checkptr=0'
test:
	@[ -n "$$SODAM_TEST_DATABASE_URL" ] || echo "note: SODAM_TEST_DATABASE_URL is not set, so the PostgreSQL tests are skipped"
	@[ -n "$$SODAM_TEST_NATS_URL" ] || echo "note: SODAM_TEST_NATS_URL is not set, so the NATS and cluster tests are skipped"
	@command -v chromium >/dev/null || echo "note: Chromium is not installed, so the browser tests are skipped"
	go test $(RACE) -count=1 -timeout 25m -p $$(( $$(getconf _NPROCESSORS_ONLN) + 1 )) ./...

# The fast layers only (no browser).
test-short:
	go test -short ./...

build:
	CGO_ENABLED=0 go build -o sodam ./cmd/sodam

lint:
	go vet ./...
	@test -z "$$(gofmt -l .)" || (echo "gofmt needed:"; gofmt -l .; exit 1)

# Refresh docs/screenshots from the browser tests.
screenshots:
	SODAM_UPDATE_SCREENSHOTS=1 go test -count=1 -run Browser ./e2e/

# A standard small load test: one SQLite node, 1,000 visitors, 20 agents,
# 500 visitor messages/s for 30 s. Writes bench-steady.json and .md; fails
# if an acknowledged message was lost or duplicated. See docs/benchmarks.md.
bench: build
	./sodam bench --scenario steady --visitors 1000 --agents 20 --rate 500 --agent-rate 100 --duration 30s --out bench-steady
