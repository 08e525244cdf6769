package render_test

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/microcosm-cc/bluemonday"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/render"
)

// benchComment is a typical 400-byte comment with a link and markup.
const benchComment = `Très bonne synthèse. Je me permets d’ajouter que la question arctique
n’est pas nouvelle : voir https://www.example.org/dossiers/arctique-2025 pour le contexte.

<em>Mais</em> la vraie question reste celle du financement, et <b>l’article 5</b>
ne dit rien des budgets. <script>alert(1)</script> Les Européens devront <a href="https://example.org/x" onclick="x">payer</a>.`

// BenchmarkSanitizeComment runs Tribune's whole comment sanitizing
// beside one pass of bluemonday's UGC policy over the same 400 bytes (the
// yardstick: at most 2× it), in one run.
func BenchmarkSanitizeComment(b *testing.B) {
	ugc := bluemonday.UGCPolicy()
	b.Run("bluemonday-UGC-400B", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(benchComment)))
		for b.Loop() {
			_ = ugc.Sanitize(benchComment)
		}
	})
	hostile := strings.Repeat(`<p onmouseover="x">Texte <a href="javascript:alert(1)">lien</a> <img src=x onerror=y> https://example.org/a </p>`+"\n", 100)
	for _, bc := range []struct {
		name string
		in   string
	}{
		{"400B", benchComment},
		{"10KB", strings.Repeat(benchComment+"\n\n", 25)},
		{"10KB-hostile", hostile[:10*1024]},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.in)))
			for b.Loop() {
				_ = tribune.SanitizeComment(bc.in)
			}
		})
	}
}

// BenchmarkLongBodies validates and sanitizes, as a post does, 65,525-byte
// bodies of the shapes that used to cost quadratic time or that stress
// the parser.
func BenchmarkLongBodies(b *testing.B) {
	fill := func(unit string) string {
		return strings.Repeat(unit, tribune.MaxBodyLen/len(unit))
	}
	atLimit := func(unit string) string {
		s := strings.Repeat(unit, min(tribune.MaxMarkup/strings.Count(unit, "<"), tribune.MaxBodyLen/len(unit)))
		return s + strings.Repeat("mot ", (tribune.MaxBodyLen-len(s))/4)
	}
	for _, bc := range []struct {
		name string
		in   string
	}{
		{"plain", fill("mot ")},
		{"url-then-close-parens", "https://example.org/" + fill(")")[21:]},
		{"open-parens", "https://example.org/" + fill("(")[21:]},
		{"less-than", fill("<")},
		{"nested-tags", fill("<b><i><s>")},
		{"many-urls", fill("https://example.org/a ")},
		{"many-www", fill("www.example.org ")},
		{"blank-lines", fill("a\n\n")},
		{"hostile", fill(`<p onmouseover="x">Texte <a href="javascript:alert(1)">lien</a> <img src=x onerror=y> https://example.org/a </p>` + "\n")},
		{"paragraphs", fill("<p>a</p>")},
		{"links", fill(`<a href="https://example.org/">x</a> `)},
		{"entities", fill("&amp;&lt;")},
		{"emoji", fill("👍🏽 ")},
		// As much markup as a body may hold (tribune.MaxMarkup), then text.
		{"links-at-limit", atLimit(`<a href="https://example.org/">x</a> `)},
		{"hostile-at-limit", atLimit(`<p onmouseover="x">Texte <a href="javascript:alert(1)">lien</a> <img src=x onerror=y> https://example.org/a </p>` + "\n")},
		{"tags-at-limit", atLimit("<b>a</b>")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.in)))
			for b.Loop() {
				_, _ = tribune.NewCommentWithRequired(tribune.CommentInput{Body: bc.in}, nil)
			}
		})
	}
}

// benchThread builds n approved comments, a third of them replies.
func benchThread(n int, articleID uuid.UUID) []tribune.Comment {
	body := tribune.SanitizeComment(benchComment)
	at := time.Date(2026, 2, 12, 10, 0, 0, 0, time.UTC)
	cs := make([]tribune.Comment, n)
	for i := range cs {
		cs[i] = tribune.Comment{
			ID: uuid.New(), ArticleID: articleID, AuthorName: fmt.Sprintf("Lecteur %d", i),
			Email: tribune.StoredEmail("x@example.org"), Body: body, Status: tribune.StatusApproved,
			Created: at.Add(time.Duration(i) * time.Minute), Version: 1,
		}
		if i%3 == 1 {
			cs[i].ParentID = cs[i-1].ID
		}
		if i%4 == 0 {
			cs[i].Website = "https://lecteur.example.org/"
		}
	}
	return cs
}

func BenchmarkRenderThread(b *testing.B) {
	a, err := tribune.NewArticle(tribune.ArticleInput{Title: "Bench"})
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{10, 100, 1000} {
		cs := benchThread(n, a.ID)
		s := render.Section{Article: &a, Comments: cs, Form: render.Form{Action: "/comments/post"}}
		b.Run(fmt.Sprintf("cold/%d", n), func(b *testing.B) {
			r, err := render.New(render.WithCacheBytes(0))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := r.Render(io.Discard, s); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("warm/%d", n), func(b *testing.B) {
			r, err := render.New()
			if err != nil {
				b.Fatal(err)
			}
			if err := r.Render(io.Discard, s); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := r.Render(io.Discard, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
