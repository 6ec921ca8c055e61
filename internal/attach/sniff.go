package attach

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/sodam-chat/sodam/internal/chat"
)

// fileType is what Sodam knows of an extension: the type it is served as,
// and whether a file's first bytes fit it.
type fileType struct {
	contentType string
	fits        func(head []byte) bool
}

// Signatures of the formats in the §3.4 table. Container formats are
// recognised by their container (an .xlsx is a zip, a .doc an OLE
// compound file); a few formats without a signature of their own (tga,
// wks, Hancom's cell and show) are accepted unless they look like a
// program or a web page.
var (
	zipSig = anyPrefix("PK\x03\x04", "PK\x05\x06", "PK\x07\x08")
	oleSig = anyPrefix("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
	asfSig = anyPrefix("\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c")
	id3    = anyPrefix("ID3")
)

var fileTypes = map[string]fileType{
	"jpg":  {"image/jpeg", anyPrefix("\xff\xd8\xff")},
	"jpeg": {"image/jpeg", anyPrefix("\xff\xd8\xff")},
	"png":  {"image/png", anyPrefix("\x89PNG\r\n\x1a\n")},
	"gif":  {"image/gif", anyPrefix("GIF87a", "GIF89a")},
	"bmp":  {"image/bmp", anyPrefix("BM")},

	"mp4":  {"video/mp4", isoMedia},
	"m4v":  {"video/x-m4v", isoMedia},
	"mov":  {"video/quicktime", isoMedia},
	"avi":  {"video/x-msvideo", riff("AVI ")},
	"asf":  {"video/x-ms-asf", asfSig},
	"wmv":  {"video/x-ms-wmv", asfSig},
	"mkv":  {"video/x-matroska", anyPrefix("\x1a\x45\xdf\xa3")},
	"mpg":  {"video/mpeg", anyPrefix("\x00\x00\x01\xba", "\x00\x00\x01\xb3")},
	"mpeg": {"video/mpeg", anyPrefix("\x00\x00\x01\xba", "\x00\x00\x01\xb3")},
	"flv":  {"video/x-flv", anyPrefix("FLV\x01")},
	"ogv":  {"video/ogg", anyPrefix("OggS")},
	"ts":   {"video/mp2t", transportStream},

	"mp3":  {"audio/mpeg", either(id3, mpegAudio)},
	"wav":  {"audio/wav", riff("WAVE")},
	"flac": {"audio/flac", either(id3, anyPrefix("fLaC"))},
	"tta":  {"audio/x-tta", either(id3, anyPrefix("TTA1"))},
	"tak":  {"audio/x-tak", either(id3, anyPrefix("tBaK"))},
	"aac":  {"audio/aac", either(id3, anyPrefix("ADIF"), adts)},
	"wma":  {"audio/x-ms-wma", asfSig},
	"ogg":  {"audio/ogg", anyPrefix("OggS")},
	"m4a":  {"audio/mp4", isoMedia},

	"pdf":     {"application/pdf", pdf},
	"ai":      {"application/postscript", either(pdf, anyPrefix("%!PS"))},
	"psd":     {"image/vnd.adobe.photoshop", anyPrefix("8BPS")},
	"tif":     {"image/tiff", anyPrefix("II*\x00", "MM\x00*")},
	"tiff":    {"image/tiff", anyPrefix("II*\x00", "MM\x00*")},
	"webp":    {"image/webp", riff("WEBP")},
	"tga":     {"image/x-tga", harmless},
	"rtf":     {"application/rtf", anyPrefix(`{\rtf`)},
	"txt":     {"text/plain; charset=utf-8", text},
	"md":      {"text/markdown; charset=utf-8", text},
	"csv":     {"text/csv; charset=utf-8", text},
	"tsv":     {"text/tab-separated-values; charset=utf-8", text},
	"xml":     {"application/xml", text},
	"doc":     {"application/msword", oleSig},
	"xls":     {"application/vnd.ms-excel", oleSig},
	"ppt":     {"application/vnd.ms-powerpoint", oleSig},
	"docx":    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", zipSig},
	"xlsx":    {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", zipSig},
	"pptx":    {"application/vnd.openxmlformats-officedocument.presentationml.presentation", zipSig},
	"odt":     {"application/vnd.oasis.opendocument.text", zipSig},
	"ods":     {"application/vnd.oasis.opendocument.spreadsheet", zipSig},
	"odp":     {"application/vnd.oasis.opendocument.presentation", zipSig},
	"odf":     {"application/vnd.oasis.opendocument.formula", zipSig},
	"xps":     {"application/vnd.ms-xpsdocument", zipSig},
	"numbers": {"application/x-iwork-numbers-sffnumbers", zipSig},
	"key":     {"application/x-iwork-keynote-sffkey", zipSig},
	"pages":   {"application/x-iwork-pages-sffpages", zipSig},
	"sketch":  {"application/x-sketch", zipSig},
	"hwp":     {"application/x-hwp", either(oleSig, zipSig, anyPrefix("HWP Document File"))},
	"cell":    {"application/x-hancell", harmless},
	"show":    {"application/x-hanshow", harmless},
	"wks":     {"application/vnd.ms-works", harmless},
	"wps":     {"application/vnd.ms-works", either(oleSig, harmless)},
	"zip":     {"application/zip", zipSig},
	"gz":      {"application/gzip", anyPrefix("\x1f\x8b")},
	"bz2":     {"application/x-bzip2", anyPrefix("BZh")},
	"rar":     {"application/vnd.rar", anyPrefix("Rar!\x1a\x07")},
	"7z":      {"application/x-7z-compressed", anyPrefix("7z\xbc\xaf\x27\x1c")},
	"lzh":     {"application/x-lzh-compressed", lzh},
	"alz":     {"application/x-alz-compressed", anyPrefix("ALZ\x01")},
}

// CheckContent checks a file's first bytes (up to 512) against its
// extension and returns the content type it is served as. A .png that is
// a web page, or a .jpg that is a program, is refused.
func CheckContent(ext string, head []byte) (string, error) {
	ft, ok := fileTypes[ext]
	if !ok {
		return "", chat.Errorf(chat.ErrFileTypeNotAllowed, ".%s files are not accepted here", ext)
	}
	// A program is refused under any name, even one whose format check it
	// would pass (a PDF's header may sit anywhere in its first kilobyte,
	// so "MZ…%PDF-" looked like one).
	if programs(head) {
		return "", chat.Errorf(chat.ErrFileContentMismatch, "the file is named .%s but its content is a program", ext)
	}
	if !ft.fits(head) {
		if looksDangerous(head) {
			return "", chat.Errorf(chat.ErrFileContentMismatch, "the file is named .%s but its content is a program or a web page", ext)
		}
		return "", chat.Errorf(chat.ErrFileContentMismatch, "the file is named .%s but its content is not a .%s file", ext, ext)
	}
	return ft.contentType, nil
}

func anyPrefix(sigs ...string) func([]byte) bool {
	return func(b []byte) bool {
		for _, s := range sigs {
			if bytes.HasPrefix(b, []byte(s)) {
				return true
			}
		}
		return false
	}
}

func either(checks ...func([]byte) bool) func([]byte) bool {
	return func(b []byte) bool {
		for _, c := range checks {
			if c(b) {
				return true
			}
		}
		return false
	}
}

// riff matches a RIFF container of the given form (AVI, WAVE, WEBP).
func riff(form string) func([]byte) bool {
	return func(b []byte) bool {
		return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == form
	}
}

// isoMedia matches MP4, M4A and QuickTime files: a box whose type is
// ftyp, or for old QuickTime files one of its first atoms.
func isoMedia(b []byte) bool {
	if len(b) < 8 {
		return false
	}
	switch string(b[4:8]) {
	case "ftyp", "moov", "mdat", "wide", "free", "skip", "pnot":
		return true
	}
	return false
}

// transportStream matches MPEG-TS (sync byte every 188 bytes) and M2TS
// (the same after a 4-byte time code).
func transportStream(b []byte) bool {
	for _, off := range []int{0, 4} {
		if len(b) > off && b[off] == 0x47 && (len(b) <= off+188 || b[off+188] == 0x47) {
			return true
		}
	}
	return false
}

// mpegAudio matches an MPEG audio frame header (11 sync bits, a layer).
func mpegAudio(b []byte) bool {
	return len(b) >= 2 && b[0] == 0xff && b[1]&0xe0 == 0xe0 && b[1]&0x06 != 0
}

// adts matches an AAC ADTS frame header (12 sync bits, layer 0).
func adts(b []byte) bool {
	return len(b) >= 2 && b[0] == 0xff && b[1]&0xf6 == 0xf0
}

// pdf finds the header within the first bytes, where readers look for it.
func pdf(b []byte) bool { return bytes.Contains(b, []byte("%PDF-")) }

func lzh(b []byte) bool {
	return len(b) >= 7 && b[2] == '-' && b[3] == 'l' && (b[4] == 'h' || b[4] == 'z') && b[6] == '-'
}

// text matches what a text editor would open: no binary control bytes,
// and not a web page, an SVG image or a script under a text name.
func text(b []byte) bool {
	return strings.HasPrefix(http.DetectContentType(b), "text/") && !looksDangerous(b)
}

// harmless accepts formats without a signature unless they look like a
// program or a web page.
func harmless(b []byte) bool { return !looksDangerous(b) }

// programs are the signatures of executables and scripts: Windows (MZ),
// Linux (ELF), macOS (Mach-O, universal) and a script's #!.
var programs = anyPrefix("MZ", "\x7fELF", "\xfe\xed\xfa\xce", "\xfe\xed\xfa\xcf", "\xce\xfa\xed\xfe", "\xcf\xfa\xed\xfe", "\xca\xfe\xba\xbe", "#!")

// looksDangerous reports a program, or markup a browser would run.
func looksDangerous(b []byte) bool {
	if programs(b) {
		return true
	}
	if strings.HasPrefix(http.DetectContentType(b), "text/html") {
		return true
	}
	lower := bytes.ToLower(b)
	for _, tag := range []string{"<svg", "<script", "<html", "<iframe", "<object", "<embed"} {
		if bytes.Contains(lower, []byte(tag)) {
			return true
		}
	}
	return false
}
