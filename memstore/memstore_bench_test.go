package memstore_test

import (
	"testing"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/memstore"
	"github.com/tribune-go/tribune/storetest"
)

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(*testing.B) tribune.Store { return memstore.New() })
}
