package widget_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMountUnderChi mounts the widget with chi's Mount, which passes the
// whole path on, as gin's WrapH and echo's WrapHandler do.
func TestMountUnderChi(t *testing.T) {
	e := newEnv(t)
	r := chi.NewRouter()
	r.Get("/", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("host home")) })
	r.Mount("/comments", e.h)
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	for _, path := range []string{"/comments/articles/otan", "/comments/feed/otan", "/comments/api/articles/" + e.article.ID.String() + "/comments"} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
	}
	e.srv = srv
	c := e.browser()
	resp := e.post(c, valid(e.form(c), "posté à travers chi"))
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Location"), "/comments/comment/")
}
