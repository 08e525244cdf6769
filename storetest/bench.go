package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
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
		b.ReportAllocs()
		for b.Loop() {
			counts, err := tribune.CountApproved(b.Context(), s, ids)
			if err != nil || counts[ids[0]] != 20 {
				b.Fatal(counts[ids[0]], err)
			}
		}
	})
}
