package node

import (
	"os"
	"strings"
	"testing"
)

// TestOperationsDocumentsEverySetting keeps docs/operations.md's table of
// settings true: each option has its row — the flag, its SODAM_*
// variable, marked (secret) when it also reads _FILE, and its default —
// and the table has no row for a setting that no longer exists.
func TestOperationsDocumentsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{} // flag name → the row's cells
	for line := range strings.SplitSeq(string(b), "\n") {
		if !strings.HasPrefix(line, "| `--") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), " | ")
		if len(cells) != 4 {
			t.Errorf("operations.md: a settings row needs 4 cells (flag, variable, default, meaning): %q", line)
			continue
		}
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		name := strings.Trim(cells[0], "`-")
		if _, dup := rows[name]; dup {
			t.Errorf("operations.md: --%s has two rows", name)
		}
		rows[name] = cells
	}
	known := map[string]bool{}
	for _, o := range options {
		known[o.name] = true
		t.Run(o.name, func(t *testing.T) {
			row, ok := rows[o.name]
			if !ok {
				t.Fatalf("operations.md's settings table has no row for --%s (%s)", o.name, envName(o.name))
			}
			variable := "`" + envName(o.name) + "`"
			if o.secret {
				variable += " (secret)"
			}
			if row[1] != variable {
				t.Errorf("--%s: variable cell %q, want %q", o.name, row[1], variable)
			}
			if o.def != "" && row[2] != "`"+o.def+"`" {
				t.Errorf("--%s: default cell %q, want %q", o.name, row[2], "`"+o.def+"`")
			}
		})
	}
	for name := range rows {
		if !known[name] {
			t.Errorf("operations.md documents --%s, which sodam serve does not have", name)
		}
	}
}
