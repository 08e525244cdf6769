package sqlitestore_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/sqlitestore"
	"github.com/tribune-go/tribune/storetest"
)

// TestKeptStampsNeverHideAWrite: the revisions the Store keeps in memory
// move at once with every write of its own to a thread, read right after
// it returns, and a write by another Store on the same file (another
// process) shows within Tuning.OtherWritersLag (100 ms by default), or
// at once with a negative lag.
func TestKeptStampsNeverHideAWrite(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "stamps.db")
	s, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer s.Close()
	a := storetest.NewArticle(t, "Révisions", time.Now().Add(-time.Hour))
	require.NoError(t, s.CreateArticle(ctx, &a))
	stamp := func() tribune.Stamp {
		st, err := s.CommentsStamp(ctx, a.ID)
		require.NoError(t, err)
		return st
	}
	c := storetest.NewComment(t, a.ID, "Léa", "lea@example.org", "Premier.", time.Now().Add(-time.Minute))
	d := storetest.NewComment(t, a.ID, "Marc", "marc@example.org", "Second.", time.Now().Add(-30*time.Second))
	for _, w := range []struct {
		name  string
		write func() error
	}{
		{"CreateComment", func() error { return s.CreateComment(ctx, &c, tribune.Guard{}) }},
		{"InsertComments", func() error { return s.InsertComments(ctx, []tribune.Comment{d}) }},
		{"UpdateComment", func() error {
			_, err := s.UpdateComment(ctx, c.ID, func(c *tribune.Comment) error { c.Status = tribune.StatusSpam; return nil })
			return err
		}},
		{"DeleteComment", func() error { return s.DeleteComment(ctx, d.ID) }},
		{"UpdateArticle", func() error { a.CommentsClosed = true; return s.UpdateArticle(ctx, &a) }},
	} {
		before := stamp()
		require.Equal(t, before, stamp(), "%s: kept", w.name)
		require.NoError(t, w.write(), w.name)
		require.NotEqual(t, before, stamp(), "%s: the revision read right after the write", w.name)
	}

	other, err := sqlitestore.Open(ctx, path)
	require.NoError(t, err)
	defer other.Close()
	before := stamp()
	e := storetest.NewComment(t, a.ID, "Inès", "ines@example.org", "D'ailleurs.", time.Now())
	require.NoError(t, other.CreateComment(ctx, &e, tribune.Guard{}))
	deadline := time.Now().Add(time.Second) // ten times the kept revision's life
	for stamp() == before {
		require.True(t, time.Now().Before(deadline), "another process's write is still hidden after a second")
		time.Sleep(5 * time.Millisecond)
	}

	exact, err := sqlitestore.Open(ctx, path, sqlitestore.WithTuning(sqlitestore.Tuning{OtherWritersLag: -1}))
	require.NoError(t, err)
	defer exact.Close()
	before, err = exact.CommentsStamp(ctx, a.ID)
	require.NoError(t, err)
	f := storetest.NewComment(t, a.ID, "Noé", "noe@example.org", "Aussitôt.", time.Now())
	require.NoError(t, other.CreateComment(ctx, &f, tribune.Guard{}))
	after, err := exact.CommentsStamp(ctx, a.ID)
	require.NoError(t, err)
	require.NotEqual(t, before, after, "with a negative lag, another process's write shows at once")
}
