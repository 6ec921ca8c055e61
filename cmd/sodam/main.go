// Command sodam is the whole of Sodam in one binary: `sodam serve` runs the
// API, WebSockets, console and widget on the embedded SQLite database, or as
// one node of a cluster on PostgreSQL; `sodam admin`, `sodam migrate` and
// `sodam backup` are the operator's commands on the same configuration;
// `sodam bench` measures it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/sodam-chat/sodam/internal/bench"
	"github.com/sodam-chat/sodam/internal/node"
)

const usage = `Sodam — self-hosted live chat for customer support.

Usage:
  sodam serve [flags]              run the server (sodam serve -h lists the flags)
  sodam admin COMMAND [flags]      add agents and workspaces, print password links, list agents
  sodam migrate [--check] [flags]  apply the database's migrations without serving
  sodam backup [flags] FILE        copy the SQLite database and the uploads while serving
  sodam bench [flags]              load-test a server on this machine (sodam bench -h)

admin, migrate and backup read the same settings as serve (flags and
SODAM_* variables), and may run while a server runs on the same database.
See docs/operations.md.
`

// Exit statuses of the operator's commands.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(exitUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[2:]
	switch os.Args[1] {
	case "serve":
		serve(ctx)
	case "admin":
		os.Exit(runAdmin(ctx, args, os.Getenv, os.Stdin, os.Stdout, os.Stderr))
	case "migrate":
		os.Exit(runMigrate(ctx, args, os.Getenv, os.Stdout, os.Stderr))
	case "backup":
		os.Exit(runBackup(ctx, args, os.Getenv, os.Stdout, os.Stderr))
	case "bench":
		os.Exit(runBench(ctx))
	case "-h", "-help", "--help", "help":
		fmt.Fprint(os.Stdout, usage)
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(exitUsage)
	}
}

func serve(ctx context.Context) {
	m := node.New(os.Stdout)
	m.Self = self()
	if err := m.ParseFlags(os.Args[2:], os.Getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "sodam:", err)
		os.Exit(2)
	}
	if err := m.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "sodam:", err)
		m.Close()
		os.Exit(1)
	}
	<-ctx.Done()
	m.Log.Info("shutting down")
	if err := m.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "sodam:", err)
		os.Exit(1)
	}
}

// self is how the operator ran this program, for the commands Sodam
// suggests: `go run` builds into the Go build cache or a go-build
// temporary directory, and then the suggestion is go run again.
func self() string {
	exe, err := os.Executable()
	if err == nil && strings.Contains(filepath.ToSlash(exe), "go-build") {
		return "go run ./cmd/sodam"
	}
	if strings.ContainsRune(os.Args[0], '/') {
		return os.Args[0]
	}
	return "sodam"
}

// runBench runs `sodam bench` and returns the exit status: 1 when the run
// failed (a delivery check included), 2 for bad flags.
func runBench(ctx context.Context) int {
	o, err := bench.ParseOptions(os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "sodam bench:", err)
		return 2
	}
	if o.Out == "" {
		o.Out = fmt.Sprintf("bench-%s-%s", o.Scenario, time.Now().Format("20060102-150405"))
	}
	rep, err := bench.Run(ctx, o, os.Stderr)
	if rep != nil {
		rep.Markdown(os.Stdout)
		if werr := rep.Write(o.Out); werr != nil {
			fmt.Fprintln(os.Stderr, "sodam bench:", werr)
			return 1
		}
		fmt.Fprintf(os.Stderr, "report: %s.json, %s.md\n", o.Out, o.Out)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "sodam bench:", err)
		if errors.Is(err, bench.ErrDelivery) {
			fmt.Fprintln(os.Stderr, "sodam bench: FAILED — acknowledged messages were lost or duplicated")
		}
		return 1
	}
	return 0
}
