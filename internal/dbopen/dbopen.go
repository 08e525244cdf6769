// Package dbopen is the -db convention of Tribune's programs
// (examples/blog, cmd/tribune): a postgres:// or postgresql:// DSN opens
// PostgreSQL, a mysql:// URL MySQL or MariaDB, anything else is a SQLite
// file.
package dbopen

import (
	"context"
	"fmt"
	"strings"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/mysqlstore"
	"github.com/tribune-go/tribune/pgstore"
	"github.com/tribune-go/tribune/sqlitestore"
)

// Usage documents the convention, for a flag's help.
const Usage = "SQLite file, a postgres:// DSN for PostgreSQL, or a mysql://user:password@host:3306/db URL for MySQL or MariaDB"

// Kind names the backend db names: "postgresql", "mysql" or "sqlite".
func Kind(db string) string {
	switch {
	case strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://"):
		return "postgresql"
	case strings.HasPrefix(db, "mysql://"):
		return "mysql"
	}
	return "sqlite"
}

// Label names the database in logs without its credentials.
func Label(db string) string {
	if k := Kind(db); k != "sqlite" {
		return k
	}
	return "sqlite:" + db
}

// Open opens the store db names, applying its migrations, and returns it
// with the function that closes it. The SQLite options apply to a SQLite
// file only.
func Open(ctx context.Context, db string, sqliteOpts ...sqlitestore.Option) (tribune.Store, func(), error) {
	switch Kind(db) {
	case "postgresql":
		s, err := pgstore.Open(ctx, db)
		if err != nil {
			return nil, nil, err
		}
		return s, s.Close, nil
	case "mysql":
		s, err := mysqlstore.Open(ctx, db)
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	s, err := sqlitestore.Open(ctx, db, sqliteOpts...)
	if err != nil {
		return nil, nil, fmt.Errorf("opening %s: %w", db, err)
	}
	return s, func() { s.Close() }, nil
}
