package tribune_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
)

func TestReplyRecipientAndConfirmation(t *testing.T) {
	svc, a, _ := newService(t, tribune.WithModeration(tribune.ModerateNone), tribune.WithFloodInterval(0))
	s := svc.Store()
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
	addr, due, err := tribune.ConfirmationDue(ctx, s, parent, now)
	require.NoError(t, err)
	assert.True(t, due, "the first time, a confirmation is due")
	_, due, _ = tribune.ConfirmationDue(ctx, s, parent, now.Add(time.Hour))
	assert.False(t, due, "not again within a day")
	_, due, _ = tribune.ConfirmationDue(ctx, s, parent, now.Add(tribune.ConfirmEvery+time.Second))
	assert.True(t, due, "again after a day, while unconfirmed")

	reply, err := svc.Submit(ctx, in("Marc", "marc@example.org", "Réponse.", parent))
	require.NoError(t, err)
	_, ok, err := tribune.ReplyRecipient(ctx, s, reply)
	require.NoError(t, err)
	assert.False(t, ok, "an unconfirmed address hears nothing")

	_, book, _ := tribune.Mailing(s)
	_, err = book.UpdateAddress(ctx, addr.Key, func(x *tribune.Address) error { x.Verified = now; return nil })
	require.NoError(t, err)
	_, due, _ = tribune.ConfirmationDue(ctx, s, parent, now.Add(72*time.Hour))
	assert.False(t, due, "a confirmed address needs no confirmation")
	to, ok, err := tribune.ReplyRecipient(ctx, s, reply)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, parent.ID, to.ID)
	assert.Equal(t, "Lea@example.org", to.Email.Address())

	self, err := svc.Submit(ctx, in("Léa", "lea@EXAMPLE.org", "Je me réponds.", parent))
	require.NoError(t, err)
	_, ok, _ = tribune.ReplyRecipient(ctx, s, self)
	assert.False(t, ok, "never to the replier themselves")
	held := reply
	held.Status = tribune.StatusPending
	_, ok, _ = tribune.ReplyRecipient(ctx, s, held)
	assert.False(t, ok, "never for a held reply")
	require.NoError(t, book.SaveSubscription(ctx, tribune.Subscription{CommentID: parent.ID, EmailKey: "lea@example.org", Created: now, Active: false}))
	_, ok, _ = tribune.ReplyRecipient(ctx, s, reply)
	assert.False(t, ok, "never after unsubscribing")
}
