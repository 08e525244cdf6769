package tribune_test

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing/fstest"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/render"
)

// Example shows the whole path an importer takes: an article, a visitor's
// comment validated and sanitized, and the comment section rendered.
func Example() {
	a, err := tribune.NewArticle(tribune.ArticleInput{
		Title:     "Réunion des ministres de la Défense de l’OTAN à Bruxelles",
		Body:      "<p>Le 12 février 2026, les ministres…</p>",
		Lang:      "fr",
		Published: time.Date(2026, 2, 12, 9, 0, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	c, err := tribune.NewComment(tribune.CommentInput{
		ArticleID: a.ID,
		Name:      "Claire",
		Email:     "claire@example.org",
		Body:      "Merci pour ce résumé <script>alert(1)</script>!",
	})
	if err != nil {
		panic(err)
	}
	c.Status = tribune.StatusApproved // a Service decides this; see widget

	r, err := render.New()
	if err != nil {
		panic(err)
	}
	html, err := r.RenderHTML(render.Section{Article: &a, Comments: []tribune.Comment{c}, Form: render.Form{Action: "/comments/post"}})
	if err != nil {
		panic(err)
	}
	page := string(html)
	fmt.Println(a.Slug)
	fmt.Println(strings.Contains(page, "1 commentaire"))
	fmt.Println(strings.Contains(page, "<p>Merci pour ce résumé !</p>"))
	fmt.Println(strings.Contains(page, "claire@example.org"))
	// Output:
	// reunion-des-ministres-de-la-defense-de-l-otan-a-bruxelles
	// true
	// true
	// false
}

func ExampleNewComment() {
	_, err := tribune.NewComment(tribune.CommentInput{
		Name:    "",
		Email:   "not an address",
		Website: "javascript:alert(1)",
		Body:    "Bonjour",
	})
	var ve *tribune.ValidationError
	if errors.As(err, &ve) {
		fr := i18n.For("fr")
		for _, fe := range ve.Fields {
			fmt.Printf("%s: %s\n", fe.Field, fr.FieldError(fe))
		}
	}
	c, _ := tribune.NewComment(tribune.CommentInput{Name: "Ana", Email: "ana@example.org", Body: "Voir https://example.org\net <b>merci</b>"})
	fmt.Print(c.Body)
	fmt.Println(c.Email, c.Status)
	// Output:
	// author: Veuillez indiquer votre nom.
	// email: Veuillez indiquer une adresse e-mail valide, par exemple nom@exemple.fr.
	// url: Veuillez indiquer une adresse web commençant par http:// ou https://.
	// <p>Voir <a href="https://example.org" rel="nofollow ugc">https://example.org</a><br>
	// et <b>merci</b></p>
	// [email hidden] pending
}

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

func ExampleLocale_Count() {
	fmt.Println(i18n.For("fr").Count(0), "/", i18n.For("fr").Count(1), "/", i18n.For("fr").Count(3))
	fmt.Println(i18n.For("en").Count(0), "/", i18n.For("en").Count(1), "/", i18n.For("en").Count(3))
	// Output:
	// Aucun commentaire / 1 commentaire / 3 commentaires
	// No comments / 1 comment / 3 comments
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
