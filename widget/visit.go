package widget

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
)

// visit is what one request is, worked out once however many places ask:
// the visitor's identity with the host, their client network, the
// comments their cookies name as their own and as proved theirs, and
// their language. ServeHTTP (and each exported entry point a host calls
// directly) attaches one to the request; every helper that needs one of
// these reads it from there.
//
// A request is served by one goroutine, so a visit needs no lock.
type visit struct {
	h *Handler
	r *http.Request

	idDone   bool
	id       tribune.Identity
	signedIn bool

	clientDone bool
	client     string

	ownDone bool
	own     []uuid.UUID

	verifiedDone bool
	verified     []uuid.UUID

	// The language depends on the article's (the fallback when
	// Accept-Language names none the catalogue has): one request meets
	// one article, seldom two.
	langs [2]visitLang
}

type visitLang struct {
	fallback string
	l        *i18n.Locale
}

type visitKey struct{}

// withVisit returns r carrying a visit of h, unless it carries one
// already.
func (h *Handler) withVisit(r *http.Request) *http.Request {
	if v, ok := r.Context().Value(visitKey{}).(*visit); ok && v.h == h {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), visitKey{}, &visit{h: h, r: r}))
}

// visitOf returns the visit r carries, or a fresh one for a request that
// came by another way (which then works everything out each time).
func (h *Handler) visitOf(r *http.Request) *visit {
	if v, ok := r.Context().Value(visitKey{}).(*visit); ok && v.h == h {
		return v
	}
	return &visit{h: h, r: r}
}

// identity returns the signed-in visitor, if the host says there is one.
func (v *visit) identity() (tribune.Identity, bool) {
	if !v.idDone {
		v.idDone = true
		if v.h.cfg.identity != nil {
			v.id, v.signedIn = v.h.cfg.identity(v.r)
		}
	}
	return v.id, v.signedIn
}

func (v *visit) clientAddr() string {
	if !v.clientDone {
		v.clientDone, v.client = true, v.h.computeClientAddr(v.r)
	}
	return v.client
}

func (v *visit) ownIDs() []uuid.UUID {
	if !v.ownDone {
		v.ownDone, v.own = true, v.h.idCookie(v.r, ownCookie, "own", maxOwn)
	}
	return v.own
}

func (v *visit) verifiedIDs() []uuid.UUID {
	if !v.verifiedDone {
		v.verifiedDone, v.verified = true, v.h.idCookie(v.r, verifiedCookie, "verified", maxVerified)
	}
	return v.verified
}

func (v *visit) locale(a *tribune.Article) *i18n.Locale {
	fallback := i18n.DefaultLang
	if a != nil {
		fallback = a.Lang
	}
	for i := range v.langs {
		if v.langs[i].l == nil {
			v.langs[i] = visitLang{fallback, v.h.computeLocale(v.r, fallback)}
			return v.langs[i].l
		}
		if v.langs[i].fallback == fallback {
			return v.langs[i].l
		}
	}
	return v.h.computeLocale(v.r, fallback)
}
