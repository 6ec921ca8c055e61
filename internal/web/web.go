// Package web embeds the browser side of Sodam: the agent console, the chat
// widget (the loader script and the chat iframe) and the try-it page. They
// are plain HTML, CSS and JavaScript modules with no build step.
//
// widget/ also holds the small modules the console imports (dom.js, net.js,
// live.js, thread.js, composer.js, locale.js): both are served publicly, and
// the widget and the console then reconnect, retry and dedupe the same way.
package web

import (
	"embed"
	"html/template"
)

// Assets holds console/ (served at /console/) and widget/ (loader.js at
// /widget.js, frame.html at /widget/frame, every other file at /widget/).
//
//go:embed console widget
var Assets embed.FS

//go:embed try.html
var tryHTML string

// TryTemplate renders the try-it page: a sample shop carrying the real embed
// snippet, visited as an anonymous or a logged-in visitor. Its data has the
// fields SiteID, BaseURL, Member (bool), SiteUID, SiteUIDSig, MemberName and
// Lang ("ko" or "en").
var TryTemplate = template.Must(template.New("try.html").Parse(tryHTML))
