package tribune

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Address is what the store knows of one email address: whether its owner
// proved it is theirs, through a mailed link.
type Address struct {
	// ID names the address in signed links, which never carry the
	// address itself.
	ID uuid.UUID
	// Key is the address as [Email.Key] gives it.
	Key string
	// Verified is when the owner followed a confirmation link, or zero.
	Verified time.Time
	// ConfirmSent is when the last confirmation mail was queued, or zero.
	ConfirmSent time.Time
	// OptedOut is when the owner asked for no more mail from the site
	// ("stop all mail", on an unsubscribe or confirmation page), or zero.
	// No reply, confirmation or manage mail goes to an opted-out address,
	// whatever subscriptions are made later; only its owner, from a
	// browser that proved the address, lifts it by subscribing again.
	OptedOut time.Time
}

// Subscription is a commenter's wish to hear of the replies to one of
// their comments.
type Subscription struct {
	CommentID uuid.UUID
	// EmailKey is the subscriber's address, as [Email.Key] gives it.
	EmailKey string
	Created  time.Time
	// Active is false once unsubscribed.
	Active bool
	// Confirmed is when the subscription was proved wanted, or zero: at
	// once when the visitor who made it had proved the address (a
	// verified browser, a signed-in identity owning it), else when they
	// follow the confirmation mailed for this comment. An unconfirmed
	// subscription sends nothing but that one confirmation, so typing
	// somebody's address never subscribes them.
	Confirmed time.Time
}

// AddressBook is the optional capability of keeping addresses and
// reply subscriptions, for reply notifications and verified commenters.
// The SQL stores and memstore have it.
type AddressBook interface {
	// Address returns the address with the key, or ErrNotFound.
	Address(ctx context.Context, key string) (Address, error)
	// AddressByID returns the address with the ID, or ErrNotFound.
	AddressByID(ctx context.Context, id uuid.UUID) (Address, error)
	// UpdateAddress passes the address with the key (a new one, with a
	// new ID, when none is stored) to apply and stores what apply left,
	// atomically; an error from apply is returned as is and stores
	// nothing. It returns the address as stored.
	UpdateAddress(ctx context.Context, key string, apply func(*Address) error) (Address, error)
	// Subscription returns the subscription to replies to the comment, or
	// ErrNotFound.
	Subscription(ctx context.Context, commentID uuid.UUID) (Subscription, error)
	// SaveSubscription stores s, replacing the comment's subscription.
	SaveSubscription(ctx context.Context, s Subscription) error
	// ForgetAddress deletes the address, its subscriptions and every mail
	// to it, sent or not: the erasure of a person's data.
	ForgetAddress(ctx context.Context, key string) error
}

// Limiter is the optional capability of counting the uses of a key in a
// window of time, in the store, so that every instance on one database
// counts together: single-use mailed links, the per-recipient mail
// budget, limits that must hold across instances. The SQL stores and
// memstore have it.
//
// Keys are opaque to the store. Callers never put personal data in them
// as it is: an address or a client address goes in hashed with a secret.
type Limiter interface {
	// Spend counts one use of key at now and reports whether it is within
	// limit, atomically. A key's count starts at one on its first use, or
	// on its first use after its window ended, and its window then ends
	// at now+window; a use beyond limit is refused (false) and not
	// counted. Two instances spending the same key at once are counted
	// one after the other.
	Spend(ctx context.Context, key string, limit int, window time.Duration, now time.Time) (bool, error)
	// Pace keeps a token bucket under key, as golang.org/x/time/rate
	// counts one: it holds burst tokens and gets one back every interval.
	// It reports whether a token is there at now and, with spend, takes
	// it, atomically, so that every instance on one database draws on one
	// bucket (a client's posting budget, failed moderation logins). A
	// refused client gets a token back within one interval. The key's row
	// ends when its bucket is full again (PurgeLimits deletes it). A store
	// that one process owns (SQLite, memstore) answers ErrNotSupported:
	// its caller keeps the bucket in memory, which is exact and costs no
	// write.
	Pace(ctx context.Context, key string, interval time.Duration, burst int, spend bool, now time.Time) (bool, error)
	// PurgeLimits deletes the keys whose window ended before now, and
	// says how many.
	PurgeLimits(ctx context.Context, now time.Time) (int, error)
}

// Addresses returns the store's address book, or ErrNotSupported when it
// has none (subscriptions and mail then stay off).
func Addresses(s Store) (AddressBook, error) {
	if t, ok := s.(*timeoutStore); ok {
		if _, err := Addresses(t.s); err != nil {
			return nil, err
		}
	}
	b, ok := s.(AddressBook)
	if !ok {
		return nil, ErrNotSupported
	}
	return b, nil
}
