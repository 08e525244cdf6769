package main_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune/internal/exampletest"
)

func TestMinimal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example")
	}
	base := exampletest.Start(t, exampletest.Build(t), "-addr", "127.0.0.1:0")
	resp, err := http.Get(base + "/")
	require.NoError(t, err)
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(page), "Hello, Tribune")
	assert.Contains(t, string(page), `<form action="/comments/post"`)
}
