package main_test

import (
	"io"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune/internal/exampletest"
)

func TestHostTemplate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	db := filepath.Join(t.TempDir(), "host.db")
	base := exampletest.Start(t, exampletest.Build(t), "-addr", "127.0.0.1:0", "-db", db)
	resp, err := http.Get(base + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), "My Host")
	assert.Contains(t, string(page), "Leave a Reply")
	assert.Contains(t, string(page), `name="tribune_token"`)
	assert.Contains(t, string(page), "widget.")
}
