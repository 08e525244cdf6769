package widget

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/render"
)

// mailView is what the mail templates get: one layout for every mail,
// in a text and an HTML part.
type mailView struct {
	L          *i18n.Locale
	Site       string
	Paragraphs []string
	Quote      *mailQuote
	Action     mailLink
	Links      []mailLink
	Footer     []string
}

// mailQuote is a comment quoted in a mail: its author and its body, the
// sanitized HTML the thread shows.
type mailQuote struct{ Author, Body string }

// HTML is the quoted body for the HTML part: sanitized at posting, as on
// the page.
func (q *mailQuote) HTML() htmltemplate.HTML { return htmltemplate.HTML(q.Body) } // sanitized by tribune.SanitizeComment

type mailLink struct{ Label, URL string }

//go:embed templates/mail/*.tmpl
var mailFS embed.FS

var (
	mailText = texttemplate.Must(texttemplate.New("mail.txt.tmpl").Funcs(texttemplate.FuncMap{"quote": quoteText}).
			ParseFS(mailFS, "templates/mail/mail.txt.tmpl"))
	mailHTML = htmltemplate.Must(htmltemplate.New("mail.html.tmpl").ParseFS(mailFS, "templates/mail/mail.html.tmpl"))
)

// renderMail renders both parts of a mail.
func renderMail(m *mailView) (text, htmlPart string, err error) {
	var t, hb bytes.Buffer
	if err := mailText.Execute(&t, m); err != nil {
		return "", "", err
	}
	if err := mailHTML.Execute(&hb, m); err != nil {
		return "", "", err
	}
	return t.String(), hb.String(), nil
}

// quoteText is a comment's text as a plain-text quote: "> " before each
// line.
func quoteText(body string) string {
	lines := strings.Split(strings.TrimSpace(render.PlainText(body)), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight("> "+l, " ")
	}
	return strings.Join(lines, "\n")
}
