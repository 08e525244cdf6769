package tribune_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tribune-go/tribune"
)

func TestCataloguesComplete(t *testing.T) {
	t.Parallel()
	langs := tribune.Languages()
	assert.Equal(t, []string{"en", "fr"}, langs)
	ref := tribune.LocaleFor("en").Keys()
	for _, tag := range langs {
		l := tribune.LocaleFor(tag)
		assert.Equal(t, ref, l.Keys(), "catalogue %s has the same keys as en", tag)
		for _, k := range l.Keys() {
			assert.NotEmpty(t, strings.TrimSpace(l.T(k)), "%s: %s", tag, k)
		}
	}
	// Every field error has a message in every language.
	for _, tag := range langs {
		l := tribune.LocaleFor(tag)
		for _, code := range []tribune.Code{tribune.CodeRequired, tribune.CodeTooLong, tribune.CodeInvalidUTF8, tribune.CodeControl,
			tribune.CodeEmail, tribune.CodeURL, tribune.CodeEmpty, tribune.CodeTooDeep, tribune.CodeNoParent, tribune.CodeInvalid} {
			msg := l.FieldError(tribune.FieldError{Field: tribune.FieldBody, Code: code, Limit: 10})
			assert.False(t, strings.HasPrefix(msg, "error."), "%s: %s", tag, code)
		}
	}
}

func TestFrenchStringsUseNoBreakSpaces(t *testing.T) {
	t.Parallel()
	l := tribune.LocaleFor("fr")
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
	assert.Equal(t, "12 février 2026 à 14 h 05", tribune.LocaleFor("fr").DateTime(at))
	assert.Equal(t, "February 12, 2026 at 2:05 pm", tribune.LocaleFor("en").DateTime(at))
	assert.Equal(t, "1er mars 2026", tribune.LocaleFor("fr").Date(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)))
	assert.Equal(t, "March 1, 2026 at 12:00 am", tribune.LocaleFor("en").DateTime(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)))
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
		assert.Equal(t, tc.want, tribune.MatchLocale(tc.header, tc.fallback).Tag(), tc.header)
	}
	assert.Equal(t, "fr", tribune.LocaleFor("zz").Tag(), "unknown tags fall back to French")
}
