package storetest

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

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

	// Times go in any zone, at any precision, and come back in UTC at
	// microsecond precision: what every store can keep, and what caches
	// and page positions compare.
	paris := time.FixedZone("Europe/Paris", 3600)
	fine := NewComment(t, a.ID, "Horodatée", "h@example.org", "fine time", base)
	fine.Created = base.Add(2 * time.Second).Add(789 * time.Nanosecond).In(paris)
	fine.Edited = base.Add(3 * time.Second).Add(456 * time.Nanosecond).In(paris)
	mustComment(t, s, fine)
	got, err = s.Comment(ctx(t), fine.ID)
	if err != nil {
		t.Fatal(err)
	}
	for what, tm := range map[string][2]time.Time{"Created": {got.Created, fine.Created}, "Edited": {got.Edited, fine.Edited}} {
		if tm[0].Location() != time.UTC || !tm[0].Equal(tm[1].Truncate(time.Microsecond)) {
			t.Errorf("%s came back as %v (%v); want %v in UTC", what, tm[0], tm[0].Location(), tm[1].UTC().Truncate(time.Microsecond))
		}
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
	got, err := s.CommentsByStatus(ctx(t), tribune.StatusPending, tribune.Span{Limit: 2, Offset: 1})
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "pending page", pending[1:3], ids(got))
	spam, err := s.CommentsByStatus(ctx(t), tribune.StatusSpam, tribune.Span{})
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
