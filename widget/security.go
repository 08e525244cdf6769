package widget

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/time/rate"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/lru"
)

// sign returns a MAC of the parts under the handler's secret, scoped by
// purpose so a value signed for one use is worthless for another.
func (h *Handler) sign(purpose string, parts ...string) string {
	m := hmac.New(sha256.New, h.cfg.secret)
	m.Write([]byte(purpose))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:20])
}

func (h *Handler) verify(mac, purpose string, parts ...string) bool {
	return hmac.Equal([]byte(mac), []byte(h.sign(purpose, parts...)))
}

// Form tokens carry the time the form was served, a random nonce that
// makes each form's token its own (it is the submission's idempotency
// key), and the article it is for: "<unix ms>.<nonce>.<mac>".
const tokenField = "tribune_token"

// honeypotField is the decoy field: hidden by CSS, filled only by bots.
const honeypotField = "tribune_homepage"

func (h *Handler) formToken(articleID uuid.UUID, now time.Time) string {
	ts := strconv.FormatInt(now.UnixMilli(), 10)
	var n [12]byte
	_, _ = rand.Read(n[:])
	nonce := base64.RawURLEncoding.EncodeToString(n[:])
	return ts + "." + nonce + "." + h.sign("form", articleID.String(), ts, nonce)
}

var (
	errTokenBad     = errors.New("widget: bad form token")
	errTokenExpired = errors.New("widget: form token expired")
	errTooFast      = errors.New("widget: form sent too quickly")
)

func (h *Handler) checkToken(tok string, articleID uuid.UUID, now time.Time) error {
	ts, rest, ok := strings.Cut(tok, ".")
	nonce, mac, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || len(ts) > 20 || len(nonce) != 16 || !h.verify(mac, "form", articleID.String(), ts, nonce) {
		return errTokenBad
	}
	ms, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errTokenBad
	}
	age := now.Sub(time.UnixMilli(ms))
	switch {
	case age > h.cfg.tokenTTL:
		return errTokenExpired
	case age < h.cfg.minDelay:
		return errTooFast
	}
	return nil
}

// adminToken protects the moderation forms on top of the authorization
// hook and the cross-origin check. It is signed and tied to the day (a
// page stays usable across midnight), not to a session: the widget keeps
// no sessions.
func (h *Handler) adminToken(now time.Time) string {
	day := strconv.FormatInt(now.Unix()/86400, 10)
	return day + "." + h.sign("admin", day)
}

func (h *Handler) checkAdminToken(tok string, now time.Time) bool {
	day, mac, ok := strings.Cut(tok, ".")
	if !ok || !h.verify(mac, "admin", day) {
		return false
	}
	d, err := strconv.ParseInt(day, 10, 64)
	today := now.Unix() / 86400
	return err == nil && (d == today || d == today-1)
}

// Cookies.
const (
	ownCookie      = "tribune_own"    // the IDs of the visitor's own comments, newest first, signed
	rememberCookie = "tribune_author" // name, email, website, with consent
	maxOwn         = 20
)

func (h *Handler) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		Secure: h.overTLS(r), SameSite: http.SameSiteLaxMode}
}

// overTLS reports whether the visitor's request came over TLS: to this
// server, or to a trusted proxy in front that says so with
// X-Forwarded-Proto (from any other peer the header is ignored).
func (h *Handler) overTLS(r *http.Request) bool {
	if h.cfg.secureCookies || r.TLS != nil {
		return true
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !h.trusted(peer.Unmap()) {
		return false
	}
	proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
	return strings.EqualFold(strings.TrimSpace(proto), "https")
}

// ownIDs reads the signed list of the visitor's own comments: the
// pending ones they alone see, and the proof that they are a returning
// commenter.
func (h *Handler) ownIDs(r *http.Request) []uuid.UUID { return h.visitOf(r).ownIDs() }

// viewer is who the request comes from, for the visibility rule: the
// comments its own-comments cookie names, and whether a moderator signed
// in with the host.
func (h *Handler) viewer(r *http.Request) tribune.Viewer {
	id, signedIn := h.identity(r)
	return tribune.Viewer{Own: h.ownIDs(r), Moderator: signedIn && id.Moderator}
}

func (h *Handler) addOwn(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	h.addToIDCookie(w, r, ownCookie, "own", maxOwn, 30*24*3600, id)
}

// idCookie reads a cookie that holds a signed list of IDs, newest first:
// "<id>.<id>…~<mac>". A cookie that is too long or badly signed is none.
func (h *Handler) idCookie(r *http.Request, name, purpose string, most int) []uuid.UUID {
	c, err := r.Cookie(name)
	if err != nil || len(c.Value) > 2048 {
		return nil
	}
	list, mac, ok := strings.Cut(c.Value, "~")
	if !ok || !h.verify(mac, purpose, list) {
		return nil
	}
	var out []uuid.UUID
	for _, s := range strings.Split(list, ".") {
		if id, err := uuid.Parse(s); err == nil && len(out) < most {
			out = append(out, id)
		}
	}
	return out
}

// addToIDCookie puts id first in a signed list of IDs, keeping the most
// recent ones.
func (h *Handler) addToIDCookie(w http.ResponseWriter, r *http.Request, name, purpose string, most, maxAge int, id uuid.UUID) {
	ids := []uuid.UUID{id}
	for _, x := range h.idCookie(r, name, purpose, most) {
		if x != id && len(ids) < most {
			ids = append(ids, x)
		}
	}
	parts := make([]string, len(ids))
	for i, x := range ids {
		parts[i] = x.String()
	}
	list := strings.Join(parts, ".")
	http.SetCookie(w, h.cookie(r, name, list+"~"+h.sign(purpose, list), maxAge))
}

// remembered are the details kept with the visitor's consent.
type remembered struct {
	Name    string `json:"n"`
	Email   string `json:"e"`
	Website string `json:"w"`
}

func (h *Handler) readRemembered(r *http.Request) (remembered, bool) {
	c, err := r.Cookie(rememberCookie)
	if err != nil || len(c.Value) > 2048 {
		return remembered{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return remembered{}, false
	}
	var v remembered
	if json.Unmarshal(raw, &v) != nil {
		return remembered{}, false
	}
	// The cookie is the visitor's own, but hostile all the same: keep it
	// only if it would pass validation.
	if _, err := tribune.NewCommentWithRequired(tribune.CommentInput{Name: v.Name, Email: v.Email, Website: v.Website, Body: "x"}, nil); err != nil {
		return remembered{}, false
	}
	return v, true
}

func (h *Handler) setRemembered(w http.ResponseWriter, r *http.Request, v remembered) {
	raw, _ := json.Marshal(v)
	http.SetCookie(w, h.cookie(r, rememberCookie, base64.RawURLEncoding.EncodeToString(raw), 365*24*3600))
}

func (h *Handler) forgetRemembered(w http.ResponseWriter, r *http.Request) {
	if _, err := r.Cookie(rememberCookie); err == nil {
		http.SetCookie(w, h.cookie(r, rememberCookie, "", -1))
	}
}

// clientAddr is the visitor's network, the key of every per-client rule
// (rate limits, flood control, the stored client hash): the peer's
// address, or the nearest untrusted address of X-Forwarded-For when the
// peer is a trusted proxy; an IPv4 address as it is, an IPv6 one as its
// prefix (a /64 by default, Limits.IPv6Prefix), since one subscriber gets a
// whole /64 and rotating inside it must not make new clients.
func (h *Handler) clientAddr(r *http.Request) string { return h.visitOf(r).clientAddr() }

func (h *Handler) computeClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	peer = peer.Unmap()
	if h.trusted(peer) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0 && i >= len(hops)-32; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break // a forged or broken hop: trust nothing further left
			}
			a = a.Unmap()
			peer = a
			if !h.trusted(a) {
				break
			}
		}
	}
	return h.network(peer)
}

// network is the client key of an address.
func (h *Handler) network(a netip.Addr) string {
	if a.Is4() {
		return a.String()
	}
	p, err := a.WithZone("").Prefix(h.cfg.ipv6Prefix)
	if err != nil {
		return a.String()
	}
	return p.String()
}

func (h *Handler) trusted(a netip.Addr) bool {
	for _, p := range h.cfg.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// maxTrackedClients bounds each limiter's memory: past it the least
// recently seen clients are forgotten first.
const maxTrackedClients = 50000

// limiter keeps one token bucket per client in a bounded LRU: memory does
// not grow with the number of addresses a flood comes from, and no call
// scans the clients.
type limiter struct {
	limit   rate.Limit
	burst   int
	clients *lru.Cache[string, *rate.Limiter]
}

func newLimiter(l rate.Limit, burst int) *limiter {
	const bucketBytes = 96 // a rate.Limiter and its key, roughly
	return &limiter{limit: l, burst: burst,
		clients: lru.New[string, *rate.Limiter](maxTrackedClients*(bucketBytes+lru.EntryOverhead), func(*rate.Limiter) int64 { return bucketBytes })}
}

func (l *limiter) bucket(client string) *rate.Limiter {
	if b, ok := l.clients.Get(client); ok {
		return b
	}
	b := rate.NewLimiter(l.limit, l.burst)
	l.clients.Put(client, b)
	return b
}

// allow spends one token of the client's budget if it has one, and
// otherwise says when it will.
func (l *limiter) allow(client string, now time.Time) (bool, time.Duration) {
	res := l.bucket(client).ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// exhausted reports, without spending anything, whether the client has no
// token left now, and when it will.
func (l *limiter) exhausted(client string, now time.Time) (bool, time.Duration) {
	b := l.bucket(client)
	if b.TokensAt(now) >= 1 {
		return false, 0
	}
	res := b.ReserveN(now, 1)
	d := res.DelayFrom(now)
	res.CancelAt(now)
	return true, d
}

// BasicAuth returns an authorization hook for [WithAdmin] that accepts
// HTTP Basic credentials user and password, compared in constant time.
func BasicAuth(user, password string) func(*http.Request) bool {
	want := sha256.Sum256([]byte(user + "\x00" + password))
	return func(r *http.Request) bool {
		u, p, ok := r.BasicAuth()
		if !ok {
			return false
		}
		got := sha256.Sum256([]byte(u + "\x00" + p))
		return hmac.Equal(got[:], want[:])
	}
}
