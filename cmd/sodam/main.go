// Command sodam is the whole of Sodam in one binary: `sodam serve` runs the
// API, WebSockets, console and widget on the embedded SQLite database, or as
// one node of a cluster on PostgreSQL.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/sodam-chat/sodam/internal/node"
)

const usage = `Sodam — self-hosted live chat for customer support.

Usage:
  sodam serve [flags]   run the server (sodam serve -h lists the flags)
`

func main() {
	if len(os.Args) < 2 || os.Args[1] != "serve" {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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
