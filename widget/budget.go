package widget

import (
	"context"
	"errors"
	"time"

	"golang.org/x/time/rate"

	"github.com/tribune-go/tribune"
)

// A budget is a per-client token bucket: a client's posts, their invalid
// posts, their failed moderation logins. On a store that several
// instances share (PostgreSQL, MySQL: tribune.Limiter's Pace), the bucket
// is a row of the store, spent in one statement, so four instances behind
// a load balancer give a client the budget of one; on a store one process
// owns (SQLite, memstore), it is kept in memory. Should the store fail,
// the instance falls back on its own bucket for that request rather than
// refuse everyone or let everyone through.
type budget struct {
	h     *Handler
	name  string
	every time.Duration // one token back each
	burst int
	mem   *limiter
}

func (h *Handler) newBudget(name string, perMinute float64, burst int) *budget {
	return &budget{h: h, name: name, every: time.Duration(float64(time.Minute) / perMinute), burst: burst,
		mem: newLimiter(rate.Limit(perMinute/60), burst)}
}

// sharedPacer returns the store's Pace when it keeps buckets for every
// instance, else nil. A store that cannot be reached now is taken at its
// word later: only ErrNotSupported means "in memory".
func sharedPacer(store tribune.Store) tribune.Limiter {
	l, ok := store.(tribune.Limiter)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.Pace(ctx, "pace:probe", time.Second, 1, false, time.Now()); errors.Is(err, tribune.ErrNotSupported) {
		return nil
	}
	return l
}

// key is the bucket's key in the store: the client's address signed,
// never as it is (an address is personal data).
func (b *budget) key(client string) string {
	return "pace:" + b.name + ":" + b.h.sign("pace", b.name, client)
}

// allow spends one token of the client's if there is one, and otherwise
// says when there will be.
func (b *budget) allow(ctx context.Context, client string, now time.Time) (bool, time.Duration) {
	if ok, err := b.pace(ctx, client, true, now); err == nil {
		return ok, b.wait(ok)
	}
	return b.mem.allow(client, now)
}

// exhausted reports, without spending anything, whether the client has
// no token left now, and when they will.
func (b *budget) exhausted(ctx context.Context, client string, now time.Time) (bool, time.Duration) {
	if ok, err := b.pace(ctx, client, false, now); err == nil {
		return !ok, b.wait(ok)
	}
	return b.mem.exhausted(client, now)
}

// wait is the Retry-After of a refused client of a shared bucket: a token
// comes back within one interval.
func (b *budget) wait(ok bool) time.Duration {
	if ok {
		return 0
	}
	return b.every
}

// pace asks the store, when it keeps the buckets; errNoPacer otherwise.
func (b *budget) pace(ctx context.Context, client string, spend bool, now time.Time) (bool, error) {
	p := b.h.pacer
	if p == nil {
		return false, errNoPacer
	}
	ok, err := p.Pace(ctx, b.key(client), b.every, b.burst, spend, now)
	if err != nil {
		b.h.cfg.logger.Warn("tribune: shared rate limit unavailable, this instance counts alone", "budget", b.name, "err", err)
		return false, err
	}
	b.h.purgeLimits(now)
	return ok, nil
}

var errNoPacer = errors.New("widget: buckets in memory")

// purgeInterval is how often an instance deletes the store's ended
// limit rows (full buckets, spent single-use links, past mail budgets).
const purgeInterval = 10 * time.Minute

// purgeLimits deletes ended limit rows, at most once a purgeInterval per
// instance, in the background.
func (h *Handler) purgeLimits(now time.Time) {
	last := h.lastPurge.Load()
	if now.UnixNano()-last < int64(purgeInterval) || !h.lastPurge.CompareAndSwap(last, now.UnixNano()) {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := h.pacer.PurgeLimits(ctx, now); err != nil {
			h.cfg.logger.Warn("tribune: purging ended limits", "err", err)
		}
	}()
}
