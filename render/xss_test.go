package render_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/htmlcheck"
	"github.com/tribune-go/tribune/render"
)

// TestSanitizeXSSCorpus throws the repository's copy of the public corpus of public XSS
// payloads at every visitor field.
func TestSanitizeXSSCorpus(t *testing.T) {
	t.Parallel()
	corpus, err := htmlcheck.LoadCorpus()
	require.NoError(t, err, "the corpus lives in %s", htmlcheck.CorpusPath)
	r, err := render.New(render.WithCacheBytes(0))
	require.NoError(t, err)
	a := seedArticle(t)
	stored := 0
	for i, payload := range corpus {
		body := tribune.SanitizeComment(payload)
		require.NoError(t, htmlcheck.Check(body, htmlcheck.Options{}), "line %d: %q -> %q", i+1, payload, body)

		in := tribune.CommentInput{Name: "Ana", Email: "ana@example.org"}
		in.ArticleID = a.ID
		in.Body, in.Name, in.Website = payload, payload, payload
		c, err := tribune.NewComment(in)
		if err != nil {
			// Refused names or websites are fine; try the body alone.
			in.Name, in.Website = "Ana", ""
			c, err = tribune.NewComment(in)
			if err != nil {
				continue
			}
		}
		stored++
		c.Status = tribune.StatusApproved
		html, err := r.RenderHTML(render.Section{Article: &a, Comments: []tribune.Comment{c},
			Form: render.Form{Action: "/post", Values: render.FormValues{Name: payload, Body: payload, Website: payload}}})
		require.NoError(t, err)
		require.NoError(t, htmlcheck.Check(string(html), htmlcheck.Options{AllowRelative: true, AllowElements: []string{"form", "meta"}}),
			"line %d: %q", i+1, payload)
		require.NotContains(t, strings.ToLower(string(html)), "<script", "line %d", i+1)
	}
	assert.Greater(t, stored, len(corpus)/2, "most payloads are stored as harmless text")
}
