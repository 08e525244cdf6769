package importer

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html/charset"

	"github.com/tribune-go/tribune"
)

// WordPress's WXR: an RSS 2.0 file with the wp: namespace
// (http://wordpress.org/export/1.0/, 1.1/ or 1.2/, over http or https).
// Each <item> is a post or page; its <wp:comment> elements are its
// comments. Field by field:
//
//	item: wp:post_id → source ID; link → URL; wp:post_name → slug;
//	  title; content:encoded → body; dc:creator → author;
//	  wp:post_date_gmt (else pubDate) → published; wp:comment_status
//	  closed → comments closed; the channel's <language> → language
//	wp:comment_id → source ID; wp:comment_parent (0: none) → parent;
//	  wp:comment_author, _author_email, _author_url → name, email,
//	  website; wp:comment_content → body (typed text: paragraphs and
//	  links added as WordPress shows them); wp:comment_date_gmt → date
//	  (0000-00-00: wp:comment_date taken as UTC, else the post's date,
//	  reported); wp:comment_approved 1 → approved, 0 → pending, spam →
//	  spam, trash and post-trashed → trash; wp:comment_type pingback and
//	  trackback → skipped, counted. The author's IP is not kept.
var wxrFormat = Format{Name: "wxr", Open: openWXR, sniff: func(head []byte) bool {
	return bytes.Contains(head, []byte("<rss")) && bytes.Contains(head, []byte("wordpress.org/export/"))
}}

type wxrReader struct {
	f       *file
	d       *xml.Decoder
	site    string
	lang    string
	queue   []any
	article *Article // the item being read
	post    wxrPost  // what the item says of its post beyond the article
	emitted bool     // its article record is out
	inItem  bool
	// The reader works on raw tokens, the fast path of encoding/xml: it
	// resolves prefixes itself (spaces) and checks that elements nest
	// (open).
	spaces map[string]string
	open   []xml.Name
	text   strings.Builder
	// checking skips what the checking pass does not need (texts).
	checking bool
}

// SetChecking makes the reader skip the comments' texts: the checking
// pass needs their IDs, statuses and types, and the file's well-formedness.
func (r *wxrReader) SetChecking(on bool) { r.checking = on }

func openWXR(path string) (Reader, error) {
	f, err := openXML(path)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(f)
	d.CharsetReader = charset.NewReaderLabel // files declared in another charset are converted
	d.Entity = xml.HTMLEntity                // &nbsp; and friends, which exports carry
	// Lenient, as WordPress's own importer is: a bare "&" written outside
	// CDATA (an author URL a plugin stored, ?a=1&b=2) is read as an "&".
	// The reader still checks that every element is closed by its own end
	// tag (token), so a truly malformed file is refused.
	d.Strict = false
	return &wxrReader{f: f, d: d, spaces: map[string]string{"xml": "http://www.w3.org/XML/1998/namespace"}}, nil
}

func (r *wxrReader) Site() string    { return r.site }
func (r *wxrReader) Close() error    { return r.f.Close() }
func (r *wxrReader) Offset() int64   { return r.f.Offset() }
func (r *wxrReader) line() int       { l, _ := r.d.InputPos(); return l }
func isWP(n xml.Name) bool           { return strings.Contains(n.Space, "wordpress.org/export/") }
func isNS(n xml.Name, s string) bool { return strings.Contains(n.Space, s) }

// token is the next raw token, with its prefix resolved, checked to
// close the element that is open.
func (r *wxrReader) token() (xml.Token, error) {
	tok, err := r.d.RawToken()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case xml.StartElement:
		for _, a := range t.Attr {
			switch {
			case a.Name.Space == "xmlns":
				r.spaces[a.Name.Local] = a.Value
			case a.Name.Space == "" && a.Name.Local == "xmlns":
				r.spaces[""] = a.Value
			}
		}
		r.open = append(r.open, t.Name)
		t.Name.Space = r.spaces[t.Name.Space]
		return t, nil
	case xml.EndElement:
		if len(r.open) == 0 || r.open[len(r.open)-1] != t.Name {
			want := "nothing"
			if len(r.open) > 0 {
				o := r.open[len(r.open)-1]
				want = "</" + prefixed(o) + ">"
			}
			return nil, fmt.Errorf("element </%s> closes %s", prefixed(t.Name), want)
		}
		r.open = r.open[:len(r.open)-1]
		t.Name.Space = r.spaces[t.Name.Space]
		return t, nil
	}
	return tok, nil
}

func prefixed(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

// elementText reads the text of the element just opened, through its
// end (the text of nested elements included).
func (r *wxrReader) elementText() (string, error) {
	r.text.Reset()
	depth := len(r.open)
	for {
		tok, err := r.token()
		if err != nil {
			return "", r.wrap(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			r.text.Write(t)
		case xml.EndElement:
			if len(r.open) < depth {
				return r.text.String(), nil
			}
		}
	}
}

// skip reads through the end of the element just opened.
func (r *wxrReader) skip() error {
	depth := len(r.open)
	for len(r.open) >= depth {
		if _, err := r.token(); err != nil {
			return r.wrap(err)
		}
	}
	return nil
}

func (r *wxrReader) wrap(err error) error {
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return &lineError{r.line(), err}
}

func (r *wxrReader) Next() (any, error) {
	for len(r.queue) == 0 {
		line := r.line()
		tok, err := r.token()
		if errors.Is(err, io.EOF) {
			if len(r.open) > 0 {
				return nil, &lineError{line, fmt.Errorf("the file ends inside <%s>", prefixed(r.open[len(r.open)-1]))}
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, r.wrap(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := r.start(t, line); err != nil {
				return nil, err
			}
		case xml.EndElement:
			if t.Name.Local == "item" && r.inItem {
				r.inItem = false
			}
		}
	}
	rec := r.queue[0]
	r.queue = r.queue[1:]
	return rec, nil
}

// trimmedText is elementText, trimmed.
func (r *wxrReader) trimmedText() (string, error) {
	s, err := r.elementText()
	return strings.TrimSpace(s), err
}

func (r *wxrReader) start(t xml.StartElement, line int) error {
	n := t.Name
	if !r.inItem {
		switch {
		case n.Local == "item":
			r.inItem, r.emitted = true, false
			r.article, r.post = &Article{Lang: r.lang}, wxrPost{}
		case isWP(n) && n.Local == "base_site_url", n.Local == "link" && n.Space == "" && r.site == "" && len(r.open) == 3:
			s, err := r.trimmedText()
			if err != nil {
				return err
			}
			r.site = strings.TrimSuffix(s, "/")
		case n.Local == "language" && n.Space == "":
			s, err := r.trimmedText()
			if err != nil {
				return err
			}
			r.lang = s
		case n.Local == "rss" || n.Local == "channel":
		default:
			return r.skip()
		}
		return nil
	}
	a := r.article
	if isWP(n) && n.Local == "comment" {
		if a.ID == "" {
			// No <wp:post_id> (hand-made and plugin exports): the post is
			// known by its link, WordPress's ?p=N included.
			a.ID = postIDFromLink(a.URL)
			if a.ID == "" {
				return &lineError{line, errors.New("a <wp:comment> comes before its post's <wp:post_id> or <link>")}
			}
		}
		skip := r.post.hidden()
		if !r.emitted && skip == "" {
			r.queue, r.emitted = append(r.queue, a), true
		}
		wc, err := r.comment()
		if err != nil {
			return err
		}
		c, err := wc.comment(a, &r.post, line)
		if err != nil {
			return err
		}
		if skip != "" && c.Skip == "" {
			c.Skip = skip
		}
		r.queue = append(r.queue, c)
		return nil
	}
	var field *string
	switch {
	case n.Local == "title" && n.Space == "":
		field = &a.Title
	case n.Local == "link" && n.Space == "":
		field = &a.URL
	case isNS(n, "purl.org/rss/1.0/modules/content") && n.Local == "encoded":
		field = &a.Body
	case isNS(n, "purl.org/dc/elements") && n.Local == "creator":
		field = &a.Author
	case isWP(n) && n.Local == "post_id":
		field = &a.ID
	case isWP(n) && n.Local == "post_name":
		field = &a.Slug
	case isWP(n) && n.Local == "comment_status":
		s, err := r.trimmedText()
		a.Closed = s == "closed"
		return err
	case isWP(n) && n.Local == "post_date_gmt":
		s, err := r.trimmedText()
		if d, ok := wpDate(s); ok {
			a.Published, r.post.gmt = d, d
		}
		return err
	case isWP(n) && n.Local == "post_date":
		s, err := r.trimmedText()
		if d, ok := wpDate(s); ok {
			r.post.local = d
		}
		return err
	case isWP(n) && n.Local == "status":
		field = &r.post.status
	case isWP(n) && n.Local == "post_password":
		field = &r.post.password
	case n.Local == "pubDate" && n.Space == "":
		s, err := r.trimmedText()
		if d, perr := time.Parse(time.RFC1123Z, s); perr == nil && a.Published.IsZero() {
			a.Published = d.UTC()
		}
		return err
	default:
		return r.skip()
	}
	s, err := r.trimmedText()
	if field == &a.Title {
		// WordPress stores titles with entities (Bonjour&nbsp;!, Tom
		// &amp; Jerry) and shows them decoded: decode once.
		s = html.UnescapeString(s)
	}
	*field = s
	return err
}

// wxrPost is what an <item> says of its post beyond the article.
type wxrPost struct {
	status, password string
	// local and gmt are wp:post_date and wp:post_date_gmt: their
	// difference is the site's offset, for comments without a GMT date.
	local, gmt time.Time
}

// hidden says why the post's comments must not be public: it is
// private, protected by a password, a draft, scheduled or in the trash.
// Its comments are left out, counted under that reason, and no article
// is made for it.
func (p *wxrPost) hidden() string {
	switch {
	case p.password != "":
		return "post protected by a password"
	case p.status == "" || p.status == "publish" || p.status == "inherit":
		return ""
	default:
		return "post " + p.status // private, draft, pending, future, trash
	}
}

// offset is the site's offset from UTC at the post's date, when the post
// has both dates.
func (p *wxrPost) offset() (time.Duration, bool) {
	if p.local.IsZero() || p.gmt.IsZero() {
		return 0, false
	}
	return p.local.Sub(p.gmt), true
}

// postIDFromLink is a post's ID from its link: N of WordPress's ?p=N,
// else the link itself.
func postIDFromLink(link string) string {
	link = strings.TrimSpace(link)
	if u, err := url.Parse(link); err == nil {
		if p := u.Query().Get("p"); p != "" {
			return p
		}
	}
	return link
}

// comment reads the fields of the <wp:comment> just opened.
func (r *wxrReader) comment() (*wxrComment, error) {
	var wc wxrComment
	depth := len(r.open)
	for {
		tok, err := r.token()
		if err != nil {
			return nil, r.wrap(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			var field *string
			if isWP(t.Name) {
				switch t.Name.Local {
				case "comment_id":
					field = &wc.ID
				case "comment_author":
					field = &wc.Author
				case "comment_author_email":
					field = &wc.Email
				case "comment_author_url":
					field = &wc.URL
				case "comment_date":
					field = &wc.Date
				case "comment_date_gmt":
					field = &wc.DateGMT
				case "comment_content":
					field = &wc.Content
				case "comment_approved":
					field = &wc.Approved
				case "comment_type":
					field = &wc.Type
				case "comment_parent":
					field = &wc.Parent
				case "comment_user_id":
					field = &wc.UserID
				}
			}
			if field == nil || r.checking && (field == &wc.Content || field == &wc.Author || field == &wc.Email || field == &wc.URL) {
				if err := r.skip(); err != nil {
					return nil, err
				}
				continue
			}
			s, err := r.elementText()
			if err != nil {
				return nil, err
			}
			*field = s
		case xml.EndElement:
			if len(r.open) < depth {
				return &wc, nil
			}
		}
	}
}

// wxrComment is one <wp:comment>.
type wxrComment struct {
	ID       string `xml:"comment_id"`
	Author   string `xml:"comment_author"`
	Email    string `xml:"comment_author_email"`
	URL      string `xml:"comment_author_url"`
	Date     string `xml:"comment_date"`
	DateGMT  string `xml:"comment_date_gmt"`
	Content  string `xml:"comment_content"`
	Approved string `xml:"comment_approved"`
	Type     string `xml:"comment_type"`
	Parent   string `xml:"comment_parent"`
	UserID   string `xml:"comment_user_id"`
}

func (wc *wxrComment) comment(a *Article, post *wxrPost, line int) (*Comment, error) {
	id := strings.TrimSpace(wc.ID)
	if id == "" {
		return nil, &lineError{line, errors.New("a <wp:comment> without <wp:comment_id>")}
	}
	// Names are stored with entities (Tom &amp; Jerry) and shown decoded.
	c := &Comment{ID: id, ArticleID: a.ID, Author: html.UnescapeString(strings.TrimSpace(wc.Author)), Email: strings.TrimSpace(wc.Email),
		Website: strings.TrimSpace(wc.URL), Body: wc.Content, Line: line}
	if u := strings.TrimSpace(wc.UserID); u != "" && u != "0" {
		// A registered user: kept, as "wordpress:<ID>", for a host to map
		// onto its own accounts.
		c.UserID = "wordpress:" + u
	}
	if p := strings.TrimSpace(wc.Parent); p != "" && p != "0" {
		c.ParentID = p
	}
	switch t := strings.TrimSpace(wc.Type); t {
	case "", "comment":
	case "pingback", "trackback":
		c.Skip = t
	default:
		c.Skip = "type " + t
	}
	switch s := strings.TrimSpace(wc.Approved); s {
	case "1", "approve", "approved":
		c.Status = tribune.StatusApproved
	case "0", "hold":
		c.Status = tribune.StatusPending
	case "spam":
		c.Status = tribune.StatusSpam
	case "trash", "post-trashed":
		c.Status = tribune.StatusTrash
	default:
		return nil, &lineError{line, fmt.Errorf("comment %s: unknown comment_approved %q", id, s)}
	}
	if d, ok := wpDate(wc.DateGMT); ok {
		c.Created = d
	} else if d, ok := wpDate(wc.Date); ok {
		if off, ok := post.offset(); ok {
			c.Created, c.DateNote = d.Add(-off), fmt.Sprintf("no GMT date (%s): the local date with its post's offset (%s)",
				strings.TrimSpace(wc.DateGMT), formatOffset(off))
		} else {
			c.Created, c.DateNote = d, "no GMT date ("+strings.TrimSpace(wc.DateGMT)+"): the local date taken as UTC"
		}
	} else {
		c.DateNote = fmt.Sprintf("no usable date (%q, %q)", strings.TrimSpace(wc.DateGMT), strings.TrimSpace(wc.Date))
	}
	return c, nil
}

// wpDate reads WordPress's "2006-01-02 15:04:05"; 0000-00-00 is no date.
func wpDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.HasPrefix(s, "0000-00-00") {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateTime, s)
	if err != nil || t.Year() < 1990 {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// formatOffset writes an offset as +02:00.
func formatOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	return fmt.Sprintf("%s%02d:%02d", sign, int(d.Hours()), int(d.Minutes())%60)
}
