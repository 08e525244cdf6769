package widget

import (
	"bytes"
	"context"
	"net/http"
	"slices"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/render"
)

// pagedThread renders the page of the thread the request asks for: from
// the cache when the visitor sees what everyone sees, else for them
// alone (their own pending comments, a moderator's buttons).
func (h *Handler) pagedThread(ctx context.Context, r *http.Request, section *render.Section, own []uuid.UUID, moderator bool, st stamped) (piece, error) {
	a := section.Article
	// The public page is cached under the article's stamp, which every
	// change moves, on every instance, and which is read before anything
	// else: what is cached is never older than its stamp.
	if h.cache != nil && !st.ok {
		stamp, err := h.svc.Stamp(ctx, a.ID)
		if err != nil {
			return piece{}, err
		}
		st = stamped{stamp: stamp, ok: true}
	}
	p, err := h.pagesFor(ctx, r, a, section.Form.ReplyTo, st)
	if err != nil {
		return piece{}, err
	}
	section.Pages, section.NewestFirst = h.pagination(a, p), h.cfg.newestFirst
	if section.Moderation != nil {
		section.Moderation.ReturnURL = h.pageURL(a, p, p.current)
	}
	// The visitor's own pending comments, read by their IDs: a visitor
	// with some sees a page nobody else does, rendered for them alone.
	mine, err := h.ownOnPage(ctx, r, section, own, moderator)
	if err != nil {
		return piece{}, err
	}
	personal := moderator || len(mine) > 0 || len(section.Editable) > 0
	// Held top-level comments a visitor may see (their own, or all of
	// them for a moderator) are on the page where new comments land;
	// held replies come with their thread's page.
	var held []tribune.Comment
	if p.current == h.newest(p) {
		if moderator {
			if mine, err = h.svc.Held(ctx, a.ID, tribune.Viewer{Moderator: true}); err != nil {
				return piece{}, err
			}
		}
		for _, c := range mine {
			if c.ParentID == uuid.Nil {
				held = append(held, c)
			}
		}
	}
	ownPending := make([]uuid.UUID, len(mine))
	for i, c := range mine {
		ownPending[i] = c.ID
	}
	key := cacheKey{article: a.ID, lang: section.Lang, closed: a.CommentsClosed, page: p.current}
	if e, ok := h.cachedAt(key, st); ok && !personal {
		return e.piece(0), nil
	}
	comments, err := h.svc.Page(ctx, h.pageQuery(a, p), tribune.Viewer{Own: ownPending, Moderator: moderator})
	if err != nil {
		return piece{}, err
	}
	section.Comments = append(comments, held...)
	var b bytes.Buffer
	if err := h.renderer.RenderThread(&b, *section); err != nil {
		return piece{}, err
	}
	if st.ok && !personal {
		e := partsEntry(st.stamp, b.Bytes(), nil)
		h.cache.Put(key, e)
		return e.piece(0), nil
	}
	return piece{b: b.Bytes()}, nil
}

// ownOnPage reads the visitor's own comments on the article, by their
// IDs: it returns the held ones, which they alone see, and puts those
// they may still edit in section.Editable.
func (h *Handler) ownOnPage(ctx context.Context, r *http.Request, section *render.Section, own []uuid.UUID, moderator bool) ([]tribune.Comment, error) {
	if len(own) == 0 || moderator && h.cfg.editWindow == 0 {
		return nil, nil
	}
	cs, err := h.svc.Own(ctx, section.Article.ID, own)
	if err != nil {
		return nil, err
	}
	section.Editable = h.ownEditable(r, cs)
	if moderator {
		return nil, nil // a moderator sees every held comment anyway
	}
	return slices.DeleteFunc(cs, func(c tribune.Comment) bool { return c.Status != tribune.StatusPending }), nil
}

// wholeThread renders every comment on one page (Pages{Size: OnePage}).
func (h *Handler) wholeThread(ctx context.Context, r *http.Request, section *render.Section, own []uuid.UUID, moderator bool) (piece, error) {
	a := section.Article
	// The visitor's own pending comments, read by their IDs: a visitor
	// with some sees a thread nobody else does, rendered for them alone.
	mine, err := h.ownOnPage(ctx, r, section, own, moderator)
	if err != nil {
		return piece{}, err
	}
	key := cacheKey{article: a.ID, lang: section.Lang, closed: a.CommentsClosed}
	if h.cache == nil || len(mine) > 0 || moderator || len(section.Editable) > 0 {
		comments, err := h.svc.Thread(ctx, a.ID, tribune.Viewer{Own: own, Moderator: moderator})
		if err != nil {
			return piece{}, err
		}
		section.Comments = comments
		var b bytes.Buffer
		err = h.renderer.RenderThread(&b, *section)
		return piece{b: b.Bytes()}, err
	}
	stamp, err := h.svc.Stamp(ctx, a.ID)
	if err != nil {
		return piece{}, err
	}
	if e, ok := h.cache.Get(key); ok && e.stamp == stamp {
		return e.piece(0), nil
	}
	comments, err := h.svc.Thread(ctx, a.ID, tribune.Viewer{})
	if err != nil {
		return piece{}, err
	}
	section.Comments = comments
	var b bytes.Buffer
	if err := h.renderer.RenderThread(&b, *section); err != nil {
		return piece{}, err
	}
	e := partsEntry(stamp, b.Bytes(), nil)
	h.cache.Put(key, e)
	return e.piece(0), nil
}
