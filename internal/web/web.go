// Package web embeds the browser side of Sodam: the agent console, the chat
// widget (the loader script and the chat iframe) and the try-it page. They
// are plain HTML, CSS and JavaScript modules with no build step.
//
// shared/ holds the modules both the console and the widget import (dom.js,
// net.js, live.js, thread.js, composer.js, files.js, locale.js), so the two
// reconnect, retry, dedupe and show files the same way. It is served
// publicly like the widget, which visitors load without signing in.
//
// Messages are JSON catalogs, one file per language: shared/i18n/ for what
// both say alike, console/i18n/ and widget/i18n/ for what each says on its
// own. shared/locale.js fetches a page's two catalogs; TestCatalogs checks
// them. In the console, index.html is the frame and each page keeps its
// markup in a template in its module (console/template.js); the settings
// page is one custom element per card, under console/settings/. The team
// administration pages (team.js, audit.js, workspaces.js, profile.js) and
// the screens an invitation or password link opens before sign-in
// (welcome.js, at /console/invite and /console/reset) are built the same
// way; session.js keeps the signed-in agent and their memberships.
package web

import (
	"embed"
	"html/template"
	"sync"
)

// Assets holds console/ (served at /console/), widget/ (loader.js at
// /widget.js, frame.html at /widget/frame, every other file at /widget/)
// and shared/ (served at /shared/).
//
//go:embed console widget shared
var Assets embed.FS

// WidgetCatalogs are the widget's strings by language (ko, en): what a
// messenger's user reads of a system message is the widget's wording
// (outbox.CustomerText). They are read on first use, as most nodes never
// deliver to a messenger (an idle node's memory, issue 17).
var WidgetCatalogs = sync.OnceValue(func() map[string]map[string]string { return catalogs(Assets, "widget/i18n") })

//go:embed try.html
var tryHTML string

// TryTemplate renders the try-it page: a sample shop carrying the real embed
// snippet, visited as an anonymous or a logged-in visitor. Its data has the
// fields SiteID, BaseURL, Member (bool), SiteUID, SiteUIDSig, MemberName and
// Lang ("ko" or "en").
var TryTemplate = template.Must(template.New("try.html").Parse(tryHTML))
