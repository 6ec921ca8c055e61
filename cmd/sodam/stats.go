package main

import (
	"context"
	"flag"
	"fmt"
	"reflect"
	"slices"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/stats"
)

// sodam admin stats-rebuild: the statistics roll-up recomputed from the
// raw conversations (docs/statistics.md), for after a time zone change or
// to check that the kept roll-up is exact.

func init() {
	adminFlags["stats-rebuild"] = func(c *adminCommand, fs *flag.FlagSet) {
		fs.StringVar(&c.Workspace, "workspace", "", "the workspace's ID or site_id (default: every workspace)")
		fs.BoolVar(&c.Check, "check", false, "only compare the kept roll-up with the recomputation; exit 1 when they differ")
	}
}

func (a *admin) statsRebuild(ctx context.Context, c adminCommand) error {
	st, ok := a.store.(stats.Store)
	if !ok {
		return fmt.Errorf("this store keeps no statistics")
	}
	var targets []chat.Workspace
	if c.Workspace != "" {
		ws, err := a.workspace(ctx, c.Workspace)
		if err != nil {
			return err
		}
		targets = append(targets, *ws)
	} else {
		all, err := a.store.AllWorkspaces(ctx)
		if err != nil {
			return err
		}
		targets = slices.DeleteFunc(all, func(w chat.Workspace) bool { return w.ArchivedAt != nil })
	}
	differ := 0
	for _, ws := range targets {
		if c.Check {
			kept, err := st.StoredStats(ctx, ws.ID)
			if err != nil {
				return err
			}
			again, err := st.RecomputeStats(ctx, ws.ID)
			if err != nil {
				return err
			}
			if reflect.DeepEqual(kept, again) {
				fmt.Fprintf(a.out, "Workspace %d %q: the roll-up equals the recomputation (%d rows).\n", ws.ID, ws.Name, len(kept))
				continue
			}
			differ++
			n := 0
			for k, m := range again {
				if kept[k] != m {
					n++
				}
			}
			for k := range kept {
				if _, ok := again[k]; !ok {
					n++
				}
			}
			fmt.Fprintf(a.out, "Workspace %d %q: %d rows differ from the recomputation; run sodam admin stats-rebuild --workspace %d.\n", ws.ID, ws.Name, n, ws.ID)
			continue
		}
		n, err := st.RebuildStats(ctx, ws.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.out, "Workspace %d %q: statistics rebuilt from %d conversations (time zone %s).\n", ws.ID, ws.Name, n, ws.Settings.Location())
	}
	if differ > 0 {
		return fmt.Errorf("%d workspaces' statistics differ from their recomputation", differ)
	}
	return nil
}
