package render_test

import (
	"fmt"
	"os"
	"strings"
	"testing/fstest"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/render"
)

func ExampleRenderer_Render() {
	r, _ := render.New()
	a, _ := tribune.NewArticle(tribune.ArticleInput{Title: "Hello", Lang: "en"})
	a.CommentsClosed = true
	if err := r.Render(os.Stdout, render.Section{Article: &a}); err != nil {
		panic(err)
	}
	// Output:
	// <section class="tribune" id="comments" lang="en" aria-labelledby="comments-title">
	// <h2 class="tribune-count" id="comments-title">No comments</h2>
	// <meta itemprop="commentCount" content="0">
	// <div id="respond" class="tribune-respond" data-bytes-left="{n} bytes left" data-cancel="Cancel reply">
	// <p class="tribune-closed">Comments are closed.</p>
	// </div>
	// </section>
}

// ExampleWithTemplates redefines one template from a host's files (here
// an in-memory fs.FS) and keeps the others: the "comment" template gets a
// CommentView, whose raw fields let the host lay a comment out its own way.
func ExampleWithTemplates() {
	host := fstest.MapFS{"comment.tmpl": {Data: []byte(
		`{{define "comment"}}<li id="{{.Anchor}}" class="my-comment"><strong>{{.Author}}</strong> · {{.Date}}{{.Body}}{{end}}`)}}
	r, err := render.New(render.WithTemplates(host))
	if err != nil {
		panic(err)
	}
	a := tribune.Article{ID: uuid.New(), Title: "Titre", Lang: "fr"}
	c := tribune.Comment{ID: uuid.MustParse("0b9e4d6a-0000-4000-8000-000000000001"), ArticleID: a.ID, AuthorName: "Ana",
		Body: "<p>Bonjour</p>", Status: tribune.StatusApproved, Version: 1, Created: time.Date(2026, 2, 12, 9, 30, 0, 0, time.UTC)}
	html, _ := r.RenderHTML(render.Section{Article: &a, Comments: []tribune.Comment{c}})
	s := string(html)
	start := strings.Index(s, "<li")
	fmt.Println(s[start : strings.Index(s[start:], "</p>")+start+4])
	// Output:
	// <li id="comment-0b9e4d6a-0000-4000-8000-000000000001" class="my-comment"><strong>Ana</strong> · 12 février 2026 à 9 h 30<p>Bonjour</p>
}
