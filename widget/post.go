package widget

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/render"
)

// servePost takes the no-JavaScript form: 303 to the comment on success,
// the page again with the errors and everything typed on failure.
func (h *Handler) servePost(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.maxBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.errorPage(w, r, http.StatusRequestEntityTooLarge, "widget.too_large")
			return
		}
		h.errorPage(w, r, http.StatusBadRequest, "widget.bad_request")
		return
	}
	articleID, err := uuid.Parse(r.PostForm.Get("article"))
	if err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "widget.bad_request")
		return
	}
	in := tribune.CommentInput{
		ArticleID: articleID,
		Name:      r.PostForm.Get(string(tribune.FieldName)),
		Email:     r.PostForm.Get(string(tribune.FieldEmail)),
		Website:   r.PostForm.Get(string(tribune.FieldWebsite)),
		Body:      r.PostForm.Get(string(tribune.FieldBody)),
	}
	remember := r.PostForm.Get("wp-comment-cookies-consent") == "yes"
	notify := h.book != nil && r.PostForm.Get("notify_replies") == "yes"
	st := formState{values: render.FormValues{Name: in.Name, Email: in.Email, Website: in.Website, Body: in.Body,
		Remember: remember, NotifyReplies: notify}}
	token := r.PostForm.Get(tokenField)
	now := h.now()
	tokenErr := h.checkToken(token, articleID, now)
	if tokenErr == nil || errors.Is(tokenErr, errTooFast) {
		st.token = token // a good token stays with the form
	}
	badParent := false
	if p := r.PostForm.Get(string(tribune.FieldParent)); p != "" {
		id, err := uuid.Parse(p)
		badParent = err != nil
		in.ParentID, st.replyTo = id, id
	}
	a, err := h.store.Article(r.Context(), articleID)
	if errors.Is(err, tribune.ErrNotFound) {
		h.errorPage(w, r, http.StatusNotFound, "widget.not_found")
		return
	}
	if errors.Is(err, tribune.ErrUnavailable) {
		if st.token == "" {
			st.token = h.formToken(articleID, now)
		}
		h.unavailablePost(w, r, &tribune.Article{ID: articleID}, st, "post: article", err)
		return
	}
	if err != nil {
		h.serverError(w, r, "post: article", err)
		return
	}
	if badParent {
		st.errs = &tribune.ValidationError{Fields: []tribune.FieldError{{Field: tribune.FieldParent, Code: tribune.CodeNoParent}}}
		h.writeArticlePage(w, r, &a, http.StatusUnprocessableEntity, st)
		return
	}
	l := h.locale(r, &a)
	fail := func(status int, key string) {
		st.message = l.T(key)
		h.writeArticlePage(w, r, &a, status, st)
	}

	switch err := tokenErr; {
	case errors.Is(err, errTooFast):
		fail(http.StatusUnprocessableEntity, "widget.too_fast")
		return
	case err != nil:
		fail(http.StatusUnprocessableEntity, "widget.expired")
		return
	}
	client := h.clientAddr(r)
	if h.invalidBudgetSpent(w, r, client, now) {
		fail(http.StatusTooManyRequests, "widget.rate")
		return
	}
	sub := tribune.Submission{Input: in, ClientAddr: client, UserAgent: r.UserAgent(),
		SuspectedSpam: r.PostForm.Get(honeypotField) != "", Key: token, Returning: h.ownIDs(r),
		Verified: h.verifiedIDs(r), NotifyReplies: notify, Admit: h.admit(w, client, now)}
	if id, ok := h.identity(r); ok {
		sub.Identity = &id
	} else if h.cfg.noAnonymous {
		fail(http.StatusForbidden, "widget.login_required")
		return
	}
	c, err := h.submit(r, sub)
	if errors.Is(err, tribune.ErrReplayed) {
		st.token = "" // this form made another comment: a fresh one, with the text
	}
	if err != nil {
		h.chargeInvalid(r, client, now, err)
		h.answerSubmitError(w, r, &a, st, err, fail)
		return
	}
	// Whatever the status (held, approved, or silently sent to spam or
	// trash by the honeypot or a block word), the answer is the same
	// shape: a bot cannot tell it was caught.
	h.addOwn(w, r, c.ID)
	if remember {
		h.setRemembered(w, r, remembered{Name: c.AuthorName, Email: c.Email.Address(), Website: c.Website})
	} else {
		h.forgetRemembered(w, r)
	}
	// The comment's permalink, which finds its page when it is followed:
	// the same answer for the same comment, however often it is sent and
	// whatever was posted meanwhile.
	to := h.Permalink(&c)
	if h.cfg.pageSize == 0 {
		to = h.cfg.articleURL(&a) + "#comment-" + c.ID.String()
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// answerSubmitError maps the Service's errors onto statuses and messages,
// keeping what the visitor typed.
func (h *Handler) answerSubmitError(w http.ResponseWriter, r *http.Request, a *tribune.Article, st formState, err error, fail func(int, string)) {
	var ve *tribune.ValidationError
	if errors.As(err, &ve) {
		st.errs = ve
		h.writeArticlePage(w, r, a, http.StatusUnprocessableEntity, st)
		return
	}
	ref, ok := h.refusal(w, err)
	switch {
	case errors.Is(err, errRateLimited):
		fail(http.StatusTooManyRequests, "widget.rate")
	case !ok && errors.Is(err, tribune.ErrUnavailable):
		h.unavailablePost(w, r, a, st, "post: submit", err)
	case !ok:
		// Another failure: say so on the page with the form, so the text
		// is kept if the article can still be read.
		status, key := h.failureStatus(w, r, "post: submit", err)
		fail(status, key)
	case ref.status == http.StatusNotFound:
		h.errorPage(w, r, ref.status, ref.key)
	default:
		fail(ref.status, ref.key)
	}
}

// refusal is how the widget answers one of the Service's refusals.
type refusal struct {
	status int
	key    string // catalogue key of the message
	code   string // the JSON API's error code
}

// refusal maps a Service error onto its answer, for the form and the API
// alike, setting Retry-After where it applies. ok is false for errors
// that are not refusals (a failing store).
func (h *Handler) refusal(w http.ResponseWriter, err error) (refusal, bool) {
	switch {
	case errors.Is(err, tribune.ErrDuplicate):
		return refusal{http.StatusConflict, "widget.duplicate", "duplicate"}, true
	case errors.Is(err, tribune.ErrReplayed):
		return refusal{http.StatusConflict, "widget.replayed", "replayed"}, true
	case errors.Is(err, tribune.ErrFlood):
		w.Header().Set("Retry-After", strconv.Itoa(int(h.svc.FloodInterval().Seconds())+1))
		return refusal{http.StatusTooManyRequests, "widget.flood", "flood"}, true
	case errors.Is(err, tribune.ErrClosed):
		return refusal{http.StatusForbidden, "widget.closed", "closed"}, true
	case errors.Is(err, tribune.ErrParentNotApproved):
		return refusal{http.StatusForbidden, "widget.parent_not_approved", "parent_not_approved"}, true
	case errors.Is(err, tribune.ErrNotFound):
		return refusal{http.StatusNotFound, "widget.not_found", "not_found"}, true
	}
	return refusal{}, false
}

// errRateLimited is what admit returns when the client has posted too much.
var errRateLimited = errors.New("widget: rate limit")

// admit is the Service's admission hook: once a post is valid, it spends
// one unit of the client's posting budget, or refuses with
// errRateLimited and Retry-After.
func (h *Handler) admit(w http.ResponseWriter, client string, now time.Time) func(context.Context) error {
	return func(ctx context.Context) error {
		if h.limiter == nil {
			return nil
		}
		if ok, wait := h.limiter.allow(ctx, client, now); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			return errRateLimited
		}
		return nil
	}
}

// invalidBudgetSpent reports whether the client has sent so many invalid
// posts lately that the next one is refused before it is even validated.
func (h *Handler) invalidBudgetSpent(w http.ResponseWriter, r *http.Request, client string, now time.Time) bool {
	spent, wait := h.invalid.exhausted(r.Context(), client, now)
	if spent {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	}
	return spent
}

// chargeInvalid spends the invalid-post budget for a post refused by
// validation.
func (h *Handler) chargeInvalid(r *http.Request, client string, now time.Time, err error) {
	if errors.Is(err, tribune.ErrInvalid) {
		h.invalid.allow(r.Context(), client, now)
	}
}

// submit runs the Service. A notifier's failure is logged, not shown: the
// comment is stored.
func (h *Handler) submit(r *http.Request, sub tribune.Submission) (tribune.Comment, error) {
	c, err := h.svc.Submit(r.Context(), sub)
	if errors.Is(err, tribune.ErrNotNotified) {
		h.cfg.logger.Warn("tribune: notifier failed", "comment", c.ID, "err", err)
		return c, nil
	}
	return c, err
}
