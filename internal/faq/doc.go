// Package faq is what is particular to the help center's articles (§8):
// the sanitizing policy and an article's searchable text (Prepare), and
// the Korean search the widget, the help center, the console's ? and the
// robot share — its analysis, the per-workspace index (Index, Build) and
// the Searcher that keeps one per workspace, with MinScore, the
// confidence below which it answers nothing.
package faq
