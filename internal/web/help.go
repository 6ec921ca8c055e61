package web

import (
	"embed"
	"encoding/json"
	"html/template"
	"io/fs"
	"sync"
)

// Help holds the help center's pages (html/template, rendered by the
// server: they work without JavaScript), its style and its script (served
// at /help-assets/), and its catalogs.
//
//go:embed help
var Help embed.FS

// HelpPages are the help center's templates by page: home, category,
// article, search and notfound, each inside layout. They and HelpCatalogs
// are parsed on first use, as many nodes never serve the help center (an
// idle node's memory, issue 17).
var HelpPages = sync.OnceValue(func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, page := range []string{"home", "category", "article", "search", "notfound"} {
		out[page] = template.Must(template.ParseFS(Help, "help/layout.html", "help/"+page+".html"))
	}
	return out
})

// HelpCatalogs are the help center's strings by language (ko, en).
var HelpCatalogs = sync.OnceValue(func() map[string]map[string]string { return catalogs(Help, "help/i18n") })

// catalogs reads dir's ko.json and en.json: strings by key, by language.
func catalogs(fsys fs.FS, dir string) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range []string{"ko", "en"} {
		m, err := readCatalog(fsys, dir, lang)
		if err != nil {
			panic(err)
		}
		out[lang] = m
	}
	return out
}

// readCatalog reads dir's strings in lang.
func readCatalog(fsys fs.FS, dir, lang string) (map[string]string, error) {
	b, err := fs.ReadFile(fsys, dir+"/"+lang+".json")
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	return m, json.Unmarshal(b, &m)
}

// ConsoleCatalog reads the console's strings in lang (ko or en), so that
// an export says what the console's table says. It is read at each call:
// exports are rare, and the catalog is large.
func ConsoleCatalog(lang string) (map[string]string, error) {
	return readCatalog(Assets, "console/i18n", lang)
}
