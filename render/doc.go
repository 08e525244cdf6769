// Package render turns articles and comment sections into HTML fragments
// with html/template: templates embedded and parsed once, overridable by a
// host (WithTemplates), every string from a catalogue of package i18n, no
// inline script or style. It shows what the caller passes, filtered by
// the one visibility rule (tribune.Viewer.Sees): the caller chooses the
// held comments its viewer sees, spam and trash never show. Each comment's
// HTML is cached by what it shows, within a byte budget.
package render
