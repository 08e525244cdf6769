// Command tribune-load loads examples/blog from another process the way
// browsers do, on loopback only, and prints what it measured.
//
//	go build -o /tmp/blog ./examples/blog
//	go run ./cmd/tribune-load -server /tmp/blog -mode soak -duration 60s
//	go run ./cmd/tribune-load -server /tmp/blog -mode double -forms 200
//	go run ./cmd/tribune-load -server /tmp/blog -mode kill -rounds 10
//	go run ./cmd/tribune-load -server /tmp/blog -mode rate -comments 1000 -duration 10s
//
// With -server it starts the site itself on a new SQLite file (or on the
// database -server-args names), trusting 127.0.0.1 as its proxy so that
// every visitor has its own client address, approving comments at once
// and without the 2-second minimum delay; it samples the server's RSS.
// With -url instead it loads a site already running (it must trust
// 127.0.0.1 as a proxy, and -pid gives its process for RSS).
//
// Modes: soak (90 % page views, 10 % posts for -duration, a sample every
// -interval), double (every form sent twice at once: one comment each),
// kill (SIGKILL at a random moment of each round while posting, restart,
// resend the unanswered forms, then check every acknowledged comment is
// stored exactly once), rate (post -comments comments through the form,
// then GET the article's first comment page for -duration from -clients
// connections, and the same bytes from a plain net/http server on
// another loopback port, with the built-in client or, with -wrk, with
// wrk; prints both rates and their ratio, then the rate and latency of a
// permalink's redirect and of posts from -clients visitors at once;
// -instances N starts N servers on one database and spreads the load over
// them). Exit status 1 when a check fails.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/tribune-go/tribune/internal/loadtest"
)

const articlePath = "/articles/reunion-des-ministres-de-la-defense-de-l-otan-a-bruxelles-vers-une-otan-plus"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tribune-load:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tribune-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "soak", "soak, double, kill or rate")
	bin := fs.String("server", "", "examples/blog binary to start (and kill, in -mode kill)")
	serverArgs := fs.String("server-args", "", "extra arguments for the server, space-separated (for example -db postgres://…)")
	base := fs.String("url", "", "a site already running on loopback, instead of -server")
	pid := fs.Int("pid", 0, "with -url: the server's process ID, for RSS")
	duration := fs.Duration("duration", 60*time.Second, "soak: how long")
	interval := fs.Duration("interval", 10*time.Second, "soak: time between samples")
	clients := fs.Int("clients", 8, "soak: visitors at once")
	postShare := fs.Float64("posts", 0.1, "soak: share of requests that post")
	forms := fs.Int("forms", 200, "double: forms, each sent twice")
	rounds := fs.Int("rounds", 10, "kill: SIGKILL rounds")
	writers := fs.Int("writers", 8, "kill: visitors posting at once")
	seedN := fs.Int("comments", 1000, "rate: comments to post before measuring")
	useWrk := fs.Bool("wrk", false, "rate: measure with wrk (apt-get install wrk) instead of the built-in client")
	useGzip := fs.Bool("gzip", false, "rate: ask for gzip, as a browser does (the plain server then sends the page gzipped in advance)")
	instances := fs.Int("instances", 1, "rate: instances of -server on one database, the load spread over them (for example -server-args '-db postgres://…')")
	pagePath := fs.String("path", articlePath, "rate: the page to measure (the blog's article page; /comments/articles/<slug> is the widget's own)")
	verbose := fs.Bool("v", false, "print the server's log")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var srv *loadtest.Server
	if *bin != "" {
		dir, err := os.MkdirTemp("", "tribune-load-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		srv = &loadtest.Server{Bin: *bin, Env: []string{"TRIBUNE_SECRET=" + hex.EncodeToString(secret), "TRIBUNE_ADMIN_PASSWORD=" + hex.EncodeToString(secret[:8])},
			Args: append([]string{"-addr", "127.0.0.1:0", "-db", filepath.Join(dir, "load.db"), "-moderation", "none",
				"-trusted-proxy", "127.0.0.1/32", "-min-submit-delay", "0"}, strings.Fields(*serverArgs)...)}
		if *verbose {
			srv.Log = stderr
		}
	} else if *base == "" || *mode == "kill" {
		return errors.New("give -server (a built examples/blog), or -url for soak and double")
	}
	start := func() (loadtest.Site, error) {
		if srv == nil {
			return loadtest.Site{URL: strings.TrimSuffix(*base, "/"), ArticlePath: articlePath, PostPath: "/comments/post"}, nil
		}
		if err := srv.Start(); err != nil {
			return loadtest.Site{}, err
		}
		*pid = srv.PID()
		return loadtest.Site{URL: srv.URL, ArticlePath: articlePath, PostPath: "/comments/post"}, nil
	}
	stopServer := func() error {
		if srv == nil {
			return nil
		}
		code, err := srv.Stop()
		if err == nil && code != 0 {
			err = fmt.Errorf("the server exited with status %d after SIGTERM", code)
		}
		return err
	}

	switch *mode {
	case "soak":
		site, err := start()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "soak: %s, %d visitors, %.0f %% posts, against %s\n", *duration, *clients, *postShare*100, site.URL)
		samples, err := loadtest.Soak(ctx, site, loadtest.SoakConfig{Duration: *duration, Interval: *interval, Clients: *clients,
			PostShare: *postShare, PID: *pid}, func(s loadtest.Sample) { fmt.Fprintln(stdout, s) })
		if err != nil {
			return err
		}
		errs := 0
		for _, s := range samples {
			errs += s.Errors
		}
		if err := stopServer(); err != nil {
			return err
		}
		if errs > 0 {
			return fmt.Errorf("%d server errors during the soak", errs)
		}
	case "double":
		site, err := start()
		if err != nil {
			return err
		}
		res, err := loadtest.DoubleSubmit(ctx, site, "/comments", *forms)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "double submit: %d forms sent twice at once, %d comments stored, %d pairs answered differently\n", res.Forms, res.Stored, res.Mismatched)
		if err := stopServer(); err != nil {
			return err
		}
		if res.Stored != res.Forms || res.Mismatched != 0 {
			return errors.New("a form was not stored exactly once")
		}
	case "kill":
		res, err := loadtest.KillRounds(ctx, srv, "/comments", *rounds, *writers, articlePath)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "kill: %d SIGKILL rounds, %d comments acknowledged (%d of them resent after a kill cut their answer), %d lost, %d stored twice\n",
			res.Rounds, res.Acknowledged, res.Resent, res.Lost, res.Doubled)
		if res.Lost+res.Doubled > 0 {
			return errors.New("an acknowledged comment was lost or stored twice")
		}
	case "rate":
		site, err := start()
		if err != nil {
			return err
		}
		sites := []loadtest.Site{site}
		for range *instances - 1 {
			if srv == nil {
				return errors.New("-instances needs -server")
			}
			more := &loadtest.Server{Bin: srv.Bin, Args: srv.Args, Env: srv.Env, Log: srv.Log}
			if err := more.Start(); err != nil {
				return err
			}
			defer func() { _, _ = more.Stop() }()
			sites = append(sites, loadtest.Site{URL: more.URL, ArticlePath: articlePath, PostPath: "/comments/post"})
		}
		if err := rate(ctx, stdout, sites, *pagePath, *seedN, *clients, *duration, *useWrk, *useGzip); err != nil {
			return err
		}
		if err := stopServer(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("-mode %q: want soak, double, kill or rate", *mode)
	}
	return nil
}

// rate seeds the article, then measures its page against a plain server
// sending the same bytes, then the latency of a permalink and of a post.
// With several sites (instances of one site on one database), the load
// is spread over them.
func rate(ctx context.Context, stdout io.Writer, sites []loadtest.Site, path string, comments, clients int, d time.Duration, useWrk, gzip bool) error {
	for _, s := range sites {
		if err := s.CheckLoopback(); err != nil {
			return err
		}
	}
	site := sites[0]
	var ids []string
	if comments > 0 {
		fmt.Fprintf(stdout, "rate: posting %d comments through the form…\n", comments)
		var err error
		if ids, err = loadtest.Seed(ctx, site, comments); err != nil {
			return err
		}
	}
	urls := func(p string) []string {
		var out []string
		for _, s := range sites {
			out = append(out, s.URL+p)
		}
		return out
	}
	page := site.URL + path
	body, hdr, err := loadtest.Fetch(ctx, page, gzip)
	if err != nil {
		return err
	}
	if gzip && hdr.Get("Content-Encoding") != "gzip" {
		return errors.New("rate: the page came back without gzip")
	}
	plain, stop, err := loadtest.Plain(body, hdr.Get("Content-Type"), hdr.Get("Content-Encoding"))
	if err != nil {
		return err
	}
	defer stop()
	fmt.Fprintf(stdout, "rate: page 1 is %d bytes as sent (Content-Encoding %q); %d connections, %s each, %d instance(s)\n", len(body), hdr.Get("Content-Encoding"), clients, d, len(sites))
	// Warm both up, then measure each in turn.
	if _, err := loadtest.Rate(ctx, page, clients, time.Second, gzip); err != nil {
		return err
	}
	measure := func(us ...string) (float64, string, error) {
		if useWrk && len(us) == 1 {
			return loadtest.Wrk(ctx, us[0], clients, d, gzip)
		}
		r, err := loadtest.RateOf(ctx, us, clients, d, gzip, 200)
		return r.PerSec, r.String(), err
	}
	tribune, tline, err := measure(urls(path)...)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "tribune: %s\n", firstLines(tline))
	base, bline, err := measure(plain + "/")
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "plain net/http, same bytes: %s\n", firstLines(bline))
	fmt.Fprintf(stdout, "ratio: %.2f (%.0f / %.0f req/s)\n", tribune/base, tribune, base)
	if len(ids) == 0 {
		return nil
	}
	perma, err := loadtest.RateOf(ctx, urls("/comments/comment/"+ids[len(ids)/2]), clients, d, false, 302)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "permalink (302 to its page): %s\n", perma)
	posts, err := loadtest.Posts(ctx, sites, clients, d)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "posts (form read, then timed POST and its 303), %d visitors at once: %s\n", clients, posts)
	if perma.Errors+posts.Errors > 0 {
		return fmt.Errorf("%d permalinks and %d posts answered otherwise", perma.Errors, posts.Errors)
	}
	return nil
}

// firstLines keeps a wrk report short: its rate and latency lines.
func firstLines(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "Requests/sec") || strings.HasPrefix(t, "Latency") || strings.HasPrefix(t, "50%") || strings.HasPrefix(t, "99%") || !strings.Contains(s, "\n") {
			keep = append(keep, t)
		}
	}
	return strings.Join(keep, "; ")
}
