package pgstore_test

import (
	"testing"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/storetest"
)

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, func(b *testing.B) tribune.Store { return openFresh(b) })
}
