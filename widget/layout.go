package widget

import (
	"bytes"
	"crypto/rand"
	"errors"
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
		h.writeLayout(w, r, status, p, parts)
		return
	}
	page, err := h.defaultPage(p, parts)
	if err != nil {
		h.serverError(w, r, "page layout", err)
		return
	}
	h.writePage(w, status, page)
}

// writePage sends a page whose pieces are all known, with its length, in
// one write: gathered in a pooled buffer (a copy costs less than a system
// call a piece).
func (h *Handler) writePage(w http.ResponseWriter, status int, page sectionParts) {
	h.setPageHeaders(w)
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
func (h *Handler) writeLayout(w http.ResponseWriter, r *http.Request, status int, p Layout, section sectionParts) {
	b := pageBuffers.Get().(*bytes.Buffer)
	defer putPageBuffer(b)
	if err := h.cfg.page(b, r, p); err != nil {
		h.cfg.logger.Error("tribune: page layout", "err", err, "path", RedactPath(r.URL.Path))
		http.Error(w, h.locale(r, p.Article).T("widget.server"), http.StatusInternalServerError)
		return
	}
	page := b.Bytes()
	if section != nil {
		var out sectionParts
		rest := page
		for {
			before, after, found := bytes.Cut(rest, []byte(sectionPlaceholder))
			out = append(out, before)
			if !found {
				break
			}
			out = append(out, section...)
			rest = after
		}
		out2 := pageBuffers.Get().(*bytes.Buffer)
		defer putPageBuffer(out2)
		_ = out.writeTo(out2)
		page = out2.Bytes()
	}
	h.setPageHeaders(w)
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	_, _ = w.Write(page)
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
			return append(append(sectionParts{e.parts[0]}, parts...), e.parts[1]), nil
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
		h.cache.Put(key, cacheEntry{parts: [2][]byte{start.Bytes(), end.Bytes()}})
	}
	return append(append(sectionParts{start.Bytes()}, parts...), end.Bytes()), nil
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
