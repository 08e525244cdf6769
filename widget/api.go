package widget

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/render"
)

// The JSON API: public fields only, the same Service and rules as the form.

// APIComment is a comment as the JSON API shows it: no email, no metadata.
type APIComment struct {
	ID      uuid.UUID  `json:"id"`
	Parent  *uuid.UUID `json:"parent,omitempty"`
	Author  string     `json:"author"`
	Website string     `json:"website,omitempty"`
	HTML    string     `json:"html"`
	Created time.Time  `json:"created"`
	Status  string     `json:"status"`
	URL     string     `json:"url"`
}

// APIError is the body of every error answer.
type APIError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		// Fields maps each failing field to its code and message.
		Fields map[string]APIFieldError `json:"fields,omitempty"`
	} `json:"error"`
}

// APIFieldError is one failing field.
type APIFieldError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// APIInput is the body of a JSON post; the names are the form's. Token is
// the form token from GET <prefix>/api/articles/{id}/token (it may come
// in the X-Tribune-Token header instead); Homepage is the honeypot, which
// people leave empty.
type APIInput struct {
	Parent   string `json:"parent"`
	Author   string `json:"author"`
	Email    string `json:"email"`
	URL      string `json:"url"`
	Comment  string `json:"comment"`
	Token    string `json:"token"`
	Homepage string `json:"homepage"`
	// NotifyReplies asks for mail about replies (with WithMail), as the
	// form's notify_replies box does.
	NotifyReplies bool `json:"notify_replies"`
}

// APIToken is what GET <prefix>/api/articles/{id}/token answers: a form
// token for one comment, good from NotBefore (the minimum delay a person
// takes) until Expires.
type APIToken struct {
	Token     string    `json:"token"`
	NotBefore time.Time `json:"not_before"`
	Expires   time.Time `json:"expires"`
}

// apiToken hands out a form token, as the page does with its form.
func (h *Handler) apiToken(w http.ResponseWriter, r *http.Request) {
	a, ok := h.apiArticle(w, r)
	if !ok {
		return
	}
	now := h.now()
	writeJSON(w, http.StatusOK, APIToken{Token: h.formToken(a.ID, now), NotBefore: now.Add(h.cfg.minDelay).UTC(),
		Expires: now.Add(h.cfg.tokenTTL).UTC()})
}

// writeJSON sends a small JSON answer, with its length (which also tells
// compression whether it is worth it).
func writeJSON(w http.ResponseWriter, status int, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func apiError(w http.ResponseWriter, status int, code, message string) {
	var e APIError
	e.Error.Code, e.Error.Message = code, message
	writeJSON(w, status, e)
}

func (h *Handler) apiComment(c *tribune.Comment, a *tribune.Article) APIComment {
	out := APIComment{ID: c.ID, Author: c.AuthorName, Website: render.SafeWebsite(c.Website), HTML: c.Body, Created: c.Created,
		Status: string(c.Status), URL: h.Permalink(c)}
	if c.ParentID != uuid.Nil {
		p := c.ParentID
		out.Parent = &p
	}
	return out
}

func (h *Handler) apiArticle(w http.ResponseWriter, r *http.Request) (*tribune.Article, bool) {
	l := h.locale(r, nil)
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		apiError(w, http.StatusNotFound, "not_found", l.T("widget.not_found"))
		return nil, false
	}
	a, err := h.store.Article(r.Context(), id)
	if errors.Is(err, tribune.ErrNotFound) {
		apiError(w, http.StatusNotFound, "not_found", l.T("widget.not_found"))
		return nil, false
	}
	if err != nil {
		h.apiFailure(w, r, l, "api article", err)
		return nil, false
	}
	return &a, true
}

func (h *Handler) apiComments(w http.ResponseWriter, r *http.Request) {
	a, ok := h.apiArticle(w, r)
	if !ok {
		return
	}
	// The API answers what an anonymous visitor sees: its answers may be
	// cached and shared, and are tagged with the article's stamp, read
	// before the thread (a change meanwhile moves it for the next ask).
	stamp, err := h.svc.Stamp(r.Context(), a.ID)
	if err != nil {
		h.apiFailure(w, r, h.locale(r, a), "api comments", err)
		return
	}
	w.Header().Set("Cache-Control", "public, no-cache")
	t := h.newTagger("api-comments")
	t.string(a.ID.String())
	t.int(int64(stamp))
	if notModified(w, r, t.tag()) {
		return
	}
	cs, err := h.svc.Thread(r.Context(), a.ID, tribune.Viewer{})
	if err != nil {
		w.Header().Del("ETag")
		w.Header().Set("Cache-Control", "no-store")
		h.apiFailure(w, r, h.locale(r, a), "api comments", err)
		return
	}
	// Streamed one comment at a time: {"article", "count", "comments"}.
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 16<<10)
	fmt.Fprintf(bw, `{"article":%q,"count":%d,"comments":[`, a.ID.String(), len(cs))
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(true)
	for i := range cs {
		if i > 0 {
			_ = bw.WriteByte(',')
		}
		if err := enc.Encode(h.apiComment(&cs[i], a)); err != nil {
			h.cfg.logger.Error("tribune: api comments", "err", err)
			return
		}
	}
	_, _ = bw.WriteString("]}\n")
	_ = bw.Flush()
}

// apiCounts answers ?article=<id>&article=<id>… with {"<id>": n}.
func (h *Handler) apiCounts(w http.ResponseWriter, r *http.Request) {
	l := h.locale(r, nil)
	raw := r.URL.Query()["article"]
	if len(raw) == 0 || len(raw) > 200 {
		apiError(w, http.StatusBadRequest, "bad_request", l.T("widget.bad_request"))
		return
	}
	ids := make([]uuid.UUID, 0, len(raw))
	for _, s := range raw {
		id, err := uuid.Parse(s)
		if err != nil {
			apiError(w, http.StatusBadRequest, "bad_request", l.T("widget.bad_request"))
			return
		}
		ids = append(ids, id)
	}
	counts, err := h.svc.Counts(r.Context(), ids)
	if err != nil {
		h.apiFailure(w, r, l, "api counts", err)
		return
	}
	out := make(map[string]int, len(counts))
	for id, n := range counts {
		out[id.String()] = n
	}
	var b bytes.Buffer
	_ = json.NewEncoder(&b).Encode(out) // map keys sorted: the same counts, the same bytes
	w.Header().Set("Cache-Control", "public, no-cache")
	t := h.newTagger("api-counts")
	t.string(b.String())
	if notModified(w, r, t.tag()) {
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// apiPost takes a JSON comment: 201 with the comment, or an error with a
// code, a translated message and, for validation, every failing field.
func (h *Handler) apiPost(w http.ResponseWriter, r *http.Request) {
	a, ok := h.apiArticle(w, r)
	if !ok {
		return
	}
	l := h.locale(r, a)
	// Only JSON: a "simple" text/plain or form post from another site's
	// page cannot reach this handler.
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		apiError(w, http.StatusUnsupportedMediaType, "content_type", l.T("widget.bad_request"))
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxBody))
	if err != nil {
		apiError(w, http.StatusRequestEntityTooLarge, "too_large", l.T("widget.too_large"))
		return
	}
	var in APIInput
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		apiError(w, http.StatusBadRequest, "bad_request", l.T("widget.bad_request"))
		return
	}
	token := cmp.Or(r.Header.Get("X-Tribune-Token"), in.Token)
	now := h.now()
	switch err := h.checkToken(token, a.ID, now); {
	case errors.Is(err, errTooFast):
		apiError(w, http.StatusUnprocessableEntity, "too_fast", l.T("widget.too_fast"))
		return
	case err != nil:
		apiError(w, http.StatusUnprocessableEntity, "token", l.T("widget.expired"))
		return
	}
	input := tribune.CommentInput{ArticleID: a.ID, Name: in.Author, Email: in.Email, Website: in.URL, Body: in.Comment}
	if in.Parent != "" {
		if input.ParentID, err = uuid.Parse(in.Parent); err != nil {
			h.apiValidation(w, l, &tribune.ValidationError{Fields: []tribune.FieldError{{Field: tribune.FieldParent, Code: tribune.CodeNoParent}}})
			return
		}
	}
	client := h.clientAddr(r)
	if h.invalidBudgetSpent(w, r, client, now) {
		apiError(w, http.StatusTooManyRequests, "rate", l.T("widget.rate"))
		return
	}
	sub := tribune.Submission{Input: input, ClientAddr: client, UserAgent: r.UserAgent(), Returning: h.ownIDs(r),
		Verified: h.verifiedIDs(r), NotifyReplies: h.book != nil && in.NotifyReplies,
		Key: token, SuspectedSpam: in.Homepage != "", Admit: h.admit(w, client, now)}
	if id, ok := h.identity(r); ok {
		sub.Identity = &id
	} else if h.cfg.noAnonymous {
		apiError(w, http.StatusForbidden, "login_required", l.T("widget.login_required"))
		return
	}
	c, err := h.submit(r, sub)
	h.chargeInvalid(r, client, now, err)
	var ve *tribune.ValidationError
	if errors.Is(err, errRateLimited) {
		apiError(w, http.StatusTooManyRequests, "rate", l.T("widget.rate"))
		return
	}
	if err == nil {
		h.addOwn(w, r, c.ID)
		out := h.apiComment(&c, a)
		if c.Status != tribune.StatusApproved {
			out.Status = string(tribune.StatusPending) // caught as spam looks held
		}
		writeJSON(w, http.StatusCreated, out)
		return
	}
	if errors.As(err, &ve) {
		h.apiValidation(w, l, ve)
		return
	}
	if ref, ok := h.refusal(w, err); ok {
		apiError(w, ref.status, ref.code, l.T(ref.key))
		return
	}
	h.apiFailure(w, r, l, "api post", err)
}

// apiFailure answers a server-side failure in JSON: 503 with Retry-After
// ("unavailable") when the store is, 500 ("server") otherwise.
func (h *Handler) apiFailure(w http.ResponseWriter, r *http.Request, l *i18n.Locale, op string, err error) {
	status, key := h.failureStatus(w, r, op, err)
	code := "server"
	if status == http.StatusServiceUnavailable {
		code = "unavailable"
	}
	apiError(w, status, code, l.T(key))
}

func (h *Handler) apiValidation(w http.ResponseWriter, l *i18n.Locale, ve *tribune.ValidationError) {
	var e APIError
	e.Error.Code, e.Error.Message = "invalid", l.T("form.errors_title")
	e.Error.Fields = map[string]APIFieldError{}
	for _, fe := range ve.Fields {
		e.Error.Fields[string(fe.Field)] = APIFieldError{Code: string(fe.Code), Message: l.FieldError(fe)}
	}
	writeJSON(w, http.StatusUnprocessableEntity, e)
}
