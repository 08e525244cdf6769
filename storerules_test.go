package tribune_test

import (
	"testing"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/memstore"
	"github.com/tribune-go/tribune/storetest"
)

// coreOnly is a store with the core methods and nothing else, as a
// third party's first store would be: the embedded interface hides
// memstore's capabilities, so every rule runs on the root's fallbacks.
type coreOnly struct{ tribune.Store }

func TestCoreOnlyStorePassesTheContract(t *testing.T) {
	var s tribune.Store = coreOnly{memstore.New()}
	if _, ok := s.(tribune.Pager); ok {
		t.Fatal("coreOnly should hide the capabilities")
	}
	storetest.Run(t, func(t *testing.T) tribune.Store { return coreOnly{memstore.New()} })
}

func TestStoreWithTimeoutKeepsTheContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) tribune.Store { return tribune.StoreWithTimeout(memstore.New(), 0) })
	storetest.Run(t, func(t *testing.T) tribune.Store { return tribune.StoreWithTimeout(coreOnly{memstore.New()}, 0) })
}
