package sqlitestore_test

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/migrate"
	"github.com/tribune-go/tribune/sqlitestore"
	"github.com/tribune-go/tribune/storetest"
)

func openTemp(t testing.TB) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "tribune.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) tribune.Store { return openTemp(t) })
}

func TestMigrationsRunOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tribune.db")
	for range 2 {
		s, err := sqlitestore.Open(t.Context(), path)
		require.NoError(t, err)
		v, err := s.SchemaVersion(t.Context())
		require.NoError(t, err)
		require.Equal(t, 7, v, "the number of embedded migrations")
		require.NoError(t, s.IntegrityCheck(t.Context()))
		require.NoError(t, s.Close())
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "missing-dir", "x.db"))
	require.Error(t, err)
	_, err = sqlitestore.Open(t.Context(), "x.db?mode=memory")
	require.Error(t, err)
}

func TestNewFileIsPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tribune.db")
	s, err := sqlitestore.Open(t.Context(), path)
	require.NoError(t, err)
	defer s.Close()
	a := storetest.NewArticle(t, "Private", time.Now())
	require.NoError(t, s.CreateArticle(t.Context(), &a)) // the WAL exists now
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), name)
	}
}

// TestRefusesANewerSchema: a file a newer release migrated is not opened
// (nor written to) by an older binary.
func TestRefusesANewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tribune.db")
	s, err := sqlitestore.Open(t.Context(), path)
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO tribune_schema (version, applied) VALUES (99, 0)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = sqlitestore.Open(t.Context(), path)
	require.ErrorIs(t, err, migrate.ErrNewerSchema)
	assert.Contains(t, err.Error(), "99")
}
