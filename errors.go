package tribune

import (
	"errors"
	"strings"
)

// Sentinel errors. Callers branch on them with [errors.Is]; every error
// Tribune returns wraps at most one of them. Their messages never carry
// personal data.
var (
	// ErrNotFound reports that an article or comment does not exist.
	ErrNotFound = errors.New("tribune: not found")
	// ErrConflict reports that a write collides with existing data, such as
	// an article slug that is already taken.
	ErrConflict = errors.New("tribune: conflict")
	// ErrNotSupported reports that a Store lacks an optional capability
	// at run time: a wrapper such as [StoreWithTimeout] has every
	// capability's method and answers it when the store it wraps lacks
	// one. The Service's reads and [InsertComments] then fall back on the
	// core.
	ErrNotSupported = errors.New("tribune: not supported")
	// ErrInvalid reports input that failed validation. When the input is a
	// visitor's (a comment, an article), the error that wraps it is a
	// *ValidationError listing every failing field; a bad argument from
	// code (a version below 1, an unknown status) wraps it plainly.
	ErrInvalid = errors.New("tribune: invalid input")
	// ErrNotNotified reports that a comment was stored (and is returned
	// beside the error) but its notifier failed; the notifier's error is
	// wrapped too.
	ErrNotNotified = errors.New("tribune: comment stored, notifier failed")
	// ErrClosed reports that an article no longer accepts comments.
	ErrClosed = errors.New("tribune: comments are closed")
	// ErrDuplicate reports that the same visitor already posted the same
	// comment on the same article and parent.
	ErrDuplicate = errors.New("tribune: duplicate comment")
	// ErrReplayed reports that a comment is already stored under the same
	// idempotency key (Meta.Key): the same form sent again. Stores return
	// it; [Service.Submit] answers with the stored comment instead when
	// the submission is that comment again, and returns ErrReplayed when
	// the key made another comment (see [Submission.Key]).
	ErrReplayed = errors.New("tribune: already stored under this key")
	// ErrUnavailable reports that the store failed: down, frozen past its
	// deadline, or broken. Nothing was written; try again later (a
	// caller answers 503). See [StoreWithTimeout].
	ErrUnavailable = errors.New("tribune: store unavailable")
	// ErrFlood reports that a client posted again too soon.
	ErrFlood = errors.New("tribune: commenting too quickly")
	// ErrParentNotApproved reports a reply to a comment that is not
	// approved (pending, spam or trash).
	ErrParentNotApproved = errors.New("tribune: parent comment is not approved")
)

// Field names a visitor-supplied field. The values are the form field
// names WordPress uses, so existing themes and habits carry over.
type Field string

// The fields of a comment form.
const (
	FieldName    Field = "author"
	FieldEmail   Field = "email"
	FieldWebsite Field = "url"
	FieldBody    Field = "comment"
	FieldParent  Field = "comment_parent"
	FieldTitle   Field = "title" // articles
	FieldSlug    Field = "slug"  // articles
	FieldLang    Field = "lang"  // articles
)

// Code says why a field failed validation.
type Code string

// Validation codes. Each has a translated message (see i18n.Locale.FieldError).
const (
	CodeRequired    Code = "required"       // missing or blank
	CodeTooLong     Code = "too_long"       // over the field's byte limit
	CodeTooMuchHTML Code = "too_much_html"  // over MaxStoredBodyLen once sanitized
	CodeTooManyTags Code = "too_many_tags"  // more than MaxMarkup "<"
	CodeInvalidUTF8 Code = "invalid_utf8"   // not valid UTF-8
	CodeControl     Code = "control_char"   // NUL or another control character
	CodeInvisible   Code = "invisible_char" // a bidi control or an invisible character in a one-line field
	CodeReserved    Code = "reserved"       // a name kept for the site (or one that looks like it)
	CodeEmail       Code = "invalid_email"
	CodeURL         Code = "invalid_url" // not an http or https address
	CodeEmpty       Code = "empty"       // nothing left after sanitizing
	CodeTooDeep     Code = "too_deep"    // reply nested deeper than allowed
	CodeNoParent    Code = "no_parent"   // parent missing or on another article
	CodeInvalid     Code = "invalid"     // malformed in another way
)

// FieldError is one failing field of a [ValidationError].
type FieldError struct {
	Field Field
	Code  Code
	// Limit is the byte limit for CodeTooLong and the depth for CodeTooDeep.
	Limit int
}

// ValidationError lists every field that failed validation, not only the
// first. It wraps [ErrInvalid]. Its message names fields and codes only,
// never what the visitor typed.
type ValidationError struct {
	Fields []FieldError
}

// Error implements error.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("tribune: invalid input: ")
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(string(f.Field))
		b.WriteString(" ")
		b.WriteString(string(f.Code))
	}
	return b.String()
}

// Unwrap returns [ErrInvalid].
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Code returns the code of the given field, or "" when the field passed.
func (e *ValidationError) Code(f Field) Code {
	if e == nil {
		return ""
	}
	for _, fe := range e.Fields {
		if fe.Field == f {
			return fe.Code
		}
	}
	return ""
}

// add records a failure, keeping only the first one per field.
func (e *ValidationError) add(f Field, c Code, limit int) {
	if e.Code(f) != "" {
		return
	}
	e.Fields = append(e.Fields, FieldError{Field: f, Code: c, Limit: limit})
}

// err returns e as an error, or nil when no field failed.
func (e *ValidationError) err() error {
	if len(e.Fields) == 0 {
		return nil
	}
	return e
}
