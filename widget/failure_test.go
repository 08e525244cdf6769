package widget_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/memstore"
	"github.com/tribune-go/tribune/widget"
)

// failingStore is memstore with some methods failing, as a database that
// went away would.
type failingStore struct {
	*memstore.Store
	failWrites, failReads, failArticles bool
}

func (s *failingStore) FindComments(ctx context.Context, q tribune.Query) ([]tribune.Comment, error) {
	if s.failReads {
		return nil, errDown
	}
	return s.Store.FindComments(ctx, q)
}

func (s *failingStore) Article(ctx context.Context, id uuid.UUID) (tribune.Article, error) {
	if s.failArticles {
		return tribune.Article{}, errDown
	}
	return s.Store.Article(ctx, id)
}

var errDown = errors.New("database is down")

func (s *failingStore) CreateComment(ctx context.Context, c *tribune.Comment, g tribune.Guard) error {
	if s.failWrites {
		return errDown
	}
	return s.Store.CreateComment(ctx, c, g)
}

func (s *failingStore) CommentsStamp(ctx context.Context, id uuid.UUID) (tribune.Stamp, error) {
	if s.failReads {
		return 0, errDown
	}
	return s.Store.CommentsStamp(ctx, id)
}

func TestStoreFailures(t *testing.T) {
	store := &failingStore{Store: memstore.New()}
	a, err := tribune.NewArticle(tribune.ArticleInput{Slug: "otan", Title: "OTAN", Lang: "fr"})
	require.NoError(t, err)
	require.NoError(t, store.CreateArticle(context.Background(), &a))
	var logs bytes.Buffer
	h, err := widget.New(store, widget.WithLimits(widget.Limits{MinSubmitDelay: widget.Off}), widget.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	e := &env{t: t, h: h, article: a}
	mux := http.NewServeMux()
	mux.Handle("/comments/", h)
	e.srv = newServer(t, mux)

	// A write that fails answers 503 with Retry-After and a page that says
	// so, with the text kept, and the log says why without the visitor's
	// email or text.
	c := e.browser()
	store.failWrites = true
	v := valid(e.form(c), "Un texte qui ne doit pas fuiter")
	resp := e.post(c, v)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Equal(t, "5", resp.Header.Get("Retry-After"))
	failed := body(t, resp)
	assert.Contains(t, failed, "Votre commentaire n’a pas pu être enregistré pour l’instant")
	assert.Contains(t, failed, "Un texte qui ne doit pas fuiter</textarea>", "the text is kept")
	assert.Contains(t, failed, v.Get("tribune_token"), "the same submission: the token is kept")
	assert.Contains(t, logs.String(), "database is down")
	assert.Equal(t, 1, strings.Count(logs.String(), "database is down"), "logged once")
	assert.NotContains(t, logs.String(), canary)
	assert.NotContains(t, logs.String(), "fuiter")

	// The article itself cannot be read: the form still comes back whole.
	store.failArticles = true
	resp = e.post(c, v)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	failed = body(t, resp)
	assert.Contains(t, failed, "Un texte qui ne doit pas fuiter</textarea>", "the text is kept")
	assert.Contains(t, failed, `name="email"`)

	// Back up: the form sent again makes one comment, and once more lands
	// on the same one.
	store.failWrites, store.failArticles = false, false
	resp = e.post(c, v)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	first := resp.Header.Get("Location")
	resp = e.post(c, v)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, first, resp.Header.Get("Location"))
	all, err := store.FindComments(context.Background(), tribune.Query{ArticleID: a.ID})
	require.NoError(t, err)
	assert.Len(t, all, 1)

	// A read that fails: 503, not a half page.
	store.failReads = true
	status, page := e.get(c, e.pageURL())
	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Contains(t, page, "momentanément indisponible")
	assert.False(t, strings.Contains(page, "<form"), "no half-rendered page")
}
