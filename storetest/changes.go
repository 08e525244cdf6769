package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

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
		"Articles":         func() error { _, err := s.Articles(cctx, tribune.Span{}); return err },
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
		"CommentsByStatus": func() error { _, err := s.CommentsByStatus(cctx, tribune.StatusPending, tribune.Span{}); return err },
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
