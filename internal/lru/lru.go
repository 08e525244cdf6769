// Package lru is a small, bounded, least-recently-used cache safe for
// concurrent use, shared by the renderer's comment cache and the widget's
// thread cache.
package lru

import "sync"

// Cache keeps at most max entries, dropping the least recently used.
type Cache[K comparable, V any] struct {
	mu    sync.Mutex
	max   int
	items map[K]*entry[K, V]
	head  entry[K, V] // sentinel: head.next is the newest
}

type entry[K comparable, V any] struct {
	key        K
	val        V
	prev, next *entry[K, V]
}

// New returns a cache of at most max entries (at least 1).
func New[K comparable, V any](size int) *Cache[K, V] {
	c := &Cache[K, V]{max: max(size, 1), items: make(map[K]*entry[K, V], min(size, 4096))}
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

// Put stores v for k, dropping the oldest entry when full.
func (c *Cache[K, V]) Put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		e.val = v
		c.unlink(e)
		c.pushFront(e)
		return
	}
	e := &entry[K, V]{key: k, val: v}
	c.items[k] = e
	c.pushFront(e)
	if len(c.items) > c.max {
		old := c.head.prev
		c.unlink(old)
		delete(c.items, old.key)
	}
}

// Len returns the number of entries.
func (c *Cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

func (c *Cache[K, V]) unlink(e *entry[K, V]) { e.prev.next, e.next.prev = e.next, e.prev }

func (c *Cache[K, V]) pushFront(e *entry[K, V]) {
	e.prev, e.next = &c.head, c.head.next
	c.head.next.prev = e
	c.head.next = e
}
