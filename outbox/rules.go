package outbox

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// The rules of who gets mail: consent, confirmation and opting out.

// errUnchanged tells UpdateAddress that the rule found nothing to do.
var errUnchanged = errors.New("outbox: unchanged")

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
func ReplyRecipient(ctx context.Context, s tribune.Store, reply tribune.Comment) (tribune.Comment, bool, error) {
	if reply.Status != tribune.StatusApproved || reply.ParentID == uuid.Nil {
		return tribune.Comment{}, false, nil
	}
	book, err := tribune.Addresses(s)
	if err != nil {
		return tribune.Comment{}, false, nil
	}
	sub, err := book.Subscription(ctx, reply.ParentID)
	if err != nil || !sub.Active || sub.Confirmed.IsZero() || reply.Email.Key() == sub.EmailKey {
		return tribune.Comment{}, false, ignoreNotFound(err)
	}
	addr, err := book.Address(ctx, sub.EmailKey)
	if err != nil || addr.Verified.IsZero() || !addr.OptedOut.IsZero() {
		return tribune.Comment{}, false, ignoreNotFound(err) // never confirmed, or asked for no mail: nothing goes to it
	}
	parent, err := s.Comment(ctx, reply.ParentID)
	if err != nil || parent.Email.Key() != sub.EmailKey || parent.UserID != "" && parent.UserID == reply.UserID {
		return tribune.Comment{}, false, ignoreNotFound(err)
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
func ConfirmationDue(ctx context.Context, s tribune.Store, c tribune.Comment, now time.Time) (tribune.Address, bool, error) {
	book, err := tribune.Addresses(s)
	if err != nil {
		return tribune.Address{}, false, nil
	}
	sub, err := book.Subscription(ctx, c.ID)
	if err != nil || !sub.Active || !sub.Confirmed.IsZero() {
		return tribune.Address{}, false, ignoreNotFound(err)
	}
	due := false
	a, err := book.UpdateAddress(ctx, sub.EmailKey, func(a *tribune.Address) error {
		if !a.OptedOut.IsZero() || now.Sub(a.ConfirmSent) < ConfirmEvery {
			return errUnchanged
		}
		a.ConfirmSent, due = now.UTC().Truncate(time.Microsecond), true
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return tribune.Address{}, false, nil
	}
	return a, due && err == nil, err
}

// ConfirmSubscription records that the owner of a subscribed comment's
// address followed the confirmation mailed for it: the subscription is
// confirmed and the address verified, at now. It returns the address; a
// comment without a subscription is ErrNotFound.
func ConfirmSubscription(ctx context.Context, s tribune.Store, commentID uuid.UUID, now time.Time) (tribune.Address, error) {
	book, err := tribune.Addresses(s)
	if err != nil {
		return tribune.Address{}, err
	}
	sub, err := book.Subscription(ctx, commentID)
	if err != nil {
		return tribune.Address{}, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	a, err := book.UpdateAddress(ctx, sub.EmailKey, func(a *tribune.Address) error {
		if a.Verified.IsZero() {
			a.Verified = now
		}
		return nil
	})
	if err != nil {
		return tribune.Address{}, err
	}
	if sub.Confirmed.IsZero() {
		sub.Confirmed = now
		err = book.SaveSubscription(ctx, sub)
	}
	return a, err
}

func ignoreNotFound(err error) error {
	if errors.Is(err, tribune.ErrNotFound) {
		return nil
	}
	return err
}
