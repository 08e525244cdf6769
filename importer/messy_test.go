package importer_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/importer"
)

// TestWordPressAsWordPressWritesIt: entities decoded once, emoji and
// Persian names kept, a bare "&" read, hidden posts left out and counted,
// local dates at their post's offset, registered users kept, a post
// without its ID found by its link, a reply to another post's comment and
// dates out of range reported.
func TestWordPressAsWordPressWritesIt(t *testing.T) {
	s := sqliteStore(t)
	rep := importOne(t, s, "testdata/wordpress-messy.xml", importer.Options{})
	assert.Equal(t, 2, rep.ArticlesCreated, "the private, protected and trashed posts make no article")
	assert.Equal(t, 6, rep.Imported[tribune.StatusApproved])
	assert.Equal(t, map[string]int{"post protected by a password": 1, "post private": 1, "post trash": 1}, rep.Skipped)
	notes := strings.Join(rep.Notes, "\n")

	a, err := s.ArticleBySlug(t.Context(), "bonjour")
	require.NoError(t, err)
	assert.Equal(t, "Bonjour tout le monde\u00a0! Tom & Jerry", a.Title, "entities decoded once")
	_, err = s.ArticleBySlug(t.Context(), "abonnes")
	assert.ErrorIs(t, err, tribune.ErrNotFound, "a protected post is no public article")

	cs := all(t, s)
	tom := find(t, cs, "esperluette")
	assert.Equal(t, "Tom & Jerry", tom.AuthorName)
	assert.Equal(t, "https://tom.example.org/?a=1&b=2", tom.Website, "a bare & outside CDATA is read")
	anna := find(t, cs, "Un cœur")
	assert.Equal(t, "Anna ❤️", anna.AuthorName)
	zoe := find(t, cs, "sans date GMT")
	assert.Equal(t, "Zoë 👩\u200d💻", zoe.AuthorName)
	assert.Equal(t, anna.ID, zoe.ParentID, "the reply keeps its parent")
	assert.True(t, zoe.Created.Equal(time.Date(2026, 2, 12, 11, 30, 0, 0, time.UTC)), "the local date at the post's +01:00: %v", zoe.Created)
	assert.Contains(t, notes, "comment 203: no GMT date (0000-00-00 00:00:00): the local date with its post's offset (+01:00)")
	assert.Equal(t, "wordpress:7", zoe.UserID, "a registered user is kept for the host to map")
	assert.Empty(t, tom.UserID)

	epoch := find(t, cs, "époque Unix")
	assert.True(t, epoch.Created.Equal(a.Published), "1970 is out of range: dated like its article")
	future := find(t, cs, "Daté du futur")
	assert.True(t, future.Created.Equal(a.Published), "2099 too")
	assert.Contains(t, notes, "comment 204: no usable date")
	assert.Contains(t, notes, "comment 205: date 2099-01-01T00:00:00Z out of range")
	assert.Equal(t, "می\u200cخواهم", future.AuthorName, "a Persian name with its ZWNJ")
	assert.Equal(t, uuid.Nil, future.ParentID, "its parent is under another post")
	assert.Contains(t, notes, "comment 205: its parent 301 is under another article; it is now a top-level comment")

	paul := find(t, cs, "sans wp:post_id")
	noID, err := s.Article(t.Context(), paul.ArticleID)
	require.NoError(t, err)
	assert.Equal(t, "sans-identifiant", noID.Slug, "a post without wp:post_id, known by its ?p=12 link")
	for _, c := range cs {
		assert.NotContains(t, c.Body, "Sous un article p", "no comment of a hidden post")
		assert.NotContains(t, c.Body, "corbeille")
	}

	again := importOne(t, s, "testdata/wordpress-messy.xml", importer.Options{})
	assert.Equal(t, 6, again.AlreadyThere, "a re-run adds nothing")
}

// TestTrulyMalformedWXRIsStillRefused: the lenient mode reads a bare
// "&", not a broken file.
func TestTrulyMalformedWXRIsStillRefused(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"mismatched.xml": `<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:post_id>1</wp:post_id><title>x</item></channel></rss>`,
		"truncated.xml":  `<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:post_id>1</wp:post_id>`,
	} {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
		s := sqliteStore(t)
		_, err := importer.Import(t.Context(), s, []string{path}, importer.Options{Format: "wxr"})
		var fe *importer.FileError
		assert.ErrorAs(t, err, &fe, name)
		assert.Empty(t, all(t, s), name)
	}
}

// TestDisqusOrphansDoNotRefuseTheFile: a post whose thread was deleted,
// or is declared after it, is left out and counted as an orphan.
func TestDisqusOrphansDoNotRefuseTheFile(t *testing.T) {
	s := sqliteStore(t)
	rep := importOne(t, s, "testdata/disqus-orphans.xml", importer.Options{})
	assert.Equal(t, 1, rep.Total())
	assert.Equal(t, 2, rep.Skipped["orphan: its article is not in the file"])
	assert.Equal(t, 2, rep.Orphans)
	assert.Contains(t, strings.Join(rep.Notes, "\n"), "comment 101: its article is not in the file")
	find(t, all(t, s), "Sur un fil qui existe")
}

// TestMapSplitsAtTheLastEquals is in cmd/tribune; the importer's -map
// matching of a URL with a query is here.
func TestMapMatchesAURLWithAQuery(t *testing.T) {
	s := sqliteStore(t)
	mine, err := tribune.NewArticle(tribune.ArticleInput{Title: "Nouveau", Slug: "nouveau-slug", Published: time.Now()})
	require.NoError(t, err)
	require.NoError(t, s.CreateArticle(t.Context(), &mine))
	rep := importOne(t, s, "testdata/wordpress-messy.xml", importer.Options{
		Map: map[string]string{"https://courrier.example.org/?p=12": "nouveau-slug"}})
	assert.Equal(t, 1, rep.ArticlesMatched)
	assert.Equal(t, mine.ID, find(t, all(t, s), "sans wp:post_id").ArticleID)
}

// issoDB writes an Isso-shaped database with the statements given after
// its threads table.
func issoDB(t *testing.T, stmts ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "isso.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	for _, q := range append([]string{
		`CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256))`,
		`INSERT INTO threads VALUES (1, '/2026/02/12/reunion-otan/', 'Réunion')`,
	}, stmts...) {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
	return path
}

// TestIssoRecursiveViewIsRefused: a "comments" that is a view (here a
// recursive one that never ends) is not read at all.
func TestIssoRecursiveViewIsRefused(t *testing.T) {
	path := issoDB(t, `CREATE VIEW comments AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n)
		SELECT 1 AS tid, x AS id, NULL AS parent, 1770886800.0 AS created, NULL AS modified, 1 AS mode,
		'boucle' AS text, 'Bot' AS author, NULL AS email, NULL AS website FROM n`)
	s := sqliteStore(t)
	done := make(chan error, 1)
	go func() {
		_, err := importer.Import(t.Context(), s, []string{path}, importer.Options{Format: "isso"})
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.Contains(t, err.Error(), "is a view, not a table")
	case <-time.After(10 * time.Second):
		t.Fatal("the import of a recursive view did not stop")
	}
	assert.Empty(t, all(t, s))
}

// TestIssoBadDates: NaN, infinite, zero and far-future dates are
// reported and replaced, as a missing date is.
func TestIssoBadDates(t *testing.T) {
	path := issoDB(t, `CREATE TABLE comments (tid INTEGER, id INTEGER PRIMARY KEY, parent INTEGER, created FLOAT NOT NULL,
			modified FLOAT, mode INTEGER, text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR)`,
		`INSERT INTO comments VALUES (1, 1, NULL, 1770886800, NULL, 1, 'Bien daté.', 'Ana', NULL, NULL)`,
		`INSERT INTO comments VALUES (1, 2, NULL, 0, NULL, 1, 'Date nulle.', 'Bo', NULL, NULL)`,
		`INSERT INTO comments VALUES (1, 3, NULL, 1e300, NULL, 1, 'Date lointaine.', 'Cy', NULL, NULL)`,
		`INSERT INTO comments VALUES (1, 4, NULL, 4102444800, NULL, 1, 'En 2100.', 'Di', NULL, NULL)`,
		`INSERT INTO comments VALUES (1, 5, NULL, 9e999, NULL, 1, 'Infinie.', 'Ed', NULL, NULL)`)
	s := sqliteStore(t)
	rep := importOne(t, s, path, importer.Options{})
	assert.Equal(t, 5, rep.Total())
	assert.Equal(t, 4, rep.BadDates)
	cs := all(t, s)
	good := find(t, cs, "Bien daté")
	for _, text := range []string{"Date nulle", "Date lointaine", "En 2100", "Infinie"} {
		assert.True(t, find(t, cs, text).Created.Equal(good.Created), "%s: dated like its article (its first comment)", text)
	}
}

// TestHostileFilesAreBounded: a JSON string, a JSON comment or an XML
// CDATA section larger than MaxValueBytes refuses the file, naming where,
// without holding it; a comment body over the store's limit but within
// it is reported and skipped; a file with more comments than allowed is
// refused in the checking pass.
func TestHostileFilesAreBounded(t *testing.T) {
	defer importer.SetValueLimit(512 << 10)()
	const limit = 512 << 10
	dir := t.TempDir()
	big := strings.Repeat("x", limit+1024)
	files := map[string]string{
		"string.json": `{"version":1,"comments":[{"commentHex":"a","domain":"d","url":"/u","html":"` + big + `"}],"commenters":[]}`,
		"object.json": `{"version":1,"comments":[{"commentHex":"a","domain":"d","url":"/u","junk":[` + strings.Repeat(`"y",`, limit/4) + `"y"]}],"commenters":[]}`,
		"cdata.xml":   `<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:post_id>1</wp:post_id><wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content><![CDATA[` + big + `]]></wp:comment_content></wp:comment></item></channel></rss>`,
		"text.xml":    `<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:post_id>1</wp:post_id><title>` + big + `</title></item></channel></rss>`,
	}
	for name, body := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
		s := sqliteStore(t)
		format := "commento"
		if strings.HasSuffix(name, ".xml") {
			format = "wxr"
		}
		_, err := importer.Import(t.Context(), s, []string{path}, importer.Options{Format: format})
		var fe *importer.FileError
		require.ErrorAs(t, err, &fe, name)
		assert.Contains(t, err.Error(), "more than 512 KiB", name)
		assert.Empty(t, all(t, s), name)
	}

	// A body of 400 KiB: over the store's limit, within the reader's.
	long := `{"version":1,"comments":[{"commentHex":"a","domain":"d","url":"/u","commenterHex":"anonymous","html":"<p>court</p>","creationDate":"2026-02-12T09:00:00Z","state":"approved"},` +
		`{"commentHex":"b","domain":"d","url":"/u","commenterHex":"anonymous","html":"<p>` + strings.Repeat("long ", 80_000) + `</p>","creationDate":"2026-02-12T10:00:00Z","state":"approved"}],"commenters":[]}`
	path := filepath.Join(dir, "long.json")
	require.NoError(t, os.WriteFile(path, []byte(long), 0o600))
	s := sqliteStore(t)
	rep := importOne(t, s, path, importer.Options{Format: "commento"})
	assert.Equal(t, 1, rep.Total())
	assert.Equal(t, 1, rep.Skipped["invalid"])
	assert.Contains(t, strings.Join(rep.Notes, "\n"), "comment b skipped")

	_, err := importer.Import(t.Context(), sqliteStore(t), []string{"testdata/wordpress-messy.xml"}, importer.Options{MaxComments: 3})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "more than 3 comments in one file")
}

// TestFileChangedBetweenPassesIsRefused: the file checked is the file
// written.
func TestFileChangedBetweenPassesIsRefused(t *testing.T) {
	b, err := os.ReadFile("testdata/wordpress-messy.xml")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "export.xml")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	s := sqliteStore(t)
	changed := false
	_, err = importer.Import(t.Context(), s, []string{path}, importer.Options{Progress: func(p importer.Progress) {
		if p.Pass == 1 && !changed {
			changed = true // an export still being written
			require.NoError(t, os.WriteFile(path, append(b, []byte("\n<!-- more -->")...), 0o600))
		}
	}})
	require.True(t, changed, "the progress hook ran in the checking pass")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the file changed while it was read")
	assert.Empty(t, all(t, s), "nothing is written")
}
