package widget

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/render"
)

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
	if err := h.layout(&page, r, Layout{Lang: l.Tag(), Title: title, Message: l.T(key), Head: h.HeadHTML(nil), HomeURL: h.cfg.homeURL}); err != nil {
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
	p := Layout{Lang: l.Tag(), Title: l.T("widget.error_title"), Message: l.T("widget.no_page"), Head: h.HeadHTML(a), HomeURL: h.cfg.homeURL,
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
	p := Layout{Lang: l.Tag(), Title: l.T("widget.unavailable_title"), Message: l.T("widget.unavailable"),
		Head: h.HeadHTML(nil), HomeURL: h.cfg.homeURL}
	if h.cfg.page != nil {
		p.Section = template.HTML(form.String()) // template output
		h.writeLayout(w, r, http.StatusServiceUnavailable, p, nil, false)
		return
	}
	page, err := h.defaultPage(p, raw(form.Bytes()))
	if err != nil {
		h.cfg.logger.Error("tribune: page layout", "err", err, "path", RedactPath(r.URL.Path))
		return
	}
	h.writePage(w, r, http.StatusServiceUnavailable, page, false)
}

func (h *Handler) crossOriginDenied(w http.ResponseWriter, r *http.Request) {
	h.errorPage(w, r, http.StatusForbidden, "widget.bad_request")
}
