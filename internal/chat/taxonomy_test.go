package chat

import (
	"strings"
	"testing"
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
