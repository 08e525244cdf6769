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
