package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/outbox"
)

var errBoom = errors.New("storetest: apply refused")

func isNotFound(err error) bool { return errors.Is(err, tribune.ErrNotFound) }

// mailing returns the store's outbox and address book, or skips the test
// for a store without them (mail is then off: nothing to check).
func mailing(t *testing.T, s tribune.Store) (outbox.Queue, tribune.AddressBook) {
	t.Helper()
	q, err := outbox.QueueOf(s)
	var b tribune.AddressBook
	if err == nil {
		b, err = tribune.Addresses(s)
	}
	if err != nil {
		t.Skip("the store has no outbox or address book: mail stays off with it")
	}
	return q, b
}

func newMail(t *testing.T, key, to string, due time.Time) *outbox.Mail {
	t.Helper()
	e, err := tribune.ParseEmail(to)
	if err != nil {
		t.Fatal(err)
	}
	return &outbox.Mail{
		Message: outbox.Message{ID: uuid.New(), To: e, From: "Le Site", Subject: "Sujet « é »", Text: "Texte\nligne 2",
			HTML: "<p>Texte</p>", Lang: "fr", Unsubscribe: "https://example.org/u/tok"},
		Key: key, Kind: "reply", State: outbox.Queued, Queued: due, Due: due,
	}
}

// testMailQueue: queuing is idempotent by key, a claim leases, outcomes
// are recorded, and every field round trips.
func testMailQueue(t *testing.T, s ops) {
	q, _ := mailing(t, s.Store)
	m := newMail(t, "reply:1:a", "Alice@Example.org", base)
	ok, err := q.QueueMail(ctx(t), m)
	if err != nil || !ok {
		t.Fatalf("QueueMail: %v %v", ok, err)
	}
	again := newMail(t, "reply:1:a", "alice@example.org", base)
	if ok, err := q.QueueMail(ctx(t), again); err != nil || ok {
		t.Fatalf("QueueMail with a taken key: want false, nil; got %v, %v", ok, err)
	}
	later := newMail(t, "reply:2:a", "bob@example.org", base.Add(time.Hour))
	if _, err := q.QueueMail(ctx(t), later); err != nil {
		t.Fatal(err)
	}

	got, err := q.ClaimMails(ctx(t), base.Add(time.Minute), 2*time.Minute, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("ClaimMails: want the one due mail, got %d, %v", len(got), err)
	}
	c := got[0]
	if c.ID != m.ID || c.To.Address() != "Alice@Example.org" || c.Subject != m.Subject || c.Text != m.Text ||
		c.HTML != m.HTML || c.Lang != "fr" || c.From != "Le Site" || c.Unsubscribe != m.Unsubscribe || c.Key != m.Key ||
		c.Kind != "reply" || c.State != outbox.Queued || !c.Queued.Equal(base) || c.Attempts != 1 ||
		!c.Due.Equal(base.Add(3*time.Minute)) || c.Due.Location() != time.UTC {
		t.Errorf("claimed mail does not round trip: %+v", c)
	}
	if again, _ := q.ClaimMails(ctx(t), base.Add(2*time.Minute), time.Minute, 10); len(again) != 0 {
		t.Errorf("a leased mail was claimed again within its lease: %d", len(again))
	}

	// A failed attempt is due again at its retry time.
	retry := base.Add(10 * time.Minute)
	if err := q.FinishMail(ctx(t), m.ID, outbox.Outcome{State: outbox.Queued, Retry: retry, Error: "451 try later", Now: base}); err != nil {
		t.Fatal(err)
	}
	if got, _ := q.ClaimMails(ctx(t), retry.Add(-time.Second), time.Minute, 10); len(got) != 0 {
		t.Errorf("a mail was claimed before its retry time")
	}
	got, err = q.ClaimMails(ctx(t), retry, time.Minute, 10)
	if err != nil || len(got) != 1 || got[0].Attempts != 2 || got[0].LastError != "451 try later" {
		t.Fatalf("retry: %+v %v", got, err)
	}
	sentAt := retry.Add(time.Second)
	if err := q.FinishMail(ctx(t), m.ID, outbox.Outcome{State: outbox.Sent, Now: sentAt}); err != nil {
		t.Fatal(err)
	}
	sent, err := q.Mails(ctx(t), outbox.Sent, tribune.Span{})
	if err != nil || len(sent) != 1 || !sent[0].Sent.Equal(sentAt) || sent[0].Text != "" || sent[0].HTML != "" {
		t.Fatalf("a sent mail keeps its key and time and loses its text: %+v %v", sent, err)
	}
	if ok, _ := q.QueueMail(ctx(t), newMail(t, "reply:1:a", "alice@example.org", base)); ok {
		t.Error("a sent mail's key was queued again")
	}
	if got, _ := q.ClaimMails(ctx(t), base.Add(24*time.Hour), time.Minute, 10); len(got) != 1 || got[0].ID != later.ID {
		t.Errorf("a sent mail was claimed again, or the later one was not: %d", len(got))
	}
	if err := q.FinishMail(ctx(t), later.ID, outbox.Outcome{State: outbox.Failed, Error: "550 no such user", Now: base}); err != nil {
		t.Fatal(err)
	}
	failed, err := q.Mails(ctx(t), outbox.Failed, tribune.Span{})
	if err != nil || len(failed) != 1 || failed[0].LastError != "550 no such user" {
		t.Fatalf("failed mails: %+v %v", failed, err)
	}
	if got, _ := q.ClaimMails(ctx(t), base.Add(48*time.Hour), time.Minute, 10); len(got) != 0 {
		t.Error("a failed mail was claimed")
	}
	waiting := newMail(t, "reply:3:a", "carl@example.org", base.Add(time.Hour))
	if _, err := q.QueueMail(ctx(t), waiting); err != nil {
		t.Fatal(err)
	}
	if n, err := q.PurgeMails(ctx(t), base.Add(30*time.Minute)); err != nil || n != 1 {
		t.Errorf("PurgeMails before base+30 min: want the sent mail alone, got %d, %v", n, err)
	}
	if n, err := q.PurgeMails(ctx(t), base.Add(48*time.Hour)); err != nil || n != 1 {
		t.Errorf("PurgeMails: want the failed mail, never a queued one, got %d, %v", n, err)
	}
	if got, _ := q.ClaimMails(ctx(t), base.Add(72*time.Hour), time.Minute, 10); len(got) != 1 || got[0].ID != waiting.ID {
		t.Errorf("a queued mail was purged")
	}
	if ms, _ := q.Mails(ctx(t), outbox.Sent, tribune.Span{}); len(ms) != 0 {
		t.Errorf("purged sent mails are still listed: %d", len(ms))
	}
	if err := q.FinishMail(ctx(t), uuid.New(), outbox.Outcome{State: outbox.Sent, Now: base}); !isNotFound(err) {
		t.Errorf("FinishMail of an unknown mail: want ErrNotFound, got %v", err)
	}
}

// testMailClaimRace: workers claiming at once never get the same mail,
// and together get every one.
func testMailClaimRace(t *testing.T, s ops) {
	q, _ := mailing(t, s.Store)
	const n = 60
	for i := range n {
		if _, err := q.QueueMail(ctx(t), newMail(t, fmt.Sprint("k", i), "x@example.org", base.Add(time.Duration(i)*time.Millisecond))); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[uuid.UUID]int{}
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for range 20 {
				ms, err := q.ClaimMails(ctx(t), base.Add(time.Hour), time.Hour, 4)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, m := range ms {
					seen[m.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != n {
		t.Errorf("claimed %d distinct mails of %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("mail %s claimed %d times", id, k)
		}
	}
}

// testAddressBook: addresses get a stable ID, verification and
// subscriptions round trip, and forgetting an address takes everything.
func testAddressBook(t *testing.T, s ops) {
	q, b := mailing(t, s.Store)
	if _, err := b.Address(ctx(t), "alice@example.org"); !isNotFound(err) {
		t.Fatalf("unknown address: want ErrNotFound, got %v", err)
	}
	a, err := b.UpdateAddress(ctx(t), "alice@example.org", func(a *tribune.Address) error {
		a.ConfirmSent = base
		return nil
	})
	if err != nil || a.ID == uuid.Nil || a.Key != "alice@example.org" || !a.ConfirmSent.Equal(base) || !a.Verified.IsZero() {
		t.Fatalf("UpdateAddress (new): %+v %v", a, err)
	}
	v, err := b.UpdateAddress(ctx(t), "alice@example.org", func(x *tribune.Address) error {
		if x.ID != a.ID || !x.ConfirmSent.Equal(base) {
			t.Errorf("apply got %+v, want the stored address", x)
		}
		x.Verified = base.Add(time.Minute)
		x.ID = uuid.New() // ignored: an ID never changes
		return nil
	})
	if err != nil || v.ID != a.ID || !v.Verified.Equal(base.Add(time.Minute)) {
		t.Fatalf("UpdateAddress (verify): %+v %v", v, err)
	}
	byID, err := b.AddressByID(ctx(t), a.ID)
	if err != nil || byID.Key != a.Key || !byID.Verified.Equal(v.Verified) || byID.Verified.Location() != time.UTC {
		t.Fatalf("AddressByID: %+v %v", byID, err)
	}
	if _, err := b.UpdateAddress(ctx(t), "alice@example.org", func(*tribune.Address) error { return errBoom }); !errors.Is(err, errBoom) {
		t.Errorf("UpdateAddress returns apply's error as is, got %v", err)
	}
	if _, err := b.AddressByID(ctx(t), uuid.New()); !isNotFound(err) {
		t.Errorf("unknown address ID: want ErrNotFound, got %v", err)
	}

	cid := uuid.New()
	if _, err := b.Subscription(ctx(t), cid); !isNotFound(err) {
		t.Fatalf("unknown subscription: want ErrNotFound, got %v", err)
	}
	sub := tribune.Subscription{CommentID: cid, EmailKey: "alice@example.org", Created: base, Active: true}
	if err := b.SaveSubscription(ctx(t), sub); err != nil {
		t.Fatal(err)
	}
	got, err := b.Subscription(ctx(t), cid)
	if err != nil || got.EmailKey != sub.EmailKey || !got.Created.Equal(base) || !got.Active || !got.Confirmed.IsZero() {
		t.Fatalf("Subscription: %+v %v", got, err)
	}
	sub.Confirmed = base.Add(2 * time.Minute)
	if err := b.SaveSubscription(ctx(t), sub); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Subscription(ctx(t), cid); !got.Confirmed.Equal(sub.Confirmed) || got.Confirmed.Location() != time.UTC {
		t.Errorf("Subscription.Confirmed: got %v, want %v", got.Confirmed, sub.Confirmed)
	}
	out, err := b.UpdateAddress(ctx(t), "alice@example.org", func(x *tribune.Address) error {
		x.OptedOut = base.Add(3 * time.Minute)
		return nil
	})
	if err != nil || !out.OptedOut.Equal(base.Add(3*time.Minute)) {
		t.Fatalf("UpdateAddress (opt out): %+v %v", out, err)
	}
	if got, _ := b.Address(ctx(t), "alice@example.org"); !got.OptedOut.Equal(out.OptedOut) || !got.Verified.Equal(v.Verified) {
		t.Errorf("Address.OptedOut: got %+v", got)
	}
	sub.Active = false
	if err := b.SaveSubscription(ctx(t), sub); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.Subscription(ctx(t), cid); got.Active {
		t.Error("SaveSubscription did not replace the subscription")
	}
	other := tribune.Subscription{CommentID: uuid.New(), EmailKey: "bob@example.org", Created: base, Active: true}
	if err := b.SaveSubscription(ctx(t), other); err != nil {
		t.Fatal(err)
	}
	if _, err := q.QueueMail(ctx(t), newMail(t, "to-alice", "Alice@example.org", base)); err != nil {
		t.Fatal(err)
	}
	bobs := newMail(t, "to-bob", "bob@example.org", base)
	if _, err := q.QueueMail(ctx(t), bobs); err != nil {
		t.Fatal(err)
	}

	if err := b.ForgetAddress(ctx(t), "alice@example.org"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Address(ctx(t), "alice@example.org"); !isNotFound(err) {
		t.Errorf("a forgotten address is still there: %v", err)
	}
	if _, err := b.AddressByID(ctx(t), a.ID); !isNotFound(err) {
		t.Errorf("a forgotten address is still found by ID: %v", err)
	}
	if _, err := b.Subscription(ctx(t), cid); !isNotFound(err) {
		t.Errorf("a forgotten address's subscription is still there: %v", err)
	}
	if _, err := b.Subscription(ctx(t), other.CommentID); err != nil {
		t.Errorf("another address's subscription went too: %v", err)
	}
	left, err := q.ClaimMails(ctx(t), base.Add(time.Hour), time.Minute, 10)
	if err != nil || len(left) != 1 || left[0].ID != bobs.ID {
		t.Errorf("forgetting an address leaves only the others' mails: %d %v", len(left), err)
	}
}

// testEraseForgetsTheAddress: erasing a person's comments forgets their
// address, subscriptions and mails too.
func testEraseForgetsTheAddress(t *testing.T, s ops) {
	q, b := mailing(t, s.Store)
	a := mustArticle(t, s, "Erase mail", base)
	c := mustComment(t, s, NewComment(t, a.ID, "Ana", "Ana@example.org", "texte", base))
	if _, err := b.UpdateAddress(ctx(t), "ana@example.org", func(x *tribune.Address) error { x.Verified = base; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := b.SaveSubscription(ctx(t), tribune.Subscription{CommentID: c.ID, EmailKey: "ana@example.org", Created: base, Active: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := q.QueueMail(ctx(t), newMail(t, "ana-mail", "Ana@example.org", base)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.EraseByEmail(ctx(t), c.Email, tribune.EraseAnonymise); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Address(ctx(t), "ana@example.org"); !isNotFound(err) {
		t.Errorf("the address survived the erasure: %v", err)
	}
	if _, err := b.Subscription(ctx(t), c.ID); !isNotFound(err) {
		t.Errorf("the subscription survived the erasure: %v", err)
	}
	if ms, _ := q.ClaimMails(ctx(t), base.Add(time.Hour), time.Minute, 10); len(ms) != 0 {
		t.Errorf("a mail to the erased address is still queued")
	}
}

// testLimiter: a key's uses are counted within its window, a use beyond
// the limit is refused and not counted, the window starts again after
// it ends, and instances spending one key at once are counted in turn.
func testLimiter(t *testing.T, s ops) {
	l, ok := s.Store.(tribune.Limiter)
	if ok {
		if _, err := l.Spend(ctx(t), "probe", 1, time.Hour, base); errors.Is(err, tribune.ErrNotSupported) {
			ok = false // a wrapper around a store without one
		}
	}
	if !ok {
		t.Skip("the store has no Limiter")
	}
	spend := func(key string, limit int, at time.Time) bool {
		t.Helper()
		ok, err := l.Spend(ctx(t), key, limit, time.Hour, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !spend("once", 1, base) {
		t.Fatal("the first use of a key is refused")
	}
	if spend("once", 1, base.Add(time.Minute)) || spend("once", 1, base.Add(59*time.Minute)) {
		t.Error("a single-use key was spent twice in its window")
	}
	if !spend("other", 1, base) {
		t.Error("keys are counted apart")
	}
	for i := range 3 {
		if !spend("three", 3, base.Add(time.Duration(i)*time.Second)) {
			t.Fatalf("use %d of 3 refused", i+1)
		}
	}
	if spend("three", 3, base.Add(time.Minute)) {
		t.Error("a fourth use of 3 was counted")
	}
	if !spend("three", 3, base.Add(time.Hour)) {
		t.Error("the window did not start again once it ended")
	}
	if !spend("three", 3, base.Add(time.Hour+time.Second)) || !spend("three", 3, base.Add(time.Hour+2*time.Second)) ||
		spend("three", 3, base.Add(time.Hour+3*time.Second)) {
		t.Error("the new window does not count from one")
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 20 {
		wg.Go(func() {
			ok, err := l.Spend(ctx(t), "race", 5, time.Hour, base)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if granted != 5 {
		t.Errorf("20 uses at once of a key limited to 5: %d granted", granted)
	}

	n, err := l.PurgeLimits(ctx(t), base.Add(90*time.Minute))
	if err != nil || n < 3 {
		t.Errorf("PurgeLimits: %d %v (once, other and race had ended)", n, err)
	}
	if !spend("once", 1, base.Add(2*time.Hour)) {
		t.Error("a purged key starts again")
	}
}

// testPace: a bucket of burst tokens gives them at once and then one an
// interval, a look spends nothing, keys are apart, a full bucket's row
// is purged, and instances spending at once draw on one bucket. Skipped
// where the store answers ErrNotSupported (a store one process owns).
func testPace(t *testing.T, s ops) {
	l, ok := s.Store.(tribune.Limiter)
	if ok {
		if _, err := l.Pace(ctx(t), "probe", time.Second, 1, false, base); errors.Is(err, tribune.ErrNotSupported) {
			ok = false
		}
	}
	if !ok {
		t.Skip("the store keeps no token buckets (Pace answers ErrNotSupported)")
	}
	const every = 10 * time.Second
	pace := func(key string, spend bool, at time.Time) bool {
		t.Helper()
		ok, err := l.Pace(ctx(t), key, every, 3, spend, at)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !pace("p", false, base) {
		t.Fatal("an unknown key has no token")
	}
	for i := range 3 {
		if !pace("p", true, base.Add(time.Duration(i)*time.Millisecond)) {
			t.Fatalf("token %d of a burst of 3 refused", i+1)
		}
	}
	if pace("p", false, base.Add(time.Second)) || pace("p", true, base.Add(time.Second)) {
		t.Error("a fourth token within the burst")
	}
	if pace("p", true, base.Add(5*time.Second)) {
		t.Error("a token back before its interval")
	}
	for range 2 { // a look spends nothing
		if !pace("p", false, base.Add(every+time.Millisecond)) {
			t.Error("no token back after an interval, or a look spent it")
		}
	}
	if !pace("p", true, base.Add(every+time.Millisecond)) || pace("p", true, base.Add(every+2*time.Millisecond)) {
		t.Error("one token back after one interval, not one")
	}
	if !pace("q", true, base) {
		t.Error("keys are apart")
	}
	// Long after, the bucket is full again: three at once.
	later := base.Add(time.Hour)
	for i := range 3 {
		if !pace("p", true, later) {
			t.Fatalf("a full bucket refused token %d", i+1)
		}
	}
	if pace("p", true, later) {
		t.Error("more than the burst from a full bucket")
	}

	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 20 {
		wg.Go(func() {
			ok, err := l.Pace(ctx(t), "pace-race", every, 5, true, base)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if granted != 5 {
		t.Errorf("20 spends at once from a bucket of 5: %d granted", granted)
	}

	// The bucket "q" is full again 10 s after its spend: its row goes.
	if _, err := l.PurgeLimits(ctx(t), base.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !pace("q", true, base.Add(2*time.Hour)) {
		t.Error("a purged bucket gives a token")
	}
}

// testMailLeaseAndFence: a worker renews its claim while it sends; once
// another worker claimed the mail (after a lease that ran out), the first
// one's renewal and outcome change nothing.
func testMailLeaseAndFence(t *testing.T, s ops) {
	q, _ := mailing(t, s.Store)
	m := newMail(t, "fence", "f@example.org", base)
	if _, err := q.QueueMail(ctx(t), m); err != nil {
		t.Fatal(err)
	}
	first, err := q.ClaimMails(ctx(t), base, time.Minute, 1)
	if err != nil || len(first) != 1 || first[0].Attempts != 1 {
		t.Fatalf("claim: %+v %v", first, err)
	}
	// Renewed, the mail is not due when the first lease would have ended.
	if ok, err := q.RenewMail(ctx(t), m.ID, 1, base.Add(3*time.Minute)); err != nil || !ok {
		t.Fatalf("RenewMail by the claim's worker: %v %v", ok, err)
	}
	if again, err := q.ClaimMails(ctx(t), base.Add(2*time.Minute), time.Minute, 1); err != nil || len(again) != 0 {
		t.Fatalf("a renewed mail was claimed again: %d %v", len(again), err)
	}
	// The renewal stops; another worker claims it after the lease.
	second, err := q.ClaimMails(ctx(t), base.Add(4*time.Minute), time.Minute, 1)
	if err != nil || len(second) != 1 || second[0].Attempts != 2 {
		t.Fatalf("claim after the lease: %+v %v", second, err)
	}
	if ok, err := q.RenewMail(ctx(t), m.ID, 1, base.Add(time.Hour)); err != nil || ok {
		t.Errorf("the first worker's renewal after losing the claim: %v %v", ok, err)
	}
	err = q.FinishMail(ctx(t), m.ID, outbox.Outcome{State: outbox.Sent, Now: base.Add(5 * time.Minute), Attempt: 1})
	if !errors.Is(err, tribune.ErrConflict) {
		t.Errorf("the first worker's outcome: want ErrConflict, got %v", err)
	}
	if sent, _ := q.Mails(ctx(t), outbox.Sent, tribune.Span{}); len(sent) != 0 {
		t.Error("a fenced-out outcome was recorded")
	}
	if err := q.FinishMail(ctx(t), m.ID, outbox.Outcome{State: outbox.Queued, Retry: base.Add(10 * time.Minute), Error: "451", Attempt: 2}); err != nil {
		t.Fatalf("the second worker's outcome: %v", err)
	}
	// Brought forward (the server is back), by the claim it was left at.
	if ok, err := q.RenewMail(ctx(t), m.ID, 2, base.Add(6*time.Minute)); err != nil || !ok {
		t.Fatalf("RenewMail to bring a retry forward: %v %v", ok, err)
	}
	if due, err := q.ClaimMails(ctx(t), base.Add(6*time.Minute), time.Minute, 1); err != nil || len(due) != 1 {
		t.Fatalf("the retry brought forward is not due: %d %v", len(due), err)
	}
	if err := q.FinishMail(ctx(t), m.ID, outbox.Outcome{State: outbox.Sent, Now: base.Add(7 * time.Minute), Attempt: 3}); err != nil {
		t.Fatal(err)
	}
	if ok, err := q.RenewMail(ctx(t), m.ID, 3, base.Add(time.Hour)); err != nil || ok {
		t.Errorf("RenewMail on a sent mail: %v %v", ok, err)
	}
	if err := q.FinishMail(ctx(t), uuid.New(), outbox.Outcome{State: outbox.Sent, Now: base, Attempt: 1}); !isNotFound(err) {
		t.Errorf("an unknown mail: want ErrNotFound, got %v", err)
	}
}
