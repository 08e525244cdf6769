package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Seed posts n comments to the site's article through its form, each
// from its own visitor: seven in ten top-level, the others replies to
// one of the 20 comments before them (at the top level when that one is
// too deep to take a reply).
// It returns the IDs of the comments, in the order they were posted.
func Seed(ctx context.Context, site Site, n int) ([]string, error) {
	rng := rand.New(rand.NewPCG(uint64(n), 11))
	var ids []string
	for i := range n {
		v := NewVisitor(site, clientAddr(i+1000))
		form, err := postOnce(ctx, v, fmt.Sprintf("Commentaire %d : très bonne synthèse, mais la vraie question reste celle du financement.", i))
		if err != nil {
			return nil, err
		}
		if len(ids) > 0 && rng.IntN(10) >= 7 {
			form.Set("comment_parent", ids[len(ids)-1-rng.IntN(min(len(ids), 20))])
		}
		status, id, err := v.Post(ctx, form)
		if err != nil {
			return nil, err
		}
		if status == http.StatusUnprocessableEntity && form.Get("comment_parent") != "" {
			// A reply beyond the depth limit: post it at the top level.
			form.Set("comment_parent", "")
			if status, id, err = v.Post(ctx, form); err != nil {
				return nil, err
			}
		}
		if status != http.StatusSeeOther || id == "" {
			return nil, fmt.Errorf("loadtest: seed: comment %d answered %d", i, status)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// Fetch GETs a page as a browser without compression would and returns
// its body and content type.
func Fetch(ctx context.Context, url string, gzip bool) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return nil, nil, err
	}
	if gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	tr := &http.Transport{DisableCompression: true}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("loadtest: GET %s: %s", url, resp.Status)
	}
	return b, resp.Header, err
}

// Plain serves body on a new loopback port, as a plain net/http server
// writing the same bytes (with the same Content-Type and
// Content-Encoding, so a gzipped page is sent as it was gzipped in
// advance): the yardstick of the rate mode. It returns the base URL and
// a function that stops it.
func Plain(body []byte, contentType, contentEncoding string) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		if contentEncoding != "" {
			w.Header().Set("Content-Encoding", contentEncoding)
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		_, _ = w.Write(body)
	})}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// RateResult is what a rate run measured.
type RateResult struct {
	Requests int
	Errors   int
	PerSec   float64
	P50, P99 time.Duration
}

func (r RateResult) String() string {
	return fmt.Sprintf("%.0f req/s, p50 %.2f ms, p99 %.2f ms (%d requests, %d errors)", r.PerSec, ms(r.P50), ms(r.P99), r.Requests, r.Errors)
}

// Rate GETs url from clients connections at once for d and measures the
// rate, reading the bytes as sent, as wrk would; with gzip, each request
// asks for gzip as a browser does.
func Rate(ctx context.Context, url string, clients int, d time.Duration, gzip bool) (RateResult, error) {
	return RateOf(ctx, []string{url}, clients, d, gzip, http.StatusOK)
}

// RateOf is Rate over several URLs (connection i asks for urls[i %
// len(urls)]: several instances of one site) answering want (a redirect
// is not followed).
func RateOf(ctx context.Context, urls []string, clients int, d time.Duration, gzip bool, want int) (RateResult, error) {
	tr := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var lat Latencies
	var n, errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := range clients {
		url := urls[i%len(urls)]
		wg.Go(func() {
			for ctx.Err() == nil {
				t := time.Now()
				req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
				if gzip {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != want {
					errs.Add(1)
				}
				n.Add(1)
				lat.Add(time.Since(t))
			}
		})
	}
	wg.Wait()
	return result(&lat, int(n.Load()), int(errs.Load()), time.Since(start)), nil
}

func result(lat *Latencies, n, errs int, el time.Duration) RateResult {
	ds := lat.Take()
	return RateResult{Requests: n, Errors: errs, PerSec: float64(n) / el.Seconds(),
		P50: Percentile(ds, 50), P99: Percentile(ds, 99)}
}

// Posts has clients visitors post comments at once for d, each from an
// address of its own every time (so no per-client budget refuses them):
// each reads the page for a form, then posts it; only the post is timed.
// A post that is not a 303 is an error. sites are the instances, visitor
// i posting to sites[i % len(sites)].
func Posts(ctx context.Context, sites []Site, clients int, d time.Duration) (RateResult, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var lat Latencies
	var n, errs, next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := range clients {
		site := sites[i%len(sites)]
		wg.Go(func() {
			for ctx.Err() == nil {
				k := int(next.Add(1))
				v := NewVisitor(site, clientAddr(k+200000))
				form, err := postOnce(ctx, v, fmt.Sprintf("Mesure %d : un commentaire envoyé pendant la charge.", k))
				if err != nil {
					if ctx.Err() == nil {
						errs.Add(1)
					}
					continue
				}
				t := time.Now()
				status, _, err := v.Post(ctx, form)
				if ctx.Err() != nil {
					break
				}
				if err != nil || status != http.StatusSeeOther {
					errs.Add(1)
				}
				n.Add(1)
				lat.Add(time.Since(t))
			}
		})
	}
	wg.Wait()
	return result(&lat, int(n.Load()), int(errs.Load()), time.Since(start)), nil
}

var wrkRate = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)

// Wrk runs wrk against url, if it is installed, and returns its rate;
// with gzip, asking for gzip as a browser does.
func Wrk(ctx context.Context, url string, clients int, d time.Duration, gzip bool) (float64, string, error) {
	bin, err := exec.LookPath("wrk")
	if err != nil {
		return 0, "", errors.New("loadtest: wrk is not installed (apt-get install wrk)")
	}
	threads := min(clients, 2)
	args := []string{"-t", strconv.Itoa(threads), "-c", strconv.Itoa(clients), "-d", d.String(), "--latency"}
	if gzip {
		args = append(args, "-H", "Accept-Encoding: gzip")
	}
	out, err := exec.CommandContext(ctx, bin, append(args, url)...).CombinedOutput()
	if err != nil {
		return 0, string(out), fmt.Errorf("loadtest: wrk: %w", err)
	}
	m := wrkRate.FindSubmatch(out)
	if m == nil {
		return 0, string(out), errors.New("loadtest: wrk printed no rate")
	}
	f, _ := strconv.ParseFloat(string(m[1]), 64)
	return f, strings.TrimSpace(string(out)), nil
}
