package render

import (
	"bufio"
	"bytes"
	"cmp"
	"embed"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/internal/lru"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// defaultTemplates are parsed once, so a broken template fails at init
// (and in go test), not on a visitor's request.
var defaultTemplates = template.Must(template.New("tribune").ParseFS(templateFS, "templates/*.tmpl"))

// Renderer turns articles and comment sections into HTML fragments with
// html/template. Build it with [New]; once built it never changes
// and is safe for concurrent use.
//
// Each comment's own HTML is cached by comment ID, version, language and
// whether it can be replied to, so a thread is rebuilt from the cache when
// nothing changed; an edit or status change bumps the version and misses.
type Renderer struct {
	tmpl         *template.Template
	comment      *template.Template
	sectionOpen  *template.Template
	threadEnd    *template.Template
	sectionClose *template.Template
	// nest holds the output of "replies-open", "replies-close" and
	// "comment-end" for the first depths, rendered once: they take only
	// the depth, and a long thread needs them once a comment.
	nest     [nestCached][3]string
	nestTmpl [3]*template.Template
	loc      *time.Location
	maxDepth int
	cache    *lru.Cache[cacheKey, string]
	catalog  *i18n.Catalog
}

// DefaultCacheBytes is the default budget of a Renderer's cache of
// rendered comments.
const DefaultCacheBytes = 32 << 20

type renderConfig struct {
	templates  fs.FS
	loc        *time.Location
	maxDepth   int
	cacheBytes int64
	catalog    *i18n.Catalog
}

// Option configures a [Renderer].
type Option func(*renderConfig)

// WithTemplates parses every *.tmpl file of fsys over the built-in
// templates, so a host can redefine "article", "section-open",
// "thread-end", "section-close", "comment", "form" or "count" and keep the
// rest.
func WithTemplates(fsys fs.FS) Option {
	return func(c *renderConfig) { c.templates = fsys }
}

// WithLocation sets the time zone dates are shown in (default UTC).
func WithLocation(loc *time.Location) Option {
	return func(c *renderConfig) { c.loc = loc }
}

// WithMaxDepth sets how deeply replies nest before reply links stop
// (default [DefaultMaxDepth]); keep it equal to the Service's.
func WithMaxDepth(n int) Option {
	return func(c *renderConfig) { c.maxDepth = n }
}

// WithCatalog sets the message catalogues (default [DefaultCatalog]): a
// host's words over the built-in ones, see [Catalog.WithMessages].
func WithCatalog(c *i18n.Catalog) Option { return func(cfg *renderConfig) { cfg.catalog = c } }

// WithCacheBytes sets the byte budget of the cache of rendered comments
// (default [DefaultCacheBytes]); 0 turns the cache off. The least
// recently used comments go first; a comment's old versions, which no
// thread asks for any more, go with them.
func WithCacheBytes(n int64) Option {
	return func(c *renderConfig) { c.cacheBytes = n }
}

// New returns a Renderer with the built-in templates, or the
// host's over them.
func New(opts ...Option) (*Renderer, error) {
	cfg := renderConfig{cacheBytes: DefaultCacheBytes}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.loc == nil {
		cfg.loc = time.UTC
	}
	if cfg.catalog == nil {
		cfg.catalog = i18n.DefaultCatalog()
	}
	if cfg.maxDepth <= 0 {
		cfg.maxDepth = tribune.DefaultMaxDepth
	}
	if cfg.cacheBytes < 0 {
		return nil, errors.New("tribune: negative cache size")
	}
	t, err := defaultTemplates.Clone()
	if err != nil {
		return nil, fmt.Errorf("tribune: cloning templates: %w", err)
	}
	if cfg.templates != nil {
		if t, err = t.ParseFS(cfg.templates, "*.tmpl"); err != nil {
			return nil, fmt.Errorf("tribune: host templates: %w", err)
		}
	}
	for _, name := range []string{"article", "section-open", "thread-end", "section-close", "comment", "comment-end", "replies-open", "replies-close", "form", "count"} {
		if t.Lookup(name) == nil {
			return nil, fmt.Errorf("tribune: template %q is missing", name)
		}
	}
	r := &Renderer{
		tmpl: t, comment: t.Lookup("comment"), sectionOpen: t.Lookup("section-open"), threadEnd: t.Lookup("thread-end"), sectionClose: t.Lookup("section-close"),
		loc: cfg.loc, maxDepth: cfg.maxDepth, catalog: cfg.catalog,
	}
	r.nestTmpl = [3]*template.Template{t.Lookup("replies-open"), t.Lookup("replies-close"), t.Lookup("comment-end")}
	for d := 1; d < nestCached; d++ {
		for k := range r.nestTmpl {
			s, err := r.execNest(k, d)
			if err != nil {
				return nil, err
			}
			r.nest[d][k] = s
		}
	}
	if cfg.cacheBytes > 0 {
		r.cache = lru.New[cacheKey, string](cfg.cacheBytes, func(s string) int64 { return int64(len(s)) })
	}
	return r, nil
}

// Catalog returns the renderer's message catalogues.
func (r *Renderer) Catalog() *i18n.Catalog { return r.catalog }

// Location returns the time zone the renderer shows dates in.
func (r *Renderer) Location() *time.Location { return r.loc }

// MaxDepth returns the reply depth the renderer offers reply links up to.
func (r *Renderer) MaxDepth() int { return r.maxDepth }

// Render writes the comment section: count, thread and form. Like
// html/template's Execute, it may have written part of the section when it
// returns an error.
func (r *Renderer) Render(w io.Writer, s Section) error {
	return r.render(w, s, true, true)
}

// RenderThread writes the public part of the section: its opening, the
// count and the thread. With [Renderer.RenderForm] after it, it makes what
// Render writes; a host caches it (keyed on [CommentsStamp]) and
// renders only the form, which carries per-visitor tokens, per request.
func (r *Renderer) RenderThread(w io.Writer, s Section) error {
	return r.render(w, s, true, false)
}

// RenderForm writes the rest of the section after RenderThread: the form
// and the section's end.
func (r *Renderer) RenderForm(w io.Writer, s Section) error {
	return r.render(w, s, false, true)
}

func (r *Renderer) render(w io.Writer, s Section, thread, form bool) error {
	if s.Article == nil {
		return errors.New("tribune: section without an article")
	}
	s.Comments = shown(s.Comments)
	l := r.catalog.Locale(cmp.Or(s.Lang, s.Article.Lang))
	count := 0
	for i := range s.Comments {
		if s.Comments[i].Status == tribune.StatusApproved {
			count++
		}
	}
	if s.Pages != nil {
		count = s.Pages.Count
	}
	v := SectionView{
		Lang:      l.Tag(),
		Count:     count,
		CountText: l.Count(count),
		HasThread: len(s.Comments) > 0,
		Pages:     pagesView(s.Pages, l),
	}
	if form {
		v.Form = r.formView(s.Form, l, s.Article.CommentsClosed)
	}
	bw, ok := w.(byteWriter)
	var buf *bufio.Writer
	if !ok {
		buf = bufio.NewWriterSize(w, 32<<10)
		bw = buf
	}
	if thread {
		if err := r.sectionOpen.Execute(bw, v); err != nil {
			return err
		}
		if err := r.writeThread(bw, s.Comments, l, !s.Article.CommentsClosed, s.Moderation, s.Editable, s.NewestFirst); err != nil {
			return err
		}
		if err := r.threadEnd.Execute(bw, v); err != nil {
			return err
		}
	}
	if form {
		if err := r.sectionClose.Execute(bw, v); err != nil {
			return err
		}
	}
	if buf != nil {
		return buf.Flush()
	}
	return nil
}

// byteWriter is what the thread is streamed to.
type byteWriter interface {
	io.Writer
	io.StringWriter
}

// RenderHTML is [Renderer.Render] returning a fragment for a host template.
func (r *Renderer) RenderHTML(s Section) (template.HTML, error) {
	var b strings.Builder
	b.Grow(4096 + 2048*len(s.Comments))
	if err := r.Render(&b, s); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // the templates' own output
}

// RenderArticle writes the article: headline, byline, date and body, with
// schema.org NewsArticle microdata that the comment section joins.
func (r *Renderer) RenderArticle(w io.Writer, a *tribune.Article, lang string) error {
	l := r.catalog.Locale(cmp.Or(lang, a.Lang))
	v := ArticleView{
		L:       l,
		ID:      a.ID.String(),
		Lang:    a.Lang,
		Title:   a.Title,
		Summary: a.Summary,
		Author:  a.Author,
		Body:    template.HTML(a.Body), // article policy output
		ISO:     a.Published.Format(time.RFC3339),
		Date:    l.Date(a.Published.In(r.loc)),
	}
	if a.Updated.After(a.Published.Add(time.Minute)) {
		v.UpdatedISO = a.Updated.Format(time.RFC3339)
		v.Updated = l.Date(a.Updated.In(r.loc))
	}
	return r.tmpl.ExecuteTemplate(w, "article", v)
}

// ArticleHTML is [Renderer.RenderArticle] returning a fragment.
func (r *Renderer) ArticleHTML(a *tribune.Article, lang string) (template.HTML, error) {
	var b bytes.Buffer
	if err := r.RenderArticle(&b, a, lang); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

// RenderCount writes the comment count as words in a span:
// "3 commentaires", "No comments".
func (r *Renderer) RenderCount(w io.Writer, n int, lang string) error {
	return r.tmpl.ExecuteTemplate(w, "count", r.catalog.Locale(lang).Count(n))
}

// CountHTML is [Renderer.RenderCount] returning a fragment.
func (r *Renderer) CountHTML(n int, lang string) (template.HTML, error) {
	var b bytes.Buffer
	if err := r.RenderCount(&b, n, lang); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil
}

// writeEscaped writes s escaped for HTML text and quoted attributes.
func writeEscaped(b *strings.Builder, s string) {
	if !strings.ContainsAny(s, `<>&'"`) {
		b.WriteString(s)
		return
	}
	b.WriteString(html.EscapeString(s))
}
