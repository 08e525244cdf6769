package sqlitestore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/sqlitestore"
	"github.com/tribune-go/tribune/storetest"
)

// TestTuningValidated: negative settings are refused at Open.
func TestTuningValidated(t *testing.T) {
	for _, bad := range []sqlitestore.Tuning{{CacheBytes: -1}, {Readers: -1}, {BusyTimeout: -time.Second}} {
		_, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "x.db"), sqlitestore.WithTuning(bad))
		assert.Error(t, err, "%+v", bad)
	}
	s, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "y.db"), sqlitestore.WithTuning(sqlitestore.Tuning{CacheBytes: 1, Readers: 40}))
	require.NoError(t, err, "a tiny budget still gives each connection its floor")
	require.NoError(t, s.Close())
}

// TestMemoryBoundedBySettings reads a 40 MB file with 32 clients under
// GOMAXPROCS=16 and checks the process's RSS: SQLite's caches are the
// settings', not 16 MB for each of 32 connections. It writes the file
// first (a minute or so): set TRIBUNE_MEMTEST=1 to run it.
func TestMemoryBoundedBySettings(t *testing.T) {
	if os.Getenv("TRIBUNE_MEMTEST") == "" {
		t.Skip("set TRIBUNE_MEMTEST=1 to read a 40 MB SQLite file with 32 clients and check RSS")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(16))
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "big.db")
	s, err := sqlitestore.Open(ctx, path, sqlitestore.WithTuning(sqlitestore.Tuning{CacheBytes: 4 << 20}))
	require.NoError(t, err)
	defer s.Close()
	var articles []tribune.Article
	for i := range 40 {
		a := storetest.NewArticle(t, fmt.Sprint("Article ", i), time.Now().Add(-time.Duration(i)*time.Hour))
		require.NoError(t, s.CreateArticle(ctx, &a))
		articles = append(articles, a)
	}
	body := tribune.SanitizeComment(strings.Repeat("Un commentaire assez long pour peser son poids dans le fichier. ", 10))
	for _, a := range articles {
		batch := make([]tribune.Comment, 0, 1500)
		for j := range 1500 {
			batch = append(batch, tribune.Comment{ID: uuid.New(), ArticleID: a.ID, AuthorName: "Lecteur", Body: body,
				Status: tribune.StatusApproved, Version: 1, Created: a.Published.Add(time.Duration(j) * time.Second)})
		}
		require.NoError(t, s.InsertComments(ctx, batch))
	}
	st, err := os.Stat(path)
	require.NoError(t, err)
	t.Logf("file: %d MB", st.Size()>>20)
	require.Greater(t, st.Size(), int64(35<<20))
	before := rss(t)
	var wg sync.WaitGroup
	deadline := time.Now().Add(10 * time.Second)
	var peak int64
	var mu sync.Mutex
	for range 32 {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				a := articles[rand.IntN(len(articles))]
				if _, err := s.FindComments(ctx, tribune.Query{ArticleID: a.ID, Limit: 50, Offset: rand.IntN(1450)}); err != nil {
					t.Error(err)
					return
				}
				if r := rss(t); r > 0 {
					mu.Lock()
					peak = max(peak, r)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	t.Logf("RSS before the readers: %d MiB, peak while 32 read: %d MiB", before>>20, peak>>20)
	// 4 MiB of page cache and 16 readers' own structures (schema,
	// statements): tens of MiB over what the process held, never the
	// 512 MB that 32 × 16 MB would reach.
	assert.Less(t, peak-before, int64(96<<20))
}

// rss reads the process's resident set from /proc (Linux), or 0.
func rss(t *testing.T) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
