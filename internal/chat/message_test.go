package chat

import "testing"

func TestIsEndCommand(t *testing.T) {
	for text, want := range map[string]bool{
		"!종료": true, " !종료 ": true, "!end": true, "!END": true, "!End\n": true,
		"종료": false, "!종료해주세요": false, "please !end": false, "": false, "!ending": false,
	} {
		if got := IsEndCommand(text); got != want {
			t.Errorf("IsEndCommand(%q) = %v", text, got)
		}
	}
}

func TestCheckText(t *testing.T) {
	long := make([]rune, MaxMessageLength)
	for i := range long {
		long[i] = '한'
	}
	for _, tt := range []struct {
		body, code string
	}{
		{"안녕하세요", ""},
		{string(long), ""},
		{string(long) + "!", ErrMessageTooLong},
		{"", ErrEmptyMessage},
		{" \n\t", ErrEmptyMessage},
		{"bad \xff utf8", ErrInvalid},
	} {
		if got := ErrorCode(CheckText(tt.body)); got != tt.code {
			t.Errorf("CheckText(%.20q) code %q, want %q", tt.body, got, tt.code)
		}
	}
	for id, ok := range map[string]bool{"a1": true, "550e8400-e29b-41d4-a716-446655440000": true, "": false, "has space": false, "한글": false, string(make([]byte, 65)): false} {
		if (CheckClientMsgID(id) == nil) != ok {
			t.Errorf("CheckClientMsgID(%q) ok=%v", id, !ok)
		}
	}
}
