package tribune

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mtibben/confusables"
	"golang.org/x/text/secure/bidirule"
	"golang.org/x/text/secure/precis"
	"golang.org/x/text/unicode/bidi"
	"golang.org/x/text/unicode/norm"
)

// checkName validates an author's name by RFC 8266, the PRECIS profile
// made for nicknames (golang.org/x/text/secure/precis), and the Bidi
// Rule of RFC 5893 (golang.org/x/text/secure/bidirule) on each word that
// holds right-to-left letters: letters and marks of every script,
// combining marks, and the joiners a script needs (ZWNJ in Persian, ZWJ
// after a virama) pass; bidi overrides and embeddings, zero-width spaces,
// lone joiners and names that show nothing are refused.
//
// PRECIS predates emoji sequences and refuses the variation selector and
// the joiner inside "❤️" or "👩‍💻"; checkName lets the sequences of
// Unicode's emoji standard (UTS #51) through: a joiner between two
// symbols, a variation selector after a symbol or a keycap base, a
// keycap mark, the tag characters of a subdivision flag. What PRECIS
// checks is the name without them; what is stored is the name as typed
// (trimmed, NFC).
func checkName(name string) Code {
	if code := checkLineBasics(name, MaxNameLen); code != "" || name == "" {
		return code
	}
	bare := withoutEmojiJoins(name)
	if _, err := precis.Nickname.String(bare); err != nil || strings.ContainsRune(bare, '\u2800') {
		return CodeInvisible // PRECIS takes the braille blank for a symbol; it shows nothing
	}
	visible := false
	for _, word := range strings.Fields(bare) {
		for _, r := range word {
			if !unicode.Is(unicode.Mn, r) && !unicode.Is(unicode.Me, r) {
				visible = true
			}
		}
		if hasRTL(word) && !bidirule.ValidString(word) {
			return CodeInvisible
		}
	}
	if !visible {
		return CodeInvisible
	}
	return ""
}

// withoutEmojiJoins drops from s the code points that only join or
// present emoji (UTS #51): ZWJ between two symbols, VS15/VS16 after a
// symbol or a keycap base, the combining keycap, and tag characters
// after a black flag. Anything else is left for PRECIS to judge.
func withoutEmojiJoins(s string) string {
	rs := []rune(s)
	symbol := func(i int) bool {
		return i >= 0 && i < len(rs) && (unicode.Is(unicode.So, rs[i]) || unicode.Is(unicode.Sk, rs[i]))
	}
	// prevBase skips back over presentation characters to the base.
	prevBase := func(i int) int {
		for i >= 0 && (rs[i] == '\uFE0F' || rs[i] == '\uFE0E' || rs[i] == '\u20E3' || isEmojiModifier(rs[i])) {
			i--
		}
		return i
	}
	drop := make([]bool, len(rs))
	inTag := false
	for i, r := range rs {
		switch {
		case r == '\u200D':
			drop[i] = symbol(prevBase(i-1)) && symbol(i+1)
		case r == '\uFE0F' || r == '\uFE0E':
			b := i - 1
			drop[i] = symbol(b) || b >= 0 && (rs[b] >= '0' && rs[b] <= '9' || rs[b] == '#' || rs[b] == '*')
		case r == '\u20E3':
			b := prevBase(i - 1)
			drop[i] = b >= 0 && (rs[b] >= '0' && rs[b] <= '9' || rs[b] == '#' || rs[b] == '*')
		case r >= 0xE0020 && r <= 0xE007F:
			if i > 0 && rs[i-1] == '\U0001F3F4' {
				inTag = true
			}
			drop[i] = inTag
			if r == 0xE007F {
				inTag = false
			}
		}
	}
	var b strings.Builder
	for i, r := range rs {
		if !drop[i] {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// isEmojiModifier reports the skin-tone modifiers U+1F3FB–U+1F3FF.
func isEmojiModifier(r rune) bool { return r >= 0x1F3FB && r <= 0x1F3FF }

// hasRTL reports a right-to-left letter (bidi class R or AL).
func hasRTL(s string) bool {
	for _, r := range s {
		if p, _ := bidi.LookupRune(r); p.Class() == bidi.R || p.Class() == bidi.AL {
			return true
		}
	}
	return false
}

// checkLineBasics is what every one-line field must be: valid UTF-8, at
// most max bytes, no control character.
func checkLineBasics(s string, max int) Code {
	switch {
	case !utf8.ValidString(s):
		return CodeInvalidUTF8
	case len(s) > max:
		return CodeTooLong
	case hasControl(s, false):
		return CodeControl
	}
	return ""
}

// bidiControls are the explicit embeddings, overrides and isolates: in a
// comment's text they would reorder what follows them (a name, a link's
// text), so they are taken out of bodies before sanitizing. The implicit
// marks (LRM, RLM, ALM), which reorder nothing beyond their neighbours,
// stay.
func isBidiControl(r rune) bool {
	return r >= '\u202A' && r <= '\u202E' || r >= '\u2066' && r <= '\u2069'
}

// stripBidiControls removes the bidi embeddings, overrides and isolates
// of s.
func stripBidiControls(s string) string {
	if !strings.ContainsFunc(s, isBidiControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isBidiControl(r) {
			return -1
		}
		return r
	}, s)
}

// nameKeys are what two names share when they look alike: their
// confusable skeletons, taken after and before folding case (a capital I
// looks like an l, a Cyrillic В like a B), without accents.
func nameKeys(name string) []string {
	n := norm.NFKC.String(strings.TrimSpace(name))
	return []string{unaccent(confusables.Skeleton(strings.ToLower(n))), unaccent(strings.ToLower(confusables.Skeleton(n)))}
}

// unaccent drops the combining marks of s.
func unaccent(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, norm.NFD.String(s))
}

// reservedName reports whether name is, or looks like, a reserved one.
func (s *Service) reservedName(name string) bool {
	if len(s.cfg.reserved) == 0 || name == "" {
		return false
	}
	for _, k := range nameKeys(name) {
		if s.cfg.reserved[k] {
			return true
		}
	}
	return false
}

// checkName refuses a name that is reserved: one of the site's own
// (Names.Reserved) for anyone not signed in, a member's
// (Names.Member) for anyone but that member.
func (s *Service) checkName(ctx context.Context, c *Comment, id *Identity) error {
	reserved := &ValidationError{Fields: []FieldError{{Field: FieldName, Code: CodeReserved}}}
	if id == nil && s.reservedName(c.AuthorName) {
		return reserved
	}
	if s.cfg.nameOwner == nil || c.AuthorName == "" || id != nil && id.UserID != "" && id.Name == c.AuthorName {
		return nil
	}
	owner, ok, err := s.cfg.nameOwner(ctx, c.AuthorName)
	if err != nil {
		return err
	}
	if ok && (id == nil || id.UserID != owner) {
		return reserved
	}
	return nil
}
