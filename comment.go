package tribune

import (
	"net"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"golang.org/x/net/idna"
	"golang.org/x/text/unicode/norm"
)

// Byte limits on comment fields, the ones WordPress enforces.
const (
	MaxNameLen    = 245
	MaxWebsiteLen = 200
	MaxBodyLen    = 65525
	// MaxStoredBodyLen bounds a body once sanitized: escaping (& becomes
	// &amp;) and paragraph markup make it longer than what was typed.
	MaxStoredBodyLen = 128 << 10
	// MaxMarkup bounds how many "<" a body may hold: a comment is text
	// (a long one of 64 KB typically holds a few dozen tags), and each
	// tag costs the sanitizer a few microseconds, so that a body of any
	// shape is sanitized in a few milliseconds.
	MaxMarkup = 500
)

// DefaultMaxDepth is how deeply replies may nest by default, as in WordPress:
// a top-level comment has depth 1.
const DefaultMaxDepth = 5

// Status is a comment's moderation state.
type Status string

// The moderation states.
const (
	StatusPending  Status = "pending"
	StatusApproved Status = "approved"
	StatusSpam     Status = "spam"
	StatusTrash    Status = "trash"
)

// Valid reports whether s is one of the four states.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusApproved, StatusSpam, StatusTrash:
		return true
	}
	return false
}

// Comment is a stored comment. Build one from visitor input with
// [NewComment] (or through a [Service]); never fill Body from input by hand.
//
// Email and Meta are private: they are excluded from JSON, and the
// renderer's views have no field for them.
type Comment struct {
	ID        uuid.UUID
	ArticleID uuid.UUID
	// ParentID is the comment this one replies to, or uuid.Nil.
	ParentID uuid.UUID
	// AuthorName is plain text.
	AuthorName string
	Email      Email `json:"-"`
	// Website is an http or https URL, normalised at validation, or "".
	Website string
	// Body is sanitized HTML: the output of [SanitizeComment], and only that.
	Body   string
	Status Status
	// Created is the time the comment was posted, in UTC.
	Created time.Time
	// Version starts at 1 and grows by one with each edit or status change
	// made through the [Service] (a store's UpdateComment leaves it as the
	// change sets it). A mailed moderation link is bound to it.
	Version int
	// UserID is the host's ID of the signed-in author ([Identity.UserID]),
	// or "" for a visitor who was not signed in.
	UserID string `json:"-"`
	// Edited is when the author last changed the text, in UTC, or zero:
	// the thread marks the comment as edited.
	Edited time.Time
	Meta   Meta `json:"-"`
}

// Meta is private moderation data kept with a comment and never rendered.
type Meta struct {
	// ClientHash is a keyed hash of the client's network, not its address.
	ClientHash string
	UserAgent  string
	// Key is the idempotency key of the submission that made the comment
	// (a keyed hash of its form token), unique in the store, or "".
	Key string
	// DupKey is a keyed hash of the article, parent, visitor and body,
	// unique in the store, so the same comment from the same visitor is
	// refused in one indexed look-up; "" when not checked.
	DupKey string
}

// CommentInput is what a visitor submits. It is decoded from forms or
// JSON; the fields the server owns (ID, status, times) are not in it.
type CommentInput struct {
	ArticleID uuid.UUID
	ParentID  uuid.UUID
	Name      string
	Email     string
	Website   string
	Body      string
}

// DefaultRequired returns the fields required unless configured
// otherwise: name, email and comment, as in WordPress. (It was a variable,
// which any package could change for all; it is a function so that no
// exported state is mutable.)
func DefaultRequired() []Field { return []Field{FieldName, FieldEmail, FieldBody} }

// NewComment validates and sanitizes in with the default required fields
// and returns a pending comment with a new ID, created now.
func NewComment(in CommentInput) (Comment, error) {
	return NewCommentWithRequired(in, DefaultRequired())
}

// NewCommentWithRequired is [NewComment] with the given required fields.
// Every failing field is reported in one *[ValidationError].
func NewCommentWithRequired(in CommentInput, required []Field) (Comment, error) {
	ve := &ValidationError{}
	need := func(f Field) bool {
		for _, r := range required {
			if r == f {
				return true
			}
		}
		return false
	}

	name := norm.NFC.String(strings.TrimSpace(in.Name))
	if code := checkName(name); code != "" {
		ve.add(FieldName, code, MaxNameLen)
	} else if name == "" && need(FieldName) {
		ve.add(FieldName, CodeRequired, 0)
	}

	email, err := ParseEmail(in.Email)
	if err != nil {
		fe := err.(*ValidationError).Fields[0]
		ve.add(fe.Field, fe.Code, fe.Limit)
	} else if email.IsZero() && need(FieldEmail) {
		ve.add(FieldEmail, CodeRequired, 0)
	}

	website, code := normalizeWebsite(in.Website)
	if code != "" {
		ve.add(FieldWebsite, code, MaxWebsiteLen)
	} else if website == "" && need(FieldWebsite) {
		ve.add(FieldWebsite, CodeRequired, 0)
	}

	var body string
	raw := strings.TrimSpace(normalizeNewlines(stripBidiControls(in.Body)))
	switch {
	case !utf8.ValidString(raw):
		ve.add(FieldBody, CodeInvalidUTF8, 0)
	case len(raw) > MaxBodyLen:
		ve.add(FieldBody, CodeTooLong, MaxBodyLen)
	case hasControl(raw, true):
		ve.add(FieldBody, CodeControl, 0)
	case strings.Count(raw, "<") > MaxMarkup:
		ve.add(FieldBody, CodeTooManyTags, MaxMarkup)
	case raw == "":
		ve.add(FieldBody, CodeRequired, 0)
	default:
		var fits bool
		body, fits = sanitizeComment(raw, MaxStoredBodyLen)
		switch {
		case !fits:
			ve.add(FieldBody, CodeTooMuchHTML, MaxStoredBodyLen)
		case !hasText(body):
			ve.add(FieldBody, CodeEmpty, 0)
		}
	}

	if err := ve.err(); err != nil {
		return Comment{}, err
	}
	return Comment{
		ID:         uuid.New(),
		ArticleID:  in.ArticleID,
		ParentID:   in.ParentID,
		AuthorName: name,
		Email:      email,
		Website:    website,
		Body:       body,
		Status:     StatusPending,
		Created:    time.Now().UTC().Truncate(time.Microsecond),
		Version:    1,
	}, nil
}

// checkLine validates a single-line field: valid UTF-8, no control
// characters (tab and newline included), no bidi control or invisible
// character (they let "\u202enimdA" show as "Admin", or a blank pass for
// a name), at most max bytes.
func checkLine(s string, max int) Code {
	if code := checkLineBasics(s, max); code != "" {
		return code
	}
	if strings.IndexFunc(s, invisible) >= 0 {
		return CodeInvisible
	}
	return ""
}

// invisible reports characters that show nothing, or change how the
// text around them shows: format characters (bidi controls and marks,
// zero-width spaces and joiners, the soft hyphen…), the other default
// ignorable code points (Hangul fillers, the combining grapheme joiner…),
// variation selectors, and the braille blank.
func invisible(r rune) bool {
	return r >= 0x80 && (unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) ||
		unicode.Is(unicode.Variation_Selector, r) || r == '\u2800')
}

// hasControl reports control characters; multiline allows tab and newline.
func hasControl(s string, multiline bool) bool {
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

// normalizeNewlines turns CRLF and lone CR into LF, as browsers send CRLF.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// normalizeWebsite validates a commenter's website and returns it in a
// normal form: an absolute http or https URL with a lower-case scheme and
// host. A bare host such as "example.com/blog" gets "http://". Any other
// scheme (javascript:, data:, ...) and obfuscated forms are refused with
// [CodeURL]; "" is valid and stays "".
func normalizeWebsite(s string) (string, Code) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	if code := checkLine(s, MaxWebsiteLen); code != "" {
		return "", code
	}
	if strings.ContainsAny(s, " \\<>\"'`") {
		return "", CodeURL
	}
	if !strings.Contains(s, "://") {
		if strings.HasPrefix(s, "//") {
			return "", CodeURL
		}
		// "host:port/..." is a bare host; "word:..." is another scheme.
		if i := strings.IndexByte(s, ':'); i >= 0 {
			rest := s[i+1:]
			if j := strings.IndexAny(rest, "/?#"); j >= 0 {
				rest = rest[:j]
			}
			if rest == "" || strings.Trim(rest, "0123456789") != "" {
				return "", CodeURL
			}
		}
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" || u.User != nil {
		return "", CodeURL
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", CodeURL
	}
	host := strings.ToLower(u.Hostname())
	if !validHost(host) {
		return "", CodeURL
	}
	if net.ParseIP(host) == nil {
		ascii, err := idna.Lookup.ToASCII(host)
		if err != nil {
			return "", CodeURL
		}
		host = ascii
	}
	if p := u.Port(); p != "" {
		host = net.JoinHostPort(host, p)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	u.Host = host
	out := u.String()
	if len(out) > MaxWebsiteLen {
		return "", CodeTooLong
	}
	return out, ""
}

func validHost(h string) bool {
	if h == "" {
		return false
	}
	if ip := net.ParseIP(h); ip != nil {
		return true
	}
	if len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r > 0x7f && unicode.IsLetter(r) || r > 0x7f && unicode.IsDigit(r)) {
				return false
			}
		}
	}
	return true
}
