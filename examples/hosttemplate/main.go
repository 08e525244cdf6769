// Command hosttemplate shows the server-side include path: the host keeps
// its own html/template layout and places Tribune's fragments in it — the
// head links, the article and the comment section — with comments kept in
// a SQLite file.
//
//	go run ./examples/hosttemplate
//
// then open http://localhost:8082/.
package main

import (
	"context"
	"errors"
	"flag"
	"html/template"
	"log"
	"net"
	"net/http"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/sqlitestore"
	"github.com/tribune-go/tribune/widget"
)

// page is the host's own layout. Tribune's parts arrive as template.HTML
// fragments and are placed like any other value.
var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Article.Title}} — My Host</title>
{{.Head}}
</head>
<body class="tribune-page">
<nav class="tribune-main"><a href="/">My Host</a></nav>
<main class="tribune-main">
{{.ArticleHTML}}
{{.Section}}
</main>
</body>
</html>`))

func main() {
	addr := flag.String("addr", "localhost:8082", "address to listen on")
	db := flag.String("db", "hosttemplate.db", "SQLite file")
	flag.Parse()
	ctx := context.Background()

	store, err := sqlitestore.Open(ctx, *db)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	a, err := tribune.NewArticle(tribune.ArticleInput{Slug: "host-template", Title: "A page from the host's own template", Lang: "en",
		Body: "<p>The layout is the host's; the comment section below is Tribune's fragment.</p>"})
	if err != nil {
		log.Fatal(err)
	}
	if err := store.CreateArticle(ctx, &a); err != nil && !errors.Is(err, tribune.ErrConflict) {
		log.Fatal(err)
	}

	h, err := widget.New(store,
		widget.WithArticleURL(func(a *tribune.Article) string { return "/" }),
		widget.WithLanguage("en"))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/comments/", h)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		art, err := store.ArticleBySlug(r.Context(), "host-template")
		if err != nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		articleHTML, err := h.Renderer().ArticleHTML(&art, "en")
		if err != nil {
			http.Error(w, "error", http.StatusInternalServerError)
			return
		}
		section, err := h.SectionHTML(r, &art) // thread, count and form for this visitor
		if err != nil {
			http.Error(w, "error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, map[string]any{"Article": art, "Head": h.HeadHTML(&art), "ArticleHTML": articleHTML, "Section": section})
	})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("listening on http://%s/", ln.Addr())
	log.Fatal(http.Serve(ln, mux))
}
