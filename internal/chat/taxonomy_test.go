package chat

import (
	"strings"
	"testing"
	"time"
)

func TestChildDepth(t *testing.T) {
	for parent, want := range map[int]string{0: "", 1: "", 2: "", 3: ErrCategoryTooDeep} {
		depth, err := ChildDepth(parent)
		if ErrorCode(err) != want || (want == "" && depth != parent+1) {
			t.Fatalf("ChildDepth(%d) = %d, %v", parent, depth, err)
		}
	}
}

func TestCleanNames(t *testing.T) {
	if n, err := CleanTagName(" " + strings.Repeat("가", MaxTagName) + " "); err != nil || n != strings.Repeat("가", MaxTagName) {
		t.Fatalf("20 characters: %q %v", n, err)
	}
	for _, bad := range []string{"", "   ", strings.Repeat("가", MaxTagName+1), "a\tb"} {
		if _, err := CleanTagName(bad); ErrorCode(err) != ErrInvalid {
			t.Fatalf("tag %q accepted", bad)
		}
	}
	if _, err := CleanCategoryName(strings.Repeat("a", MaxCategoryName+1)); ErrorCode(err) != ErrInvalid {
		t.Fatal("long category accepted")
	}
	if err := CheckCustomerID("kim@example.com"); err != nil {
		t.Fatal(err)
	}
	if err := CheckCustomerID("김 철수"); ErrorCode(err) != ErrInvalid {
		t.Fatal("customer ID with a space accepted")
	}
	if err := CheckCustomerID(strings.Repeat("7", 128)); err != nil {
		t.Fatalf("a customer ID of 128: %v", err)
	}
	if err := CheckCustomerID(strings.Repeat("7", 129)); ErrorCode(err) != ErrInvalid {
		t.Fatal("a customer ID of 129 accepted")
	}
}

// A one-line name refuses a bidirectional formatting character as it does
// a line break: U+202E would show what follows it reversed (a customer
// named "홍길동\u202egpj.exe" reads as "홍길동exe.jpg"). Messages keep them.
func TestNamesRefuseBidiControls(t *testing.T) {
	// An email address is a login's name: it is one line too.
	for _, bad := range []string{"kim\u202e@example.com", "kim@exa\u200fmple.com", "\u2067kim@example.com"} {
		if _, err := CleanEmail(bad); ErrorCode(err) != ErrInvalid {
			t.Errorf("email %q accepted", bad)
		}
	}
	if e, err := CleanEmail(" Kim@Example.com "); err != nil || e != "kim@example.com" {
		t.Fatalf("a plain email: %q %v", e, err)
	}

	const rlo = "홍길동\u202egpj.exe"
	ptr := func(s string) *string { return &s }
	now := time.Now()
	checks := map[string]func(string) error{
		"agent":    func(s string) error { _, err := CleanAgentName(s); return err },
		"tag":      func(s string) error { _, err := CleanTagName(s); return err },
		"category": func(s string) error { _, err := CleanCategoryName(s); return err },
		"canned":   func(s string) error { _, _, err := CheckCanned(s, "안녕하세요"); return err },
		"faq":      func(s string) error { return CheckFAQCategory(&FAQCategory{Name: s}) },
		"article":  func(s string) error { return CheckArticle(&Article{Lang: "ko", Title: s, BodyText: "본문"}) },
		"token":    func(s string) error { return CheckAPIToken(&APIToken{Name: s, Scopes: []Scope{ScopeRead}}, now) },
		"ticket": func(s string) error {
			return CheckTicket(Ticket{Name: s, Contact: "kim@example.com", Message: "환불 문의"})
		},
		"workspace": func(s string) error { return WorkspacePatch{Name: ptr(s)}.Apply(&Workspace{}) },
		"title":     func(s string) error { return WorkspacePatch{Title: ptr(s)}.Apply(&Workspace{}) },
		"customer":  func(s string) error { return ProfilePatch{Name: ptr(s)}.Apply(&Profile{}, now) },
		"file": func(s string) error {
			_, _, _, err := DefaultAttachmentSettings().CheckFileName(s + ".pdf")
			return err
		},
	}
	for name, check := range checks {
		if err := check("홍길동"); err != nil {
			t.Fatalf("%s: a plain name refused: %v", name, err)
		}
		for _, bad := range []string{rlo, "홍길동\u2067x", "홍길동\u200f"} {
			if ErrorCode(check(bad)) != ErrInvalid {
				t.Errorf("%s: %q accepted", name, bad)
			}
		}
	}
	if err := CheckText(rlo); err != nil {
		t.Fatalf("a message with a bidi control refused: %v", err)
	}
}
