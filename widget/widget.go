// Package widget is Tribune's HTTP adapter: one http.Handler that runs the
// whole comment flow — the comment section, posting and replying without
// JavaScript, moderation, a JSON API, Atom feeds, CSS and a small optional
// script — under any prefix of a host's server.
//
//	store, _ := sqlitestore.Open(ctx, "tribune.db")
//	h, _ := widget.New(store, widget.WithPrefix("/comments"), widget.WithSecret(key))
//	mux.Handle("/comments/", h)
//
// A host that renders its own pages places the comment section with
// [Handler.SectionHTML] and the head links with [Handler.HeadHTML]; one
// that does not lets the widget serve article pages at <prefix>/articles/<slug>.
//
// Everything that is a rule about comments lives in tribune.Service; the
// widget adds only what is HTTP: parsing, cross-origin and token checks,
// the honeypot, rate limits, cookies and redirects.
package widget

import (
	"crypto/rand"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/internal/lru"
	"github.com/tribune-go/tribune/outbox"
	"github.com/tribune-go/tribune/render"
)

// Handler serves the comment flow. Build it with [New]; once built it never
// changes and is safe for concurrent use.
type Handler struct {
	cfg      config
	svc      *tribune.Service
	store    tribune.Store
	renderer *render.Renderer
	mux      *http.ServeMux
	assets   *assets
	limiter  *budget // posts that pass validation; nil when Limits.PostsPerMinute is Off
	invalid  *budget // posts refused by validation: CPU spent on them
	guesses  *budget // failed moderation logins
	// pacer is the store's Pace when the budgets live in the store
	// (several instances on one database), else nil.
	pacer     tribune.Limiter
	lastPurge atomic.Int64 // UnixNano of the last purge of ended limits this instance started
	cop       *http.CrossOriginProtection
	pages     *template.Template
	cache     *lru.Cache[cacheKey, cacheEntry] // nil when the budget is 0
	book      tribune.AddressBook              // nil when mail is off
	uses      tribune.Limiter                  // the store's; set when mail is on
}

type config struct {
	prefix         string
	secret         []byte
	lang           string
	articleURL     func(*tribune.Article) string
	pageSize       int
	newestFirst    bool
	lastPageFirst  bool
	noCompression  bool
	page           LayoutFunc
	rules          []tribune.ServiceOption
	renderOpts     []render.Option
	minDelay       time.Duration
	tokenTTL       time.Duration
	ratePerMin     float64
	rateBurst      int
	trusted        []netip.Prefix
	maxBody        int64
	admin          func(*http.Request) bool
	assets         fs.FS
	logger         *slog.Logger
	homeURL        string
	trustedOrigins []string
	messages       []hostMessages
	identity       func(*http.Request) (tribune.Identity, bool)
	accounts       Accounts
	now            func() time.Time
	noAnonymous    bool
	secureCookies  bool
	ipv6Prefix     int
	publicAPI      bool
	cacheBudget    int64
	storeTimeout   time.Duration
	siteURL        *url.URL
	outbox         *outbox.Outbox
	mail           Mail
	moderators     []tribune.Email
	dailyReplies   int
	editWindow     time.Duration
	tagSeed        []byte // what starts every ETag (see etag.go)
}

// Option configures [New].
type Option func(*config) error

type hostMessages struct {
	lang string
	fsys fs.FS
}

// The budgets of invalid posts and of failed moderation logins, per client.
const (
	invalidPostsPerMinute = 30
	invalidPostsBurst     = 30
	adminGuessesPerMinute = 10
)

// maxFormBytes caps request bodies: a 65,525-byte comment URL-encoded at
// three bytes a byte, every other field at its limit, and room to spare, so
// that a comment several times too long still gets the 422 page with its
// text kept; only bigger bodies get 413.
const maxFormBytes = 1 << 20

// New returns a Handler over store.
func New(store tribune.Store, opts ...Option) (*Handler, error) {
	cfg := config{
		prefix: "/comments", minDelay: 2 * time.Second, tokenTTL: 24 * time.Hour,
		ratePerMin: 6, rateBurst: 3, maxBody: maxFormBytes, homeURL: "/", cacheBudget: DefaultCacheBudget,
		ipv6Prefix: 64, publicAPI: true, pageSize: DefaultPageSize,
		storeTimeout: tribune.DefaultStoreTimeout, editWindow: DefaultEditWindow,
	}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	if cfg.secret == nil {
		cfg.secret = make([]byte, 32)
		if _, err := rand.Read(cfg.secret); err != nil {
			return nil, err
		}
		cfg.logger.Warn("tribune: widget.New without WithSecret uses a random key of this process: " +
			"forms, pending-comment cookies and flood control will not carry over to another instance or a restart")
	}
	if cfg.articleURL == nil {
		prefix := cfg.prefix
		cfg.articleURL = func(a *tribune.Article) string { return prefix + "/articles/" + a.Slug }
	}
	_, hasLimiter := store.(tribune.Limiter)
	store = tribune.StoreWithTimeout(store, cfg.storeTimeout)
	rules := append([]tribune.ServiceOption{tribune.WithClientKey(cfg.secret)}, cfg.rules...)
	var notifier *mailNotifier
	var book tribune.AddressBook
	if cfg.outbox != nil {
		if cfg.siteURL == nil {
			return nil, errors.New("widget: WithMail needs WithSiteURL: mails carry absolute links")
		}
		var err error
		if _, err = outbox.QueueOf(store); err == nil {
			book, err = tribune.Addresses(store)
		}
		if err != nil {
			return nil, fmt.Errorf("widget: WithMail needs a store with an outbox and an address book: %w", err)
		}
		if !hasLimiter {
			return nil, errors.New("widget: WithMail needs a store with a Limiter (single-use links, per-recipient budgets)")
		}
		notifier = &mailNotifier{}
		// Addresses can be proved now: ModerateFirst trusts an address
		// only from a browser that proved it.
		rules = append(rules, tribune.WithProvenAddresses(true), tribune.WithNotifier(notifier))
	}
	svc, err := tribune.NewService(store, rules...)
	if err != nil {
		return nil, err
	}
	// One clock for all: the rules' (tribune.WithClock, for tests).
	cfg.now = svc.Now
	// The widget's own wiring is not undone by what WithRules passes on:
	// the client key comes from WithSecret.
	if own, err := tribune.NewService(store, tribune.WithClientKey(cfg.secret)); err != nil ||
		own.HashClient(keyProbe) != svc.HashClient(keyProbe) {
		return nil, errors.New("widget: WithRules(tribune.WithClientKey(…)) conflicts with WithSecret, from which the widget derives the client key")
	}
	catalog := i18n.DefaultCatalog()
	for _, m := range cfg.messages {
		if catalog, err = catalog.WithMessages(m.lang, m.fsys); err != nil {
			return nil, fmt.Errorf("widget: %w", err)
		}
	}
	if cfg.lang != "" && !catalog.Has(cfg.lang) {
		return nil, fmt.Errorf("widget: no catalogue for language %q", cfg.lang)
	}
	r, err := render.New(append([]render.Option{render.WithMaxDepth(svc.MaxDepth()),
		render.WithCacheBytes(cfg.cacheBudget / 2), render.WithCatalog(catalog)}, cfg.renderOpts...)...)
	if err != nil {
		return nil, err
	}
	// Nor by what WithRenderOptions passes on: the reply depth is the
	// Service's, the catalogue WithMessages's.
	switch {
	case r.MaxDepth() != svc.MaxDepth():
		return nil, fmt.Errorf("widget: WithRenderOptions(render.WithMaxDepth(%d)) conflicts with the rules' reply depth %d: set it once, with WithRules(tribune.WithReplyDepth(…))", r.MaxDepth(), svc.MaxDepth())
	case r.Catalog() != catalog:
		return nil, errors.New("widget: WithRenderOptions(render.WithCatalog(…)) conflicts with the widget's catalogue: add words with WithMessages")
	}
	as, err := newAssets(cfg.assets)
	if err != nil {
		return nil, err
	}
	cfg.tagSeed = cfg.makeTagSeed()
	h := &Handler{cfg: cfg, svc: svc, store: store, renderer: r, assets: as, pages: pageTemplates, book: book}
	if book != nil {
		h.uses = store.(tribune.Limiter) // the wrapper's, over the store's checked above
	}
	if notifier != nil {
		notifier.h = h
	}
	if cfg.cacheBudget > 0 {
		h.cache = lru.New[cacheKey, cacheEntry](cfg.cacheBudget-cfg.cacheBudget/2, cacheEntry.size)
	}
	h.pacer = sharedPacer(store)
	if cfg.ratePerMin > 0 {
		h.limiter = h.newBudget("post", cfg.ratePerMin, cfg.rateBurst)
	}
	h.invalid = h.newBudget("invalid", invalidPostsPerMinute, invalidPostsBurst)
	h.guesses = h.newBudget("login", adminGuessesPerMinute, adminGuessesPerMinute)
	h.cop = http.NewCrossOriginProtection()
	for _, o := range cfg.trustedOrigins {
		if err := h.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("widget: trusted origin: %w", err)
		}
	}
	h.cop.SetDenyHandler(http.HandlerFunc(h.crossOriginDenied))
	h.routes()
	return h, nil
}

// identity returns the signed-in visitor, if the host says there is one
// (asked once a request: see [visit]).
func (h *Handler) identity(r *http.Request) (tribune.Identity, bool) { return h.visitOf(r).identity() }

// Service returns the Service the handler submits through, for hosts that
// also post comments from their own code.
func (h *Handler) Service() *tribune.Service { return h.svc }

// Renderer returns the handler's Renderer.
func (h *Handler) Renderer() *render.Renderer { return h.renderer }

// Prefix returns the path the handler is mounted under.
func (h *Handler) Prefix() string { return h.cfg.prefix }

// ArticleURL returns where the article is shown.
func (h *Handler) ArticleURL(a *tribune.Article) string { return h.cfg.articleURL(a) }

func (h *Handler) routes() {
	m := http.NewServeMux()
	p := h.cfg.prefix
	post := func(fn http.HandlerFunc) http.Handler { return h.cop.Handler(fn) }
	m.Handle("POST "+p+"/post", post(h.servePost))
	m.HandleFunc("GET "+p+"/articles/{slug}", h.serveArticlePage)
	m.HandleFunc("GET "+p+"/comment/{id}", h.servePermalink)
	m.HandleFunc("GET "+p+"/static/{name}", h.serveAsset)
	m.HandleFunc("GET "+p+"/feed.atom", h.serveSiteFeed)
	m.HandleFunc("GET "+p+"/feed/{slug}", h.serveArticleFeed)
	if h.cfg.publicAPI {
		m.HandleFunc("GET "+p+"/api/articles/{id}/comments", h.apiComments)
		m.HandleFunc("GET "+p+"/api/articles/{id}/token", h.apiToken)
		m.Handle("POST "+p+"/api/articles/{id}/comments", post(h.apiPost))
		m.HandleFunc("GET "+p+"/api/counts", h.apiCounts)
	}
	m.HandleFunc("GET "+p+"/admin/{$}", h.serveAdmin)
	m.Handle("POST "+p+"/admin/{$}", post(h.serveAdminPost))
	if h.cfg.editWindow > 0 {
		m.HandleFunc("GET "+p+"/comment/{id}/edit", h.serveEdit)
		m.Handle("POST "+p+"/comment/{id}/edit", post(h.serveEditPost))
		m.Handle("POST "+p+"/comment/{id}/delete", post(h.serveDeletePost))
	}
	if h.book != nil {
		m.HandleFunc("GET "+p+"/mail/confirm/{token}", h.serveConfirm)
		m.Handle("POST "+p+"/mail/confirm/{token}", post(h.serveConfirm))
		// Unsubscribing is one click from the mail reader (RFC 8058): a
		// POST from the mail provider, with no cookie and no origin of
		// ours. The signed token is the whole authority, and all it can
		// do is stop mail.
		m.HandleFunc("GET "+p+"/mail/stop/{token}", h.serveStopAll)
		m.HandleFunc("POST "+p+"/mail/stop/{token}", h.serveStopAll)
		m.HandleFunc("GET "+p+"/mail/unsubscribe/{token}", h.serveUnsubscribe)
		m.HandleFunc("POST "+p+"/mail/unsubscribe/{token}", h.serveUnsubscribe)
		m.HandleFunc("GET "+p+"/mail/moderate/{token}", h.serveModerateLink)
		m.Handle("POST "+p+"/mail/moderate/{token}", post(h.serveModerateLink))
		m.HandleFunc("GET "+p+"/mail/manage", h.serveManageRequest)
		m.Handle("POST "+p+"/mail/manage", post(h.serveManageRequest))
		m.HandleFunc("GET "+p+"/mail/manage/{token}", h.serveManage)
		m.Handle("POST "+p+"/mail/manage/{token}", post(h.serveManage))
	}
	h.mux = m
}

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hdr := w.Header()
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	if p := r.URL.Path; p != h.cfg.prefix && !strings.HasPrefix(p, h.cfg.prefix+"/") {
		// Mounted behind http.StripPrefix: the path arrives without the
		// prefix, which the links the widget writes still carry.
		r2 := new(http.Request)
		*r2 = *r
		u := *r.URL
		u.Path = h.cfg.prefix + "/" + strings.TrimPrefix(p, "/")
		u.RawPath = ""
		r2.URL = &u
		r = r2
	}
	r = h.withVisit(r)
	if h.cfg.noCompression {
		h.mux.ServeHTTP(&methodWriter{ResponseWriter: w, h: h, r: r}, r)
		return
	}
	cw := newCompressWriter(w, r)
	defer cw.close()
	h.mux.ServeHTTP(&methodWriter{ResponseWriter: cw, h: h, r: r}, r)
}

// methodWriter turns the mux's own plain-text 404 and 405 answers into the
// widget's pages; the widget's handlers write HTML and pass through.
type methodWriter struct {
	http.ResponseWriter
	h       *Handler
	r       *http.Request
	swallow bool
}

func (m *methodWriter) WriteHeader(code int) {
	plain := strings.HasPrefix(m.Header().Get("Content-Type"), "text/plain")
	if (code == http.StatusMethodNotAllowed || code == http.StatusNotFound) && plain && !m.swallow {
		m.swallow = true
		key := "widget.not_found"
		if code == http.StatusMethodNotAllowed {
			key = "widget.method"
		}
		m.Header().Del("X-Content-Type-Options")
		m.h.setPageHeaders(m.ResponseWriter)
		m.Header().Set("X-Content-Type-Options", "nosniff")
		m.ResponseWriter.WriteHeader(code)
		l := m.h.locale(m.r, nil)
		_ = m.h.layout(m.ResponseWriter, m.r, Layout{Lang: l.Tag(), Title: l.T("widget.error_title"), Message: l.T(key),
			Head: m.h.HeadHTML(nil), HomeURL: m.h.cfg.homeURL})
		return
	}
	m.ResponseWriter.WriteHeader(code)
}

func (m *methodWriter) Write(b []byte) (int, error) {
	if m.swallow {
		return len(b), nil
	}
	return m.ResponseWriter.Write(b)
}

// WriteString passes strings through without a copy when the underlying
// writer can take them, as net/http's does.
func (m *methodWriter) WriteString(s string) (int, error) {
	if m.swallow {
		return len(s), nil
	}
	return io.WriteString(m.ResponseWriter, s)
}

func (m *methodWriter) Unwrap() http.ResponseWriter { return m.ResponseWriter }

// locale picks the language for a request: the configured one, else
// Accept-Language, else the article's (worked out once a request: see
// [visit]).
func (h *Handler) locale(r *http.Request, a *tribune.Article) *i18n.Locale {
	return h.visitOf(r).locale(a)
}

func (h *Handler) computeLocale(r *http.Request, fallback string) *i18n.Locale {
	catalog := h.renderer.Catalog()
	if h.cfg.lang != "" {
		return catalog.Locale(h.cfg.lang)
	}
	return catalog.Match(r.Header.Get("Accept-Language"), fallback)
}

// contentSecurityPolicy allows only the site's own resources: no inline
// script or style anywhere in the widget.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' https: data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"

func (h *Handler) setPageHeaders(w http.ResponseWriter) {
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Content-Security-Policy", contentSecurityPolicy)
	hdr.Set("Cache-Control", "private, no-store")
}

// now is the handler's clock: its Service's (tribune.WithClock).
func (h *Handler) now() time.Time { return h.cfg.now() }
