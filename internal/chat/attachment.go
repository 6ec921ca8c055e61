package chat

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FileKind groups the extensions a workspace accepts (§3.4).
type FileKind string

// File kinds. Only images are shown inline, with a thumbnail.
const (
	FileImage    FileKind = "image"
	FileVideo    FileKind = "video"
	FileAudio    FileKind = "audio"
	FileDocument FileKind = "document"
)

// FileKinds lists the kinds in the order settings show them.
var FileKinds = []FileKind{FileImage, FileVideo, FileAudio, FileDocument}

// knownExtensions is the KakaoTalk table of seed 001 (§3.4): every
// extension Sodam can check the content of, by kind. Settings may allow a
// subset of it, never anything else.
var knownExtensions = map[FileKind][]string{
	FileImage: {"jpg", "jpeg", "gif", "bmp", "png"},
	FileVideo: {"m4v", "avi", "asf", "wmv", "mkv", "mpg", "mpeg", "mp4", "mov", "flv", "ogv", "ts"},
	FileAudio: {"mp3", "wav", "flac", "tta", "tak", "aac", "wma", "ogg", "m4a"},
	FileDocument: {"pdf", "ods", "csv", "tsv", "xls", "xlsx", "numbers", "cell", "odp", "ppt", "pptx", "key", "show",
		"doc", "docx", "hwp", "txt", "rtf", "xml", "wks", "wps", "xps", "md", "odf", "odt", "pages", "gz", "bz2",
		"rar", "7z", "zip", "lzh", "alz", "psd", "ai", "sketch", "tif", "tiff", "tga", "webp"},
}

// KnownExtensions returns the extensions of a kind Sodam can check, in
// table order.
func KnownExtensions(k FileKind) []string { return slices.Clone(knownExtensions[k]) }

// KindOf returns the kind of a known (lower-case) extension, or "".
func KindOf(ext string) FileKind {
	for _, k := range FileKinds {
		if slices.Contains(knownExtensions[k], ext) {
			return k
		}
	}
	return ""
}

// Attachment is the file of a file message (§3.4). The bytes live in blob
// storage under BlobKey; the row only describes them.
type Attachment struct {
	ID             int64 `json:"id"`
	WorkspaceID    int64 `json:"-"`
	ConversationID int64 `json:"conversation_id"`
	MessageID      int64 `json:"message_id"`
	// Name is what the sender called the file: shown and offered as the
	// download's name, never used as a path.
	Name        string   `json:"name"`
	Size        int64    `json:"size"`
	ContentType string   `json:"content_type"`
	Kind        FileKind `json:"kind"`
	// Width and Height are an image's pixel size, 0 when unknown.
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// Thumbnail says whether a thumbnail was made (images only).
	Thumbnail bool `json:"thumbnail"`
	// URL and ThumbnailURL are filled in by the HTTP layer for whoever the
	// message is shown to; they are never stored.
	URL          string    `json:"url,omitempty"`
	ThumbnailURL string    `json:"thumbnail_url,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	// BlobKey and ThumbnailKey name the stored bytes; clients never see them.
	BlobKey      string `json:"-"`
	ThumbnailKey string `json:"-"`
}

// Attachment settings' limits.
const (
	DefaultMaxFileSizeMB = 300
	MaxFileSizeMB        = 2048
	maxFileNameLength    = 200
)

// AttachmentSettings say which files a workspace accepts (§3.4).
type AttachmentSettings struct {
	// MaxSizeMB is the largest file, in MiB.
	MaxSizeMB  int            `json:"max_size_mb"`
	Extensions FileExtensions `json:"extensions"`
}

// FileExtensions are the allowed extensions of each kind, lower case.
type FileExtensions struct {
	Image    []string `json:"image"`
	Video    []string `json:"video"`
	Audio    []string `json:"audio"`
	Document []string `json:"document"`
}

// Of returns the allowed extensions of kind k.
func (e FileExtensions) Of(k FileKind) []string {
	switch k {
	case FileImage:
		return e.Image
	case FileVideo:
		return e.Video
	case FileAudio:
		return e.Audio
	case FileDocument:
		return e.Document
	}
	return nil
}

// DefaultAttachmentSettings are the §3.4 table and 300 MB. The slices are
// fresh copies: decoding stored settings over them must not change the table.
func DefaultAttachmentSettings() AttachmentSettings {
	return AttachmentSettings{
		MaxSizeMB: DefaultMaxFileSizeMB,
		Extensions: FileExtensions{
			Image:    KnownExtensions(FileImage),
			Video:    KnownExtensions(FileVideo),
			Audio:    KnownExtensions(FileAudio),
			Document: KnownExtensions(FileDocument),
		},
	}
}

// MaxBytes is the largest file in bytes.
func (a AttachmentSettings) MaxBytes() int64 { return int64(a.MaxSizeMB) << 20 }

// Validate reports the first thing wrong with a as an invalid_input error:
// an extension must be one Sodam can check, listed under its own kind, once.
func (a AttachmentSettings) Validate() error {
	if a.MaxSizeMB < 1 || a.MaxSizeMB > MaxFileSizeMB {
		return Errorf(ErrInvalid, "attachments.max_size_mb must be 1 to %d", MaxFileSizeMB)
	}
	for _, k := range FileKinds {
		seen := map[string]bool{}
		for _, ext := range a.Extensions.Of(k) {
			if !slices.Contains(knownExtensions[k], ext) {
				return Errorf(ErrInvalid, "attachments.extensions.%s: %q is not one of %s", k, ext, strings.Join(knownExtensions[k], ", "))
			}
			if seen[ext] {
				return Errorf(ErrInvalid, "attachments.extensions.%s lists %q twice", k, ext)
			}
			seen[ext] = true
		}
	}
	return nil
}

// riskyExtensions are never accepted, not even in the middle of a name
// ("invoice.exe.pdf"): programs, scripts and active documents.
var riskyExtensions = []string{
	"exe", "com", "bat", "cmd", "scr", "pif", "msi", "msp", "dll", "cpl", "jar", "apk", "app", "dmg", "deb", "rpm",
	"sh", "bash", "ps1", "psm1", "vbs", "vbe", "js", "mjs", "jse", "wsf", "wsh", "hta", "lnk", "reg", "inf",
	"html", "htm", "xhtml", "shtml", "mht", "mhtml", "svg", "svgz", "xsl", "xslt", "php", "phtml", "asp", "aspx", "jsp", "cgi", "pl", "py",
}

// CheckFileName validates a file's name against a: it returns the name to
// show (without any directory a browser may have sent), its lower-case
// extension and its kind. Names that could mislead a person are refused:
// control and bidirectional-override characters ("photo\u202Egnp.exe"),
// a trailing dot or space (dropped by Windows, "x.exe."), and a program's
// extension before the last one ("invoice.exe.pdf"). The name is kept in
// NFC.
func (a AttachmentSettings) CheckFileName(name string) (clean, ext string, kind FileKind, err error) {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.TrimSpace(name)
	if utf8.ValidString(name) {
		// In NFC: macOS names files in decomposed Hangul (견적서 as its
		// jamo), which Windows then shows letter by letter, and which is
		// longer than it looks.
		name = norm.NFC.String(name)
	}
	switch {
	case name == "":
		return "", "", "", Errorf(ErrInvalid, "the file has no name")
	case !utf8.ValidString(name):
		return "", "", "", Errorf(ErrInvalid, "the file name is not valid UTF-8")
	case utf8.RuneCountInString(name) > maxFileNameLength:
		return "", "", "", Errorf(ErrInvalid, "the file name is longer than %d characters", maxFileNameLength)
	case strings.HasSuffix(name, "."):
		return "", "", "", Errorf(ErrFileTypeNotAllowed, "the file name %q ends with a dot", name)
	}
	for _, r := range name {
		if IsControlOrBidi(r) {
			return "", "", "", Errorf(ErrInvalid, "the file name contains control characters")
		}
	}
	parts := strings.Split(strings.ToLower(name), ".")
	if len(parts) < 2 {
		return "", "", "", Errorf(ErrFileTypeNotAllowed, "the file name %q has no extension", name)
	}
	ext = parts[len(parts)-1]
	for _, inner := range parts[1 : len(parts)-1] {
		if slices.Contains(riskyExtensions, strings.TrimSpace(inner)) {
			return "", "", "", Errorf(ErrFileTypeNotAllowed, "the file name %q hides a .%s file", name, strings.TrimSpace(inner))
		}
	}
	kind = KindOf(ext)
	if kind == "" || !slices.Contains(a.Extensions.Of(kind), ext) {
		return "", "", "", Errorf(ErrFileTypeNotAllowed, ".%s files are not accepted here", ext)
	}
	return name, ext, kind, nil
}
