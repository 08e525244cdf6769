// Command blog is a small French news site built only on Tribune's public
// API: the seed article with a working comment section, on an embedded
// SQLite file (or PostgreSQL), a home page with comment counts, and the
// moderation screen.
//
//	go run ./examples/blog
//
// then open http://localhost:8080/. Run it with -h for the flags.
package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // Europe/Paris without the system's zone files

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/dbopen"
	"github.com/tribune-go/tribune/outbox"
	"github.com/tribune-go/tribune/render"
	"github.com/tribune-go/tribune/smtpmail"
	"github.com/tribune-go/tribune/sqlitestore"
	"github.com/tribune-go/tribune/widget"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "blog:", err)
			os.Exit(1)
		}
	}
}

// options are the command's flags.
type options struct {
	addr, db, moderation, lang, adminPassword, adminPasswordFile, trustedProxy string
	minDelay, flood, storeTimeout                                              time.Duration
	rate, maxLinks, pageSize                                                   int
	cacheMiB                                                                   int64
	accessLog                                                                  bool
	// Mail: off without -smtp.
	smtp, smtpUser, smtpPassword, smtpTLS, mailFrom, siteURL, siteName string
	insecureSiteURL                                                    bool
	moderators                                                         []string
	mailLease                                                          time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("blog", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "localhost:8080", "address to listen on (host:port)")
	fs.StringVar(&o.db, "db", "tribune.db", dbopen.Usage)
	fs.StringVar(&o.moderation, "moderation", "first", "which comments wait for a moderator: none, first (authors without an approved comment) or all")
	fs.StringVar(&o.lang, "lang", "fr", "language of the comment section: fr or en")
	fs.StringVar(&o.adminPassword, "admin-password", os.Getenv("TRIBUNE_ADMIN_PASSWORD"),
		"password of user admin for the moderation screen (default $TRIBUNE_ADMIN_PASSWORD, which keeps it off the command line; random and printed once when no password is given)")
	fs.StringVar(&o.adminPasswordFile, "admin-password-file", "", "file whose first line is the admin password (instead of -admin-password)")
	fs.StringVar(&o.trustedProxy, "trusted-proxy", "", "comma-separated CIDR list of proxies whose X-Forwarded-For is believed")
	fs.DurationVar(&o.minDelay, "min-submit-delay", 2*time.Second, "shortest time between serving the form and accepting it (0 disables)")
	fs.IntVar(&o.rate, "rate", 6, "comments per minute per client (0 for no limit)")
	fs.DurationVar(&o.flood, "flood", 15*time.Second, "shortest time between two comments of one client or email (0 disables)")
	fs.IntVar(&o.maxLinks, "max-links", 2, "hold a comment with this many links or more (0 for no limit)")
	fs.Int64Var(&o.cacheMiB, "cache-mib", widget.DefaultCacheBudget>>20, "memory budget of the rendered-HTML caches, in MiB (0 turns them off)")
	fs.IntVar(&o.pageSize, "page-size", widget.DefaultPageSize, "top-level comments on a comment page, with their replies (0: the whole thread on one page)")
	fs.BoolVar(&o.accessLog, "access-log", true, "log every request (method, path without its query, status, duration)")
	fs.DurationVar(&o.storeTimeout, "store-timeout", tribune.DefaultStoreTimeout, "deadline of each database call; past it the visitor gets a 503 with the text kept")
	fs.BoolVar(&o.insecureSiteURL, "insecure-site-url", false, "with -smtp, allow an http -site-url on a non-loopback -addr (mailed links would then travel in clear)")
	fs.StringVar(&o.siteURL, "site-url", "", "the site's public address (https://www.example.org): absolute links in mails and feeds (default with -smtp: http://<addr>)")
	fs.StringVar(&o.smtp, "smtp", "", "SMTP server (host:port) for commenters' and moderators' mail; without it mail features stay hidden and nothing is queued")
	fs.StringVar(&o.smtpUser, "smtp-user", "", "SMTP user name (the password comes from $TRIBUNE_SMTP_PASSWORD)")
	fs.StringVar(&o.smtpTLS, "smtp-tls", "starttls", "SMTP connection security: starttls (port 587), tls (implicit, port 465) or plain (a relay on loopback only)")
	fs.StringVar(&o.mailFrom, "mail-from", "", "sender address of the mails (needed with -smtp)")
	fs.StringVar(&o.siteName, "site-name", "", "the site's name in mails (default: the site's own, in -lang)")
	fs.DurationVar(&o.mailLease, "mail-lease", 2*time.Minute, "how long a mail being sent stays this instance's before another may retry it (after a crash); each send gets half of it")
	fs.Func("moderator-email", "address mailed about each comment held for moderation (repeat the flag for several)", func(s string) error {
		if _, err := tribune.ParseEmail(s); err != nil || strings.TrimSpace(s) == "" {
			return fmt.Errorf("%q is not an email address", s)
		}
		o.moderators = append(o.moderators, s)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	switch {
	case o.lang != "fr" && o.lang != "en":
		return o, fmt.Errorf("-lang %q: want fr or en", o.lang)
	case o.minDelay < 0 || o.flood < 0 || o.rate < 0 || o.maxLinks < 0 || o.cacheMiB < 0 || o.pageSize < 0:
		return o, errors.New("-min-submit-delay, -flood, -rate, -max-links, -cache-mib and -page-size cannot be negative")
	case o.storeTimeout <= 0:
		return o, errors.New("-store-timeout must be positive")
	}
	if o.adminPasswordFile != "" {
		b, err := os.ReadFile(o.adminPasswordFile)
		if err != nil {
			return o, fmt.Errorf("-admin-password-file: %w", err)
		}
		o.adminPassword, _, _ = strings.Cut(string(b), "\n")
		o.adminPassword = strings.TrimRight(o.adminPassword, "\r")
		if o.adminPassword == "" {
			return o, errors.New("-admin-password-file: the file's first line is empty")
		}
	}
	if _, err := tribune.ParseModerationMode(o.moderation); err != nil {
		return o, fmt.Errorf("-moderation: %w", err)
	}
	if o.smtp != "" {
		if o.mailFrom == "" {
			return o, errors.New("-smtp needs -mail-from, the sender address")
		}
		if o.siteURL == "" {
			o.siteURL = "http://" + o.addr
		}
		if err := checkMailSiteURL(o.siteURL, o.addr, o.insecureSiteURL); err != nil {
			return o, err
		}
		o.smtpPassword = os.Getenv("TRIBUNE_SMTP_PASSWORD")
	} else if len(o.moderators) > 0 || o.mailFrom != "" || o.smtpUser != "" {
		return o, errors.New("-mail-from, -smtp-user and -moderator-email need -smtp")
	}
	return o, nil
}

// checkMailSiteURL refuses, with mail on, a site URL whose mailed links
// would travel in clear to a server others can reach: an http URL while
// the server listens beyond loopback, unless insecure says so.
func checkMailSiteURL(siteURL, addr string, insecure bool) error {
	u, err := url.Parse(siteURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-site-url %q: want an absolute http(s) URL", siteURL)
	}
	if u.Scheme == "https" || insecure {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() || host == "localhost" {
		return nil
	}
	return fmt.Errorf("-site-url %s: with mail on and -addr %s reachable from other machines, mailed links must be https "+
		"(they carry their reader's authority); give an https -site-url, or -insecure-site-url to allow http", siteURL, addr)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return err
	}

	openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// The memory budget covers SQLite's page cache too: a quarter of it
	// goes there, the rest to the widget's caches.
	cacheBytes := o.cacheMiB << 20
	sqliteBytes := max(cacheBytes/4, 1<<20)
	store, closeStore, err := dbopen.Open(openCtx, o.db, sqlitestore.WithTuning(sqlitestore.Tuning{CacheBytes: sqliteBytes}))
	if err != nil {
		return err
	}
	defer closeStore()
	seed, err := ensureSeed(openCtx, store, paris)
	if err != nil {
		return fmt.Errorf("storing the seed article: %w", err)
	}

	if o.adminPassword == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		o.adminPassword = hex.EncodeToString(b)
		fmt.Fprintf(stdout, "moderation screen: user admin, password %s (set -admin-password or TRIBUNE_ADMIN_PASSWORD to choose one)\n", o.adminPassword)
	}
	mode, _ := tribune.ParseModerationMode(o.moderation)
	site := &site{store: tribune.StoreWithTimeout(store, o.storeTimeout), lang: o.lang, loc: paris, log: log}
	opts := []widget.Option{
		widget.WithPrefix("/comments"),
		widget.WithLanguage(o.lang),
		widget.WithArticleURL(func(a *tribune.Article) string { return "/articles/" + a.Slug }),
		widget.WithLayout(site.page),
		widget.WithAdmin(widget.BasicAuth("admin", o.adminPassword)),
		widget.WithLimits(o.limits()),
		widget.WithLogger(log),
		widget.WithCacheBudget(cacheBytes - min(sqliteBytes, cacheBytes)),
		widget.WithPages(widget.Pages{Size: cmp.Or(o.pageSize, widget.OnePage)}),
		widget.WithStoreTimeout(o.storeTimeout),
		widget.WithRenderOptions(render.WithLocation(paris)),
		widget.WithRules(tribune.WithModeration(mode), tribune.WithFloodInterval(o.flood), tribune.WithFilters(o.filters()),
			tribune.WithNames(tribune.Names{Reserved: []string{seed.Author, "La rédaction", "Rédaction", "admin", "Administrateur", "Modération", "Moderator"}})),
	}
	if key, err := siteSecret(o.db); err != nil {
		return err
	} else if key != nil {
		opts = append(opts, widget.WithSecret(key))
	}
	if o.trustedProxy != "" {
		opts = append(opts, widget.WithTrustedProxies(strings.Split(o.trustedProxy, ",")...))
	}
	if o.siteURL != "" {
		opts = append(opts, widget.WithSiteURL(o.siteURL))
	}
	var ob *outbox.Outbox
	if o.smtp != "" {
		if ob, err = newOutbox(store, o, log); err != nil {
			return err
		}
		name := o.siteName
		if name == "" {
			name = chrome[o.lang]["site"]
		}
		opts = append(opts, widget.WithMail(ob, widget.Mail{SiteName: name, Moderators: o.moderators}))
	}
	comments, err := widget.New(store, opts...)
	if err != nil {
		return err
	}
	site.comments = comments
	if ob != nil {
		// The outbox sends what is queued, here and in every other
		// instance on the same database, until shutdown.
		mailCtx, stopMail := context.WithCancel(ctx)
		mailDone := make(chan struct{})
		go func() { _ = ob.Run(mailCtx); close(mailDone) }()
		defer func() { stopMail(); <-mailDone }()
	}

	mux := http.NewServeMux()
	mux.Handle("/comments/", comments)
	mux.HandleFunc("GET /{$}", site.home)
	mux.HandleFunc("GET /articles/{slug}", site.article)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(staticFiles())))

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	// The site's own pages are compressed as the widget's are.
	var handler http.Handler = widget.Compress(mux)
	if o.accessLog {
		handler = logRequests(log, handler)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
	log.Info("listening", "url", "http://"+ln.Addr().String()+"/", "article", "/articles/"+seed.Slug,
		"admin", "/comments/admin/", "db", dbopen.Label(o.db))
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// In-flight requests get a few seconds to finish; a slow upload that
	// does not is cut off. Either way the server stops cleanly.
	log.Info("shutting down")
	shutCtx, cancelShut := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancelShut()
	if err := srv.Shutdown(shutCtx); err != nil {
		log.Warn("requests still running at shutdown were cut off", "err", err)
		_ = srv.Close()
	}
	return nil
}

// newOutbox is the mail queue in the store, sent through the SMTP server.
func newOutbox(store tribune.Store, o options, log *slog.Logger) (*outbox.Outbox, error) {
	sec, err := smtpmail.ParseSecurity(o.smtpTLS)
	if err != nil {
		return nil, fmt.Errorf("-smtp-tls: %w", err)
	}
	m, err := smtpmail.New(smtpmail.Config{Addr: o.smtp, Security: sec, Username: o.smtpUser, Password: o.smtpPassword,
		From: o.mailFrom, Timeout: o.mailLease / 2})
	if err != nil {
		return nil, err
	}
	return outbox.New(store, m, outbox.Config{Logger: log, Lease: o.mailLease})
}

// shutdownGrace is how long in-flight requests may run after SIGTERM.
const shutdownGrace = 5 * time.Second

// siteSecret is the key that signs forms and cookies: $TRIBUNE_SECRET,
// or, on SQLite, a random one kept beside the database (mode 0600) so
// that a restart keeps open forms and pending-comment cookies valid. On
// PostgreSQL without $TRIBUNE_SECRET it is nil: the widget makes one per
// process and says so (instances sharing the database need one secret).
func siteSecret(db string) ([]byte, error) {
	if key := os.Getenv("TRIBUNE_SECRET"); key != "" {
		if len(key) < 32 {
			return nil, errors.New("TRIBUNE_SECRET needs at least 32 bytes")
		}
		return []byte(key), nil
	}
	if dbopen.Kind(db) != "sqlite" {
		return nil, nil
	}
	path := db + ".secret"
	if key, err := os.ReadFile(path); err == nil && len(key) >= 32 {
		return key, nil
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	key = []byte(hex.EncodeToString(key))
	if err := os.WriteFile(path, key, 0o600); err != nil {
		return nil, fmt.Errorf("writing the site secret: %w", err)
	}
	return key, nil
}

// logRequests logs method, path (no query: it may hold personal data),
// status and duration.
func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		log.Info("request", "method", r.Method, "path", widget.RedactPath(r.URL.Path), "status", rec.status, "duration", time.Since(start).Round(time.Microsecond))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int)        { s.status = code; s.ResponseWriter.WriteHeader(code) }
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// WriteString passes strings on without a copy, as net/http's writer
// takes them.
func (s *statusRecorder) WriteString(str string) (int, error) {
	return io.WriteString(s.ResponseWriter, str)
}

// limits are the widget's per-client checks from the flags, where 0 turns
// a check off.
func (o options) limits() widget.Limits {
	l := widget.Limits{MinSubmitDelay: o.minDelay, PostsPerMinute: float64(o.rate), Burst: 3}
	if o.minDelay == 0 {
		l.MinSubmitDelay = widget.Off
	}
	if o.rate == 0 {
		l.PostsPerMinute = widget.Off
	}
	return l
}

// filters are the content rules from the flags, where a -max-links of 0
// turns the links rule off.
func (o options) filters() tribune.Filters {
	if o.maxLinks == 0 {
		return tribune.Filters{MaxLinks: -1}
	}
	return tribune.Filters{MaxLinks: o.maxLinks}
}
