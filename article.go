package tribune

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/text/unicode/norm"
)

// Limits on article fields, in bytes.
const (
	MaxTitleLen = 500
	MaxSlugLen  = 200
)

// Article is a page that comments attach to.
type Article struct {
	ID   uuid.UUID
	Slug string
	// Title, Summary and Author are plain text.
	Title   string
	Summary string
	// Body is HTML that went through the article policy, the sanitizer of trusted article HTML.
	Body   string
	Author string
	// Lang is a BCP 47 tag such as "fr" or "en"; it picks the catalogue
	// used to render the article's comment section.
	Lang      string
	Published time.Time
	Updated   time.Time
	// CommentsClosed stops new comments; the zero value leaves them open.
	CommentsClosed bool
}

// ArticleInput is what an author or import supplies to [NewArticle].
type ArticleInput struct {
	Slug    string
	Title   string
	Summary string
	// Body is author HTML; it is sanitized, never trusted raw.
	Body      string
	Author    string
	Lang      string
	Published time.Time
	// CommentsClosed creates the article with comments closed.
	CommentsClosed bool
}

// NewArticle validates in and returns an article with a new ID. The title
// is required; an empty slug is derived from the title with [Slugify]; the
// body passes through the article policy; an empty language is "fr"; a zero
// publication time is now. Times are UTC at microsecond precision.
func NewArticle(in ArticleInput) (Article, error) {
	ve := &ValidationError{}
	title := strings.TrimSpace(in.Title)
	if code := checkLine(title, MaxTitleLen); code != "" {
		ve.add(FieldTitle, code, MaxTitleLen)
	} else if title == "" {
		ve.add(FieldTitle, CodeRequired, 0)
	}
	slug := strings.TrimSpace(in.Slug)
	if slug == "" {
		slug = Slugify(title)
	} else if slug != Slugify(slug) {
		ve.add(FieldSlug, CodeInvalid, 0)
	}
	if len(slug) > MaxSlugLen {
		ve.add(FieldSlug, CodeTooLong, MaxSlugLen)
	} else if slug == "" && title != "" {
		ve.add(FieldSlug, CodeRequired, 0)
	}
	lang := strings.TrimSpace(in.Lang)
	if lang == "" {
		lang = "fr"
	}
	if !validLangTag(lang) {
		ve.add(FieldLang, CodeInvalid, 0)
	}
	for _, s := range []string{in.Summary, in.Author} {
		if checkLine(strings.TrimSpace(s), MaxNameLen*4) != "" {
			ve.add(FieldTitle, CodeInvalid, 0)
		}
	}
	if !utf8.ValidString(in.Body) {
		ve.add(FieldBody, CodeInvalidUTF8, 0)
	}
	if err := ve.err(); err != nil {
		return Article{}, err
	}
	pub := in.Published
	if pub.IsZero() {
		pub = time.Now()
	}
	pub = pub.UTC().Truncate(time.Microsecond)
	return Article{
		ID:             uuid.New(),
		Slug:           slug,
		Title:          title,
		Summary:        strings.TrimSpace(in.Summary),
		Body:           sanitizeArticle(in.Body),
		Author:         strings.TrimSpace(in.Author),
		Lang:           lang,
		Published:      pub,
		Updated:        pub,
		CommentsClosed: in.CommentsClosed,
	}, nil
}

// Slugify makes a URL slug from a title: accents folded ("Réunion" gives
// "reunion"), lower case, every run of other characters one hyphen, cut at
// a word boundary to at most 80 bytes.
func Slugify(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(title) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'ß':
			b.WriteString("ss")
			dash = false
		case r == 'æ' || r == 'Æ':
			b.WriteString("ae")
			dash = false
		case r == 'œ' || r == 'Œ':
			b.WriteString("oe")
			dash = false
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			// Scripts without a Latin folding keep their letters.
			b.WriteRune(unicode.ToLower(r))
			dash = false
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	const maxLen = 80
	if len(s) > maxLen {
		s = s[:maxLen]
		if i := strings.LastIndexByte(s, '-'); i > 0 {
			s = s[:i]
		}
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return strings.TrimSuffix(s, "-")
}

// validLangTag accepts simple BCP 47 tags: letters, digits and hyphens.
func validLangTag(s string) bool {
	if len(s) < 2 || len(s) > 35 {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
