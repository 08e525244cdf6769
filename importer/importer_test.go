package importer_test

import (
	"bytes"
	"compress/gzip"
	"database/sql"
	"errors"
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
	"github.com/tribune-go/tribune/sqlitestore"
)

func sqliteStore(t testing.TB) tribune.Store {
	t.Helper()
	s, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "site.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func importOne(t *testing.T, s tribune.Store, file string, opts importer.Options) importer.FileReport {
	t.Helper()
	reps, err := importer.Import(t.Context(), s, []string{file}, opts)
	require.NoError(t, err)
	require.Len(t, reps, 1)
	return reps[0]
}

// all returns every comment of the store, by author and text for the
// assertions.
func all(t *testing.T, s tribune.Store) []tribune.Comment {
	t.Helper()
	cs, err := s.FindComments(t.Context(), tribune.Query{})
	require.NoError(t, err)
	return cs
}

func find(t *testing.T, cs []tribune.Comment, text string) tribune.Comment {
	t.Helper()
	for _, c := range cs {
		if strings.Contains(c.Body, text) {
			return c
		}
	}
	t.Fatalf("no comment holds %q", text)
	return tribune.Comment{}
}

func TestWXR(t *testing.T) {
	s := sqliteStore(t)
	rep := importOne(t, s, "testdata/wordpress-1.2.xml", importer.Options{})
	assert.Equal(t, "wxr", rep.Format)
	assert.Equal(t, 2, rep.ArticlesCreated, "the page without comments is not created")
	assert.Equal(t, map[tribune.Status]int{tribune.StatusApproved: 4, tribune.StatusPending: 1, tribune.StatusSpam: 1, tribune.StatusTrash: 2}, rep.Imported)
	assert.Equal(t, 2, rep.Replies)
	assert.Equal(t, map[string]int{"pingback": 1, "trackback": 1}, rep.Skipped)
	assert.Equal(t, 1, rep.Orphans)
	assert.Equal(t, 2, rep.BadDates)
	assert.Equal(t, 1, rep.Fixed)

	a, err := s.ArticleBySlug(t.Context(), "reunion-otan")
	require.NoError(t, err)
	assert.Equal(t, "Réunion des ministres de la Défense de l’OTAN", a.Title)
	assert.Equal(t, "fr", a.Lang)
	assert.True(t, a.Published.Equal(time.Date(2026, 2, 12, 8, 0, 0, 0, time.UTC)))
	old, err := s.ArticleBySlug(t.Context(), "ancien")
	require.NoError(t, err)
	assert.True(t, old.CommentsClosed)

	cs := all(t, s)
	claire := find(t, cs, "Synthèse claire")
	assert.Equal(t, "claire@example.org", claire.Email.Address())
	assert.Equal(t, "https://claire.example.org", claire.Website)
	assert.Contains(t, claire.Body, `<a href="https://www.nato.int/" rel="nofollow ugc">`, "typed text gets its paragraphs and links, as WordPress shows it")
	assert.Contains(t, claire.Body, "<p>Synthèse claire, merci.</p>")
	assert.True(t, claire.Created.Equal(time.Date(2026, 2, 12, 9, 5, 0, 0, time.UTC)), "the GMT date")
	assert.Empty(t, claire.Meta.ClientHash, "the author's IP is not kept")

	reply := find(t, cs, "sur le constat")
	assert.Equal(t, claire.ID, reply.ParentID)
	assert.NotContains(t, reply.Body, "script", "the comment policy runs again")
	deeper := find(t, cs, "écrite avant elle")
	assert.Equal(t, reply.ID, deeper.ParentID, "a reply that comes before its parent in the file keeps it")
	assert.NotEqual(t, reply.Email.Address(), deeper.Email.Address(), "two authors named Marc stay two")

	held := find(t, cs, "Tenu pour")
	assert.Equal(t, tribune.StatusPending, held.Status)
	assert.True(t, held.Email.IsZero(), "an invalid address is dropped")
	assert.True(t, held.Created.Equal(time.Date(2026, 2, 12, 11, 0, 0, 0, time.UTC)), "no GMT date: the local one, at its post's offset (+01:00)")
	assert.Equal(t, tribune.StatusSpam, find(t, cs, "Gagnez gros").Status)
	assert.True(t, find(t, cs, "Gagnez gros").Created.Equal(a.Published), "no date at all: the article's")
	assert.Equal(t, tribune.StatusTrash, find(t, cs, "Supprimé par").Status, "trash stays trash")
	assert.Equal(t, tribune.StatusTrash, find(t, cs, "article supprimé").Status, "post-trashed is trash")
	orphan := find(t, cs, "Mon parent a disparu")
	assert.Equal(t, uuid.Nil, orphan.ParentID)
	assert.Equal(t, tribune.StatusApproved, orphan.Status)
	for _, c := range cs {
		assert.NotContains(t, c.Body, "rétrolien", "trackbacks are skipped")
	}

	// Again: nothing added, nothing changed.
	again := importOne(t, s, "testdata/wordpress-1.2.xml", importer.Options{})
	assert.Equal(t, 0, again.Total())
	assert.Equal(t, 8, again.AlreadyThere)
	assert.Equal(t, 2, again.ArticlesMatched)
	assert.Equal(t, cs, all(t, s))
}

func TestWXRVersionsNamespacesAndCharset(t *testing.T) {
	s := sqliteStore(t)
	rep := importOne(t, s, "testdata/wordpress-1.0-latin1.xml", importer.Options{})
	assert.Equal(t, 1, rep.Total())
	c := all(t, s)[0]
	assert.Equal(t, "Frédéric Légaré", c.AuthorName, "Latin-1 converted")
	assert.Contains(t, c.Body, "Très réussi, ça donne envie")
	a, err := s.Article(t.Context(), c.ArticleID)
	require.NoError(t, err)
	assert.Equal(t, "Été à Bruxelles", a.Title)
	assert.Equal(t, "ete-a-bruxelles", a.Slug)

	https := sqliteStore(t)
	rep = importOne(t, https, "testdata/wordpress-1.1-https.xml", importer.Options{})
	assert.Equal(t, 8, rep.Total(), "WXR 1.1 with its namespace over https reads as 1.2 does")
}

func TestMatchAndMap(t *testing.T) {
	s := sqliteStore(t)
	mine, err := tribune.NewArticle(tribune.ArticleInput{Title: "La réunion", Slug: "reunion-otan", Published: time.Now()})
	require.NoError(t, err)
	require.NoError(t, s.CreateArticle(t.Context(), &mine))
	other, err := tribune.NewArticle(tribune.ArticleInput{Title: "Archives", Slug: "archives-2026", Published: time.Now()})
	require.NoError(t, err)
	require.NoError(t, s.CreateArticle(t.Context(), &other))
	rep := importOne(t, s, "testdata/wordpress-1.2.xml", importer.Options{
		Map: map[string]string{"https://courrier.example.org/2026/01/05/ancien/": "archives-2026"}})
	assert.Equal(t, 2, rep.ArticlesMatched)
	assert.Equal(t, 0, rep.ArticlesCreated)
	byArticle := map[uuid.UUID]int{}
	for _, c := range all(t, s) {
		byArticle[c.ArticleID]++
	}
	assert.Equal(t, 7, byArticle[mine.ID], "matched by slug")
	assert.Equal(t, 1, byArticle[other.ID], "sent by -map")

	// Again without -map: the old post now gets an article of its own,
	// and its comment, imported under another one, is not imported twice.
	again := importOne(t, s, "testdata/wordpress-1.2.xml", importer.Options{})
	assert.Equal(t, 1, again.ArticlesCreated)
	assert.Equal(t, 0, again.Total())
	assert.Equal(t, 8, again.AlreadyThere)
}

func TestDisqus(t *testing.T) {
	s := sqliteStore(t)
	rep := importOne(t, s, "testdata/disqus.xml", importer.Options{})
	assert.Equal(t, "disqus", rep.Format)
	assert.Equal(t, 2, rep.ArticlesCreated)
	assert.Equal(t, map[tribune.Status]int{tribune.StatusApproved: 3, tribune.StatusTrash: 1, tribune.StatusSpam: 1}, rep.Imported)
	assert.Equal(t, map[string]int{"deleted on Disqus, no text left": 1}, rep.Skipped)
	assert.Equal(t, 1, rep.Orphans)
	cs := all(t, s)
	first := find(t, cs, "Premier sur Disqus")
	assert.Equal(t, "<p>Premier sur Disqus.</p><p>Deux paragraphes &amp; un lien <a href=\"https://www.nato.int/\" rel=\"nofollow ugc\">OTAN</a>.</p>", first.Body,
		"Disqus's HTML is kept as it is laid out, through the comment policy")
	deleted := find(t, cs, "supprimé, texte gardé")
	assert.Equal(t, tribune.StatusTrash, deleted.Status)
	assert.Equal(t, first.ID, deleted.ParentID)
	orphan := find(t, cs, "Réponse à un message supprimé")
	assert.Equal(t, uuid.Nil, orphan.ParentID, "a reply to a deleted, emptied post is kept, at the top level")
	assert.NotEqual(t, first.Email.Address(), orphan.Email.Address(), "two Claires stay two")
	anon := find(t, cs, "Anonyme sur l’Arctique")
	assert.True(t, anon.Email.IsZero(), "an anonymous author's email is not kept")
	a, err := s.Article(t.Context(), anon.ArticleID)
	require.NoError(t, err)
	assert.True(t, a.CommentsClosed)
	assert.Equal(t, "arctique", a.Slug)
}

func TestRemark42(t *testing.T) {
	s := sqliteStore(t)
	rep := importOne(t, s, "testdata/remark42.json", importer.Options{})
	assert.Equal(t, "remark42", rep.Format)
	assert.Equal(t, 3, rep.Total())
	assert.Equal(t, 1, rep.Skipped["deleted on Remark42, no text left"])
	assert.Equal(t, 1, rep.Orphans)
	cs := all(t, s)
	c2 := find(t, cs, "puis modifiée")
	assert.Equal(t, find(t, cs, "Premier sur Remark42").ID, c2.ParentID)
	assert.True(t, c2.Edited.Equal(time.Date(2026, 2, 12, 9, 35, 0, 0, time.UTC)))
	assert.Equal(t, uuid.Nil, find(t, cs, "Réponse au supprimé").ParentID)
	a, err := s.Article(t.Context(), c2.ArticleID)
	require.NoError(t, err)
	assert.Equal(t, "reunion-otan", a.Slug)
	assert.Equal(t, "Réunion de l’OTAN", a.Title)
}

func TestCommento(t *testing.T) {
	s := sqliteStore(t)
	rep := importOne(t, s, "testdata/commento.json", importer.Options{})
	assert.Equal(t, "commento", rep.Format)
	assert.Equal(t, map[tribune.Status]int{tribune.StatusApproved: 1, tribune.StatusPending: 1, tribune.StatusSpam: 1}, rep.Imported)
	assert.Equal(t, 1, rep.Skipped["deleted on Commento"])
	cs := all(t, s)
	first := find(t, cs, "Premier sur Commento")
	assert.Equal(t, "ines@example.org", first.Email.Address(), "commenters listed after the comments are found")
	assert.Equal(t, "https://ines.example.org", first.Website)
	pending := find(t, cs, "en attente")
	assert.Equal(t, "ines.bis@example.org", pending.Email.Address(), "two Inès stay two")
	assert.Equal(t, first.ID, pending.ParentID)
	assert.Empty(t, pending.Website, `"undefined" is no website`)
	assert.True(t, find(t, cs, "Signalé").Email.IsZero())
}

func TestIsso(t *testing.T) {
	path := filepath.Join(t.TempDir(), "comments.db")
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	// Isso's schema, as its documentation gives it.
	for _, q := range []string{
		`CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256))`,
		`CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER, created FLOAT NOT NULL,
			modified FLOAT, mode INTEGER, remote_addr VARCHAR, text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
			likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL DEFAULT '', notification INTEGER DEFAULT 0)`,
		`INSERT INTO threads VALUES (1, '/2026/02/12/reunion-otan/', 'Réunion de l’OTAN')`,
		`INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text, author, email, website)
			VALUES (1, 1, NULL, 1770886800.25, NULL, 1, '192.0.2.0', 'Premier sur *Isso*.', 'Ana', 'ana@example.org', 'https://ana.example.org')`,
		`INSERT INTO comments (tid, id, parent, created, modified, mode, text, author, email, website)
			VALUES (1, 2, 1, 1770887000, 1770887100, 2, 'En attente.', 'Ana', 'ana.deux@example.org', NULL)`,
		`INSERT INTO comments (tid, id, parent, created, modified, mode, text, author, email, website)
			VALUES (1, 3, 1, 1770887200, NULL, 4, '', NULL, NULL, NULL)`,
		`INSERT INTO comments (tid, id, parent, created, modified, mode, text, author, email, website)
			VALUES (1, 4, 3, 1770887300, NULL, 1, 'Réponse au supprimé.', 'Bo', NULL, NULL)`,
	} {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
	require.NoError(t, db.Close())
	s := sqliteStore(t)
	rep := importOne(t, s, path, importer.Options{})
	assert.Equal(t, "isso", rep.Format)
	assert.Equal(t, map[tribune.Status]int{tribune.StatusApproved: 2, tribune.StatusPending: 1}, rep.Imported)
	assert.Equal(t, 1, rep.Skipped["deleted on Isso"])
	assert.Equal(t, 1, rep.Orphans)
	cs := all(t, s)
	first := find(t, cs, "Premier sur")
	assert.True(t, first.Created.Equal(time.Unix(1770886800, 250000000).UTC()))
	second := find(t, cs, "En attente")
	assert.Equal(t, first.ID, second.ParentID)
	assert.False(t, second.Edited.IsZero())
	assert.NotEqual(t, first.Email.Address(), second.Email.Address())
}

func TestDryRunAndMalformed(t *testing.T) {
	s := sqliteStore(t)
	dry := importOne(t, s, "testdata/wordpress-1.2.xml", importer.Options{DryRun: true})
	assert.Equal(t, 8, dry.Total(), "the full report")
	assert.Equal(t, 2, dry.ArticlesCreated)
	assert.Empty(t, all(t, s), "and nothing written")
	arts, err := s.Articles(t.Context(), tribune.Span{})
	require.NoError(t, err)
	assert.Empty(t, arts)

	_, err = importer.Import(t.Context(), s, []string{"testdata/malformed.xml"}, importer.Options{Format: "wxr"})
	var fe *importer.FileError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "testdata/malformed.xml", fe.File)
	assert.Equal(t, 8, fe.Line, "the line of the bad element")
	assert.Contains(t, err.Error(), "testdata/malformed.xml:8:")
	assert.Empty(t, all(t, s), "a malformed file writes nothing, not even its first good comment")
	arts, _ = s.Articles(t.Context(), tribune.Span{})
	assert.Empty(t, arts)

	_, err = importer.Import(t.Context(), s, []string{"importer_test.go"}, importer.Options{})
	require.ErrorAs(t, err, &fe)
	assert.Contains(t, err.Error(), "not a format")
	_, err = importer.Import(t.Context(), s, []string{"testdata/nothing-here.xml"}, importer.Options{})
	require.Error(t, err)
	assert.True(t, errors.As(err, &fe))
}

func TestExportJSONPersonalDataAndWXR(t *testing.T) {
	s := sqliteStore(t)
	importOne(t, s, "testdata/wordpress-1.2.xml", importer.Options{})
	var mine bytes.Buffer
	e, _ := tribune.ParseEmail("claire@example.org")
	require.NoError(t, importer.ExportJSON(t.Context(), s, &mine, importer.ExportOptions{Email: e}))
	assert.Equal(t, 2, strings.Count(mine.String(), `"email":"claire@example.org"`))
	assert.NotContains(t, mine.String(), "marc", "one person's data only")

	var wxr bytes.Buffer
	require.NoError(t, importer.ExportWXR(t.Context(), s, &wxr, importer.ExportOptions{}, "https://courrier.example.org"))
	path := filepath.Join(t.TempDir(), "out.xml")
	require.NoError(t, writeFile(path, wxr.Bytes()))
	back := sqliteStore(t)
	rep := importOne(t, back, path, importer.Options{})
	assert.Equal(t, map[tribune.Status]int{tribune.StatusApproved: 4, tribune.StatusPending: 1, tribune.StatusSpam: 1, tribune.StatusTrash: 2}, rep.Imported,
		"the WXR export keeps statuses")
	assert.Equal(t, 2, rep.Replies, "and threads")
	assert.Equal(t, 0, rep.Orphans)
}

func writeFile(path string, b []byte) error { return os.WriteFile(path, b, 0o600) }

func TestGzippedAndMalformedJSON(t *testing.T) {
	path := gzipped(t, "testdata/remark42.json", "backup-remark-20260301.gz")
	s := sqliteStore(t)
	rep := importOne(t, s, path, importer.Options{})
	assert.Equal(t, "remark42", rep.Format, "a gzipped backup is read as it is")
	assert.Equal(t, 3, rep.Total())

	// Comentario's exports are Commento's format, gzipped.
	path = gzipped(t, "testdata/commento.json", "comentario-export.json.gz")
	rep = importOne(t, sqliteStore(t), path, importer.Options{})
	assert.Equal(t, "commento", rep.Format)
	assert.Equal(t, 3, rep.Total())

	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("{\"version\": 1,\n\"articles\": [\n{\"id\": \"0b7f3d1e-2f0a-4c47-9a53-3f2d0f1e8a11\", \"slug\": \"a\", \"title\": \"A\", \"lang\": \"fr\"}\n],\n\"comments\": [\n{\"id\": 12}\n]}\n"), 0o600))
	_, err := importer.Import(t.Context(), s, []string{bad}, importer.Options{})
	var fe *importer.FileError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, 6, fe.Line, "the line of the bad comment")
	_, err = s.ArticleBySlug(t.Context(), "a")
	assert.ErrorIs(t, err, tribune.ErrNotFound, "nothing of a malformed file is written, not even its good articles")
}

func TestComentario(t *testing.T) {
	path := gzipped(t, "testdata/comentario-v3.json", "comentario-export.json.gz")
	s := sqliteStore(t)
	rep := importOne(t, s, path, importer.Options{})
	assert.Equal(t, "comentario", rep.Format, "Comentario 3's gzipped export")
	assert.Equal(t, map[tribune.Status]int{tribune.StatusApproved: 3, tribune.StatusPending: 1, tribune.StatusTrash: 1}, rep.Imported)
	assert.Equal(t, 1, rep.Skipped["deleted on Comentario"])
	assert.Equal(t, 1, rep.Orphans)
	assert.Equal(t, 2, rep.ArticlesCreated)
	cs := all(t, s)
	first := find(t, cs, "Premier sur Comentario")
	assert.Equal(t, "ines@example.org", first.Email.Address(), "commenters listed after the comments are found")
	assert.Equal(t, "https://ines.example.org", first.Website)
	reply := find(t, cs, "modifiée")
	assert.Equal(t, first.ID, reply.ParentID)
	assert.Equal(t, "ines.bis@example.org", reply.Email.Address(), "two Inès stay two")
	assert.False(t, reply.Edited.IsZero())
	rejected := find(t, cs, "Rejeté")
	assert.Equal(t, "Visiteur", rejected.AuthorName)
	assert.True(t, rejected.Email.IsZero())
	a, err := s.Article(t.Context(), find(t, cs, "Sur l’Arctique").ArticleID)
	require.NoError(t, err)
	assert.True(t, a.CommentsClosed)
	assert.Equal(t, "L’initiative arctique", a.Title)
	again := importOne(t, s, path, importer.Options{})
	assert.Zero(t, again.Total(), "again: nothing added")

	// Comentario 2's export: Commento's format with host, path and websiteUrl.
	v1 := `{"version": 1, "comments": [{"commentHex": "c1", "host": "courrier.example.org", "path": "/2026/02/12/reunion-otan/",
		"commenterHex": "0000000000000000000000000000000000000000000000000000000000000000", "markdown": "Anonyme.", "html": "",
		"parentHex": "root", "state": "approved", "creationDate": "2026-02-12T09:00:00Z", "deleted": false},
		{"commentHex": "c2", "host": "courrier.example.org", "path": "/2026/02/12/reunion-otan/", "commenterHex": "u9",
		"markdown": "Avec un site.", "html": "", "parentHex": "c1", "state": "approved", "creationDate": "2026-02-12T09:10:00Z"}],
		"commenters": [{"commenterHex": "u9", "email": "zed@example.org", "name": "Zed", "websiteUrl": "https://zed.example.org"}]}`
	p1 := filepath.Join(t.TempDir(), "comentario-v1.json")
	require.NoError(t, os.WriteFile(p1, []byte(v1), 0o600))
	s1 := sqliteStore(t)
	rep = importOne(t, s1, p1, importer.Options{})
	assert.Equal(t, "commento", rep.Format)
	assert.Equal(t, 2, rep.Total())
	cs = all(t, s1)
	assert.True(t, find(t, cs, "Anonyme").Email.IsZero())
	zed := find(t, cs, "Avec un site")
	assert.Equal(t, "https://zed.example.org", zed.Website)
	assert.Equal(t, find(t, cs, "Anonyme").ID, zed.ParentID)
	a, err = s1.Article(t.Context(), zed.ArticleID)
	require.NoError(t, err)
	assert.Equal(t, "reunion-otan", a.Slug)
}

// gzipped writes a gzipped copy of a test file, as the tools export them.
func gzipped(t *testing.T, src, name string) string {
	t.Helper()
	raw, err := os.ReadFile(src)
	require.NoError(t, err)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(raw)
	require.NoError(t, zw.Close())
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, gz.Bytes(), 0o600))
	return path
}
