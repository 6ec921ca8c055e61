// Package cluster runs Sodam as real processes: `sodam serve` built from
// this tree, driven over REST and WebSocket the way the widget and the
// console drive them. The cluster tests run three nodes on one PostgreSQL
// schema and one NATS server; the fault tests (faults_test.go) kill and
// restart single nodes and their PostgreSQL under load.
//
// The cluster tests need SODAM_TEST_DATABASE_URL and SODAM_TEST_NATS_URL
// (CI sets both); without them they skip with a one-line notice. The
// SQLite fault test needs neither.
package cluster

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/store/postgres"
)

// natsURLVar names the environment variable holding the test NATS URL.
const natsURLVar = "SODAM_TEST_NATS_URL"

var (
	// binary is the sodam command built for this run; empty when skipped.
	binary string
	// skipReason says why binary is empty.
	skipReason string
	natsURL    string
)

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	natsURL = os.Getenv(natsURLVar)
	switch {
	case os.Getenv(postgres.TestURLVar) == "":
		skipReason = postgres.TestURLVar + " is not set: skipping the cluster tests"
	case natsURL == "":
		skipReason = natsURLVar + " is not set: skipping the cluster tests"
	}
	flag.Parse()
	if testing.Short() {
		return m.Run() // every test here starts processes
	}
	dir, err := os.MkdirTemp("", "sodam-cluster-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	gomod, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil || strings.TrimSpace(string(gomod)) == "" {
		fmt.Fprintf(os.Stderr, "cluster: cannot find the module root: %v\n", err)
		return 1
	}
	// The nodes run without the race detector: the test process has it,
	// and three raced nodes would crowd a small machine.
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "sodam"), "./cmd/sodam")
	build.Dir = filepath.Dir(strings.TrimSpace(string(gomod)))
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "cluster: go build ./cmd/sodam: %v\n%s", err, out)
		return 1
	}
	binary = filepath.Join(dir, "sodam")
	return m.Run()
}

// needCluster skips the test when the services are not configured.
func needCluster(t *testing.T) {
	t.Helper()
	needBinary(t)
	if skipReason != "" {
		t.Skip(skipReason)
	}
}

// needBinary skips the test in -short mode, where nothing is built.
func needBinary(t *testing.T) {
	t.Helper()
	if binary == "" {
		t.Skip("-short: skipping tests that start sodam processes")
	}
}
