package tribune_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/htmlcheck"
	"github.com/tribune-go/tribune/render"
)

// Seeds for the fuzz targets live in testdata/fuzz/<Target>; these add a
// few hostile shapes inline.
var fuzzSeeds = []string{
	"Bonjour\n\nhttps://example.org/(x)",
	`<a href="javascript:alert(1)">x</a>`,
	`<img src=x onerror=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<a href="https://x.example/" title="'><script>">x</a>`,
	"<blockquote cite=\"https://a.example\">q\n\nr</blockquote>",
	"<<script>script>alert(1)<</script>/script>",
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	"www.example.org\"onmouseover=alert(1)",
	"<s><code><b><i>jamais fermé",
	"<b><i>croisé</b></i></blockquote></li></ol></div>",
	"<a href=\"https://example.org/\">lien ouvert\n\n<p>paragraphe<blockquote>citation",
}

func FuzzSanitize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := tribune.SanitizeComment(in)
		if err := htmlcheck.Check(out, htmlcheck.Options{}); err != nil {
			t.Fatalf("unsafe output for %q: %v\n%s", in, err, out)
		}
		if err := htmlcheck.Contained(out); err != nil {
			t.Fatalf("markup escapes its comment for %q: %v\n%s", in, err, out)
		}
		if again := tribune.SanitizeComment(in); again != out {
			t.Fatalf("not deterministic for %q", in)
		}
		// The policy runs once: what follows it adds nothing it would
		// take away, so the output is already what the policy leaves.
		if again := tribune.SanitizeCommentHTML(out); again != out {
			t.Fatalf("the policy would change the output of %q:\n%s\n%s", in, out, again)
		}
	})
}

func FuzzValidate(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "canary.7f3a@example.org", s, s)
	}
	f.Add("Ana", "ana@example.org", "example.org", "texte")
	f.Fuzz(func(t *testing.T, name, email, website, body string) {
		c, err := tribune.NewComment(tribune.CommentInput{Name: name, Email: email, Website: website, Body: body})
		if err != nil {
			msg := err.Error()
			for _, typed := range []string{name, email, website, body} {
				if len(typed) > 6 && strings.Contains(msg, typed) {
					t.Fatalf("error %q echoes input %q", msg, typed)
				}
			}
			return
		}
		if len(c.AuthorName) > tribune.MaxNameLen || len(c.Email.Address()) > tribune.MaxEmailLen ||
			len(c.Website) > tribune.MaxWebsiteLen || c.Body == "" {
			t.Fatalf("accepted out-of-limit comment %+v", c)
		}
		if c.Website != "" && !strings.HasPrefix(c.Website, "http://") && !strings.HasPrefix(c.Website, "https://") {
			t.Fatalf("accepted website %q", c.Website)
		}
		if err := htmlcheck.Check(c.Body, htmlcheck.Options{}); err != nil {
			t.Fatalf("unsafe body: %v", err)
		}
	})
}

func FuzzRender(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, s, s)
	}
	r, err := render.New(render.WithCacheBytes(0))
	if err != nil {
		f.Fatal(err)
	}
	a, err := tribune.NewArticle(tribune.ArticleInput{Title: "Fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	const canary = "canary.7f3a@example.org"
	f.Fuzz(func(t *testing.T, name, website, body string) {
		c, err := tribune.NewComment(tribune.CommentInput{ArticleID: a.ID, Name: name, Email: canary, Website: website, Body: body})
		if err != nil {
			c, err = tribune.NewComment(tribune.CommentInput{ArticleID: a.ID, Name: "Ana", Email: canary, Body: "x"})
			if err != nil {
				t.Fatal(err)
			}
		}
		c.Status = tribune.StatusApproved
		reply := c
		reply.ID, reply.ParentID = uuid.New(), c.ID
		var b bytes.Buffer
		err = r.Render(&b, render.Section{Article: &a, Comments: []tribune.Comment{c, reply},
			Form: render.Form{Action: "/post", ReplyTo: &c, Values: render.FormValues{Name: name, Website: website, Body: body}}})
		if err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if strings.Contains(out, canary) {
			t.Fatal("email rendered")
		}
		if err := htmlcheck.Check(out, htmlcheck.Options{AllowRelative: true, AllowElements: []string{"form", "meta"}}); err != nil {
			t.Fatalf("unsafe page for %q/%q/%q: %v", name, website, body, err)
		}
	})
}
