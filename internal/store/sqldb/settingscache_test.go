package sqldb

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// The settings cache gives what decoding gives, every time, and what one
// caller changes in its copy no other caller sees.
func TestDecodeSettingsCache(t *testing.T) {
	if !settingsCopyOK {
		t.Fatal("chat.Settings holds a pointer or an interface: the cache is off; teach copyValue the new field")
	}
	saved := chat.DefaultSettings()
	saved.Greeting = "안녕하세요, 소담 상담센터입니다."
	saved.Hours.Holidays = []string{"2026-12-25"}
	saved.Attachments.Extensions.Image = []string{"png", "jpg"}
	data, _ := json.Marshal(saved)
	text := string(data)

	want := chat.DefaultSettings()
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	first, err := decodeSettings(text)
	if err != nil || !reflect.DeepEqual(first, want) {
		t.Fatalf("first decode %+v, %v", first, err)
	}
	// Mutate everything reachable in the first copy.
	first.Hours.Holidays[0] = "바뀐 휴일"
	first.Hours.Days[0].Open = !first.Hours.Days[0].Open
	first.Attachments.Extensions.Image[0] = "exe"
	for k := range first.Widget.Texts {
		first.Widget.Texts[k] = chat.WidgetText{Title: "바뀜"}
	}
	first.Widget.Texts["xx"] = chat.WidgetText{}
	second, err := decodeSettings(text)
	if err != nil || !reflect.DeepEqual(second, want) {
		t.Fatalf("a cached copy shares state with an earlier one:\n%+v\nwant\n%+v", second, want)
	}
	// A settings text that does not decode is an error, and not cached.
	if _, err := decodeSettings(`{"greeting": 3}`); err == nil {
		t.Fatal("a bad settings text decoded")
	}
	if _, ok := decodedSettings.by[`{"greeting": 3}`]; ok {
		t.Fatal("a bad settings text was cached")
	}
}

// go test ./internal/store/sqldb -bench DecodeSettings -run '^$'
func BenchmarkDecodeSettings(b *testing.B) {
	data, _ := json.Marshal(chat.DefaultSettings())
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			s := chat.DefaultSettings()
			json.Unmarshal(data, &s)
		}
	})
	b.Run("cached", func(b *testing.B) {
		for b.Loop() {
			decodeSettings(string(data))
		}
	})
}
