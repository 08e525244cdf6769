package importer

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/tribune-go/tribune"
)

// Comentario 3's JSON export (gzipped): {"version": 3, "pages": […],
// "comments": […], "commenters": […]}. Pages and commenters are read
// first (a pass of their own: the commenters follow the comments), then
// the comments one at a time. Field by field:
//
//	pages: id → source ID; path → URL (its last segment matches a slug);
//	  title; isReadonly → comments closed; createdTime → published;
//	  domainId → the site
//	comments: id → source ID; pageId → article; parentId → parent;
//	  userCreated → the commenter's name, email and websiteUrl (else
//	  authorName, for a visitor who did not sign up); html → body (HTML),
//	  else markdown as typed text; createdTime → date; editedTime →
//	  edited; isApproved → approved, isPending → pending, neither
//	  (rejected by a moderator) → trash; isDeleted → skipped, its replies
//	  becoming top-level comments.
var comentarioFormat = Format{Name: "comentario", Open: openComentario, sniff: func(head []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(head), []byte("{")) && comentarioV3.Match(head)
}}

// comentarioV3 recognises Comentario 3's export by its version and pages.
var comentarioV3 = regexp.MustCompile(`^\s*\{\s*"version"\s*:\s*3\s*,\s*"pages"`)

type comentarioPage struct {
	ID       string    `json:"id"`
	DomainID string    `json:"domainId"`
	Path     string    `json:"path"`
	Title    string    `json:"title"`
	Readonly bool      `json:"isReadonly"`
	Created  time.Time `json:"createdTime"`
}

type comentarioComment struct {
	ID          string     `json:"id"`
	ParentID    string     `json:"parentId"`
	PageID      string     `json:"pageId"`
	Markdown    string     `json:"markdown"`
	HTML        string     `json:"html"`
	IsApproved  bool       `json:"isApproved"`
	IsPending   bool       `json:"isPending"`
	IsDeleted   bool       `json:"isDeleted"`
	CreatedTime time.Time  `json:"createdTime"`
	EditedTime  *time.Time `json:"editedTime"`
	UserCreated string     `json:"userCreated"`
	AuthorName  string     `json:"authorName"`
}

type comentarioCommenter struct {
	ID         string `json:"id"`
	Email      string `json:"email"`
	Name       string `json:"name"`
	WebsiteURL string `json:"websiteUrl"`
}

type comentarioReader struct {
	f          *file
	d          *json.Decoder
	pages      map[string]*Article
	emitted    map[string]bool
	commenters map[string]comentarioCommenter
	site       string
	queue      []any
}

func openComentario(path string) (Reader, error) {
	f, err := openJSON(path)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(f)
	r := &comentarioReader{pages: map[string]*Article{}, emitted: map[string]bool{}, commenters: map[string]comentarioCommenter{}}
	var kept keptBudget
	err = objectKeys(d, func(key string) (bool, error) {
		switch key {
		case "pages":
			return false, eachElement(d, func(p *comentarioPage) error {
				if r.site == "" {
					r.site = p.DomainID
				}
				r.pages[p.ID] = &Article{ID: p.ID, URL: p.Path, Title: strings.TrimSpace(p.Title), Closed: p.Readonly, Published: p.Created.UTC()}
				return kept.add("pages", p.ID, p.Path, p.Title, p.DomainID)
			})
		case "commenters":
			return false, eachElement(d, func(c *comentarioCommenter) error {
				r.commenters[c.ID] = *c
				return kept.add("commenters", c.ID, c.Email, c.Name, c.WebsiteURL)
			})
		default:
			if err := skipValue(d); err != nil {
				return false, &offsetError{d.InputOffset(), err}
			}
		}
		return false, nil
	})
	f.Close()
	if err != nil {
		return nil, err
	}
	if r.f, r.d, err = openArray(path, "comments"); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *comentarioReader) Site() string  { return r.site }
func (r *comentarioReader) Close() error  { return r.f.Close() }
func (r *comentarioReader) Offset() int64 { return r.f.Offset() }

func (r *comentarioReader) Next() (any, error) {
	for len(r.queue) == 0 {
		if !r.d.More() {
			return nil, io.EOF
		}
		start := r.d.InputOffset()
		var cc comentarioComment
		if err := r.d.Decode(&cc); err != nil {
			return nil, &offsetError{r.d.InputOffset(), err}
		}
		page, ok := r.pages[cc.PageID]
		if cc.ID == "" || !ok {
			return nil, &offsetError{start, errors.New("a comment without an id, or on a page the file does not list")}
		}
		if !r.emitted[cc.PageID] {
			r.emitted[cc.PageID] = true
			if page.Published.IsZero() {
				page.Published = cc.CreatedTime.UTC()
			}
			r.queue = append(r.queue, page)
		}
		c := &Comment{ID: cc.ID, ArticleID: cc.PageID, ParentID: cc.ParentID, Created: cc.CreatedTime.UTC(), Author: strings.TrimSpace(cc.AuthorName)}
		if who, ok := r.commenters[cc.UserCreated]; ok && !anonymousCommenter(strings.ReplaceAll(cc.UserCreated, "-", "")) {
			c.Author, c.Email, c.Website = strings.TrimSpace(who.Name), strings.TrimSpace(who.Email), strings.TrimSpace(who.WebsiteURL)
		}
		if cc.HTML != "" {
			c.Body, c.HTML = cc.HTML, true
		} else {
			c.Body = cc.Markdown
		}
		switch {
		case cc.IsApproved:
			c.Status = tribune.StatusApproved
		case cc.IsPending:
			c.Status = tribune.StatusPending
		default:
			c.Status = tribune.StatusTrash // rejected by a moderator
		}
		if cc.EditedTime != nil {
			c.Edited = *cc.EditedTime
		}
		if cc.IsDeleted {
			c.Skip = "deleted on Comentario"
		}
		if cc.CreatedTime.IsZero() {
			c.DateNote = "no date"
		}
		r.queue = append(r.queue, c)
	}
	rec := r.queue[0]
	r.queue = r.queue[1:]
	return rec, nil
}
