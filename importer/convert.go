package importer

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// item is one record read, with where the reader stood; a comment's
// prepared form arrives on prep.
type item struct {
	rec    any
	err    error
	site   string
	offset int64
	prep   chan prepared
}

// prepared is a source comment checked and sanitized: the costly step.
type prepared struct {
	c     tribune.Comment
	err   error
	fixed bool
}

type prepJob struct {
	sc  *Comment
	out chan prepared
}

// prepareComment checks and sanitizes a source comment. A field the
// rules refuse (an address that is not one, a name too long) goes; the
// comment stays.
func prepareComment(sc *Comment) prepared {
	in := tribune.CommentInput{Name: sc.Author, Email: sc.Email, Website: sc.Website, Body: sc.Body}
	c, err := tribune.NewCommentWithRequired(in, nil)
	fixed := false
	var ve *tribune.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Fields {
			switch fe.Field {
			case tribune.FieldEmail:
				in.Email = ""
			case tribune.FieldWebsite:
				in.Website = ""
			case tribune.FieldName:
				in.Name = truncate(strings.Join(strings.Fields(in.Name), " "), tribune.MaxNameLen)
			}
		}
		c, err = tribune.NewCommentWithRequired(in, nil)
		fixed = err == nil
	}
	if err == nil && sc.HTML {
		c.Body = tribune.SanitizeCommentHTML(sc.Body)
	}
	return prepared{c: c, err: err, fixed: fixed}
}

// articleID is the ID a source article gets when it is created.
func (r *run) articleID(a *Article) uuid.UUID {
	if r.format.own {
		if id, err := uuid.Parse(a.ID); err == nil {
			return id
		}
	}
	return uuid.NewSHA1(r.ns, []byte("article\x00"+a.ID))
}

func (r *run) commentID(sourceID string) uuid.UUID {
	if r.format.own {
		if id, err := uuid.Parse(sourceID); err == nil {
			return id
		}
	}
	return uuid.NewSHA1(r.ns, []byte("comment\x00"+sourceID))
}

// article matches a source article to the site's, or makes one.
func (r *run) article(a *Article) error {
	if _, ok := r.articles[a.ID]; ok {
		return nil
	}
	if got, ok := r.match(a); ok {
		r.articles[a.ID] = &got
		r.rep.ArticlesMatched++
		return nil
	}
	slug := tribune.Slugify(a.Slug)
	if slug == "" {
		slug = tribune.Slugify(lastSegment(a.URL))
	}
	if slug == "" {
		slug = tribune.Slugify(a.Title)
	}
	title := strings.TrimSpace(a.Title)
	if title == "" {
		title = slug
	}
	if title == "" {
		title, slug = "Article "+a.ID, tribune.Slugify("article-"+a.ID)
	}
	in := tribune.ArticleInput{Title: title, Slug: slug, Body: a.Body, Author: a.Author, Summary: a.Summary,
		Lang: langTag(a.Lang), Published: a.Published}
	if r.format.own {
		in.Lang = a.Lang
	}
	art, err := tribune.NewArticle(in)
	if err != nil {
		// A title too long or a tag that is not one: keep what can be kept.
		in.Lang, in.Author = "", ""
		in.Title = truncate(in.Title, tribune.MaxTitleLen)
		if art, err = tribune.NewArticle(in); err != nil {
			return &FileError{File: r.file, Err: fmt.Errorf("article %q: %w", a.ID, err)}
		}
	}
	art.ID = r.articleID(a)
	art.CommentsClosed = a.Closed
	if !a.Published.IsZero() {
		art.Published = a.Published.UTC().Truncate(time.Microsecond)
		art.Updated = art.Published
	}
	if !a.Updated.IsZero() {
		art.Updated = a.Updated.UTC().Truncate(time.Microsecond)
	}
	if existing, ok := r.site.byID[art.ID]; ok {
		// Created by an earlier run of this import.
		r.articles[a.ID] = &existing
		r.rep.ArticlesMatched++
		return nil
	}
	if _, taken := r.site.bySlug[art.Slug]; taken {
		art.Slug = tribune.Slugify(art.Slug + "-" + art.ID.String()[:8])
	}
	if r.write {
		if err := r.store.CreateArticle(r.ctx, &art); err != nil {
			return fmt.Errorf("importer: %s: creating article %q: %w", r.file, a.ID, err)
		}
		r.site.bySlug[art.Slug], r.site.byID[art.ID] = art, art
	}
	if r.fresh != nil {
		r.freshMu.Lock()
		r.fresh[art.ID] = true
		r.freshMu.Unlock()
	}
	r.articles[a.ID] = &art
	r.rep.ArticlesCreated++
	return nil
}

// match finds the site's article for a source article: by -map, by
// slug, by the last segment of its URL, or (Tribune's own JSON) by ID.
func (r *run) match(a *Article) (tribune.Article, bool) {
	for _, k := range []string{a.URL, a.Slug, a.ID, strings.TrimSuffix(a.URL, "/")} {
		if to, ok := r.opts.Map[k]; ok && k != "" {
			got, ok := r.site.bySlug[to]
			return got, ok
		}
	}
	if r.format.own {
		if id, err := uuid.Parse(a.ID); err == nil {
			if got, ok := r.site.byID[id]; ok {
				return got, true
			}
		}
	}
	for _, s := range []string{a.Slug, lastSegment(a.URL)} {
		if got, ok := r.site.bySlug[tribune.Slugify(s)]; ok && s != "" {
			return got, true
		}
	}
	return tribune.Article{}, false
}

// comment checks one source comment (pass 1) or stores it (pass 2).
func (r *run) comment(sc *Comment, pass int, p *prepared) error {
	rep := r.rep
	if sc.Skip != "" {
		rep.Skipped[sc.Skip]++
		if sc.Skip == skipNoThread && pass == 2 {
			rep.Orphans++
			rep.note("%s: comment %s: its article is not in the file; left out", r.at(sc), sc.ID)
		}
		return nil
	}
	art, ok := r.articles[sc.ArticleID]
	if !ok {
		return &FileError{File: r.file, Line: sc.Line, Err: fmt.Errorf("comment %q names an article the file does not have (%q)", sc.ID, sc.ArticleID)}
	}
	id := r.commentID(sc.ID)
	if pass == 1 {
		if _, dup := r.inFile[id]; dup {
			return &FileError{File: r.file, Line: sc.Line, Err: fmt.Errorf("comment %q appears twice", sc.ID)}
		}
		r.inFile[id] = r.articleOf.index(art.ID)
		if max := cmp.Or(r.opts.MaxComments, DefaultMaxComments); len(r.inFile) > max {
			return &FileError{File: r.file, Line: sc.Line, Err: fmt.Errorf("more than %d comments in one file: split the export, or raise the limit (-max-comments)", max)}
		}
		return nil
	}
	c, err := r.build(sc, art, id, p)
	if errors.Is(err, errSkipped) {
		return nil // its replies, waiting for it, become top-level comments
	}
	if err != nil {
		return err
	}
	if c.ParentID != uuid.Nil {
		if _, ok := r.done[c.ParentID]; !ok {
			// The parent comes later in the file: the reply waits for it.
			r.waiting[c.ParentID] = append(r.waiting[c.ParentID], c)
			r.waitingAt[c.ID] = r.at(sc) + ": comment " + sc.ID
			return nil
		}
	}
	return r.queue(c)
}

// build makes the stored comment of a source comment, from its prepared
// form.
func (r *run) build(sc *Comment, art *tribune.Article, id uuid.UUID, p *prepared) (tribune.Comment, error) {
	rep := r.rep
	if p.err != nil {
		rep.Skipped["invalid"]++
		rep.note("%s: comment %s skipped: %v%s", r.at(sc), sc.ID, p.err, whichCharacter(sc, p.err))
		return tribune.Comment{}, errSkipped
	}
	if p.fixed {
		rep.Fixed++
		rep.note("%s: comment %s: a field the rules refuse was dropped", r.at(sc), sc.ID)
	}
	c := p.c
	c.ArticleID = art.ID
	c.ID = id
	c.Status = sc.Status
	if !c.Status.Valid() {
		c.Status = tribune.StatusPending
	}
	c.Created = sc.Created
	if !c.Created.IsZero() && (c.Created.Before(minDate) || c.Created.After(time.Now().Add(maxDateAhead))) {
		sc.DateNote = fmt.Sprintf("date %s out of range (1990 to tomorrow)", c.Created.Format(time.RFC3339))
		c.Created = time.Time{}
	}
	if c.Created.IsZero() {
		c.Created = art.Published
		sc.DateNote += "; dated like its article"
	}
	if sc.DateNote != "" {
		rep.BadDates++
		rep.note("%s: comment %s: %s", r.at(sc), sc.ID, sc.DateNote)
	}
	c.Created = c.Created.UTC().Truncate(time.Microsecond)
	if !sc.Edited.IsZero() {
		c.Edited = sc.Edited.UTC().Truncate(time.Microsecond)
	}
	c.Version = 1
	c.Meta.UserAgent = truncate(sc.UserAgent, 255)
	c.UserID = sc.UserID // a registered user of the source (wordpress:<ID>), or Tribune's own
	if r.format.own {
		c.Version, c.Meta = max(sc.Version, 1), sc.Meta
	}
	if sc.ParentID != "" {
		pid := r.commentID(sc.ParentID)
		here := r.articleOf.index(art.ID)
		if of, ok := r.inFile[pid]; ok && pid != id && of == here {
			c.ParentID = pid
		} else if ok && of != here {
			rep.Orphans++
			rep.note("%s: comment %s: its parent %s is under another article; it is now a top-level comment", r.at(sc), sc.ID, sc.ParentID)
		} else if existing, err := r.store.Comment(r.ctx, pid); err == nil && existing.ArticleID == art.ID {
			c.ParentID = pid // imported before
		} else {
			rep.Orphans++
			rep.note("%s: comment %s: its parent %s is missing; it is now a top-level comment", r.at(sc), sc.ID, sc.ParentID)
		}
	}
	return c, nil
}

// at says where a comment is, for notes: the file and, when known, the line.
func (r *run) at(sc *Comment) string {
	if sc.Line > 0 {
		return fmt.Sprintf("%s:%d", r.file, sc.Line)
	}
	return r.file
}

// The dates an import believes: a comment dated before 1990 (before the
// web; a zero Unix time, a year 0001) or after tomorrow is dated like its
// article instead, and reported, in every format.
var minDate = time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)

const maxDateAhead = 24 * time.Hour

// skipNoThread is the reason a reader gives for a comment whose article
// is not in the file.
const skipNoThread = "orphan: its article is not in the file"

// errSkipped is a comment left out, already counted.
var errSkipped = errors.New("importer: skipped")

func lastSegment(u string) string {
	if u == "" {
		return ""
	}
	if p, err := url.Parse(u); err == nil {
		u = p.Path
	}
	return path.Base(strings.TrimSuffix(u, "/"))
}

// langTag keeps the language of a source ("fr-FR", "en_US"): the tag's
// first part, which the catalogues know.
func langTag(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "_", "-"))
	if i := strings.IndexByte(s, '-'); i > 0 {
		s = s[:i]
	}
	return strings.ToLower(s)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
