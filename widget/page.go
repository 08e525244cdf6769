package widget

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/render"
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
	r = h.withVisit(r)
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

// tokenPlaceholder stands for the form token in cached forms; it is made of
// characters no escaper changes, and a real token replaces it per request.
const tokenPlaceholder = "TRIBUNE_TOKEN_PLACEHOLDER_7f3a"

func (h *Handler) sectionParts(r *http.Request, a *tribune.Article, st formState) (sectionParts, error) {
	ctx := r.Context()
	l := h.locale(r, a)
	token := st.token
	if token == "" {
		token = h.formToken(a.ID, h.now())
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
			Hidden: []render.HiddenField{{Name: "tribune_admin", Value: h.adminToken(h.now())}}}
	}
	own := h.ownIDs(r)
	var thread piece
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

// form renders the section's form. A blank one (no values, errors or
// reply) is the same for every visitor but for its token: it is rendered
// once per article and language with a placeholder, and the token is put
// in per request.
func (h *Handler) form(section render.Section, st formState, token string) (sectionParts, error) {
	blank := st.values == (render.FormValues{}) && st.errs == nil && st.message == "" && section.Form.ReplyTo == nil &&
		section.Form.Account == nil
	if !blank || h.cache == nil {
		var b bytes.Buffer
		if err := h.renderer.RenderForm(&b, section); err != nil {
			return nil, err
		}
		before, after, found := bytes.Cut(b.Bytes(), []byte(token))
		if !found {
			return raw(b.Bytes()), nil
		}
		return sectionParts{{b: before}, {b: []byte(token), token: true}, {b: after}}, nil
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
		e = partsEntry(0, before, after)
		h.cache.Put(key, e)
	}
	if e.parts[1] == nil {
		return sectionParts{e.piece(0)}, nil
	}
	return sectionParts{e.piece(0), {b: []byte(token), token: true}, e.piece(1)}, nil
}

// ServeArticle writes the whole article page with the host's layout
// ([WithLayout]) or the widget's own.
func (h *Handler) ServeArticle(w http.ResponseWriter, r *http.Request, a *tribune.Article) {
	r = h.withVisit(r)
	h.writeArticlePage(w, r, a, http.StatusOK, h.requestForm(r))
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
	r = h.withVisit(r)
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
