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
		widget.WithMinSubmitDelay(0), // a person needs 2 s; this example does not
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
	fmt.Println(resp.StatusCode, strings.HasPrefix(resp.Header.Get("Location"), "/comments/articles/hello#comment-"))

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
