// Package storetest is the contract every tribune.Store passes. A backend's
// test is a few lines:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) tribune.Store { return memstore.New() })
//	}
//
// Run uses only the public API. Each rule is a named subtest that gets a
// fresh, empty store from newStore. It checks the core methods directly,
// and the rules built on them (replies moving up, version bumps, erasure,
// counts, the stamp, bulk inserts) through the root package's functions,
// as Tribune calls them: a capability the store declares
// ([tribune.Pager], [tribune.BulkInserter], [tribune.Limiter], [tribune.AddressBook]) is held
// to its promise (a stamp that only grows, a bulk insert that stores all
// or nothing); without it, the root's fallback is checked instead. A store
// with the core alone passes.
package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// Run runs the conformance suite against the stores newStore returns.
// newStore must return an empty store and arrange its cleanup with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) tribune.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s ops)
	}{
		{"ArticleRoundTrip", testArticleRoundTrip},
		{"ArticleNotFound", testArticleNotFound},
		{"ArticleSlugConflict", testArticleSlugConflict},
		{"ArticlesNewestFirst", testArticlesNewestFirst},
		{"UpdateArticle", testUpdateArticle},
		{"DeleteArticle", testDeleteArticle},
		{"CommentRoundTrip", testCommentRoundTrip},
		{"CommentErrors", testCommentErrors},
		{"CommentsThreadOrderAndStatus", testCommentsThreadOrder},
		{"SetStatusAndEditBumpVersion", testSetStatusAndEdit},
		{"DeleteMovesRepliesUp", testDelete},
		{"CountApproved", testCountApproved},
		{"LatestApproved", testLatestApproved},
		{"CommentsByStatus", testCommentsByStatus},
		{"ModerationLookups", testModerationLookups},
		{"CreateGuards", testCreateGuards},
		{"GuardsUnderRace", testGuardsUnderRace},
		{"CommentsByIDs", testCommentsByIDs},
		{"EraseAnonymise", testEraseAnonymise},
		{"EraseDelete", testEraseDelete},
		{"StampFollowsEveryChange", testStamp},
		{"Cancellation", testCancellation},
		{"ConcurrentWriters", testConcurrentWriters},
		{"FindComments", testFindComments},
		{"UpdateCommentIsAtomic", testUpdateComment},
		{"UpdateCommentWritesEdited", testUpdateEdited},
		{"CoreDeleteRefusesParents", testCoreDelete},
		{"ReplyToMissingParent", testMissingParent},
		{"DeleteAndReplyRace", testDeleteReplyRace},
		{"InsertComments", testInsertComments},
		{"Pages", testPages},
		{"PagesMatchTheThread", testPagesMatchTheThread},
		{"MailQueue", testMailQueue},
		{"MailClaimRace", testMailClaimRace},
		{"AddressBook", testAddressBook},
		{"EraseForgetsTheAddress", testEraseForgetsTheAddress},
		{"Limiter", testLimiter},
		{"LimiterPace", testPace},
		{"MailLeaseAndFence", testMailLeaseAndFence},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newOps(t, newStore(t)))
		})
	}
}

var base = time.Date(2026, 2, 12, 9, 30, 0, 123456000, time.UTC)

// NewArticle returns a valid article with a unique slug for tests.
func NewArticle(t testing.TB, title string, published time.Time) tribune.Article {
	t.Helper()
	a, err := tribune.NewArticle(tribune.ArticleInput{Title: title, Slug: tribune.Slugify(title) + "-" + uuid.NewString()[:8], Published: published, Body: "<p>Corps</p>", Author: "Rédaction", Summary: "Résumé"})
	if err != nil {
		t.Fatalf("NewArticle: %v", err)
	}
	return a
}

// NewComment returns a valid approved comment on the article, created at
// the given time.
func NewComment(t testing.TB, articleID uuid.UUID, name, email, body string, at time.Time) tribune.Comment {
	t.Helper()
	c, err := tribune.NewCommentWithRequired(tribune.CommentInput{ArticleID: articleID, Name: name, Email: email, Body: body}, []tribune.Field{tribune.FieldBody})
	if err != nil {
		t.Fatalf("NewComment: %v", err)
	}
	c.Status = tribune.StatusApproved
	c.Created = at.UTC().Truncate(time.Microsecond)
	c.Meta = tribune.Meta{ClientHash: "client-" + name, UserAgent: "test-agent/1.0"}
	return c
}

func ctx(t *testing.T) context.Context { return t.Context() }

func mustArticle(t *testing.T, s tribune.Store, title string, at time.Time) tribune.Article {
	t.Helper()
	a := NewArticle(t, title, at)
	if err := s.CreateArticle(ctx(t), &a); err != nil {
		t.Fatalf("CreateArticle: %v", err)
	}
	return a
}

func mustComment(t *testing.T, s tribune.Store, c tribune.Comment) tribune.Comment {
	t.Helper()
	if err := s.CreateComment(ctx(t), &c, tribune.Guard{}); err != nil {
		t.Fatalf("CreateComment: %v", err)
	}
	return c
}

func sameArticle(t *testing.T, want, got tribune.Article) {
	t.Helper()
	if !want.Published.Equal(got.Published) || !want.Updated.Equal(got.Updated) ||
		got.Published.Location() != time.UTC || got.Updated.Location() != time.UTC {
		t.Errorf("article times: want %v/%v, got %v/%v", want.Published, want.Updated, got.Published, got.Updated)
	}
	want.Published, want.Updated, got.Published, got.Updated = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if want != got {
		t.Errorf("article round trip:\nwant %+v\ngot  %+v", want, got)
	}
}

func sameComment(t *testing.T, want, got tribune.Comment) {
	t.Helper()
	if !want.Created.Equal(got.Created) || got.Created.Location() != time.UTC {
		t.Errorf("comment time: want %v, got %v (%v)", want.Created, got.Created, got.Created.Location())
	}
	if !want.Edited.Equal(got.Edited) || got.Edited.Location() != time.UTC {
		t.Errorf("comment edit time: want %v, got %v (%v)", want.Edited, got.Edited, got.Edited.Location())
	}
	if want.Email.Address() != got.Email.Address() {
		t.Errorf("comment email differs (lengths %d and %d)", len(want.Email.Address()), len(got.Email.Address()))
	}
	if want.ID != got.ID || want.ArticleID != got.ArticleID || want.ParentID != got.ParentID ||
		want.AuthorName != got.AuthorName || want.Website != got.Website || want.Body != got.Body ||
		want.Status != got.Status || want.Version != got.Version || want.Meta != got.Meta || want.UserID != got.UserID {
		t.Errorf("comment round trip:\nwant %+v\ngot  %+v", want, got)
	}
}

func ids(cs []tribune.Comment) []uuid.UUID {
	out := make([]uuid.UUID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func sameIDs(t *testing.T, what string, want, got []uuid.UUID) {
	t.Helper()
	if !slices.Equal(want, got) {
		t.Errorf("%s: want %v, got %v", what, want, got)
	}
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: want an error wrapping %v, got %v", what, target, err)
	}
}
