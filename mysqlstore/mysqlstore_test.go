package mysqlstore_test

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/go-sql-driver/mysql"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/mysqlstore"
	"github.com/tribune-go/tribune/storetest"
)

// dsn returns the test server, or skips with how to enable the tests.
func dsn(t testing.TB) string {
	t.Helper()
	d := os.Getenv("TRIBUNE_TEST_MYSQL")
	if d == "" {
		t.Skip("MySQL/MariaDB tests skipped: set TRIBUNE_TEST_MYSQL to a DSN such as " +
			"mysql://tribune@127.0.0.1:3306/tribune_test, a user who may create databases (.ci/run starts a MariaDB)")
	}
	return d
}

var dbMu sync.Mutex

// openFresh opens a store on a new database of the test server, dropped
// when the test ends, so every test starts empty.
func openFresh(t testing.TB) *mysqlstore.Store {
	t.Helper()
	cfg, err := mysqlstore.ParseDSN(dsn(t))
	require.NoError(t, err)
	name := "t_" + strings.ReplaceAll(uuid.NewString(), "-", "")[:16]
	admin := openAdmin(t, cfg)
	dbMu.Lock()
	_, err = admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
	dbMu.Unlock()
	require.NoError(t, err)
	cfg.DBName = name
	s, err := mysqlstore.OpenConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(func() {
		s.Close()
		_, _ = admin.Exec("DROP DATABASE " + name)
		admin.Close()
	})
	return s
}

func openAdmin(t testing.TB, cfg *mysql.Config) *sql.DB {
	t.Helper()
	conn, err := mysql.NewConnector(cfg)
	require.NoError(t, err)
	return sql.OpenDB(conn)
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) tribune.Store { return openFresh(t) })
}

func TestMigrationsRunOnceAcrossInstances(t *testing.T) {
	first := openFresh(t)
	v, err := first.SchemaVersion(t.Context())
	require.NoError(t, err)
	require.Equal(t, 4, v, "the number of embedded migrations")
}

func TestParseDSN(t *testing.T) {
	for _, tc := range []struct{ in, net, addr, user, pass, db string }{
		{"mysql://tribune:s%40cret@127.0.0.1:3307/blog", "tcp", "127.0.0.1:3307", "tribune", "s@cret", "blog"},
		{"mysql://tribune@localhost/blog?timeout=5s", "tcp", "localhost:3306", "tribune", "", "blog"},
		{"mysql://tribune@x/blog?socket=/run/mysqld/mysqld.sock", "unix", "/run/mysqld/mysqld.sock", "tribune", "", "blog"},
		{"tribune:pw@tcp(127.0.0.1:3306)/blog", "tcp", "127.0.0.1:3306", "tribune", "pw", "blog"},
	} {
		cfg, err := mysqlstore.ParseDSN(tc.in)
		require.NoError(t, err, tc.in)
		require.Equal(t, []string{tc.net, tc.addr, tc.user, tc.pass, tc.db}, []string{cfg.Net, cfg.Addr, cfg.User, cfg.Passwd, cfg.DBName}, tc.in)
		require.True(t, cfg.ParseTime, tc.in)
	}
	for _, bad := range []string{"mysql://tribune:secret-pw@127.0.0.1:3306/", "tribune:secret-pw@tcp(127.0.0.1:3306", "mysql://h/db?timeout=soon"} {
		_, err := mysqlstore.ParseDSN(bad)
		require.Error(t, err, bad)
		require.NotContains(t, err.Error(), "secret-pw", "the password is kept out of the error")
	}
}

// TestAccentsAndCaseKeptApart checks the collation: slugs that differ by
// an accent or a case are two slugs, and an email key matches only
// itself.
func TestAccentsAndCaseKeptApart(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	for _, slug := range []string{"otan", "otán", "OTAN"} {
		a := storetest.NewArticle(t, "Article "+slug, storetestBase)
		a.Slug = slug
		require.NoError(t, s.CreateArticle(ctx, &a), slug)
	}
	got, err := s.ArticleBySlug(ctx, "otán")
	require.NoError(t, err)
	require.Equal(t, "otán", got.Slug)
	a, err := s.ArticleBySlug(ctx, "otan")
	require.NoError(t, err)
	c := storetest.NewComment(t, a.ID, "Zoé", "zoé@example.org", "Bonjour 👋", storetestBase)
	require.NoError(t, s.CreateComment(ctx, &c, tribune.Guard{}))
	for key, n := range map[string]int{"zoé@example.org": 1, "zoe@example.org": 0, "ZOÉ@example.org": 0} {
		cs, err := s.FindComments(ctx, tribune.Query{EmailKey: key})
		require.NoError(t, err)
		require.Len(t, cs, n, key)
	}
	back, err := s.Comment(ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, "Zoé", back.AuthorName)
	require.Contains(t, back.Body, "👋")
}
