package faq

import (
	"github.com/sodam-chat/sodam/internal/chat"
)

// Prepare validates an article, sanitizes its body and derives its text
// version: what every save of an article goes through (the store calls
// it), so no path stores unsafe HTML.
func Prepare(a *chat.Article) error {
	if err := chat.CheckArticle(a); err != nil {
		return err
	}
	a.BodyHTML = Sanitize(a.BodyHTML)
	if len(a.BodyHTML) > chat.MaxFAQBody {
		return chat.Errorf(chat.ErrInvalid, "body_html must be at most %d bytes", chat.MaxFAQBody)
	}
	a.BodyText = Text(a.BodyHTML)
	if a.Keywords == nil {
		a.Keywords = []string{}
	}
	return nil
}

// DocOf is what the search index takes of an article.
func DocOf(a chat.Article) Doc {
	return Doc{ID: a.ID, Lang: a.Lang, Title: a.Title, Keywords: a.Keywords, Text: a.BodyText}
}
