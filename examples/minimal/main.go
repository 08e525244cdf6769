// Command minimal is the smallest host: an existing http.ServeMux, an
// in-memory store, one article, and the widget mounted under /comments/.
// Run it with "go run ./examples/minimal" and open http://localhost:8081/.
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"net/http"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/memstore"
	"github.com/tribune-go/tribune/widget"
)

func main() {
	addr := flag.String("addr", "localhost:8081", "address to listen on")
	flag.Parse()

	store := memstore.New() // swap for sqlitestore.Open to keep comments
	a, err := tribune.NewArticle(tribune.ArticleInput{Slug: "hello", Title: "Hello, Tribune", Lang: "en",
		Body: "<p>Say something below: it works without JavaScript.</p>"})
	if err != nil {
		log.Fatal(err)
	}
	if err := store.CreateArticle(context.Background(), &a); err != nil {
		log.Fatal(err)
	}

	comments, err := widget.New(store, widget.WithRules(tribune.WithModeration(tribune.ModerateNone)))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux() // the host's own mux, with its own routes
	mux.Handle("/comments/", comments)
	mux.Handle("/{$}", http.RedirectHandler("/comments/articles/hello", http.StatusFound))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on http://%s/", ln.Addr())
	log.Fatal(http.Serve(ln, mux))
}
