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
	failWrites, failReads bool
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
	h, err := widget.New(store, widget.WithMinSubmitDelay(0), widget.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	e := &env{t: t, h: h, article: a}
	mux := http.NewServeMux()
	mux.Handle("/comments/", h)
	e.srv = newServer(t, mux)

	// A write that fails answers 500 with a page that says so, and the log
	// says why without the visitor's email or text.
	c := e.browser()
	store.failWrites = true
	v := valid(e.form(c), "Un texte qui ne doit pas fuiter")
	resp := e.post(c, v)
	require.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	failed := body(t, resp)
	assert.Contains(t, failed, "Une erreur interne est survenue")
	assert.Contains(t, failed, "Un texte qui ne doit pas fuiter</textarea>", "the text is kept")
	assert.Contains(t, logs.String(), "database is down")
	assert.NotContains(t, logs.String(), canary)
	assert.NotContains(t, logs.String(), "fuiter")

	// A read that fails: 500, not a half page.
	store.failReads = true
	status, page := e.get(c, e.pageURL())
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.False(t, strings.Contains(page, "<form"), "no half-rendered page")
}
