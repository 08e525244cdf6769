package widget

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"hash/maphash"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tribune-go/tribune/render"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// pageTemplates are parsed once; a broken one fails at init.
var pageTemplates = template.Must(template.New("widget").ParseFS(templateFS, "templates/*.tmpl"))

// formState is what a failed post brings back into the form.
type formState struct {
	values  render.FormValues
	errs    *tribune.ValidationError
	message string
	replyTo uuid.UUID
	// token is the form token the visitor sent, when it was good: the form
	// shown again keeps it, so the corrected post is the same submission
	// (one comment however often it is sent) and is not "too fast".
	token string
	// stamp is the article's stamp when it was read before the article.
	stamp stamped
}

// HeadHTML returns the <head> links a page with a comment section needs:
// the stylesheet, the optional script (deferred, external: no inline
// script), and the Atom feeds of the article (when a is not nil) and of
// the site.
func (h *Handler) HeadHTML(a *tribune.Article) template.HTML {
	lang := h.cfg.lang
	if lang == "" && a != nil {
		lang = a.Lang
	}
	l := h.renderer.Catalog().Locale(lang)
	v := struct {
		CSS, JS, FeedURL, FeedTitle, SiteFeedURL, SiteFeedTitle string
	}{
		CSS: h.assetURL("widget.css"), JS: h.assetURL("widget.js"),
		SiteFeedURL: h.cfg.prefix + "/feed.atom", SiteFeedTitle: l.T("widget.feed_site"),
	}
	if a != nil {
		v.FeedURL = h.cfg.prefix + "/feed/" + a.Slug
		v.FeedTitle = l.T("widget.feed_title", "title", a.Title)
	}
	// Rendered once for what it shows, then from the cache.
	var key cacheKey
	if h.cache != nil {
		key = cacheKey{head: true, lang: lang, text: textHash(v.FeedURL, v.FeedTitle, v.SiteFeedTitle)}
		if e, ok := h.cache.Get(key); ok {
			return template.HTML(e.html) // html/template output
		}
	}
	var b strings.Builder
	if err := h.pages.ExecuteTemplate(&b, "head", v); err != nil {
		h.cfg.logger.Error("tribune: head template", "err", err)
		return template.HTML(b.String())
	}
	if h.cache != nil {
		h.cache.Put(key, cacheEntry{html: b.String()})
	}
	return template.HTML(b.String()) // html/template output
}

// textHash hashes strings for the keys of cached texts.
func textHash(fields ...string) uint64 {
	var mh maphash.Hash
	mh.SetSeed(articleSeed)
	for _, f := range fields {
		mh.WriteString(f)
		mh.WriteByte(0)
	}
	return mh.Sum64() | 1
}

// SectionHTML returns the comment section of the article for this request,
// ready for a host template: the thread (with the visitor's own pending
// comments), the count and the form, with a fresh token, the reply target
// from ?replytocom= and the visitor's remembered details.
func (h *Handler) SectionHTML(r *http.Request, a *tribune.Article) (template.HTML, error) {
	var b bytes.Buffer
	if err := h.RenderSection(&b, r, a); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil // html/template output
}

// RenderSection writes what SectionHTML returns.
func (h *Handler) RenderSection(w io.Writer, r *http.Request, a *tribune.Article) error {
	parts, err := h.sectionParts(r, a, h.requestForm(r))
	if err != nil {
		return err
	}
	return parts.writeTo(w)
}

// requestForm is the form a GET shows: the reply target from
// ?replytocom= and the details the visitor asked to be remembered.
func (h *Handler) requestForm(r *http.Request) formState {
	var st formState
	if id, err := uuid.Parse(r.URL.Query().Get("replytocom")); err == nil {
		st.replyTo = id
	}
	if v, ok := h.readRemembered(r); ok {
		st.values = render.FormValues{Name: v.Name, Email: v.Email, Website: v.Website, Remember: true}
	}
	return st
}

// cacheKey identifies a cached fragment: an article's public thread or
// its blank form, in one language, open or closed. There is one entry per
// key: a thread rendered at a newer stamp replaces the old one.
type cacheKey struct {
	form    bool
	article uuid.UUID
	lang    string
	closed  bool
	logIn   bool // the form replaced by "you must be logged in"
	page    int  // the comment page (0: the whole thread)
	// text is the hash of an article's fields, for its rendered text;
	// counts marks an article's counts.
	text                 uint64
	counts, head, layout bool
	slug                 string // an article by its slug
}

// articleSeed keys the hash of cached article texts.
var articleSeed = maphash.MakeSeed()

// articleHTML is the rendered article, from the cache when it was
// rendered from the same fields.
func (h *Handler) articleHTML(a *tribune.Article, lang string) (template.HTML, error) {
	if h.cache == nil {
		return h.renderer.ArticleHTML(a, lang)
	}
	key := cacheKey{article: a.ID, lang: lang,
		text: textHash(a.Slug, a.Title, a.Summary, a.Body, a.Author, a.Lang, a.Published.String(), a.Updated.String(), lang)}
	if e, ok := h.cache.Get(key); ok {
		return template.HTML(e.html), nil // rendered by the renderer
	}
	art, err := h.renderer.ArticleHTML(a, lang)
	if err == nil {
		h.cache.Put(key, cacheEntry{html: string(art)})
	}
	return art, err
}

// cacheEntry is a cached fragment. A thread is parts[0], valid while the
// article's stamp is stamp; a form is parts[0] + token + parts[1].
type cacheEntry struct {
	stamp   tribune.Stamp
	parts   [2][]byte
	html    string              // a rendered article
	counts  tribune.ThreadCount // an article's counts
	article tribune.Article     // an article read by its slug
}

func (e cacheEntry) size() int64 {
	a := &e.article
	// What the entry holds, by capacity: a buffer grown past its length
	// holds the rest too.
	return int64(cap(e.parts[0]) + cap(e.parts[1]) + len(e.html) +
		len(a.Slug) + len(a.Title) + len(a.Summary) + len(a.Body) + len(a.Author) + len(a.Lang))
}

// sectionParts is a rendered comment section: the public thread (shared,
// cached) and the form (this visitor's), in pieces written one after the
// other, never joined.
type sectionParts [][]byte

func (p sectionParts) writeTo(w io.Writer) error {
	for _, b := range p {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func (p sectionParts) len() int {
	n := 0
	for _, b := range p {
		n += len(b)
	}
	return n
}

// tokenPlaceholder stands for the form token in cached forms; it is made of
// characters no escaper changes, and a real token replaces it per request.
const tokenPlaceholder = "TRIBUNE_TOKEN_PLACEHOLDER_7f3a"

func (h *Handler) sectionParts(r *http.Request, a *tribune.Article, st formState) (sectionParts, error) {
	ctx := r.Context()
	l := h.locale(r, a)
	token := st.token
	if token == "" {
		token = h.formToken(a.ID, time.Now())
	}
	section := render.Section{Article: a, Lang: l.Tag(), Form: render.Form{
		Action:   h.cfg.prefix + "/post",
		PageURL:  h.cfg.articleURL(a),
		Values:   st.values,
		Errors:   st.errs,
		Message:  st.message,
		Required: h.svc.Required(),
		Hidden: []render.HiddenField{
			{Name: "article", Value: a.ID.String()},
			{Name: tokenField, Value: token},
		},
		Honeypot:    honeypotField,
		OfferNotify: h.book != nil,
	}}
	if h.book != nil {
		section.Form.ManageURL = h.cfg.prefix + "/mail/manage"
	}
	if st.replyTo != uuid.Nil {
		// A reply form only to a comment the visitor sees, where a reply
		// would be taken.
		p, err := h.svc.Comment(ctx, st.replyTo, h.viewer(r))
		if err == nil && p.ArticleID == a.ID {
			if ok, err := h.svc.CanReply(ctx, p); err == nil && ok {
				section.Form.ReplyTo = &p
			}
		}
	}
	id, signedIn := h.identity(r)
	if signedIn {
		section.Form.Account = &render.Account{Name: id.Name, ProfileURL: h.cfg.accounts.Profile, LogOutURL: h.cfg.accounts.LogOut}
	} else if h.cfg.noAnonymous {
		section.Form.LogInRequired, section.Form.LogInURL = true, h.cfg.accounts.LogIn
	}
	moderator := signedIn && id.Moderator
	if moderator {
		// A moderator sees the held comments too, each with its buttons.
		section.Moderation = &render.Moderation{Action: h.cfg.prefix + "/admin/", ReturnURL: h.cfg.articleURL(a),
			Hidden: []render.HiddenField{{Name: "tribune_admin", Value: h.adminToken(time.Now())}}}
	}
	own := h.ownIDs(r)
	var thread []byte
	var err error
	if h.cfg.pageSize > 0 {
		thread, err = h.pagedThread(ctx, r, &section, own, moderator, st.stamp)
	} else {
		thread, err = h.wholeThread(ctx, r, &section, own, moderator)
	}
	if err != nil {
		return nil, err
	}
	form, err := h.form(section, st, token)
	if err != nil {
		return nil, err
	}
	return append(sectionParts{thread}, form...), nil
}

// pagedThread renders the page of the thread the request asks for: from
// the cache when the visitor sees what everyone sees, else for them
// alone (their own pending comments, a moderator's buttons).
func (h *Handler) pagedThread(ctx context.Context, r *http.Request, section *render.Section, own []uuid.UUID, moderator bool, st stamped) ([]byte, error) {
	a := section.Article
	// The public page is cached under the article's stamp, which every
	// change moves, on every instance, and which is read before anything
	// else: what is cached is never older than its stamp.
	if h.cache != nil && !st.ok {
		stamp, err := h.svc.Stamp(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		st = stamped{stamp: stamp, ok: true}
	}
	p, err := h.pagesFor(ctx, r, a, section.Form.ReplyTo, st)
	if err != nil {
		return nil, err
	}
	section.Pages, section.NewestFirst = h.pagination(a, p), h.cfg.newestFirst
	if section.Moderation != nil {
		section.Moderation.ReturnURL = h.pageURL(a, p, p.current)
	}
	// The visitor's own pending comments, read by their IDs: a visitor
	// with some sees a page nobody else does, rendered for them alone.
	mine, err := h.ownOnPage(ctx, r, section, own, moderator)
	if err != nil {
		return nil, err
	}
	personal := moderator || len(mine) > 0 || len(section.Editable) > 0
	// Held top-level comments a visitor may see (their own, or all of
	// them for a moderator) are on the page where new comments land;
	// held replies come with their thread's page.
	var held []tribune.Comment
	if p.current == h.newest(p) {
		if moderator {
			if mine, err = h.svc.Held(ctx, a.ID, tribune.Viewer{Moderator: true}); err != nil {
				return nil, err
			}
		}
		for _, c := range mine {
			if c.ParentID == uuid.Nil {
				held = append(held, c)
			}
		}
	}
	ownPending := make([]uuid.UUID, len(mine))
	for i, c := range mine {
		ownPending[i] = c.ID
	}
	key := cacheKey{article: a.ID, lang: section.Lang, closed: a.CommentsClosed, page: p.current}
	if e, ok := h.cachedAt(key, st); ok && !personal {
		return e.parts[0], nil
	}
	comments, err := h.svc.Page(ctx, h.pageQuery(a, p), tribune.Viewer{Own: ownPending, Moderator: moderator})
	if err != nil {
		return nil, err
	}
	section.Comments = append(comments, held...)
	var b bytes.Buffer
	if err := h.renderer.RenderThread(&b, *section); err != nil {
		return nil, err
	}
	if st.ok && !personal {
		h.cache.Put(key, cacheEntry{stamp: st.stamp, parts: [2][]byte{b.Bytes()}})
	}
	return b.Bytes(), nil
}

// ownOnPage reads the visitor's own comments on the article, by their
// IDs: it returns the held ones, which they alone see, and puts those
// they may still edit in section.Editable.
func (h *Handler) ownOnPage(ctx context.Context, r *http.Request, section *render.Section, own []uuid.UUID, moderator bool) ([]tribune.Comment, error) {
	if len(own) == 0 || moderator && h.cfg.editWindow == 0 {
		return nil, nil
	}
	cs, err := h.svc.Own(ctx, section.Article.ID, own)
	if err != nil {
		return nil, err
	}
	section.Editable = h.ownEditable(r, cs)
	if moderator {
		return nil, nil // a moderator sees every held comment anyway
	}
	return slices.DeleteFunc(cs, func(c tribune.Comment) bool { return c.Status != tribune.StatusPending }), nil
}

// wholeThread renders every comment on one page (Pages{Size: OnePage}).
func (h *Handler) wholeThread(ctx context.Context, r *http.Request, section *render.Section, own []uuid.UUID, moderator bool) ([]byte, error) {
	a := section.Article
	// The visitor's own pending comments, read by their IDs: a visitor
	// with some sees a thread nobody else does, rendered for them alone.
	mine, err := h.ownOnPage(ctx, r, section, own, moderator)
	if err != nil {
		return nil, err
	}
	key := cacheKey{article: a.ID, lang: section.Lang, closed: a.CommentsClosed}
	if h.cache == nil || len(mine) > 0 || moderator || len(section.Editable) > 0 {
		comments, err := h.svc.Thread(ctx, a.ID, tribune.Viewer{Own: own, Moderator: moderator})
		if err != nil {
			return nil, err
		}
		section.Comments = comments
		var b bytes.Buffer
		err = h.renderer.RenderThread(&b, *section)
		return b.Bytes(), err
	}
	stamp, err := h.svc.Stamp(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	if e, ok := h.cache.Get(key); ok && e.stamp == stamp {
		return e.parts[0], nil
	}
	comments, err := h.svc.Thread(ctx, a.ID, tribune.Viewer{})
	if err != nil {
		return nil, err
	}
	section.Comments = comments
	var b bytes.Buffer
	if err := h.renderer.RenderThread(&b, *section); err != nil {
		return nil, err
	}
	h.cache.Put(key, cacheEntry{stamp: stamp, parts: [2][]byte{b.Bytes()}})
	return b.Bytes(), nil
}

// form renders the section's form. A blank one (no values, errors or
// reply) is the same for every visitor but for its token: it is rendered
// once per article and language with a placeholder, and the token is put
// in per request.
func (h *Handler) form(section render.Section, st formState, token string) (sectionParts, error) {
	blank := st.values == (render.FormValues{}) && st.errs == nil && st.message == "" && section.Form.ReplyTo == nil &&
		section.Form.Account == nil
	if !blank || h.cache == nil {
		var b bytes.Buffer
		err := h.renderer.RenderForm(&b, section)
		return sectionParts{b.Bytes()}, err
	}
	key := cacheKey{form: true, article: section.Article.ID, lang: section.Lang, closed: section.Article.CommentsClosed,
		logIn: section.Form.LogInRequired}
	e, ok := h.cache.Get(key)
	if !ok {
		ti := slices.IndexFunc(section.Form.Hidden, func(f render.HiddenField) bool { return f.Name == tokenField })
		hidden := slices.Clone(section.Form.Hidden)
		hidden[ti].Value = tokenPlaceholder
		section.Form.Hidden = hidden
		var b bytes.Buffer
		if err := h.renderer.RenderForm(&b, section); err != nil {
			return nil, err
		}
		before, after, found := bytes.Cut(b.Bytes(), []byte(tokenPlaceholder))
		if !found { // a host template without the token field
			before, after = b.Bytes(), nil
		}
		e = cacheEntry{parts: [2][]byte{before, after}}
		h.cache.Put(key, e)
	}
	if e.parts[1] == nil {
		return sectionParts{e.parts[0]}, nil
	}
	return sectionParts{e.parts[0], []byte(token), e.parts[1]}, nil
}

// ServeArticle writes the whole article page with the host's layout
// ([WithPage]) or the widget's own.
func (h *Handler) ServeArticle(w http.ResponseWriter, r *http.Request, a *tribune.Article) {
	h.writeArticlePage(w, r, a, http.StatusOK, h.requestForm(r))
}

func (h *Handler) writeArticlePage(w http.ResponseWriter, r *http.Request, a *tribune.Article, status int, st formState) {
	l := h.locale(r, a)
	// Everything that can fail runs before the status is written.
	parts, err := h.sectionParts(r, a, st)
	if errors.Is(err, ErrNoCommentPage) {
		h.noSuchPage(w, r, a)
		return
	}
	if err != nil {
		if r.Method == http.MethodPost && errors.Is(err, tribune.ErrUnavailable) {
			// A post the store could not take nor show around its
			// article: the form alone, with everything typed.
			if st.token == "" {
				st.token = h.formToken(a.ID, time.Now())
			}
			h.unavailablePost(w, r, a, st, "post: section", err)
			return
		}
		h.serverError(w, r, "render section", err)
		return
	}
	art, err := h.articleHTML(a, l.Tag())
	if err != nil {
		h.serverError(w, r, "render article", err)
		return
	}
	p := Page{Article: a, Lang: l.Tag(), Title: a.Title, Head: h.HeadHTML(a), ArticleHTML: art, HomeURL: h.cfg.homeURL}
	if h.cfg.page != nil {
		// The layout gets a placeholder for the section, which is put in
		// its place as the page is sent: the section, most of the page,
		// is never joined into one string nor copied through a template.
		p.Section = sectionPlaceholder
		h.writeLayout(w, r, status, p, parts)
		return
	}
	page, err := h.defaultPage(p, parts)
	if err != nil {
		h.serverError(w, r, "page layout", err)
		return
	}
	h.writePage(w, status, page)
}

// writePage sends a page whose pieces are all known, with its length, in
// one write: gathered in a pooled buffer (a copy costs less than a system
// call a piece).
func (h *Handler) writePage(w http.ResponseWriter, status int, page sectionParts) {
	h.setPageHeaders(w)
	w.Header().Set("Content-Length", strconv.Itoa(page.len()))
	w.WriteHeader(status)
	if page.len() > maxPooled {
		_ = page.writeTo(w)
		return
	}
	b := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(b)
	_ = page.writeTo(b)
	_, _ = w.Write(b.Bytes())
}

// writeLayout renders a page in the host's layout into a pooled buffer,
// puts the section's parts where the layout wrote sectionPlaceholder, and
// sends it with its length, in one write; a layout that fails is a 500
// with the widget's error page, not half a page.
func (h *Handler) writeLayout(w http.ResponseWriter, r *http.Request, status int, p Page, section sectionParts) {
	b := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(b)
	if err := h.cfg.page(b, r, p); err != nil {
		h.cfg.logger.Error("tribune: page layout", "err", err, "path", RedactPath(r.URL.Path))
		http.Error(w, h.locale(r, p.Article).T("widget.server"), http.StatusInternalServerError)
		return
	}
	page := b.Bytes()
	if section != nil {
		var out sectionParts
		rest := page
		for {
			before, after, found := bytes.Cut(rest, []byte(sectionPlaceholder))
			out = append(out, before)
			if !found {
				break
			}
			out = append(out, section...)
			rest = after
		}
		out2 := pageBuffers.Get().(*bytes.Buffer)
		defer putPageBuffer(out2)
		_ = out.writeTo(out2)
		page = out2.Bytes()
	}
	h.setPageHeaders(w)
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	_, _ = w.Write(page)
}

// sectionPlaceholder stands for the comment section in Page.Section while
// the host's layout runs; it is made of characters no escaper changes,
// and random to each process, so no text a visitor typed (a comment a
// layout lists in a sidebar) can pass for it.
var sectionPlaceholder = template.HTML("tribune-section-" + rand.Text())

// maxPooled is the largest page buffer kept for the next page.
const maxPooled = 4 << 20

var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		b.Reset()
		pageBuffers.Put(b)
	}
}

// defaultPage is the widget's own layout around the article and the
// section: the two template halves are small and rendered here, the big
// pieces are passed through as they are.
func (h *Handler) defaultPage(p Page, parts sectionParts) (sectionParts, error) {
	// An article's two halves, the article included, are the same for
	// every visitor: rendered once for what they show, then cached.
	var key cacheKey
	if h.cache != nil && p.Article != nil {
		key = cacheKey{article: p.Article.ID, lang: p.Lang, layout: true,
			text: textHash(p.Title, string(p.Head), string(p.ArticleHTML), p.HomeURL, p.BackURL, p.BackLabel, p.Message)}
		if e, ok := h.cache.Get(key); ok {
			return append(append(sectionParts{e.parts[0]}, parts...), e.parts[1]), nil
		}
	}
	l := h.renderer.Catalog().Locale(p.Lang)
	v := struct {
		Page
		Back string
	}{p, l.T("widget.home")}
	var start, end bytes.Buffer
	if err := h.pages.ExecuteTemplate(&start, "page-start", v); err != nil {
		return nil, err
	}
	if err := h.pages.ExecuteTemplate(&end, "page-end", v); err != nil {
		return nil, err
	}
	if p.Article != nil {
		start.WriteString(string(p.ArticleHTML))
		start.WriteString("\n")
	}
	if key != (cacheKey{}) {
		h.cache.Put(key, cacheEntry{parts: [2][]byte{start.Bytes(), end.Bytes()}})
	}
	return append(append(sectionParts{start.Bytes()}, parts...), end.Bytes()), nil
}

// layout writes a page without an article (an error) with the host's
// layout or the widget's.
func (h *Handler) layout(w io.Writer, r *http.Request, p Page) error {
	if h.cfg.page == nil {
		page, err := h.defaultPage(p, nil)
		if err != nil {
			return err
		}
		return page.writeTo(w)
	}
	return h.cfg.page(w, r, p)
}

// serveArticlePage is the widget's own article page.
func (h *Handler) serveArticlePage(w http.ResponseWriter, r *http.Request) {
	h.ServeArticleBySlug(w, r, r.PathValue("slug"))
}

// ServeArticleBySlug is ServeArticle for the article a slug names, read
// through the widget's cache, which one row of the store validates (the
// article's stamp, which every update of it moves); an unknown slug is
// the widget's 404 page, in the host's layout when there is one.
func (h *Handler) ServeArticleBySlug(w http.ResponseWriter, r *http.Request, slug string) {
	a, st, err := h.articleBySlug(r.Context(), slug)
	if errors.Is(err, tribune.ErrNotFound) {
		h.errorPage(w, r, http.StatusNotFound, "widget.not_found")
		return
	}
	if err != nil {
		status, key := h.failureStatus(w, r, "article", err)
		if status == http.StatusServiceUnavailable {
			key = "widget.page_unavailable" // the whole page, not only its comments
		}
		h.errorPage(w, r, status, key)
		return
	}
	form := h.requestForm(r)
	form.stamp = st
	h.writeArticlePage(w, r, &a, http.StatusOK, form)
}

// articleBySlug reads the article a slug names: from the cache while the
// article's stamp, which every update of the article moves, is the one it
// was read under (a slug that moved to another article moves the stamp of
// the one it left), else from the store. It returns the stamp it checked,
// read before the article.
func (h *Handler) articleBySlug(ctx context.Context, slug string) (tribune.Article, stamped, error) {
	if h.cache == nil {
		a, err := h.store.ArticleBySlug(ctx, slug)
		return a, stamped{}, err
	}
	key := cacheKey{slug: slug}
	if e, ok := h.cache.Get(key); ok {
		stamp, err := h.svc.Stamp(ctx, e.article.ID)
		if err == nil && stamp == e.stamp {
			return e.article, stamped{stamp: stamp, ok: true}, nil
		}
		if err != nil && !errors.Is(err, tribune.ErrNotFound) {
			return tribune.Article{}, stamped{}, err
		}
	}
	// The stamp is read before the article it stands for.
	first, err := h.store.ArticleBySlug(ctx, slug)
	if err != nil {
		return first, stamped{}, err
	}
	stamp, err := h.svc.Stamp(ctx, first.ID)
	if err != nil {
		return first, stamped{}, err
	}
	a, err := h.store.Article(ctx, first.ID)
	if err != nil || a.Slug != slug {
		return first, stamped{}, err // changed meanwhile: served as read, not cached
	}
	h.cache.Put(key, cacheEntry{stamp: stamp, article: a})
	return a, stamped{stamp: stamp, ok: true}, nil
}

// errorPage answers status with a page that says why.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	l := h.locale(r, nil)
	title := l.T("widget.error_title")
	switch status {
	case http.StatusRequestEntityTooLarge:
		title = l.T("widget.too_large_title")
	case http.StatusServiceUnavailable:
		title = l.T("widget.unavailable_title")
	}
	var page bytes.Buffer
	if err := h.layout(&page, r, Page{Lang: l.Tag(), Title: title, Message: l.T(key), Head: h.HeadHTML(nil), HomeURL: h.cfg.homeURL}); err != nil {
		h.cfg.logger.Error("tribune: error page", "err", err)
		http.Error(w, l.T(key), status)
		return
	}
	h.setPageHeaders(w)
	w.WriteHeader(status)
	_, _ = w.Write(page.Bytes())
}

// noSuchPage answers a ?cpage= beyond the thread: 404, with a link back
// to the article's comments.
func (h *Handler) noSuchPage(w http.ResponseWriter, r *http.Request, a *tribune.Article) {
	l := h.locale(r, a)
	var page bytes.Buffer
	p := Page{Lang: l.Tag(), Title: l.T("widget.error_title"), Message: l.T("widget.no_page"), Head: h.HeadHTML(a), HomeURL: h.cfg.homeURL,
		BackURL: h.cfg.articleURL(a) + "#comments", BackLabel: l.T("widget.back_to_comments")}
	if err := h.layout(&page, r, p); err != nil {
		h.cfg.logger.Error("tribune: error page", "err", err)
	}
	h.setPageHeaders(w)
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write(page.Bytes())
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound, "widget.not_found")
}

// retryAfter is how long a 503 asks the client to wait, in seconds.
const retryAfter = "5"

// serverError logs the failure once (its cause, never personal data) and
// answers with a page: 503 with Retry-After when the store is unavailable
// (down, frozen past its deadline), 500 for anything else.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, op string, err error) {
	status, key := h.failureStatus(w, r, op, err)
	h.errorPage(w, r, status, key)
}

// failureStatus logs a failure and says how to answer it, setting
// Retry-After when the store is unavailable: the one rule for pages, the
// form and the API.
func (h *Handler) failureStatus(w http.ResponseWriter, r *http.Request, op string, err error) (int, string) {
	status, key := http.StatusInternalServerError, "widget.server"
	if errors.Is(err, tribune.ErrUnavailable) {
		status, key = http.StatusServiceUnavailable, "widget.unavailable"
		w.Header().Set("Retry-After", retryAfter)
	}
	h.cfg.logger.Error("tribune: "+op, "err", err, "status", status, "method", r.Method, "path", RedactPath(r.URL.Path))
	return status, key
}

// unavailablePost answers a post the store could not take: 503 with
// Retry-After and the form with everything typed, even when the article
// itself cannot be read (a stands in for it with its ID alone), and the
// same token, so sending it again makes one comment however the first try
// ended.
func (h *Handler) unavailablePost(w http.ResponseWriter, r *http.Request, a *tribune.Article, st formState, op string, err error) {
	_, _ = h.failureStatus(w, r, op, err)
	l := h.locale(r, a)
	st.message = l.T("widget.unavailable_post")
	section := render.Section{Article: a, Lang: l.Tag(), Form: render.Form{
		Action: h.cfg.prefix + "/post", Values: st.values, Errors: st.errs, Message: st.message,
		Required: h.svc.Required(), Honeypot: honeypotField,
		Hidden: []render.HiddenField{{Name: "article", Value: a.ID.String()}, {Name: tokenField, Value: st.token}},
	}}
	if st.replyTo != uuid.Nil {
		// Who is answered cannot be read now: keep the target, not the name.
		section.Form.ReplyTo = &tribune.Comment{ID: st.replyTo, ArticleID: a.ID}
	}
	var form bytes.Buffer
	if err := h.renderer.RenderForm(&form, section); err != nil {
		h.cfg.logger.Error("tribune: post: form", "err", err)
	}
	p := Page{Lang: l.Tag(), Title: l.T("widget.unavailable_title"), Message: l.T("widget.unavailable"),
		Head: h.HeadHTML(nil), HomeURL: h.cfg.homeURL}
	if h.cfg.page != nil {
		p.Section = template.HTML(form.String()) // template output
		h.writeLayout(w, r, http.StatusServiceUnavailable, p, nil)
		return
	}
	page, err := h.defaultPage(p, sectionParts{form.Bytes()})
	if err != nil {
		h.cfg.logger.Error("tribune: page layout", "err", err, "path", RedactPath(r.URL.Path))
		return
	}
	h.writePage(w, http.StatusServiceUnavailable, page)
}

func (h *Handler) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusForbidden, "widget.bad_request")
}
