package widget

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/outbox"
	"github.com/tribune-go/tribune/render"
)

// The pages that mailed links open. Each GET shows what the link is for
// and a button; only the POST of that button changes anything, so a mail
// scanner that follows links changes nothing. Their URLs carry a token
// that is the visitor's authority: the pages send no Referer, so no link
// on them leaks it.

// linkView is the body of a link page: what it is about and its buttons.
type linkView struct {
	Intro   []string
	Quote   *mailQuote
	Action  string
	Hidden  []render.HiddenField
	Buttons []linkButton
}

type linkButton struct {
	Name, Value, Label string
	Primary            bool
}

// infoPage answers with a page of the widget's: a title, a message and a
// body, in the host's layout when there is one.
func (h *Handler) infoPage(w http.ResponseWriter, r *http.Request, status int, l *i18n.Locale, title, message string, body template.HTML) {
	w.Header().Set("Referrer-Policy", "no-referrer")
	p := Layout{Lang: l.Tag(), Title: title, Message: message, Head: h.HeadHTML(nil), HomeURL: h.cfg.homeURL}
	if h.cfg.page != nil {
		p.Section = body
		h.setPageHeaders(w)
		h.writeLayout(w, r, status, p, nil, false)
		return
	}
	page, err := h.defaultPage(p, raw([]byte(body)))
	if err != nil {
		h.cfg.logger.Error("tribune: page layout", "err", err, "path", RedactPath(r.URL.Path))
		http.Error(w, l.T("widget.server"), http.StatusInternalServerError)
		return
	}
	h.writePage(w, r, status, page, false)
}

// fragment renders one of the page-body templates.
func (h *Handler) fragment(name string, v any) template.HTML {
	var b bytes.Buffer
	if err := h.pages.ExecuteTemplate(&b, name, v); err != nil {
		h.cfg.logger.Error("tribune: page fragment", "template", name, "err", err)
		return ""
	}
	return template.HTML(b.String()) // html/template output
}

// linkID reads the token of a link page, answering 404 (a forged or
// mangled link) or 410 (an expired one) itself.
func (h *Handler) linkID(w http.ResponseWriter, r *http.Request, kind string) (linkClaim, bool) {
	c, err := h.readLinkToken(kind, r.PathValue("token"))
	if err == nil {
		return c, true
	}
	l := h.locale(r, nil)
	status, key := http.StatusNotFound, "mail.link_bad"
	if errors.Is(err, errLinkExpired) {
		status, key = http.StatusGone, "mail.link_expired"
	}
	h.infoPage(w, r, status, l, l.T("widget.error_title"), l.T(key), "")
	return linkClaim{}, false
}

// linkUsed answers the second use of a single-use link.
func (h *Handler) linkUsed(w http.ResponseWriter, r *http.Request) {
	l := h.locale(r, nil)
	h.infoPage(w, r, http.StatusGone, l, l.T("widget.error_title"), l.T("mail.link_used"), "")
}

// linkAddress reads the address a link names, answering itself when it
// is gone (erased since: the link opens nothing) or unreadable.
func (h *Handler) linkAddress(w http.ResponseWriter, r *http.Request, id uuid.UUID, op string) (tribune.Address, bool) {
	addr, err := h.book.AddressByID(r.Context(), id)
	if errors.Is(err, tribune.ErrNotFound) {
		l := h.locale(r, nil)
		h.infoPage(w, r, http.StatusNotFound, l, l.T("widget.error_title"), l.T("mail.link_bad"), "")
		return addr, false
	}
	if err != nil {
		h.serverError(w, r, op, err)
		return addr, false
	}
	return addr, true
}

// parseLinkForm reads a small form of a link page.
func (h *Handler) parseLinkForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "widget.bad_request")
		return false
	}
	return true
}

// acts reports whether the request is the button's POST: GET and HEAD
// (what mail scanners and link checkers send) only ever show.
func acts(r *http.Request) bool { return r.Method == http.MethodPost }

// serveConfirm confirms the subscription of one comment to reply mail
// (and so proves its address). The link is single-use, counted in the
// store: replayed from another browser it proves nothing.
func (h *Handler) serveConfirm(w http.ResponseWriter, r *http.Request) {
	claim, ok := h.linkID(w, r, linkConfirm)
	if !ok {
		return
	}
	ctx := r.Context()
	l := h.locale(r, nil)
	title := l.T("confirm.title")
	sub, err := h.book.Subscription(ctx, claim.ID)
	if errors.Is(err, tribune.ErrNotFound) {
		h.infoPage(w, r, http.StatusNotFound, l, l.T("widget.error_title"), l.T("mail.link_bad"), "")
		return
	}
	if err != nil {
		h.serverError(w, r, "confirm", err)
		return
	}
	if !acts(r) {
		if !sub.Confirmed.IsZero() {
			h.infoPage(w, r, http.StatusOK, l, title, l.T("confirm.done"), "")
			return
		}
		h.infoPage(w, r, http.StatusOK, l, title, l.T("confirm.intro"), h.fragment("link-form", linkView{Action: r.URL.Path,
			Buttons: []linkButton{{Name: "confirm", Value: "yes", Label: l.T("mail.confirm.action"), Primary: true}}}))
		return
	}
	if !h.parseLinkForm(w, r) {
		return
	}
	if fresh, err := h.spendLink(ctx, claim); err != nil {
		h.serverError(w, r, "confirm", err)
		return
	} else if !fresh {
		h.linkUsed(w, r)
		return
	}
	addr, err := outbox.ConfirmSubscription(ctx, h.store, claim.ID, h.now())
	if err != nil {
		h.serverError(w, r, "confirm", err)
		return
	}
	h.addVerified(w, r, addr.ID)
	h.infoPage(w, r, http.StatusOK, l, title, l.T("confirm.done"), "")
}

// serveUnsubscribe stops reply mail for one comment, or all mail to the
// address: a GET shows the buttons, a POST (a button, or the mail
// reader's one-click POST, which stops this comment's) acts at once.
func (h *Handler) serveUnsubscribe(w http.ResponseWriter, r *http.Request) {
	claim, ok := h.linkID(w, r, linkUnsubscribe)
	if !ok {
		return
	}
	ctx := r.Context()
	l := h.locale(r, nil)
	title := l.T("unsubscribe.title")
	sub, err := h.book.Subscription(ctx, claim.ID)
	if errors.Is(err, tribune.ErrNotFound) {
		// Erased since: there is nothing left to stop.
		h.infoPage(w, r, http.StatusOK, l, title, l.T("unsubscribe.done"), "")
		return
	}
	if err != nil {
		h.serverError(w, r, "unsubscribe", err)
		return
	}
	if !acts(r) {
		v := linkView{Action: r.URL.Path, Buttons: []linkButton{{Name: "stop", Value: "all", Label: l.T("mail.stop_all")}}}
		message := l.T("unsubscribe.done")
		if sub.Active {
			message = l.T("unsubscribe.intro")
			v.Buttons = append([]linkButton{{Name: "unsubscribe", Value: "yes", Label: l.T("unsubscribe.action"), Primary: true}}, v.Buttons...)
		}
		h.infoPage(w, r, http.StatusOK, l, title, message, h.fragment("link-form", v))
		return
	}
	if !h.parseLinkForm(w, r) {
		return
	}
	if r.PostForm.Get("stop") == "all" {
		h.stopAllMail(w, r, sub.EmailKey)
		return
	}
	if sub.Active {
		sub.Active = false
		if err := h.book.SaveSubscription(ctx, sub); err != nil {
			h.serverError(w, r, "unsubscribe", err)
			return
		}
	}
	h.infoPage(w, r, http.StatusOK, l, title, l.T("unsubscribe.done"), "")
}

// serveStopAll is the page of the "stop all mail" link a confirmation
// mail carries: for someone who never asked for it.
func (h *Handler) serveStopAll(w http.ResponseWriter, r *http.Request) {
	claim, ok := h.linkID(w, r, linkStop)
	if !ok {
		return
	}
	addr, ok := h.linkAddress(w, r, claim.ID, "stop all mail")
	if !ok {
		return
	}
	l := h.locale(r, nil)
	if !acts(r) {
		message := l.T("stop.intro")
		if !addr.OptedOut.IsZero() {
			message = l.T("stop.done")
		}
		h.infoPage(w, r, http.StatusOK, l, l.T("stop.title"), message, h.fragment("link-form", linkView{Action: r.URL.Path,
			Buttons: []linkButton{{Name: "stop", Value: "all", Label: l.T("mail.stop_all"), Primary: true}}}))
		return
	}
	if !h.parseLinkForm(w, r) {
		return
	}
	h.stopAllMail(w, r, addr.Key)
}

// stopAllMail opts the address out of every mail from the site: every
// later subscription, confirmation and manage request honours it.
func (h *Handler) stopAllMail(w http.ResponseWriter, r *http.Request, key string) {
	now := h.now().UTC()
	if _, err := h.book.UpdateAddress(r.Context(), key, func(a *tribune.Address) error {
		if a.OptedOut.IsZero() {
			a.OptedOut = now
		}
		return nil
	}); err != nil {
		h.serverError(w, r, "stop all mail", err)
		return
	}
	l := h.locale(r, nil)
	h.infoPage(w, r, http.StatusOK, l, l.T("stop.title"), l.T("stop.done"), "")
}

// moderateActions are what a moderator's mailed link may do.
var moderateActions = map[string]tribune.Status{"approve": tribune.StatusApproved, "spam": tribune.StatusSpam, "trash": tribune.StatusTrash}

// serveModerateLink is the page a moderator's mailed link opens: the
// comment and the buttons; the POST does the action, and only on the
// version of the comment the mail was sent for: a comment edited or
// moderated since is sent to the moderation screen instead.
func (h *Handler) serveModerateLink(w http.ResponseWriter, r *http.Request) {
	claim, ok := h.linkID(w, r, linkModerate)
	if !ok {
		return
	}
	ctx := r.Context()
	c, err := h.store.Comment(ctx, claim.ID)
	if errors.Is(err, tribune.ErrNotFound) {
		h.errorPage(w, r, http.StatusNotFound, "widget.comment_not_found")
		return
	}
	if err != nil {
		h.serverError(w, r, "moderate link", err)
		return
	}
	a, err := h.store.Article(ctx, c.ArticleID)
	if err != nil {
		h.serverError(w, r, "moderate link: article", err)
		return
	}
	l := h.locale(r, &a)
	title := l.T("moderate.title")
	stale := claim.Version != 0 && int64(c.Version) != claim.Version
	if acts(r) && !stale {
		if !h.parseLinkForm(w, r) {
			return
		}
		status, ok := moderateActions[r.PostForm.Get("action")]
		if !ok {
			h.errorPage(w, r, http.StatusBadRequest, "widget.bad_request")
			return
		}
		if claim.Version == 0 { // a link mailed before versions were signed
			c, err = h.svc.Moderate(ctx, claim.ID, status)
		} else {
			c, err = h.svc.ModerateVersion(ctx, claim.ID, int(claim.Version), status)
		}
		if errors.Is(err, tribune.ErrNotNotified) {
			h.cfg.logger.Warn("tribune: notifier failed", "comment", c.ID, "err", err)
			err = nil
		}
		if errors.Is(err, tribune.ErrConflict) {
			stale, err = true, nil
		}
		if err != nil {
			h.serverError(w, r, "moderate link", err)
			return
		}
	}
	name := c.AuthorName
	if name == "" {
		name = l.T("thread.anonymous")
	}
	v := linkView{Action: r.URL.Path, Quote: &mailQuote{Author: name, Body: c.Body},
		Intro: []string{l.T("moderate.intro", "title", a.Title), l.T("moderate.status", "status", l.T("status."+string(c.Status)))}}
	if stale {
		body := h.fragment("link", mailLink{Label: l.T("mail.moderate.screen"), URL: h.cfg.prefix + "/admin/"})
		status := http.StatusOK
		if acts(r) {
			status = http.StatusConflict
		}
		h.infoPage(w, r, status, l, title, l.T("moderate.changed"), body)
		return
	}
	chosen := r.URL.Query().Get("action")
	for _, act := range []string{"approve", "spam", "trash"} {
		if moderateActions[act] == c.Status {
			continue
		}
		label := map[string]string{"approve": "admin.approve", "spam": "admin.mark_spam", "trash": "admin.mark_trash"}[act]
		v.Buttons = append(v.Buttons, linkButton{Name: "action", Value: act, Label: l.T(label), Primary: act == chosen})
	}
	message := l.T("moderate.choose")
	if acts(r) {
		message = l.T("moderate.done", "status", l.T("status."+string(c.Status)))
	}
	h.infoPage(w, r, http.StatusOK, l, title, message, h.fragment("link-form", v))
}

// manageCookie keeps a manage session open once its single-use link was
// followed: the address's ID and an expiry, signed, for this path only.
const (
	manageCookie     = "tribune_manage"
	manageSessionTTL = 30 * time.Minute
)
