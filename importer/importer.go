// Package importer moves comments into and out of a Tribune store: it
// reads WordPress WXR (1.0, 1.1, 1.2), Disqus XML, Remark42 backups,
// Isso databases, Commento and Comentario (2 and 3) JSON exports and
// Tribune's own JSON, and writes Tribune's JSON and WXR 1.2. The tribune command
// (cmd/tribune) is a thin wrapper over it.
//
// An import is safe to run again: every ID is derived from the source's
// (UUIDv5 in a namespace per source site), so the same file imported
// twice adds nothing, and an import never changes or deletes a comment
// it did not create. A file is read twice, as a stream: a first pass
// checks all of it and writes nothing (a malformed file stops there,
// naming the line or element), the second writes in batches, each one
// transaction. Memory does not grow with the file's size, except for a
// set of 16-byte comment IDs (to place replies whose parent comes later,
// and to tell orphans) and the articles.
package importer

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// Article is an article as a source describes it.
type Article struct {
	// ID is the source's own key for the article (a post ID, a thread ID,
	// a URL).
	ID        string
	URL, Slug string
	Title     string
	// Body is the article's HTML, when the source has it.
	Body      string
	Author    string
	Summary   string
	Lang      string
	Published time.Time
	Updated   time.Time
	Closed    bool
}

// Comment is a comment as a source describes it.
type Comment struct {
	// ID, ArticleID and ParentID are the source's keys ("" for a top-level
	// comment).
	ID, ArticleID, ParentID string
	Author, Email, Website  string
	UserAgent               string
	// Body is what the commenter typed (HTML false: paragraphs and links
	// are added) or HTML already laid out (HTML true).
	Body string
	HTML bool
	// Created is the time in UTC; zero when the source had no usable
	// date (DateNote says why).
	Created  time.Time
	DateNote string
	Edited   time.Time
	Status   tribune.Status
	// Skip, when set, is why the comment is not imported (a pingback, a
	// trackback, deleted upstream with nothing left).
	Skip string
	// UserID is the source's registered user ("wordpress:7"), kept for a
	// host to map onto its accounts. Version and Meta are kept by
	// Tribune's own format only.
	Version int
	UserID  string
	Meta    tribune.Meta
	// Line is where the comment starts in the file, for messages.
	Line int
}

// Reader reads one source, article and comment records in file order: an
// article comes before its comments. Next returns io.EOF at the end.
type Reader interface {
	// Site names the source site, for the ID namespace.
	Site() string
	Next() (any, error)
	Close() error
}

// Format is an input format.
type Format struct {
	// Name is what -format takes.
	Name string
	// Open reads the file at path.
	Open func(path string) (Reader, error)
	// sniff reports whether the file's first bytes are this format's.
	sniff func(head []byte) bool
	// own formats keep the source's IDs as they are (Tribune's JSON).
	own bool
}

// Formats are the input formats, in detection order.
var Formats = []Format{wxrFormat, disqusFormat, remark42Format, issoFormat, comentarioFormat, commentoFormat, tribuneFormat}

// FormatByName returns the format called name.
func FormatByName(name string) (Format, error) {
	for _, f := range Formats {
		if f.Name == name {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = f.Name
	}
	return Format{}, fmt.Errorf("importer: unknown format %q (want one of %s)", name, strings.Join(names, ", "))
}

// Options configure an import.
type Options struct {
	// Format forces a format by name; "" detects it from the content.
	Format string
	// DryRun reads everything and reports, writing nothing.
	DryRun bool
	// Map sends a source article (by its URL, slug or ID) to the site's
	// article with the given slug.
	Map map[string]string
	// BatchSize is how many comments go in one transaction (default 5,000).
	BatchSize int
	// Progress, when set, is called as comments are read and written.
	Progress func(Progress)
	// MaxComments bounds the comments one file may bring (default
	// DefaultMaxComments): the import keeps a small record of each, so
	// this bounds its memory whatever the file. Split a larger export, or
	// raise it.
	MaxComments int
}

// DefaultMaxComments is how many comments one file may bring unless
// Options.MaxComments says otherwise: the importer then stays within
// about 200 MiB of memory.
const DefaultMaxComments = 1_000_000

// Progress is where an import stands.
type Progress struct {
	File string
	// Pass is 1 while checking, 2 while writing.
	Pass int
	// Done counts comments read in this pass; Bytes the bytes of the file
	// read so far, of Size.
	Done        int
	Bytes, Size int64
}

// FileReport is what an import did with one file.
type FileReport struct {
	File, Format string
	// ArticlesMatched were found on the site; ArticlesCreated were made
	// from the source.
	ArticlesMatched, ArticlesCreated int
	// Imported counts new comments by status; Replies how many of them
	// answer another.
	Imported map[tribune.Status]int
	Replies  int
	// AlreadyThere were imported before (same source ID).
	AlreadyThere int
	// Skipped counts comments left out, by reason.
	Skipped map[string]int
	// Orphans lost their parent (not in the file, not on the site) and
	// became top-level comments; BadDates had no usable date and got the
	// article's; Fixed had a field dropped (an invalid email or website).
	Orphans, BadDates, Fixed int
	// Notes say which comment each of those is (the first hundred).
	Notes []string
}

// Total is the number of comments imported.
func (r *FileReport) Total() int {
	n := 0
	for _, k := range r.Imported {
		n += k
	}
	return n
}

func (r *FileReport) note(format string, args ...any) {
	if len(r.Notes) < maxNotes {
		r.Notes = append(r.Notes, fmt.Sprintf(format, args...))
	}
}

const maxNotes = 100

// FileError is a file that cannot be read: malformed, or not in its
// format. Line, when known, is where the problem is.
type FileError struct {
	File string
	Line int
	Err  error
}

func (e *FileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *FileError) Unwrap() error { return e.Err }

// namespace is the UUIDv5 namespace of Tribune's imports; each source
// site gets its own under it.
var namespace = uuid.MustParse("3f8a3c8e-5b0c-4b7e-9d2a-7a1f3e6c9b10")

func siteNamespace(format, site string) uuid.UUID {
	return uuid.NewSHA1(namespace, []byte(format+"\x00"+site))
}

// Import reads each file and stores what it holds. A file that cannot be
// read stops the import with a *FileError, having written nothing of
// that file (files before it stay imported); a store that fails stops it
// too, what was written staying (running it again finishes the job).
func Import(ctx context.Context, store tribune.Store, files []string, opts Options) ([]FileReport, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	site, err := loadSite(ctx, store)
	if err != nil {
		return nil, err
	}
	var reports []FileReport
	for _, f := range files {
		r, err := importFile(ctx, store, site, f, opts)
		if r != nil {
			reports = append(reports, *r)
		}
		if err != nil {
			return reports, err
		}
	}
	return reports, nil
}

// siteArticles are the site's articles, to match sources against.
type siteArticles struct {
	bySlug map[string]tribune.Article
	byID   map[uuid.UUID]tribune.Article
}

func loadSite(ctx context.Context, store tribune.Store) (*siteArticles, error) {
	s := &siteArticles{bySlug: map[string]tribune.Article{}, byID: map[uuid.UUID]tribune.Article{}}
	for off := 0; ; off += tribune.MaxPageSize {
		as, err := store.Articles(ctx, tribune.Page{Limit: tribune.MaxPageSize, Offset: off})
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			s.bySlug[a.Slug], s.byID[a.ID] = a, a
		}
		if len(as) < tribune.MaxPageSize {
			return s, nil
		}
	}
}

// detect picks the format of the file at path from its first bytes.
func detect(p string) (Format, error) {
	head, err := readHead(p, 64<<10)
	if err != nil {
		return Format{}, err
	}
	for _, f := range Formats {
		if f.sniff(head) {
			return f, nil
		}
	}
	return Format{}, errors.New("not a format the importer knows (use -format to name it)")
}

// run is one pass over a file.
type run struct {
	ctx    context.Context
	store  tribune.Store
	site   *siteArticles
	opts   Options
	format Format
	file   string
	ns     uuid.UUID
	rep    *FileReport
	write  bool
	// articles maps source article IDs to the site's article; fresh holds
	// those this run created, which cannot hold a comment of an earlier
	// run (the writer need not look for one).
	articles map[string]*tribune.Article
	freshMu  sync.RWMutex // the writer reads fresh while the reader adds to it
	fresh    map[uuid.UUID]bool
	// inFile maps the IDs of the comments the file brings to their
	// article, as an index in articleOf (pass 1), so that a reply to a
	// comment of another article is known for what it is: 20 bytes a
	// comment, the bulk of an import's memory.
	inFile    map[uuid.UUID]int32
	articleOf *articleIndex
	// done holds the IDs queued or stored by this pass, waiting the
	// replies whose parent has not come yet.
	done    map[uuid.UUID]struct{}
	waiting map[uuid.UUID][]tribune.Comment
	// waitingAt says where each waiting reply is in the file (its line
	// and source ID), for notes.
	waitingAt map[uuid.UUID]string
	batch     []tribune.Comment
	count     int
	// batches go to the writer, which says how it ended on writerDone.
	batches    chan []tribune.Comment
	writerDone chan error
}

func importFile(ctx context.Context, store tribune.Store, site *siteArticles, file string, opts Options) (*FileReport, error) {
	var format Format
	var err error
	if opts.Format != "" {
		format, err = FormatByName(opts.Format)
	} else {
		format, err = detect(file)
	}
	if err != nil {
		return nil, &FileError{File: file, Err: err}
	}
	rep := &FileReport{File: file, Format: format.Name, Imported: map[tribune.Status]int{}, Skipped: map[string]int{}}
	// Pass 1: read and check everything; nothing is written.
	check := &run{ctx: ctx, store: store, site: site, opts: opts, format: format, file: file, rep: &FileReport{
		Imported: map[tribune.Status]int{}, Skipped: map[string]int{}}, articles: map[string]*tribune.Article{},
		inFile: map[uuid.UUID]int32{}, articleOf: &articleIndex{ids: map[uuid.UUID]int32{}}}
	before, err := os.Stat(file)
	if err != nil {
		return nil, &FileError{File: file, Err: err}
	}
	if err := check.pass(1); err != nil {
		return nil, err
	}
	// The file checked is the file written: one that changed since (a
	// sync, an export still being written) is refused before anything is
	// written, and one that changes while it is written is reported.
	if err := unchanged(file, before); err != nil {
		return nil, err
	}
	// Pass 2: write (or, in a dry run, count as if writing).
	w := &run{ctx: ctx, store: store, site: site, opts: opts, format: format, file: file, rep: rep,
		write: !opts.DryRun, articles: map[string]*tribune.Article{}, inFile: check.inFile, articleOf: check.articleOf, fresh: map[uuid.UUID]bool{},
		done: map[uuid.UUID]struct{}{}, waiting: map[uuid.UUID][]tribune.Comment{}, waitingAt: map[uuid.UUID]string{}}
	if err := w.pass(2); err != nil {
		return rep, err
	}
	if err := unchanged(file, before); err != nil {
		return rep, err
	}
	return rep, nil
}

// articleIndex numbers the articles of a file, for inFile.
type articleIndex struct{ ids map[uuid.UUID]int32 }

func (a *articleIndex) index(id uuid.UUID) int32 {
	i, ok := a.ids[id]
	if !ok {
		i = int32(len(a.ids))
		a.ids[id] = i
	}
	return i
}

// unchanged says whether the file is still as it was (size and time of
// its last change).
func unchanged(file string, was os.FileInfo) error {
	now, err := os.Stat(file)
	if err != nil {
		return &FileError{File: file, Err: err}
	}
	if now.Size() != was.Size() || !now.ModTime().Equal(was.ModTime()) {
		return &FileError{File: file, Err: errors.New("the file changed while it was read: import it again once it is complete")}
	}
	return nil
}

// pass reads the whole file once. The file is read in a goroutine of its
// own and, in the writing pass, the comments' checking and sanitizing
// (the costly step) runs on every core, in order; the writer stores
// batches while the next ones are read.
func (r *run) pass(n int) error {
	src, err := r.format.Open(r.file)
	if err != nil {
		return fileError(r.file, err)
	}
	defer src.Close()
	if c, ok := src.(interface{ SetContext(context.Context) }); ok {
		c.SetContext(r.ctx) // a reader that queries (Isso's database) stops with the import
	}
	if c, ok := src.(interface{ SetChecking(bool) }); ok {
		c.SetChecking(n == 1)
	}
	size := fileSize(r.file)
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	if n == 2 {
		r.startWriter()
		defer func() {
			if r.batches != nil {
				close(r.batches)
				<-r.writerDone
			}
		}()
	}
	items := r.read(ctx, src, n == 2)
	defer func() {
		// The reader stops, and is done with the file, before it closes.
		cancel()
		for range items {
		}
	}()
	named := false
	for it := range items {
		if it.err != nil {
			return fileError(r.file, it.err)
		}
		if !named {
			// The site is known once the reader is past the file's header.
			r.ns, named = siteNamespace(r.format.Name, it.site), true
		}
		switch rec := it.rec.(type) {
		case *Article:
			if err := r.article(rec); err != nil {
				return err
			}
		case *Comment:
			var p prepared
			if it.prep != nil {
				select {
				case p = <-it.prep:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			if err := r.comment(rec, n, &p); err != nil {
				return err
			}
			r.count++
			if r.opts.Progress != nil && r.count%1000 == 0 {
				r.opts.Progress(Progress{File: r.file, Pass: n, Done: r.count, Bytes: it.offset, Size: size})
			}
		}
	}
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if n == 2 {
		if err := r.flushWaiting(); err != nil {
			return err
		}
		if err := r.flush(); err != nil {
			return err
		}
		err := r.finish()
		r.batches = nil
		if err != nil {
			return err
		}
	}
	if r.opts.Progress != nil {
		r.opts.Progress(Progress{File: r.file, Pass: n, Done: r.count, Bytes: size, Size: size})
	}
	return nil
}

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

// read sends the file's records in order; with prepare, each comment is
// also handed to the workers that check and sanitize it.
func (r *run) read(ctx context.Context, src Reader, prepare bool) <-chan item {
	items := make(chan item, 512)
	var jobs chan prepJob
	if prepare {
		jobs = make(chan prepJob, 512)
		for range runtime.GOMAXPROCS(0) {
			go func() {
				for j := range jobs {
					j.out <- prepareComment(j.sc)
				}
			}()
		}
	}
	go func() {
		defer close(items)
		if jobs != nil {
			defer close(jobs)
		}
		for {
			rec, err := src.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			it := item{rec: rec, err: err, site: src.Site(), offset: bytesRead(src)}
			if sc, ok := rec.(*Comment); ok && jobs != nil && sc.Skip == "" {
				it.prep = make(chan prepared, 1)
				select {
				case jobs <- prepJob{sc, it.prep}:
				case <-ctx.Done():
					return
				}
			}
			select {
			case items <- it:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return items
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

// queue adds a comment to the batch, then the replies that waited for it.
func (r *run) queue(c tribune.Comment) error {
	r.done[c.ID] = struct{}{}
	r.batch = append(r.batch, c)
	if len(r.batch) >= r.opts.BatchSize {
		if err := r.flush(); err != nil {
			return err
		}
	}
	kids := r.waiting[c.ID]
	delete(r.waiting, c.ID)
	delete(r.waitingAt, c.ID)
	for _, k := range kids {
		if err := r.queue(k); err != nil {
			return err
		}
	}
	return nil
}

// flushWaiting stores the replies whose parent never came: it was
// skipped or invalid. They become top-level comments.
func (r *run) flushWaiting() error {
	parents := make([]uuid.UUID, 0, len(r.waiting))
	for p := range r.waiting {
		parents = append(parents, p)
	}
	slices.SortFunc(parents, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	for _, p := range parents {
		kids := r.waiting[p]
		delete(r.waiting, p)
		for _, k := range kids {
			k.ParentID = uuid.Nil
			r.rep.Orphans++
			r.rep.note("%s: its parent was not imported; it is now a top-level comment", r.waitingAt[k.ID])
			delete(r.waitingAt, k.ID)
			if err := r.queue(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// flush hands the batch to the writer, which stores it while the file
// is read on: parsing and writing overlap.
func (r *run) flush() error {
	if len(r.batch) == 0 {
		return nil
	}
	batch := r.batch
	r.batch = nil
	select {
	case r.batches <- batch:
		return nil
	case err := <-r.writerDone:
		r.writerDone <- err // for finish
		if err == nil {
			err = errors.New("importer: the writer stopped")
		}
		return err
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
}

// startWriter runs the writer: it stores the batches in order, and stops
// at the first failure.
func (r *run) startWriter() {
	r.batches = make(chan []tribune.Comment, 2)
	r.writerDone = make(chan error, 1)
	go func() {
		var err error
		for b := range r.batches {
			if err == nil {
				err = r.store1(b)
			}
		}
		r.writerDone <- err
	}()
}

// finish waits for the writer to store what it was given.
func (r *run) finish() error {
	close(r.batches)
	return <-r.writerDone
}

// store1 stores one batch in one transaction, leaving out the comments
// imported before.
func (r *run) store1(batch []tribune.Comment) error {
	// Oldest first within the batch, parents before their replies: the
	// cheapest order for the stores' page positions.
	sort.SliceStable(batch, func(i, j int) bool { return batch[i].Created.Before(batch[j].Created) })
	batch = parentsFirst(batch)
	err := r.storeBatch(batch, true)
	if errors.Is(err, tribune.ErrConflict) {
		// A comment of this source is on the site already under another
		// article (an earlier run with another -map): look for every one.
		err = r.storeBatch(batch, false)
	}
	return err
}

// storeBatch leaves out the comments imported before and stores the rest.
// With trustFresh, comments of articles this run created are not looked
// for: they cannot have been imported before, but under another article.
func (r *run) storeBatch(batch []tribune.Comment, trustFresh bool) error {
	fresh := make([]tribune.Comment, 0, len(batch))
	already := 0
	var check []tribune.Comment
	r.freshMu.RLock()
	for _, c := range batch {
		if trustFresh && r.fresh[c.ArticleID] {
			fresh = append(fresh, c)
		} else {
			check = append(check, c)
		}
	}
	r.freshMu.RUnlock()
	for start := 0; start < len(check); start += tribune.MaxQueryIDs {
		chunk := check[start:min(start+tribune.MaxQueryIDs, len(check))]
		ids := make([]uuid.UUID, len(chunk))
		for i, c := range chunk {
			ids[i] = c.ID
		}
		there, err := r.store.FindComments(r.ctx, tribune.Query{IDs: ids})
		if err != nil {
			return fmt.Errorf("importer: %s: %w", r.file, err)
		}
		seen := make(map[uuid.UUID]bool, len(there))
		for _, c := range there {
			seen[c.ID] = true
		}
		for _, c := range chunk {
			if seen[c.ID] {
				already++
				continue
			}
			fresh = append(fresh, c)
		}
	}
	if r.write && len(fresh) > 0 {
		if err := tribune.InsertComments(r.ctx, r.store, fresh); err != nil {
			return fmt.Errorf("importer: %s: %w", r.file, err)
		}
	}
	// Counted once stored: a batch tried again is not counted twice.
	r.rep.AlreadyThere += already
	for _, c := range fresh {
		r.rep.Imported[c.Status]++
		if c.ParentID != uuid.Nil {
			r.rep.Replies++
		}
	}
	return nil
}

// parentsFirst reorders a batch so that a reply never comes before a
// parent in the same batch.
func parentsFirst(cs []tribune.Comment) []tribune.Comment {
	in := make(map[uuid.UUID]bool, len(cs))
	for _, c := range cs {
		in[c.ID] = true
	}
	out := make([]tribune.Comment, 0, len(cs))
	placed := make(map[uuid.UUID]bool, len(cs))
	var place func(i int)
	byID := make(map[uuid.UUID]int, len(cs))
	for i, c := range cs {
		byID[c.ID] = i
	}
	place = func(i int) {
		c := cs[i]
		if placed[c.ID] {
			return
		}
		placed[c.ID] = true
		if in[c.ParentID] {
			place(byID[c.ParentID])
		}
		out = append(out, c)
	}
	for i := range cs {
		place(i)
	}
	return out
}

func fileError(file string, err error) error {
	var fe *FileError
	if errors.As(err, &fe) {
		if fe.File == "" {
			fe.File = file
		}
		return fe
	}
	var le *lineError
	if errors.As(err, &le) {
		return &FileError{File: file, Line: le.line, Err: le.err}
	}
	var oe *offsetError
	if errors.As(err, &oe) {
		return &FileError{File: file, Line: lineAt(file, oe.offset), Err: oe.err}
	}
	return &FileError{File: file, Err: err}
}

// lineAt is the line of a byte offset of a file (gunzipped).
func lineAt(path string, offset int64) int {
	f, err := openFile(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	line := 1
	for i := int64(0); i < offset; i++ {
		b, err := f.ReadByte()
		if err != nil {
			break
		}
		if b == '\n' {
			line++
		}
	}
	return line
}

// lineError is a reader's error at a line.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }
func (e *lineError) Unwrap() error { return e.err }

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

// whichCharacter says which character a refusal of a field is about, for
// notes: ", the name's U+202E at byte 4". Empty when the refusal is
// about no one character.
func whichCharacter(sc *Comment, err error) string {
	var ve *tribune.ValidationError
	if !errors.As(err, &ve) {
		return ""
	}
	for _, fe := range ve.Fields {
		if fe.Code != tribune.CodeInvisible && fe.Code != tribune.CodeControl && fe.Code != tribune.CodeInvalidUTF8 {
			continue
		}
		var v string
		switch fe.Field {
		case tribune.FieldName:
			v = sc.Author
		case tribune.FieldEmail:
			v = sc.Email
		case tribune.FieldWebsite:
			v = sc.Website
		case tribune.FieldBody:
			v = sc.Body
		default:
			continue
		}
		for i, r := range v {
			switch {
			case r == utf8.RuneError:
				return fmt.Sprintf(", the %s's byte %#x at byte %d (not UTF-8)", fe.Field, v[i], i)
			case unicode.IsControl(r) && r != '\n' && r != '\t' || unicode.Is(unicode.Cf, r) ||
				unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) || unicode.Is(unicode.Variation_Selector, r) || r == '\u2800':
				return fmt.Sprintf(", the %s's %U at byte %d", fe.Field, r, i)
			}
		}
	}
	return ""
}
