package i18n_test

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
)

func TestCataloguesComplete(t *testing.T) {
	t.Parallel()
	langs := i18n.Languages()
	assert.Equal(t, []string{"en", "fr"}, langs)
	ref := i18n.For("en").Keys()
	for _, tag := range langs {
		l := i18n.For(tag)
		assert.Equal(t, ref, l.Keys(), "catalogue %s has the same keys as en", tag)
		for _, k := range l.Keys() {
			assert.NotEmpty(t, strings.TrimSpace(l.T(k)), "%s: %s", tag, k)
		}
	}
	// Every field error has a message in every language.
	for _, tag := range langs {
		l := i18n.For(tag)
		for _, code := range []tribune.Code{tribune.CodeRequired, tribune.CodeTooLong, tribune.CodeInvalidUTF8, tribune.CodeControl,
			tribune.CodeEmail, tribune.CodeURL, tribune.CodeEmpty, tribune.CodeTooDeep, tribune.CodeNoParent, tribune.CodeInvalid, tribune.CodeTooManyTags} {
			msg := l.FieldError(tribune.FieldError{Field: tribune.FieldBody, Code: code, Limit: 10})
			assert.False(t, strings.HasPrefix(msg, "error."), "%s: %s", tag, code)
		}
	}
}

func TestFrenchStringsUseNoBreakSpaces(t *testing.T) {
	t.Parallel()
	l := i18n.For("fr")
	for _, k := range l.Keys() {
		msg := l.T(k)
		for _, p := range []string{" :", " ;", " ?", " !"} {
			assert.NotContains(t, msg, p, "%s needs a no-break space before %q", k, p[1:])
		}
	}
}

func TestDates(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 2, 12, 14, 5, 0, 0, time.UTC)
	assert.Equal(t, "12 février 2026 à 14 h 05", i18n.For("fr").DateTime(at))
	assert.Equal(t, "February 12, 2026 at 2:05 pm", i18n.For("en").DateTime(at))
	assert.Equal(t, "1er mars 2026", i18n.For("fr").Date(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, "March 1, 2026 at 12:00 am", i18n.For("en").DateTime(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)))
}

func TestMatchLocale(t *testing.T) {
	t.Parallel()
	tests := []struct{ header, fallback, want string }{
		{"en-US,en;q=0.9,fr;q=0.8", "fr", "en"},
		{"de-DE,fr;q=0.5,en;q=0.4", "en", "fr"},
		{"de", "en", "en"},
		{"", "fr", "fr"},
		{"fr-CA", "en", "fr"},
		{"en;q=0.1,fr;q=0.9", "en", "fr"},
		{"en;q=abc,fr;q=2", "en", "en"},
		{strings.Repeat("x,", 10000) + "en", "fr", "fr"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, i18n.Match(tc.header, tc.fallback).Tag(), tc.header)
	}
	assert.Equal(t, "fr", i18n.For("zz").Tag(), "unknown tags fall back to French")
}

func TestHostCatalogues(t *testing.T) {
	t.Parallel()
	pl := fstest.MapFS{"pl.json": {Data: []byte(`{"name": "Polski", "thousands": " ",
		"months": ["stycznia","lutego","marca","kwietnia","maja","czerwca","lipca","sierpnia","września","października","listopada","grudnia"],
		"messages": {"count.zero": "Brak komentarzy", "count.one": "{n} komentarz", "count.few": "{n} komentarze",
			"count.many": "{n} komentarzy", "count.other": "{n} komentarza", "form.title": "Dodaj komentarz"}}`)}}
	c, err := i18n.DefaultCatalog().WithMessages("pl", pl)
	require.NoError(t, err)
	l := c.Locale("pl-PL")
	assert.Equal(t, "pl", l.Tag())
	for n, want := range map[int]string{0: "Brak komentarzy", 1: "1 komentarz", 2: "2 komentarze", 5: "5 komentarzy", 22: "22 komentarze", 25: "25 komentarzy", 1002: "1 002 komentarze"} {
		assert.Equal(t, want, l.Count(n), "CLDR plural of %d", n)
	}
	assert.Equal(t, "Dodaj komentarz", l.T("form.title"))
	assert.Equal(t, i18n.For("en").T("form.submit"), l.T("form.submit"), "a missing key falls back to English")
	gaps := c.Gaps("pl")
	assert.Contains(t, gaps, "form.submit")
	assert.NotContains(t, gaps, "form.title")
	assert.Empty(t, c.Gaps("fr"), "the built-in French is complete")
	assert.False(t, i18n.DefaultCatalog().Has("pl"), "the default catalog is unchanged")

	// Rewording French: only the given key changes.
	fr, err := i18n.DefaultCatalog().WithMessages("fr", fstest.MapFS{"x.json": {Data: []byte(`{"messages": {"form.title": "Réagir à l’article"}}`)}})
	require.NoError(t, err)
	assert.Equal(t, "Réagir à l’article", fr.Locale("fr").T("form.title"))
	assert.Equal(t, "Laisser un commentaire", fr.Locale("fr").T("form.submit"))
	assert.Equal(t, "Laisser un commentaire", i18n.For("fr").T("form.title"), "built-in untouched")

	_, err = i18n.DefaultCatalog().WithMessages("de", fstest.MapFS{"de.json": {Data: []byte(`{"messages": {"form.title": "Kommentar"}}`)}})
	assert.Error(t, err, "a new language needs its months")
	_, err = i18n.DefaultCatalog().WithMessages("de", fstest.MapFS{})
	assert.Error(t, err)
}

func TestBuiltInPlurals(t *testing.T) {
	t.Parallel()
	fr, en := i18n.For("fr"), i18n.For("en")
	assert.Equal(t, "Aucun commentaire", fr.Count(0))
	assert.Equal(t, "1 commentaire", fr.Count(1))
	assert.Equal(t, "2 commentaires", fr.Count(2))
	assert.Equal(t, "1\u202f000 commentaires", fr.Count(1000))
	assert.Equal(t, "No comments", en.Count(0))
	assert.Equal(t, "1 comment", en.Count(1))
	assert.Equal(t, "2 comments", en.Count(2))
}
