package render_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/articletext"
	"github.com/tribune-go/tribune/internal/htmlcheck"
	"github.com/tribune-go/tribune/render"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -run %s -update to create it", t.Name())
	assert.Equal(t, string(want), got, "golden %s differs; if the change is intended, run with -update", name)
}

var paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.FixedZone("CET", 3600)
	}
	return loc
}()

// seedArticle is the seed news article, as the blog example stores it.
func seedArticle(t testing.TB) tribune.Article {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "examples", "blog", "seed", "nato-article.fr.txt"))
	require.NoError(t, err)
	text, _, _ := strings.Cut(string(raw), "Laisser un commentaire")
	in := articletext.Article(text, "fr")
	in.Published = time.Date(2026, 2, 12, 9, 30, 0, 0, paris)
	a, err := tribune.NewArticle(in)
	require.NoError(t, err)
	a.ID = uuid.MustParse("6f1c0a52-3a43-4f7e-9b5e-1d2c3b4a5f60")
	return a
}

func fixedComment(id, parent, name, website, body string, status tribune.Status, at time.Time) tribune.Comment {
	c, err := tribune.NewComment(tribune.CommentInput{Name: name, Email: "canary.7f3a@example.org", Website: website, Body: body})
	if err != nil {
		panic(err)
	}
	c.ID = uuid.MustParse(id)
	if parent != "" {
		c.ParentID = uuid.MustParse(parent)
	}
	c.Status = status
	c.Created = at.UTC()
	return c
}

func smallThread(a tribune.Article) []tribune.Comment {
	at := time.Date(2026, 2, 12, 14, 5, 0, 0, paris)
	cs := []tribune.Comment{
		fixedComment("00000000-0000-4000-8000-000000000001", "", "Claire", "",
			"Article clair, merci.\n\nL’article 5 reste la clé : https://www.nato.int/", tribune.StatusApproved, at),
		fixedComment("00000000-0000-4000-8000-000000000002", "00000000-0000-4000-8000-000000000001", "Marc <b>", "marc.example.fr",
			"D’accord <script>alert(1)</script>avec <em>vous</em>.", tribune.StatusApproved, at.Add(50*time.Minute)),
		fixedComment("00000000-0000-4000-8000-000000000003", "", "Léa", "",
			"Et l’Arctique ?", tribune.StatusPending, at.Add(2*time.Hour)),
	}
	for i := range cs {
		cs[i].ArticleID = a.ID
	}
	return cs
}

func newRenderer(t testing.TB, opts ...render.Option) *render.Renderer {
	t.Helper()
	r, err := render.New(append([]render.Option{render.WithLocation(paris)}, opts...)...)
	require.NoError(t, err)
	return r
}

func TestGoldenSeedPage(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	a := seedArticle(t)
	var b bytes.Buffer
	require.NoError(t, r.RenderArticle(&b, &a, ""))
	b.WriteString("\n")
	require.NoError(t, r.Render(&b, render.Section{
		Article:  &a,
		Comments: smallThread(a),
		Form:     render.Form{Action: "/comments/post", Hidden: []render.HiddenField{{Name: "article", Value: a.ID.String()}}},
	}))
	out := b.String()
	golden(t, "seed-page.fr.html", out)

	assert.Contains(t, out, "<h1 itemprop=\"headline\">Réunion des ministres de la Défense de l’OTAN à Bruxelles\u00a0: vers une OTAN plus autonome\u202f?</h1>")
	assert.Contains(t, out, "<h2>L’OTAN peut-elle se passer des États-Unis\u202f?</h2>")
	assert.Equal(t, 2, strings.Count(out, "<ul>"), "two bulleted lists")
	assert.Contains(t, out, "12 février 2026")
	assert.Contains(t, out, "12 février 2026 à 14 h 05")
	assert.Contains(t, out, ">2 commentaires</h2>", "the pending comment is not counted")
	assert.Contains(t, out, "Votre commentaire est en attente de modération.")
	assert.Contains(t, out, "Laisser un commentaire")
	assert.Contains(t, out, "Votre adresse e-mail ne sera pas publiée.")
	assert.Contains(t, out, `Les champs obligatoires sont indiqués avec <span class="required" aria-hidden="true">*</span>`)
	assert.Contains(t, out, `href="http://marc.example.fr" rel="nofollow ugc external"`)
	assert.Contains(t, out, `Marc &lt;b&gt;`)
	assert.NotContains(t, out, "canary", "the email is never rendered")
	assert.NotContains(t, out, "<script")
	assert.NotContains(t, out, "style=")
	require.NoError(t, htmlcheck.Check(out, htmlcheck.Options{AllowRelative: true, AllowElements: []string{"form", "meta"}}))

	// Comment order: the form follows WordPress: comment, name, email, website.
	iComment := strings.Index(out, `<textarea id="comment"`)
	iName := strings.Index(out, `<input id="author"`)
	iEmail := strings.Index(out, `<input id="email"`)
	iURL := strings.Index(out, `<input id="url"`)
	assert.True(t, iComment < iName && iName < iEmail && iEmail < iURL, "field order")
	assert.Contains(t, out, `aria-describedby="email-notes"`)
}

func TestGoldenFormWithErrors(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	a := seedArticle(t)
	in := tribune.CommentInput{ArticleID: a.ID, Name: "", Email: "pas-une-adresse", Website: "javascript:alert(1)", Body: "Mon <b>long</b> texte\ntapé avec soin"}
	_, err := tribune.NewComment(in)
	var ve *tribune.ValidationError
	require.ErrorAs(t, err, &ve)
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, r.Render(&b, render.Section{
				Article: &a,
				Lang:    lang,
				Form: render.Form{Action: "/comments/post", Errors: ve,
					Values: render.FormValues{Name: in.Name, Email: in.Email, Website: in.Website, Body: in.Body, Remember: true}},
			}))
			out := b.String()
			golden(t, "form-errors."+lang+".html", out)
			assert.Contains(t, out, `role="alert"`)
			assert.Contains(t, out, `aria-describedby="email-notes email-error"`)
			assert.Contains(t, out, `aria-invalid="true"`)
			assert.Contains(t, out, `value="pas-une-adresse"`, "typed values are kept")
			assert.Contains(t, out, "Mon &lt;b&gt;long&lt;/b&gt; texte\ntapé avec soin</textarea>")
			assert.Contains(t, out, `value="javascript:alert(1)"`, "kept as an attribute value, escaped, never as a link")
			assert.NotContains(t, out, `href="javascript`)
		})
	}
}

func TestRenderReplyForm(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	a := seedArticle(t)
	thread := smallThread(a)
	for _, tc := range []struct{ lang, title, cancel string }{
		{"fr", "Répondre à Claire", "Annuler la réponse"},
		{"en", "Reply to Claire", "Cancel reply"},
	} {
		html, err := r.RenderHTML(render.Section{Article: &a, Comments: thread, Lang: tc.lang,
			Form: render.Form{Action: "/post", PageURL: "/articles/x", ReplyTo: &thread[0]}})
		require.NoError(t, err)
		assert.Contains(t, string(html), tc.title)
		assert.Contains(t, string(html), `href="/articles/x#respond">`+tc.cancel)
		assert.Contains(t, string(html), `name="comment_parent" id="comment_parent" value="00000000-0000-4000-8000-000000000001"`)
	}
}

func TestRenderNesting(t *testing.T) {
	t.Parallel()
	r := newRenderer(t, render.WithMaxDepth(2))
	a := seedArticle(t)
	at := time.Date(2026, 2, 12, 10, 0, 0, 0, time.UTC)
	cs := []tribune.Comment{
		fixedComment("00000000-0000-4000-8000-000000000013", "00000000-0000-4000-8000-000000000012", "C", "", "c", tribune.StatusApproved, at.Add(2*time.Minute)),
		fixedComment("00000000-0000-4000-8000-000000000011", "", "A", "", "a", tribune.StatusApproved, at),
		fixedComment("00000000-0000-4000-8000-000000000012", "00000000-0000-4000-8000-000000000011", "B", "", "b", tribune.StatusApproved, at.Add(time.Minute)),
		fixedComment("00000000-0000-4000-8000-000000000014", "00000000-0000-4000-8000-0000000000ff", "Orphan", "", "o", tribune.StatusApproved, at.Add(3*time.Minute)),
	}
	html, err := r.RenderHTML(render.Section{Article: &a, Comments: cs, Form: render.Form{Action: "/post"}})
	require.NoError(t, err)
	out := string(html)
	iA, iB, iC, iO := strings.Index(out, "comment-00000000-0000-4000-8000-000000000011"), strings.Index(out, "comment-00000000-0000-4000-8000-000000000012"),
		strings.Index(out, "comment-00000000-0000-4000-8000-000000000013"), strings.Index(out, "comment-00000000-0000-4000-8000-000000000014")
	assert.True(t, iA < iB && iB < iC && iC < iO, "thread order")
	assert.Equal(t, 2, strings.Count(out, `<ol class="tribune-children">`))
	assert.Equal(t, 2, strings.Count(out, "?replytocom="), "depth 1 comments (A, orphan) can be answered; B at the limit cannot")
	assert.Contains(t, out, ">4 commentaires<")
}

func TestRenderNeverShowsSpamOrTrash(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	a := seedArticle(t)
	cs := smallThread(a)
	cs[0].Status = tribune.StatusSpam
	cs[2].Status = tribune.StatusTrash
	html, err := r.RenderHTML(render.Section{Article: &a, Comments: cs})
	require.NoError(t, err)
	assert.NotContains(t, string(html), "Article clair")
	assert.NotContains(t, string(html), "Et l’Arctique")
	assert.Contains(t, string(html), "D’accord", "the reply to a spam comment moves up")
	assert.Contains(t, string(html), ">1 commentaire<")
}

func TestRenderClosedAndCounts(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	a := seedArticle(t)
	a.CommentsClosed = true
	html, err := r.RenderHTML(render.Section{Article: &a, Form: render.Form{Action: "/post"}})
	require.NoError(t, err)
	assert.Contains(t, string(html), "Les commentaires sont fermés.")
	assert.NotContains(t, string(html), "<form")
	assert.Contains(t, string(html), "Aucun commentaire")

	for _, tc := range []struct {
		n          int
		lang, want string
	}{
		{0, "fr", "Aucun commentaire"}, {1, "fr", "1 commentaire"}, {3, "fr", "3 commentaires"},
		{1234, "fr", "1\u202f234 commentaires"},
		{0, "en", "No comments"}, {1, "en", "1 comment"}, {3, "en", "3 comments"}, {1234, "en", "1,234 comments"},
	} {
		h, err := r.CountHTML(tc.n, tc.lang)
		require.NoError(t, err)
		assert.Equal(t, `<span class="tribune-count">`+tc.want+`</span>`, string(h))
	}
}

func TestRenderCacheFollowsVersion(t *testing.T) {
	t.Parallel()
	r := newRenderer(t)
	a := seedArticle(t)
	cs := smallThread(a)
	first, err := r.RenderHTML(render.Section{Article: &a, Comments: cs})
	require.NoError(t, err)
	again, err := r.RenderHTML(render.Section{Article: &a, Comments: cs})
	require.NoError(t, err)
	assert.Equal(t, first, again, "warm equals cold")

	cs[0].Body = tribune.SanitizeComment("texte modifié")
	cs[0].Version++
	cs[2].Status = tribune.StatusApproved
	cs[2].Version++
	edited, err := r.RenderHTML(render.Section{Article: &a, Comments: cs})
	require.NoError(t, err)
	assert.Contains(t, string(edited), "texte modifié")
	assert.NotContains(t, string(edited), "en attente de modération")
}

func TestHostTemplates(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{"count.tmpl": {Data: []byte(`{{define "count"}}<b class="n">{{.}}</b>{{end}}`)}}
	r := newRenderer(t, render.WithTemplates(fsys))
	h, err := r.CountHTML(2, "en")
	require.NoError(t, err)
	assert.Equal(t, `<b class="n">2 comments</b>`, string(h))

	_, err = render.New(render.WithTemplates(fstest.MapFS{"bad.tmpl": {Data: []byte(`{{define "count"}}{{.Nope`)}}))
	assert.Error(t, err)
}

// TestEachTemplateOverridden redefines each template from a host fs.FS,
// using the fields of its view type, and checks that the host's version is
// the one used and the others stay built in.
func TestEachTemplateOverridden(t *testing.T) {
	t.Parallel()
	a := &tribune.Article{ID: uuid.New(), Slug: "s", Title: "Titre", Lang: "fr", Author: "Rédaction", Body: "<p>Corps</p>",
		Published: time.Date(2026, 2, 12, 9, 0, 0, 0, time.UTC)}
	parent := tribune.Comment{ID: uuid.New(), ArticleID: a.ID, AuthorName: "Ana", Website: "https://ana.example/", Body: "<p>Premier</p>",
		Status: tribune.StatusApproved, Version: 1, Created: time.Date(2026, 2, 12, 10, 0, 0, 0, time.UTC)}
	reply := tribune.Comment{ID: uuid.New(), ArticleID: a.ID, ParentID: parent.ID, Body: "<p>Réponse</p>",
		Status: tribune.StatusApproved, Version: 1, Created: time.Date(2026, 2, 12, 11, 0, 0, 0, time.UTC)}
	section := render.Section{Article: a, Comments: []tribune.Comment{parent, reply}, Form: render.Form{Action: "/post"}}
	for _, tc := range []struct {
		name, tmpl string
		want       []string
		render     func(r *render.Renderer) (string, error)
	}{
		{"article", `{{define "article"}}<h1 class="host">{{.Title}} par {{.Author}}, {{.Date}}</h1>{{.Body}}{{end}}`,
			[]string{`<h1 class="host">Titre par Rédaction, 12 février 2026</h1><p>Corps</p>`},
			func(r *render.Renderer) (string, error) { h, err := r.ArticleHTML(a, "fr"); return string(h), err }},
		{"comment", `{{define "comment"}}<li id="{{.Anchor}}" class="host" data-depth="{{.Depth}}"><b>{{.Author}}</b> <a href="{{.Website}}">site</a> <time datetime="{{.ISOTime}}">{{.Date}}</time>{{.Body}}{{with .ReplyURL}}<a href="{{.}}">répondre</a>{{end}}{{end}}`,
			[]string{`data-depth="1"><b>Ana</b> <a href="https://ana.example/">site</a> <time datetime="2026-02-12T10:00:00Z">12 février 2026 à 10 h 00</time><p>Premier</p><a href="?replytocom=` + parent.ID.String() + `#respond">répondre</a>`,
				`data-depth="2"><b>Anonyme</b>`},
			func(r *render.Renderer) (string, error) { h, err := r.RenderHTML(section); return string(h), err }},
		{"section-open", `{{define "section-open"}}<section class="host-section">{{.CountText}}{{end}}`,
			[]string{`<section class="host-section">2 commentaires`},
			func(r *render.Renderer) (string, error) { h, err := r.RenderHTML(section); return string(h), err }},
		{"thread-end", `{{define "thread-end"}}</ol><p class="host-end">{{.Count}}</p>{{end}}`,
			[]string{`</ol><p class="host-end">2</p>`},
			func(r *render.Renderer) (string, error) { h, err := r.RenderHTML(section); return string(h), err }},
		{"section-close", `{{define "section-close"}}<div class="host-close">{{template "form" .Form}}</div></section>{{end}}`,
			[]string{`<div class="host-close">`, `<form action="/post"`},
			func(r *render.Renderer) (string, error) { h, err := r.RenderHTML(section); return string(h), err }},
		{"form", `{{define "form"}}<form class="host-form" action="{{.Action}}">{{.Comment.Label}}{{range .Inputs}}[{{.Name}}]{{end}}</form>{{end}}`,
			[]string{`<form class="host-form" action="/post">Commentaire[author][email][url]</form>`},
			func(r *render.Renderer) (string, error) { h, err := r.RenderHTML(section); return string(h), err }},
		{"replies-open", `{{define "replies-open"}}<div class="host-replies" data-depth="{{.Depth}}">{{end}}`,
			[]string{`<div class="host-replies" data-depth="2">`},
			func(r *render.Renderer) (string, error) { h, err := r.RenderHTML(section); return string(h), err }},
		{"replies-close", `{{define "replies-close"}}</div><i data-closed="{{.Depth}}"></i>{{end}}`,
			[]string{`</div><i data-closed="2"></i>`},
			func(r *render.Renderer) (string, error) { h, err := r.RenderHTML(section); return string(h), err }},
		{"comment-end", `{{define "comment-end"}}<i data-end="{{.Depth}}"></i></li>{{end}}`,
			[]string{`<i data-end="2"></i></li>`, `<i data-end="1"></i></li>`},
			func(r *render.Renderer) (string, error) { h, err := r.RenderHTML(section); return string(h), err }},
		{"pages", `{{define "pages"}}<p class="host-pages">{{.Label}}{{range .Numbers}} {{.Number}}{{end}}</p>{{end}}`,
			[]string{`<p class="host-pages">Pages de commentaires 1 2</p>`},
			func(r *render.Renderer) (string, error) {
				s := section
				s.Pages = &render.Pagination{Current: 1, Total: 2, Count: 2, URL: func(n int) string { return "?cpage=" + fmt.Sprint(n) }}
				h, err := r.RenderHTML(s)
				return string(h), err
			}},
		{"count", `{{define "count"}}<em class="host-count">{{.}}</em>{{end}}`,
			[]string{`<em class="host-count">3 commentaires</em>`},
			func(r *render.Renderer) (string, error) { h, err := r.CountHTML(3, "fr"); return string(h), err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := render.New(render.WithTemplates(fstest.MapFS{tc.name + ".tmpl": {Data: []byte(tc.tmpl)}}))
			require.NoError(t, err)
			got, err := tc.render(r)
			require.NoError(t, err)
			for _, w := range tc.want {
				assert.Contains(t, got, w)
			}
		})
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	a := &tribune.Article{ID: uuid.New(), Slug: "s", Title: "Titre", Lang: "fr", Published: time.Date(2026, 2, 12, 9, 0, 0, 0, time.UTC)}
	old := tribune.Comment{ID: uuid.New(), ArticleID: a.ID, AuthorName: "Ana", Body: "<p>ancien</p>", Status: tribune.StatusApproved, Version: 1,
		Created: time.Date(2026, 2, 12, 10, 0, 0, 0, time.UTC)}
	recent := old
	recent.ID, recent.Body, recent.Created = uuid.New(), "<p>récent</p>", old.Created.Add(time.Hour)
	url := func(n int) string { return fmt.Sprintf("/a?cpage=%d#comments", n) }
	r := newRenderer(t)
	for _, tc := range []struct {
		name        string
		p           render.Pagination
		newestFirst bool
		want, not   []string
	}{
		{"middle page, oldest first", render.Pagination{Current: 5, Total: 12, Count: 600, URL: url}, false,
			[]string{`<h2 class="tribune-count" id="comments-title">600 commentaires</h2>`, `<nav class="tribune-pages" aria-label="Pages de commentaires" data-more="Plus de commentaires">`,
				`<a class="tribune-pages-prev" rel="prev" href="/a?cpage=4#comments">Commentaires précédents</a>`,
				`<a class="tribune-pages-next" rel="next" href="/a?cpage=6#comments">Commentaires suivants</a>`,
				`<span class="tribune-pages-current" aria-current="page" aria-label="Page 5">5</span>`,
				`href="/a?cpage=1#comments" aria-label="Page 1">1</a>`, `href="/a?cpage=12#comments" aria-label="Page 12">12</a>`,
				`href="/a?cpage=3#comments"`, `href="/a?cpage=7#comments"`, `<span class="tribune-pages-gap" aria-hidden="true">…</span>`},
			[]string{`cpage=2#`, `cpage=8#`}},
		{"first page, newest first: the next page holds older comments", render.Pagination{Current: 1, Total: 2, Count: 60, NewestFirst: true, URL: url}, true,
			[]string{`<a class="tribune-pages-next" rel="next" href="/a?cpage=2#comments">Commentaires précédents</a>`},
			[]string{`rel="prev"`, `tribune-pages-gap`}},
		{"one page: no navigation", render.Pagination{Current: 1, Total: 1, Count: 2, URL: url}, false, nil, []string{`tribune-pages`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p
			h, err := r.RenderHTML(render.Section{Article: a, Comments: []tribune.Comment{recent, old}, Pages: &p, NewestFirst: tc.newestFirst})
			require.NoError(t, err)
			got := string(h)
			for _, w := range tc.want {
				assert.Contains(t, got, w)
			}
			for _, w := range tc.not {
				assert.NotContains(t, got, w)
			}
			first, second := strings.Index(got, "ancien"), strings.Index(got, "récent")
			assert.Equal(t, tc.newestFirst, second < first, "order of top-level comments")
		})
	}
}
