package memstore

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/outbox"
)

// mailBook is the outbox and the address book of a Store.
type mailBook struct {
	mu        sync.Mutex
	mails     map[uuid.UUID]outbox.Mail
	mailKeys  map[string]uuid.UUID
	addresses map[string]tribune.Address // by key
	addrIDs   map[uuid.UUID]string
	subs      map[uuid.UUID]tribune.Subscription
}

// lock takes the book's lock, making its maps on first use.
func (b *mailBook) lock() {
	b.mu.Lock()
	if b.mails == nil {
		b.mails, b.mailKeys = map[uuid.UUID]outbox.Mail{}, map[string]uuid.UUID{}
		b.addresses, b.addrIDs = map[string]tribune.Address{}, map[uuid.UUID]string{}
		b.subs = map[uuid.UUID]tribune.Subscription{}
	}
}

// QueueMail implements outbox.Queue.
func (s *Store) QueueMail(ctx context.Context, m *outbox.Mail) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	b := &s.mail
	b.lock()
	defer b.mu.Unlock()
	if _, ok := b.mailKeys[m.Key]; ok {
		return false, nil
	}
	if _, ok := b.mails[m.ID]; ok {
		return false, fmt.Errorf("memstore: mail %s: %w", m.ID, tribune.ErrConflict)
	}
	b.mails[m.ID] = *m
	b.mailKeys[m.Key] = m.ID
	return true, nil
}

// ClaimMails implements outbox.Queue.
func (s *Store) ClaimMails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]outbox.Mail, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := &s.mail
	b.lock()
	defer b.mu.Unlock()
	var due []outbox.Mail
	for _, m := range b.mails {
		if m.State == outbox.Queued && !m.Due.After(now) {
			due = append(due, m)
		}
	}
	slices.SortFunc(due, func(a, b outbox.Mail) int {
		if c := a.Due.Compare(b.Due); c != 0 {
			return c
		}
		return slices.Compare(a.ID[:], b.ID[:])
	})
	if limit > 0 && len(due) > limit {
		due = due[:limit]
	}
	for i := range due {
		due[i].Due = now.Add(lease).UTC().Truncate(time.Microsecond)
		due[i].Attempts++
		b.mails[due[i].ID] = due[i]
	}
	return due, nil
}

// FinishMail implements outbox.Queue.
func (s *Store) FinishMail(ctx context.Context, id uuid.UUID, o outbox.Outcome) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := &s.mail
	b.lock()
	defer b.mu.Unlock()
	m, ok := b.mails[id]
	if !ok {
		return notFound("mail", id)
	}
	if o.Attempt > 0 && (m.State != outbox.Queued || m.Attempts != o.Attempt) {
		return fmt.Errorf("memstore: finish mail %s: claimed again since: %w", id, tribune.ErrConflict)
	}
	m.State, m.LastError = o.State, o.Error
	switch o.State {
	case outbox.Sent:
		m.Sent = o.Now.UTC().Truncate(time.Microsecond)
		m.Text, m.HTML = "", ""
	case outbox.Queued:
		m.Due = o.Retry.UTC().Truncate(time.Microsecond)
	}
	b.mails[id] = m
	return nil
}

// RenewMail implements outbox.Queue.
func (s *Store) RenewMail(ctx context.Context, id uuid.UUID, attempt int, due time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	b := &s.mail
	b.lock()
	defer b.mu.Unlock()
	m, ok := b.mails[id]
	if !ok || m.State != outbox.Queued || m.Attempts != attempt {
		return false, nil
	}
	m.Due = due.UTC().Truncate(time.Microsecond)
	b.mails[id] = m
	return true, nil
}

// Mails implements outbox.Queue.
func (s *Store) Mails(ctx context.Context, state outbox.State, page tribune.Span) ([]outbox.Mail, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b := &s.mail
	b.lock()
	defer b.mu.Unlock()
	var out []outbox.Mail
	for _, m := range b.mails {
		if m.State == state {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b outbox.Mail) int {
		if c := b.Queued.Compare(a.Queued); c != 0 {
			return c
		}
		return slices.Compare(b.ID[:], a.ID[:])
	})
	return paged(out, page.Norm()), nil
}

// PurgeMails implements outbox.Queue.
func (s *Store) PurgeMails(ctx context.Context, before time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	b := &s.mail
	b.lock()
	defer b.mu.Unlock()
	n := 0
	for id, m := range b.mails {
		if m.State != outbox.Queued && m.Queued.Before(before) {
			delete(b.mails, id)
			delete(b.mailKeys, m.Key)
			n++
		}
	}
	return n, nil
}

// Address implements tribune.AddressBook.
func (s *Store) Address(ctx context.Context, key string) (tribune.Address, error) {
	if err := ctx.Err(); err != nil {
		return tribune.Address{}, err
	}
	b := &s.mail
	b.lock()
	defer b.mu.Unlock()
	a, ok := b.addresses[key]
	if !ok {
		return tribune.Address{}, notFound("address", "")
	}
	return a, nil
}

// AddressByID implements tribune.AddressBook.
func (s *Store) AddressByID(ctx context.Context, id uuid.UUID) (tribune.Address, error) {
	if err := ctx.Err(); err != nil {
		return tribune.Address{}, err
	}
	b := &s.mail
	b.lock()
	defer b.mu.Unlock()
	key, ok := b.addrIDs[id]
	if !ok {
		return tribune.Address{}, notFound("address", id)
	}
	return b.addresses[key], nil
}

// UpdateAddress implements tribune.AddressBook.
func (s *Store) UpdateAddress(ctx context.Context, key string, apply func(*tribune.Address) error) (tribune.Address, error) {
	if err := ctx.Err(); err != nil {
		return tribune.Address{}, err
	}
	b := &s.mail
	b.lock()
	defer b.mu.Unlock()
	a, ok := b.addresses[key]
	if !ok {
		a = tribune.Address{ID: uuid.New(), Key: key}
	}
	if err := apply(&a); err != nil {
		return tribune.Address{}, err
	}
	a.Key = key
	a.Verified = a.Verified.UTC().Truncate(time.Microsecond)
	a.ConfirmSent = a.ConfirmSent.UTC().Truncate(time.Microsecond)
	a.OptedOut = a.OptedOut.UTC().Truncate(time.Microsecond)
	if old, ok := b.addresses[key]; ok {
		a.ID = old.ID // the ID never changes
	}
	b.addresses[key] = a
	b.addrIDs[a.ID] = key
	return a, nil
}

// Subscription implements tribune.AddressBook.
func (s *Store) Subscription(ctx context.Context, commentID uuid.UUID) (tribune.Subscription, error) {
	if err := ctx.Err(); err != nil {
		return tribune.Subscription{}, err
	}
	b := &s.mail
	b.lock()
	defer b.mu.Unlock()
	sub, ok := b.subs[commentID]
	if !ok {
		return tribune.Subscription{}, notFound("subscription", commentID)
	}
	return sub, nil
}

// SaveSubscription implements tribune.AddressBook.
func (s *Store) SaveSubscription(ctx context.Context, sub tribune.Subscription) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := &s.mail
	b.lock()
	defer b.mu.Unlock()
	sub.Created = sub.Created.UTC().Truncate(time.Microsecond)
	sub.Confirmed = sub.Confirmed.UTC().Truncate(time.Microsecond)
	b.subs[sub.CommentID] = sub
	return nil
}

// ForgetAddress implements tribune.AddressBook.
func (s *Store) ForgetAddress(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := &s.mail
	b.lock()
	defer b.mu.Unlock()
	if a, ok := b.addresses[key]; ok {
		delete(b.addrIDs, a.ID)
		delete(b.addresses, key)
	}
	for id, sub := range b.subs {
		if sub.EmailKey == key {
			delete(b.subs, id)
		}
	}
	for id, m := range b.mails {
		if m.To.Key() == key {
			delete(b.mails, id)
			delete(b.mailKeys, m.Key)
		}
	}
	return nil
}

// limitCount is one key's count in its window.
type limitCount struct {
	n     int
	reset time.Time
}

// limits is a Store's tribune.Limiter state.
type limits struct {
	mu   sync.Mutex
	keys map[string]limitCount
}

var _ tribune.Limiter = (*Store)(nil)

// Spend implements tribune.Limiter.
func (s *Store) Spend(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	l := &s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.keys == nil {
		l.keys = map[string]limitCount{}
	}
	c, ok := l.keys[key]
	if !ok || !now.Before(c.reset) {
		c = limitCount{reset: now.Add(window)}
	}
	if c.n >= limit {
		return false, nil
	}
	c.n++
	l.keys[key] = c
	return true, nil
}

// Pace implements tribune.Limiter: ErrNotSupported, since it lives in one process:
// a caller keeps its token buckets in memory.
func (s *Store) Pace(context.Context, string, time.Duration, int, bool, time.Time) (bool, error) {
	return false, tribune.ErrNotSupported
}

// PurgeLimits implements tribune.Limiter.
func (s *Store) PurgeLimits(ctx context.Context, now time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	l := &s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for k, c := range l.keys {
		if c.reset.Before(now) {
			delete(l.keys, k)
			n++
		}
	}
	return n, nil
}
