package tribune_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
)

// TestNamesOfRealPeoplePass: emoji sequences, Persian and Indic joiners,
// combining marks and mixed scripts are names people have; RFC 8266's
// profile, with UTS #51's emoji sequences, takes them.
func TestNamesOfRealPeoplePass(t *testing.T) {
	t.Parallel()
	for _, name := range []string{
		"Anna ❤️",         // heart + VS16
		"Zoë 👩\u200d💻",    // ZWJ sequence
		"👨\u200d👩\u200d👧", // family
		"🏳️\u200d🌈",       // flag: VS16 then ZWJ
		"Ali 👍🏽",          // skin tone
		"Team 1️⃣",        // keycap
		"🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F Ewan", // subdivision flag
		"می\u200cخواهم", // Persian ZWNJ
		"क्\u200dष",     // Devanagari ZWJ after virama
		"Ann\u0301a",    // combining mark
		"محمد Ali",      // Arabic and Latin words
		"Jean-Pierre D.",
		"Łukasz Żółć",
		"李小龍",
	} {
		c, err := tribune.NewComment(tribune.CommentInput{Name: name, Email: "x@example.org", Body: "Bonjour"})
		if assert.NoError(t, err, "%q", name) {
			assert.NotEmpty(t, c.AuthorName)
		}
	}
}

// TestNameTricksAreRefused: what reorders or hides a name is refused, with
// the same clear message.
func TestNameTricksAreRefused(t *testing.T) {
	t.Parallel()
	for label, name := range map[string]string{
		"right-to-left override":          "\u202enimdA",
		"left-to-right embedding":         "Lea\u202a",
		"isolate":                         "\u2067Admin\u2069",
		"lone ZWJ":                        "\u200d",
		"ZWJ between letters":             "Ad\u200dmin",
		"ZWNJ between Latin":              "Ad\u200cmin",
		"zero-width space":                "Ad\u200bmin",
		"soft hyphen":                     "Ad\u00admin",
		"braille blank":                   "Claire\u2800",
		"Hangul filler":                   "\u3164",
		"lone variation selector":         "\ufe0f",
		"combining marks only":            "\u0301\u0301",
		"tags without a flag":             "Admin\U000E0041",
		"RTL word breaking the Bidi Rule": "abc\u05d0",
	} {
		_, err := tribune.NewComment(tribune.CommentInput{Name: name, Email: "x@example.org", Body: "Bonjour"})
		var ve *tribune.ValidationError
		if assert.ErrorAs(t, err, &ve, label) {
			assert.Equal(t, tribune.CodeInvisible, ve.Code(tribune.FieldName), label)
			assert.Contains(t, i18n.For("fr").FieldError(ve.Fields[0]), "invisibles", label)
		}
	}
}

// TestBidiOverridesInBodiesAreTakenOut: an override in a comment's text
// would reorder what follows it on the page.
func TestBidiOverridesInBodiesAreTakenOut(t *testing.T) {
	t.Parallel()
	c, err := tribune.NewComment(tribune.CommentInput{Name: "Léa", Email: "x@example.org",
		Body: "Voir \u202egnp.exe\u202c et \u2066isolé\u2069, mais \u200fالسلام\u200f reste."})
	require.NoError(t, err)
	for _, r := range []rune{'\u202e', '\u202c', '\u2066', '\u2069'} {
		assert.False(t, strings.ContainsRune(c.Body, r), "%U left in the body", r)
	}
	assert.Contains(t, c.Body, "\u200fالسلام\u200f", "implicit marks stay")
}
