package pgstore_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/migrate"
	"github.com/tribune-go/tribune/pgstore"
	"github.com/tribune-go/tribune/storetest"
)

// dsn returns the test database, or skips with how to enable the tests.
func dsn(t testing.TB) string {
	t.Helper()
	d := os.Getenv("TRIBUNE_TEST_POSTGRES")
	if d == "" {
		t.Skip("PostgreSQL tests skipped: set TRIBUNE_TEST_POSTGRES to a DSN such as " +
			"postgres://user@127.0.0.1:5432/tribune_test?sslmode=disable (.ci/run starts one)")
	}
	return d
}

var schemaMu sync.Mutex

// openFresh opens a store in a new schema of the test database, dropped
// when the test ends, so every test starts empty.
func openFresh(t testing.TB) *pgstore.Store {
	s, _ := openFreshSchema(t)
	return s
}

func openFreshSchema(t testing.TB) (*pgstore.Store, string) {
	t.Helper()
	d := dsn(t)
	schema := "t_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	ctx := context.Background()
	schemaMu.Lock()
	conn, err := pgx.Connect(ctx, d)
	require.NoError(t, err)
	_, err = conn.Exec(ctx, "CREATE SCHEMA "+schema)
	require.NoError(t, err)
	schemaMu.Unlock()
	s, err := pgstore.Open(ctx, d, pgstore.WithSchema(schema))
	require.NoError(t, err)
	t.Cleanup(func() {
		s.Close()
		_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		conn.Close(context.Background())
	})
	return s, schema
}

func TestStore(t *testing.T) {
	dsn(t)
	storetest.Run(t, func(t *testing.T) tribune.Store { return openFresh(t) })
}

func TestMigrationsRunOnceAcrossInstances(t *testing.T) {
	d := dsn(t)
	first, schema := openFreshSchema(t)
	v, err := first.SchemaVersion(t.Context())
	require.NoError(t, err)
	require.Equal(t, 7, v, "the number of embedded migrations")
	// More instances open the same schema at once: none fails.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := pgstore.Open(t.Context(), d, pgstore.WithSchema(schema))
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, fmt.Sprint("instance ", i))
	}
}

func TestOpenBadDSN(t *testing.T) {
	_, err := pgstore.Open(t.Context(), "postgres://user:s3cret@[::1")
	require.Error(t, err)
	require.NotContains(t, err.Error(), "s3cret")
}

// TestRefusesANewerSchema: a schema a newer release migrated is not
// opened by an older binary.
func TestRefusesANewerSchema(t *testing.T) {
	d := dsn(t)
	_, schema := openFreshSchema(t)
	conn, err := pgx.Connect(t.Context(), d)
	require.NoError(t, err)
	defer conn.Close(context.Background())
	_, err = conn.Exec(t.Context(), "INSERT INTO "+schema+".tribune_schema (version) VALUES (99)")
	require.NoError(t, err)
	_, err = pgstore.Open(t.Context(), d, pgstore.WithSchema(schema))
	require.ErrorIs(t, err, migrate.ErrNewerSchema)
}
