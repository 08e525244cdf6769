package tribune_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/memstore"
)

// clock is the test's time, and the store under the service.
type clock struct {
	now   time.Time
	store tribune.Store
}

func (c *clock) Now() time.Time { return c.now }

func newService(t *testing.T, opts ...tribune.ServiceOption) (*tribune.Service, tribune.Article, *clock) {
	t.Helper()
	store := memstore.New()
	a, err := tribune.NewArticle(tribune.ArticleInput{Title: "Service"})
	require.NoError(t, err)
	require.NoError(t, store.CreateArticle(context.Background(), &a))
	clk := &clock{now: time.Date(2026, 2, 12, 10, 0, 0, 0, time.UTC), store: store}
	svc, err := tribune.NewService(store, append([]tribune.ServiceOption{tribune.WithClock(clk.Now)}, opts...)...)
	require.NoError(t, err)
	return svc, a, clk
}

func sub(a tribune.Article, name, email, body string) tribune.Submission {
	return tribune.Submission{Input: tribune.CommentInput{ArticleID: a.ID, Name: name, Email: email, Body: body},
		ClientAddr: "192.0.2." + name, UserAgent: "test"}
}

func TestServiceModerationModes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		mode        tribune.ModerationMode
		first, next tribune.Status
	}{
		{tribune.ModerateNone, tribune.StatusApproved, tribune.StatusApproved},
		{tribune.ModerateFirst, tribune.StatusPending, tribune.StatusApproved},
		{tribune.ModerateAll, tribune.StatusPending, tribune.StatusPending},
	} {
		svc, a, clk := newService(t, tribune.WithModeration(tc.mode))
		c, err := svc.Submit(ctx, sub(a, "1", "ana@example.org", "premier"))
		require.NoError(t, err)
		assert.Equal(t, tc.first, c.Status, "mode %d first", tc.mode)
		if c.Status == tribune.StatusPending {
			_, err = svc.Moderate(ctx, c.ID, tribune.StatusApproved)
			require.NoError(t, err)
		}
		clk.now = clk.now.Add(time.Minute)
		next := sub(a, "2", "ANA@example.org", "second")
		next.Returning = []uuid.UUID{c.ID} // her browser's signed list
		c, err = svc.Submit(ctx, next)
		require.NoError(t, err)
		assert.Equal(t, tc.next, c.Status, "mode %d after an approved comment", tc.mode)
	}
}

// TestTrustByEmailAloneIsNotEnough: in ModerateFirst, someone who types a
// regular's email (any case), under any name, is held; only the regular's
// own browser, whose signed list names her approved comment, is published
// at once, and only with her email.
func TestTrustByEmailAloneIsNotEnough(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, a, clk := newService(t, tribune.WithModeration(tribune.ModerateFirst))
	regular, err := svc.Submit(ctx, sub(a, "1", "regular@example.org", "je commente souvent"))
	require.NoError(t, err)
	_, err = svc.Moderate(ctx, regular.ID, tribune.StatusApproved)
	require.NoError(t, err)

	for i, tc := range []struct {
		name      string
		email     string
		returning []uuid.UUID
		want      tribune.Status
	}{
		{"her email typed by someone else", "Regular@Example.org", nil, tribune.StatusPending},
		{"her email and a made-up list", "regular@example.org", []uuid.UUID{uuid.New()}, tribune.StatusPending},
		{"her browser, another email", "other@example.org", []uuid.UUID{regular.ID}, tribune.StatusPending},
		{"her browser, her email", "regular@example.org", []uuid.UUID{regular.ID}, tribune.StatusApproved},
	} {
		clk.now = clk.now.Add(time.Minute)
		s := sub(a, fmt.Sprint(10+i), tc.email, "texte "+tc.name)
		s.Returning = tc.returning
		c, err := svc.Submit(ctx, s)
		require.NoError(t, err)
		assert.Equal(t, tc.want, c.Status, tc.name)
	}
}

func TestServiceHoldAndBlockRules(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name string
		opts []tribune.ServiceOption
		sub  func(a tribune.Article) tribune.Submission
		want tribune.Status
	}{
		{"two links held", nil, func(a tribune.Article) tribune.Submission {
			return sub(a, "1", "a@example.org", "voir https://a.example et www.b.example")
		}, tribune.StatusPending},
		{"one link passes", nil, func(a tribune.Article) tribune.Submission {
			return sub(a, "1", "a@example.org", "voir https://a.example")
		}, tribune.StatusApproved},
		{"links rule off", []tribune.ServiceOption{tribune.WithFilters(tribune.Filters{MaxLinks: -1})}, func(a tribune.Article) tribune.Submission {
			return sub(a, "1", "a@example.org", "https://a.example https://b.example https://c.example")
		}, tribune.StatusApproved},
		{"moderation word in text, any case and script", []tribune.ServiceOption{tribune.WithFilters(tribune.Filters{HoldWords: []string{"КАЗИНО"}})}, func(a tribune.Article) tribune.Submission {
			return sub(a, "1", "a@example.org", "лучшее казино")
		}, tribune.StatusPending},
		{"moderation word in user agent", []tribune.ServiceOption{tribune.WithFilters(tribune.Filters{HoldWords: []string{"curl"}})}, func(a tribune.Article) tribune.Submission {
			s := sub(a, "1", "a@example.org", "bonjour")
			s.UserAgent = "curl/8.0"
			return s
		}, tribune.StatusPending},
		{"moderation word in client address", []tribune.ServiceOption{tribune.WithFilters(tribune.Filters{HoldWords: []string{"192.0.2.66"}})}, func(a tribune.Article) tribune.Submission {
			return sub(a, "66", "a@example.org", "bonjour")
		}, tribune.StatusPending},
		{"block word to trash", []tribune.ServiceOption{tribune.WithFilters(tribune.Filters{BlockWords: []string{"viagra"}, BlockAs: tribune.StatusTrash})}, func(a tribune.Article) tribune.Submission {
			return sub(a, "1", "Viagra@example.org", "bonjour")
		}, tribune.StatusTrash},
		{"block word to spam", []tribune.ServiceOption{tribune.WithFilters(tribune.Filters{BlockWords: []string{"viagra"}, BlockAs: tribune.StatusSpam})}, func(a tribune.Article) tribune.Submission {
			return sub(a, "1", "a@example.org", "VIAGRA")
		}, tribune.StatusSpam},
		{"spam hook", []tribune.ServiceOption{tribune.WithSpamChecker(spamFunc(func(*tribune.Comment) (bool, error) { return true, nil }))}, func(a tribune.Article) tribune.Submission {
			return sub(a, "1", "a@example.org", "bonjour")
		}, tribune.StatusSpam},
		{"spam hook down holds", []tribune.ServiceOption{tribune.WithSpamChecker(spamFunc(func(*tribune.Comment) (bool, error) { return false, errors.New("down") }))}, func(a tribune.Article) tribune.Submission {
			return sub(a, "1", "a@example.org", "bonjour")
		}, tribune.StatusPending},
		{"honeypot", nil, func(a tribune.Article) tribune.Submission {
			s := sub(a, "1", "a@example.org", "bonjour")
			s.SuspectedSpam = true
			return s
		}, tribune.StatusSpam},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			svc, a, _ := newService(t, append([]tribune.ServiceOption{tribune.WithModeration(tribune.ModerateNone)}, tc.opts...)...)
			c, err := svc.Submit(ctx, tc.sub(a))
			require.NoError(t, err)
			assert.Equal(t, tc.want, c.Status)
		})
	}
}

type spamFunc func(*tribune.Comment) (bool, error)

func (f spamFunc) Check(_ context.Context, c *tribune.Comment, _ *tribune.Submission) (bool, error) {
	return f(c)
}

func TestServiceRefusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, a, clk := newService(t, tribune.WithModeration(tribune.ModerateNone), tribune.WithReplyDepth(2))

	_, err := svc.Submit(ctx, sub(a, "1", "", "x"))
	var ve *tribune.ValidationError
	require.ErrorAs(t, err, &ve)

	first, err := svc.Submit(ctx, sub(a, "1", "a@example.org", "texte"))
	require.NoError(t, err)
	assert.NotEmpty(t, first.Meta.ClientHash)
	assert.NotContains(t, first.Meta.ClientHash, "192.0.2", "the address is stored hashed")

	clk.now = clk.now.Add(5 * time.Second)
	_, err = svc.Submit(ctx, sub(a, "1", "b@example.org", "autre"))
	require.ErrorIs(t, err, tribune.ErrFlood, "same client within 15 s")
	// Flood control is by client only: an email says nothing about who
	// is posting, and an answer that depended on it would tell whether
	// someone else used it.
	_, err = svc.Submit(ctx, sub(a, "2", "a@example.org", "autre"))
	require.NoError(t, err, "same email from another client")

	clk.now = clk.now.Add(time.Minute)
	_, err = svc.Submit(ctx, sub(a, "1", "a@example.org", "texte"))
	require.ErrorIs(t, err, tribune.ErrDuplicate)
	_, err = svc.Submit(ctx, sub(a, "1", "z@example.org", "texte"))
	require.ErrorIs(t, err, tribune.ErrDuplicate, "the same text from the same client, whatever the email")
	clk.now = clk.now.Add(time.Minute)
	_, err = svc.Submit(ctx, sub(a, "7", "a@example.org", "texte"))
	require.NoError(t, err, "the same text from another client is not a duplicate of theirs")

	reply := sub(a, "3", "c@example.org", "réponse")
	reply.Input.ParentID = first.ID
	r1, err := svc.Submit(ctx, reply)
	require.NoError(t, err)
	clk.now = clk.now.Add(time.Minute)
	deeper := sub(a, "4", "d@example.org", "trop profond")
	deeper.Input.ParentID = r1.ID
	_, err = svc.Submit(ctx, deeper)
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, tribune.CodeTooDeep, ve.Code(tribune.FieldParent))

	orphan := sub(a, "5", "e@example.org", "orphelin")
	orphan.Input.ParentID = uuid.New()
	_, err = svc.Submit(ctx, orphan)
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, tribune.CodeNoParent, ve.Code(tribune.FieldParent))

	_, err = svc.Moderate(ctx, first.ID, tribune.StatusSpam)
	require.NoError(t, err)
	toSpam := sub(a, "6", "f@example.org", "à un spam")
	toSpam.Input.ParentID = first.ID
	_, err = svc.Submit(ctx, toSpam)
	require.ErrorIs(t, err, tribune.ErrParentNotApproved)

	unknown := sub(a, "7", "g@example.org", "x")
	unknown.Input.ArticleID = uuid.New()
	_, err = svc.Submit(ctx, unknown)
	require.ErrorIs(t, err, tribune.ErrNotFound)

	closedSvc, closedArticle, closedClk := newService(t)
	closedArticle.CommentsClosed = true
	require.NoError(t, closedClk.store.UpdateArticle(ctx, &closedArticle))
	_, err = closedSvc.Submit(ctx, sub(closedArticle, "1", "a@example.org", "x"))
	require.ErrorIs(t, err, tribune.ErrClosed)
}

func TestServiceVisibleAndEdit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, a, clk := newService(t)
	mine, err := svc.Submit(ctx, sub(a, "1", "a@example.org", "le mien"))
	require.NoError(t, err)
	clk.now = clk.now.Add(time.Minute)
	theirs, err := svc.Submit(ctx, sub(a, "2", "b@example.org", "le leur"))
	require.NoError(t, err)
	require.Equal(t, tribune.StatusPending, theirs.Status)
	vis, err := svc.Thread(ctx, a.ID, tribune.Viewer{Own: []uuid.UUID{mine.ID}})
	require.NoError(t, err)
	require.Len(t, vis, 1)
	assert.Equal(t, mine.ID, vis[0].ID)
	vis, err = svc.Thread(ctx, a.ID, tribune.Viewer{})
	require.NoError(t, err)
	assert.Empty(t, vis)

	edited, err := svc.Edit(ctx, mine.ID, "corrigé <script>x</script>")
	require.NoError(t, err)
	assert.Equal(t, "<p>corrigé</p>\n", edited.Body)
	assert.Equal(t, 2, edited.Version)
	_, err = svc.Edit(ctx, mine.ID, "<script></script>")
	require.ErrorIs(t, err, tribune.ErrInvalid)
	require.NoError(t, svc.Delete(ctx, mine.ID))
	_, err = svc.Moderate(ctx, mine.ID, tribune.StatusApproved)
	require.ErrorIs(t, err, tribune.ErrNotFound)
	_, err = svc.Moderate(ctx, theirs.ID, tribune.Status("bogus"))
	require.ErrorIs(t, err, tribune.ErrInvalid)
}

type failingNotifier struct{}

func (failingNotifier) CommentStored(context.Context, tribune.Comment) error {
	return errors.New("smtp down")
}

func TestServiceNotifierAndOptions(t *testing.T) {
	t.Parallel()
	svc, a, clk := newService(t, tribune.WithNotifier(failingNotifier{}))
	c, err := svc.Submit(context.Background(), sub(a, "1", "a@example.org", "x"))
	require.ErrorIs(t, err, tribune.ErrNotNotified)
	require.NotEqual(t, uuid.Nil, c.ID)
	stored, err := clk.store.Comment(context.Background(), c.ID)
	require.NoError(t, err, "stored despite the notifier")
	assert.Equal(t, c.ID, stored.ID)
	_, err = tribune.NewService(nil)
	require.Error(t, err)
	_, err = tribune.NewService(memstore.New(), tribune.WithFilters(tribune.Filters{BlockAs: tribune.StatusPending}))
	require.Error(t, err, "block words cannot hold")
	m, err := tribune.ParseModerationMode("all")
	require.NoError(t, err)
	assert.Equal(t, tribune.ModerateAll, m)
	_, err = tribune.ParseModerationMode("sometimes")
	assert.True(t, strings.Contains(err.Error(), "sometimes"))
}

// TestImpersonation: names with bidi controls, zero-width or filler
// characters are refused with a clear code; look-alikes of a reserved
// name are refused; a body of filler characters is empty.
func TestImpersonation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc, a, clk := newService(t, tribune.WithModeration(tribune.ModerateNone), tribune.WithNames(tribune.Names{Reserved: []string{"Admin", "Rédaction"}}))
	for i, tc := range []struct {
		name, author, body string
		field              tribune.Field
		code               tribune.Code
	}{
		{"right-to-left override", "\u202enimdA", "x", tribune.FieldName, tribune.CodeInvisible},
		{"zero-width space", "Ad\u200bmin", "x", tribune.FieldName, tribune.CodeInvisible},
		{"Hangul filler", "\u3164", "x", tribune.FieldName, tribune.CodeInvisible},
		{"braille blank", "Claire\u2800", "x", tribune.FieldName, tribune.CodeInvisible},
		{"reserved, other case", "ADMIN", "x", tribune.FieldName, tribune.CodeReserved},
		{"Cyrillic look-alike", "\u0410dmin", "x", tribune.FieldName, tribune.CodeReserved},
		{"byline without accent, spaced", "  redaction ", "x", tribune.FieldName, tribune.CodeReserved},
		{"byline decomposed", "Re\u0301daction", "x", tribune.FieldName, tribune.CodeReserved},
		{"body of fillers only", "Claire", "\u3164\u200b\u2800 \u3164", tribune.FieldBody, tribune.CodeEmpty},
	} {
		clk.now = clk.now.Add(time.Minute)
		s := sub(a, fmt.Sprint(200+i), "x@example.org", tc.body)
		s.Input.Name = tc.author
		_, err := svc.Submit(ctx, s)
		var ve *tribune.ValidationError
		require.ErrorAs(t, err, &ve, tc.name)
		assert.Equal(t, tc.code, ve.Code(tc.field), tc.name)
		assert.NotEmpty(t, i18n.For("fr").FieldError(ve.Fields[0]), tc.name)
	}
	for _, ok := range []string{"Adam", "Adeline", "Claire Dubois", "Rédacteur en herbe"} {
		clk.now = clk.now.Add(time.Minute)
		s := sub(a, "251", "z@example.org", "texte de "+ok)
		s.Input.Name = ok
		_, err := svc.Submit(ctx, s)
		require.NoError(t, err, ok)
	}
	// NFC: a name typed decomposed is stored composed.
	s := sub(a, "250", "y@example.org", "bonjour")
	s.Input.Name = "Ame\u0301lie"
	c, err := svc.Submit(ctx, s)
	require.NoError(t, err)
	assert.Equal(t, "Am\u00e9lie", c.AuthorName)
}

func TestNotifyRepliesNeedsAnEmail(t *testing.T) {
	svc, a, clk := newService(t, tribune.WithRequired(tribune.FieldBody), tribune.WithModeration(tribune.ModerateNone))
	s := clk.store
	_, err := svc.Submit(t.Context(), tribune.Submission{Input: tribune.CommentInput{ArticleID: a.ID, Body: "Sans adresse."}, NotifyReplies: true})
	var ve *tribune.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, tribune.FieldEmail, ve.Fields[0].Field)
	assert.Equal(t, tribune.CodeRequired, ve.Fields[0].Code)
	c, err := svc.Submit(t.Context(), tribune.Submission{Input: tribune.CommentInput{ArticleID: a.ID, Body: "Avec adresse.", Email: "a@example.org"}, NotifyReplies: true})
	require.NoError(t, err)
	book, err := tribune.Addresses(s)
	require.NoError(t, err)
	sub, err := book.Subscription(t.Context(), c.ID)
	require.NoError(t, err)
	assert.True(t, sub.Active)
	assert.Equal(t, "a@example.org", sub.EmailKey)
}

func TestEditOwnModeratesAgain(t *testing.T) {
	svc, a, _ := newService(t, tribune.WithModeration(tribune.ModerateNone), tribune.WithFilters(tribune.Filters{BlockWords: []string{"casino"}, BlockAs: tribune.StatusTrash}),
		tribune.WithFloodInterval(0))
	c, err := svc.Submit(t.Context(), sub(a, "Ana", "ana@example.org", "Premier jet."))
	require.NoError(t, err)
	require.Equal(t, tribune.StatusApproved, c.Status)

	e, err := svc.EditOwn(t.Context(), c.ID, "Premier jet, <b>corrigé</b>.")
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusApproved, e.Status)
	assert.Equal(t, "<p>Premier jet, <b>corrigé</b>.</p>\n", e.Body)
	assert.False(t, e.Edited.IsZero())
	assert.Equal(t, c.Version+1, e.Version)

	_, err = svc.EditOwn(t.Context(), c.ID, "")
	assert.ErrorIs(t, err, tribune.ErrInvalid)
	e, err = svc.EditOwn(t.Context(), c.ID, "https://a.example.org https://b.example.org")
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusPending, e.Status, "links hold it")
	e, err = svc.EditOwn(t.Context(), c.ID, "Venez au casino.")
	require.NoError(t, err)
	assert.Equal(t, tribune.StatusTrash, e.Status, "a block word trashes it")
	_, err = svc.EditOwn(t.Context(), c.ID, "Et maintenant ?")
	assert.ErrorIs(t, err, tribune.ErrNotFound, "a trashed comment is not edited")
}
