package lint

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestArchitectureListsEveryPackage keeps docs/architecture.md's package
// map true: every directory of the repository with Go code (cmd, internal,
// e2e, tools, third_party) is named in its Packages table, and every
// directory the table names exists.
func TestArchitectureListsEveryPackage(t *testing.T) {
	root := filepath.Join("..", "..")
	b, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "\n## Packages\n")
	if !ok {
		t.Fatal("docs/architecture.md has no ## Packages section")
	}
	table, _, _ = strings.Cut(table, "\n## ")
	named := map[string]bool{}
	cell := regexp.MustCompile("`([a-z0-9_./-]+)`")
	for line := range strings.SplitSeq(table, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first, _, _ := strings.Cut(strings.TrimPrefix(line, "| "), " | ")
		for _, m := range cell.FindAllStringSubmatch(first, -1) {
			named[m[1]] = true
		}
	}
	for dir := range named {
		if fi, err := os.Stat(filepath.Join(root, dir)); err != nil || !fi.IsDir() {
			t.Errorf("docs/architecture.md's package map names %s, which is not a directory", dir)
		}
	}
	// The packages: directories holding Go files, the top ones of a
	// module of their own (tools/…, third_party/…) only.
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if !d.IsDir() {
			return nil
		}
		switch d.Name() {
		case ".git", "testdata", "node_modules", "docs":
			return filepath.SkipDir
		}
		if parts := strings.Split(rel, "/"); (parts[0] == "tools" || parts[0] == "third_party") && len(parts) > 2 {
			return filepath.SkipDir
		}
		gos, _ := filepath.Glob(filepath.Join(path, "*.go"))
		if len(gos) > 0 && rel != "." && !named[rel] {
			t.Errorf("%s holds Go code, but docs/architecture.md's package map does not name it", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
