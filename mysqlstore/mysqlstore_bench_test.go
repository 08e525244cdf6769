package mysqlstore_test

import (
	"testing"
	"time"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/storetest"
)

var storetestBase = time.Date(2026, 2, 12, 9, 30, 0, 0, time.UTC)

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) tribune.Store { return openFresh(b) })
}
