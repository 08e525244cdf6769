package main

import (
	"embed"
	"errors"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/widget"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

var templates = template.Must(template.New("site").ParseFS(templateFS, "templates/*.tmpl"))

func staticFiles() fs.FS {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	return sub
}

// chrome holds the site's own strings, in both languages.
var chrome = map[string]map[string]string{
	"fr": {"site": "Le Courrier de l’Alliance", "tagline": "Défense, diplomatie, Europe", "articles": "À la une", "read": "Lire l’article", "moderation": "Modération", "notfound": "Page introuvable",
		"unavailable": "Le site est momentanément indisponible. Réessayez dans quelques secondes.", "error": "Une erreur interne est survenue."},
	"en": {"site": "The Alliance Courier", "tagline": "Defence, diplomacy, Europe", "articles": "Top stories", "read": "Read the article", "moderation": "Moderation", "notfound": "Page not found",
		"unavailable": "The site is temporarily unavailable. Try again in a few seconds.", "error": "An internal error occurred."},
}

type site struct {
	store    tribune.Store // under a deadline: tribune.StoreWithTimeout
	comments *widget.Handler
	lang     string
	loc      *time.Location
	log      *slog.Logger

	// halves holds the layout's two halves rendered for a title and head
	// (one pair an article): they change only with the article.
	halvesMu sync.Mutex
	halves   map[string][2]string
}

// maxHalves bounds the layouts kept; past it they are rendered again.
const maxHalves = 1024

// layoutHalves returns the layout before and after an article page's
// content.
func (s *site) layoutHalves(l layout) ([2]string, error) {
	key := l.Title + "\x00" + string(l.Head)
	s.halvesMu.Lock()
	h, ok := s.halves[key]
	s.halvesMu.Unlock()
	if ok {
		return h, nil
	}
	var start, end strings.Builder
	if err := templates.ExecuteTemplate(&start, "layout-start", l); err != nil {
		return h, err
	}
	if err := templates.ExecuteTemplate(&end, "layout-end", l); err != nil {
		return h, err
	}
	h = [2]string{start.String(), end.String()}
	s.halvesMu.Lock()
	if s.halves == nil || len(s.halves) >= maxHalves {
		s.halves = map[string][2]string{}
	}
	s.halves[key] = h
	s.halvesMu.Unlock()
	return h, nil
}

// failure logs a failed page once (cause, no personal data) and answers
// with the site's own page: 503 with Retry-After when the database is
// unavailable, 500 otherwise.
func (s *site) failure(w http.ResponseWriter, r *http.Request, op string, err error) {
	status, msg := http.StatusInternalServerError, chrome[s.lang]["error"]
	if errors.Is(err, tribune.ErrUnavailable) {
		status, msg = http.StatusServiceUnavailable, chrome[s.lang]["unavailable"]
		w.Header().Set("Retry-After", "5")
	}
	s.log.Error("site: "+op, "err", err, "status", status, "path", widget.RedactPath(r.URL.Path))
	s.errorPage(w, r, status, msg)
}

func (s *site) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", siteCSP)
	w.WriteHeader(status)
	if err := s.page(w, r, widget.Layout{Lang: s.lang, Title: msg, Message: msg, HomeURL: "/", Head: s.comments.HeadHTML(nil)}); err != nil {
		s.log.Error("site: error page", "err", err)
	}
}

const siteCSP = "default-src 'self'; img-src 'self' https: data:; object-src 'none'; base-uri 'none'; form-action 'self'"

type layout struct {
	Lang, Title string
	T           map[string]string
	Head        template.HTML
	Main        template.HTML
}

// page is the widget's LayoutFunc: the article and its comments, or an
// error message, inside the site's layout.
func (s *site) page(w io.Writer, r *http.Request, p widget.Layout) error {
	l := layout{Lang: s.lang, Title: p.Title, T: chrome[s.lang], Head: p.Head}
	if p.Article == nil {
		var b strings.Builder
		if err := templates.ExecuteTemplate(&b, "message", p); err != nil {
			return err
		}
		l.Main = template.HTML(b.String()) // html/template output
		return templates.ExecuteTemplate(w, "layout", l)
	}
	// The two halves of the layout around the article and its comments,
	// which are written as they are, not copied through a template.
	halves, err := s.layoutHalves(l)
	if err != nil {
		return err
	}
	for _, part := range []string{halves[0], "\n", string(p.ArticleHTML), "\n", string(p.Section), "\n", halves[1]} {
		if _, err := io.WriteString(w, part); err != nil {
			return err
		}
	}
	return nil
}

type homeItem struct {
	URL, Title, Summary, Date, Count string
}

func (s *site) home(w http.ResponseWriter, r *http.Request) {
	articles, err := s.store.Articles(r.Context(), tribune.Span{Limit: 20})
	if err != nil {
		s.failure(w, r, "home: articles", err)
		return
	}
	ids := make([]uuid.UUID, len(articles))
	for i, a := range articles {
		ids[i] = a.ID
	}
	counts, err := s.comments.Service().Counts(r.Context(), ids)
	if err != nil {
		s.failure(w, r, "home: counts", err)
		return
	}
	l := i18n.For(s.lang)
	items := make([]homeItem, len(articles))
	for i, a := range articles {
		items[i] = homeItem{URL: "/articles/" + a.Slug, Title: a.Title, Summary: a.Summary,
			Date: l.Date(a.Published.In(s.loc)), Count: l.Count(counts[a.ID])}
	}
	var b strings.Builder
	if err := templates.ExecuteTemplate(&b, "home", struct {
		T     map[string]string
		Items []homeItem
	}{chrome[s.lang], items}); err != nil {
		s.failure(w, r, "home: template", err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", siteCSP)
	_ = templates.ExecuteTemplate(w, "layout", layout{Lang: s.lang, Title: chrome[s.lang]["articles"], T: chrome[s.lang],
		Head: s.comments.HeadHTML(nil), Main: template.HTML(b.String())})
}

func (s *site) article(w http.ResponseWriter, r *http.Request) {
	// The widget reads the article through its cache (one row validates
	// it) and answers an unknown slug with its 404 page, in this layout.
	s.comments.ServeArticleBySlug(w, r, r.PathValue("slug"))
}
