package postgres_test

import (
	"context"
	"os"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/sodam-chat/sodam/internal/store/postgres"
	"github.com/sodam-chat/sodam/internal/store/storetest"
)

// With an application_name in the test database's URL, the benchmarks
// also report the CPU of the server backends that carry it: the store's
// connections (docs/benchmarks.md). They are found through a connection
// of their own, under another name.
func init() {
	cfg, err := pgx.ParseConfig(os.Getenv(postgres.TestURLVar))
	if err != nil {
		return
	}
	app := cfg.RuntimeParams["application_name"]
	if app == "" {
		return
	}
	cfg.RuntimeParams["application_name"] = app + "_monitor"
	mon := stdlib.OpenDB(*cfg)
	mon.SetMaxOpenConns(1)
	storetest.ServerBackends = func() []int {
		rows, err := mon.QueryContext(context.Background(), `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, app)
		if err != nil {
			return nil
		}
		defer rows.Close()
		var pids []int
		for rows.Next() {
			var pid int
			if rows.Scan(&pid) == nil {
				pids = append(pids, pid)
			}
		}
		return pids
	}
}
