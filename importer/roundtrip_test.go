package importer_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/importer"
	"github.com/tribune-go/tribune/pgstore"
)

// postgresStore is a store in a schema of its own, or a skip.
func postgresStore(t testing.TB) tribune.Store {
	t.Helper()
	dsn := os.Getenv("TRIBUNE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("PostgreSQL tests skipped: set TRIBUNE_TEST_POSTGRES to a postgres:// DSN (.ci/run starts one)")
	}
	schema := "import_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	conn, err := pgx.Connect(t.Context(), dsn)
	require.NoError(t, err)
	_, err = conn.Exec(t.Context(), "CREATE SCHEMA "+schema)
	conn.Close(context.Background())
	require.NoError(t, err)
	s, err := pgstore.Open(t.Context(), dsn, pgstore.WithSchema(schema))
	require.NoError(t, err)
	t.Cleanup(func() {
		s.Close()
		if c, err := pgx.Connect(context.Background(), dsn); err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	return s
}

var words = []string{"OTAN", "défense", "Europe", "Zoë", "Łódź", "东京", "مرحبا", "🇫🇷", "a&b", "<b>gras</b>", "https://example.org/é", "« guillemets »", "x < y"}

func phrase(r *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString([]string{" ", " ", "\n", "\n\n"}[r.IntN(4)])
		}
		b.WriteString(words[r.IntN(len(words))])
	}
	return b.String()
}

func line(r *rand.Rand, n int) string { return strings.Join(strings.Fields(phrase(r, n)), " ") }

// randomSite fills a store with articles and comments of every kind.
func randomSite(t *testing.T, s tribune.Store, r *rand.Rand) {
	t.Helper()
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for ai := range 1 + r.IntN(3) {
		in := tribune.ArticleInput{Title: line(r, 1+r.IntN(4)), Slug: fmt.Sprintf("article-%d-%d", ai, r.IntN(1e6)), Summary: line(r, 3),
			Body: "<p>" + phrase(r, 5) + "</p>", Author: "Rédaction", Lang: []string{"fr", "en", "pt-BR"}[r.IntN(3)],
			Published: base.Add(time.Duration(r.IntN(1e6)) * time.Second)}
		a, err := tribune.NewArticle(in)
		require.NoError(t, err)
		a.CommentsClosed = r.IntN(4) == 0
		a.Updated = a.Published.Add(time.Duration(r.IntN(1000)) * time.Second)
		require.NoError(t, s.CreateArticle(t.Context(), &a))
		var made []tribune.Comment
		for ci := range r.IntN(40) {
			in := tribune.CommentInput{ArticleID: a.ID, Name: line(r, 1+r.IntN(2)), Body: phrase(r, 1+r.IntN(8))}
			if r.IntN(3) > 0 {
				in.Email = fmt.Sprintf("Lecteur.%d+%d@Example.org", ci, r.IntN(100))
			}
			if r.IntN(3) == 0 {
				in.Website = "https://site.example.org/" + fmt.Sprint(ci)
			}
			c, err := tribune.NewCommentWithRequired(in, nil)
			if err != nil {
				continue // a random name the rules refuse
			}
			c.Status = []tribune.Status{tribune.StatusApproved, tribune.StatusApproved, tribune.StatusPending, tribune.StatusSpam, tribune.StatusTrash}[r.IntN(5)]
			// Any time, even older than its parent: the file's order then
			// puts a reply before its parent.
			c.Created = base.Add(time.Duration(r.IntN(1e9)) * time.Microsecond)
			c.Version = 1 + r.IntN(4)
			if r.IntN(4) == 0 {
				c.Edited = c.Created.Add(time.Duration(r.IntN(1e6)) * time.Microsecond)
			}
			if r.IntN(5) == 0 {
				c.UserID = fmt.Sprint("user-", r.IntN(10))
			}
			c.Meta = tribune.Meta{ClientHash: fmt.Sprintf("%x", r.Uint64()), UserAgent: "Mozilla/5.0 " + line(r, 1)}
			if r.IntN(2) == 0 {
				c.Meta.Key, c.Meta.DupKey = uuid.NewString(), uuid.NewString()
			}
			if len(made) > 0 && r.IntN(2) == 0 {
				c.ParentID = made[r.IntN(len(made))].ID
			}
			require.NoError(t, s.CreateComment(t.Context(), &c, tribune.Guard{}))
			made = append(made, c)
		}
	}
}

func exportJSON(t *testing.T, s tribune.Store) []byte {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, importer.ExportJSON(t.Context(), s, &b, importer.ExportOptions{}))
	return b.Bytes()
}

// TestJSONRoundTrip: random sites exported to JSON and imported into an
// empty store export to the same file.
func TestJSONRoundTrip(t *testing.T) {
	stores := map[string]func(testing.TB) tribune.Store{"sqlite": sqliteStore, "postgres": postgresStore}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			runs := 12
			if name == "postgres" {
				runs = 4
			}
			for seed := range runs {
				r := rand.New(rand.NewPCG(uint64(seed), 7))
				src := open(t)
				randomSite(t, src, r)
				first := exportJSON(t, src)
				path := filepath.Join(t.TempDir(), "export.json")
				require.NoError(t, os.WriteFile(path, first, 0o600))
				dst := open(t)
				rep, err := importer.Import(t.Context(), dst, []string{path}, importer.Options{})
				require.NoError(t, err)
				require.Equal(t, "tribune", rep[0].Format)
				require.Zero(t, rep[0].Orphans, "seed %d", seed)
				second := exportJSON(t, dst)
				if !bytes.Equal(first, second) {
					a, b := strings.Split(string(first), "\n"), strings.Split(string(second), "\n")
					for i := range min(len(a), len(b)) {
						if a[i] != b[i] {
							t.Fatalf("seed %d: line %d differs:\n%s\n%s", seed, i+1, a[i], b[i])
						}
					}
					t.Fatalf("seed %d: %d lines against %d", seed, len(a), len(b))
				}
			}
		})
	}
}
