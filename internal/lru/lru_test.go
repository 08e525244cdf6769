package lru_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tribune-go/tribune/internal/lru"
)

func size(s string) int64 { return int64(len(s)) }

func TestEvictsLeastRecentlyUsedByBytes(t *testing.T) {
	one := strings.Repeat("x", 1000)
	c := lru.New[int, string](2*(1000+lru.EntryOverhead), size)
	c.Put(1, one)
	c.Put(2, one)
	_, _ = c.Get(1) // 2 is now the oldest
	c.Put(3, one)
	_, ok := c.Get(2)
	assert.False(t, ok)
	v, ok := c.Get(1)
	assert.True(t, ok)
	assert.Equal(t, one, v)
	assert.Equal(t, 2, c.Len())
	assert.Equal(t, int64(2*(1000+lru.EntryOverhead)), c.Bytes())

	// Replacing a value re-weighs it; a big one pushes the others out.
	c.Put(1, strings.Repeat("y", 1500))
	assert.Equal(t, 1, c.Len())
	assert.Equal(t, int64(1500+lru.EntryOverhead), c.Bytes())

	// A value over the whole budget is not kept, and drops the old one.
	c.Put(1, strings.Repeat("z", 5000))
	_, ok = c.Get(1)
	assert.False(t, ok)
	c.Delete(3)
	assert.Zero(t, c.Len())
	assert.Zero(t, c.Bytes())
}

func TestConcurrentStaysInBudget(t *testing.T) {
	const budget = 64 * (10 + lru.EntryOverhead)
	c := lru.New[int, string](budget, size)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 1000 {
				c.Put((g*1000+i)%100, strings.Repeat("v", i%20))
				c.Get(i % 100)
			}
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, c.Bytes(), int64(budget))
}
