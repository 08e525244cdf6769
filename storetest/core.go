package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// This file checks the core methods a store implements beyond the plain
// round trips: the one query, the one atomic update, the core delete and
// the parent rule, and the bulk insert (the store's own when it declares
// [tribune.BulkInserter], else the root's fallback).

func testFindComments(t *testing.T, s ops) {
	a := mustArticle(t, s, "Query", base)
	b := mustArticle(t, s, "Query, other", base)
	root := mustComment(t, s, NewComment(t, a.ID, "Ana", "Ana@Example.org", "root", base))
	var replies []tribune.Comment
	for i := range 4 {
		r := NewComment(t, a.ID, "Bob", "bob@example.org", fmt.Sprint("reply ", i), base.Add(time.Duration(4-i)*time.Minute))
		r.ParentID = root.ID
		if i == 3 {
			r.Status = tribune.StatusPending
		}
		replies = append(replies, mustComment(t, s, r))
	}
	keyed := NewComment(t, b.ID, "Ana", "ana@example.org", "keyed", base.Add(time.Hour))
	keyed.Meta.Key = "query-key"
	keyed = mustComment(t, s, keyed)

	find := func(what string, q tribune.Query, want ...uuid.UUID) {
		t.Helper()
		got, err := s.FindComments(ctx(t), q)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if got == nil {
			t.Errorf("%s: nil list, want an empty one", what)
		}
		sameIDs(t, what, append([]uuid.UUID{}, want...), ids(got))
	}
	// Replies come oldest first: reply 3 is the oldest.
	find("replies", tribune.Query{ParentID: root.ID}, replies[3].ID, replies[2].ID, replies[1].ID, replies[0].ID)
	find("approved replies, newest first", tribune.Query{ParentID: root.ID, Statuses: []tribune.Status{tribune.StatusApproved}, Newest: true},
		replies[0].ID, replies[1].ID, replies[2].ID)
	find("limit and offset", tribune.Query{ArticleID: a.ID, Limit: 2, Offset: 1}, replies[3].ID, replies[2].ID)
	find("offset alone", tribune.Query{ArticleID: a.ID, Offset: 3}, replies[1].ID, replies[0].ID)
	find("offset past the end", tribune.Query{ArticleID: a.ID, Offset: 50})
	find("email key, any case as sent", tribune.Query{EmailKey: tribune.StoredEmail("ANA@example.ORG").Key()}, root.ID, keyed.ID)
	find("email key in one article", tribune.Query{EmailKey: "ana@example.org", ArticleID: b.ID}, keyed.ID)
	find("key", tribune.Query{Key: "query-key"}, keyed.ID)
	find("unknown key", tribune.Query{Key: "query-key-2"})
	find("IDs across articles, newest first", tribune.Query{IDs: []uuid.UUID{root.ID, keyed.ID, uuid.New()}, Newest: true}, keyed.ID, root.ID)
	find("IDs and a status", tribune.Query{IDs: []uuid.UUID{replies[3].ID, replies[0].ID}, Statuses: []tribune.Status{tribune.StatusPending}}, replies[3].ID)
	find("no match", tribune.Query{ArticleID: b.ID, Statuses: []tribune.Status{tribune.StatusSpam}})
	find("edited: none yet", tribune.Query{Edited: true})
	if _, err := s.UpdateComment(ctx(t), replies[1].ID, func(c *tribune.Comment) error { c.Edited = base.Add(time.Hour); return nil }); err != nil {
		t.Fatal(err)
	}
	find("edited", tribune.Query{Edited: true}, replies[1].ID)
	find("edited and approved, in one article", tribune.Query{Edited: true, ArticleID: a.ID, Statuses: []tribune.Status{tribune.StatusApproved}}, replies[1].ID)
	all, err := s.FindComments(ctx(t), tribune.Query{})
	if err != nil || len(all) != 6 {
		t.Errorf("the zero query: %d comments, %v; want all 6", len(all), err)
	}
	// Only the first MaxQueryIDs IDs are read.
	many := make([]uuid.UUID, tribune.MaxQueryIDs)
	for i := range many {
		many[i] = uuid.New()
	}
	find("IDs beyond the cap", tribune.Query{IDs: append(many, root.ID)})
}

func testUpdateComment(t *testing.T, s ops) {
	a := mustArticle(t, s, "Update", base)
	other := mustArticle(t, s, "Update, other", base)
	c := mustComment(t, s, NewComment(t, a.ID, "Ana", "ana@example.org", "start", base))
	const writers, each = 8, 10
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range each {
				_, err := s.Store.UpdateComment(ctx(t), c.ID, func(c *tribune.Comment) error {
					c.Body += fmt.Sprint(w)
					c.Version++
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, err := s.Comment(ctx(t), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != c.Version+writers*each || len(got.Body) != len(c.Body)+writers*each {
		t.Errorf("after %d concurrent updates: version %d, body of %d bytes: an update was lost", writers*each, got.Version, len(got.Body))
	}

	// Every field but ID, article and creation time is written.
	parent := mustComment(t, s, NewComment(t, a.ID, "P", "p@example.org", "parent", base))
	want := got
	upd, err := s.Store.UpdateComment(ctx(t), c.ID, func(c *tribune.Comment) error {
		c.ID, c.ArticleID, c.Created = uuid.New(), other.ID, base.Add(time.Hour)
		c.ParentID, c.AuthorName, c.Email, c.Website = parent.ID, "Zoé", tribune.StoredEmail("Zoe@Example.org"), "https://zoe.example.org/"
		c.Body, c.Status, c.Version, c.UserID = "<p>new</p>", tribune.StatusSpam, 99, "user-7"
		c.Meta = tribune.Meta{ClientHash: "h2", UserAgent: "ua2", Key: "k2", DupKey: "d2"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want.ParentID, want.AuthorName, want.Email, want.Website = parent.ID, "Zoé", tribune.StoredEmail("Zoe@Example.org"), "https://zoe.example.org/"
	want.Body, want.Status, want.Version, want.UserID = "<p>new</p>", tribune.StatusSpam, 99, "user-7"
	want.Meta = tribune.Meta{ClientHash: "h2", UserAgent: "ua2", Key: "k2", DupKey: "d2"}
	sameComment(t, want, upd)
	stored, err := s.Comment(ctx(t), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameComment(t, want, stored)
	if byKey, err := s.CommentByKey(ctx(t), "k2"); err != nil || byKey.ID != c.ID {
		t.Errorf("the new key does not find the comment: %v", err)
	}
	if byEmail, _ := s.FindComments(ctx(t), tribune.Query{EmailKey: "zoe@example.org"}); len(byEmail) != 1 {
		t.Errorf("the new email does not find the comment: %d", len(byEmail))
	}

	// An error from apply aborts and comes back as it is.
	stop := errors.New("stop here")
	_, err = s.Store.UpdateComment(ctx(t), c.ID, func(c *tribune.Comment) error { c.Body = "<p>lost</p>"; return stop })
	if !errors.Is(err, stop) {
		t.Errorf("apply's error: got %v", err)
	}
	if got, _ := s.Comment(ctx(t), c.ID); got.Body != "<p>new</p>" {
		t.Errorf("an aborted update wrote %q", got.Body)
	}
	_, err = s.Store.UpdateComment(ctx(t), uuid.New(), func(*tribune.Comment) error { return nil })
	wantErr(t, "unknown comment", err, tribune.ErrNotFound)
	_, err = s.Store.UpdateComment(ctx(t), c.ID, func(c *tribune.Comment) error { c.ParentID = uuid.New(); return nil })
	wantErr(t, "a parent that does not exist", err, tribune.ErrNotFound)
	// Another comment's key is taken.
	_, err = s.Store.UpdateComment(ctx(t), parent.ID, func(c *tribune.Comment) error { c.Meta.Key = "k2"; return nil })
	wantErr(t, "a taken key", err, tribune.ErrReplayed)
}

func testCoreDelete(t *testing.T, s ops) {
	a := mustArticle(t, s, "Core delete", base)
	parent := mustComment(t, s, NewComment(t, a.ID, "P", "p@example.org", "parent", base))
	r := NewComment(t, a.ID, "R", "r@example.org", "reply", base.Add(time.Minute))
	r.ParentID = parent.ID
	mustComment(t, s, r)
	wantErr(t, "a comment with a reply", s.Store.DeleteComment(ctx(t), parent.ID), tribune.ErrConflict)
	if _, err := s.Comment(ctx(t), parent.ID); err != nil {
		t.Errorf("refused delete removed the comment: %v", err)
	}
	if err := s.Store.DeleteComment(ctx(t), r.ID); err != nil {
		t.Fatalf("a reply without replies: %v", err)
	}
	if err := s.Store.DeleteComment(ctx(t), parent.ID); err != nil {
		t.Fatalf("a comment whose replies are gone: %v", err)
	}
	wantErr(t, "deleting again", s.Store.DeleteComment(ctx(t), parent.ID), tribune.ErrNotFound)
}

func testMissingParent(t *testing.T, s ops) {
	a := mustArticle(t, s, "Missing parent", base)
	c := NewComment(t, a.ID, "R", "r@example.org", "reply to nothing", base)
	c.ParentID = uuid.New()
	wantErr(t, "reply to an unknown comment", s.CreateComment(ctx(t), &c, tribune.Guard{}), tribune.ErrNotFound)
	if _, err := s.Comment(ctx(t), c.ID); !errors.Is(err, tribune.ErrNotFound) {
		t.Errorf("the orphan was stored: %v", err)
	}
}

// testDeleteReplyRace deletes comments while replies to them are posted:
// whatever wins, no reply is left naming a comment that is gone.
func testDeleteReplyRace(t *testing.T, s ops) {
	a := mustArticle(t, s, "Delete race", base)
	const rounds = 20
	for i := range rounds {
		top := mustComment(t, s, NewComment(t, a.ID, "T", "t@example.org", fmt.Sprint("top ", i), base.Add(time.Duration(i)*time.Minute)))
		p := NewComment(t, a.ID, "P", "p@example.org", fmt.Sprint("parent ", i), base.Add(time.Duration(i)*time.Minute+time.Second))
		p.ParentID = top.ID
		p = mustComment(t, s, p)
		var wg sync.WaitGroup
		wg.Go(func() {
			if err := s.DeleteComment(ctx(t), p.ID); err != nil {
				t.Errorf("round %d: delete: %v", i, err)
			}
		})
		for j := range 3 {
			wg.Go(func() {
				r := NewComment(t, a.ID, "R", "r@example.org", fmt.Sprint("reply ", i, j), base.Add(time.Duration(i)*time.Minute+2*time.Second))
				r.ParentID = p.ID
				if err := s.CreateComment(ctx(t), &r, tribune.Guard{}); err != nil && !errors.Is(err, tribune.ErrNotFound) {
					t.Errorf("round %d: reply: %v", i, err)
				}
			})
		}
		wg.Wait()
	}
	all, err := s.Comments(ctx(t), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	have := map[uuid.UUID]bool{}
	for _, c := range all {
		have[c.ID] = true
	}
	for _, c := range all {
		if c.ParentID != uuid.Nil && !have[c.ParentID] {
			t.Errorf("comment %v replies to %v, which is gone", c.ID, c.ParentID)
		}
	}
}

func testInsertComments(t *testing.T, s ops) {
	a := mustArticle(t, s, "Import", base)
	var batch []tribune.Comment
	for i := range 50 {
		c := NewComment(t, a.ID, "Imported", fmt.Sprintf("i%d@example.org", i), fmt.Sprint("imported ", i), base.Add(time.Duration(i)*time.Second))
		c.Version = 1 + i%3
		if i > 0 && i%5 != 0 {
			c.ParentID = batch[i-1].ID
		}
		c.Meta.Key = fmt.Sprint("import-", i)
		batch = append(batch, c)
	}
	if err := tribune.InsertComments(ctx(t), s.Store, batch); err != nil {
		t.Fatal(err)
	}
	got, err := s.Comments(ctx(t), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(batch) {
		t.Fatalf("%d of %d stored", len(got), len(batch))
	}
	for i := range batch {
		sameComment(t, batch[i], got[i])
	}
	if err := tribune.InsertComments(ctx(t), s.Store, nil); err != nil {
		t.Errorf("an empty batch: %v", err)
	}
	// A bad comment in a batch: the store's own bulk insert stores none
	// of it; the fallback stops there.
	good := NewComment(t, a.ID, "G", "g@example.org", "good", base.Add(time.Hour))
	orphan := NewComment(t, a.ID, "O", "o@example.org", "orphan", base.Add(time.Hour))
	orphan.ParentID = uuid.New()
	err = tribune.InsertComments(ctx(t), s.Store, []tribune.Comment{good, orphan})
	wantErr(t, "a batch with an orphan", err, tribune.ErrNotFound)
	dup := NewComment(t, a.ID, "D", "d@example.org", "taken key", base.Add(2*time.Hour))
	dup.Meta.Key = "import-7"
	wantErr(t, "a batch with a taken key", tribune.InsertComments(ctx(t), s.Store, []tribune.Comment{dup}), tribune.ErrReplayed)
	if b, ok := s.Store.(tribune.BulkInserter); ok && !errors.Is(b.InsertComments(ctx(t), nil), tribune.ErrNotSupported) {
		if _, err := s.Comment(ctx(t), good.ID); !errors.Is(err, tribune.ErrNotFound) {
			t.Errorf("a failed bulk insert kept a comment: %v", err)
		}
	}
	after, _ := s.Comments(ctx(t), a.ID)
	if slices.ContainsFunc(after, func(c tribune.Comment) bool { return c.ID == orphan.ID || c.ID == dup.ID }) {
		t.Error("a refused comment was stored")
	}
}

// testUpdateEdited: UpdateComment writes the edit time, and a zero one
// reads back as zero.
func testUpdateEdited(t *testing.T, s ops) {
	a := mustArticle(t, s, "Edited", base)
	c := mustComment(t, s, NewComment(t, a.ID, "Ana", "ana@example.org", "avant", base))
	if got, _ := s.Comment(ctx(t), c.ID); !got.Edited.IsZero() {
		t.Fatalf("a comment never edited reads back edited at %v", got.Edited)
	}
	at := base.Add(5 * time.Minute)
	if _, err := s.UpdateComment(ctx(t), c.ID, func(c *tribune.Comment) error {
		c.Body, c.Edited = "<p>après</p>", at
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Comment(ctx(t), c.ID)
	if err != nil || !got.Edited.Equal(at) || got.Body != "<p>après</p>" {
		t.Fatalf("after the edit: %v %+v", err, got)
	}
}
