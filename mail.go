package tribune

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
)

// Message is one mail, rendered and ready to go: what a [Mailer] sends
// and what the outbox keeps until it is sent.
type Message struct {
	// ID names the message; a mailer derives the Message-ID header from
	// it, so a mail sent again after a crash is recognisably the same.
	ID uuid.UUID
	// To is the one recipient. A message never has another.
	To Email
	// From is the sender's display name (the site's name); the mailer
	// gives the address.
	From string
	// Subject, Text and HTML are the mail itself: a multipart message with
	// a plain-text and an HTML part.
	Subject, Text, HTML string
	// Lang is the language of the mail (Content-Language).
	Lang string
	// Unsubscribe, when set, is the https URL of RFC 8058 one-click
	// unsubscription: the mailer sends it as List-Unsubscribe, with
	// List-Unsubscribe-Post: List-Unsubscribe=One-Click.
	Unsubscribe string
}

// Mailer sends one message. The smtpmail package has the SMTP one. An
// error that wraps [ErrMailRejected] is permanent (the server refused the
// mail for good: no such mailbox); any other error is retried.
type Mailer interface {
	Send(ctx context.Context, m *Message) error
}

// ErrMailRejected reports that a mail server refused a message for good
// (an SMTP 5xx answer): the outbox records the failure and does not retry.
var ErrMailRejected = errors.New("tribune: mail rejected")

// MailState is where a mail of the outbox stands.
type MailState string

// The outbox states.
const (
	MailQueued MailState = "queued" // waiting to be sent, or being sent
	MailSent   MailState = "sent"   // handed to the mail server
	MailFailed MailState = "failed" // refused for good, or out of attempts
)

// OutboxMail is a message in the outbox with its delivery state.
type OutboxMail struct {
	Message
	// Key makes queuing idempotent: a second mail with the same key is
	// not queued ("reply:<reply ID>:<recipient>", "confirm:<address ID>:<day>").
	Key string
	// Kind says what the mail is for ("confirm", "reply", "moderate",
	// "manage"), for the moderation screen and logs.
	Kind   string
	State  MailState
	Queued time.Time
	// Due is when the mail is next tried; while a worker holds it, the
	// end of the worker's lease.
	Due      time.Time
	Attempts int
	// Sent is when the server took the mail; LastError says why the last
	// attempt failed (with the recipient's address blanked out).
	Sent      time.Time
	LastError string
}

// MailOutcome is what a worker reports of one attempt at a claimed mail.
type MailOutcome struct {
	// State is MailSent, MailFailed, or MailQueued for another try at
	// Retry.
	State MailState
	Retry time.Time
	Error string
	// Now is the time of the report.
	Now time.Time
	// Attempt, when above 0, fences the report to the claim it is about:
	// it is recorded only while the mail is still queued with that many
	// attempts (no other worker claimed it since its lease ended); else
	// FinishMail changes nothing and returns ErrConflict.
	Attempt int
}

// MailQueue is the optional capability of keeping an outbox: mails queued
// in the store, so a crash loses none, and claimed by one worker at a
// time, so several instances on one database never send one twice. The
// SQL stores and memstore have it; see [Outbox].
type MailQueue interface {
	// QueueMail stores m as MailQueued, due at m.Due. It reports false,
	// storing nothing, when a mail with m.Key is already stored (whatever
	// its state): the same event never mails twice.
	QueueMail(ctx context.Context, m *OutboxMail) (bool, error)
	// ClaimMails takes up to limit queued mails due at now, oldest due
	// first, and leases them: each is due again at now+lease (so a worker
	// that dies lets another retry it once the lease ends) and its
	// attempts grow by one, atomically, so that two workers never claim
	// the same mail.
	ClaimMails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]OutboxMail, error)
	// FinishMail records the outcome of an attempt (fenced to its claim
	// by o.Attempt). A sent mail keeps its key (so it is not queued
	// again) but loses its text.
	FinishMail(ctx context.Context, id uuid.UUID, o MailOutcome) error
	// RenewMail makes a queued mail due at due, if its attempts are still
	// attempt, atomically: a worker extends its lease this way while a
	// slow server takes the mail, and brings retries forward once the
	// server is back. It reports false, changing nothing, when the mail
	// was claimed again since, finished or deleted.
	RenewMail(ctx context.Context, id uuid.UUID, attempt int, due time.Time) (bool, error)
	// Mails lists the mails in state, newest queued first.
	Mails(ctx context.Context, state MailState, page Page) ([]OutboxMail, error)
	// PurgeMails deletes the sent and failed mails queued before the
	// time, and says how many: a sent mail's row keeps its recipient and
	// key, which are not kept for ever.
	PurgeMails(ctx context.Context, before time.Time) (int, error)
}

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
// memstore have it; see [Spend].
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
	// PurgeLimits deletes the keys whose window ended before now, and
	// says how many.
	PurgeLimits(ctx context.Context, now time.Time) (int, error)
}

// Spend counts one use of key on the store's [Limiter] (see
// [Limiter.Spend]); a store without one answers ErrNotSupported.
func Spend(ctx context.Context, s Store, key string, limit int, window time.Duration, now time.Time) (bool, error) {
	l, ok := s.(Limiter)
	if !ok {
		return false, ErrNotSupported
	}
	return l.Spend(ctx, key, limit, window, now)
}

// Mailing returns the store's outbox and address book, or
// ErrNotSupported when it lacks one of them (mail then stays off).
func Mailing(s Store) (MailQueue, AddressBook, error) {
	if t, ok := s.(*timeoutStore); ok {
		if _, _, err := Mailing(t.s); err != nil {
			return nil, nil, err
		}
	}
	q, ok1 := s.(MailQueue)
	b, ok2 := s.(AddressBook)
	if !ok1 || !ok2 {
		return nil, nil, ErrNotSupported
	}
	return q, b, nil
}

// ConfirmEvery is the least time between two confirmation mails to one
// address, however often someone types it in.
const ConfirmEvery = 24 * time.Hour

// ReplyRecipient says who hears of a reply, by the rules of reply mail:
// the reply is approved; the comment it answers is subscribed (its
// author ticked the box), the subscription confirmed and still active;
// the subscriber's address is verified and has not opted out of all
// mail; the replier is not the subscriber. It returns the comment
// answered, whose Email is the recipient, and false when nobody is to
// hear of it (also for a store without an [AddressBook]).
func ReplyRecipient(ctx context.Context, s Store, reply Comment) (Comment, bool, error) {
	if reply.Status != StatusApproved || reply.ParentID == uuid.Nil {
		return Comment{}, false, nil
	}
	_, book, err := Mailing(s)
	if err != nil {
		return Comment{}, false, nil
	}
	sub, err := book.Subscription(ctx, reply.ParentID)
	if err != nil || !sub.Active || sub.Confirmed.IsZero() || reply.Email.Key() == sub.EmailKey {
		return Comment{}, false, ignoreNotFound(err)
	}
	addr, err := book.Address(ctx, sub.EmailKey)
	if err != nil || addr.Verified.IsZero() || !addr.OptedOut.IsZero() {
		return Comment{}, false, ignoreNotFound(err) // never confirmed, or asked for no mail: nothing goes to it
	}
	parent, err := s.Comment(ctx, reply.ParentID)
	if err != nil || parent.Email.Key() != sub.EmailKey || parent.UserID != "" && parent.UserID == reply.UserID {
		return Comment{}, false, ignoreNotFound(err)
	}
	return parent, true, nil
}

// ConfirmationDue says whether the author of a comment that asked for
// reply mail should get a confirmation mail now: the comment's
// subscription is active and not confirmed yet (whether or not the
// address was verified before: a subscription made by a browser that had
// not proved the address is confirmed for that comment), the address has
// not opted out of all mail, and no confirmation went to it in the last
// [ConfirmEvery]. It records the sending (Address.ConfirmSent)
// atomically with the decision, so two comments at once send one mail,
// and returns the address.
func ConfirmationDue(ctx context.Context, s Store, c Comment, now time.Time) (Address, bool, error) {
	_, book, err := Mailing(s)
	if err != nil {
		return Address{}, false, nil
	}
	sub, err := book.Subscription(ctx, c.ID)
	if err != nil || !sub.Active || !sub.Confirmed.IsZero() {
		return Address{}, false, ignoreNotFound(err)
	}
	due := false
	a, err := book.UpdateAddress(ctx, sub.EmailKey, func(a *Address) error {
		if !a.OptedOut.IsZero() || now.Sub(a.ConfirmSent) < ConfirmEvery {
			return errUnchanged
		}
		a.ConfirmSent, due = now.UTC().Truncate(time.Microsecond), true
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return Address{}, false, nil
	}
	return a, due && err == nil, err
}

// ConfirmSubscription records that the owner of a subscribed comment's
// address followed the confirmation mailed for it: the subscription is
// confirmed and the address verified, at now. It returns the address; a
// comment without a subscription is ErrNotFound.
func ConfirmSubscription(ctx context.Context, s Store, commentID uuid.UUID, now time.Time) (Address, error) {
	_, book, err := Mailing(s)
	if err != nil {
		return Address{}, err
	}
	sub, err := book.Subscription(ctx, commentID)
	if err != nil {
		return Address{}, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	a, err := book.UpdateAddress(ctx, sub.EmailKey, func(a *Address) error {
		if a.Verified.IsZero() {
			a.Verified = now
		}
		return nil
	})
	if err != nil {
		return Address{}, err
	}
	if sub.Confirmed.IsZero() {
		sub.Confirmed = now
		err = book.SaveSubscription(ctx, sub)
	}
	return a, err
}

func ignoreNotFound(err error) error {
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	return err
}
