package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestImportExportCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "site.db")
	wxr := "../../importer/testdata/wordpress-1.2.xml"

	code, out, _ := cli(t, "import", "-db", db, "-dry-run", wxr)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "would import (dry run: nothing written): 8 (4 approved, 1 pending, 1 spam, 2 trash), 2 of them replies")
	assert.Contains(t, out, "skipped, pingback: 1")

	code, out, _ = cli(t, "import", "-db", db, wxr)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "articles: 0 matched, 2 created")
	assert.Contains(t, out, "comments imported: 8 (4 approved, 1 pending, 1 spam, 2 trash), 2 of them replies")
	assert.Contains(t, out, "replies whose parent is missing, now top-level: 1")
	assert.NotContains(t, out, "claire@example.org", "the report names no address")

	code, out, _ = cli(t, "import", "-db", db, wxr)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "already imported before: 8")

	// Export, import into an empty database, export again: the same file.
	code, first, _ := cli(t, "export", "-db", db, "-format", "json")
	require.Equal(t, 0, code)
	path := filepath.Join(dir, "export.json")
	require.NoError(t, os.WriteFile(path, []byte(first), 0o600))
	other := filepath.Join(dir, "other.db")
	code, out, _ = cli(t, "import", "-db", other, path)
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "(tribune)")
	code, second, _ := cli(t, "export", "-db", other, "-format", "json")
	require.Equal(t, 0, code)
	assert.Equal(t, first, second)

	code, mine, _ := cli(t, "export", "-db", db, "-format", "json", "-email", "claire@example.org")
	require.Equal(t, 0, code)
	assert.Equal(t, 2, strings.Count(mine, `"email":"claire@example.org"`))
	assert.NotContains(t, mine, "marc.un@example.org")

	code, x, _ := cli(t, "export", "-db", db, "-format", "wxr", "-site-url", "https://courrier.example.org")
	require.Equal(t, 0, code)
	assert.Contains(t, x, `xmlns:wp="http://wordpress.org/export/1.2/"`)
	assert.Contains(t, x, "<wp:comment_approved>spam</wp:comment_approved>")
}

func TestCommandErrors(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "site.db")
	code, _, errs := cli(t, "import", "-db", db, "../../importer/testdata/malformed.xml")
	assert.Equal(t, 1, code, "a bad file")
	assert.Contains(t, errs, "malformed.xml:8:", "the message names the file and the line")
	code, _, errs = cli(t, "import", "-db", filepath.Join(dir, "no", "such", "dir.db"), "../../importer/testdata/disqus.xml")
	assert.Equal(t, 1, code, "a bad database")
	assert.NotEmpty(t, errs)
	for _, args := range [][]string{{}, {"frobnicate"}, {"import"}, {"import", "-format", "xml", "x"}, {"export"},
		{"export", "-format", "csv"}, {"export", "-format", "json", "-email", "nope"}, {"import", "-map", "nothing", "x"}} {
		code, _, errs := cli(t, args...)
		assert.Equal(t, 2, code, "%v: %s", args, errs)
	}
	code, _, help := cli(t, "-h")
	assert.Equal(t, 0, code)
	for _, s := range []string{"import", "export", "wxr", "disqus", "remark42", "isso", "comentario", "commento", "tribune", "-dry-run", "Exit status"} {
		assert.Contains(t, help, s)
	}
	code, _, help = cli(t, "import", "-h")
	assert.Equal(t, 0, code)
	for _, s := range []string{"-db", "-format", "-dry-run", "-map", "-batch"} {
		assert.Contains(t, help, s)
	}
}

// TestMapSplitsAtTheLastEquals: the README's own example maps a URL
// with a query (its "=" is the URL's) to a slug.
func TestMapSplitsAtTheLastEquals(t *testing.T) {
	m := mapFlag{}
	require.NoError(t, m.Set("https://old.example.org/?p=7=nouveau-slug"))
	require.NoError(t, m.Set(" ancien = nouveau "))
	assert.Equal(t, mapFlag{"https://old.example.org/?p=7": "nouveau-slug", "ancien": "nouveau"}, m)
	for _, bad := range []string{"sans-egal", "=x", "x=", "https://a/?p=7="} {
		assert.Error(t, m.Set(bad), bad)
	}
}
