package widget

import (
	"hash/crc32"
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
	// layoutPiece marks a piece of a host's layout, by the hash of its
	// bytes (text).
	layoutPiece bool
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
// article's stamp is stamp; a form is parts[0] + token + parts[1]. z
// holds each part compressed (see [deflatePiece]), made once when the
// entry is, so that a gzipped page compresses only what is its visitor's.
type cacheEntry struct {
	stamp   tribune.Stamp
	parts   [2][]byte
	z       [2][]byte
	crc     [2]uint32           // each part's CRC-32
	sum     [2]digest           // each part's digest, for the ETags of pages
	html    string              // a rendered article
	counts  tribune.ThreadCount // an article's counts
	article tribune.Article     // an article read by its slug
}

func (e cacheEntry) size() int64 {
	a := &e.article
	// What the entry holds, by capacity: a buffer grown past its length
	// holds the rest too.
	return int64(cap(e.parts[0]) + cap(e.parts[1]) + cap(e.z[0]) + cap(e.z[1]) + len(e.html) +
		len(a.Slug) + len(a.Title) + len(a.Summary) + len(a.Body) + len(a.Author) + len(a.Lang))
}

// partsEntry is a cache entry of one or two parts, compressed once here.
func partsEntry(stamp tribune.Stamp, first, second []byte) cacheEntry {
	e := cacheEntry{stamp: stamp, parts: [2][]byte{first, second}}
	for i, b := range e.parts {
		if b != nil {
			e.z[i], e.crc[i], e.sum[i] = deflatePiece(b), crc32.ChecksumIEEE(b), digestOf(b)
		}
	}
	return e
}

// piece returns part i of a cached entry, with its compressed form.
func (e cacheEntry) piece(i int) piece {
	return piece{b: e.parts[i], z: e.z[i], crc: e.crc[i], sum: e.sum[i], summed: true}
}

// piece is one piece of a page: its bytes and, for a piece that comes
// from the cache (the same for every visitor), the same bytes as a
// deflate segment made when it was cached; a piece of one visitor's (the
// form's token, their own held comments, a host's layout) has none and
// is compressed as it is sent. crc is the CRC-32 of b when z is set,
// and sum its digest (see [Handler.pageTag]) when summed is. token marks
// the form's token, which a page's ETag leaves out.
type piece struct {
	b, z          []byte
	crc           uint32
	sum           digest
	summed, token bool
}

// sectionParts is a rendered comment section: the public thread (shared,
// cached) and the form (this visitor's), in pieces written one after the
// other, never joined.
type sectionParts []piece

// raw is sectionParts of pieces no cache holds.
func raw(bs ...[]byte) sectionParts {
	out := make(sectionParts, len(bs))
	for i, b := range bs {
		out[i] = piece{b: b}
	}
	return out
}

func (p sectionParts) writeTo(w io.Writer) error {
	for _, x := range p {
		if _, err := w.Write(x.b); err != nil {
			return err
		}
	}
	return nil
}

func (p sectionParts) len() int {
	n := 0
	for _, x := range p {
		n += len(x.b)
	}
	return n
}
