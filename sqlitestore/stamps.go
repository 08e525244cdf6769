package sqlitestore

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// A cached page costs one read of its article's revision (its Stamp),
// and on SQLite that read, a read transaction with its locks, is most of
// what the page costs. The Store keeps the revisions it has read: a
// kept one answers until this Store writes anything to a thread (every
// write to articles or comments moves writes, after its commit, so that
// once a write has returned no page is served from before it) or until
// Tuning.OtherWritersLag has passed, which bounds how late a write by
// another process on the same file (an import from the command line, a
// second instance) is seen.
const defaultLag = 100 * time.Millisecond

// maxStamps bounds the kept revisions; past it they are dropped and read
// again.
const maxStamps = 4096

type stamps struct {
	writes atomic.Uint64 // moved after each commit that can change a thread
	n      atomic.Int64
	m      sync.Map // uuid.UUID → keptStamp
	ttl    time.Duration
}

type keptStamp struct {
	rev    tribune.Stamp
	writes uint64
	read   time.Time
}

// get answers a kept revision still good.
func (s *stamps) get(id uuid.UUID) (tribune.Stamp, bool) {
	if s.ttl <= 0 {
		return 0, false
	}
	v, ok := s.m.Load(id)
	if !ok {
		return 0, false
	}
	k := v.(keptStamp)
	if k.writes != s.writes.Load() || time.Since(k.read) >= s.ttl {
		return 0, false
	}
	return k.rev, true
}

// mark is taken before a revision is read: a write that commits after it
// makes what is read then stale.
func (s *stamps) mark() uint64 { return s.writes.Load() }

// keep stores a revision read after mark.
func (s *stamps) keep(id uuid.UUID, rev tribune.Stamp, mark uint64, read time.Time) {
	if s.ttl <= 0 {
		return
	}
	if _, loaded := s.m.Swap(id, keptStamp{rev: rev, writes: mark, read: read}); !loaded {
		if s.n.Add(1) > maxStamps {
			s.m.Clear()
			s.n.Store(0)
		}
	}
}

// wrote is called once a write to a thread has committed (or failed:
// moving too often only costs a read).
func (s *stamps) wrote() { s.writes.Add(1) }
