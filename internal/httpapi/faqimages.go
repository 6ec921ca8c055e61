package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/sodam-chat/sodam/internal/attach"
	"github.com/sodam-chat/sodam/internal/auth"
	"github.com/sodam-chat/sodam/internal/chat"
)

// Images in FAQ articles go through the same blob storage and checks as
// chat attachments (attach.Receive: name, first bytes against the
// extension, size while streaming), images only (no SVG) up to 5 MB. The
// help center serves them publicly, like the articles that show them.

var faqImageRules = chat.AttachmentSettings{MaxSizeMB: chat.MaxFAQImageMB, Extensions: chat.FileExtensions{Image: chat.KnownExtensions(chat.FileImage)}}

func (s *Server) faqImageURL(siteID string, id int64) string {
	return fmt.Sprintf("%s/help/%s/images/%d", strings.TrimSuffix(s.cfg.BaseURL, "/"), siteID, id)
}

// uploadFAQImage takes one image (multipart/form-data, the field file)
// and answers with its public URL for an article's <img>.
func (s *Server) uploadFAQImage(w http.ResponseWriter, r *http.Request) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return chat.Errorf(codeMediaType, "send the image as multipart/form-data, the field named file")
	}
	tooLarge := chat.Errorf(chat.ErrFileTooLarge, "an image may be at most %d MB", chat.MaxFAQImageMB)
	limit := faqImageRules.MaxBytes() + uploadSlack
	if r.ContentLength > limit {
		return tooLarge
	}
	mr := multipart.NewReader(http.MaxBytesReader(w, r.Body, limit), params["boundary"])
	part, err := mr.NextPart()
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &big):
		return tooLarge
	case err != nil:
		return chat.Errorf(chat.ErrInvalid, "the upload is not well-formed multipart/form-data")
	case part.FormName() != "file" || part.FileName() == "":
		return chat.Errorf(chat.ErrInvalid, "send one image, as the field named file")
	}
	ws, err := s.store.Workspace(r.Context(), memberOf(r).WorkspaceID)
	if err != nil {
		return err
	}
	a, err := attach.Receive(r.Context(), s.files, faqImageRules, ws.ID, part.FileName(), part)
	if errors.As(err, &big) {
		return tooLarge
	}
	if err != nil {
		return err
	}
	if _, err := mr.NextPart(); !errors.Is(err, io.EOF) {
		s.removeFile(r.Context(), a)
		return chat.Errorf(chat.ErrInvalid, "send one image per request")
	}
	img := &chat.FAQImage{WorkspaceID: ws.ID, Name: a.Name, ContentType: a.ContentType, Size: a.Size, BlobKey: a.BlobKey}
	if err := s.store.AddFAQImage(r.Context(), img, who(r)); err != nil {
		s.removeFile(r.Context(), a)
		return err
	}
	if a.ThumbnailKey != "" {
		s.files.Delete(r.Context(), a.ThumbnailKey) // articles show the image itself
	}
	img.URL = s.faqImageURL(ws.SiteID, img.ID)
	writeJSON(w, http.StatusCreated, img)
	return nil
}

// deleteFAQImage removes an image no article shows (409 image_in_use
// while one does, published or draft) and its bytes.
func (s *Server) deleteFAQImage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "image")
	if err != nil {
		return err
	}
	if err := s.app.DeleteFAQImage(r.Context(), memberOf(r).WorkspaceID, id, who(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// helpImage serves an article image, never run: to anyone (cacheable)
// once a published article shows it; before that — an image just
// uploaded, or a draft's, whose next ID anyone could guess — only to the
// workspace's signed-in members (the editor and its preview).
func (s *Server) helpImage(w http.ResponseWriter, r *http.Request) error {
	ws, err := s.publicWorkspace(r, r.PathValue("site"))
	if err != nil {
		return err
	}
	id, err := pathID(r, "image")
	if err != nil {
		return err
	}
	img, err := s.store.FAQImage(r.Context(), ws.ID, id)
	if err != nil {
		return err
	}
	cache := "public, max-age=86400"
	shown, err := s.app.FAQ().ShowsImage(r.Context(), ws.ID, id)
	if err != nil {
		return err
	}
	if !shown {
		if !s.consoleMemberOf(r, ws.ID) {
			return chat.Errorf(chat.ErrNotFound, "no such image")
		}
		cache = "private, no-cache"
	}
	f, err := s.files.Open(r.Context(), img.BlobKey)
	if err != nil {
		return err
	}
	defer f.Close()
	h := w.Header()
	h.Set("Content-Type", img.ContentType)
	h.Set("Content-Security-Policy", "sandbox")
	h.Set("Cache-Control", cache)
	http.ServeContent(w, r, "", img.CreatedAt, f)
	return nil
}

// consoleMemberOf reports whether the request comes from an active member
// of the workspace signed in to the console (a public route's reader who
// may see a little more).
func (s *Server) consoleMemberOf(r *http.Request, workspaceID int64) bool {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return false
	}
	_, a, m, err := s.store.ConsoleMember(r.Context(), auth.HashToken(c.Value), s.now(), workspaceID)
	return err == nil && a != nil && m != nil && m.Active
}
