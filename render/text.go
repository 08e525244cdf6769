package render

import (
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// PlainText turns a comment's sanitized HTML into the text it shows:
// paragraphs apart by a blank line, line breaks kept, a link's address
// after its text when they differ, entities decoded. Mails use it for
// their text part.
func PlainText(body string) string {
	z := html.NewTokenizer(strings.NewReader(body))
	var b, linkText strings.Builder
	var href string
	inLink := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			// The sanitizer's own newlines, after <br> and between
			// blocks, are formatting.
			t := strings.TrimPrefix(string(z.Text()), "\n")
			if inLink {
				linkText.WriteString(t)
			}
			b.WriteString(t)
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "br":
				b.WriteString("\n")
			case "p", "blockquote", "pre", "ul", "ol":
				if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n\n") {
					b.WriteString("\n\n")
				}
			case "li":
				b.WriteString("\n- ")
			case "a":
				inLink, href = true, attr(tok, "href")
				linkText.Reset()
			}
		case html.EndTagToken:
			if tok := z.Token(); tok.Data == "a" && inLink {
				inLink = false
				if href != "" && strings.TrimSpace(linkText.String()) != href {
					b.WriteString(" <" + href + ">")
				}
			}
		}
	}
}

// EditableText gives an author back the text of their comment for editing:
// the paragraphs and line breaks the sanitizer added become blank lines
// and newlines again, links it made of bare addresses become the bare
// addresses, and the markup the author typed stays. Sanitizing it again
// ([SanitizeComment]) gives the same body.
func EditableText(body string) string {
	z := html.NewTokenizer(strings.NewReader(body))
	var b strings.Builder
	var auto []bool // for each open <a>: made by the sanitizer of a bare URL
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return strings.TrimSpace(b.String())
		case html.TextToken:
			t := string(z.Text())
			if len(auto) == 0 || !auto[len(auto)-1] {
				t = strings.TrimPrefix(t, "\n")
			}
			b.WriteString(escapeLT(t))
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			raw := string(z.Raw())
			tok := z.Token()
			switch {
			case tok.Data == "p" && tt == html.StartTagToken:
				if b.Len() > 0 && !strings.HasSuffix(b.String(), "\n\n") {
					b.WriteString("\n\n")
				}
			case tok.Data == "p":
			case tok.Data == "br":
				b.WriteString("\n")
			case tok.Data == "a" && tt == html.StartTagToken:
				isAuto := false
				if z.Next() == html.TextToken {
					text := string(z.Text())
					isAuto = attr(tok, "href") == text || attr(tok, "href") == escapeURL(text)
					if isAuto {
						b.WriteString(text)
					} else {
						b.WriteString(`<a href="` + html.EscapeString(attr(tok, "href")) + `">` + escapeLT(text))
					}
				} else {
					b.WriteString(`<a href="` + html.EscapeString(attr(tok, "href")) + `">`)
					b.WriteString(string(z.Raw()))
				}
				auto = append(auto, isAuto)
			case tok.Data == "a":
				if n := len(auto); n > 0 {
					if !auto[n-1] {
						b.WriteString("</a>")
					}
					auto = auto[:n-1]
				}
			default:
				b.WriteString(raw)
			}
		}
	}
}

func attr(t html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// escapeLT keeps text that looks like markup from becoming markup: "<"
// and "&" stay escaped, the rest reads as typed.
func escapeLT(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;").Replace(s)
}

// escapeURL is the address a bare URL in a comment becomes in its link.
func escapeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.String()
}

// SafeWebsite returns a stored website if it is an absolute http or https
// URL with a host, and "" otherwise. Every view checks a website with it
// before making it a link, so a javascript: address that reached the
// store some other way (an import, old data) is never a live link.
func SafeWebsite(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" || (u.Scheme != "http" && u.Scheme != "https") ||
		strings.ContainsAny(s, " \"'<>`\\") {
		return ""
	}
	return s
}
