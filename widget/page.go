package widget

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// pageTemplates are parsed once; a broken one fails at init.
var pageTemplates = template.Must(template.New("widget").ParseFS(templateFS, "templates/*.tmpl"))

// formState is what a failed post brings back into the form.
type formState struct {
	values  tribune.FormValues
	errs    *tribune.ValidationError
	message string
	replyTo uuid.UUID
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
	l := tribune.LocaleFor(lang)
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
	var b strings.Builder
	if err := h.pages.ExecuteTemplate(&b, "head", v); err != nil {
		h.cfg.logger.Error("tribune: head template", "err", err)
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
	var st formState
	if id, err := uuid.Parse(r.URL.Query().Get("replytocom")); err == nil {
		st.replyTo = id
	}
	if v, ok := h.readRemembered(r); ok {
		st.values = tribune.FormValues{Name: v.Name, Email: v.Email, Website: v.Website, Remember: true}
	}
	return h.renderSection(w, r, a, st)
}

// threadKey identifies a cached thread: the article's comments as the
// store's stamp says they are, in one language, open or closed.
type threadKey struct {
	article uuid.UUID
	stamp   tribune.Stamp
	lang    string
	closed  bool
}

func (h *Handler) renderSection(w io.Writer, r *http.Request, a *tribune.Article, st formState) error {
	ctx := r.Context()
	l := h.locale(r, a)
	section := tribune.Section{Article: a, Lang: l.Tag(), Form: tribune.Form{
		Action:   h.cfg.prefix + "/post",
		PageURL:  h.cfg.articleURL(a),
		Values:   st.values,
		Errors:   st.errs,
		Message:  st.message,
		Required: h.svc.Required(),
		Hidden: []tribune.HiddenField{
			{Name: "article", Value: a.ID.String()},
			{Name: tokenField, Value: h.formToken(a.ID, time.Now())},
		},
		Honeypot: honeypotField,
	}}
	if st.replyTo != uuid.Nil {
		p, err := h.store.Comment(ctx, st.replyTo)
		if err == nil && p.ArticleID == a.ID && p.Status == tribune.StatusApproved {
			section.Form.ReplyTo = &p
		}
	}
	own := h.ownIDs(r)
	if h.threads == nil || len(own) > 0 {
		// A visitor with pending comments of their own sees a thread
		// nobody else does: render it for them alone.
		comments, err := h.svc.Visible(ctx, a.ID, own)
		if err != nil {
			return err
		}
		section.Comments = comments
		return h.renderer.Render(w, section)
	}
	// The public thread is cached under the store's stamp, which every
	// change to the article's comments moves, on every instance.
	stamp, err := h.store.CommentsStamp(ctx, a.ID)
	if err != nil {
		return err
	}
	key := threadKey{article: a.ID, stamp: stamp, lang: l.Tag(), closed: a.CommentsClosed}
	thread, ok := h.threads.Get(key)
	if !ok {
		comments, err := h.svc.Visible(ctx, a.ID, nil)
		if err != nil {
			return err
		}
		section.Comments = comments
		var b strings.Builder
		if err := h.renderer.RenderThread(&b, section); err != nil {
			return err
		}
		thread = b.String()
		h.threads.Put(key, thread)
	}
	if _, err := io.WriteString(w, thread); err != nil {
		return err
	}
	return h.renderer.RenderForm(w, section)
}

// ServeArticle writes the whole article page with the host's layout
// ([WithPage]) or the widget's own.
func (h *Handler) ServeArticle(w http.ResponseWriter, r *http.Request, a *tribune.Article) {
	var st formState
	if id, err := uuid.Parse(r.URL.Query().Get("replytocom")); err == nil {
		st.replyTo = id
	}
	if v, ok := h.readRemembered(r); ok {
		st.values = tribune.FormValues{Name: v.Name, Email: v.Email, Website: v.Website, Remember: true}
	}
	h.writeArticlePage(w, r, a, http.StatusOK, st)
}

func (h *Handler) writeArticlePage(w http.ResponseWriter, r *http.Request, a *tribune.Article, status int, st formState) {
	l := h.locale(r, a)
	var section bytes.Buffer
	if err := h.renderSection(&section, r, a, st); err != nil {
		h.serverError(w, r, "render section", err)
		return
	}
	art, err := h.renderer.ArticleHTML(a, l.Tag())
	if err != nil {
		h.serverError(w, r, "render article", err)
		return
	}
	var page bytes.Buffer
	err = h.cfg.page(&page, r, Page{
		Article: a, Lang: l.Tag(), Title: a.Title, Head: h.HeadHTML(a),
		ArticleHTML: art, Section: template.HTML(section.String()), HomeURL: h.cfg.homeURL,
	})
	if err != nil {
		h.serverError(w, r, "render page", err)
		return
	}
	h.setPageHeaders(w)
	w.WriteHeader(status)
	_, _ = w.Write(page.Bytes())
}

func (h *Handler) defaultPage(w io.Writer, r *http.Request, p Page) error {
	l := tribune.LocaleFor(p.Lang)
	back := l.T("widget.home")
	return h.pages.ExecuteTemplate(w, "page", struct {
		Page
		Back string
	}{p, back})
}

// serveArticlePage is the widget's own article page.
func (h *Handler) serveArticlePage(w http.ResponseWriter, r *http.Request) {
	a, err := h.store.ArticleBySlug(r.Context(), r.PathValue("slug"))
	if errors.Is(err, tribune.ErrNotFound) {
		h.errorPage(w, r, http.StatusNotFound, "widget.not_found")
		return
	}
	if err != nil {
		h.serverError(w, r, "article", err)
		return
	}
	h.ServeArticle(w, r, &a)
}

// errorPage answers status with a page that says why.
func (h *Handler) errorPage(w http.ResponseWriter, r *http.Request, status int, key string) {
	l := h.locale(r, nil)
	title := l.T("widget.error_title")
	if status == http.StatusRequestEntityTooLarge {
		title = l.T("widget.too_large_title")
	}
	var page bytes.Buffer
	if err := h.cfg.page(&page, r, Page{Lang: l.Tag(), Title: title, Message: l.T(key), Head: h.HeadHTML(nil), HomeURL: h.cfg.homeURL}); err != nil {
		h.cfg.logger.Error("tribune: error page", "err", err)
		http.Error(w, l.T(key), status)
		return
	}
	h.setPageHeaders(w)
	w.WriteHeader(status)
	_, _ = w.Write(page.Bytes())
}

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusNotFound, "widget.not_found")
}

// serverError logs the failure (with no personal data) and answers 500.
func (h *Handler) serverError(w http.ResponseWriter, r *http.Request, op string, err error) {
	h.cfg.logger.Error("tribune: "+op, "err", err, "path", r.URL.Path)
	h.errorPage(w, r, http.StatusInternalServerError, "widget.server")
}

func (h *Handler) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusForbidden, "widget.bad_request")
}
