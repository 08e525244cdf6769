package widget

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/render"
)

// serveManageRequest asks for a link to manage one's comments: a
// confirmed address gets one by mail, within its daily budget and unless
// it stopped all mail. The answer is the same whether the address is
// known or not, so it tells nobody who comments here.
func (h *Handler) serveManageRequest(w http.ResponseWriter, r *http.Request) {
	l := h.locale(r, nil)
	title := l.T("manage.title")
	view := struct {
		L            *i18n.Locale
		Action       string
		Email, Error string
	}{L: l, Action: h.cfg.prefix + "/mail/manage"}
	if !acts(r) {
		h.infoPage(w, r, http.StatusOK, l, title, l.T("manage.request_title"), h.fragment("manage-request", view))
		return
	}
	if !h.parseLinkForm(w, r) {
		return
	}
	view.Email = r.PostForm.Get("email")
	email, err := tribune.ParseEmail(view.Email)
	if err == nil && email.IsZero() {
		err = &tribune.ValidationError{Fields: []tribune.FieldError{{Field: tribune.FieldEmail, Code: tribune.CodeRequired}}}
	}
	var ve *tribune.ValidationError
	if errors.As(err, &ve) {
		view.Error = l.FieldError(ve.Fields[0])
		h.infoPage(w, r, http.StatusUnprocessableEntity, l, title, l.T("manage.request_title"), h.fragment("manage-request", view))
		return
	}
	client := h.clientAddr(r)
	now := h.now()
	if h.limiter != nil {
		if ok, _ := h.limiter.allow(r.Context(), client, now); !ok {
			h.infoPage(w, r, http.StatusTooManyRequests, l, title, l.T("widget.rate"), h.fragment("manage-request", view))
			return
		}
	}
	ctx := r.Context()
	addr, err := h.book.Address(ctx, email.Key())
	switch {
	case errors.Is(err, tribune.ErrNotFound):
	case err != nil:
		h.serverError(w, r, "manage request", err)
		return
	case !addr.Verified.IsZero() && addr.OptedOut.IsZero():
		if err := h.mailManageLink(ctx, l, addr, email, now); err != nil {
			h.serverError(w, r, "manage request", err)
			return
		}
	}
	h.infoPage(w, r, http.StatusOK, l, title, l.T("manage.request_sent"), "")
}

// mailManageLink queues a manage link to a verified address: one per
// manageEvery, a few a day.
func (h *Handler) mailManageLink(ctx context.Context, l *i18n.Locale, addr tribune.Address, to tribune.Email, now time.Time) error {
	if ok, err := h.withinBudget(ctx, "manage", to, defaultDailyManage); err != nil || !ok {
		return err
	}
	m := mailView{L: l, Site: h.siteName(), Paragraphs: []string{l.T("mail.manage.intro", "site", h.siteName())},
		Action: mailLink{l.T("mail.manage.action"), h.mailLink(linkManage, addr.ID, manageLinkTTL)},
		Footer: []string{l.T("mail.manage.expires"), l.T("mail.confirm.ignore")},
		Links:  []mailLink{{l.T("mail.stop_all"), h.mailLink(linkStop, addr.ID, 0)}}}
	slot := now.Unix() / int64(manageEvery/time.Second)
	return h.queueMail(ctx, "manage", "manage:"+addr.ID.String()+":"+strconv.FormatInt(slot, 10), to,
		l.T("mail.manage.subject", "site", h.siteName()), &m)
}

// manageItem is one comment on the manage page.
type manageItem struct {
	ID                                     uuid.UUID
	Title, ISO, Date, Status, URL, Excerpt string
}

// manageSession reads the manage session of the request for the address.
func (h *Handler) manageSession(r *http.Request, id uuid.UUID) bool {
	ck, err := r.Cookie(manageCookie)
	if err != nil {
		return false
	}
	v, mac, ok := strings.Cut(ck.Value, ".")
	if !ok || !h.verify(mac, "manage-session", v) {
		return false
	}
	sid, exp, ok := strings.Cut(v, "~")
	at, err := strconv.ParseInt(exp, 10, 64)
	return ok && err == nil && sid == id.String() && h.now().Unix() < at
}

// serveManage is the page a manage link opens: a GET shows a button; its
// POST uses the link up (single-use, counted in the store), proves the
// address in this browser and opens a short session, kept in a cookie
// for this page only, in which the author's comments are listed, each
// with a delete button, with their data as JSON and erasure.
func (h *Handler) serveManage(w http.ResponseWriter, r *http.Request) {
	claim, ok := h.linkID(w, r, linkManage)
	if !ok {
		return
	}
	ctx := r.Context()
	l := h.locale(r, nil)
	title := l.T("manage.title")
	addr, ok := h.linkAddress(w, r, claim.ID, "manage")
	if !ok {
		return
	}
	open := h.manageSession(r, addr.ID)
	if !open && !acts(r) {
		h.infoPage(w, r, http.StatusOK, l, title, l.T("manage.open_intro"), h.fragment("link-form", linkView{Action: r.URL.Path,
			Buttons: []linkButton{{Name: "open", Value: "yes", Label: l.T("mail.manage.action"), Primary: true}}}))
		return
	}
	if acts(r) && !h.parseLinkForm(w, r) {
		return
	}
	if !open {
		if r.PostForm.Get("open") == "" {
			h.linkUsed(w, r) // an action without a session: the session ended
			return
		}
		if fresh, err := h.spendLink(ctx, claim); err != nil {
			h.serverError(w, r, "manage", err)
			return
		} else if !fresh {
			h.linkUsed(w, r)
			return
		}
		v := addr.ID.String() + "~" + strconv.FormatInt(h.now().Add(manageSessionTTL).Unix(), 10)
		ck := h.cookie(r, manageCookie, v+"."+h.sign("manage-session", v), int(manageSessionTTL/time.Second))
		ck.Path = r.URL.Path
		ck.SameSite = http.SameSiteStrictMode
		http.SetCookie(w, ck)
		// Following the link proves the address: this browser is now a
		// returning commenter's.
		h.addVerified(w, r, addr.ID)
	}
	email := tribune.StoredEmail(addr.Key)
	message := l.T("manage.intro")
	if acts(r) && open {
		switch {
		case r.PostForm.Get("delete") != "":
			cid, err := uuid.Parse(r.PostForm.Get("delete"))
			var c tribune.Comment
			if err == nil {
				c, err = h.store.Comment(ctx, cid)
			}
			if err != nil || c.Email.Key() != addr.Key {
				h.errorPage(w, r, http.StatusNotFound, "widget.comment_not_found")
				return
			}
			if err := h.svc.Delete(ctx, cid); err != nil && !errors.Is(err, tribune.ErrNotFound) {
				h.serverError(w, r, "manage: delete", err)
				return
			}
			message = l.T("manage.deleted")
		case r.PostForm.Get("export") != "":
			h.exportPersonalData(w, r, email)
			return
		case r.PostForm.Get("erase") != "":
			if _, err := h.svc.Erase(ctx, email, tribune.EraseAnonymise); err != nil {
				h.serverError(w, r, "manage: erase", err)
				return
			}
			http.SetCookie(w, h.cookie(r, verifiedCookie, "", -1))
			end := h.cookie(r, manageCookie, "", -1)
			end.Path = r.URL.Path
			http.SetCookie(w, end)
			h.forgetRemembered(w, r)
			h.infoPage(w, r, http.StatusOK, l, title, l.T("manage.erased"), "")
			return
		case r.PostForm.Get("open") != "":
		default:
			h.errorPage(w, r, http.StatusBadRequest, "widget.bad_request")
			return
		}
	}
	cs, err := h.svc.CommentsByEmail(ctx, email)
	if err != nil {
		h.serverError(w, r, "manage", err)
		return
	}
	titles := map[uuid.UUID]string{}
	items := make([]manageItem, 0, len(cs))
	for _, c := range cs {
		if c.Status == tribune.StatusSpam || c.Status == tribune.StatusTrash {
			continue
		}
		t, ok := titles[c.ArticleID]
		if !ok {
			if a, err := h.store.Article(ctx, c.ArticleID); err == nil {
				t = a.Title
			}
			titles[c.ArticleID] = t
		}
		it := manageItem{ID: c.ID, Title: t, ISO: c.Created.Format(time.RFC3339), Date: l.DateTime(c.Created.In(h.renderer.Location())),
			Status: l.T("status." + string(c.Status)), Excerpt: excerpt(render.PlainText(c.Body), 200)}
		if c.Status == tribune.StatusApproved {
			it.URL = h.Permalink(&c)
		}
		items = append(items, it)
	}
	view := struct {
		L        *i18n.Locale
		Action   string
		Comments []manageItem
	}{l, r.URL.Path, items}
	h.infoPage(w, r, http.StatusOK, l, title, message, h.fragment("manage-list", view))
}

// exportPersonalData sends everything stored with the address, as JSON:
// the personal-data export, for its owner only.
func (h *Handler) exportPersonalData(w http.ResponseWriter, r *http.Request, email tribune.Email) {
	cs, err := h.svc.CommentsByEmail(r.Context(), email)
	if err != nil {
		h.serverError(w, r, "manage: export", err)
		return
	}
	type item struct {
		ID        uuid.UUID      `json:"id"`
		ArticleID uuid.UUID      `json:"article_id"`
		ParentID  *uuid.UUID     `json:"parent_id,omitempty"`
		Status    tribune.Status `json:"status"`
		Author    string         `json:"author"`
		Email     string         `json:"email"`
		Website   string         `json:"website,omitempty"`
		Body      string         `json:"body"`
		Created   time.Time      `json:"created"`
		Edited    *time.Time     `json:"edited,omitempty"`
		UserAgent string         `json:"user_agent,omitempty"`
	}
	out := struct {
		Email    string `json:"email"`
		Comments []item `json:"comments"`
	}{Email: email.Address(), Comments: []item{}}
	for _, c := range cs {
		it := item{ID: c.ID, ArticleID: c.ArticleID, Status: c.Status, Author: c.AuthorName, Email: c.Email.Address(),
			Website: c.Website, Body: c.Body, Created: c.Created, UserAgent: c.Meta.UserAgent}
		if c.ParentID != uuid.Nil {
			p := c.ParentID
			it.ParentID = &p
		}
		if !c.Edited.IsZero() {
			e := c.Edited
			it.Edited = &e
		}
		out.Comments = append(out.Comments, it)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="tribune-personal-data.json"`)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}

// excerpt cuts text to about n bytes, at a rune boundary, with an ellipsis.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
