package chat

import (
	"reflect"
	"strings"
	"testing"
)

func TestWorkspacePatch(t *testing.T) {
	str := func(s string) *string { return &s }
	base := func() Workspace {
		return Workspace{Name: "소담 상점", Title: "상담", Color: "#6b4a2b", AllowedOrigins: []string{"https://shop.example"}, Settings: DefaultSettings()}
	}
	badSettings := DefaultSettings()
	badSettings.AssignmentMode = "sometimes"
	tests := []struct {
		name  string
		patch WorkspacePatch
		code  string
		check func(w Workspace) bool
	}{
		{"rename", WorkspacePatch{Name: str("  새 이름 ")}, "", func(w Workspace) bool { return w.Name == "새 이름" }},
		{"empty name", WorkspacePatch{Name: str("  ")}, ErrInvalid, nil},
		// The name is the sender's name on ticket emails and a page title:
		// one line, as a category's or a tag's.
		{"a name of two lines", WorkspacePatch{Name: str("소담 상점\r\nBcc: all@example.com")}, ErrInvalid, nil},
		{"a title with a control character", WorkspacePatch{Title: str("상담\x1b[2J")}, ErrInvalid, nil},
		{"long title", WorkspacePatch{Title: str(strings.Repeat("가", 101))}, ErrInvalid, nil},
		{"colour", WorkspacePatch{Color: str("#1A73E8")}, "", func(w Workspace) bool { return w.Color == "#1A73E8" }},
		{"not a colour", WorkspacePatch{Color: str("red")}, ErrInvalid, nil},
		{"origins normalised", WorkspacePatch{AllowedOrigins: &[]string{"HTTPS://Shop.Example:8443/"}}, "",
			func(w Workspace) bool {
				return reflect.DeepEqual(w.AllowedOrigins, []string{"https://shop.example:8443"})
			}},
		{"origin with a path", WorkspacePatch{AllowedOrigins: &[]string{"https://shop.example/x"}}, ErrInvalid, nil},
		{"origin smuggling a CSP directive", WorkspacePatch{AllowedOrigins: &[]string{"https://a.example;script-src"}}, ErrInvalid, nil},
		{"a wildcard origin", WorkspacePatch{AllowedOrigins: &[]string{"http://*"}}, ErrInvalid, nil},
		{"a wildcard subdomain", WorkspacePatch{AllowedOrigins: &[]string{"https://*.example.com"}}, ErrInvalid, nil},
		{"an origin with a space", WorkspacePatch{AllowedOrigins: &[]string{"https://shop .example"}}, ErrInvalid, nil},
		{"a port out of range", WorkspacePatch{AllowedOrigins: &[]string{"https://shop.example:70000"}}, ErrInvalid, nil},
		{"a fragment", WorkspacePatch{AllowedOrigins: &[]string{"https://shop.example#x"}}, ErrInvalid, nil},
		{"an IP origin", WorkspacePatch{AllowedOrigins: &[]string{"http://127.0.0.1:8081", "http://[::1]:9000"}}, "",
			func(w Workspace) bool { return len(w.AllowedOrigins) == 2 }},
		{"origin of another scheme", WorkspacePatch{AllowedOrigins: &[]string{"ftp://shop.example"}}, ErrInvalid, nil},
		{"too many origins", WorkspacePatch{AllowedOrigins: ptrTo(make([]string, 51))}, ErrInvalid, nil},
		{"invalid settings", WorkspacePatch{Name: str("바뀌면 안 됨"), Settings: &badSettings}, ErrInvalid, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := base()
			err := tt.patch.Apply(&w)
			if ErrorCode(err) != tt.code {
				t.Fatalf("Apply = %v, want code %q", err, tt.code)
			}
			if tt.code != "" {
				if want := base(); !reflect.DeepEqual(w, want) {
					t.Fatalf("a refused patch changed the workspace: %+v", w)
				}
				return
			}
			if !tt.check(w) {
				t.Fatalf("after the patch: %+v", w)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }

func TestNormalizeOrigin(t *testing.T) {
	label63 := strings.Repeat("a", 63)
	for in, want := range map[string]string{
		"https://Shop.Example.com/":           "https://shop.example.com",
		"http://127.0.0.1:8080":               "http://127.0.0.1:8080",
		"https://xn--9n2bp8q.kr":              "https://xn--9n2bp8q.kr",
		"https://" + label63 + ".example.com": "https://" + label63 + ".example.com",
		// A browser's Origin never names the scheme's own port: kept,
		// it would never match, and the shop's widget was refused.
		"https://shop.example.com:443": "https://shop.example.com",
		"http://shop.example.com:80":   "http://shop.example.com",
		"https://shop.example.com:80":  "https://shop.example.com:80",
		"http://[::1]:80":              "http://[::1]",
	} {
		if got, err := NormalizeOrigin(in); err != nil || got != want {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{
		"https://a" + label63 + ".example.com", // a label of 64
		"https://-shop.example.com",
		"https://shop-.example.com",
		"https://*.example.com",
		"https://shop.example.com/path",
		"https://shop.example.com:0",
		"ftp://shop.example.com",
		"https://shop.example.com;script-src *",
	} {
		if got, err := NormalizeOrigin(in); ErrorCode(err) != ErrInvalid {
			t.Errorf("NormalizeOrigin(%q) = %q, %v; want refused", in, got, err)
		}
	}
}
