package outbox

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// Outbox sends the mails kept in a store's [Queue]: queued in the
// transaction-safe store first, then claimed, sent through a [Mailer] and
// marked, so that a crash loses no mail and several instances on one
// database share the work without sending a mail twice. Build it with
// [New], queue with [Outbox.Queue] and start [Outbox.Run] with a
// context that ends at shutdown.
//
// Delivery is at least once in the narrowest sense: a mail is marked
// sent right after the server accepted it; a process killed between the
// two sends it again once its lease ends, with the same Message-ID. A
// send is never raced: while a worker talks to a slow server, it renews
// its lease (every third of it), so no other worker claims the mail in
// flight, and every outcome is fenced to its claim. A send has its own
// deadline ([Config.SendTimeout]), however short the lease.
//
// When the mail server is down, a worker stops at the first mail that
// fails for a passing reason and tries one mail a poll, so an outage does
// not spend every mail's attempts; once a mail goes through again, the
// mails it pushed back during the outage are due at once.
type Outbox struct {
	queue       Queue
	mailer      Mailer
	logger      *slog.Logger
	lease, poll time.Duration
	sendTimeout time.Duration
	batch       int
	maxAttempts int
	backoff     func(attempt int) time.Duration
	now         func() time.Time
	wake        chan struct{}
	keep        time.Duration
	purged      time.Time
	// deferred are the mails pushed back during the current outage, by
	// claim, to bring forward once a mail goes through; mu guards it.
	mu       sync.Mutex
	deferred map[uuid.UUID]int
}

// maxDeferred bounds the mails an outage remembers to bring forward.
const maxDeferred = 1000

// Config says how an Outbox works. Every zero field takes its default;
// a negative one makes New fail.
type Config struct {
	// Logger gets the worker's lines (default slog.Default()). They carry
	// mail IDs, kinds and errors with the recipient blanked, never an
	// address.
	Logger *slog.Logger
	// Poll is how often Run looks for due mails when nothing wakes it
	// (default 5 s); a mail queued through the same Outbox wakes it at
	// once.
	Poll time.Duration
	// Attempts is how many attempts a mail gets (default 8), Backoff how
	// long to wait after the nth failed one (default [DefaultBackoff]:
	// 1 min × 4ⁿ⁻¹, at most 6 h; about a day and a half in all).
	Attempts int
	Backoff  func(attempt int) time.Duration
	// Lease is how long a claimed mail stays a worker's before another
	// may take it when the worker dies (default 2 min); a live worker
	// renews it while it sends.
	Lease time.Duration
	// SendTimeout bounds one send, the whole SMTP session (default
	// 10 min, as slow servers answer each command after tens of seconds).
	SendTimeout time.Duration
	// Retention is how long sent and failed mails stay in the outbox
	// (default 30 days): long enough for the moderation screen to show
	// failures and for an event not to mail twice, not for ever (a row
	// keeps its recipient's address).
	Retention time.Duration
	// Now replaces time.Now, for tests.
	Now func() time.Time
}

// storeTimeout bounds each of the worker's own calls to the queue (a
// claim, a purge), so a frozen database stalls a round, not the worker:
// the queue is reached under the store, not through the deadlines of
// [tribune.StoreWithTimeout].
const storeTimeout = 30 * time.Second

// DefaultBackoff is the wait after the nth failed attempt: 1 min × 4ⁿ⁻¹,
// at most 6 h.
func DefaultBackoff(attempt int) time.Duration {
	d := time.Minute
	for i := 1; i < attempt && d < 6*time.Hour; i++ {
		d *= 4
	}
	return min(d, 6*time.Hour)
}

// New returns an Outbox over the store's queue, sending with m. A
// store without [Queue] is ErrNotSupported.
func New(s tribune.Store, m Mailer, cfg Config) (*Outbox, error) {
	q, err := QueueOf(s)
	if err != nil {
		return nil, fmt.Errorf("tribune: outbox: %w", err)
	}
	if m == nil {
		return nil, errors.New("tribune: outbox: no mailer")
	}
	if cfg.Lease < 0 || cfg.Poll < 0 || cfg.Attempts < 0 || cfg.Retention < 0 || cfg.SendTimeout < 0 {
		return nil, errors.New("tribune: outbox: bad lease, poll, send timeout or retry settings")
	}
	// One mail a claim (batch 1): a worker that dies holds one mail's
	// lease, not a batch's.
	o := &Outbox{queue: q, mailer: m, batch: 1, wake: make(chan struct{}, 1), deferred: map[uuid.UUID]int{},
		logger: cmp.Or(cfg.Logger, slog.Default()), poll: cmp.Or(cfg.Poll, 5*time.Second),
		maxAttempts: cmp.Or(cfg.Attempts, 8), backoff: cfg.Backoff, lease: cmp.Or(cfg.Lease, 2*time.Minute),
		sendTimeout: cmp.Or(cfg.SendTimeout, 10*time.Minute), keep: cmp.Or(cfg.Retention, 30*24*time.Hour), now: cfg.Now}
	if o.backoff == nil {
		o.backoff = DefaultBackoff
	}
	if o.now == nil {
		o.now = time.Now
	}
	return o, nil
}

// Queue stores the mail, due now, and wakes the worker. It reports false
// when a mail with the same key was queued before (and queues nothing).
func (o *Outbox) Queue(ctx context.Context, m *Mail) (bool, error) {
	if m.Key == "" || m.To.IsZero() {
		return false, errors.New("tribune: outbox: a mail needs a key and a recipient")
	}
	if m.ID == uuid.Nil {
		m.ID = uuid.New()
	}
	now := o.now().UTC().Truncate(time.Microsecond)
	m.State, m.Queued, m.Attempts = Queued, now, 0
	if m.Due.IsZero() {
		m.Due = now
	}
	ok, err := o.queue.QueueMail(ctx, m)
	if ok {
		select {
		case o.wake <- struct{}{}:
		default:
		}
	}
	return ok, err
}

// Run sends due mails until ctx ends, then returns nil; a store that
// fails is logged and tried again at the next poll.
func (o *Outbox) Run(ctx context.Context) error {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-o.wake:
		}
		if _, err := o.Drain(ctx); err != nil && ctx.Err() == nil {
			o.logger.Error("tribune: outbox", "err", err)
		}
		if err := o.purge(ctx); err != nil && ctx.Err() == nil {
			o.logger.Error("tribune: outbox: purging old mails", "err", err)
		}
		t.Reset(o.poll)
	}
}

// Drain sends every mail due now, one claim at a time, and returns how
// many were sent.
func (o *Outbox) Drain(ctx context.Context) (int, error) {
	sent := 0
	for ctx.Err() == nil {
		cctx, cancel := context.WithTimeout(ctx, storeTimeout)
		ms, err := o.queue.ClaimMails(cctx, o.now().UTC(), o.lease, o.batch)
		cancel()
		if err != nil || len(ms) == 0 {
			return sent, err
		}
		for i := range ms {
			switch o.deliver(ctx, &ms[i]) {
			case delivered:
				sent++
			case deferred:
				// The server is failing: leave the rest for the next
				// poll instead of spending their attempts now.
				return sent, nil
			}
		}
	}
	return sent, nil
}

// What one attempt came to.
type attemptResult int

const (
	delivered attemptResult = iota
	deferred                // a passing failure: tried again later
	finished                // refused for good, or not ours any more
)

// purge deletes the mails older than the retention, once an hour.
func (o *Outbox) purge(ctx context.Context) error {
	now := o.now()
	if now.Sub(o.purged) < time.Hour {
		return nil
	}
	o.purged = now
	pctx, cancel := context.WithTimeout(ctx, storeTimeout)
	defer cancel()
	n, err := o.queue.PurgeMails(pctx, now.Add(-o.keep))
	if n > 0 {
		o.logger.Info("tribune: outbox: old mails purged", "mails", n)
	}
	return err
}

// Purge deletes now the sent and failed mails older than the retention;
// Run does it once an hour.
func (o *Outbox) Purge(ctx context.Context) (int, error) {
	return o.queue.PurgeMails(ctx, o.now().Add(-o.keep))
}

// deliver makes one attempt at a claimed mail and records it.
func (o *Outbox) deliver(ctx context.Context, m *Mail) attemptResult {
	err := o.send(ctx, m)
	out := Outcome{State: Sent, Now: o.now().UTC(), Attempt: m.Attempts}
	result := delivered
	if err != nil {
		out.Error = scrubAddress(err.Error(), m.To)
		switch {
		case errors.Is(err, ErrRejected), m.Attempts >= o.maxAttempts:
			out.State, result = Failed, finished
			o.logger.Warn("tribune: mail failed for good", "mail", m.ID, "kind", m.Kind, "attempts", m.Attempts, "err", out.Error)
		default:
			out.State, result = Queued, deferred
			out.Retry = out.Now.Add(o.backoff(m.Attempts))
			o.logger.Info("tribune: mail will be retried", "mail", m.ID, "kind", m.Kind, "attempts", m.Attempts, "retry", out.Retry, "err", out.Error)
		}
	}
	// The outcome is recorded even if ctx has just ended: a sent mail
	// left as queued would go again.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	ferr := o.queue.FinishMail(fctx, m.ID, out)
	switch {
	case errors.Is(ferr, tribune.ErrConflict):
		o.logger.Warn("tribune: outbox: another worker claimed the mail meanwhile", "mail", m.ID)
		return finished
	case ferr != nil:
		o.logger.Error("tribune: outbox: recording a mail's outcome", "mail", m.ID, "err", ferr)
	}
	switch result {
	case deferred:
		o.mu.Lock()
		if len(o.deferred) < maxDeferred {
			o.deferred[m.ID] = m.Attempts
		}
		o.mu.Unlock()
	case delivered:
		o.resume(fctx)
	}
	return result
}

// send hands the mail to the mailer under its own deadline, renewing the
// claim's lease while the server takes its time; a lost claim (another
// worker took the mail after a renewal failed) is logged.
func (o *Outbox) send(ctx context.Context, m *Mail) error {
	sctx, cancel := context.WithTimeout(ctx, o.sendTimeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- o.mailer.Send(sctx, &m.Message) }()
	tick := time.NewTicker(max(o.lease/3, time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			return err
		case <-tick.C:
			rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), max(o.lease/3, time.Second))
			ok, err := o.queue.RenewMail(rctx, m.ID, m.Attempts, o.now().UTC().Add(o.lease))
			rcancel()
			if err == nil && !ok {
				o.logger.Warn("tribune: outbox: a mail's lease was lost while sending", "mail", m.ID)
			} else if err != nil {
				o.logger.Warn("tribune: outbox: renewing a mail's lease", "mail", m.ID, "err", err)
			}
		}
	}
}

// resume brings forward the mails an outage pushed back: a mail just went
// through, so the server is back.
func (o *Outbox) resume(ctx context.Context) {
	o.mu.Lock()
	waiting := o.deferred
	if len(waiting) == 0 {
		o.mu.Unlock()
		return
	}
	o.deferred = map[uuid.UUID]int{}
	o.mu.Unlock()
	now := o.now().UTC()
	n := 0
	for id, attempt := range waiting {
		if ok, err := o.queue.RenewMail(ctx, id, attempt, now); err == nil && ok {
			n++
		}
	}
	if n > 0 {
		o.logger.Info("tribune: outbox: the mail server is back: retries brought forward", "mails", n)
		select {
		case o.wake <- struct{}{}:
		default:
		}
	}
}

// scrubAddress blanks the recipient out of a server's answer, which often
// quotes it, and bounds its length.
// The match ignores case: servers echo an address as they please
// (<LEA@Example.ORG>), and an address's domain has no case.
func scrubAddress(msg string, to tribune.Email) string {
	if a := to.Address(); a != "" {
		msg = regexp.MustCompile(`(?i)`+regexp.QuoteMeta(a)).ReplaceAllLiteralString(msg, to.String())
	}
	return strings.ToValidUTF8(msg[:min(len(msg), 500)], "")
}
