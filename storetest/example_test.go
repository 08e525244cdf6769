package storetest_test

import (
	"testing"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/memstore"
	"github.com/tribune-go/tribune/storetest"
)

// hostStore stands for a store a host writes itself: the eleven methods
// of tribune.Store and no optional capability (the embedded interface
// hides memstore's), so every rule runs on the Service's fallbacks.
type hostStore struct{ tribune.Store }

// A host runs the whole contract against its own store from one test in
// its own package; each check gets a fresh, empty store.
func ExampleRun() {
	testStore := func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) tribune.Store { return hostStore{memstore.New()} })
	}
	_ = testStore // in the host's package: func TestStore(t *testing.T) { … }
}

// TestHostStoreWithTheCoreAlone runs the example's store: a store with the
// core alone passes the whole suite.
func TestHostStoreWithTheCoreAlone(t *testing.T) {
	if _, ok := tribune.Store(hostStore{memstore.New()}).(tribune.Pager); ok {
		t.Fatal("hostStore should have the core alone")
	}
	storetest.Run(t, func(t *testing.T) tribune.Store { return hostStore{memstore.New()} })
}
