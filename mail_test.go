package tribune_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/outbox"
)

func TestReplyRecipientAndConfirmation(t *testing.T) {
	svc, a, clk := newService(t, tribune.WithModeration(tribune.ModerateNone), tribune.WithFloodInterval(0))
	s := clk.store
	ctx := t.Context()
	in := func(name, email, body string, parent tribune.Comment) tribune.Submission {
		x := sub(a, name, email, body)
		x.Input.ParentID = parent.ID
		return x
	}
	first := in("Léa", "Lea@example.org", "Premier.", tribune.Comment{})
	first.NotifyReplies = true
	parent, err := svc.Submit(ctx, first)
	require.NoError(t, err)

	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	addr, due, err := outbox.ConfirmationDue(ctx, s, parent, now)
	require.NoError(t, err)
	assert.True(t, due, "the first time, a confirmation is due")
	_, due, _ = outbox.ConfirmationDue(ctx, s, parent, now.Add(time.Hour))
	assert.False(t, due, "not again within a day")
	_, due, _ = outbox.ConfirmationDue(ctx, s, parent, now.Add(outbox.ConfirmEvery+time.Second))
	assert.True(t, due, "again after a day, while unconfirmed")

	reply, err := svc.Submit(ctx, in("Marc", "marc@example.org", "Réponse.", parent))
	require.NoError(t, err)
	_, ok, err := outbox.ReplyRecipient(ctx, s, reply)
	require.NoError(t, err)
	assert.False(t, ok, "an unconfirmed address hears nothing")

	book, _ := tribune.Addresses(s)
	_, err = book.UpdateAddress(ctx, addr.Key, func(x *tribune.Address) error { x.Verified = now; return nil })
	require.NoError(t, err)
	_, ok, err = outbox.ReplyRecipient(ctx, s, reply)
	require.NoError(t, err)
	assert.False(t, ok, "an address verified elsewhere does not confirm this comment's subscription")
	_, due, _ = outbox.ConfirmationDue(ctx, s, parent, now.Add(72*time.Hour))
	assert.True(t, due, "a verified address still confirms a subscription its browser did not prove")

	confirmed, err := outbox.ConfirmSubscription(ctx, s, parent.ID, now.Add(73*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, addr.ID, confirmed.ID)
	_, due, _ = outbox.ConfirmationDue(ctx, s, parent, now.Add(96*time.Hour))
	assert.False(t, due, "a confirmed subscription needs no confirmation")
	to, ok, err := outbox.ReplyRecipient(ctx, s, reply)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, parent.ID, to.ID)
	assert.Equal(t, "Lea@example.org", to.Email.Address())

	self, err := svc.Submit(ctx, in("Léa", "lea@EXAMPLE.org", "Je me réponds.", parent))
	require.NoError(t, err)
	_, ok, _ = outbox.ReplyRecipient(ctx, s, self)
	assert.False(t, ok, "never to the replier themselves")
	held := reply
	held.Status = tribune.StatusPending
	_, ok, _ = outbox.ReplyRecipient(ctx, s, held)
	assert.False(t, ok, "never for a held reply")
	_, err = book.UpdateAddress(ctx, addr.Key, func(x *tribune.Address) error { x.OptedOut = now; return nil })
	require.NoError(t, err)
	_, ok, _ = outbox.ReplyRecipient(ctx, s, reply)
	assert.False(t, ok, "never to an address that stopped all mail")
	_, err = book.UpdateAddress(ctx, addr.Key, func(x *tribune.Address) error { x.OptedOut = time.Time{}; return nil })
	require.NoError(t, err)
	require.NoError(t, book.SaveSubscription(ctx, tribune.Subscription{CommentID: parent.ID, EmailKey: "lea@example.org", Created: now, Active: false, Confirmed: now}))
	_, ok, _ = outbox.ReplyRecipient(ctx, s, reply)
	assert.False(t, ok, "never after unsubscribing")
}

// TestSubscriptionBombingNeedsConsent: typing somebody's verified
// address with the box ticked makes a subscription that sends nothing
// until it is confirmed; a visitor whose browser proved the address, or a
// signed-in identity, subscribes at once; an opted-out address gets not
// even a confirmation.
func TestSubscriptionBombingNeedsConsent(t *testing.T) {
	svc, a, clk := newService(t, tribune.WithModeration(tribune.ModerateNone), tribune.WithFloodInterval(0))
	s := clk.store
	ctx := t.Context()
	book, _ := tribune.Addresses(s)
	now := time.Now().UTC()
	victim, err := book.UpdateAddress(ctx, "victim@example.org", func(x *tribune.Address) error { x.Verified = now; return nil })
	require.NoError(t, err)

	attack := sub(a, "Victime", "victim@example.org", "Abonnez-moi.")
	attack.NotifyReplies = true
	bait, err := svc.Submit(ctx, attack)
	require.NoError(t, err)
	reply, err := svc.Submit(ctx, tribune.Submission{Input: tribune.CommentInput{ArticleID: a.ID, ParentID: bait.ID, Name: "X", Email: "x@example.org", Body: "Réponse piégée."}})
	require.NoError(t, err)
	_, ok, err := outbox.ReplyRecipient(ctx, s, reply)
	require.NoError(t, err)
	assert.False(t, ok, "the attacker's subscription sends no reply mail")

	owner := sub(a, "Victime", "victim@example.org", "C’est bien moi.")
	owner.NotifyReplies, owner.Verified = true, []uuid.UUID{victim.ID}
	mine, err := svc.Submit(ctx, owner)
	require.NoError(t, err)
	st, err := book.Subscription(ctx, mine.ID)
	require.NoError(t, err)
	assert.False(t, st.Confirmed.IsZero(), "a browser that proved the address subscribes at once")
	_, due, err := outbox.ConfirmationDue(ctx, s, mine, now)
	require.NoError(t, err)
	assert.False(t, due)

	signedIn := tribune.Submission{Input: tribune.CommentInput{ArticleID: a.ID, Body: "Membre."}, NotifyReplies: true,
		Identity: &tribune.Identity{UserID: "u1", Name: "Membre", Email: "membre@example.org"}}
	m, err := svc.Submit(ctx, signedIn)
	require.NoError(t, err)
	st, err = book.Subscription(ctx, m.ID)
	require.NoError(t, err)
	assert.False(t, st.Confirmed.IsZero(), "an identity's own address is proved")

	_, err = book.UpdateAddress(ctx, "victim@example.org", func(x *tribune.Address) error { x.OptedOut = now; return nil })
	require.NoError(t, err)
	attack.Input.Body = "Encore."
	again, err := svc.Submit(ctx, attack)
	require.NoError(t, err)
	_, due, err = outbox.ConfirmationDue(ctx, s, again, now.Add(48*time.Hour))
	require.NoError(t, err)
	assert.False(t, due, "an address that stopped all mail gets not even a confirmation")
}
