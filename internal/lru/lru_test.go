package lru_test

import (
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribune-go/tribune/internal/lru"
)

func TestEvictsLeastRecentlyUsed(t *testing.T) {
	c := lru.New[int, string](2)
	c.Put(1, "a")
	c.Put(2, "b")
	_, _ = c.Get(1) // 2 is now the oldest
	c.Put(3, "c")
	_, ok := c.Get(2)
	assert.False(t, ok)
	v, ok := c.Get(1)
	assert.True(t, ok)
	assert.Equal(t, "a", v)
	c.Put(1, "A")
	v, _ = c.Get(1)
	assert.Equal(t, "A", v)
	assert.Equal(t, 2, c.Len())
}

func TestConcurrent(t *testing.T) {
	c := lru.New[int, int](64)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				c.Put((g*1000+i)%100, i)
				c.Get(i % 100)
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, c.Len(), 64)
}
