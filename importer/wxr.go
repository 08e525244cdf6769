package importer

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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
	emitted bool     // its article record is out
	inItem  bool
}

func openWXR(path string) (Reader, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(f)
	d.CharsetReader = charset.NewReaderLabel // files declared in another charset are converted
	d.Entity = xml.HTMLEntity                // &nbsp; and friends, which exports carry
	return &wxrReader{f: f, d: d}, nil
}

func (r *wxrReader) Site() string    { return r.site }
func (r *wxrReader) Close() error    { return r.f.Close() }
func (r *wxrReader) Offset() int64   { return r.f.Offset() }
func (r *wxrReader) line() int       { l, _ := r.d.InputPos(); return l }
func isWP(n xml.Name) bool           { return strings.Contains(n.Space, "wordpress.org/export/") }
func isNS(n xml.Name, s string) bool { return strings.Contains(n.Space, s) }

func (r *wxrReader) Next() (any, error) {
	for len(r.queue) == 0 {
		line := r.line()
		tok, err := r.d.Token()
		if errors.Is(err, io.EOF) {
			if r.inItem {
				return nil, &lineError{line, errors.New("the file ends inside an <item>")}
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, &lineError{r.line(), err}
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

// text reads the text of the element just opened.
func (r *wxrReader) text(t xml.StartElement) (string, error) {
	var s string
	if err := r.d.DecodeElement(&s, &t); err != nil {
		return "", &lineError{r.line(), err}
	}
	return strings.TrimSpace(s), nil
}

func (r *wxrReader) start(t xml.StartElement, line int) error {
	n := t.Name
	if !r.inItem {
		switch {
		case n.Local == "item":
			r.inItem, r.emitted = true, false
			r.article = &Article{Lang: r.lang}
		case isWP(n) && n.Local == "base_site_url", n.Local == "link" && n.Space == "" && r.site == "":
			s, err := r.text(t)
			if err != nil {
				return err
			}
			if isWP(n) || r.site == "" {
				r.site = strings.TrimSuffix(s, "/")
			}
		case n.Local == "language" && n.Space == "":
			s, err := r.text(t)
			if err != nil {
				return err
			}
			r.lang = s
		}
		return nil
	}
	a := r.article
	if isWP(n) && n.Local == "comment" {
		if a.ID == "" {
			return &lineError{line, errors.New("a <wp:comment> comes before its post's <wp:post_id>")}
		}
		if !r.emitted {
			r.queue, r.emitted = append(r.queue, a), true
		}
		var wc wxrComment
		if err := r.d.DecodeElement(&wc, &t); err != nil {
			return &lineError{r.line(), err}
		}
		c, err := wc.comment(a, line)
		if err != nil {
			return err
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
		s, err := r.text(t)
		a.Closed = s == "closed"
		return err
	case isWP(n) && n.Local == "post_date_gmt":
		s, err := r.text(t)
		if d, ok := wpDate(s); ok {
			a.Published = d
		}
		return err
	case n.Local == "pubDate" && n.Space == "":
		s, err := r.text(t)
		if d, perr := time.Parse(time.RFC1123Z, s); perr == nil && a.Published.IsZero() {
			a.Published = d.UTC()
		}
		return err
	default:
		return r.d.Skip()
	}
	s, err := r.text(t)
	*field = s
	return err
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
}

func (wc *wxrComment) comment(a *Article, line int) (*Comment, error) {
	id := strings.TrimSpace(wc.ID)
	if id == "" {
		return nil, &lineError{line, errors.New("a <wp:comment> without <wp:comment_id>")}
	}
	c := &Comment{ID: id, ArticleID: a.ID, Author: strings.TrimSpace(wc.Author), Email: strings.TrimSpace(wc.Email),
		Website: strings.TrimSpace(wc.URL), Body: wc.Content, Line: line}
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
		c.Created, c.DateNote = d, "no GMT date ("+strings.TrimSpace(wc.DateGMT)+"): the local date taken as UTC"
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
