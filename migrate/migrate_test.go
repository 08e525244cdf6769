package migrate_test

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune/migrate"
)

func TestLoad(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0002_more.sql": {Data: []byte("B")},
		"m/0001_init.sql": {Data: []byte("A")},
		"m/README.md":     {Data: []byte("not a migration")},
	}
	all, err := migrate.Load(fsys, "m")
	require.NoError(t, err)
	require.Len(t, all, 2)
	assert.Equal(t, 1, all[0].Version)
	assert.Equal(t, "A", all[0].SQL)
	assert.Equal(t, []migrate.Migration{all[1]}, migrate.Pending(all, 1))
	assert.Empty(t, migrate.Pending(all, 2))

	_, err = migrate.Load(fstest.MapFS{"m/init.sql": {}}, "m")
	assert.Error(t, err)
	_, err = migrate.Load(fstest.MapFS{"m/0001_a.sql": {}, "m/1_b.sql": {}}, "m")
	assert.Error(t, err)
}

func TestRun(t *testing.T) {
	all := []migrate.Migration{{Version: 1, Name: "0001_a.sql"}, {Version: 2, Name: "0002_b.sql"}}
	var applied []int
	apply := func(m migrate.Migration) error { applied = append(applied, m.Version); return nil }
	require.NoError(t, migrate.Run(all, 0, apply))
	assert.Equal(t, []int{1, 2}, applied)
	applied = nil
	require.NoError(t, migrate.Run(all, 2, apply))
	assert.Empty(t, applied, "nothing pending")
	require.ErrorIs(t, migrate.Run(all, 3, apply), migrate.ErrNewerSchema, "a newer database is refused")
	assert.Empty(t, applied)
	err := migrate.Run(all, 1, func(migrate.Migration) error { return assert.AnError })
	require.ErrorIs(t, err, assert.AnError)
	assert.Contains(t, err.Error(), "0002_b.sql")
}
