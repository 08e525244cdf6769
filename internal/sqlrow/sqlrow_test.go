package sqlrow

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimeReadsEitherDatabase(t *testing.T) {
	at := time.Date(2026, 2, 12, 14, 3, 0, 123456789, time.FixedZone("CET", 3600))
	want := at.UTC().Truncate(time.Microsecond)
	for _, v := range []any{want.UnixMicro(), at} {
		var got Time
		require.NoError(t, got.Scan(v))
		assert.Equal(t, want, got.T, "%T", v)
		assert.Equal(t, time.UTC, got.T.Location())
	}
	for _, none := range []any{nil, int64(0)} {
		got := Time{T: at}
		require.NoError(t, got.Scan(none))
		assert.True(t, got.T.IsZero(), "%v reads as no time", none)
	}
	var got Time
	assert.Error(t, got.Scan("2026-02-12"), "a text column is not a time")
}
