// Package web embeds the browser side of Sodam: the agent console, the chat
// widget (loader and iframe) and the try-it page. Plain HTML, CSS and
// JavaScript modules; no build step.
package web

import (
	"embed"
	"html/template"
)

// Assets holds console/ (served at /console/) and widget/ (the loader at
// /widget.js, the chat iframe at /widget/frame and its files at /widget/).
//
//go:embed console widget
var Assets embed.FS

//go:embed try.html
var tryHTML string

// TryTemplate renders the try-it page: a sample shop with the embed snippet.
var TryTemplate = template.Must(template.New("try").Parse(tryHTML))
