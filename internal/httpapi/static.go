package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// staticFiles serves an embedded directory of the console's, the widget's
// or the shared modules' files. Each file has an ETag, its content's hash,
// so a browser that revalidates what it holds (the files are served
// no-cache) gets 304 Not Modified instead of the file again; and a client
// that takes gzip gets the file compressed. Both are worked out the first
// time a file is asked for and kept (the plain file is read from the
// binary each time): an idle node holds none of it.
type staticFiles struct {
	fsys  fs.FS
	mu    sync.Mutex
	files map[string]*staticFile
}

type staticFile struct {
	gz   []byte // compressed, or nil when that saves under a tenth
	etag string // quoted, of the content; the compressed form's ends in "-gz"
}

func newStaticFiles(fsys fs.FS, dir string) *staticFiles {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return &staticFiles{fsys: sub, files: map[string]*staticFile{}}
}

// file returns the file at name (a slash-separated path in the directory),
// or nil when there is none.
func (s *staticFiles) file(name string) *staticFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.files[name]; ok {
		return f
	}
	data, err := fs.ReadFile(s.fsys, name)
	if err != nil {
		return nil // not found, or a directory: nothing to remember
	}
	sum := sha256.Sum256(data)
	f := &staticFile{etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(data)
	zw.Close()
	if buf.Len() < len(data)*9/10 {
		f.gz = buf.Bytes()
	}
	s.files[name] = f
	return f
}

// ServeHTTP serves the file at the request's path ("/" is index.html),
// compressed when the client accepts gzip, or 404.
func (s *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/")
	if name == "" || strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	name = path.Clean(name)
	f := s.file(name)
	if f == nil {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	var body io.ReadSeeker
	if f.gz != nil && acceptsGzip(r) {
		body = bytes.NewReader(f.gz)
		h.Set("Content-Encoding", "gzip")
		h.Set("ETag", strings.TrimSuffix(f.etag, `"`)+`-gz"`)
	} else {
		file, err := s.fsys.Open(name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer file.Close()
		body = file.(io.ReadSeeker) // embedded files seek
		h.Set("ETag", f.etag)
	}
	// The content type comes from the name's extension, as for a file.
	http.ServeContent(w, r, path.Base(name), time.Time{}, body)
}

// acceptsGzip reports whether the request's Accept-Encoding allows gzip:
// it names gzip without a weight of 0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
			continue
		}
		q, weighed := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		v, err := strconv.ParseFloat(q, 64)
		return !weighed || err != nil || v > 0
	}
	return false
}
