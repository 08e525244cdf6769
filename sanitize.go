package tribune

import (
	"html"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
)

// The policies are built once and shared: a bluemonday Policy is safe for
// concurrent use once it is no longer modified.
var (
	commentPolicy = newCommentPolicy()
	articlePolicy = newArticlePolicy()
)

// newCommentPolicy allows the tags WordPress allows in comments, plus the
// paragraphs and line breaks that autop adds. Everything else is stripped
// with its text kept. URLs must parse and be http, https or mailto.
func newCommentPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.RequireParseableURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowAttrs("href", "title").OnElements("a")
	p.AllowAttrs("title").OnElements("abbr", "acronym")
	p.AllowAttrs("cite").OnElements("blockquote", "q")
	p.AllowAttrs("datetime").Matching(regexp.MustCompile(`^[0-9T:+\-.Z ]{4,35}$`)).OnElements("del")
	p.AllowElements("a", "abbr", "acronym", "b", "blockquote", "cite", "code", "del",
		"em", "i", "q", "s", "strike", "strong", "p", "br")
	// Visitors' own rel never passes; bluemonday sets rel="nofollow" on
	// every link and addUGC adds "ugc", which bluemonday has no switch for.
	p.RequireNoFollowOnLinks(true)
	return p
}

// newArticlePolicy allows what an article body needs: headings, paragraphs,
// lists, quotes, figures with http(s) images, tables and links.
func newArticlePolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(true)
	p.AllowURLSchemes("http", "https", "mailto")
	p.AllowElements("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr",
		"ul", "ol", "li", "dl", "dt", "dd", "blockquote", "figure", "figcaption",
		"em", "strong", "b", "i", "u", "s", "sub", "sup", "small", "mark",
		"code", "pre", "abbr", "cite", "q", "kbd",
		"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td")
	p.AllowAttrs("href", "title").OnElements("a")
	p.AllowAttrs("cite").OnElements("blockquote", "q")
	p.AllowAttrs("title").OnElements("abbr")
	p.AllowAttrs("colspan", "rowspan").Matching(bluemonday.Integer).OnElements("td", "th")
	p.AllowAttrs("scope").Matching(regexp.MustCompile(`^(row|col|rowgroup|colgroup)$`)).OnElements("th")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("src").Matching(regexp.MustCompile(`^(?i)(https?:)?//|^/`)).OnElements("img")
	p.AllowAttrs("alt", "title").OnElements("img")
	p.AllowAttrs("width", "height").Matching(bluemonday.Integer).OnElements("img")
	p.AllowAttrs("datetime").Matching(regexp.MustCompile(`^[0-9T:+\-.Z ]{4,35}$`)).OnElements("time")
	p.AllowElements("time", "a", "img")
	return p
}

// sanitizeArticle returns author HTML made safe with the article policy.
func sanitizeArticle(s string) string { return articlePolicy.Sanitize(s) }

// SanitizeComment turns what a visitor typed into the HTML stored as a
// comment's body: the comment policy strips everything but the allowed
// tags and URL schemes, bare URLs become links, blank lines become
// paragraphs and single newlines line breaks (WordPress's autop), every
// element opened is closed, and every link gets rel="nofollow ugc". The
// result is safe to place in a page as is and stays inside its own
// element. The comment policy (bluemonday) runs once, on what the
// visitor sent; what follows only adds markup of its own to that output
// (links whose address was parsed and is http or https, escaped;
// paragraphs and line breaks; end tags) and never turns its text into
// markup.
func SanitizeComment(s string) string {
	out, _ := sanitizeComment(s, -1)
	return out
}

// SanitizeCommentHTML makes safe a comment body that is already HTML laid
// out in paragraphs, as imports bring them (Disqus, Remark42, Commento,
// Tribune's own JSON): the comment policy and the balancing of
// [SanitizeComment], without the paragraphs and links it adds to typed
// text. A body SanitizeComment made comes back unchanged.
func SanitizeCommentHTML(s string) string {
	return addUGC(balance(commentPolicy.Sanitize(normalizeNewlines(s))))
}

// sanitizeComment is SanitizeComment that gives up, returning false, as
// soon as the body is longer than limit bytes (-1 for no limit): the
// steps after the first pass only add markup, so a body already too long
// to store is refused without paying for the rest.
func sanitizeComment(s string, limit int) (string, bool) {
	laidOut := autop(linkify(commentPolicy.Sanitize(normalizeNewlines(s))))
	if limit >= 0 && len(laidOut) > limit {
		return "", false
	}
	out := addUGC(balance(laidOut))
	return out, limit < 0 || len(out) <= limit
}

// maxNesting bounds how deeply elements nest in a comment: deeper opening
// tags are dropped with their end tags, their text kept.
const maxNesting = 32

// balance closes every element left open and drops stray end tags, as
// WordPress's force_balance_tags does, so that no markup of a comment
// reaches past it into the page (an unclosed <s> no longer strikes
// through every later comment). It reads what the comment policy wrote
// and what linkify and autop added to it, where every '<' opens a tag
// that the next '>' closes (text and attribute values have both escaped),
// tag names are lower case and there are no comments: one pass with a
// stack of open elements, in linear time whatever the input. A paragraph
// or a quote that starts while a paragraph is open closes it first, as a
// browser would, so the tree the browser builds is the one written here.
func balance(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 64)
	var open []string           // names of the open elements, outermost first
	dropped := map[string]int{} // opening tags dropped for depth, by name
	closeThrough := func(i int) {
		for j := len(open) - 1; j >= i; j-- {
			b.WriteString("</")
			b.WriteString(open[j])
			b.WriteByte('>')
		}
		open = open[:i]
	}
	for s != "" {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:lt])
		s = s[lt:]
		gt := strings.IndexByte(s, '>')
		if gt < 0 { // not the policy's output: kept as text
			b.WriteString(html.EscapeString(s))
			break
		}
		tag := s[:gt+1]
		s = s[gt+1:]
		end := strings.HasPrefix(tag, "</")
		name := tag[1:]
		if end {
			name = tag[2:]
		}
		if k := strings.IndexAny(name, " \t\n/>"); k >= 0 {
			name = name[:k]
		}
		switch {
		case name == "":
			b.WriteString(html.EscapeString(tag))
		case end:
			if len(dropped) > 0 && dropped[name] > 0 {
				dropped[name]--
				continue
			}
			// The innermost open element of that name closes, and what was
			// left open inside it; an end tag with nothing open of its name
			// is dropped.
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == name {
					closeThrough(i)
					break
				}
			}
		case name == "br" || strings.HasSuffix(tag, "/>"):
			b.WriteString(tag)
		default:
			if name == "p" || name == "blockquote" {
				if i := slices.Index(open, "p"); i >= 0 {
					closeThrough(i)
				}
			}
			if len(open) >= maxNesting {
				dropped[name]++
				continue
			}
			open = append(open, name)
			b.WriteString(tag)
		}
	}
	closeThrough(0)
	return b.String()
}

// addUGC turns bluemonday's rel="nofollow" into rel="nofollow ugc". In
// sanitized output that string can only be the attribute bluemonday wrote:
// quotes in text are escaped.
func addUGC(s string) string {
	return strings.ReplaceAll(s, `rel="nofollow"`, `rel="nofollow ugc"`)
}

// hasText reports whether sanitized HTML shows any non-space text. In
// bluemonday's output every '<' starts a tag and every text '<' is
// escaped, so skipping from '<' to '>' skips exactly the tags.
func hasText(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return false
			}
			i += j
		case ' ', '\t', '\n', '\r', '\f':
		case '&':
			if strings.HasPrefix(s[i:], "&nbsp;") || strings.HasPrefix(s[i:], "&#160;") {
				i += 5
				continue
			}
			return true
		default:
			if c >= 0x80 {
				r, n := utf8.DecodeRuneInString(s[i:])
				if unicode.IsSpace(r) || invisible(r) {
					i += n - 1
					continue
				}
			}
			return true
		}
	}
	return false
}

// linkCount returns how many links a sanitized body holds; moderation
// holds comments with too many.
func linkCount(body string) int { return strings.Count(body, "<a ") }

var blockquoteTag = regexp.MustCompile(`(?i)<\s*/?\s*blockquote\b[^>]*>`)

// autop wraps paragraphs in <p> and turns single newlines into <br>.
// Blockquote tags stand as blocks of their own so paragraphs nest in them.
// It runs on bluemonday's output, where every '<' in text and every '>' in
// an attribute is escaped: a newline between '<' and '>' is inside a tag
// and is left alone.
func autop(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	quotes := strings.Contains(s, "blockquote")
	if quotes {
		s = blockquoteTag.ReplaceAllString(s, "\n\n$0\n\n")
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/16 + 32)
	var block []string // the lines of the current paragraph
	flush := func() {
		if len(block) == 0 {
			return
		}
		block[0] = strings.TrimLeftFunc(block[0], isBlank)
		block[len(block)-1] = strings.TrimRightFunc(block[len(block)-1], isBlank)
		if len(block) == 1 && quotes && blockquoteTag.FindString(block[0]) == block[0] {
			b.WriteString(block[0])
			b.WriteByte('\n')
		} else {
			b.WriteString("<p>")
			for i, line := range block {
				if i > 0 {
					b.WriteString("<br>\n")
				}
				b.WriteString(line)
			}
			b.WriteString("</p>\n")
		}
		block = block[:0]
	}
	inTag, start := false, 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) {
			switch s[i] {
			case '<':
				inTag = true
				continue
			case '>':
				inTag = false
				continue
			case '\n':
				if inTag {
					continue
				}
			default:
				continue
			}
		}
		line := s[start:i]
		start = i + 1
		if strings.TrimLeftFunc(line, isBlank) == "" {
			flush()
			continue
		}
		block = append(block, line)
	}
	flush()
	return b.String()
}

// isBlank reports whether r is a space or a tab, what autop trims.
func isBlank(r rune) bool { return r == ' ' || r == '\t' }

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring ASCII case, without allocating.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if hasPrefixFold(s[i:], sub) {
			return true
		}
	}
	return false
}

// hasPrefixFold reports whether s starts with the lower-case ASCII prefix,
// ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	if len(s) < len(prefix) {
		return false
	}
	for j := 0; j < len(prefix); j++ {
		c := s[j]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != prefix[j] {
			return false
		}
	}
	return true
}

// nextURL finds the next bare http://, https:// or www. address in
// escaped HTML text at or after from, starting at a word boundary; it
// returns -1 when none. The address stops at white space and at the
// entities bluemonday writes for <, >, " and '.
func nextURL(text string, from int) (start, end int) {
	for i := from; i < len(text); i++ {
		c := text[i] | 0x20
		if c != 'h' && c != 'w' {
			continue
		}
		if i > 0 && isWordByte(text[i-1]) {
			continue
		}
		n := 0
		switch rest := text[i:]; {
		case hasPrefixFold(rest, "https://"):
			n = 8
		case hasPrefixFold(rest, "http://"):
			n = 7
		case hasPrefixFold(rest, "www."):
			n = 4
		default:
			continue
		}
		j := i + n
		for j < len(text) && !isURLStop(text[j:]) {
			j++
		}
		if j > i+n {
			return i, j
		}
	}
	return -1, -1
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// escapedStops are the entities that end an address in escaped text.
var escapedStops = []string{"&lt;", "&gt;", "&#34;", "&#39;", "&quot;"}

func isURLStop(rest string) bool {
	switch rest[0] {
	case ' ', '\t', '\n', '\r', '\f', '\v', '<', '>', '"', '\'':
		return true
	case '&':
		for _, e := range escapedStops {
			if strings.HasPrefix(rest, e) {
				return true
			}
		}
	}
	return false
}

// linkify turns bare URLs into links in sanitized HTML, outside tags and
// outside existing links and code. In bluemonday's output every '<' in
// text is escaped, so a '<' always opens a tag that the next '>' closes.
// The links it writes are http or https, their href parsed and escaped,
// with rel="nofollow ugc".
func linkify(s string) string {
	if !containsFold(s, "http") && !containsFold(s, "www.") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 128)
	inA, inCode, made := 0, 0, 0
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		text := s
		if lt >= 0 {
			text = s[:lt]
		}
		if inA == 0 && inCode == 0 {
			writeLinkified(&b, text, &made)
		} else {
			b.WriteString(text)
		}
		if lt < 0 {
			break
		}
		s = s[lt:]
		gt := strings.IndexByte(s, '>')
		if gt < 0 {
			b.WriteString(s)
			break
		}
		tag := s[:gt+1]
		switch {
		case strings.HasPrefix(tag, "<a ") || tag == "<a>":
			inA++
		case tag == "</a>":
			inA = max(inA-1, 0)
		case strings.HasPrefix(tag, "<code"):
			inCode++
		case tag == "</code>":
			inCode = max(inCode-1, 0)
		}
		b.WriteString(tag)
		s = s[gt+1:]
	}
	return b.String()
}

// maxAutoLinks bounds how many bare URLs one comment gets made into links;
// past it they stay text (a comment with that many is spam, and each link
// costs a URL parse here and in the policy's last pass).
const maxAutoLinks = 100

// writeLinkified writes escaped text with its bare URLs made into links,
// counting them in made.
func writeLinkified(b *strings.Builder, text string, made *int) {
	last := 0
	for from := 0; *made < maxAutoLinks; {
		start, end := nextURL(text, from)
		if start < 0 {
			break
		}
		from = end
		end = start + len(trimURLPunct(text[start:end]))
		shown := text[start:end] // already escaped
		href := html.UnescapeString(shown)
		if hasPrefixFold(href, "www.") {
			href = "http://" + href
		}
		u, err := url.Parse(href)
		if err != nil || u.Host == "" || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) {
			continue
		}
		b.WriteString(text[last:start])
		b.WriteString(`<a href="`)
		b.WriteString(html.EscapeString(u.String()))
		b.WriteString(`" rel="nofollow ugc">`)
		b.WriteString(shown)
		b.WriteString("</a>")
		last = end
		*made++
	}
	b.WriteString(text[last:])
}

// trimURLPunct drops trailing punctuation that ends a sentence rather than
// the URL, keeping a closing parenthesis that has its opening one. The
// parentheses are counted once, so a run of them costs linear time.
func trimURLPunct(u string) string {
	opens, closes := strings.Count(u, "("), strings.Count(u, ")")
	for u != "" {
		c := u[len(u)-1]
		switch {
		case strings.HasSuffix(u, "&amp;"):
			u = u[:len(u)-len("&amp;")]
		case strings.IndexByte(".,;:!?*", c) >= 0:
			u = u[:len(u)-1]
		case c == ')' && opens < closes:
			u = u[:len(u)-1]
			closes--
		default:
			return u
		}
	}
	return u
}
