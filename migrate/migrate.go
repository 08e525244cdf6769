// Package migrate reads a store's embedded schema migrations: files named
// NNNN_description.sql, applied in the order of their numbers. Each store
// applies them with its own driver and records them in tribune_schema;
// a third-party store does the same:
//
//	//go:embed migrations/*.sql
//	var migrationFS embed.FS
//
//	all, err := migrate.Load(migrationFS, "migrations")
//	// in one transaction, under a lock the database offers, with the
//	// version the database records:
//	err = migrate.Run(all, current, func(m migrate.Migration) error {
//		return execAndRecord(m.SQL, m.Version)
//	})
package migrate

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// Migration is one schema step.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Load returns the migrations in fsys's dir, sorted by version. It refuses
// a badly named file or two files with one version.
func Load(fsys fs.FS, dir string) ([]Migration, error) {
	files, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, f := range files {
		name := strings.TrimPrefix(f, dir+"/")
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: want NNNN_description.sql", name)
		}
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(src)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations %s and %s share a version", out[i-1].Name, out[i].Name)
		}
	}
	return out, nil
}

// Pending returns the migrations newer than current.
func Pending(all []Migration, current int) []Migration {
	i := slices.IndexFunc(all, func(m Migration) bool { return m.Version > current })
	if i < 0 {
		return nil
	}
	return all[i:]
}

// ErrNewerSchema reports a database migrated by a newer release than the
// running binary: its schema has versions this binary does not know, and
// writing to it could break what the newer release expects. Stores
// refuse to open it.
var ErrNewerSchema = errors.New("the database's schema is newer than this binary: run the newer release, or restore a backup")

// Run is the one migration runner of the SQL stores: it refuses a
// database whose recorded version (current) is newer than the newest of
// all (ErrNewerSchema), then hands each pending migration to apply, in
// order, stopping at the first error. The caller holds the lock and
// transaction its database offers, runs apply's SQL and records the
// version in the same transaction.
func Run(all []Migration, current int, apply func(Migration) error) error {
	if newest := Newest(all); current > newest {
		return fmt.Errorf("migrate: schema version %d, binary knows up to %d: %w", current, newest, ErrNewerSchema)
	}
	for _, m := range Pending(all, current) {
		if err := apply(m); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// Newest returns the newest version of all, or 0.
func Newest(all []Migration) int {
	if len(all) == 0 {
		return 0
	}
	return all[len(all)-1].Version
}
