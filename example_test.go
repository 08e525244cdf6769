package tribune_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/memstore"
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

// ExampleService_Submit is the one path a comment takes, whoever sends
// it (the widget, a host's own JSON handler, an importer): validated,
// sanitized, given a status by the rules, stored, notified.
func ExampleService_Submit() {
	ctx := context.Background()
	store := memstore.New()
	a, _ := tribune.NewArticle(tribune.ArticleInput{Title: "Réunion de l’OTAN", Lang: "fr"})
	if err := store.CreateArticle(ctx, &a); err != nil {
		panic(err)
	}
	svc, err := tribune.NewService(store, tribune.WithModeration(tribune.ModerateFirst),
		tribune.WithClientKey([]byte("a secret of the site, 32 bytes or more")))
	if err != nil {
		panic(err)
	}
	c, err := svc.Submit(ctx, tribune.Submission{
		Input:      tribune.CommentInput{ArticleID: a.ID, Name: "Léa", Email: "lea@example.org", Body: "Merci <script>x</script>!"},
		ClientAddr: "192.0.2.7", UserAgent: "Mozilla/5.0",
	})
	if err != nil {
		panic(err)
	}
	fmt.Print(c.Body)
	fmt.Println(c.Status, c.Email)
	// Held for a moderator: only its author and moderators see it.
	author := tribune.Viewer{Own: []uuid.UUID{c.ID}}
	fmt.Println(author.Sees(c), tribune.Viewer{}.Sees(c))
	_, err = svc.Submit(ctx, tribune.Submission{Input: tribune.CommentInput{ArticleID: a.ID, Body: "Anonyme"}})
	var ve *tribune.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Code(tribune.FieldName), ve.Code(tribune.FieldEmail))
	// Output:
	// <p>Merci !</p>
	// pending [email hidden]
	// true false
	// true required required
}
