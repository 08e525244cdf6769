package widget

import (
	"bytes"
	"crypto/rand"
	"errors"
	"hash/maphash"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/tribune-go/tribune"
)

func (h *Handler) writeArticlePage(w http.ResponseWriter, r *http.Request, a *tribune.Article, status int, st formState) {
	l := h.locale(r, a)
	// Everything that can fail runs before the status is written.
	parts, err := h.sectionParts(r, a, st)
	if errors.Is(err, ErrNoCommentPage) {
		h.noSuchPage(w, r, a)
		return
	}
	if err != nil {
		if r.Method == http.MethodPost && errors.Is(err, tribune.ErrUnavailable) {
			// A post the store could not take nor show around its
			// article: the form alone, with everything typed.
			if st.token == "" {
				st.token = h.formToken(a.ID, h.now())
			}
			h.unavailablePost(w, r, a, st, "post: section", err)
			return
		}
		h.serverError(w, r, "render section", err)
		return
	}
	art, err := h.articleHTML(a, l.Tag())
	if err != nil {
		h.serverError(w, r, "render article", err)
		return
	}
	p := Layout{Article: a, Lang: l.Tag(), Title: a.Title, Head: h.HeadHTML(a), ArticleHTML: art, HomeURL: h.cfg.homeURL}
	if h.cfg.page != nil {
		// The layout gets a placeholder for the section, which is put in
		// its place as the page is sent: the section, most of the page,
		// is never joined into one string nor copied through a template.
		p.Section = sectionPlaceholder
		h.writeLayout(w, r, status, p, parts, true)
		return
	}
	page, err := h.defaultPage(p, parts)
	if err != nil {
		h.serverError(w, r, "page layout", err)
		return
	}
	h.writePage(w, r, status, page, true)
}

// writePage sends a page whose pieces are all known, with its length, in
// one write: gathered in a pooled buffer (a copy costs less than a system
// call a piece). A tagged page (an article's, with its comments) that is
// sent with 200 carries its ETag and may be kept by the browser, which
// asks again each time: it is answered 304 while its tag holds.
func (h *Handler) writePage(w http.ResponseWriter, r *http.Request, status int, page sectionParts, tagged bool) {
	h.setPageHeaders(w)
	if tagged && status == http.StatusOK {
		w.Header().Set("Cache-Control", "private, no-cache")
		if notModified(w, r, h.pageTag(page, h.now())) {
			return
		}
	}
	if page.len() >= minCompress && gzipTarget(w) != nil {
		b := pageBuffers.Get().(*bytes.Buffer)
		defer putPageBuffer(b)
		gzipPieces(b, page)
		hdr := w.Header()
		hdr.Set("Content-Encoding", "gzip")
		hdr.Add("Vary", "Accept-Encoding")
		hdr.Set("Content-Length", strconv.Itoa(b.Len()))
		w.WriteHeader(status)
		_, _ = w.Write(b.Bytes())
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(page.len()))
	w.WriteHeader(status)
	if page.len() > maxPooled {
		_ = page.writeTo(w)
		return
	}
	b := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(b)
	_ = page.writeTo(b)
	_, _ = w.Write(b.Bytes())
}

// writeLayout renders a page in the host's layout into a pooled buffer,
// puts the section's parts where the layout wrote sectionPlaceholder, and
// sends it with its length, in one write; a layout that fails is a 500
// with the widget's error page, not half a page.
func (h *Handler) writeLayout(w http.ResponseWriter, r *http.Request, status int, p Layout, section sectionParts, tagged bool) {
	b := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(b)
	if err := h.cfg.page(b, r, p); err != nil {
		h.cfg.logger.Error("tribune: page layout", "err", err, "path", RedactPath(r.URL.Path))
		http.Error(w, h.locale(r, p.Article).T("widget.server"), http.StatusInternalServerError)
		return
	}
	var out sectionParts
	rest := b.Bytes()
	for {
		before, after, found := bytes.Cut(rest, []byte(sectionPlaceholder))
		if section == nil {
			before, found = rest, false
		}
		out = append(out, h.layoutPiece(before))
		if !found {
			break
		}
		out = append(out, section...)
		rest = after
	}
	h.writePage(w, r, status, out, tagged)
}

// layoutPiece is a piece of a host's layout around the section. A layout
// mostly writes the same bytes around the section for every visitor of a
// page, so a piece seen twice is kept compressed in the cache under the
// hash of its bytes, with the bytes, and its compressed form is used only
// for the very same bytes (compared whole): a piece that holds a
// visitor's own data is never anyone else's. A piece seen once costs the
// cache a key, not a copy, so layouts that differ per visitor do not
// push threads out.
func (h *Handler) layoutPiece(b []byte) piece {
	if h.cache == nil || len(b) < minCompress {
		return piece{b: b}
	}
	key := cacheKey{layoutPiece: true, text: maphash.Bytes(articleSeed, b) | 1}
	e, ok := h.cache.Get(key)
	switch {
	case ok && e.parts[0] != nil:
		if bytes.Equal(e.parts[0], b) {
			return e.piece(0)
		}
		return piece{b: b}
	case ok: // seen once: keep it now
		e = partsEntry(0, bytes.Clone(b), nil)
		h.cache.Put(key, e)
		return e.piece(0)
	}
	h.cache.Put(key, cacheEntry{})
	return piece{b: b}
}

// sectionPlaceholder stands for the comment section in Page.Section while
// the host's layout runs; it is made of characters no escaper changes,
// and random to each process, so no text a visitor typed (a comment a
// layout lists in a sidebar) can pass for it.
var sectionPlaceholder = template.HTML("tribune-section-" + rand.Text())

// maxPooled is the largest page buffer kept for the next page.
const maxPooled = 4 << 20

var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putPageBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		b.Reset()
		pageBuffers.Put(b)
	}
}

// defaultPage is the widget's own layout around the article and the
// section: the two template halves are small and rendered here, the big
// pieces are passed through as they are.
func (h *Handler) defaultPage(p Layout, parts sectionParts) (sectionParts, error) {
	// An article's two halves, the article included, are the same for
	// every visitor: rendered once for what they show, then cached.
	var key cacheKey
	if h.cache != nil && p.Article != nil {
		key = cacheKey{article: p.Article.ID, lang: p.Lang, layout: true,
			text: textHash(p.Title, string(p.Head), string(p.ArticleHTML), p.HomeURL, p.BackURL, p.BackLabel, p.Message)}
		if e, ok := h.cache.Get(key); ok {
			return append(append(sectionParts{e.piece(0)}, parts...), e.piece(1)), nil
		}
	}
	l := h.renderer.Catalog().Locale(p.Lang)
	v := struct {
		Layout
		Back string
	}{p, l.T("widget.home")}
	var start, end bytes.Buffer
	if err := h.pages.ExecuteTemplate(&start, "page-start", v); err != nil {
		return nil, err
	}
	if err := h.pages.ExecuteTemplate(&end, "page-end", v); err != nil {
		return nil, err
	}
	if p.Article != nil {
		start.WriteString(string(p.ArticleHTML))
		start.WriteString("\n")
	}
	if key != (cacheKey{}) {
		e := partsEntry(0, start.Bytes(), end.Bytes())
		h.cache.Put(key, e)
		return append(append(sectionParts{e.piece(0)}, parts...), e.piece(1)), nil
	}
	return append(append(raw(start.Bytes()), parts...), piece{b: end.Bytes()}), nil
}

// layout writes a page without an article (an error) with the host's
// layout or the widget's.
func (h *Handler) layout(w io.Writer, r *http.Request, p Layout) error {
	if h.cfg.page == nil {
		page, err := h.defaultPage(p, nil)
		if err != nil {
			return err
		}
		return page.writeTo(w)
	}
	return h.cfg.page(w, r, p)
}
