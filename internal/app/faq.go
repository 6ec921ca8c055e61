package app

import "github.com/sodam-chat/sodam/internal/faq"

// FAQ is the node's one FAQ search: the help center, the widget, the
// robot and the console's ? all ask it.
func (a *App) FAQ() *faq.Searcher { return a.faq }
