package render

import (
	"bufio"
	"bytes"
	"cmp"
	"embed"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"html"
	"html/template"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"

	"github.com/google/uuid"

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

// Section is everything a comment section shows: the thread, its count and
// the form.
type Section struct {
	Article *tribune.Article
	// Comments are the comments to show, in any order: the approved ones
	// and, for the visitor who wrote them, their pending ones, which are
	// marked as awaiting moderation. Spam and trash are never shown.
	Comments []tribune.Comment
	// Lang picks the catalogue; "" means the article's language.
	Lang string
	Form Form
	// Moderation, when set, puts approve, spam and trash buttons under
	// each comment (for a signed-in moderator; render such a section for
	// them alone, never into a shared cache).
	Moderation *Moderation
	// Pages, when set, says that Comments are one page of a longer thread:
	// the count is then the whole thread's and a navigation links the
	// other pages.
	Pages *Pagination
	// NewestFirst shows top-level comments newest first (replies stay
	// oldest first under their parent).
	NewestFirst bool
	// Editable maps the visitor's own comments that they may still edit
	// to their edit page: each gets "Edit" and "Delete" links (render such
	// a section for them alone, never into a shared cache).
	Editable map[uuid.UUID]string
}

// Pagination places a section among its thread's comment pages.
type Pagination struct {
	// Current is this page's number, from 1; Total the number of pages.
	Current, Total int
	// Count is the number of approved comments of the whole thread.
	Count int
	// NewestFirst says page 1 holds the newest comments, so the pages
	// after it hold older ones; else page 1 holds the oldest.
	NewestFirst bool
	// URL returns the address of page n.
	URL func(n int) string
}

// Moderation is the form that moderation buttons on the page post to:
// each button sends one=<action>:<comment ID>, with Hidden (a token) and
// return=<ReturnURL>.
type Moderation struct {
	Action    string
	Hidden    []HiddenField
	ReturnURL string
}

// Account is a signed-in visitor, as the form shows them in place of the
// name, email and website fields.
type Account struct {
	Name string
	// ProfileURL and LogOutURL are the host's links, or "".
	ProfileURL, LogOutURL string
}

// Form is the state of the comment form.
type Form struct {
	// Action is the URL the form posts to.
	Action string
	// PageURL is the article page's URL, used for reply and cancel links;
	// "" keeps them relative to the current page.
	PageURL string
	// ReplyTo is the comment being answered, or nil.
	ReplyTo *tribune.Comment
	// Values are what the visitor typed (after a failed post) or their
	// remembered details. They are shown only in the response to that
	// visitor, never in a shared page.
	Values FormValues
	// Errors are the failing fields, shown next to each field and in a
	// summary announced to screen readers.
	Errors *tribune.ValidationError
	// Message is a form-level error already translated (a duplicate,
	// a flood); it joins the summary.
	Message string
	// Required lists the required fields; nil means [DefaultRequired], an
	// empty list none.
	Required []tribune.Field
	// Hidden fields added by the host (tokens).
	Hidden []HiddenField
	// Honeypot names a decoy text field hidden by CSS; "" leaves it out.
	Honeypot string
	// Account is the signed-in visitor, or nil for the anonymous form.
	Account *Account
	// LogInRequired replaces the form, for a visitor who is not signed
	// in, with "you must be logged in", linked to LogInURL when set.
	LogInRequired bool
	LogInURL      string
	// OfferNotify shows the unticked "notify me of replies by email" box
	// (notify_replies=yes): set it only when mail is on.
	OfferNotify bool
	// ManageURL, when set, links "Manage my comments" under the form.
	ManageURL string
}

// FormValues are the visitor's values echoed back into the form.
type FormValues struct {
	Name, Email, Website, Body string
	Remember                   bool
	// NotifyReplies ticks the reply-notification box.
	NotifyReplies bool
}

// HiddenField is a hidden input of the form.
type HiddenField struct{ Name, Value string }

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

// anyViewer is the viewer who sees most: what it does not see (spam,
// trash), no view shows.
var anyViewer = tribune.Viewer{Moderator: true}

// shown drops what no viewer sees by the one visibility rule
// ([tribune.Viewer.Sees]), whatever a caller passes: the caller chose
// the held comments its viewer sees. It copies only when there is
// something to drop.
func shown(cs []tribune.Comment) []tribune.Comment {
	for i := range cs {
		if !anyViewer.Sees(cs[i]) {
			out := make([]tribune.Comment, 0, len(cs))
			for _, c := range cs {
				if anyViewer.Sees(c) {
					out = append(out, c)
				}
			}
			return out
		}
	}
	return cs
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

func (r *Renderer) formView(f Form, l *i18n.Locale, closed bool) FormView {
	required := f.Required
	if required == nil {
		required = tribune.DefaultRequired()
	}
	v := FormView{
		L:        l,
		Closed:   closed,
		Action:   f.Action,
		Title:    l.T("form.title"),
		Honeypot: f.Honeypot,
		Remember: f.Values.Remember,
		Notify:   f.OfferNotify,
		Manage:   f.ManageURL,
		NotifyOn: f.Values.NotifyReplies,
		Hidden:   f.Hidden,
		Account:  f.Account,

		LogInRequired: f.LogInRequired && f.Account == nil,
		LogInURL:      f.LogInURL,
	}
	if closed {
		// Comments closed while the visitor was typing: give the text back.
		v.Kept = f.Values.Body
	}
	if f.ReplyTo != nil {
		v.ReplyID = f.ReplyTo.ID.String()
		v.Title = l.T("form.reply_title", "name", displayName(f.ReplyTo.AuthorName, l))
		v.CancelURL = f.PageURL + "#respond"
	}
	field := func(name tribune.Field, id, label, typ, auto string, max int, value string, describe ...string) FieldView {
		fv := FieldView{
			ID: id, Name: string(name), Label: l.T(label), Type: typ, Autocomplete: auto,
			MaxLen: max, Required: slices.Contains(required, name), Value: value,
		}
		if f.Errors != nil {
			for _, fe := range f.Errors.Fields {
				if fe.Field == name {
					fv.Error = l.FieldError(fe)
					describe = append(describe, id+"-error")
					v.Messages = append(v.Messages, FormMessage{Target: id, Text: fv.Error})
					break
				}
			}
		}
		fv.Describe = strings.Join(describe, " ")
		return fv
	}
	v.Comment = field(tribune.FieldBody, "comment", "form.comment", "", "off", tribune.MaxBodyLen, f.Values.Body)
	if f.Account == nil {
		v.Inputs = []FieldView{
			field(tribune.FieldName, "author", "form.name", "text", "name", tribune.MaxNameLen, f.Values.Name),
			field(tribune.FieldEmail, "email", "form.email", "email", "email", tribune.MaxEmailLen, f.Values.Email, "email-notes"),
			field(tribune.FieldWebsite, "url", "form.website", "url", "url", tribune.MaxWebsiteLen, f.Values.Website),
		}
	}
	if f.Errors != nil {
		// Errors on fields the form has no input for (the parent, and a
		// signed-in visitor's name, email and website) still reach the
		// summary.
		for _, fe := range f.Errors.Fields {
			switch fe.Field {
			case tribune.FieldBody:
			case tribune.FieldName, tribune.FieldEmail, tribune.FieldWebsite:
				if f.Account != nil {
					v.Messages = append(v.Messages, FormMessage{Text: l.FieldError(fe)})
				}
			default:
				v.Messages = append(v.Messages, FormMessage{Text: l.FieldError(fe)})
			}
		}
	}
	if f.Message != "" {
		v.Messages = append([]FormMessage{{Text: f.Message}}, v.Messages...)
	}
	v.HasErrors = len(v.Messages) > 0
	return v
}

func displayName(name string, l *i18n.Locale) string {
	if name == "" {
		return l.T("thread.anonymous")
	}
	return name
}

// pagesView is the navigation between comment pages, or nil for a thread
// on one page. Links are labelled by time: "older" goes to the page of
// older comments, whichever way pages are numbered; rel="prev" and
// rel="next" follow the numbers.
func pagesView(p *Pagination, l *i18n.Locale) *PagesView {
	if p == nil || p.Total <= 1 || p.URL == nil {
		return nil
	}
	v := &PagesView{Label: l.T("pages.label"), More: l.T("pages.more")}
	link := func(n int, key string) *PageLink {
		if n < 1 || n > p.Total {
			return nil
		}
		return &PageLink{Number: n, URL: p.URL(n), Label: l.T(key)}
	}
	older, newer := "pages.older", "pages.newer"
	if p.NewestFirst {
		older, newer = newer, older
	}
	v.Prev, v.Next = link(p.Current-1, older), link(p.Current+1, newer)
	// Every number near the current page and at both ends, gaps between.
	last := 0
	for n := 1; n <= p.Total; n++ {
		if n > 1 && n < p.Total && (n < p.Current-2 || n > p.Current+2) {
			continue
		}
		if last != 0 && n > last+1 {
			v.Numbers = append(v.Numbers, PageLink{Gap: true})
		}
		v.Numbers = append(v.Numbers, PageLink{Number: n, URL: p.URL(n), Current: n == p.Current,
			Label: l.T("pages.page", "n", strconv.Itoa(n))})
		last = n
	}
	return v
}

// writeThread writes the comments as nested list items in thread order:
// replies under their parent, oldest first. A reply whose parent is not
// shown is placed at the top level rather than lost.
func (r *Renderer) writeThread(b byteWriter, comments []tribune.Comment, l *i18n.Locale, open bool, mod *Moderation, own map[uuid.UUID]string, newestFirst bool) error {
	if len(comments) == 0 {
		return nil
	}
	order := make([]int, len(comments))
	byID := make(map[uuid.UUID]int, len(comments))
	for i := range comments {
		order[i] = i
		byID[comments[i].ID] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return comments[a].Created.Compare(comments[b].Created)
	})
	children := make(map[uuid.UUID][]int, len(comments)/2)
	var roots []int
	for _, i := range order {
		p := comments[i].ParentID
		if _, ok := byID[p]; ok && p != uuid.Nil && p != comments[i].ID {
			children[p] = append(children[p], i)
		} else {
			roots = append(roots, i)
		}
	}
	if newestFirst {
		slices.Reverse(roots)
	}
	var walk func(list []int, depth int) error
	walk = func(list []int, depth int) error {
		for _, i := range list {
			c := &comments[i]
			if err := r.writeComment(b, c, l, depth, open && depth < r.maxDepth, mod, own[c.ID]); err != nil {
				return err
			}
			if kids := children[c.ID]; len(kids) > 0 {
				if err := r.writeNest(b, nestOpen, depth+1); err != nil {
					return err
				}
				if err := walk(kids, depth+1); err != nil {
					return err
				}
				if err := r.writeNest(b, nestClose, depth+1); err != nil {
					return err
				}
			}
			if err := r.writeNest(b, nestEnd, depth); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(roots, 1)
}

// The nesting templates, by index in Renderer.nest.
const (
	nestOpen  = iota // "replies-open"
	nestClose        // "replies-close"
	nestEnd          // "comment-end"

	nestCached = 33 // depths 1 to 32 are rendered once
)

func (r *Renderer) execNest(k, depth int) (string, error) {
	var b strings.Builder
	if err := r.nestTmpl[k].Execute(&b, NestView{Depth: depth}); err != nil {
		return "", fmt.Errorf("tribune: rendering %q: %w", r.nestTmpl[k].Name(), err)
	}
	return b.String(), nil
}

// writeNest writes one nesting template for a depth.
func (r *Renderer) writeNest(b byteWriter, k, depth int) error {
	if depth < nestCached {
		_, err := b.WriteString(r.nest[depth][k])
		return err
	}
	s, err := r.execNest(k, depth)
	if err != nil {
		return err
	}
	_, err = b.WriteString(s)
	return err
}

type cacheKey struct {
	id      uuid.UUID
	version int
	// sum fingerprints what the item shows, so that a change made
	// without a new version (a host's raw UpdateComment) is never served
	// from the cache.
	sum   uint64
	lang  string
	reply bool
	depth int // a host's template may show it
}

// cacheSeed keys the fingerprints of cached comments.
var cacheSeed = maphash.MakeSeed()

// fingerprint hashes the fields a comment's item is rendered from.
func fingerprint(c *tribune.Comment) uint64 {
	var h maphash.Hash
	h.SetSeed(cacheSeed)
	for _, f := range [...]string{c.Body, c.AuthorName, c.Website, string(c.Status), c.UserID, c.ParentID.String()} {
		h.WriteString(f)
		h.WriteByte(0)
	}
	var t [16]byte
	binary.LittleEndian.PutUint64(t[:8], uint64(c.Created.UnixNano()))
	binary.LittleEndian.PutUint64(t[8:], uint64(c.Edited.UnixNano()))
	h.Write(t[:])
	return h.Sum64()
}

// writeComment writes one comment's item, from the cache when it can.
func (r *Renderer) writeComment(b byteWriter, c *tribune.Comment, l *i18n.Locale, depth int, canReply bool, mod *Moderation, editURL string) error {
	key := cacheKey{id: c.ID, version: c.Version, sum: fingerprint(c), lang: l.Tag(), reply: canReply, depth: depth}
	cache := r.cache
	if mod != nil || editURL != "" {
		cache = nil // a moderator's buttons carry their token, an author's links are theirs: never shared
	}
	if cache != nil {
		if s, ok := r.cache.Get(key); ok {
			_, err := b.WriteString(s)
			return err
		}
	}
	id := c.ID.String()
	anchor := "comment-" + id
	class := "tribune-comment"
	if c.Status == tribune.StatusPending {
		class += " tribune-pending"
	}
	name := displayName(c.AuthorName, l)
	website := SafeWebsite(c.Website)
	iso, date := c.Created.UTC().Format(time.RFC3339), l.DateTime(c.Created.In(r.loc))
	pending := c.Status == tribune.StatusPending
	// The small fragments are built in one buffer and cut out of it.
	var f strings.Builder
	f.Grow(768 + len(name)*2 + len(website))
	f.WriteString(`<span class="tribune-author" itemprop="author" itemscope itemtype="https://schema.org/Person">`)
	if website != "" {
		f.WriteString(`<a href="`)
		writeEscaped(&f, website)
		f.WriteString(`" rel="nofollow ugc external" itemprop="url">`)
	}
	f.WriteString(`<span itemprop="name">`)
	writeEscaped(&f, name)
	f.WriteString("</span>")
	if website != "" {
		f.WriteString("</a>")
	}
	f.WriteString("</span>")
	if c.UserID != "" {
		// Outside the name, from the stored user ID: no name typed
		// into the form can show it.
		f.WriteString(` <span class="tribune-member">`)
		writeEscaped(&f, l.T("thread.member"))
		f.WriteString(`</span>`)
	}
	f.WriteString("\n")
	f.WriteString(`<a class="tribune-permalink" href="`)
	permStart := f.Len()
	f.WriteString("#")
	f.WriteString(anchor)
	permEnd := f.Len()
	f.WriteString(`" title="`)
	writeEscaped(&f, l.T("thread.permalink"))
	f.WriteString(`"><time datetime="`)
	f.WriteString(iso)
	f.WriteString(`" itemprop="datePublished">`)
	writeEscaped(&f, date)
	f.WriteString(`</time></a>`)
	if !c.Edited.IsZero() {
		f.WriteString(` <span class="tribune-edited">`)
		writeEscaped(&f, l.T("thread.edited"))
		f.WriteString(`</span>`)
	}
	if pending {
		f.WriteString("\n" + `<p class="tribune-moderation" role="status">`)
		writeEscaped(&f, l.T("thread.pending"))
		f.WriteString("</p>")
	}
	metaEnd := f.Len()
	replyStart, replyEnd := 0, 0
	if !pending && canReply {
		f.WriteString(`<a rel="nofollow" class="tribune-reply-link" href="`)
		replyStart = f.Len()
		f.WriteString("?replytocom=")
		f.WriteString(id)
		f.WriteString("#respond")
		replyEnd = f.Len()
		f.WriteString(`" data-reply-to="`)
		f.WriteString(id)
		f.WriteString(`" aria-label="`)
		writeEscaped(&f, l.T("thread.reply_label", "name", name))
		f.WriteString(`">`)
		writeEscaped(&f, l.T("thread.reply"))
		f.WriteString("</a>")
	}
	frags := f.String()
	v := CommentView{
		L: l, ID: id, Anchor: anchor, Permalink: frags[permStart:permEnd], Author: name, Website: website,
		Created: c.Created, ISOTime: iso, Date: date, Depth: depth, Pending: pending, Member: c.UserID != "", ReplyURL: frags[replyStart:replyEnd],
		Attrs: template.HTMLAttr(`id="` + anchor + `" class="` + class + `"`), // constants and a UUID
		Meta:  template.HTML(frags[:metaEnd]),
		Reply: template.HTML(frags[metaEnd:]),
		Body:  template.HTML(c.Body),
	}
	if mod != nil {
		v.Moderate = moderateButtons(mod, c, l)
	}
	if editURL != "" {
		v.Own = ownLinks(editURL, name, l)
	}
	var buf strings.Builder
	buf.Grow(len(c.Body) + 1024)
	if err := r.comment.Execute(&buf, v); err != nil {
		return fmt.Errorf("tribune: rendering comment: %w", err)
	}
	s := buf.String()
	if cache != nil {
		cache.Put(key, s)
	}
	_, err := b.WriteString(s)
	return err
}

// ownLinks are the author's edit and delete links under their comment.
func ownLinks(editURL, name string, l *i18n.Locale) template.HTML {
	var b strings.Builder
	b.WriteString(`<p class="tribune-own"><a rel="nofollow" href="`)
	writeEscaped(&b, editURL)
	b.WriteString(`">`)
	writeEscaped(&b, l.T("thread.edit"))
	b.WriteString(`</a> <a rel="nofollow" href="`)
	writeEscaped(&b, editURL+"#delete")
	b.WriteString(`">`)
	writeEscaped(&b, l.T("thread.delete"))
	b.WriteString(`</a></p>`)
	return template.HTML(b.String()) // fixed markup, escaped values
}

// moderateButtons writes the moderation form under a comment.
func moderateButtons(mod *Moderation, c *tribune.Comment, l *i18n.Locale) template.HTML {
	id := c.ID.String()
	var b strings.Builder
	b.WriteString(`<form class="tribune-moderate" method="post" action="`)
	writeEscaped(&b, mod.Action)
	b.WriteString(`">`)
	for _, h := range mod.Hidden {
		b.WriteString(`<input type="hidden" name="`)
		writeEscaped(&b, h.Name)
		b.WriteString(`" value="`)
		writeEscaped(&b, h.Value)
		b.WriteString(`">`)
	}
	b.WriteString(`<input type="hidden" name="return" value="`)
	writeEscaped(&b, mod.ReturnURL+"#comment-"+id)
	b.WriteString(`">`)
	first := [2]string{"approve", "admin.approve"}
	if c.Status == tribune.StatusApproved {
		first = [2]string{"unapprove", "admin.unapprove"}
	}
	for _, a := range [][2]string{first, {"spam", "admin.mark_spam"}, {"trash", "admin.mark_trash"}} {
		b.WriteString(` <button type="submit" name="one" value="` + a[0] + ":" + id + `">`)
		writeEscaped(&b, l.T(a[1]))
		b.WriteString("</button>")
	}
	b.WriteString("</form>")
	return template.HTML(b.String()) // fixed markup, escaped values
}
