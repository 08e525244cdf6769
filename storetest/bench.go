package storetest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/outbox"
)

// Bench runs the store benchmarks every backend reports: creating one
// comment, listing an article's 1,000 comments in thread order, and
// counting the approved comments of 50 articles in one call.
func Bench(b *testing.B, newStore func(b *testing.B) tribune.Store) {
	body := tribune.SanitizeComment("Très bonne synthèse, merci. Voir https://example.org/dossier pour le contexte.\n\nMais la vraie question reste celle du financement.")
	comment := func(articleID uuid.UUID, i int) tribune.Comment {
		return tribune.Comment{
			ID: uuid.New(), ArticleID: articleID, AuthorName: fmt.Sprint("Lecteur ", i),
			Email: tribune.StoredEmail(fmt.Sprintf("lecteur%d@example.org", i)), Website: "https://lecteur.example.org/",
			Body: body, Status: tribune.StatusApproved, Version: 1,
			Created: base.Add(time.Duration(i) * time.Second),
			Meta:    tribune.Meta{ClientHash: "h", UserAgent: "bench"},
		}
	}
	// insert times one CreateComment after another: plain (an import's
	// insert), or guarded as the Service inserts, with both keys set and
	// the flood rule checked atomically with the insert.
	insert := func(guarded bool) func(b *testing.B) {
		return func(b *testing.B) {
			s := newStore(b)
			a := NewArticle(b, "Bench create", base)
			if err := s.CreateArticle(b.Context(), &a); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				c := comment(a.ID, i)
				var g tribune.Guard
				if guarded {
					c.Meta.Key, c.Meta.DupKey, c.Meta.ClientHash = fmt.Sprint("key-", i), fmt.Sprint("dup-", i), fmt.Sprint("client-", i)
					g.FloodSince = c.Created.Add(-15 * time.Second)
				}
				i++
				if err := s.CreateComment(b.Context(), &c, g); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "comments/s")
		}
	}
	b.Run("CreateComment", insert(false))
	b.Run("CreateCommentGuarded", insert(true))
	b.Run("List1000", func(b *testing.B) {
		s := newStore(b)
		a := NewArticle(b, "Bench list", base)
		if err := s.CreateArticle(b.Context(), &a); err != nil {
			b.Fatal(err)
		}
		for i := range 1000 {
			c := comment(a.ID, i)
			if err := s.CreateComment(b.Context(), &c, tribune.Guard{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportAllocs()
		for b.Loop() {
			cs, err := s.FindComments(b.Context(), tribune.Query{ArticleID: a.ID, Statuses: []tribune.Status{tribune.StatusApproved}})
			if err != nil || len(cs) != 1000 {
				b.Fatal(len(cs), err)
			}
		}
	})
	b.Run("Count50Articles", func(b *testing.B) {
		s := newStore(b)
		ids := make([]uuid.UUID, 50)
		for i := range ids {
			a := NewArticle(b, fmt.Sprint("Bench count ", i), base)
			if err := s.CreateArticle(b.Context(), &a); err != nil {
				b.Fatal(err)
			}
			ids[i] = a.ID
			for j := range 20 {
				c := comment(a.ID, j)
				if err := s.CreateComment(b.Context(), &c, tribune.Guard{}); err != nil {
					b.Fatal(err)
				}
			}
		}
		svc, err := tribune.NewService(s)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			counts, err := svc.Counts(b.Context(), ids)
			if err != nil || counts[ids[0]] != 20 {
				b.Fatal(counts[ids[0]], err)
			}
		}
	})
	b.Run("Outbox", func(b *testing.B) { benchOutbox(b, newStore) })
}

// benchOutbox times the outbox of a store that has one: queuing a mail
// (what a comment's request pays) and claiming then finishing one (what
// the worker pays per mail, with a backlog of 1,000 queued).
func benchOutbox(b *testing.B, newStore func(b *testing.B) tribune.Store) {
	mail := func(i int) *outbox.Mail {
		return &outbox.Mail{
			Message: outbox.Message{ID: uuid.New(), To: tribune.StoredEmail(fmt.Sprintf("lecteur%d@example.org", i)), From: "Le Quotidien",
				Subject: "Nouvelle réponse à votre commentaire", Text: strings.Repeat("Une réponse à votre commentaire. ", 30),
				HTML: strings.Repeat("<p>Une réponse à votre commentaire.</p>", 30), Lang: "fr", Unsubscribe: "https://example.org/comments/mail/unsubscribe/x"},
			Key: fmt.Sprint("reply:", i), Kind: "reply", State: outbox.Queued, Queued: base, Due: base,
		}
	}
	b.Run("Queue", func(b *testing.B) {
		q := outboxOf(b, newStore(b))
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if ok, err := q.QueueMail(b.Context(), mail(i)); err != nil || !ok {
				b.Fatal(ok, err)
			}
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
	})
	b.Run("ClaimAndFinish", func(b *testing.B) {
		q := outboxOf(b, newStore(b))
		n := 0
		refill := func() {
			for range 1000 {
				if _, err := q.QueueMail(b.Context(), mail(n)); err != nil {
					b.Fatal(err)
				}
				n++
			}
		}
		refill()
		left := 1000
		now := base.Add(time.Hour)
		b.ReportAllocs()
		for b.Loop() {
			if left == 0 {
				b.StopTimer()
				refill()
				left = 1000
				b.StartTimer()
			}
			ms, err := q.ClaimMails(b.Context(), now, 2*time.Minute, 1)
			if err != nil || len(ms) != 1 {
				b.Fatal(len(ms), err)
			}
			if err := q.FinishMail(b.Context(), ms[0].ID, outbox.Outcome{State: outbox.Sent, Now: now}); err != nil {
				b.Fatal(err)
			}
			left--
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
	})
}

func outboxOf(b *testing.B, s tribune.Store) outbox.Queue {
	q, err := outbox.QueueOf(s)
	if err != nil {
		b.Skip("the store has no outbox")
	}
	return q
}
