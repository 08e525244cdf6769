// Package loadtest drives a running Tribune site (examples/blog) from
// another process the way browsers do: it GETs the article page, reads
// the form's hidden fields and keeps cookies, and POSTs the form with a
// same-origin Origin header, each visitor with its own client address
// passed through X-Forwarded-For (the site must trust 127.0.0.1 as a
// proxy). It only ever talks to loopback, and every loop is bounded in
// count and time.
//
// Three modes, each a function: [Soak] (a mix of page views and posts for
// a set time, with RSS and latency sampled), [DoubleSubmit] (every form
// sent twice at once) and [KillRounds] (SIGKILL while posting, then a
// check that every acknowledged comment is stored exactly once).
// cmd/tribune-load runs them from the command line.
package loadtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Site is the address of the site under test and where its article is.
type Site struct {
	// URL is the site's base URL, on loopback ("http://127.0.0.1:8080").
	URL string
	// ArticlePath is the article page's path ("/articles/<slug>").
	ArticlePath string
	// PostPath is where the form posts ("/comments/post").
	PostPath string
}

// CheckLoopback refuses any site that is not on this machine.
func (s Site) CheckLoopback() error {
	u, err := url.Parse(s.URL)
	if err != nil {
		return fmt.Errorf("loadtest: site URL: %w", err)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("loadtest: %s is not a loopback address: this tool only loads a server on this machine", host)
	}
	return nil
}

// Visitor is one browser: its own cookies and its own client address.
type Visitor struct {
	site   Site
	addr   string
	client *http.Client
}

// NewVisitor returns a visitor coming from the client address addr.
func NewVisitor(site Site, addr string) *Visitor {
	jar, _ := cookiejar.New(nil)
	return &Visitor{site: site, addr: addr, client: &http.Client{
		Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (v *Visitor) do(ctx context.Context, method, path string, form url.Values) (*http.Response, []byte, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, v.site.URL+path, body)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("X-Forwarded-For", v.addr)
	req.Header.Set("User-Agent", "tribune-load/1")
	req.Header.Set("Accept-Language", "fr")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", v.site.URL)
	}
	resp, err := v.client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

var hiddenRE = regexp.MustCompile(`<input type="hidden" name="([^"]+)"(?: id="[^"]*")? value="([^"]*)">`)

// Page GETs the article page and returns its status and the form's hidden
// fields (article, token, parent).
func (v *Visitor) Page(ctx context.Context) (int, url.Values, error) {
	resp, b, err := v.do(ctx, "GET", v.site.ArticlePath, nil)
	if err != nil {
		return 0, nil, err
	}
	form := url.Values{}
	for _, m := range hiddenRE.FindAllSubmatch(b, -1) {
		form.Set(string(m[1]), string(m[2]))
	}
	return resp.StatusCode, form, nil
}

// Form fills the page's form with a comment.
func Form(hidden url.Values, name, email, text string) url.Values {
	f := url.Values{}
	for k, vs := range hidden {
		f[k] = append([]string(nil), vs...)
	}
	f.Set("author", name)
	f.Set("email", email)
	f.Set("comment", text)
	return f
}

// Post sends a filled form and returns the status and, for a 303, the
// comment ID the redirect points at.
func (v *Visitor) Post(ctx context.Context, form url.Values) (int, string, error) {
	resp, _, err := v.do(ctx, "POST", v.site.PostPath, form)
	if err != nil {
		return 0, "", err
	}
	id := ""
	if resp.StatusCode == http.StatusSeeOther {
		// The comment's permalink, <prefix>/comment/<id>, or an
		// article's address at #comment-<id>.
		loc := resp.Header.Get("Location")
		if _, id, _ = strings.Cut(loc, "#comment-"); id == "" {
			_, id, _ = strings.Cut(loc, "/comment/")
		}
	}
	return resp.StatusCode, id, nil
}

// APIComment is what the JSON API lists of a comment.
type APIComment struct {
	ID   string `json:"id"`
	HTML string `json:"html"`
}

// Comments lists the article's approved comments through the JSON API.
func (v *Visitor) Comments(ctx context.Context, prefix, articleID string) ([]APIComment, error) {
	resp, b, err := v.do(ctx, "GET", prefix+"/api/articles/"+articleID+"/comments", nil)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("loadtest: API list: %s", resp.Status)
	}
	var out struct {
		Comments []APIComment `json:"comments"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("loadtest: API list: %w", err)
	}
	return out.Comments, nil
}

// clientAddr is visitor n's address, in the benchmarking range
// 198.18.0.0/15, which belongs to no one.
func clientAddr(n int) string { return fmt.Sprintf("198.%d.%d.%d", 18+(n>>16)&1, (n>>8)&255, n&255) }

// errPageWithoutForm is a page that came back without a form to post.
var errPageWithoutForm = errors.New("loadtest: the page has no form token")

// postOnce is one visitor's visit: the page, then its form filled.
func postOnce(ctx context.Context, v *Visitor, text string) (url.Values, error) {
	status, hidden, err := v.Page(ctx)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK || hidden.Get("tribune_token") == "" {
		return nil, fmt.Errorf("%w (status %d)", errPageWithoutForm, status)
	}
	return Form(hidden, "Lecteur", "lecteur@example.org", text), nil
}

// Latencies collects request durations.
type Latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

// Add records one duration.
func (l *Latencies) Add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// Take returns the durations recorded since the last Take and forgets them.
func (l *Latencies) Take() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := l.d
	l.d = nil
	return d
}
