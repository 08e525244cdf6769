package widget_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing/fstest"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/memstore"
	"github.com/tribune-go/tribune/widget"
)

// ExampleNew mounts the widget on a host's mux and posts a comment
// through the same form a browser without JavaScript would use.
func ExampleNew() {
	store := memstore.New()
	a, _ := tribune.NewArticle(tribune.ArticleInput{Slug: "hello", Title: "Hello", Lang: "en"})
	_ = store.CreateArticle(context.Background(), &a)

	h, err := widget.New(store,
		widget.WithPrefix("/comments"),
		widget.WithLimits(widget.Limits{MinSubmitDelay: widget.Off}), // a person needs 2 s; this example does not
		widget.WithRules(tribune.WithModeration(tribune.ModerateNone)),
	)
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/comments/", h)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The article page carries the form and its token.
	resp, _ := http.Get(srv.URL + "/comments/articles/hello")
	page := readAll(resp)
	token := regexp.MustCompile(`name="tribune_token" value="([^"]+)"`).FindStringSubmatch(page)[1]

	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ = noRedirect.PostForm(srv.URL+"/comments/post", url.Values{
		"article": {a.ID.String()}, "tribune_token": {token},
		"author": {"Ana"}, "email": {"ana@example.org"}, "comment": {"First!"},
	})
	fmt.Println(resp.StatusCode, strings.HasPrefix(resp.Header.Get("Location"), "/comments/comment/"))

	resp, _ = http.Get(srv.URL + "/comments/articles/hello")
	body := readAll(resp)
	fmt.Println(strings.Contains(body, "<p>First!</p>"), strings.Contains(body, "1 comment"), strings.Contains(body, "ana@example.org"))
	// Output:
	// 303 true
	// true true false
}

func readAll(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// ExampleWithIdentity passes a host's signed-in users to the widget: the
// form asks them for nothing but the comment, and the comment carries the
// host's user ID.
func ExampleWithIdentity() {
	store := memstore.New()
	a, _ := tribune.NewArticle(tribune.ArticleInput{Slug: "hello", Title: "Hello", Lang: "en"})
	_ = store.CreateArticle(context.Background(), &a)

	// The host's own session lookup; here a cookie names the user.
	users := map[string]tribune.Identity{"s3cr3t-session": {UserID: "42", Name: "Ana", Email: "ana@example.org", Trusted: true}}
	whoIs := func(r *http.Request) (tribune.Identity, bool) {
		c, err := r.Cookie("session")
		if err != nil {
			return tribune.Identity{}, false
		}
		id, ok := users[c.Value]
		return id, ok
	}
	h, _ := widget.New(store, widget.WithIdentity(whoIs, widget.Accounts{LogOut: "/logout"}), widget.WithLimits(widget.Limits{MinSubmitDelay: widget.Off}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	get, _ := http.NewRequest("GET", srv.URL+"/comments/articles/hello", nil)
	get.AddCookie(&http.Cookie{Name: "session", Value: "s3cr3t-session"})
	resp, _ := http.DefaultClient.Do(get)
	page := readAll(resp)
	fmt.Println(strings.Contains(page, "Logged in as Ana."), strings.Contains(page, `name="author"`))

	token := regexp.MustCompile(`name="tribune_token" value="([^"]+)"`).FindStringSubmatch(page)[1]
	form := url.Values{"article": {a.ID.String()}, "tribune_token": {token}, "comment": {"Hello from my account"}}
	post, _ := http.NewRequest("POST", srv.URL+"/comments/post", strings.NewReader(form.Encode()))
	post.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	post.AddCookie(&http.Cookie{Name: "session", Value: "s3cr3t-session"})
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ = noRedirect.Do(post)
	resp.Body.Close()

	stored, _ := store.FindComments(context.Background(), tribune.Query{ArticleID: a.ID})
	fmt.Println(resp.StatusCode, stored[0].AuthorName, stored[0].UserID, stored[0].Status)
	// Output:
	// true false
	// 303 Ana 42 approved
}

// ExampleWithMessages rewords a built-in string and adds a language, from
// files in the built-in catalogues' JSON shape.
func ExampleWithMessages() {
	store := memstore.New()
	a, _ := tribune.NewArticle(tribune.ArticleInput{Slug: "hallo", Title: "Hallo", Lang: "de"})
	_ = store.CreateArticle(context.Background(), &a)
	german := fstest.MapFS{"de.json": {Data: []byte(`{"name": "Deutsch", "thousands": ".",
		"months": ["Januar","Februar","März","April","Mai","Juni","Juli","August","September","Oktober","November","Dezember"],
		"messages": {"form.title": "Schreibe einen Kommentar", "count.zero": "Keine Kommentare",
			"count.one": "{n} Kommentar", "count.other": "{n} Kommentare"}}`)}}
	h, err := widget.New(store, widget.WithMessages("de", german), widget.WithLanguage("de"))
	if err != nil {
		panic(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, _ := http.Get(srv.URL + "/comments/articles/hallo")
	page := readAll(resp)
	fmt.Println(strings.Contains(page, "Schreibe einen Kommentar"), strings.Contains(page, "Keine Kommentare"))
	fmt.Println(strings.Contains(page, "Your email address will not be published."), "(what de.json lacks is English)")
	// Output:
	// true true
	// true (what de.json lacks is English)
}
