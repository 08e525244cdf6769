package widget

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/render"
)

// author is what tells a visitor's own comments: their signed cookie's
// list and the user they are signed in as (WithIdentity).
type author struct {
	own    []uuid.UUID
	userID string
}

// authorOf reads the visitor's author marks from the request.
func (h *Handler) authorOf(r *http.Request) author {
	a := author{own: h.ownIDs(r)}
	if id, ok := h.identity(r); ok {
		a.userID = id.UserID
	}
	return a
}

// wrote reports whether the visitor wrote c: their cookie names it, or
// they are signed in as the user who wrote it. Edit rights follow the
// user, in any browser they sign in with.
func (a author) wrote(c *tribune.Comment) bool {
	return slices.Contains(a.own, c.ID) || c.UserID != "" && c.UserID == a.userID
}

// editable reports whether the author may still edit or delete c: they
// wrote it, the edit window is open, and it is approved or held.
func (h *Handler) editable(a author, c *tribune.Comment, now time.Time) bool {
	return h.cfg.editWindow > 0 && (c.Status == tribune.StatusApproved || c.Status == tribune.StatusPending) &&
		now.Before(c.Created.Add(h.cfg.editWindow)) && a.wrote(c)
}

// editURL is the page where the author edits c.
func (h *Handler) editURL(c *tribune.Comment) string {
	return h.cfg.prefix + "/comment/" + c.ID.String() + "/edit"
}

// ownEditable maps the visitor's comments among cs that they may still
// edit to their edit pages.
func (h *Handler) ownEditable(r *http.Request, cs []tribune.Comment) map[uuid.UUID]string {
	var out map[uuid.UUID]string
	now := h.now()
	who := h.authorOf(r)
	for i := range cs {
		if h.editable(who, &cs[i], now) {
			if out == nil {
				out = map[uuid.UUID]string{}
			}
			out[cs[i].ID] = h.editURL(&cs[i])
		}
	}
	return out
}

// editTarget reads the comment of an edit request and checks the visitor
// may edit it, answering the refusals itself.
func (h *Handler) editTarget(w http.ResponseWriter, r *http.Request) (tribune.Comment, tribune.Article, bool) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		h.errorPage(w, r, http.StatusNotFound, "widget.comment_not_found")
		return tribune.Comment{}, tribune.Article{}, false
	}
	ctx := r.Context()
	c, err := h.store.Comment(ctx, id)
	who := h.authorOf(r)
	if errors.Is(err, tribune.ErrNotFound) || err == nil && !who.wrote(&c) {
		// Somebody else's comment, whatever its status, answers as an
		// unknown one does: the page tells nobody what is held or spam.
		h.errorPage(w, r, http.StatusNotFound, "widget.comment_not_found")
		return tribune.Comment{}, tribune.Article{}, false
	}
	if err != nil {
		h.serverError(w, r, "edit", err)
		return c, tribune.Article{}, false
	}
	a, err := h.store.Article(ctx, c.ArticleID)
	if err != nil {
		h.serverError(w, r, "edit: article", err)
		return c, a, false
	}
	if !h.editable(who, &c, h.now()) {
		l := h.locale(r, &a)
		var body template.HTML
		if h.book != nil {
			body = h.fragment("link", mailLink{Label: l.T("edit.manage_link"), URL: h.cfg.prefix + "/mail/manage"})
		}
		h.infoPage(w, r, http.StatusForbidden, l, l.T("edit.title"), l.T("edit.too_late"), body)
		return c, a, false
	}
	return c, a, true
}

type editView struct {
	L                                   *i18n.Locale
	Action, DeleteAction, BackURL, Text string
	Deadline, Error                     string
}

func (h *Handler) editPage(w http.ResponseWriter, r *http.Request, status int, c *tribune.Comment, a *tribune.Article, text, errMsg string) {
	l := h.locale(r, a)
	v := editView{L: l, Action: h.editURL(c), DeleteAction: h.cfg.prefix + "/comment/" + c.ID.String() + "/delete",
		BackURL: h.Permalink(c), Text: text, Error: errMsg,
		Deadline: l.T("edit.deadline", "time", l.DateTime(c.Created.Add(h.cfg.editWindow).In(h.renderer.Location())))}
	h.infoPage(w, r, status, l, l.T("edit.title"), l.T("edit.intro", "title", a.Title), h.fragment("edit-form", v))
}

// serveEdit shows the author's comment in a form, as they typed it.
func (h *Handler) serveEdit(w http.ResponseWriter, r *http.Request) {
	c, a, ok := h.editTarget(w, r)
	if !ok {
		return
	}
	h.editPage(w, r, http.StatusOK, &c, &a, render.EditableText(c.Body), "")
}

// serveEditPost stores the new text through the Service, which
// sanitizes and moderates it again.
func (h *Handler) serveEditPost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.maxBody)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusRequestEntityTooLarge, "widget.too_large")
		return
	}
	c, a, ok := h.editTarget(w, r)
	if !ok {
		return
	}
	text := r.PostForm.Get(string(tribune.FieldBody))
	// An edit costs what a post costs: it spends the same budget.
	if h.limiter != nil {
		if ok, wait := h.limiter.allow(r.Context(), h.clientAddr(r), h.now()); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			h.editPage(w, r, http.StatusTooManyRequests, &c, &a, text, h.locale(r, &a).T("widget.rate"))
			return
		}
	}
	edited, err := h.svc.EditOwn(r.Context(), c.ID, text)
	var ve *tribune.ValidationError
	switch {
	case errors.As(err, &ve):
		h.editPage(w, r, http.StatusUnprocessableEntity, &c, &a, text, h.locale(r, &a).FieldError(ve.Fields[0]))
		return
	case errors.Is(err, tribune.ErrDuplicate):
		h.editPage(w, r, http.StatusConflict, &c, &a, text, h.locale(r, &a).T("widget.duplicate"))
		return
	case err != nil:
		status, key := h.failureStatus(w, r, "edit", err)
		h.editPage(w, r, status, &c, &a, text, h.locale(r, &a).T(key))
		return
	}
	to := h.Permalink(&edited)
	if h.cfg.pageSize == 0 || edited.Status != tribune.StatusApproved {
		to = h.cfg.articleURL(&a) + "#comment-" + c.ID.String()
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// serveDeletePost deletes the author's comment (its replies move up).
func (h *Handler) serveDeletePost(w http.ResponseWriter, r *http.Request) {
	c, a, ok := h.editTarget(w, r)
	if !ok {
		return
	}
	if err := h.svc.Delete(r.Context(), c.ID); err != nil && !errors.Is(err, tribune.ErrNotFound) {
		h.serverError(w, r, "delete own comment", err)
		return
	}
	http.Redirect(w, r, h.cfg.articleURL(&a)+"#comments", http.StatusSeeOther)
}
