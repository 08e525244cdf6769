// Package articletext turns plain-text news copy into an article (the seed
// article of examples/blog is one) and sets French typography.
package articletext

import (
	"html"
	"strings"
	"unicode/utf8"

	"github.com/tribune-go/tribune"
)

// Article builds an [ArticleInput] from a plain-text article, the
// way news copy arrives by mail or from a word processor:
//   - the first non-empty line is the title;
//   - blocks separated by blank lines are paragraphs;
//   - lines that start with a bullet (•, -, *, –) are list items, and
//     bullets separated only by blank lines make one list;
//   - a block of one short line that ends with "?" or with no punctuation
//     is a sub-heading (h2).
//
// For French ("fr…" tags) the typography is adjusted with [FrenchTypography].
func Article(text, lang string) tribune.ArticleInput {
	text = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text)
	typo := func(s string) string { return s }
	if strings.HasPrefix(strings.ToLower(lang), "fr") {
		typo = FrenchTypography
	}
	lines := strings.Split(text, "\n")
	var title string
	for len(lines) > 0 {
		l := strings.TrimSpace(lines[0])
		lines = lines[1:]
		if l != "" {
			title = typo(l)
			break
		}
	}
	var b strings.Builder
	inList := false
	for _, block := range splitBlocks(strings.Join(lines, "\n")) {
		if _, ok := bulletItem(block); ok {
			if !inList {
				b.WriteString("<ul>\n")
				inList = true
			}
			for _, line := range strings.Split(block, "\n") {
				item, ok := bulletItem(line)
				if !ok {
					item = strings.TrimSpace(line)
				}
				b.WriteString("<li>" + html.EscapeString(typo(item)) + "</li>\n")
			}
			continue
		}
		if inList {
			b.WriteString("</ul>\n")
			inList = false
		}
		if isHeading(block) {
			b.WriteString("<h2>" + html.EscapeString(typo(block)) + "</h2>\n")
			continue
		}
		b.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(typo(block)), "\n", "<br>\n") + "</p>\n")
	}
	if inList {
		b.WriteString("</ul>\n")
	}
	return tribune.ArticleInput{Title: title, Body: b.String(), Lang: lang}
}

func bulletItem(line string) (string, bool) {
	line = strings.TrimSpace(line)
	for _, bullet := range []string{"•", "- ", "* ", "–", "◦"} {
		if rest, ok := strings.CutPrefix(line, bullet); ok {
			return strings.TrimSpace(rest), true
		}
	}
	return "", false
}

func isHeading(block string) bool {
	if strings.Contains(block, "\n") || utf8.RuneCountInString(block) > 100 {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(block)
	return last == '?' || !strings.ContainsRune(".:;,!…»\")", last)
}

// frenchSpaces puts the no-break spaces French typography wants before
// high punctuation and inside guillemets: U+00A0 before ":" and inside
// « », U+202F (narrow) before ";", "?" and "!".
var frenchSpaces = strings.NewReplacer(
	" :", "\u00a0:",
	" ;", "\u202f;",
	" ?", "\u202f?",
	" !", "\u202f!",
	"« ", "«\u00a0",
	" »", "\u00a0»",
)

// FrenchTypography replaces the ordinary space before ":", ";", "?" and
// "!", and inside guillemets, with the no-break spaces French typography
// uses, so the punctuation never starts a line.
func FrenchTypography(s string) string { return frenchSpaces.Replace(s) }

// splitBlocks splits plain text at blank lines (lines of spaces and tabs
// only) and returns the trimmed, non-empty blocks.
func splitBlocks(s string) []string {
	var blocks []string
	start := 0 // start of the current block
	for i := 0; i <= len(s); {
		end := strings.IndexByte(s[i:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += i
		}
		if strings.TrimLeft(s[i:end], " \t") == "" {
			if b := strings.TrimSpace(s[start:i]); b != "" {
				blocks = append(blocks, b)
			}
			start = end
		}
		i = end + 1
	}
	if b := strings.TrimSpace(s[start:]); b != "" {
		blocks = append(blocks, b)
	}
	return blocks
}
