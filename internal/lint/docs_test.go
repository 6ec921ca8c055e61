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

// selfMarkers are SODAM_* variables a test sets for a copy of itself that
// it starts (a subprocess), never a person: they need no documentation.
var selfMarkers = map[string]bool{
	"SODAM_TEST_FIRST_CHECK": true, // internal/auth: the first password check, in a fresh process
	"SODAM_BENCH_TEST_SERVE": true, // internal/bench: the test binary serving as sodam
}

// TestEveryVariableDocumented fails when Go code reads a SODAM_* variable
// that neither README.md nor docs/ mentions: a setting, a test's switch or
// a benchmark's knob added without a word for the person who would set
// it. (The settings of sodam serve are built from their flags' names;
// internal/node's TestOperationsDocumentsEverySetting checks those.)
func TestEveryVariableDocumented(t *testing.T) {
	root := filepath.Join("..", "..")
	var docs strings.Builder
	for _, pattern := range []string{"README.md", "docs/*.md"} {
		names, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			docs.Write(b)
		}
	}
	variable := regexp.MustCompile(`"(SODAM_[A-Z0-9_]*[A-Z0-9])"`)
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range variable.FindAllStringSubmatch(string(b), -1) {
			found++
			if !selfMarkers[m[1]] && !strings.Contains(docs.String(), m[1]) {
				t.Errorf("%s reads %s, which README.md and docs/ never mention", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Fatal("found no SODAM_* variable: the walk missed the module")
	}
}
