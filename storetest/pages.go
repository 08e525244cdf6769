package storetest

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// testPages checks comment pages through the root's functions: the
// store's own when it is a tribune.Pager, else the fallbacks.
func testPages(t *testing.T, s ops) {
	a := mustArticle(t, s, "Pages", base)
	other := mustArticle(t, s, "Pages, other", base)
	var top []tribune.Comment
	for i := range 7 {
		top = append(top, mustComment(t, s, NewComment(t, a.ID, "T", "t@example.org", fmt.Sprint("top ", i), base.Add(time.Duration(i)*time.Minute))))
	}
	reply := func(parent tribune.Comment, status tribune.Status, body string, at time.Duration) tribune.Comment {
		c := NewComment(t, a.ID, "R", "r@example.org", body, base.Add(at))
		c.ParentID, c.Status = parent.ID, status
		return mustComment(t, s, c)
	}
	r1 := reply(top[1], tribune.StatusApproved, "reply to 1", time.Hour)
	r11 := reply(r1, tribune.StatusPending, "reply to the reply", 2*time.Hour)
	r111 := reply(r11, tribune.StatusApproved, "third level", 3*time.Hour)
	sp := reply(top[2], tribune.StatusSpam, "spam reply", 4*time.Hour)
	held := NewComment(t, a.ID, "H", "h@example.org", "held top-level", base.Add(5*time.Hour))
	held.Status = tribune.StatusPending
	mustComment(t, s, held)
	mustComment(t, s, NewComment(t, other.ID, "O", "o@example.org", "elsewhere", base))

	count := func(what string, want tribune.ThreadCount) {
		t.Helper()
		got, err := s.svc.CountThread(ctx(t), a.ID)
		if err != nil || got != want {
			t.Errorf("%s: counts %+v, %v; want %+v", what, got, err, want)
		}
	}
	page := func(what string, q tribune.PageQuery, want ...tribune.Comment) {
		t.Helper()
		q.ArticleID = a.ID
		got, err := s.svc.Page(ctx(t), q, moderator)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		sameIDs(t, what, append([]uuid.UUID{}, ids(want)...), ids(got))
	}
	count("start", tribune.ThreadCount{Approved: 9, TopLevel: 7})
	page("first page, with every reply of its comments a moderator sees (not the spam one)", tribune.PageQuery{Limit: 3}, top[0], top[1], top[2], r1, r11, r111)
	if p, ok := s.Store.(tribune.Pager); ok {
		raw, err := p.CommentPage(ctx(t), tribune.PageQuery{ArticleID: a.ID, Limit: 3})
		if err != nil && !errors.Is(err, tribune.ErrNotSupported) {
			t.Fatal(err)
		}
		if err == nil {
			sameIDs(t, "the store's own page has replies of every status", ids([]tribune.Comment{top[0], top[1], top[2], r1, r11, r111, sp}), ids(raw))
		}
	}
	page("second page", tribune.PageQuery{Limit: 3, Offset: 3}, top[3], top[4], top[5])
	page("last page", tribune.PageQuery{Limit: 3, Offset: 6}, top[6])
	page("past the end", tribune.PageQuery{Limit: 3, Offset: 9})
	page("newest first", tribune.PageQuery{Limit: 2, NewestFirst: true}, top[5], top[6])
	page("newest first, second page", tribune.PageQuery{Limit: 5, Offset: 5, NewestFirst: true}, top[0], top[1], r1, r11, r111)
	for i, want := range []int{0, 3, 6, 7} {
		c := top[min(i*3, 6)]
		if i == 3 {
			c = r1
		}
		n, err := s.svc.TopLevelBefore(ctx(t), a.ID, c.Created, c.ID)
		if err != nil || n != want {
			t.Errorf("before %q: %d, %v; want %d", c.Body, n, err, want)
		}
	}

	// The counts follow every change.
	if _, err := s.SetStatus(ctx(t), top[0].ID, tribune.StatusSpam); err != nil {
		t.Fatal(err)
	}
	count("a top-level comment marked as spam", tribune.ThreadCount{Approved: 8, TopLevel: 6})
	if _, err := s.SetStatus(ctx(t), r11.ID, tribune.StatusApproved); err != nil {
		t.Fatal(err)
	}
	count("a reply approved", tribune.ThreadCount{Approved: 9, TopLevel: 6})
	if err := s.DeleteComment(ctx(t), top[1].ID); err != nil {
		t.Fatal(err)
	}
	// r1 moved up: it is a top-level comment now, with its replies.
	count("a top-level comment deleted, its reply moved up", tribune.ThreadCount{Approved: 8, TopLevel: 6})
	page("the moved reply starts a page", tribune.PageQuery{Limit: 2}, top[2], top[3])
	page("the moved reply in its place", tribune.PageQuery{Limit: 1, NewestFirst: true}, r1, r11, r111)
	if _, err := s.EraseByEmail(ctx(t), top[2].Email, tribune.EraseDelete); err != nil {
		t.Fatal(err)
	}
	count("erased", tribune.ThreadCount{Approved: 3, TopLevel: 1})
	batch := []tribune.Comment{NewComment(t, a.ID, "I", "i@example.org", "imported", base.Add(-time.Hour))}
	r := NewComment(t, a.ID, "I", "i@example.org", "imported reply", base.Add(-time.Minute))
	r.ParentID = batch[0].ID
	batch = append(batch, r)
	if err := tribune.InsertComments(ctx(t), s.Store, batch); err != nil {
		t.Fatal(err)
	}
	count("imported", tribune.ThreadCount{Approved: 5, TopLevel: 2})
	if n, err := s.svc.CountThread(ctx(t), other.ID); err != nil || n != (tribune.ThreadCount{Approved: 1, TopLevel: 1}) {
		t.Errorf("the other article: %+v, %v", n, err)
	}
	if counts, err := s.CountApproved(ctx(t), []uuid.UUID{a.ID}); err != nil || counts[a.ID] != 5 {
		t.Errorf("CountApproved agrees: %v, %v", counts, err)
	}
	_, err := s.svc.CountThread(ctx(t), uuid.New())
	wantErr(t, "an unknown article", err, tribune.ErrNotFound)
}

// core is a store seen through the core alone: the root's fallbacks
// answer for it, which is what a store's own Pager must agree with.
type core struct{ tribune.Store }

// moderator sees every comment a page has but spam and trash.
var moderator = tribune.Viewer{Moderator: true}

// testPagesMatchTheThread runs random posts (in and out of time order),
// moderation, edits and deletes, and after each checks every page, both
// ways, against the pages the root cuts from the whole thread.
func testPagesMatchTheThread(t *testing.T, s ops) {
	a := mustArticle(t, s, "Pages match", base)
	rng := rand.New(rand.NewPCG(7, 11))
	var all []tribune.Comment
	statuses := []tribune.Status{tribune.StatusApproved, tribune.StatusApproved, tribune.StatusApproved, tribune.StatusPending, tribune.StatusSpam}
	post := func(i int) {
		c := NewComment(t, a.ID, fmt.Sprint("P", i), "p@example.org", fmt.Sprint("comment ", i), base.Add(time.Duration(rng.IntN(3600))*time.Second))
		c.Status = statuses[rng.IntN(len(statuses))]
		if len(all) > 0 && rng.IntN(3) == 0 {
			c.ParentID = all[rng.IntN(len(all))].ID
		}
		err := s.CreateComment(ctx(t), &c, tribune.Guard{})
		if errors.Is(err, tribune.ErrNotFound) {
			c.ParentID = uuid.Nil // that one was deleted
			err = s.CreateComment(ctx(t), &c, tribune.Guard{})
		}
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, c)
	}
	// The oracle is a Service over the core alone: its answers come from
	// reading the thread, the store's from its indexes.
	oracle := newOps(t, core{s.Store}).svc
	check := func(step string) {
		t.Helper()
		want, err := oracle.CountThread(ctx(t), a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.svc.CountThread(ctx(t), a.ID); err != nil || got != want {
			t.Fatalf("%s: counts %+v, %v; the thread has %+v", step, got, err, want)
		}
		for _, c := range all[:min(len(all), 12)] {
			wantN, err := oracle.TopLevelBefore(ctx(t), a.ID, c.Created, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n, err := s.svc.TopLevelBefore(ctx(t), a.ID, c.Created, c.ID); err != nil || n != wantN {
				t.Fatalf("%s: %d top-level comments before %q, %v; the thread has %d", step, n, c.Body, err, wantN)
			}
		}
		for _, newest := range []bool{false, true} {
			for off := 0; off <= want.TopLevel; off += 7 {
				q := tribune.PageQuery{ArticleID: a.ID, NewestFirst: newest, Limit: 7, Offset: off}
				wantPage, err := oracle.Page(ctx(t), q, moderator)
				if err != nil {
					t.Fatal(err)
				}
				gotPage, err := s.svc.Page(ctx(t), q, moderator)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(gotPage), ids(wantPage)) {
					t.Fatalf("%s: page at %d (newest first %v): %d comments, the thread gives %d", step, off, newest, len(gotPage), len(wantPage))
				}
			}
		}
	}
	for i := range 30 {
		post(i)
	}
	check("posted")
	for step := range 40 {
		c := all[rng.IntN(len(all))]
		switch rng.IntN(4) {
		case 0:
			if _, err := s.SetStatus(ctx(t), c.ID, statuses[rng.IntN(len(statuses))]); err != nil && !errors.Is(err, tribune.ErrNotFound) {
				t.Fatal(err)
			}
		case 1:
			if err := s.DeleteComment(ctx(t), c.ID); err != nil && !errors.Is(err, tribune.ErrNotFound) {
				t.Fatal(err)
			}
		case 2:
			if _, err := s.EditBody(ctx(t), c.ID, "edited"); err != nil && !errors.Is(err, tribune.ErrNotFound) {
				t.Fatal(err)
			}
		default:
			post(100 + step)
		}
		check(fmt.Sprint("step ", step))
	}
}
