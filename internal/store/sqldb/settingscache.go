package sqldb

import (
	"encoding/json"
	"reflect"
	"sync"

	"github.com/sodam-chat/sodam/internal/chat"
)

// settingsCache remembers what a workspace's settings text decodes to.
// Every visitor request reads its workspace row, and decoding the settings
// JSON was most of that read (13 % of a node's CPU at 1,000 messages/s).
// The row is still read each time, so a changed setting takes effect at
// once: only the decoding of a text seen before is skipped. A hit returns
// a deep copy, so callers may change what they get. Should Settings ever
// hold a pointer or an interface, which the copy cannot follow, the cache
// turns itself off rather than share them.
type settingsCache struct {
	mu sync.Mutex
	by map[string]chat.Settings
}

// maxCachedSettings bounds the cache (one entry per distinct settings text,
// so about one per workspace); when full it starts over.
const maxCachedSettings = 1024

var (
	decodedSettings = settingsCache{by: map[string]chat.Settings{}}
	settingsCopyOK  = copyable(reflect.TypeFor[chat.Settings]())
)

// decodeSettings decodes text over the defaults, as json.Unmarshal onto
// chat.DefaultSettings() would (settings added after a workspace was saved
// keep their defaults).
func decodeSettings(text string) (chat.Settings, error) {
	if settingsCopyOK {
		decodedSettings.mu.Lock()
		s, ok := decodedSettings.by[text]
		decodedSettings.mu.Unlock()
		if ok {
			return deepCopy(s), nil
		}
	}
	s := chat.DefaultSettings()
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		return chat.Settings{}, err
	}
	if settingsCopyOK {
		decodedSettings.mu.Lock()
		if len(decodedSettings.by) >= maxCachedSettings {
			decodedSettings.by = map[string]chat.Settings{}
		}
		decodedSettings.by[text] = deepCopy(s)
		decodedSettings.mu.Unlock()
	}
	return s, nil
}

// copyable reports whether deepCopy can copy every value of t: exported
// struct fields, slices, arrays, maps and plain values; no pointers,
// interfaces, channels or functions.
func copyable(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64, reflect.String:
		return true
	case reflect.Slice, reflect.Array:
		return copyable(t.Elem())
	case reflect.Map:
		return copyable(t.Key()) && copyable(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); !f.IsExported() || !copyable(f.Type) {
				return false
			}
		}
		return true
	}
	return false
}

func deepCopy[T any](v T) T {
	var out T
	copyValue(reflect.ValueOf(&out).Elem(), reflect.ValueOf(v))
	return out
}

// flat reports whether values of t hold no slice or map: a plain
// assignment copies them.
func flat(t reflect.Type) bool {
	if f, ok := flatTypes.Load(t); ok {
		return f.(bool)
	}
	f := true
	switch t.Kind() {
	case reflect.Slice, reflect.Map:
		f = false
	case reflect.Array:
		f = flat(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			f = f && flat(t.Field(i).Type)
		}
	}
	flatTypes.Store(t, f)
	return f
}

var flatTypes sync.Map // reflect.Type → bool

// copyValue sets dst to a copy of src sharing no slice or map with it.
func copyValue(dst, src reflect.Value) {
	if flat(src.Type()) {
		dst.Set(src)
		return
	}
	switch src.Kind() {
	case reflect.Struct:
		for i := range src.NumField() {
			copyValue(dst.Field(i), src.Field(i))
		}
	case reflect.Slice:
		if src.IsNil() {
			return
		}
		s := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		for i := range src.Len() {
			copyValue(s.Index(i), src.Index(i))
		}
		dst.Set(s)
	case reflect.Array:
		for i := range src.Len() {
			copyValue(dst.Index(i), src.Index(i))
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		m := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			e := reflect.New(src.Type().Elem()).Elem()
			copyValue(e, it.Value())
			m.SetMapIndex(it.Key(), e)
		}
		dst.Set(m)
	default:
		dst.Set(src)
	}
}
