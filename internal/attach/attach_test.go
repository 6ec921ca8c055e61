package attach

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/blob"
	"github.com/sodam-chat/sodam/internal/chat"
)

var ctx = context.Background()

func TestEveryAllowedExtensionHasASignature(t *testing.T) {
	for _, k := range chat.FileKinds {
		for _, ext := range chat.KnownExtensions(k) {
			if _, ok := fileTypes[ext]; !ok {
				t.Errorf(".%s (%s) is in the §3.4 table but Sodam cannot check it", ext, k)
			}
		}
	}
	if len(fileTypes) != 66 {
		t.Errorf("%d file types, want the table's 66", len(fileTypes))
	}
}

func TestCheckContent(t *testing.T) {
	html := []byte("<!DOCTYPE html><html><script>alert(document.cookie)</script></html>")
	pe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 100)...)
	zip := []byte("PK\x03\x04\x14\x00\x06\x00")
	for _, tt := range []struct {
		ext  string
		head []byte
		want string // content type, or "" for a refusal
	}{
		{"png", pngBytes(t, 4, 4), "image/png"},
		{"png", html, ""},
		{"jpg", pe, ""},
		{"jpeg", jpegBytes(t, 4, 4, 0), "image/jpeg"},
		{"gif", []byte("GIF89a\x01\x00"), "image/gif"},
		{"pdf", []byte("%PDF-1.7\n"), "application/pdf"},
		{"pdf", html, ""},
		{"pdf", append(append([]byte("MZ\x90\x00"), make([]byte, 60)...), "%PDF-1.7\n"...), ""}, // a program with a PDF header inside
		{"zip", append([]byte("#!/bin/sh\n"), zip...), ""},
		{"xlsx", zip, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
		{"docx", pe, ""},
		{"hwp", []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), "application/x-hwp"},
		{"hwp", zip, "application/x-hwp"},
		{"txt", []byte("주문번호 20260412-0031\r\n배송 문의"), "text/plain; charset=utf-8"},
		{"csv", []byte("\xb9\xe8\xbc\xdb,\xc1\xd6\xb9\xae\n"), "text/csv; charset=utf-8"}, // EUC-KR from Excel
		{"txt", html, ""},
		{"txt", pe, ""},
		{"xml", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>`), ""},
		{"xml", []byte(`<?xml version="1.0"?><order id="1"/>`), "application/xml"},
		{"mp4", []byte("\x00\x00\x00\x18ftypmp42"), "video/mp4"},
		{"mov", []byte("\x00\x00\x00\x14ftypqt  "), "video/quicktime"},
		{"avi", []byte("RIFF\x00\x00\x00\x00AVI LIST"), "video/x-msvideo"},
		{"wav", []byte("RIFF\x00\x00\x00\x00AVI LIST"), ""},
		{"mp3", []byte("ID3\x04\x00"), "audio/mpeg"},
		{"mp3", []byte("\xff\xfb\x90\x00"), "audio/mpeg"},
		{"ts", bytes.Repeat(append([]byte{0x47}, make([]byte, 187)...), 3), "video/mp2t"},
		{"tga", []byte("\x00\x00\x02\x00\x00\x00\x00\x00"), "image/x-tga"},
		{"tga", pe, ""},
		{"wks", []byte("#!/bin/sh\nrm -rf ~\n"), ""},
		{"7z", []byte("7z\xbc\xaf\x27\x1c\x00\x04"), "application/x-7z-compressed"},
		{"lzh", []byte("\x00\x00-lh5-"), "application/x-lzh-compressed"},
		{"exe", pe, ""},
	} {
		got, err := CheckContent(tt.ext, tt.head)
		if got != tt.want || (tt.want == "") != (err != nil) {
			t.Errorf("CheckContent(%s, %.20q) = %q, %v; want %q", tt.ext, tt.head, got, err, tt.want)
		}
		if err != nil && tt.ext != "exe" && chat.ErrorCode(err) != chat.ErrFileContentMismatch {
			t.Errorf("CheckContent(%s) refused with %v, want file_content_mismatch", tt.ext, err)
		}
	}
}

func newFiles(t *testing.T) *blob.Disk {
	t.Helper()
	d, err := blob.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// nothingStored fails unless the blob store holds exactly want.
func nothingStored(t *testing.T, d *blob.Disk, want ...string) {
	t.Helper()
	keys, err := d.Keys()
	tmp, err2 := d.Temporary()
	if err != nil || err2 != nil || !slices.Equal(keys, want) || len(tmp) != 0 {
		t.Fatalf("stored %v (temporary %v), want %v", keys, tmp, want)
	}
}

func TestReceive(t *testing.T) {
	settings := chat.DefaultAttachmentSettings()
	settings.MaxSizeMB = 1

	t.Run("image with thumbnail", func(t *testing.T) {
		d := newFiles(t)
		a, err := Receive(ctx, d, settings, 3, "사진.png", bytes.NewReader(pngBytes(t, 1000, 500)))
		if err != nil {
			t.Fatal(err)
		}
		if a.Name != "사진.png" || a.Kind != chat.FileImage || a.ContentType != "image/png" || a.Width != 1000 || a.Height != 500 ||
			!a.Thumbnail || !strings.HasPrefix(a.BlobKey, "3/") || a.ThumbnailKey != a.BlobKey+".thumb" {
			t.Fatalf("attachment %+v", a)
		}
		f, err := d.Open(ctx, a.ThumbnailKey)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cfg, format, err := image.DecodeConfig(f)
		if err != nil || format != "png" || cfg.Width != ThumbnailSide || cfg.Height != ThumbnailSide/2 {
			t.Fatalf("thumbnail %s %dx%d, %v", format, cfg.Width, cfg.Height, err)
		}
		if err := Remove(ctx, d, a); err != nil {
			t.Fatal(err)
		}
		nothingStored(t, d)
	})

	t.Run("sideways phone photo", func(t *testing.T) {
		d := newFiles(t)
		a, err := Receive(ctx, d, settings, 3, "IMG_0001.JPG", bytes.NewReader(jpegBytes(t, 400, 200, 6)))
		if err != nil {
			t.Fatal(err)
		}
		f, _ := d.Open(ctx, a.ThumbnailKey)
		defer f.Close()
		cfg, err := jpeg.DecodeConfig(f)
		if err != nil || a.Width != 200 || a.Height != 400 || cfg.Width != 160 || cfg.Height != 320 {
			t.Fatalf("attachment %dx%d, thumbnail %dx%d (%v); want it upright", a.Width, a.Height, cfg.Width, cfg.Height, err)
		}
	})

	t.Run("decompression bomb keeps no thumbnail", func(t *testing.T) {
		d := newFiles(t)
		a, err := Receive(ctx, d, settings, 3, "bomb.png", bytes.NewReader(claimSize(t, pngBytes(t, 8, 8), 100000, 100000)))
		if err != nil {
			t.Fatal(err)
		}
		if a.Thumbnail || a.Width != 100000 {
			t.Fatalf("attachment %+v", a)
		}
		nothingStored(t, d, a.BlobKey)
	})

	t.Run("document", func(t *testing.T) {
		d := newFiles(t)
		a, err := Receive(ctx, d, settings, 3, "견적서.pdf", strings.NewReader("%PDF-1.4\n"+strings.Repeat("x", 5000)))
		if err != nil || a.Kind != chat.FileDocument || a.Thumbnail || a.Size != 5009 {
			t.Fatalf("attachment %+v, %v", a, err)
		}
	})

	for _, tt := range []struct {
		name, file string
		body       io.Reader
		code       string
		says       string // in the error's message
	}{
		{"exactly the limit", "a.txt", strings.NewReader(strings.Repeat("a", 1<<20)), "", ""},
		{"one byte over", "a.txt", strings.NewReader(strings.Repeat("a", 1<<20+1)), chat.ErrFileTooLarge, ""},
		{"far over", "a.txt", io.LimitReader(repeat('a'), 50<<20), chat.ErrFileTooLarge, ""},
		{"empty", "a.txt", strings.NewReader(""), chat.ErrFileEmpty, ""},
		{"web page as png", "cat.png", strings.NewReader("<html><script>steal()</script>"), chat.ErrFileContentMismatch, "its content is a program or a web page"},
		{"text as png", "cat.png", strings.NewReader("주문 내역입니다"), chat.ErrFileContentMismatch, "its content is not a .png file"},
		{"program as jpg", "cat.jpg", strings.NewReader("MZ\x90\x00rest of a program"), chat.ErrFileContentMismatch, "its content is a program"},
		{"program", "setup.exe", strings.NewReader("MZ\x90\x00"), chat.ErrFileTypeNotAllowed, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := newFiles(t)
			a, err := Receive(ctx, d, settings, 3, tt.file, tt.body)
			if chat.ErrorCode(err) != tt.code || (tt.code == "" && err != nil) || (err != nil && !strings.Contains(err.Error(), tt.says)) {
				t.Fatalf("Receive = %+v, %v; want code %q saying %q", a, err, tt.code, tt.says)
			}
			if tt.code != "" {
				nothingStored(t, d)
			}
		})
	}
}

type repeatReader byte

func repeat(b byte) io.Reader { return repeatReader(b) }

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, 0, color.NRGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// jpegBytes encodes a w×h JPEG, with an EXIF orientation tag when
// orientation is not 0.
func jpegBytes(t *testing.T, w, h, orientation int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h)), nil); err != nil {
		t.Fatal(err)
	}
	if orientation == 0 {
		return b.Bytes()
	}
	// APP1: "Exif\0\0", a big-endian TIFF header, one IFD with one entry.
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00")
	binary.BigEndian.PutUint16(tiff[18:], uint16(orientation))
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := append([]byte{0xff, 0xe1, 0, 0}, seg...)
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	return slices.Concat(b.Bytes()[:2], app1, b.Bytes()[2:])
}

// claimSize rewrites a PNG's header to claim another size, as a
// decompression bomb does.
func claimSize(t *testing.T, p []byte, w, h uint32) []byte {
	t.Helper()
	p = slices.Clone(p)
	ihdr := p[12:29] // chunk type and data
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(ihdr))
	return p
}
