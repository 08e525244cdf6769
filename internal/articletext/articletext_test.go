package articletext_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribune-go/tribune/internal/articletext"
)

func TestArticle(t *testing.T) {
	t.Parallel()
	in := articletext.Article("Titre : essai ?\n\nUn paragraphe ; deux !\nsuite\n\n• un\n\n• deux\n\nIntertitre\n\nFin.", "fr")
	assert.Equal(t, "Titre\u00a0: essai\u202f?", in.Title)
	assert.Equal(t, "<p>Un paragraphe\u202f; deux\u202f!<br>\nsuite</p>\n<ul>\n<li>un</li>\n<li>deux</li>\n</ul>\n<h2>Intertitre</h2>\n<p>Fin.</p>\n", in.Body)
	en := articletext.Article("Title\n\nIs it ?", "en")
	assert.True(t, strings.Contains(en.Body, "<h2>Is it ?</h2>"), "no French spacing in English")
}

func TestFrenchTypography(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "«\u00a0Oui\u00a0»\u00a0: non\u202f? si\u202f! ah\u202f; http://x",
		articletext.FrenchTypography("« Oui » : non ? si ! ah ; http://x"))
}
