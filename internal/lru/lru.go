// Package lru is a small least-recently-used cache bounded by a byte
// budget, safe for concurrent use: the renderer's comment cache and the
// widget's page cache are both built on it.
package lru

import "sync"

// EntryOverhead is what one entry costs besides its value: the map slot,
// the list links and the key, roughly.
const EntryOverhead = 128

// Cache keeps entries whose sizes add up to at most its budget, dropping
// the least recently used first. A value larger than the whole budget is
// not kept.
type Cache[K comparable, V any] struct {
	mu     sync.Mutex
	budget int64
	used   int64
	size   func(V) int64
	items  map[K]*entry[K, V]
	head   entry[K, V] // sentinel: head.next is the newest
}

type entry[K comparable, V any] struct {
	key        K
	val        V
	cost       int64
	prev, next *entry[K, V]
}

// New returns a cache of at most budget bytes, where size tells what a
// value weighs (EntryOverhead is added to it).
func New[K comparable, V any](budget int64, size func(V) int64) *Cache[K, V] {
	c := &Cache[K, V]{budget: max(budget, 0), size: size, items: map[K]*entry[K, V]{}}
	c.head.next, c.head.prev = &c.head, &c.head
	return c
}

// Get returns the value for k and marks it recently used.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.unlink(e)
	c.pushFront(e)
	return e.val, true
}

// Put stores v for k, replacing what k held, and drops the oldest entries
// until the cache fits its budget again.
func (c *Cache[K, V]) Put(k K, v V) {
	cost := c.size(v) + EntryOverhead
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.remove(e)
	}
	if cost > c.budget {
		return
	}
	e := &entry[K, V]{key: k, val: v, cost: cost}
	c.items[k] = e
	c.pushFront(e)
	c.used += cost
	for c.used > c.budget {
		c.remove(c.head.prev)
	}
}

// Delete drops k's entry, if any.
func (c *Cache[K, V]) Delete(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.remove(e)
	}
}

// Len returns the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// Bytes returns what the entries weigh together, overhead included.
func (c *Cache[K, V]) Bytes() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.used
}

func (c *Cache[K, V]) remove(e *entry[K, V]) {
	c.unlink(e)
	delete(c.items, e.key)
	c.used -= e.cost
}

func (c *Cache[K, V]) unlink(e *entry[K, V]) { e.prev.next, e.next.prev = e.next, e.prev }

func (c *Cache[K, V]) pushFront(e *entry[K, V]) {
	e.prev, e.next = &c.head, c.head.next
	c.head.next.prev = e
	c.head.next = e
}
