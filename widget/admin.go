package widget

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/outbox"
	"github.com/tribune-go/tribune/render"
)

// The moderation screen at <prefix>/admin/: pending, approved, spam and
// trash lists with per-comment and bulk actions. It is the only view that
// shows the email. Access goes through the WithAdmin hook; actions are
// POSTs behind the cross-origin check and a signed token.

type adminTab struct {
	URL, Label string
	Current    bool
}

type adminAction struct{ Value, Label string }

type adminRow struct {
	// ArticleURL links to the comment: its permalink when it is approved,
	// else the article (a held comment is on no public page).
	ID, Name, Email, ISO, Date, ArticleURL, ArticleTitle string
	Website                                              string // checked again here: http(s) only
	// EditedDate is when the author last rewrote the comment, or empty;
	// Member is the signed-in author's user ID, or empty.
	EditedDate, Member string
	Mailto             template.URL // mailtoURL's: no header fields
	Body               template.HTML
}

// adminActions lists what a moderator can do from each list.
func adminActions(status tribune.Status, l *i18n.Locale) []adminAction {
	switch status {
	case tribune.StatusPending:
		return []adminAction{{"approve", l.T("admin.approve")}, {"spam", l.T("admin.mark_spam")}, {"trash", l.T("admin.mark_trash")}}
	case tribune.StatusApproved:
		return []adminAction{{"unapprove", l.T("admin.unapprove")}, {"spam", l.T("admin.mark_spam")}, {"trash", l.T("admin.mark_trash")}}
	default:
		return []adminAction{{"restore", l.T("admin.restore")}, {"approve", l.T("admin.approve")}, {"delete", l.T("admin.delete")}}
	}
}

func (h *Handler) authorizeAdmin(w http.ResponseWriter, r *http.Request) bool {
	if id, ok := h.identity(r); ok && id.Moderator {
		return true // the host's own moderator, signed in with the host
	}
	if h.cfg.admin == nil {
		h.notFound(w, r)
		return false
	}
	// Failed logins are limited per client, before the credentials are
	// even looked at: past the budget, the right password waits too.
	client, now := h.clientAddr(r), h.now()
	if spent, wait := h.guesses.exhausted(r.Context(), client, now); spent {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		h.errorPage(w, r, http.StatusTooManyRequests, "admin.too_many")
		return false
	}
	if !h.cfg.admin(r) {
		if r.Header.Get("Authorization") != "" { // a browser's first request has none
			h.guesses.allow(r.Context(), client, now)
			h.cfg.logger.Warn("tribune: moderation login refused", "client", client, "path", RedactPath(r.URL.Path))
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="Tribune moderation", charset="UTF-8"`)
		h.errorPage(w, r, http.StatusUnauthorized, "admin.unauthorized")
		return false
	}
	return true
}

func parseStatus(s string) tribune.Status {
	if st := tribune.Status(s); st.Valid() {
		return st
	}
	return tribune.StatusPending
}

func (h *Handler) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if !h.authorizeAdmin(w, r) {
		return
	}
	status := parseStatus(r.URL.Query().Get("status"))
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	editedOnly := r.URL.Query().Get("edited") == "1"
	const pageSize = 50
	comments, err := h.store.FindComments(r.Context(), tribune.Query{Statuses: []tribune.Status{status}, Edited: editedOnly,
		Newest: true, Limit: pageSize + 1, Offset: max(offset, 0)})
	if err != nil {
		h.serverError(w, r, "admin list", err)
		return
	}
	l := h.locale(r, nil)
	base := h.cfg.prefix + "/admin/"
	v := struct {
		L                        *i18n.Locale
		Lang, CSS, Action, Token string
		Status, Notice, Next     string
		EditedURL                string
		EditedOnly               bool
		Tabs                     []adminTab
		Actions                  []adminAction
		Rows                     []adminRow
		FailedMails              []failedMail
	}{L: l, Lang: l.Tag(), CSS: h.assetURL("widget.css"), Action: base, Token: h.adminToken(h.now()),
		Status: string(status), Actions: adminActions(status, l), EditedOnly: editedOnly,
		EditedURL: base + "?status=" + string(status)}
	if !editedOnly {
		v.EditedURL += "&edited=1"
	}
	for _, st := range []tribune.Status{tribune.StatusPending, tribune.StatusApproved, tribune.StatusSpam, tribune.StatusTrash} {
		v.Tabs = append(v.Tabs, adminTab{URL: base + "?status=" + string(st), Label: l.T("admin." + string(st)), Current: st == status})
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("done")); err == nil {
		v.Notice = l.T("admin.done", "n", strconv.Itoa(n))
	}
	if len(comments) > pageSize {
		comments = comments[:pageSize]
		v.Next = base + "?status=" + string(status) + "&offset=" + strconv.Itoa(offset+pageSize)
		if editedOnly {
			v.Next += "&edited=1"
		}
	}
	articles := map[uuid.UUID]*tribune.Article{}
	for _, c := range comments {
		a, ok := articles[c.ArticleID]
		if !ok {
			art, err := h.store.Article(r.Context(), c.ArticleID)
			if err != nil {
				h.serverError(w, r, "admin article", err)
				return
			}
			a = &art
			articles[c.ArticleID] = a
		}
		v.Rows = append(v.Rows, adminRow{
			ID: c.ID.String(), Name: c.AuthorName, Email: c.Email.Address(), Mailto: mailtoURL(c.Email.Address()), Website: render.SafeWebsite(c.Website),
			ISO: c.Created.Format(time.RFC3339), Date: l.DateTime(c.Created.In(h.renderer.Location())), Body: template.HTML(c.Body),
			ArticleURL: h.cfg.articleURL(a) + "#comment-" + c.ID.String(), ArticleTitle: a.Title, Member: c.UserID,
		})
		if !c.Edited.IsZero() {
			v.Rows[len(v.Rows)-1].EditedDate = l.DateTime(c.Edited.In(h.renderer.Location()))
		}
		if c.Status == tribune.StatusApproved {
			// An approved comment's permalink lands on the page that shows it.
			v.Rows[len(v.Rows)-1].ArticleURL = h.Permalink(&c)
		}
	}
	if h.book != nil {
		if v.FailedMails, err = h.failedMails(r, l); err != nil {
			h.serverError(w, r, "admin mails", err)
			return
		}
	}
	h.setPageHeaders(w)
	w.Header().Set("X-Robots-Tag", "noindex")
	if err := h.pages.ExecuteTemplate(w, "admin", v); err != nil {
		h.cfg.logger.Error("tribune: admin template", "err", err)
	}
}

func (h *Handler) serveAdminPost(w http.ResponseWriter, r *http.Request) {
	if !h.authorizeAdmin(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil || !h.checkAdminToken(r.PostForm.Get("tribune_admin"), h.now()) {
		h.errorPage(w, r, http.StatusForbidden, "widget.bad_request")
		return
	}
	action, ids := r.PostForm.Get("action"), r.PostForm["id"]
	if one := r.PostForm.Get("one"); one != "" {
		a, id, _ := strings.Cut(one, ":")
		action, ids = a, []string{id}
	}
	target := map[string]tribune.Status{
		"approve": tribune.StatusApproved, "unapprove": tribune.StatusPending, "restore": tribune.StatusPending,
		"spam": tribune.StatusSpam, "trash": tribune.StatusTrash,
	}
	st, known := target[action]
	if !known && action != "delete" {
		h.errorPage(w, r, http.StatusBadRequest, "widget.bad_request")
		return
	}
	done := 0
	for _, s := range ids {
		id, err := uuid.Parse(s)
		if err != nil {
			continue
		}
		if action == "delete" {
			err = h.svc.Delete(r.Context(), id)
		} else {
			_, err = h.svc.Moderate(r.Context(), id, st)
		}
		if err != nil {
			h.cfg.logger.Warn("tribune: moderation", "comment", id, "action", action, "err", err)
			continue
		}
		done++
	}
	if back := r.PostForm.Get("return"); localPath(back) {
		http.Redirect(w, r, back, http.StatusSeeOther) // moderated from the article page
		return
	}
	q := url.Values{"status": {string(parseStatus(r.PostForm.Get("status")))}, "done": {strconv.Itoa(done)}}
	http.Redirect(w, r, h.cfg.prefix+"/admin/?"+q.Encode(), http.StatusSeeOther)
}

// localPath reports whether s is a path on this site, safe to redirect to
// ("/articles/x#comment-y", never "//elsewhere" or a scheme).
func localPath(s string) bool {
	return strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") && !strings.ContainsAny(s, "\\\r\n") && !strings.Contains(s, "/\\")
}

// mailtoURL is the mailto: link of an address with every character that
// would start or separate header fields (?, &, #) percent-encoded, so an
// address such as x?cc=…&subject=…@example.org opens a mail to itself
// only.
func mailtoURL(addr string) template.URL {
	return template.URL("mailto:" + mailtoEscaper.Replace(addr)) // the escaper leaves no field separator
}

var mailtoEscaper = strings.NewReplacer("%", "%25", "?", "%3F", "&", "%26", "#", "%23", `"`, "%22", "<", "%3C", ">", "%3E", " ", "%20")

// failedMail is a mail the outbox gave up on, as the moderation screen
// lists it.
type failedMail struct {
	To, Kind, Subject, ISO, Date, Error string
	Attempts                            int
}

// failedMails lists the newest mails that failed for good.
func (h *Handler) failedMails(r *http.Request, l *i18n.Locale) ([]failedMail, error) {
	q, err := outbox.QueueOf(h.store)
	if err != nil {
		return nil, nil
	}
	ms, err := q.Mails(r.Context(), outbox.Failed, tribune.Span{Limit: 20})
	if err != nil {
		return nil, err
	}
	out := make([]failedMail, len(ms))
	for i, m := range ms {
		out[i] = failedMail{To: m.To.Address(), Kind: m.Kind, Subject: m.Subject, ISO: m.Queued.Format(time.RFC3339),
			Date: l.DateTime(m.Queued.In(h.renderer.Location())), Error: m.LastError, Attempts: m.Attempts}
	}
	return out, nil
}
