package chat

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

func TestDefaultAttachmentSettings(t *testing.T) {
	a := DefaultAttachmentSettings()
	if a.MaxBytes() != 300<<20 {
		t.Fatalf("MaxBytes = %d, want 300 MiB", a.MaxBytes())
	}
	// The §3.4 table, kind by kind.
	want := map[FileKind]int{FileImage: 5, FileVideo: 12, FileAudio: 9, FileDocument: 40}
	for k, n := range want {
		if got := len(a.Extensions.Of(k)); got != n {
			t.Errorf("%s: %d extensions, want %d", k, got, n)
		}
	}
	if KindOf("webp") != FileDocument || KindOf("png") != FileImage || KindOf("exe") != "" {
		t.Error("KindOf disagrees with the table")
	}
	// Stored settings are decoded over the defaults: that must not change
	// the table the next workspace starts from.
	if err := json.Unmarshal([]byte(`{"extensions":{"image":["gif"]}}`), &a); err != nil {
		t.Fatal(err)
	}
	if fresh := DefaultAttachmentSettings(); !slices.Equal(fresh.Extensions.Image, []string{"jpg", "jpeg", "gif", "bmp", "png"}) {
		t.Fatalf("decoding changed the defaults: %v", fresh.Extensions.Image)
	}
}

func TestCheckFileName(t *testing.T) {
	s := DefaultAttachmentSettings()
	imagesOnly := s
	imagesOnly.Extensions = FileExtensions{Image: []string{"png"}}
	for _, tt := range []struct {
		name, in string
		settings AttachmentSettings
		clean    string
		ext      string
		kind     FileKind
		wantCode string
	}{
		{name: "Korean image", in: "영수증 사진.PNG", clean: "영수증 사진.PNG", ext: "png", kind: FileImage},
		{name: "path dropped", in: `C:\Users\kim\보고서.pdf`, clean: "보고서.pdf", ext: "pdf", kind: FileDocument},
		{name: "unix path dropped", in: "../../etc/견적.xlsx", clean: "견적.xlsx", ext: "xlsx", kind: FileDocument},
		{name: "version dots", in: "manual v1.2.3.zip", clean: "manual v1.2.3.zip", ext: "zip", kind: FileDocument},
		{name: "webp is a document", in: "a.webp", clean: "a.webp", ext: "webp", kind: FileDocument},
		{name: "not in the workspace's list", in: "a.pdf", settings: imagesOnly, wantCode: ErrFileTypeNotAllowed},
		{name: "program", in: "setup.exe", wantCode: ErrFileTypeNotAllowed},
		{name: "html", in: "x.html", wantCode: ErrFileTypeNotAllowed},
		{name: "svg", in: "logo.svg", wantCode: ErrFileTypeNotAllowed},
		{name: "no extension", in: "README", wantCode: ErrFileTypeNotAllowed},
		{name: "program behind a document", in: "invoice.exe.pdf", wantCode: ErrFileTypeNotAllowed},
		{name: "page behind an image", in: "x.html.png", wantCode: ErrFileTypeNotAllowed},
		{name: "trailing dot", in: "setup.exe.", wantCode: ErrFileTypeNotAllowed},
		{name: "trailing space", in: "photo.png ", clean: "photo.png", ext: "png", kind: FileImage},
		{name: "right-to-left override", in: "photo\u202egnp.exe", wantCode: ErrInvalid},
		{name: "control character", in: "a\nb.png", wantCode: ErrInvalid},
		{name: "empty", in: "  ", wantCode: ErrInvalid},
		{name: "directory only", in: "uploads/", wantCode: ErrInvalid},
		{name: "too long", in: strings.Repeat("가", 201) + ".png", wantCode: ErrInvalid},
		{name: "decomposed Hangul (macOS)", in: norm.NFD.String("견적서.pdf"), clean: "견적서.pdf", ext: "pdf", kind: FileDocument},
		{name: "decomposed, 200 syllables", in: norm.NFD.String(strings.Repeat("가", 196) + ".png"), clean: strings.Repeat("가", 196) + ".png", ext: "png", kind: FileImage},
	} {
		t.Run(tt.name, func(t *testing.T) {
			settings := tt.settings
			if settings.MaxSizeMB == 0 {
				settings = s
			}
			clean, ext, kind, err := settings.CheckFileName(tt.in)
			if tt.wantCode != "" {
				if ErrorCode(err) != tt.wantCode {
					t.Fatalf("CheckFileName(%q) = %v, want code %s", tt.in, err, tt.wantCode)
				}
				return
			}
			if err != nil || clean != tt.clean || ext != tt.ext || kind != tt.kind {
				t.Fatalf("CheckFileName(%q) = %q, %q, %q, %v", tt.in, clean, ext, kind, err)
			}
		})
	}
}
