// Command sodam is the whole of Sodam in one binary: `sodam serve` runs the
// API, WebSockets, console and widget on the embedded SQLite database, or as
// one node of a cluster on PostgreSQL; `sodam bench` measures it.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/sodam-chat/sodam/internal/bench"
	"github.com/sodam-chat/sodam/internal/node"
)

const usage = `Sodam — self-hosted live chat for customer support.

Usage:
  sodam serve [flags]   run the server (sodam serve -h lists the flags)
  sodam bench [flags]   load-test a server on this machine (sodam bench -h)
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch os.Args[1] {
	case "serve":
		serve(ctx)
	case "bench":
		os.Exit(runBench(ctx))
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
}

func serve(ctx context.Context) {
	m := node.New(os.Stdout)
	if err := m.ParseFlags(os.Args[2:], os.Getenv); err != nil {
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
