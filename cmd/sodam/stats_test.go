package main

import (
	"context"
	"strings"
	"testing"
)

// sodam admin stats-rebuild checks and rebuilds the statistics of a
// running installation, on both stores.
func TestAdminStatsRebuild(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			m := startNode(t, b.args...)
			defer m.Close()
			all, err := m.Store.AllWorkspaces(context.Background())
			if err != nil || len(all) != 1 {
				t.Fatalf("workspaces %v %v", all, err)
			}
			newClient(t, "http://"+m.Addr()).login("admin@sodam.local", masterPassword) // someone at the desk
			visitor(t, "http://"+m.Addr(), all[0].SiteID)
			visitor(t, "http://"+m.Addr(), all[0].SiteID)
			code, out, stderr := adminCmd(t, "", append([]string{"stats-rebuild", "--check"}, b.args...)...)
			if code != 0 || !strings.Contains(out, "equals the recomputation") {
				t.Fatalf("check: exit %d\n%s%s", code, out, stderr)
			}
			code, out, stderr = adminCmd(t, "", append([]string{"stats-rebuild", "--workspace", all[0].SiteID}, b.args...)...)
			if code != 0 || !strings.Contains(out, "rebuilt from 2 conversations (time zone Asia/Seoul)") {
				t.Fatalf("rebuild: exit %d\n%s%s", code, out, stderr)
			}
			if code, _, stderr := adminCmd(t, "", append([]string{"stats-rebuild", "--workspace", "nowhere"}, b.args...)...); code == 0 || !strings.Contains(stderr, "nowhere") {
				t.Fatalf("an unknown workspace: exit %d %s", code, stderr)
			}
		})
	}
}
