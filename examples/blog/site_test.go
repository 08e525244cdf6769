package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/memstore"
	"github.com/tribune-go/tribune/widget"
)

// downStore is memstore with its article reads failing, as a database
// that went away.
type downStore struct{ *memstore.Store }

var errDown = errors.New("connection refused")

func (downStore) Articles(context.Context, tribune.Span) ([]tribune.Article, error) {
	return nil, errDown
}
func (downStore) ArticleBySlug(context.Context, string) (tribune.Article, error) {
	return tribune.Article{}, errDown
}

// TestSitePagesWhenTheDatabaseIsDown: the site's own pages answer a styled
// 503 with Retry-After, and log the cause once.
func TestSitePagesWhenTheDatabaseIsDown(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	store := tribune.StoreWithTimeout(downStore{memstore.New()}, time.Second)
	s := &site{store: store, lang: "fr", loc: time.UTC, log: log}
	h, err := widget.New(store, widget.WithLanguage("fr"), widget.WithLogger(log), widget.WithLayout(s.page))
	require.NoError(t, err)
	s.comments = h
	for _, tc := range []struct {
		path, want string
		fn         http.HandlerFunc
	}{{"/", "Le site est momentanément indisponible", s.home}, {"/articles/x", "Cette page est momentanément indisponible", s.article}} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", tc.path, nil)
		req.SetPathValue("slug", "x")
		tc.fn(rec, req)
		assert.Equal(t, http.StatusServiceUnavailable, rec.Code, tc.path)
		assert.Equal(t, "5", rec.Header().Get("Retry-After"))
		assert.Contains(t, rec.Header().Get("Content-Type"), "text/html")
		assert.Contains(t, rec.Body.String(), "<html")
		assert.Contains(t, rec.Body.String(), tc.want)
		assert.Contains(t, rec.Body.String(), `class="site-header"`, "in the site's layout")
	}
	assert.Equal(t, 2, strings.Count(logs.String(), "connection refused"), "each failure logged once")

	// A post the database could not take: the site's layout shows the
	// form the widget gives back with the visitor's text.
	var page strings.Builder
	require.NoError(t, s.page(&page, httptest.NewRequest("POST", "/comments/post", nil),
		widget.Layout{Lang: "fr", Title: "Indisponible", Message: "Réessayez.", Section: `<form id="commentform"><textarea>gardé</textarea></form>`}))
	assert.Contains(t, page.String(), "<textarea>gardé</textarea>")
}

// TestAccessLogRedactsMailTokens: the access log (on by default) never
// writes the token of a mailed link, its bearer's authority.
func TestAccessLogRedactsMailTokens(t *testing.T) {
	var logs bytes.Buffer
	h := logRequests(slog.New(slog.NewTextHandler(&logs, nil)), http.NotFoundHandler())
	const tok = "mGMRU0RkRMC6cV5ZEaD3xQAAAABrGuCiAAAAAAAAAAA.Y-zOnZzI9RE7LbX6lBWUHk4J3Ns"
	for _, kind := range []string{"confirm", "manage", "unsubscribe", "moderate", "stop"} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/comments/mail/"+kind+"/"+tok+"?action=approve", nil))
	}
	if strings.Contains(logs.String(), tok) || strings.Contains(logs.String(), "approve") {
		t.Fatalf("a token in the access log:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "/comments/mail/confirm/REDACTED") {
		t.Fatalf("the request is not logged:\n%s", logs.String())
	}
}

// TestMailSiteURLMustBeHTTPS: with mail on, mailed links carry their
// reader's authority: an http site URL on a server others can reach is
// refused with a clear message, unless -insecure-site-url.
func TestMailSiteURLMustBeHTTPS(t *testing.T) {
	for _, tc := range []struct {
		site, addr string
		insecure   bool
		ok         bool
	}{
		{"https://www.example.org", "0.0.0.0:8080", false, true},
		{"http://www.example.org", "0.0.0.0:8080", false, false},
		{"http://www.example.org", ":8080", false, false},
		{"http://www.example.org", "0.0.0.0:8080", true, true},
		{"http://localhost:8080", "localhost:8080", false, true},
		{"http://127.0.0.1:8080", "127.0.0.1:8080", false, true},
		{"http://[::1]:8080", "[::1]:8080", false, true},
		{"ftp://www.example.org", "127.0.0.1:8080", false, false},
	} {
		err := checkMailSiteURL(tc.site, tc.addr, tc.insecure)
		if (err == nil) != tc.ok {
			t.Errorf("site %s on %s (insecure %v): %v", tc.site, tc.addr, tc.insecure, err)
		}
		if err != nil && !strings.Contains(err.Error(), "-site-url") {
			t.Errorf("the message names the flag: %v", err)
		}
	}
}
