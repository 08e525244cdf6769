package widget

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// assets serves widget.css and widget.js under content-hashed names, so
// they can be cached for a year and still change with each release.
type assets struct {
	files  map[string][]byte // by real name
	hashed map[string]string // hashed name -> real name
	names  map[string]string // real name -> hashed name
}

func newAssets(over fs.FS) (*assets, error) {
	base, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	a := &assets{files: map[string][]byte{}, hashed: map[string]string{}, names: map[string]string{}}
	entries, err := fs.ReadDir(base, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		name := e.Name()
		data, err := fs.ReadFile(base, name)
		if err != nil {
			return nil, err
		}
		if over != nil {
			switch o, err := fs.ReadFile(over, name); {
			case err == nil:
				data = o
			case !errors.Is(err, fs.ErrNotExist):
				return nil, err
			}
		}
		sum := sha256.Sum256(data)
		ext := path.Ext(name)
		h := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		a.files[name], a.hashed[h], a.names[name] = data, name, h
	}
	return a, nil
}

// assetURL returns the hashed URL of a built-in asset.
func (h *Handler) assetURL(name string) string {
	return h.cfg.prefix + "/static/" + h.assets.names[name]
}

var startTime = time.Now()

func (h *Handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	real, ok := h.assets.hashed[name]
	immutable := ok
	if !ok {
		real = name // the plain name works too, with a short cache life
	}
	data, ok := h.assets.files[real]
	if !ok {
		h.notFound(w, r)
		return
	}
	hdr := w.Header()
	hdr.Set("Content-Type", mime.TypeByExtension(path.Ext(real)))
	if immutable {
		hdr.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		hdr.Set("Cache-Control", "public, max-age=300")
	}
	http.ServeContent(w, r, real, startTime, strings.NewReader(string(data)))
}
