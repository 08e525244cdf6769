package tribune_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
)

// canary is an address that must never appear in output.
const canary = "canary.7f3a@example.org"

func TestEmailNeverPrinted(t *testing.T) {
	t.Parallel()
	e, err := tribune.ParseEmail(canary)
	require.NoError(t, err)
	require.Equal(t, canary, e.Address(), "Address is the one way to read it")

	c := tribune.Comment{AuthorName: "Ana", Email: e}
	type holder struct {
		private tribune.Email
		Public  tribune.Email
	}
	h := holder{private: e, Public: e}

	outputs := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%10s", "%-40v", "%T", "%d"} {
		outputs["email "+verb] = fmt.Sprintf(verb, e)
		outputs["comment "+verb] = fmt.Sprintf(verb, c)
		outputs["pointer "+verb] = fmt.Sprintf(verb, &c)
		outputs["holder "+verb] = fmt.Sprintf(verb, h)
	}
	outputs["String"] = e.String()
	assert.Equal(t, "tribune.Email{[email hidden]}", fmt.Sprintf("%#v", e))
	outputs["Sprint"] = fmt.Sprint(e, c)
	outputs["Sprintln"] = fmt.Sprintln(e, c)

	j, err := json.Marshal(c)
	require.NoError(t, err)
	outputs["json comment"] = string(j)
	j, err = json.Marshal(map[string]any{"e": e, "h": h})
	require.NoError(t, err)
	outputs["json email"] = string(j)
	txt, err := e.MarshalText()
	require.NoError(t, err)
	outputs["text"] = string(txt)

	var logs bytes.Buffer
	for _, handler := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		l := slog.New(handler)
		l.Info("posted", "email", e, "comment", c)
		l.Info("posted", slog.Any("email", e), slog.Group("g", "e", e))
	}
	outputs["slog"] = logs.String()

	tmpl := template.Must(template.New("x").Parse(
		`<p title="{{.Email}}">{{.Email}}</p><a href="mailto:{{.Email}}">x</a><script>var e = {{.Email}};</script>{{printf "%v" .}}`))
	var page bytes.Buffer
	require.NoError(t, tmpl.Execute(&page, c))
	outputs["html/template"] = page.String()

	for name, out := range outputs {
		assert.NotContains(t, out, canary, name)
		assert.NotContains(t, out, "canary.7f3a", name)
	}
	assert.Contains(t, outputs["email %v"], "[email hidden]")
}

func TestParseEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		code     tribune.Code
	}{
		{"plain", "ana@example.org", ""},
		{"subdomain and plus", "ana+tribune@mail.example.co.uk", ""},
		{"trimmed", "  ana@example.org\t", ""},
		{"empty is zero", "", ""},
		{"display name", "Ana <ana@example.org>", tribune.CodeEmail},
		{"list", "ana@example.org, bob@example.org", tribune.CodeEmail},
		{"no at", "ana.example.org", tribune.CodeEmail},
		{"no dot in domain", "ana@localhost", tribune.CodeEmail},
		{"double dot", "ana@example..org", tribune.CodeEmail},
		{"quoted local", `"a b"@example.org`, tribune.CodeEmail},
		{"html", "<script>@example.org", tribune.CodeEmail},
		{"newline", "ana@example.org\nBcc: x@example.org", tribune.CodeControl},
		{"too long", strings.Repeat("a", 90) + "@example.org", tribune.CodeTooLong},
		{"bad utf8", "ana\xff@example.org", tribune.CodeInvalidUTF8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := tribune.ParseEmail(tc.in)
			if tc.code == "" {
				require.NoError(t, err)
				assert.Equal(t, strings.TrimSpace(tc.in), e.Address())
				return
			}
			var ve *tribune.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tc.code, ve.Code(tribune.FieldEmail))
			assert.NotContains(t, err.Error(), "example.org", "errors never echo the address")
		})
	}
}

func TestEmailEqual(t *testing.T) {
	t.Parallel()
	a, _ := tribune.ParseEmail("Ana@Example.ORG")
	b, _ := tribune.ParseEmail("Ana@example.org")
	c, _ := tribune.ParseEmail("ana@example.org")
	assert.True(t, a.Equal(b))
	assert.True(t, a.Equal(c), "addresses compare without regard to case")
	assert.True(t, tribune.Email{}.IsZero())
	assert.Equal(t, "", tribune.StoredEmail("").Address())
}
