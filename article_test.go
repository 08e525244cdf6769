package tribune_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
)

func TestSlugify(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Réunion des ministres de la Défense de l’OTAN à Bruxelles : vers une OTAN plus autonome ?",
			"reunion-des-ministres-de-la-defense-de-l-otan-a-bruxelles-vers-une-otan-plus"},
		{"L’OTAN peut-elle se passer des États-Unis ?", "l-otan-peut-elle-se-passer-des-etats-unis"},
		{"  Hello,   World!  ", "hello-world"},
		{"Œuvre & cœur ß", "oeuvre-coeur-ss"},
		{"Привет мир", "привет-мир"},
		{"???", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got := tribune.Slugify(tc.in)
			assert.Equal(t, tc.want, got)
			assert.LessOrEqual(t, len(got), 80)
		})
	}
}

func TestNewArticle(t *testing.T) {
	t.Parallel()
	a, err := tribune.NewArticle(tribune.ArticleInput{Title: " Réunion à Bruxelles ", Body: `<p onclick="x">Texte</p><script>alert(1)</script>`})
	require.NoError(t, err)
	assert.Equal(t, "Réunion à Bruxelles", a.Title)
	assert.Equal(t, "reunion-a-bruxelles", a.Slug)
	assert.Equal(t, "<p>Texte</p>", a.Body)
	assert.Equal(t, "fr", a.Lang)
	assert.False(t, a.Published.IsZero())
	assert.False(t, a.CommentsClosed)

	_, err = tribune.NewArticle(tribune.ArticleInput{Title: "  "})
	var ve *tribune.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, tribune.CodeRequired, ve.Code(tribune.FieldTitle))

	_, err = tribune.NewArticle(tribune.ArticleInput{Title: "x", Slug: "Not A Slug"})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, tribune.CodeInvalid, ve.Code(tribune.FieldSlug))

	_, err = tribune.NewArticle(tribune.ArticleInput{Title: "x", Lang: "fr\"><script>"})
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, tribune.CodeInvalid, ve.Code(tribune.FieldLang))
}
