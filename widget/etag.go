package widget

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"net/http"
	"runtime/debug"
	"strings"
	"time"
)

// Conditional GETs. Every page, comment page, feed and JSON list the
// widget serves carries a weak ETag made from what it shows, and a
// request whose If-None-Match names it gets 304 Not Modified:
//
//   - a page's tag hashes its pieces: each cached piece's digest, made
//     once when it was cached, and the visitor's own pieces (their held
//     comments, their remembered details, a moderator's buttons, a host
//     layout's bytes) hashed as they are sent. The form's token is left
//     out, and the hour it was issued in is put in its place: a browser
//     told 304 keeps the page it has, whose token is at most that old, so
//     it is still good to post with (a token lives for a day), and a form
//     sent twice from two tabs showing that page makes one comment and
//     shows the other text again with a fresh form (tribune.ErrReplayed).
//     A tag is the page's content, so no change to the thread, the
//     language, the visitor's state or the host's layout can keep it;
//   - a feed's tag hashes the entries it is made of; the comments list of
//     the API is tagged with the article's stamp, read before the list;
//     the counts with their bytes.
//
// Pages say "private, no-cache": a browser may keep them and must ask
// again; no shared cache may keep one (each carries its visitor's
// token). Feeds and the anonymous API may be kept by any cache.

// makeTagSeed is what starts every tag: the build (a new version may
// render the same thread otherwise) and the handler's address settings.
func (cfg *config) makeTagSeed() []byte {
	d := sha256.New()
	d.Write([]byte("tribune-etag\x00"))
	if bi, ok := debug.ReadBuildInfo(); ok {
		d.Write([]byte(bi.Main.Version))
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.modified" {
				d.Write([]byte(s.Value))
			}
		}
	}
	site := ""
	if cfg.siteURL != nil {
		site = cfg.siteURL.String()
	}
	for _, s := range []string{cfg.prefix, site, cfg.lang} {
		d.Write([]byte{0})
		d.Write([]byte(s))
	}
	return d.Sum(nil)
}

// digest is what a tag keeps of a piece of content.
type digest [16]byte

func digestOf(b []byte) digest {
	s := sha256.Sum256(b)
	return digest(s[:16])
}

// tagger builds one ETag.
type tagger struct{ d hash.Hash }

func (h *Handler) newTagger(kind string) tagger {
	t := tagger{sha256.New()}
	t.d.Write(h.cfg.tagSeed)
	t.string(kind)
	return t
}

// string adds a string, delimited.
func (t tagger) string(s string) {
	var n [binary.MaxVarintLen64]byte
	t.d.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
	t.d.Write([]byte(s))
}

func (t tagger) int(v int64) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(v))
	t.d.Write(n[:])
}

func (t tagger) tag() string {
	return `W/"` + base64.RawURLEncoding.EncodeToString(t.d.Sum(nil)[:18]) + `"`
}

// tokenWindow is how long a page stays the same for its tag while its
// token ages: an hour, or a twenty-fourth of the token's life if that is
// shorter.
func (h *Handler) tokenWindow() time.Duration {
	return min(time.Hour, max(h.cfg.tokenTTL/24, time.Second))
}

// pageTag is the ETag of a page made of these pieces, sent at now.
func (h *Handler) pageTag(page sectionParts, now time.Time) string {
	t := h.newTagger("page")
	for _, p := range page {
		switch {
		case p.token:
			t.int(now.UnixNano() / int64(h.tokenWindow()))
		case p.summed:
			t.d.Write(p.sum[:])
		default:
			s := digestOf(p.b)
			t.d.Write(s[:])
		}
	}
	return t.tag()
}

// notModified sets the answer's ETag and reports whether the request's
// If-None-Match names it, in which case it has sent 304 Not Modified
// (with the headers already set) and the caller sends nothing more.
// Only a GET or HEAD is answered so.
func notModified(w http.ResponseWriter, r *http.Request, tag string) bool {
	w.Header().Set("ETag", tag)
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if !matchesTag(r.Header.Values("If-None-Match"), tag) {
		return false
	}
	hdr := w.Header()
	hdr.Del("Content-Length")
	hdr.Del("Content-Encoding")
	if !strings.Contains(strings.Join(hdr.Values("Vary"), ","), "Accept-Encoding") {
		hdr.Add("Vary", "Accept-Encoding")
	}
	w.WriteHeader(http.StatusNotModified)
	return true
}

// matchesTag reports whether an If-None-Match list names tag, by the
// weak comparison (RFC 9110, 13.1.2): "*" names any.
func matchesTag(lists []string, tag string) bool {
	want := strings.TrimPrefix(tag, "W/")
	for _, list := range lists {
		for c := range strings.SplitSeq(list, ",") {
			c = strings.TrimSpace(c)
			if c == "*" || strings.TrimPrefix(c, "W/") == want {
				return true
			}
		}
	}
	return false
}
