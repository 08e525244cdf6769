package widget

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io"
	"net/http"
	"slices"
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
		st.values = tribune.FormValues{Name: v.Name, Email: v.Email, Website: v.Website, Remember: true}
	}
	return st
}

// threadKey identifies a cached thread: the article's comments as the
// store's stamp says they are, in one language, open or closed.
type threadKey struct {
	article uuid.UUID
	stamp   tribune.Stamp
	lang    string
	closed  bool
}

// sectionParts is a rendered comment section in its two halves: the
// public thread (shared, cached) and the form (this visitor's).
type sectionParts struct{ thread, form string }

func (p sectionParts) writeTo(w io.Writer) error {
	if _, err := io.WriteString(w, p.thread); err != nil {
		return err
	}
	_, err := io.WriteString(w, p.form)
	return err
}

// tokenPlaceholder stands for the form token in cached forms; it is made of
// characters no escaper changes, and a real token replaces it per request.
const tokenPlaceholder = "TRIBUNE_TOKEN_PLACEHOLDER_7f3a"

// formKey identifies a cached blank form.
type formKey struct {
	article uuid.UUID
	lang    string
	closed  bool
}

func (h *Handler) sectionParts(r *http.Request, a *tribune.Article, st formState) (sectionParts, error) {
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
			return sectionParts{}, err
		}
		section.Comments = comments
		var thread, form strings.Builder
		if err := h.renderer.RenderThread(&thread, section); err != nil {
			return sectionParts{}, err
		}
		if err := h.renderer.RenderForm(&form, section); err != nil {
			return sectionParts{}, err
		}
		return sectionParts{thread.String(), form.String()}, nil
	}
	// The public thread is cached under the store's stamp, which every
	// change to the article's comments moves, on every instance.
	stamp, err := h.store.CommentsStamp(ctx, a.ID)
	if err != nil {
		return sectionParts{}, err
	}
	key := threadKey{article: a.ID, stamp: stamp, lang: l.Tag(), closed: a.CommentsClosed}
	thread, ok := h.threads.Get(key)
	if !ok {
		comments, err := h.svc.Visible(ctx, a.ID, nil)
		if err != nil {
			return sectionParts{}, err
		}
		section.Comments = comments
		var b strings.Builder
		if err := h.renderer.RenderThread(&b, section); err != nil {
			return sectionParts{}, err
		}
		thread = b.String()
		h.threads.Put(key, thread)
	}
	form, err := h.form(section, st)
	return sectionParts{thread, form}, err
}

// form renders the section's form. A blank one (no values, errors or
// reply) is the same for every visitor but for its token: it is rendered
// once per article and language with a placeholder, and the token is put
// in per request.
func (h *Handler) form(section tribune.Section, st formState) (string, error) {
	blank := st == (formState{}) && section.Form.ReplyTo == nil
	if !blank {
		var b strings.Builder
		err := h.renderer.RenderForm(&b, section)
		return b.String(), err
	}
	ti := slices.IndexFunc(section.Form.Hidden, func(f tribune.HiddenField) bool { return f.Name == tokenField })
	token := section.Form.Hidden[ti].Value
	key := formKey{article: section.Article.ID, lang: section.Lang, closed: section.Article.CommentsClosed}
	halves, ok := h.forms.Get(key)
	if !ok {
		hidden := slices.Clone(section.Form.Hidden)
		hidden[ti].Value = tokenPlaceholder
		section.Form.Hidden = hidden
		var b strings.Builder
		if err := h.renderer.RenderForm(&b, section); err != nil {
			return "", err
		}
		before, after, found := strings.Cut(b.String(), tokenPlaceholder)
		if !found { // a host template without the token field
			halves = [2]string{b.String(), ""}
		} else {
			halves = [2]string{before, after}
		}
		h.forms.Put(key, halves)
	}
	if halves[1] == "" {
		return halves[0], nil
	}
	return halves[0] + token + halves[1], nil
}

// ServeArticle writes the whole article page with the host's layout
// ([WithPage]) or the widget's own.
func (h *Handler) ServeArticle(w http.ResponseWriter, r *http.Request, a *tribune.Article) {
	h.writeArticlePage(w, r, a, http.StatusOK, h.requestForm(r))
}

func (h *Handler) writeArticlePage(w http.ResponseWriter, r *http.Request, a *tribune.Article, status int, st formState) {
	l := h.locale(r, a)
	// Everything that can fail runs before the status is written; the
	// page is then streamed, not copied once more into a buffer.
	parts, err := h.sectionParts(r, a, st)
	if err != nil {
		h.serverError(w, r, "render section", err)
		return
	}
	art, err := h.renderer.ArticleHTML(a, l.Tag())
	if err != nil {
		h.serverError(w, r, "render article", err)
		return
	}
	h.setPageHeaders(w)
	w.WriteHeader(status)
	p := Page{Article: a, Lang: l.Tag(), Title: a.Title, Head: h.HeadHTML(a), ArticleHTML: art, HomeURL: h.cfg.homeURL}
	if h.cfg.page == nil {
		err = h.defaultPage(w, p, parts)
	} else {
		p.Section = template.HTML(parts.thread + parts.form) // template output
		err = h.cfg.page(w, r, p)
	}
	if err != nil {
		h.cfg.logger.Error("tribune: page layout", "err", err, "path", r.URL.Path)
	}
}

// defaultPage is the widget's own layout. It writes the article and the
// section itself, between two template halves: large fragments passed
// through a template are copied by fmt, which pools no buffer that big.
func (h *Handler) defaultPage(w io.Writer, p Page, parts sectionParts) error {
	l := tribune.LocaleFor(p.Lang)
	v := struct {
		Page
		Back string
	}{p, l.T("widget.home")}
	if err := h.pages.ExecuteTemplate(w, "page-start", v); err != nil {
		return err
	}
	if p.Article != nil {
		if _, err := io.WriteString(w, string(p.ArticleHTML)+"\n"); err != nil {
			return err
		}
		if err := parts.writeTo(w); err != nil {
			return err
		}
	}
	return h.pages.ExecuteTemplate(w, "page-end", v)
}

// layout writes a page without an article (an error) with the host's
// layout or the widget's.
func (h *Handler) layout(w io.Writer, r *http.Request, p Page) error {
	if h.cfg.page == nil {
		return h.defaultPage(w, p, sectionParts{})
	}
	return h.cfg.page(w, r, p)
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
	if err := h.layout(&page, r, Page{Lang: l.Tag(), Title: title, Message: l.T(key), Head: h.HeadHTML(nil), HomeURL: h.cfg.homeURL}); err != nil {
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
