package chat

import "testing"

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []Cursor{{Key: 1733200000000000, ID: 42}, {Key: 0, ID: 1}, {Key: -5, ID: 7}} {
		got, err := ParseCursor(c.String())
		if err != nil || got != c {
			t.Errorf("ParseCursor(%q) = %v, %v; want %v", c.String(), got, err, c)
		}
	}
	if c, err := ParseCursor(""); err != nil || !c.IsZero() {
		t.Errorf(`ParseCursor("") = %v, %v; want the start`, c, err)
	}
	for _, bad := range []string{"1", "a.b", "1.0", "1.-2", "+1.2", "01.2", "1.2.3", " 1.2", "1.2 "} {
		if _, err := ParseCursor(bad); ErrorCode(err) != ErrInvalid {
			t.Errorf("ParseCursor(%q) = %v; want invalid", bad, err)
		}
	}
}
