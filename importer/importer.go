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
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

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
		as, err := store.Articles(ctx, tribune.Span{Limit: tribune.MaxPageSize, Offset: off})
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
