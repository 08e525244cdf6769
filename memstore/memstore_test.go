package memstore_test

import (
	"testing"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/memstore"
	"github.com/tribune-go/tribune/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) tribune.Store { return memstore.New() })
}
