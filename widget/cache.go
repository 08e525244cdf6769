package widget

import (
	"hash/maphash"
	"html/template"
	"io"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

// textHash hashes strings for the keys of cached texts.
func textHash(fields ...string) uint64 {
	var mh maphash.Hash
	mh.SetSeed(articleSeed)
	for _, f := range fields {
		mh.WriteString(f)
		mh.WriteByte(0)
	}
	return mh.Sum64() | 1
}

// cacheKey identifies a cached fragment: an article's public thread or
// its blank form, in one language, open or closed. There is one entry per
// key: a thread rendered at a newer stamp replaces the old one.
type cacheKey struct {
	form    bool
	article uuid.UUID
	lang    string
	closed  bool
	logIn   bool // the form replaced by "you must be logged in"
	page    int  // the comment page (0: the whole thread)
	// text is the hash of an article's fields, for its rendered text;
	// counts marks an article's counts.
	text                 uint64
	counts, head, layout bool
	slug                 string // an article by its slug
}

// articleSeed keys the hash of cached article texts.
var articleSeed = maphash.MakeSeed()

// articleHTML is the rendered article, from the cache when it was
// rendered from the same fields.
func (h *Handler) articleHTML(a *tribune.Article, lang string) (template.HTML, error) {
	if h.cache == nil {
		return h.renderer.ArticleHTML(a, lang)
	}
	key := cacheKey{article: a.ID, lang: lang,
		text: textHash(a.Slug, a.Title, a.Summary, a.Body, a.Author, a.Lang, a.Published.String(), a.Updated.String(), lang)}
	if e, ok := h.cache.Get(key); ok {
		return template.HTML(e.html), nil // rendered by the renderer
	}
	art, err := h.renderer.ArticleHTML(a, lang)
	if err == nil {
		h.cache.Put(key, cacheEntry{html: string(art)})
	}
	return art, err
}

// cacheEntry is a cached fragment. A thread is parts[0], valid while the
// article's stamp is stamp; a form is parts[0] + token + parts[1].
type cacheEntry struct {
	stamp   tribune.Stamp
	parts   [2][]byte
	html    string              // a rendered article
	counts  tribune.ThreadCount // an article's counts
	article tribune.Article     // an article read by its slug
}

func (e cacheEntry) size() int64 {
	a := &e.article
	// What the entry holds, by capacity: a buffer grown past its length
	// holds the rest too.
	return int64(cap(e.parts[0]) + cap(e.parts[1]) + len(e.html) +
		len(a.Slug) + len(a.Title) + len(a.Summary) + len(a.Body) + len(a.Author) + len(a.Lang))
}

// sectionParts is a rendered comment section: the public thread (shared,
// cached) and the form (this visitor's), in pieces written one after the
// other, never joined.
type sectionParts [][]byte

func (p sectionParts) writeTo(w io.Writer) error {
	for _, b := range p {
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return nil
}

func (p sectionParts) len() int {
	n := 0
	for _, b := range p {
		n += len(b)
	}
	return n
}
