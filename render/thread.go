package render

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
)

// anyViewer is the viewer who sees most: what it does not see (spam,
// trash), no view shows.
var anyViewer = tribune.Viewer{Moderator: true}

// shown drops what no viewer sees by the one visibility rule
// ([tribune.Viewer.Sees]), whatever a caller passes: the caller chose
// the held comments its viewer sees. It copies only when there is
// something to drop.
func shown(cs []tribune.Comment) []tribune.Comment {
	for i := range cs {
		if !anyViewer.Sees(cs[i]) {
			out := make([]tribune.Comment, 0, len(cs))
			for _, c := range cs {
				if anyViewer.Sees(c) {
					out = append(out, c)
				}
			}
			return out
		}
	}
	return cs
}

// writeThread writes the comments as nested list items in thread order:
// replies under their parent, oldest first. A reply whose parent is not
// shown is placed at the top level rather than lost.
func (r *Renderer) writeThread(b byteWriter, comments []tribune.Comment, l *i18n.Locale, open bool, mod *Moderation, own map[uuid.UUID]string, newestFirst bool) error {
	if len(comments) == 0 {
		return nil
	}
	order := make([]int, len(comments))
	byID := make(map[uuid.UUID]int, len(comments))
	for i := range comments {
		order[i] = i
		byID[comments[i].ID] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return comments[a].Created.Compare(comments[b].Created)
	})
	children := make(map[uuid.UUID][]int, len(comments)/2)
	var roots []int
	for _, i := range order {
		p := comments[i].ParentID
		if _, ok := byID[p]; ok && p != uuid.Nil && p != comments[i].ID {
			children[p] = append(children[p], i)
		} else {
			roots = append(roots, i)
		}
	}
	if newestFirst {
		slices.Reverse(roots)
	}
	var walk func(list []int, depth int) error
	walk = func(list []int, depth int) error {
		for _, i := range list {
			c := &comments[i]
			if err := r.writeComment(b, c, l, depth, open && depth < r.maxDepth, mod, own[c.ID]); err != nil {
				return err
			}
			if kids := children[c.ID]; len(kids) > 0 {
				if err := r.writeNest(b, nestOpen, depth+1); err != nil {
					return err
				}
				if err := walk(kids, depth+1); err != nil {
					return err
				}
				if err := r.writeNest(b, nestClose, depth+1); err != nil {
					return err
				}
			}
			if err := r.writeNest(b, nestEnd, depth); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(roots, 1)
}

// The nesting templates, by index in Renderer.nest.
const (
	nestOpen  = iota // "replies-open"
	nestClose        // "replies-close"
	nestEnd          // "comment-end"

	nestCached = 33 // depths 1 to 32 are rendered once
)

func (r *Renderer) execNest(k, depth int) (string, error) {
	var b strings.Builder
	if err := r.nestTmpl[k].Execute(&b, NestView{Depth: depth}); err != nil {
		return "", fmt.Errorf("tribune: rendering %q: %w", r.nestTmpl[k].Name(), err)
	}
	return b.String(), nil
}

// writeNest writes one nesting template for a depth.
func (r *Renderer) writeNest(b byteWriter, k, depth int) error {
	if depth < nestCached {
		_, err := b.WriteString(r.nest[depth][k])
		return err
	}
	s, err := r.execNest(k, depth)
	if err != nil {
		return err
	}
	_, err = b.WriteString(s)
	return err
}

type cacheKey struct {
	id      uuid.UUID
	version int
	// sum fingerprints what the item shows, so that a change made
	// without a new version (a host's raw UpdateComment) is never served
	// from the cache.
	sum   uint64
	lang  string
	reply bool
	depth int // a host's template may show it
}

// cacheSeed keys the fingerprints of cached comments.
var cacheSeed = maphash.MakeSeed()

// fingerprint hashes the fields a comment's item is rendered from.
func fingerprint(c *tribune.Comment) uint64 {
	var h maphash.Hash
	h.SetSeed(cacheSeed)
	for _, f := range [...]string{c.Body, c.AuthorName, c.Website, string(c.Status), c.UserID} {
		h.WriteString(f)
		h.WriteByte(0)
	}
	var t [32]byte
	copy(t[:16], c.ParentID[:])
	binary.LittleEndian.PutUint64(t[16:24], uint64(c.Created.UnixNano()))
	binary.LittleEndian.PutUint64(t[24:], uint64(c.Edited.UnixNano()))
	h.Write(t[:])
	return h.Sum64()
}

// writeComment writes one comment's item, from the cache when it can.
func (r *Renderer) writeComment(b byteWriter, c *tribune.Comment, l *i18n.Locale, depth int, canReply bool, mod *Moderation, editURL string) error {
	key := cacheKey{id: c.ID, version: c.Version, sum: fingerprint(c), lang: l.Tag(), reply: canReply, depth: depth}
	cache := r.cache
	if mod != nil || editURL != "" {
		cache = nil // a moderator's buttons carry their token, an author's links are theirs: never shared
	}
	if cache != nil {
		if s, ok := r.cache.Get(key); ok {
			_, err := b.WriteString(s)
			return err
		}
	}
	id := c.ID.String()
	anchor := "comment-" + id
	class := "tribune-comment"
	if c.Status == tribune.StatusPending {
		class += " tribune-pending"
	}
	name := displayName(c.AuthorName, l)
	website := SafeWebsite(c.Website)
	iso, date := c.Created.UTC().Format(time.RFC3339), l.DateTime(c.Created.In(r.loc))
	pending := c.Status == tribune.StatusPending
	// The small fragments are built in one buffer and cut out of it.
	var f strings.Builder
	f.Grow(768 + len(name)*2 + len(website))
	f.WriteString(`<span class="tribune-author" itemprop="author" itemscope itemtype="https://schema.org/Person">`)
	if website != "" {
		f.WriteString(`<a href="`)
		writeEscaped(&f, website)
		f.WriteString(`" rel="nofollow ugc external" itemprop="url">`)
	}
	f.WriteString(`<span itemprop="name">`)
	writeEscaped(&f, name)
	f.WriteString("</span>")
	if website != "" {
		f.WriteString("</a>")
	}
	f.WriteString("</span>")
	if c.UserID != "" {
		// Outside the name, from the stored user ID: no name typed
		// into the form can show it.
		f.WriteString(` <span class="tribune-member">`)
		writeEscaped(&f, l.T("thread.member"))
		f.WriteString(`</span>`)
	}
	f.WriteString("\n")
	f.WriteString(`<a class="tribune-permalink" href="`)
	permStart := f.Len()
	f.WriteString("#")
	f.WriteString(anchor)
	permEnd := f.Len()
	f.WriteString(`" title="`)
	writeEscaped(&f, l.T("thread.permalink"))
	f.WriteString(`"><time datetime="`)
	f.WriteString(iso)
	f.WriteString(`" itemprop="datePublished">`)
	writeEscaped(&f, date)
	f.WriteString(`</time></a>`)
	if !c.Edited.IsZero() {
		f.WriteString(` <span class="tribune-edited">`)
		writeEscaped(&f, l.T("thread.edited"))
		f.WriteString(`</span>`)
	}
	if pending {
		f.WriteString("\n" + `<p class="tribune-moderation" role="status">`)
		writeEscaped(&f, l.T("thread.pending"))
		f.WriteString("</p>")
	}
	metaEnd := f.Len()
	replyStart, replyEnd := 0, 0
	if !pending && canReply {
		f.WriteString(`<a rel="nofollow" class="tribune-reply-link" href="`)
		replyStart = f.Len()
		f.WriteString("?replytocom=")
		f.WriteString(id)
		f.WriteString("#respond")
		replyEnd = f.Len()
		f.WriteString(`" data-reply-to="`)
		f.WriteString(id)
		f.WriteString(`" aria-label="`)
		writeEscaped(&f, l.T("thread.reply_label", "name", name))
		f.WriteString(`">`)
		writeEscaped(&f, l.T("thread.reply"))
		f.WriteString("</a>")
	}
	frags := f.String()
	v := CommentView{
		L: l, ID: id, Anchor: anchor, Permalink: frags[permStart:permEnd], Author: name, Website: website,
		Created: c.Created, ISOTime: iso, Date: date, Depth: depth, Pending: pending, Member: c.UserID != "", ReplyURL: frags[replyStart:replyEnd],
		Attrs: template.HTMLAttr(`id="` + anchor + `" class="` + class + `"`), // constants and a UUID
		Meta:  template.HTML(frags[:metaEnd]),
		Reply: template.HTML(frags[metaEnd:]),
		Body:  template.HTML(c.Body),
	}
	if mod != nil {
		v.Moderate = moderateButtons(mod, c, l)
	}
	if editURL != "" {
		v.Own = ownLinks(editURL, name, l)
	}
	var buf strings.Builder
	buf.Grow(len(c.Body) + 1024)
	if err := r.comment.Execute(&buf, v); err != nil {
		return fmt.Errorf("tribune: rendering comment: %w", err)
	}
	s := buf.String()
	if cache != nil {
		cache.Put(key, s)
	}
	_, err := b.WriteString(s)
	return err
}

// ownLinks are the author's edit and delete links under their comment.
func ownLinks(editURL, name string, l *i18n.Locale) template.HTML {
	var b strings.Builder
	b.WriteString(`<p class="tribune-own"><a rel="nofollow" href="`)
	writeEscaped(&b, editURL)
	b.WriteString(`">`)
	writeEscaped(&b, l.T("thread.edit"))
	b.WriteString(`</a> <a rel="nofollow" href="`)
	writeEscaped(&b, editURL+"#delete")
	b.WriteString(`">`)
	writeEscaped(&b, l.T("thread.delete"))
	b.WriteString(`</a></p>`)
	return template.HTML(b.String()) // fixed markup, escaped values
}

// moderateButtons writes the moderation form under a comment.
func moderateButtons(mod *Moderation, c *tribune.Comment, l *i18n.Locale) template.HTML {
	id := c.ID.String()
	var b strings.Builder
	b.WriteString(`<form class="tribune-moderate" method="post" action="`)
	writeEscaped(&b, mod.Action)
	b.WriteString(`">`)
	for _, h := range mod.Hidden {
		b.WriteString(`<input type="hidden" name="`)
		writeEscaped(&b, h.Name)
		b.WriteString(`" value="`)
		writeEscaped(&b, h.Value)
		b.WriteString(`">`)
	}
	b.WriteString(`<input type="hidden" name="return" value="`)
	writeEscaped(&b, mod.ReturnURL+"#comment-"+id)
	b.WriteString(`">`)
	first := [2]string{"approve", "admin.approve"}
	if c.Status == tribune.StatusApproved {
		first = [2]string{"unapprove", "admin.unapprove"}
	}
	for _, a := range [][2]string{first, {"spam", "admin.mark_spam"}, {"trash", "admin.mark_trash"}} {
		b.WriteString(` <button type="submit" name="one" value="` + a[0] + ":" + id + `">`)
		writeEscaped(&b, l.T(a[1]))
		b.WriteString("</button>")
	}
	b.WriteString("</form>")
	return template.HTML(b.String()) // fixed markup, escaped values
}
