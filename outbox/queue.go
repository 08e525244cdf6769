package outbox

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// Message is one mail, rendered and ready to go: what a [Mailer] sends
// and what the outbox keeps until it is sent.
type Message struct {
	// ID names the message; a mailer derives the Message-ID header from
	// it, so a mail sent again after a crash is recognisably the same.
	ID uuid.UUID
	// To is the one recipient. A message never has another.
	To tribune.Email
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
// error that wraps [ErrRejected] is permanent (the server refused the
// mail for good: no such mailbox); any other error is retried.
type Mailer interface {
	Send(ctx context.Context, m *Message) error
}

// ErrRejected reports that a mail server refused a message for good
// (an SMTP 5xx answer): the outbox records the failure and does not retry.
var ErrRejected = errors.New("tribune: mail rejected")

// State is where a mail of the outbox stands.
type State string

// The outbox states.
const (
	Queued State = "queued" // waiting to be sent, or being sent
	Sent   State = "sent"   // handed to the mail server
	Failed State = "failed" // refused for good, or out of attempts
)

// Mail is a message in the outbox with its delivery state.
type Mail struct {
	Message
	// Key makes queuing idempotent: a second mail with the same key is
	// not queued ("reply:<reply ID>:<recipient>", "confirm:<address ID>:<day>").
	Key string
	// Kind says what the mail is for ("confirm", "reply", "moderate",
	// "manage"), for the moderation screen and logs.
	Kind   string
	State  State
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

// Outcome is what a worker reports of one attempt at a claimed mail.
type Outcome struct {
	// State is Sent, Failed, or Queued for another try at
	// Retry.
	State State
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

// Queue is the optional capability of keeping an outbox: mails queued
// in the store, so a crash loses none, and claimed by one worker at a
// time, so several instances on one database never send one twice. The
// SQL stores and memstore have it; see [Outbox].
type Queue interface {
	// QueueMail stores m as Queued, due at m.Due. It reports false,
	// storing nothing, when a mail with m.Key is already stored (whatever
	// its state): the same event never mails twice.
	QueueMail(ctx context.Context, m *Mail) (bool, error)
	// ClaimMails takes up to limit queued mails due at now, oldest due
	// first, and leases them: each is due again at now+lease (so a worker
	// that dies lets another retry it once the lease ends) and its
	// attempts grow by one, atomically, so that two workers never claim
	// the same mail.
	ClaimMails(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Mail, error)
	// FinishMail records the outcome of an attempt (fenced to its claim
	// by o.Attempt). A sent mail keeps its key (so it is not queued
	// again) but loses its text.
	FinishMail(ctx context.Context, id uuid.UUID, o Outcome) error
	// RenewMail makes a queued mail due at due, if its attempts are still
	// attempt, atomically: a worker extends its lease this way while a
	// slow server takes the mail, and brings retries forward once the
	// server is back. It reports false, changing nothing, when the mail
	// was claimed again since, finished or deleted.
	RenewMail(ctx context.Context, id uuid.UUID, attempt int, due time.Time) (bool, error)
	// Mails lists the mails in state, newest queued first.
	Mails(ctx context.Context, state State, page tribune.Span) ([]Mail, error)
	// PurgeMails deletes the sent and failed mails queued before the
	// time, and says how many: a sent mail's row keeps its recipient and
	// key, which are not kept for ever.
	PurgeMails(ctx context.Context, before time.Time) (int, error)
}

// QueueOf returns the store's queue, looking through wrappers that have an
// Unwrap() tribune.Store method (as [tribune.StoreWithTimeout]'s has). A
// store without a [Queue], or without a [tribune.AddressBook] (whose
// addresses say who may be mailed), is ErrNotSupported: mail stays off.
func QueueOf(s tribune.Store) (Queue, error) {
	if _, err := tribune.Addresses(s); err != nil {
		return nil, err
	}
	for s != nil {
		if q, ok := s.(Queue); ok {
			return q, nil
		}
		u, ok := s.(interface{ Unwrap() tribune.Store })
		if !ok {
			break
		}
		s = u.Unwrap()
	}
	return nil, tribune.ErrNotSupported
}
