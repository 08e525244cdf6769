package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tribune-go/tribune"
)

// Commento's JSON export, which Comentario 2 also writes (its version 1,
// gzipped, with host and path for domain and url, websiteUrl for link):
// {"version": 1, "comments": […], "commenters": […]}. The commenters are
// read first (a pass of their own, since they may follow the comments),
// then the comments one at a time. Field by field:
//
//	domain + url → the article (the path's last segment matches a slug)
//	commentHex → source ID; parentHex ("root": none) → parent;
//	  commenterHex → the commenter's name, email and link (anonymous:
//	  none); html → body (HTML), else markdown as typed text;
//	  creationDate → date; state approved → approved, unapproved →
//	  pending, flagged → spam; deleted → skipped, its replies becoming
//	  top-level comments. Commenters who share a name stay apart.
var commentoFormat = Format{Name: "commento", Open: openCommento, sniff: func(head []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(head), []byte("{")) && !comentarioV3.Match(head) &&
		(bytes.Contains(head, []byte(`"commenters"`)) || bytes.Contains(head, []byte(`"commentHex"`)))
}}

type commentoComment struct {
	CommentHex string `json:"commentHex"`
	Domain     string `json:"domain"`
	URL        string `json:"url"`
	// Comentario's version 1 says host and path.
	Host         string    `json:"host"`
	Path         string    `json:"path"`
	CommenterHex string    `json:"commenterHex"`
	Markdown     string    `json:"markdown"`
	HTML         string    `json:"html"`
	ParentHex    string    `json:"parentHex"`
	State        string    `json:"state"`
	CreationDate time.Time `json:"creationDate"`
	Deleted      bool      `json:"deleted"`
}

type commentoCommenter struct {
	Hex        string `json:"commenterHex"`
	Email      string `json:"email"`
	Name       string `json:"name"`
	Link       string `json:"link"`
	WebsiteURL string `json:"websiteUrl"` // Comentario's version 1
}

// anonymousCommenter is how Commento and Comentario name nobody.
func anonymousCommenter(hex string) bool {
	return hex == "anonymous" || hex == "" || strings.Trim(hex, "0") == ""
}

type commentoReader struct {
	f          *file
	d          *json.Decoder
	commenters map[string]commentoCommenter
	site       string
	seen       map[string]bool
	queue      []any
}

// objectKeys walks a JSON object's top-level keys and calls each with
// the decoder positioned on that key's value.
func objectKeys(d *json.Decoder, each func(key string) (stop bool, err error)) error {
	tok, err := d.Token()
	if err != nil {
		return &offsetError{d.InputOffset(), err}
	}
	if tok != json.Delim('{') {
		return &offsetError{d.InputOffset(), errors.New("not a JSON object")}
	}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return &offsetError{d.InputOffset(), err}
		}
		key, _ := tok.(string)
		stop, err := each(key)
		if err != nil || stop {
			return err
		}
	}
	return nil
}

func openCommento(path string) (Reader, error) {
	// The commenters first.
	f, err := openJSON(path)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(f)
	commenters := map[string]commentoCommenter{}
	err = objectKeys(d, func(key string) (bool, error) {
		if key != "commenters" {
			if err := skipValue(d); err != nil {
				return false, &offsetError{d.InputOffset(), err}
			}
			return false, nil
		}
		var kept keptBudget
		return false, eachElement(d, func(c *commentoCommenter) error {
			commenters[c.Hex] = *c
			return kept.add("commenters", c.Hex, c.Email, c.Name, c.Link, c.WebsiteURL)
		})
	})
	f.Close()
	if err != nil {
		return nil, err
	}
	// Then the comments, streamed.
	f, d, err = openArray(path, "comments")
	if err != nil {
		return nil, err
	}
	return &commentoReader{f: f, d: d, commenters: commenters, seen: map[string]bool{}}, nil
}

// openArray opens the file again and moves a decoder into the array under
// key at the top level of its object, skipping what comes before.
func openArray(path, key string) (*file, *json.Decoder, error) {
	f, err := openJSON(path)
	if err != nil {
		return nil, nil, err
	}
	d := json.NewDecoder(f)
	found := false
	err = objectKeys(d, func(k string) (bool, error) {
		if k == key {
			tok, err := d.Token()
			if err != nil || tok != json.Delim('[') {
				return false, &offsetError{d.InputOffset(), fmt.Errorf("%q is not an array (%v)", key, err)}
			}
			found = true
			return true, nil
		}
		if err := skipValue(d); err != nil {
			return false, &offsetError{d.InputOffset(), err}
		}
		return false, nil
	})
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !found {
		// No comments at all: an empty array's worth.
		d = json.NewDecoder(bytes.NewReader([]byte("[]")))
		_, _ = d.Token()
	}
	return f, d, nil
}

func (r *commentoReader) Site() string  { return r.site }
func (r *commentoReader) Close() error  { return r.f.Close() }
func (r *commentoReader) Offset() int64 { return r.f.Offset() }

func (r *commentoReader) Next() (any, error) {
	for len(r.queue) == 0 {
		if !r.d.More() {
			return nil, io.EOF
		}
		start := r.d.InputOffset()
		var cc commentoComment
		if err := r.d.Decode(&cc); err != nil {
			return nil, &offsetError{r.d.InputOffset(), err}
		}
		if cc.CommentHex == "" {
			return nil, &offsetError{start, errors.New("a comment without commentHex")}
		}
		if cc.Domain == "" {
			cc.Domain = cc.Host
		}
		if cc.URL == "" {
			cc.URL = cc.Path
		}
		if r.site == "" {
			r.site = cc.Domain
		}
		key := cc.Domain + cc.URL
		if !r.seen[key] {
			r.seen[key] = true
			r.queue = append(r.queue, &Article{ID: key, URL: "https://" + key, Title: lastSegment(cc.URL), Published: cc.CreationDate.UTC()})
		}
		c := &Comment{ID: cc.CommentHex, ArticleID: key, Created: cc.CreationDate.UTC(), Status: tribune.StatusApproved}
		if cc.ParentHex != "" && cc.ParentHex != "root" {
			c.ParentID = cc.ParentHex
		}
		if who, ok := r.commenters[cc.CommenterHex]; ok && !anonymousCommenter(cc.CommenterHex) {
			if who.Link == "" {
				who.Link = who.WebsiteURL
			}
			c.Author, c.Email, c.Website = strings.TrimSpace(who.Name), strings.TrimSpace(who.Email), strings.TrimSpace(who.Link)
			if c.Website == "undefined" {
				c.Website = ""
			}
		}
		if cc.HTML != "" {
			c.Body, c.HTML = cc.HTML, true
		} else {
			c.Body = cc.Markdown
		}
		switch cc.State {
		case "unapproved":
			c.Status = tribune.StatusPending
		case "flagged":
			c.Status = tribune.StatusSpam
		}
		if cc.Deleted {
			c.Skip = "deleted on Commento"
		}
		if cc.CreationDate.IsZero() {
			c.DateNote = "no date"
		}
		r.queue = append(r.queue, c)
	}
	rec := r.queue[0]
	r.queue = r.queue[1:]
	return rec, nil
}
