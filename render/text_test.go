package render_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/render"
)

func TestEditableTextRoundTrips(t *testing.T) {
	inputs := []string{
		"Bonjour,\nune ligne\n\nun autre paragraphe & fin.",
		"x < y > z \"q\" 'a' & &amp; &lt;b&gt;",
		"https://example.org/é?q=1&r=2 et <a href=\"https://x.org/a\">un lien</a> <b>gras</b> <em>it</em>",
		"<blockquote>cité\n\nsur deux</blockquote>\nréponse",
		"<ul><li>un</li><li>deux</li></ul>",
		"<a href=\"https://x.org\"><b>gras</b> lien</a>",
		"  espaces   \n\n\n\ntrois lignes vides  ",
		"<code>if a < b { }</code>",
	}
	for _, in := range inputs {
		body := tribune.SanitizeComment(in)
		text := render.EditableText(body)
		assert.Equal(t, body, tribune.SanitizeComment(text), "input %q gave back %q", in, text)
		assert.NotContains(t, text, "<p>", "the sanitizer's paragraphs are not shown to the author")
	}
	text := render.EditableText(tribune.SanitizeComment("voir https://example.org/page"))
	assert.Equal(t, "voir https://example.org/page", text, "a bare address stays bare")
}

func FuzzEditableText(f *testing.F) {
	for _, s := range []string{"a\nb", "<a href=\"https://x.org\">l</a>", "https://x.org/é", "&amp;<", "<blockquote>q</blockquote>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		body := tribune.SanitizeComment(in)
		if strings.TrimSpace(render.PlainText(body)) == "" {
			return // an empty comment is refused before it is stored
		}
		again := tribune.SanitizeComment(render.EditableText(body))
		// Blanks at the ends of lines may go; the text and the markup
		// must survive.
		if squash(again) != squash(body) {
			t.Errorf("input %q: body %q, after an edit %q", in, body, again)
		}
	})
}

func TestPlainText(t *testing.T) {
	body := tribune.SanitizeComment("Bonjour & merci,\nligne\n\n<a href=\"https://x.org\">lien</a> https://y.org")
	assert.Equal(t, "Bonjour & merci,\nligne\n\nlien <https://x.org> https://y.org", render.PlainText(body))
}

func squash(s string) string {
	s = strings.NewReplacer("<p>", " ", "</p>", " ", "<br>", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}
