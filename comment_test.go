package tribune_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
)

func validInput() tribune.CommentInput {
	return tribune.CommentInput{
		ArticleID: uuid.New(),
		Name:      "Ana",
		Email:     "ana@example.org",
		Website:   "https://ana.example.org/blog",
		Body:      "Très bon article.",
	}
}

func TestNewCommentValid(t *testing.T) {
	t.Parallel()
	in := validInput()
	in.Name = "  Ana  "
	c, err := tribune.NewComment(in)
	require.NoError(t, err)
	assert.NotEqual(t, uuid.Nil, c.ID)
	assert.Equal(t, "Ana", c.AuthorName, "trimmed")
	assert.Equal(t, tribune.StatusPending, c.Status)
	assert.Equal(t, "<p>Très bon article.</p>\n", c.Body)
	assert.Equal(t, 1, c.Version)
	assert.Equal(t, "ana@example.org", c.Email.Address())
	assert.False(t, c.Created.IsZero())
	assert.Equal(t, c.Created, c.Created.UTC())
}

func TestNewCommentReportsEveryField(t *testing.T) {
	t.Parallel()
	_, err := tribune.NewComment(tribune.CommentInput{Website: "javascript:alert(1)"})
	var ve *tribune.ValidationError
	require.ErrorAs(t, err, &ve)
	require.ErrorIs(t, err, tribune.ErrInvalid)
	assert.Equal(t, tribune.CodeRequired, ve.Code(tribune.FieldName))
	assert.Equal(t, tribune.CodeRequired, ve.Code(tribune.FieldEmail))
	assert.Equal(t, tribune.CodeRequired, ve.Code(tribune.FieldBody))
	assert.Equal(t, tribune.CodeURL, ve.Code(tribune.FieldWebsite))
	assert.Len(t, ve.Fields, 4)
	assert.NotContains(t, err.Error(), "javascript", "errors never echo input")
}

func TestNewCommentValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edit  func(*tribune.CommentInput)
		field tribune.Field
		code  tribune.Code
	}{
		{"blank name", func(in *tribune.CommentInput) { in.Name = " \t " }, tribune.FieldName, tribune.CodeRequired},
		{"name at limit", func(in *tribune.CommentInput) { in.Name = strings.Repeat("é", 122) + "a" }, "", ""},
		{"name too long", func(in *tribune.CommentInput) { in.Name = strings.Repeat("a", 246) }, tribune.FieldName, tribune.CodeTooLong},
		{"name with NUL", func(in *tribune.CommentInput) { in.Name = "A\x00na" }, tribune.FieldName, tribune.CodeControl},
		{"name with newline", func(in *tribune.CommentInput) { in.Name = "A\nna" }, tribune.FieldName, tribune.CodeControl},
		{"name bad utf8", func(in *tribune.CommentInput) { in.Name = "\xc3\x28" }, tribune.FieldName, tribune.CodeInvalidUTF8},
		{"email bad", func(in *tribune.CommentInput) { in.Email = "nope" }, tribune.FieldEmail, tribune.CodeEmail},
		{"website optional", func(in *tribune.CommentInput) { in.Website = "" }, "", ""},
		{"website data", func(in *tribune.CommentInput) { in.Website = "data:text/html,<b>x</b>" }, tribune.FieldWebsite, tribune.CodeURL},
		{"website too long", func(in *tribune.CommentInput) { in.Website = "https://example.org/" + strings.Repeat("a", 190) }, tribune.FieldWebsite, tribune.CodeTooLong},
		{"body at limit", func(in *tribune.CommentInput) { in.Body = strings.Repeat("a", tribune.MaxBodyLen) }, "", ""},
		{"body too long", func(in *tribune.CommentInput) { in.Body = strings.Repeat("a", tribune.MaxBodyLen+1) }, tribune.FieldBody, tribune.CodeTooLong},
		{"body blank", func(in *tribune.CommentInput) { in.Body = "\n \n" }, tribune.FieldBody, tribune.CodeRequired},
		{"body only tags", func(in *tribune.CommentInput) { in.Body = "<script>alert(1)</script><img src=x>" }, tribune.FieldBody, tribune.CodeEmpty},
		{"body with NUL", func(in *tribune.CommentInput) { in.Body = "a\x00b" }, tribune.FieldBody, tribune.CodeControl},
		{"body with escape", func(in *tribune.CommentInput) { in.Body = "a\x1b[31mb" }, tribune.FieldBody, tribune.CodeControl},
		{"body CRLF and tab ok", func(in *tribune.CommentInput) { in.Body = "a\r\n\tb" }, "", ""},
		{"body bad utf8", func(in *tribune.CommentInput) { in.Body = "a\xffb" }, tribune.FieldBody, tribune.CodeInvalidUTF8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := validInput()
			tc.edit(&in)
			_, err := tribune.NewComment(in)
			if tc.code == "" {
				require.NoError(t, err)
				return
			}
			var ve *tribune.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.code, ve.Code(tc.field), err.Error())
			assert.Len(t, ve.Fields, 1)
		})
	}
}

func TestNewCommentWithRequired(t *testing.T) {
	t.Parallel()
	in := validInput()
	in.Name, in.Email, in.Website = "", "", ""
	_, err := tribune.NewCommentWithRequired(in, []tribune.Field{tribune.FieldBody})
	require.NoError(t, err, "anonymous comments when only the text is required")

	_, err = tribune.NewCommentWithRequired(in, []tribune.Field{tribune.FieldBody, tribune.FieldWebsite})
	var ve *tribune.ValidationError
	require.True(t, errors.As(err, &ve))
	assert.Equal(t, tribune.CodeRequired, ve.Code(tribune.FieldWebsite))
}

func TestNormalizeWebsite(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://example.org", "https://example.org"},
		{"HTTPS://Example.ORG/Path?q=1#f", "https://example.org/Path?q=1#f"},
		{"example.org/blog", "http://example.org/blog"},
		{"example.org:8080/x", "http://example.org:8080/x"},
		{"http://[::1]:8080/", "http://[::1]:8080/"},
		{"http://127.0.0.1/", "http://127.0.0.1/"},
		{"https://café.example/", "https://xn--caf-dma.example/"},
		{"javascript:alert(1)", ""},
		{"JaVaScRiPt:alert(1)", ""},
		{" javascript:alert(1)", ""},
		{"javascript&#58;alert(1)", ""},
		{"javascript&colon;alert(1)", ""},
		{"&#x6A;avascript:alert(1)", ""},
		{"data:text/html;base64,PHNjcmlwdD4=", ""},
		{"vbscript:msgbox(1)", ""},
		{"//evil.example/", ""},
		{"ftp://example.org/", ""},
		{"http://user:pass@example.org/", ""},
		{"http://exa mple.org/", ""},
		{"http://example.org/\"onmouseover=\"alert(1)", ""},
		{"http://-bad-.example/", ""},
		{"http:///path", ""},
		{"java\tscript:alert(1)", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, code := tribune.NormalizeWebsite(tc.in)
			assert.Equal(t, tc.want, got)
			if tc.want == "" {
				assert.NotEmpty(t, code)
			} else {
				assert.Empty(t, code)
			}
		})
	}
}

func TestValidationErrorOfNil(t *testing.T) {
	t.Parallel()
	var nilErr *tribune.ValidationError
	assert.Equal(t, tribune.Code(""), nilErr.Code(tribune.FieldName))
}

// TestStoredBodyBound: a body within the typed limit that escaping and
// paragraphs would make too big to store is refused like a long one.
func TestStoredBodyBound(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
		want tribune.Code
	}{
		{"ampersands", strings.Repeat("&", tribune.MaxBodyLen), tribune.CodeTooMuchHTML},
		{"line breaks", strings.Repeat("a\n", tribune.MaxBodyLen/2), tribune.CodeTooMuchHTML},
		{"plain text at the limit", strings.Repeat("a", tribune.MaxBodyLen), ""},
		{"tens of thousands of tags", strings.Repeat("<b><i><s>", tribune.MaxBodyLen/9), tribune.CodeTooManyTags},
		{"markup within reason", strings.Repeat("<b>gras</b> ", tribune.MaxMarkup/2), ""},
		{"one tag too many", strings.Repeat("<b>gras</b> ", tribune.MaxMarkup/2) + "<i>", tribune.CodeTooManyTags},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tribune.NewCommentWithRequired(tribune.CommentInput{Body: tc.body}, nil)
			if tc.want == "" {
				require.NoError(t, err)
				assert.LessOrEqual(t, len(c.Body), tribune.MaxStoredBodyLen)
				return
			}
			var ve *tribune.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.want, ve.Code(tribune.FieldBody))
			want := "131\u202f072"
			if tc.want == tribune.CodeTooManyTags {
				want = "500 signes"
			}
			assert.Contains(t, i18n.For("fr").FieldError(ve.Fields[0]), want)
		})
	}
}
