package tribune_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/htmlcheck"
)

func TestSanitizeComment(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "Bonjour", "<p>Bonjour</p>\n"},
		{"line break", "ligne 1\nligne 2", "<p>ligne 1<br>\nligne 2</p>\n"},
		{"paragraphs", "un\n\n\ndeux", "<p>un</p>\n<p>deux</p>\n"},
		{"crlf", "un\r\n\r\ndeux", "<p>un</p>\n<p>deux</p>\n"},
		{"allowed inline", "<strong>fort</strong> <em>em</em> <code>x</code> <del datetime=\"2026-02-12\">old</del>",
			"<p><strong>fort</strong> <em>em</em> <code>x</code> <del datetime=\"2026-02-12\">old</del></p>\n"},
		{"link gets rel", `<a href="https://example.org/" title="t">x</a>`,
			`<p><a href="https://example.org/" title="t" rel="nofollow ugc">x</a></p>` + "\n"},
		{"visitor rel dropped", `<a href="https://example.org/" rel="dofollow" target="_blank">x</a>`,
			`<p><a href="https://example.org/" rel="nofollow ugc">x</a></p>` + "\n"},
		{"mailto", `<a href="mailto:a@example.org">m</a>`, `<p><a href="mailto:a@example.org" rel="nofollow ugc">m</a></p>` + "\n"},
		{"script stripped text kept", "avant<script>alert(1)</script>après", "<p>avantaprès</p>\n"},
		{"unknown tag text kept", "<div><span>texte</span></div>", "<p>texte</p>\n"},
		{"javascript link", `<a href="javascript:alert(1)">x</a>`, "<p>x</p>\n"},
		{"data link", `<a href="data:text/html,x">x</a>`, "<p>x</p>\n"},
		{"event handler", `<b onclick="alert(1)">x</b>`, "<p><b>x</b></p>\n"},
		{"img dropped", `<img src=x onerror=alert(1)>texte`, "<p>texte</p>\n"},
		{"style dropped", `<i style="color:red">x</i>`, "<p><i>x</i></p>\n"},
		{"bare url", "voir https://example.org/a?b=1&c=2.", `<p>voir <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc">https://example.org/a?b=1&amp;c=2</a>.</p>` + "\n"},
		{"www url", "www.example.org", `<p><a href="http://www.example.org" rel="nofollow ugc">www.example.org</a></p>` + "\n"},
		{"url in parens", "(https://example.org/wiki/A_(b))", `<p>(<a href="https://example.org/wiki/A_(b)" rel="nofollow ugc">https://example.org/wiki/A_(b)</a>)</p>` + "\n"},
		{"url in quotes", `voir "https://example.org/a" ici`, `<p>voir &#34;<a href="https://example.org/a" rel="nofollow ugc">https://example.org/a</a>&#34; ici</p>` + "\n"},
		{"url before a tag", "https://example.org/a<b>x</b>", `<p><a href="https://example.org/a" rel="nofollow ugc">https://example.org/a</a><b>x</b></p>` + "\n"},
		{"url before an escaped <", "https://example.org/a &lt; https://example.org/b&lt;c", `<p><a href="https://example.org/a" rel="nofollow ugc">https://example.org/a</a> &lt; <a href="https://example.org/b" rel="nofollow ugc">https://example.org/b</a>&lt;c</p>` + "\n"},
		{"url with apostrophe after", "(voir https://example.org/b'ok)", `<p>(voir <a href="https://example.org/b" rel="nofollow ugc">https://example.org/b</a>&#39;ok)</p>` + "\n"},
		{"url in code kept", "<code>https://example.org</code>", "<p><code>https://example.org</code></p>\n"},
		{"url inside link kept", `<a href="https://a.example/">https://b.example/</a>`, `<p><a href="https://a.example/" rel="nofollow ugc">https://b.example/</a></p>` + "\n"},
		{"blockquote paragraphs", "<blockquote>un\n\ndeux</blockquote>\nfin", "<blockquote>\n<p>un</p>\n<p>deux</p>\n</blockquote>\n<p>fin</p>\n"},
		{"blockquote cite checked", `<blockquote cite="javascript:x">q</blockquote>`, "<blockquote>\n<p>q</p>\n</blockquote>\n"},
		{"entities kept escaped", "1 &lt; 2 & 3 > 2", "<p>1 &lt; 2 &amp; 3 &gt; 2</p>\n"},
		{"html in attributes", `<a href="https://x.example/" title="&quot;><script>">x</a>`, `<p><a href="https://x.example/" title="&#34;&gt;&lt;script&gt;" rel="nofollow ugc">x</a></p>` + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tribune.SanitizeComment(tc.in)
			assert.Equal(t, tc.want, got)
			require.NoError(t, htmlcheck.Check(got, htmlcheck.Options{}))
		})
	}
}

func TestSanitizeConcurrent(t *testing.T) {
	t.Parallel()
	in := `<a href="https://example.org/" onclick="x">lien</a> https://example.org <script>x</script>`
	want := tribune.SanitizeComment(in)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				if got := tribune.SanitizeComment(in); got != want {
					t.Errorf("concurrent sanitize differs: %q", got)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestLinkCount(t *testing.T) {
	t.Parallel()
	body := tribune.SanitizeComment(`voir https://a.example et <a href="https://b.example">b</a> et <a href="javascript:x">c</a>`)
	assert.Equal(t, 2, tribune.LinkCount(body))
}

func TestSanitizeArticle(t *testing.T) {
	t.Parallel()
	in := `<h2>Titre</h2><p onclick="x">Texte <a href="/interne">lien</a></p><figure><img src="https://img.example/a.jpg" alt="a" onerror="x"><figcaption>c</figcaption></figure>` +
		`<img src="javascript:alert(1)"><table><tr><td colspan="2">x</td></tr></table><script>alert(1)</script><iframe src="https://x"></iframe>`
	got := tribune.SanitizeArticle(in)
	assert.Contains(t, got, "<h2>Titre</h2>")
	assert.Contains(t, got, `<a href="/interne">lien</a>`)
	assert.Contains(t, got, `<img src="https://img.example/a.jpg" alt="a">`)
	assert.Contains(t, got, `<td colspan="2">`)
	assert.NotContains(t, got, "javascript")
	assert.NotContains(t, got, "script")
	assert.NotContains(t, got, "iframe")
	require.NoError(t, htmlcheck.Check(got, htmlcheck.Options{AllowRelative: true, AllowElements: []string{"img"}}))
}

// TestMarkupStaysInsideItsComment: every shape of unbalanced markup comes
// out balanced, and a browser's parse of it leaves what follows the
// comment alone.
func TestMarkupStaysInsideItsComment(t *testing.T) {
	t.Parallel()
	deep := strings.Repeat("<b>", 40) + "profond" + strings.Repeat("</b>", 40)
	for _, tc := range []struct{ name, in, want string }{
		{"unclosed inline tags", "<s><code><b><i>jamais fermé", "<p><s><code><b><i>jamais fermé</i></b></code></s></p>\n"},
		{"unclosed link", `<a href="https://example.org/">lien`, `<p><a href="https://example.org/" rel="nofollow ugc">lien</a></p>` + "\n"},
		{"stray end tags", "texte</b></div></li></ol></section>", "<p>texte</p>\n"},
		{"crossed tags", "<b><i>croisé</b> après</i>", "<p><b><i>croisé</i></b> après</p>\n"},
		{"paragraph in a paragraph", "<p>un<p>deux", "<p></p><p>un</p><p>deux</p>\n"},
		{"unclosed quote", "<blockquote>cité\n\nsuite", "<blockquote>\n<p>cité</p>\n<p>suite</p>\n</blockquote>"},
		{"nesting past the limit", deep, "<p>" + strings.Repeat("<b>", 31) + "profond" + strings.Repeat("</b>", 31) + "</p>\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := tribune.SanitizeComment(tc.in)
			assert.Equal(t, tc.want, got)
			require.NoError(t, htmlcheck.Contained(got))
		})
	}
}

// TestSanitizeLongBodiesAreLinear: a 65,525-byte run of ")" after a URL
// used to cost 65 times what plain text of the same size costs (a
// quadratic trim of trailing punctuation, 0.25 s). The test compares the
// two in the same process, best of three, with a wide margin: a ratio,
// not a time, so a slow or loaded machine does not change the verdict.
// The figures themselves come from BenchmarkLongBodies.
func TestSanitizeLongBodiesAreLinear(t *testing.T) {
	parens := "https://example.org/" + strings.Repeat(")", tribune.MaxBodyLen-20)
	plain := strings.Repeat("x", tribune.MaxBodyLen)
	assert.Contains(t, tribune.SanitizeComment(parens), `<a href="https://example.org/"`)
	best := func(s string) time.Duration {
		b := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			tribune.SanitizeComment(s)
			b = min(b, time.Since(start))
		}
		return b
	}
	p, x := best(parens), best(plain)
	assert.Less(t, p, 15*x, "a run of parentheses took %s, plain text %s", p, x)
}

func FuzzSanitizeCommentHTMLKeepsStoredBodies(f *testing.F) {
	for _, s := range []string{"a\nb\n\nc", "<p>x</p><p>y</p>", "https://x.org/é et <a href=\"https://y.org\">y</a>",
		"<blockquote>q\n\nr</blockquote>", "x < y & z", "<s>open", "<ul><li>a</li></ul>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		body := tribune.SanitizeComment(in)
		if again := tribune.SanitizeCommentHTML(body); again != body {
			t.Fatalf("input %q: stored %q, sanitized again %q", in, body, again)
		}
		out := tribune.SanitizeCommentHTML(in)
		if strings.Contains(strings.ToLower(out), "<script") || strings.Contains(strings.ToLower(out), "javascript:") {
			t.Fatalf("input %q: %q", in, out)
		}
	})
}
