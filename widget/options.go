package widget

import (
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
	"time"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/render"
)

// LayoutFunc renders a whole page around the article and its comment
// section: the host's layout. status is already written when it is called.
type LayoutFunc func(w io.Writer, r *http.Request, p Layout) error

// Layout is what a host's layout gets: the pieces of one whole page.
type Layout struct {
	Article *tribune.Article
	// Lang is the language of the widget's strings on this page.
	Lang string
	// Title is the page title (the article's title, or an error's).
	Title string
	// Head holds the stylesheet, script and feed links for <head>.
	Head template.HTML
	// ArticleHTML is the rendered article, Section the comment section.
	// On an article page, Section holds a placeholder that the widget
	// replaces with the section once the layout has run (so the section
	// is never copied through the layout's template): write it where the
	// section goes, as it is, as {{.Section}} does.
	ArticleHTML template.HTML
	Section     template.HTML
	// Message is set on error pages (404, 413...) that have no article.
	// A post the store could not take (503) comes with Message and, in
	// Section, the form with everything typed: a layout shows Section on
	// such pages too.
	Message string
	// HomeURL links back to the site.
	HomeURL string
	// BackURL, with BackLabel, links back to the article on an error page
	// about it (a comment page that does not exist), or is "".
	BackURL, BackLabel string
}

// WithPrefix sets the public path the handler is mounted under (default
// "/comments"): the links it writes start with it. Mount it with
// mux.Handle(prefix+"/", h), with or without http.StripPrefix(prefix, h),
// or under a router's mount (chi's Mount, gin's WrapH, echo's
// WrapHandler): requests whose path lacks the prefix are taken as
// stripped.
func WithPrefix(p string) Option {
	return func(c *config) error {
		p = "/" + strings.Trim(p, "/")
		if p == "/" || strings.ContainsAny(p, "?#{} ") {
			return fmt.Errorf("widget: bad prefix %q", p)
		}
		c.prefix = p
		return nil
	}
}

// WithSecret sets the key that signs form tokens and cookies and hashes
// client addresses: at least 32 bytes, the same on every instance behind
// one site. The default is random per process, which is fine for one
// instance (a restart then voids open forms and pending-comment cookies).
func WithSecret(key []byte) Option {
	return func(c *config) error {
		if len(key) < 32 {
			return errors.New("widget: the secret needs at least 32 bytes")
		}
		c.secret = key
		return nil
	}
}

// WithLanguage fixes the language of the widget's strings ("fr", "en").
// Without it, the visitor's Accept-Language chooses, falling back to the
// article's language.
func WithLanguage(tag string) Option {
	return func(c *config) error {
		c.lang = tag // checked in New, once the host's catalogues are in
		return nil
	}
}

// WithArticleURL tells the widget where the host shows an article, for
// redirects after a post, reply links and feeds. The default is the
// widget's own page, <prefix>/articles/<slug>.
func WithArticleURL(fn func(*tribune.Article) string) Option {
	return func(c *config) error { c.articleURL = fn; return nil }
}

// WithLayout sets the layout of whole pages: the article page the widget
// serves, and the page shown again with errors after a failed post.
func WithLayout(fn LayoutFunc) Option { return func(c *config) error { c.page = fn; return nil } }

// WithRules passes the comment rules (moderation, links, words, flood,
// required fields, reply depth, spam hook, notifier) to the Service. A
// rule that would undo the widget's wiring (tribune.WithClientKey, which
// WithSecret sets) makes New fail.
func WithRules(opts ...tribune.ServiceOption) Option {
	return func(c *config) error { c.rules = append(c.rules, opts...); return nil }
}

// WithRenderOptions passes options to the Renderer (host templates, time
// zone, cache size). An option that would undo the widget's wiring
// (render.WithMaxDepth, which follows the rules' reply depth;
// render.WithCatalog, which WithMessages builds) makes New fail.
func WithRenderOptions(opts ...render.Option) Option {
	return func(c *config) error { c.renderOpts = append(c.renderOpts, opts...); return nil }
}

// Off, given to a field of [Limits], turns its check off.
const Off = -1

// Limits are the per-client checks on posts. A zero field keeps its
// default and a negative one ([Off]) turns its check off, as a negative
// net.Dialer.KeepAlive does; the zero Limits is the defaults.
type Limits struct {
	// MinSubmitDelay refuses forms sent sooner than this after they were
	// served (default 2 s): bots are fast, people read.
	MinSubmitDelay time.Duration
	// PostsPerMinute is each client's budget of posts, with bursts of
	// Burst (default 6 a minute, bursts of 3). Only posts that pass
	// validation spend it: a visitor who mistypes is not locked out.
	// Posts refused by validation have a budget of their own, 30 a
	// minute, to bound the CPU a client can spend on them. A site with
	// several instances on one database keeps one budget for them all
	// when its store is a [tribune.Limiter].
	PostsPerMinute float64
	Burst          int
	// IPv6Prefix is how much of an IPv6 address names one client for
	// the rate limits, flood control and the stored client hash: 64
	// bits by default (what one subscriber gets), down to 48. IPv4
	// clients are keyed by their address. It cannot be turned off.
	IPv6Prefix int
}

// WithLimits sets the per-client checks on posts (see [Limits]; default
// the zero Limits).
func WithLimits(l Limits) Option {
	return func(c *config) error {
		switch {
		case l.MinSubmitDelay < 0:
			c.minDelay = 0
		case l.MinSubmitDelay > 0:
			c.minDelay = l.MinSubmitDelay
		}
		switch {
		case l.PostsPerMinute < 0:
			c.ratePerMin = 0
		case l.PostsPerMinute > 0:
			c.ratePerMin = l.PostsPerMinute
		}
		switch {
		case l.Burst < 0:
			return errors.New("widget: Limits.Burst: a burst cannot be turned off; turn PostsPerMinute off instead")
		case l.Burst > 0:
			c.rateBurst = l.Burst
		}
		switch {
		case l.IPv6Prefix == 0:
		case l.IPv6Prefix < 48 || l.IPv6Prefix > 64:
			return fmt.Errorf("widget: Limits.IPv6Prefix /%d: want /48 to /64", l.IPv6Prefix)
		default:
			c.ipv6Prefix = l.IPv6Prefix
		}
		return nil
	}
}

// WithPublicAPI turns the JSON API (<prefix>/api/…) on or off (default
// on). Its posts take the same signed, timed token as the form.
func WithPublicAPI(on bool) Option { return func(c *config) error { c.publicAPI = on; return nil } }

// WithTrustedProxies lists the proxies whose X-Forwarded-For is believed,
// as CIDR prefixes ("10.0.0.0/8", "127.0.0.1/32"). Without it the peer
// address is the client.
func WithTrustedProxies(cidrs ...string) Option {
	return func(c *config) error {
		for _, s := range cidrs {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if !strings.Contains(s, "/") {
				if a, err := netip.ParseAddr(s); err == nil {
					c.trusted = append(c.trusted, netip.PrefixFrom(a, a.BitLen()))
					continue
				}
			}
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return fmt.Errorf("widget: trusted proxy %q: %w", s, err)
			}
			c.trusted = append(c.trusted, p.Masked())
		}
		return nil
	}
}

// WithAdmin enables the moderation screen at <prefix>/admin/ for requests
// that authorize accepts (see [BasicAuth]); others get 401. Without it
// the screen does not exist.
func WithAdmin(authorize func(*http.Request) bool) Option {
	return func(c *config) error { c.admin = authorize; return nil }
}

// WithAssets layers a host's files over the built-in widget.css and
// widget.js: a file of the same name replaces the built-in one.
func WithAssets(fsys fs.FS) Option { return func(c *config) error { c.assets = fsys; return nil } }

// WithLogger sets the logger for server-side errors (default slog.Default()).
// Log lines carry comment IDs and error kinds, never an email or a body.
func WithLogger(l *slog.Logger) Option { return func(c *config) error { c.logger = l; return nil } }

// WithTrustedOrigins lets posts come from other origins, such as
// "https://www.example.org" when the widget is served from another host.
func WithTrustedOrigins(origins ...string) Option {
	return func(c *config) error { c.trustedOrigins = append(c.trustedOrigins, origins...); return nil }
}

// WithSiteURL sets the site's public address ("https://www.example.org"):
// the absolute links of the Atom feeds and of mails, the link error pages
// offer back to the site, and, for an https address, Secure on every
// cookie whatever the request says. Without it feed links are relative
// (feed readers resolve them against the feed's address), error pages
// link to "/", and a cookie is Secure when its request came over TLS or
// with X-Forwarded-Proto: https from a proxy of [WithTrustedProxies].
// Links never come from the request's Host header.
func WithSiteURL(u string) Option {
	return func(c *config) error {
		parsed, err := url.Parse(u)
		if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
			return fmt.Errorf("widget: site URL %q: want http(s)://host", u)
		}
		parsed.Path = strings.TrimSuffix(parsed.Path, "/")
		c.siteURL = parsed
		c.homeURL = parsed.String() + "/"
		c.secureCookies = parsed.Scheme == "https"
		return nil
	}
}

// WithMessages lays a host's words over the built-in catalogues, or adds
// a language: every *.json file at the root of fsys, in the built-in
// catalogues' shape (see locales/en.json), for language lang. Keys it
// does not give stay the built-in ones (for a new language, English's);
// i18n.Catalog.Gaps lists them. Give it once per language.
func WithMessages(lang string, fsys fs.FS) Option {
	return func(c *config) error { c.messages = append(c.messages, hostMessages{lang, fsys}); return nil }
}

// WithIdentity passes the host's signed-in users: fn returns the visitor's
// identity and true, or false for a visitor who is not signed in. A
// signed-in visitor's form shows "Logged in as <name>." (with a's links)
// instead of the name, email and website fields; their comment carries
// the identity's UserID; a trusted identity is published without
// ModerateFirst's hold; a moderator is published at once and sees
// approve, spam and trash buttons under each comment of the article page
// (and may use the moderation screen). With a.SignedInOnly, only
// signed-in visitors may comment.
func WithIdentity(fn func(*http.Request) (tribune.Identity, bool), a Accounts) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("widget: WithIdentity needs a function")
		}
		c.identity, c.accounts, c.noAnonymous = fn, a, a.SignedInOnly
		return nil
	}
}

// Accounts are the host's account pages, linked from the form, and
// whether only signed-in visitors may comment (see [WithIdentity]).
type Accounts struct {
	// LogIn is linked from "You must be logged in".
	LogIn string
	// Profile and LogOut follow "Logged in as <name>.".
	Profile, LogOut string
	// SignedInOnly takes comments from signed-in visitors only: others
	// see "You must be logged in to post a comment." with the log-in
	// link, and their posts are refused with 403 (default false: anyone
	// may comment).
	SignedInOnly bool
}

// keyProbe is a client address hashed to tell whether two Services share
// a client key.
const keyProbe = "192.0.2.1"

// DefaultCacheBudget is the default byte budget of all of a handler's
// caches together: half for rendered comments (the Renderer's), half for
// the rendered threads and blank forms of articles.
const DefaultCacheBudget = 64 << 20

// WithCacheBudget sets the byte budget of the handler's caches (default
// [DefaultCacheBudget]); 0 turns them off. Whatever the traffic, they hold
// one rendered thread per article, language and open or closed state,
// replaced when the article's stamp moves, and the least recently used
// entries go first. Feeds and JSON lists are streamed, not cached. A
// renderer budget given with WithRenderOptions(render.WithCacheBytes(n))
// overrides the renderer's half.
func WithCacheBudget(n int64) Option {
	return func(c *config) error {
		if n < 0 {
			return errors.New("widget: negative cache budget")
		}
		c.cacheBudget = n
		return nil
	}
}

// WithStoreTimeout sets the deadline of each store call (default
// [tribune.DefaultStoreTimeout]): a database that is down or frozen gets
// a 503 page (or JSON error) with Retry-After within that time, with the
// visitor's text kept in the form, and service resumes by itself when the
// database is back.
func WithStoreTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d <= 0 {
			return errors.New("widget: the store timeout must be positive")
		}
		c.storeTimeout = d
		return nil
	}
}
