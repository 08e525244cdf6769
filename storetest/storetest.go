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
	"fmt"
	"slices"
	"strings"
	"sync"
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

func testArticleRoundTrip(t *testing.T, s ops) {
	a := NewArticle(t, "Réunion de l’OTAN à Bruxelles : vers une OTAN plus autonome ? 🇪🇺", base)
	a.Lang = "fr"
	a.Updated = base.Add(time.Hour)
	a.Body = `<h2>Intertitre</h2><p>« Texte » — עברית العربية</p>`
	if err := s.CreateArticle(ctx(t), &a); err != nil {
		t.Fatal(err)
	}
	got, err := s.Article(ctx(t), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameArticle(t, a, got)
	got, err = s.ArticleBySlug(ctx(t), a.Slug)
	if err != nil {
		t.Fatal(err)
	}
	sameArticle(t, a, got)

	closed := NewArticle(t, "Closed", base)
	closed.CommentsClosed = true
	if err := s.CreateArticle(ctx(t), &closed); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Article(ctx(t), closed.ID); !got.CommentsClosed {
		t.Error("CommentsClosed lost")
	}
}

func testArticleNotFound(t *testing.T, s ops) {
	_, err := s.Article(ctx(t), uuid.New())
	wantErr(t, "Article", err, tribune.ErrNotFound)
	_, err = s.ArticleBySlug(ctx(t), "nope")
	wantErr(t, "ArticleBySlug", err, tribune.ErrNotFound)
	a := NewArticle(t, "Ghost", base)
	wantErr(t, "UpdateArticle", s.UpdateArticle(ctx(t), &a), tribune.ErrNotFound)
}

func testArticleSlugConflict(t *testing.T, s ops) {
	a := mustArticle(t, s, "One", base)
	b := NewArticle(t, "Two", base)
	b.Slug = a.Slug
	wantErr(t, "same slug", s.CreateArticle(ctx(t), &b), tribune.ErrConflict)
	dup := a
	dup.Slug = "other-slug-" + uuid.NewString()[:8]
	wantErr(t, "same ID", s.CreateArticle(ctx(t), &dup), tribune.ErrConflict)

	c := mustArticle(t, s, "Three", base)
	c.Slug = a.Slug
	wantErr(t, "update to a taken slug", s.UpdateArticle(ctx(t), &c), tribune.ErrConflict)
}

func testArticlesNewestFirst(t *testing.T, s ops) {
	var want []uuid.UUID
	for i := range 7 {
		a := mustArticle(t, s, fmt.Sprintf("Article %d", i), base.Add(time.Duration(i)*time.Hour))
		want = append([]uuid.UUID{a.ID}, want...)
	}
	all, err := s.Articles(ctx(t), tribune.Page{})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]uuid.UUID, len(all))
	for i, a := range all {
		got[i] = a.ID
	}
	sameIDs(t, "all", want, got)
	page, err := s.Articles(ctx(t), tribune.Page{Limit: 3, Offset: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 3 || page[0].ID != want[2] || page[2].ID != want[4] {
		t.Errorf("page 2..4 wrong: %d articles", len(page))
	}
	empty, err := s.Articles(ctx(t), tribune.Page{Limit: 3, Offset: 100})
	if err != nil || len(empty) != 0 {
		t.Errorf("past the end: %v, %d", err, len(empty))
	}
}

func testUpdateArticle(t *testing.T, s ops) {
	a := mustArticle(t, s, "Before", base)
	oldSlug := a.Slug
	a.Title, a.Slug, a.CommentsClosed, a.Updated = "After", "after-"+uuid.NewString()[:8], true, base.Add(24*time.Hour)
	if err := s.UpdateArticle(ctx(t), &a); err != nil {
		t.Fatal(err)
	}
	got, err := s.ArticleBySlug(ctx(t), a.Slug)
	if err != nil {
		t.Fatal(err)
	}
	sameArticle(t, a, got)
	_, err = s.ArticleBySlug(ctx(t), oldSlug)
	wantErr(t, "old slug", err, tribune.ErrNotFound)
}

func testCommentRoundTrip(t *testing.T, s ops) {
	a := mustArticle(t, s, "Round trip", base)
	bodies := []string{
		tribune.SanitizeComment("Très bien ! « guillemets » — œ 🇫🇷👍🏽 עברית العربية\n\nhttps://example.org/é"),
		tribune.SanitizeComment(strings.Repeat("é", (tribune.MaxBodyLen-1)/2) + "a"),
	}
	if len(bodies[1]) < tribune.MaxBodyLen {
		t.Fatalf("long body is %d bytes", len(bodies[1]))
	}
	parent := NewComment(t, a.ID, "Zoë 🌍", "Zoe.Test+tag@Example.ORG", "parent", base)
	parent.Website = "https://zoe.example.org/blog?q=1"
	parent.Status = tribune.StatusPending
	parent.UserID = "host-user-42"
	parent.Edited = base.Add(90 * time.Second)
	mustComment(t, s, parent)
	got, err := s.Comment(ctx(t), parent.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameComment(t, parent, got)
	if got.ParentID != uuid.Nil {
		t.Error("nil parent did not round trip")
	}
	for i, body := range bodies {
		c := NewComment(t, a.ID, "محمد", "m@example.org", "x", base.Add(time.Duration(i+1)*time.Microsecond))
		c.Body, c.ParentID = body, parent.ID
		mustComment(t, s, c)
		got, err := s.Comment(ctx(t), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameComment(t, c, got)
	}
	anon := NewComment(t, a.ID, "x", "", "anonymous", base.Add(time.Second))
	anon.AuthorName, anon.Meta = "", tribune.Meta{}
	mustComment(t, s, anon)
	got, err = s.Comment(ctx(t), anon.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameComment(t, anon, got)
	if !got.Email.IsZero() {
		t.Error("empty email came back non-zero")
	}
}

func testCommentErrors(t *testing.T, s ops) {
	c := NewComment(t, uuid.New(), "Ana", "ana@example.org", "orphan", base)
	wantErr(t, "unknown article", s.CreateComment(ctx(t), &c, tribune.Guard{}), tribune.ErrNotFound)
	a := mustArticle(t, s, "Errors", base)
	c.ArticleID = a.ID
	mustComment(t, s, c)
	wantErr(t, "same ID", s.CreateComment(ctx(t), &c, tribune.Guard{}), tribune.ErrConflict)
	_, err := s.Comment(ctx(t), uuid.New())
	wantErr(t, "Comment", err, tribune.ErrNotFound)
	_, err = s.SetStatus(ctx(t), uuid.New(), tribune.StatusApproved)
	wantErr(t, "SetStatus", err, tribune.ErrNotFound)
	_, err = s.EditBody(ctx(t), uuid.New(), "x")
	wantErr(t, "EditBody", err, tribune.ErrNotFound)
	wantErr(t, "DeleteComment", s.DeleteComment(ctx(t), uuid.New()), tribune.ErrNotFound)
	list, err := s.Comments(ctx(t), uuid.New())
	if err != nil || len(list) != 0 {
		t.Errorf("comments of an unknown article: %v, %d", err, len(list))
	}
}

func testCommentsThreadOrder(t *testing.T, s ops) {
	a := mustArticle(t, s, "Thread", base)
	other := mustArticle(t, s, "Other", base)
	c3 := mustComment(t, s, NewComment(t, a.ID, "C", "c@example.org", "third", base.Add(3*time.Minute)))
	c1 := mustComment(t, s, NewComment(t, a.ID, "A", "a@example.org", "first", base.Add(time.Minute)))
	p := NewComment(t, a.ID, "B", "b@example.org", "second", base.Add(2*time.Minute))
	p.Status = tribune.StatusPending
	c2 := mustComment(t, s, p)
	sp := NewComment(t, a.ID, "S", "s@example.org", "spam", base.Add(4*time.Minute))
	sp.Status = tribune.StatusSpam
	c4 := mustComment(t, s, sp)
	mustComment(t, s, NewComment(t, other.ID, "O", "o@example.org", "elsewhere", base))

	all, err := s.Comments(ctx(t), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "all statuses", []uuid.UUID{c1.ID, c2.ID, c3.ID, c4.ID}, ids(all))
	approved, err := s.Comments(ctx(t), a.ID, tribune.StatusApproved)
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "approved", []uuid.UUID{c1.ID, c3.ID}, ids(approved))
	some, err := s.Comments(ctx(t), a.ID, tribune.StatusApproved, tribune.StatusPending)
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "approved+pending", []uuid.UUID{c1.ID, c2.ID, c3.ID}, ids(some))
}

func testSetStatusAndEdit(t *testing.T, s ops) {
	a := mustArticle(t, s, "Status", base)
	c := NewComment(t, a.ID, "A", "a@example.org", "text", base)
	c.Status = tribune.StatusPending
	mustComment(t, s, c)
	got, err := s.SetStatus(ctx(t), c.ID, tribune.StatusApproved)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != tribune.StatusApproved || got.Version != 2 {
		t.Errorf("after SetStatus: %s v%d", got.Status, got.Version)
	}
	got, err = s.EditBody(ctx(t), c.ID, "edited")
	if err != nil {
		t.Fatal(err)
	}
	if got.Body != "<p>edited</p>\n" || got.Version != 3 {
		t.Errorf("after EditBody: %q v%d", got.Body, got.Version)
	}
	stored, err := s.Comment(ctx(t), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameComment(t, got, stored)
}

func testDelete(t *testing.T, s ops) {
	a := mustArticle(t, s, "Delete", base)
	root := mustComment(t, s, NewComment(t, a.ID, "R", "r@example.org", "root", base))
	mid := NewComment(t, a.ID, "M", "m@example.org", "mid", base.Add(time.Minute))
	mid.ParentID = root.ID
	mustComment(t, s, mid)
	leaf := NewComment(t, a.ID, "L", "l@example.org", "leaf", base.Add(2*time.Minute))
	leaf.ParentID = mid.ID
	mustComment(t, s, leaf)
	if err := s.DeleteComment(ctx(t), mid.ID); err != nil {
		t.Fatal(err)
	}
	_, err := s.Comment(ctx(t), mid.ID)
	wantErr(t, "deleted", err, tribune.ErrNotFound)
	got, err := s.Comment(ctx(t), leaf.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ParentID != root.ID {
		t.Errorf("reply not moved up: parent %v", got.ParentID)
	}
}

func testCountApproved(t *testing.T, s ops) {
	var arts []tribune.Article
	for i := range 3 {
		arts = append(arts, mustArticle(t, s, fmt.Sprintf("Count %d", i), base))
	}
	for i := range 5 {
		mustComment(t, s, NewComment(t, arts[0].ID, "A", "a@example.org", fmt.Sprint("c", i), base.Add(time.Duration(i)*time.Second)))
	}
	p := NewComment(t, arts[0].ID, "P", "p@example.org", "pending", base)
	p.Status = tribune.StatusPending
	mustComment(t, s, p)
	mustComment(t, s, NewComment(t, arts[1].ID, "B", "b@example.org", "one", base))
	missing := uuid.New()
	counts, err := s.CountApproved(ctx(t), []uuid.UUID{arts[0].ID, arts[1].ID, arts[2].ID, missing})
	if err != nil {
		t.Fatal(err)
	}
	want := map[uuid.UUID]int{arts[0].ID: 5, arts[1].ID: 1, arts[2].ID: 0, missing: 0}
	for id, n := range want {
		if got, ok := counts[id]; !ok || got != n {
			t.Errorf("count of %v: want %d, got %d (present %v)", id, n, got, ok)
		}
	}
	if empty, err := s.CountApproved(ctx(t), nil); err != nil || len(empty) != 0 {
		t.Errorf("no articles: %v %v", empty, err)
	}
}

func testLatestApproved(t *testing.T, s ops) {
	a := mustArticle(t, s, "Latest A", base)
	b := mustArticle(t, s, "Latest B", base)
	var want []uuid.UUID
	for i := range 6 {
		art := a
		if i%2 == 1 {
			art = b
		}
		c := mustComment(t, s, NewComment(t, art.ID, "N", "n@example.org", fmt.Sprint("latest ", i), base.Add(time.Duration(i)*time.Minute)))
		want = append([]uuid.UUID{c.ID}, want...)
	}
	p := NewComment(t, a.ID, "P", "p@example.org", "pending", base.Add(time.Hour))
	p.Status = tribune.StatusPending
	mustComment(t, s, p)
	got, err := s.LatestApproved(ctx(t), uuid.Nil, 4)
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "latest 4", want[:4], ids(got))
	got, err = s.LatestApproved(ctx(t), a.ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "latest 2 of one article", []uuid.UUID{want[1], want[3]}, ids(got))
}

func testCommentsByStatus(t *testing.T, s ops) {
	a := mustArticle(t, s, "Queue A", base)
	b := mustArticle(t, s, "Queue B", base)
	var pending []uuid.UUID
	for i := range 5 {
		art := a
		if i%2 == 1 {
			art = b
		}
		c := NewComment(t, art.ID, "N", "n@example.org", fmt.Sprint("queued ", i), base.Add(time.Duration(i)*time.Minute))
		c.Status = tribune.StatusPending
		mustComment(t, s, c)
		pending = append([]uuid.UUID{c.ID}, pending...)
	}
	mustComment(t, s, NewComment(t, a.ID, "A", "a@example.org", "approved", base))
	got, err := s.CommentsByStatus(ctx(t), tribune.StatusPending, tribune.Page{Limit: 2, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "pending page", pending[1:3], ids(got))
	spam, err := s.CommentsByStatus(ctx(t), tribune.StatusSpam, tribune.Page{})
	if err != nil || len(spam) != 0 {
		t.Errorf("spam: %v %d", err, len(spam))
	}
}

func testModerationLookups(t *testing.T, s ops) {
	a := mustArticle(t, s, "Moderation", base)
	email, _ := tribune.ParseEmail("Ana@Example.org")
	lower, _ := tribune.ParseEmail("ana@example.org")
	other, _ := tribune.ParseEmail("bob@example.org")

	if ok, err := s.HasApproved(ctx(t), email); err != nil || ok {
		t.Errorf("HasApproved before any comment: %v %v", ok, err)
	}
	p := NewComment(t, a.ID, "Ana", "Ana@Example.org", "held", base)
	p.Status = tribune.StatusPending
	mustComment(t, s, p)
	if ok, _ := s.HasApproved(ctx(t), email); ok {
		t.Error("a pending comment counts as approved")
	}
	if _, err := s.SetStatus(ctx(t), p.ID, tribune.StatusApproved); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.HasApproved(ctx(t), lower); err != nil || !ok {
		t.Errorf("HasApproved ignores case: %v %v", ok, err)
	}
	if ok, _ := s.HasApproved(ctx(t), other); ok {
		t.Error("HasApproved for another email")
	}

}

func testDeleteArticle(t *testing.T, s ops) {
	a := mustArticle(t, s, "To delete", base)
	keep := mustArticle(t, s, "To keep", base)
	c1 := mustComment(t, s, NewComment(t, a.ID, "A", "a@example.org", "one", base))
	r := NewComment(t, a.ID, "B", "b@example.org", "reply", base.Add(time.Minute))
	r.ParentID = c1.ID
	r.Meta.Key = "delete-article-key"
	mustComment(t, s, r)
	other := mustComment(t, s, NewComment(t, keep.ID, "C", "c@example.org", "elsewhere", base))
	if err := s.DeleteArticle(ctx(t), a.ID); err != nil {
		t.Fatalf("DeleteArticle: %v", err)
	}
	_, err := s.Article(ctx(t), a.ID)
	wantErr(t, "deleted article", err, tribune.ErrNotFound)
	_, err = s.ArticleBySlug(ctx(t), a.Slug)
	wantErr(t, "deleted article by slug", err, tribune.ErrNotFound)
	for _, id := range []uuid.UUID{c1.ID, r.ID} {
		_, err := s.Comment(ctx(t), id)
		wantErr(t, "comment of a deleted article", err, tribune.ErrNotFound)
	}
	_, err = s.CommentByKey(ctx(t), "delete-article-key")
	wantErr(t, "key of a deleted comment", err, tribune.ErrNotFound)
	_, err = s.CommentsStamp(ctx(t), a.ID)
	wantErr(t, "stamp of a deleted article", err, tribune.ErrNotFound)
	if _, err := s.Comment(ctx(t), other.ID); err != nil {
		t.Errorf("another article's comment: %v", err)
	}
	wantErr(t, "deleting again", s.DeleteArticle(ctx(t), a.ID), tribune.ErrNotFound)
	// The slug is free again.
	again := NewArticle(t, "Again", base)
	again.Slug = a.Slug
	if err := s.CreateArticle(ctx(t), &again); err != nil {
		t.Errorf("slug of a deleted article: %v", err)
	}
}

func testCreateGuards(t *testing.T, s ops) {
	a := mustArticle(t, s, "Guards", base)
	first := NewComment(t, a.ID, "Ana", "ana@example.org", "first", base)
	first.Meta.Key, first.Meta.DupKey, first.Meta.ClientHash = "key-1", "dup-1", "client-1"
	mustComment(t, s, first)

	got, err := s.CommentByKey(ctx(t), "key-1")
	if err != nil || got.ID != first.ID || got.Meta.Key != "key-1" || got.Meta.DupKey != "dup-1" {
		t.Errorf("CommentByKey: %v %v", got.ID, err)
	}
	_, err = s.CommentByKey(ctx(t), "key-x")
	wantErr(t, "unknown key", err, tribune.ErrNotFound)
	_, err = s.CommentByKey(ctx(t), "")
	wantErr(t, "empty key", err, tribune.ErrNotFound)

	flood := tribune.Guard{FloodSince: base.Add(-time.Second)}
	for _, tc := range []struct {
		name      string
		key, dup  string
		client    string
		guard     tribune.Guard
		want      error
		createdAt time.Duration
	}{
		{"same key", "key-1", "dup-2", "client-2", tribune.Guard{}, tribune.ErrReplayed, time.Minute},
		{"same key wins over the rest", "key-1", "dup-1", "client-1", flood, tribune.ErrReplayed, time.Minute},
		{"same duplicate key", "key-2", "dup-1", "client-2", tribune.Guard{}, tribune.ErrDuplicate, time.Minute},
		{"same client in the flood window", "key-3", "dup-3", "client-1", flood, tribune.ErrFlood, time.Second},
		{"same client, no flood rule", "key-4", "dup-4", "client-1", tribune.Guard{}, nil, time.Second},
		{"same client after the window", "key-5", "dup-5", "client-1", tribune.Guard{FloodSince: base.Add(time.Hour)}, nil, 2 * time.Hour},
		{"another client in the window", "key-6", "dup-6", "client-9", flood, nil, time.Second},
		{"no keys at all", "", "", "", flood, nil, time.Second},
		{"no keys again", "", "", "", flood, nil, time.Second},
	} {
		c := NewComment(t, a.ID, "Ana", "ana@example.org", "text "+tc.name, base.Add(tc.createdAt))
		c.Meta.Key, c.Meta.DupKey, c.Meta.ClientHash = tc.key, tc.dup, tc.client
		err := s.CreateComment(ctx(t), &c, tc.guard)
		if tc.want == nil && err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
		if tc.want != nil {
			wantErr(t, tc.name, err, tc.want)
			if _, err := s.Comment(ctx(t), c.ID); !errors.Is(err, tribune.ErrNotFound) {
				t.Errorf("%s: refused comment stored", tc.name)
			}
		}
	}

	// Deleting a comment frees its keys.
	if err := s.DeleteComment(ctx(t), first.ID); err != nil {
		t.Fatal(err)
	}
	again := NewComment(t, a.ID, "Ana", "ana@example.org", "first", base.Add(3*time.Hour))
	again.Meta.Key, again.Meta.DupKey = "key-1", "dup-1"
	if err := s.CreateComment(ctx(t), &again, tribune.Guard{}); err != nil {
		t.Errorf("keys of a deleted comment: %v", err)
	}
}

// testGuardsUnderRace sends the same key, the same duplicate key and the
// same client at once from many goroutines: exactly one of each gets in.
func testGuardsUnderRace(t *testing.T, s ops) {
	a := mustArticle(t, s, "Race", base)
	const n = 16
	for _, tc := range []struct {
		name string
		set  func(c *tribune.Comment, i int)
		want error
	}{
		{"same key", func(c *tribune.Comment, i int) { c.Meta.Key = "race-key" }, tribune.ErrReplayed},
		{"same duplicate key", func(c *tribune.Comment, i int) { c.Meta.DupKey = "race-dup" }, tribune.ErrDuplicate},
		{"same client", func(c *tribune.Comment, i int) { c.Meta.ClientHash = "race-client" }, tribune.ErrFlood},
	} {
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				c := NewComment(t, a.ID, "R", "r@example.org", fmt.Sprint(tc.name, i), base.Add(time.Duration(i)*time.Millisecond))
				c.Meta.ClientHash = fmt.Sprint("client-", tc.name, i)
				tc.set(&c, i)
				errs[i] = s.CreateComment(ctx(t), &c, tribune.Guard{FloodSince: base.Add(-time.Minute)})
			})
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, tc.want):
				t.Errorf("%s: want %v, got %v", tc.name, tc.want, err)
			}
		}
		if ok != 1 {
			t.Errorf("%s: %d of %d stored, want 1", tc.name, ok, n)
		}
	}
}

func testCommentsByIDs(t *testing.T, s ops) {
	a := mustArticle(t, s, "By IDs", base)
	b := mustArticle(t, s, "By IDs, other", base)
	c1 := mustComment(t, s, NewComment(t, a.ID, "A", "", "one", base.Add(2*time.Minute)))
	c2 := mustComment(t, s, NewComment(t, a.ID, "B", "", "two", base.Add(time.Minute)))
	mustComment(t, s, NewComment(t, a.ID, "C", "", "not asked", base))
	elsewhere := mustComment(t, s, NewComment(t, b.ID, "D", "", "elsewhere", base))
	got, err := s.CommentsByIDs(ctx(t), a.ID, []uuid.UUID{c1.ID, uuid.New(), elsewhere.ID, c2.ID})
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "CommentsByIDs", []uuid.UUID{c2.ID, c1.ID}, ids(got))
	got, err = s.CommentsByIDs(ctx(t), uuid.Nil, []uuid.UUID{elsewhere.ID, c1.ID, uuid.New()})
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "CommentsByIDs of any article", []uuid.UUID{elsewhere.ID, c1.ID}, ids(got))
	got, err = s.CommentsByIDs(ctx(t), a.ID, nil)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("no IDs: %v %v", got, err)
	}
}

func eraseFixture(t *testing.T, s ops) (tribune.Article, tribune.Email, []tribune.Comment, tribune.Comment) {
	a := mustArticle(t, s, "Erase", base)
	email, _ := tribune.ParseEmail("erase.me@example.org")
	var mine []tribune.Comment
	for i := range 3 {
		c := NewComment(t, a.ID, "Erase Me", "Erase.Me@example.org", fmt.Sprint("mine ", i), base.Add(time.Duration(i)*time.Minute))
		c.Website = "https://erase.example.org/"
		mine = append(mine, mustComment(t, s, c))
	}
	reply := NewComment(t, a.ID, "Keep", "keep@example.org", "reply", base.Add(time.Hour))
	reply.ParentID = mine[0].ID
	mustComment(t, s, reply)
	got, err := s.CommentsByEmail(ctx(t), email)
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "CommentsByEmail", ids(mine), ids(got))
	return a, email, mine, reply
}

func testEraseAnonymise(t *testing.T, s ops) {
	_, email, mine, reply := eraseFixture(t, s)
	n, err := s.EraseByEmail(ctx(t), email, tribune.EraseAnonymise)
	if err != nil || n != 3 {
		t.Fatalf("EraseByEmail: %d, %v", n, err)
	}
	for _, c := range mine {
		got, err := s.Comment(ctx(t), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.AuthorName != "" || !got.Email.IsZero() || got.Website != "" || got.Meta != (tribune.Meta{}) {
			t.Errorf("not anonymised: %+v", got)
		}
		if got.Body != c.Body || got.Version != c.Version+1 {
			t.Errorf("body or version wrong after anonymising: v%d", got.Version)
		}
	}
	if left, _ := s.CommentsByEmail(ctx(t), email); len(left) != 0 {
		t.Errorf("%d comments still found by email", len(left))
	}
	if got, _ := s.Comment(ctx(t), reply.ID); got.AuthorName != "Keep" {
		t.Error("someone else's reply was touched")
	}
}

func testEraseDelete(t *testing.T, s ops) {
	a, email, mine, reply := eraseFixture(t, s)
	n, err := s.EraseByEmail(ctx(t), email, tribune.EraseDelete)
	if err != nil || n != 3 {
		t.Fatalf("EraseByEmail: %d, %v", n, err)
	}
	for _, c := range mine {
		_, err := s.Comment(ctx(t), c.ID)
		wantErr(t, "erased comment", err, tribune.ErrNotFound)
	}
	got, err := s.Comment(ctx(t), reply.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ParentID != uuid.Nil {
		t.Errorf("reply to an erased comment keeps parent %v", got.ParentID)
	}
	left, _ := s.Comments(ctx(t), a.ID)
	sameIDs(t, "left", []uuid.UUID{reply.ID}, ids(left))
}

func testCancellation(t *testing.T, s ops) {
	a := mustArticle(t, s, "Cancel", base)
	c := mustComment(t, s, NewComment(t, a.ID, "A", "a@example.org", "x", base))
	cctx, cancel := context.WithCancel(ctx(t))
	cancel()
	email := c.Email
	b := NewArticle(t, "Cancel 2", base)
	d := NewComment(t, a.ID, "D", "d@example.org", "y", base)
	calls := map[string]func() error{
		"CreateArticle":    func() error { return s.CreateArticle(cctx, &b) },
		"Article":          func() error { _, err := s.Article(cctx, a.ID); return err },
		"ArticleBySlug":    func() error { _, err := s.ArticleBySlug(cctx, a.Slug); return err },
		"Articles":         func() error { _, err := s.Articles(cctx, tribune.Page{}); return err },
		"UpdateArticle":    func() error { return s.UpdateArticle(cctx, &a) },
		"DeleteArticle":    func() error { return s.DeleteArticle(cctx, a.ID) },
		"CreateComment":    func() error { return s.CreateComment(cctx, &d, tribune.Guard{}) },
		"CommentByKey":     func() error { _, err := s.CommentByKey(cctx, "k"); return err },
		"CommentsByIDs":    func() error { _, err := s.CommentsByIDs(cctx, a.ID, []uuid.UUID{c.ID}); return err },
		"Comment":          func() error { _, err := s.Comment(cctx, c.ID); return err },
		"Comments":         func() error { _, err := s.Comments(cctx, a.ID); return err },
		"SetStatus":        func() error { _, err := s.SetStatus(cctx, c.ID, tribune.StatusSpam); return err },
		"EditBody":         func() error { _, err := s.EditBody(cctx, c.ID, "z"); return err },
		"DeleteComment":    func() error { return s.DeleteComment(cctx, c.ID) },
		"CountApproved":    func() error { _, err := s.CountApproved(cctx, []uuid.UUID{a.ID}); return err },
		"LatestApproved":   func() error { _, err := s.LatestApproved(cctx, uuid.Nil, 10); return err },
		"CommentsByStatus": func() error { _, err := s.CommentsByStatus(cctx, tribune.StatusPending, tribune.Page{}); return err },
		"CommentsStamp":    func() error { _, err := s.CommentsStamp(cctx, a.ID); return err },
		"HasApproved":      func() error { _, err := s.HasApproved(cctx, email); return err },
		"CommentsByEmail":  func() error { _, err := s.CommentsByEmail(cctx, email); return err },
		"EraseByEmail":     func() error { _, err := s.EraseByEmail(cctx, email, tribune.EraseDelete); return err },
		"FindComments":     func() error { _, err := s.FindComments(cctx, tribune.Query{}); return err },
		"UpdateComment": func() error {
			_, err := s.Store.UpdateComment(cctx, c.ID, func(c *tribune.Comment) error { c.Body = "<p>z</p>"; return nil })
			return err
		},
		"core DeleteComment": func() error { return s.Store.DeleteComment(cctx, c.ID) },
		"InsertComments":     func() error { return tribune.InsertComments(cctx, s.Store, []tribune.Comment{d}) },
	}
	for name, call := range calls {
		wantErr(t, name, call(), context.Canceled)
	}
	// Nothing was written.
	if got, err := s.Comment(ctx(t), c.ID); err != nil || got.Version != c.Version || got.Status != c.Status {
		t.Errorf("a canceled call wrote: %v", err)
	}
	if _, err := s.Article(ctx(t), b.ID); !errors.Is(err, tribune.ErrNotFound) {
		t.Errorf("a canceled CreateArticle wrote: %v", err)
	}
}

func testStamp(t *testing.T, s ops) {
	a := mustArticle(t, s, "Stamp", base)
	other := mustArticle(t, s, "Other stamp", base)
	var prev tribune.Stamp
	prevStep := ""
	// A Pager's stamp only grows; the root's fallback (a hash of the
	// thread) only changes.
	grows := false
	if st, ok := s.Store.(tribune.Pager); ok {
		_, err := st.CommentsStamp(ctx(t), a.ID)
		grows = !errors.Is(err, tribune.ErrNotSupported)
	}
	check := func(step string) {
		t.Helper()
		st, err := s.CommentsStamp(ctx(t), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if prevStep != "" && (grows && st <= prev || st == prev) {
			t.Errorf("%s: stamp %d not above %d (after %s)", step, st, prev, prevStep)
		}
		prev, prevStep = st, step
	}
	check("empty")
	c1 := mustComment(t, s, NewComment(t, a.ID, "A", "a@example.org", "one", base.Add(time.Minute)))
	check("create")
	c2 := NewComment(t, a.ID, "B", "b@example.org", "two", base.Add(2*time.Minute))
	c2.Status = tribune.StatusSpam
	c2 = mustComment(t, s, c2)
	check("create spam")
	if _, err := s.SetStatus(ctx(t), c1.ID, tribune.StatusSpam); err != nil {
		t.Fatal(err)
	}
	check("status")
	if _, err := s.EditBody(ctx(t), c2.ID, "edited"); err != nil {
		t.Fatal(err)
	}
	check("edit")
	if _, err := s.EraseByEmail(ctx(t), c2.Email, tribune.EraseAnonymise); err != nil {
		t.Fatal(err)
	}
	check("anonymise")
	// Deleting the newest comment must not bring back an older stamp.
	if err := s.DeleteComment(ctx(t), c2.ID); err != nil {
		t.Fatal(err)
	}
	check("delete newest")
	if err := s.DeleteComment(ctx(t), c1.ID); err != nil {
		t.Fatal(err)
	}
	check("delete")
	a.Title = "Stamp, renamed"
	if err := s.UpdateArticle(ctx(t), &a); err != nil {
		t.Fatal(err)
	}
	check("update article")
	before, _ := s.CommentsStamp(ctx(t), a.ID)
	mustComment(t, s, NewComment(t, other.ID, "O", "o@example.org", "elsewhere", base.Add(time.Hour)))
	after, _ := s.CommentsStamp(ctx(t), a.ID)
	if before != after {
		t.Error("a comment on another article changed the stamp")
	}
	_, err := s.CommentsStamp(ctx(t), uuid.New())
	wantErr(t, "stamp of an unknown article", err, tribune.ErrNotFound)
}

// testConcurrentWriters has 8 goroutines create 500 comments each.
func testConcurrentWriters(t *testing.T, s ops) {
	const writers, each = 8, 500
	a := mustArticle(t, s, "Concurrent", base)
	body := tribune.SanitizeComment("concurrent")
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				c := tribune.Comment{
					ID: uuid.New(), ArticleID: a.ID, AuthorName: fmt.Sprintf("w%d", w),
					Email: tribune.StoredEmail(fmt.Sprintf("w%d@example.org", w)), Body: body,
					Status: tribune.StatusApproved, Version: 1,
					// Interleaved as the clocks of concurrent posts are.
					Created: base.Add(time.Duration(i*writers+w) * time.Microsecond),
				}
				if err := s.CreateComment(ctx(t), &c, tribune.Guard{}); err != nil {
					errs <- fmt.Errorf("writer %d, comment %d: %w", w, i, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	counts, err := s.CountApproved(ctx(t), []uuid.UUID{a.ID})
	if err != nil {
		t.Fatal(err)
	}
	if counts[a.ID] != writers*each {
		t.Errorf("want %d comments, got %d", writers*each, counts[a.ID])
	}
}
