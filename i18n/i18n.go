package i18n

import (
	"cmp"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/tribune-go/tribune"
)

//go:embed locales/*.json
var localeFS embed.FS

// DefaultLang is the language used when nothing better matches: the seed
// site is French.
const DefaultLang = "fr"

// Locale is one language's message catalogue, plural rule and date forms.
// Locales never change once built, so they are safe for concurrent use. A
// key the language lacks comes from English.
type Locale struct {
	tag       string
	name      string
	months    [12]string
	thousands string
	msgs      map[string]string
	plural    language.Tag
	fallback  *Locale // English, for keys this catalogue lacks; nil for English
}

// catalogFile is the JSON shape of a catalogue, the built-in ones and a
// host's alike. A host's file may give only the messages it changes.
type catalogFile struct {
	Tag       string            `json:"tag"`
	Name      string            `json:"name"`
	Months    []string          `json:"months"`
	Thousands string            `json:"thousands"`
	Messages  map[string]string `json:"messages"`
}

// Catalog is a set of locales: the built-in French and English
// ([DefaultCatalog]), with whatever a host adds or rewords
// ([Catalog.WithMessages]). It never changes once built.
type Catalog struct {
	locales map[string]*Locale
}

var builtin = mustBuiltin()

func mustBuiltin() *Catalog {
	files, err := fs.Glob(localeFS, "locales/*.json")
	if err != nil || len(files) == 0 {
		panic("tribune: no embedded locales")
	}
	c := &Catalog{locales: map[string]*Locale{}}
	for _, f := range files {
		if c, err = c.withFile(localeFS, f, ""); err != nil {
			panic(err)
		}
	}
	c.link()
	return c
}

// DefaultCatalog returns the built-in catalogues.
func DefaultCatalog() *Catalog { return builtin }

// WithMessages returns a new catalog: c with the messages of every *.json
// file at the root of fsys (the built-in catalogues' shape) laid over
// language lang's. A language c lacks is added: it needs its months, and
// any key it does not give comes from English. c itself is unchanged.
func (c *Catalog) WithMessages(lang string, fsys fs.FS) (*Catalog, error) {
	files, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("tribune: messages for %q: %w", lang, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("tribune: messages for %q: no .json file", lang)
	}
	out := c
	for _, f := range files {
		if out, err = out.withFile(fsys, f, lang); err != nil {
			return nil, err
		}
	}
	out.link()
	return out, nil
}

// withFile returns a copy of c with one catalogue file merged in, for
// language lang (or the file's own tag when lang is "").
func (c *Catalog) withFile(fsys fs.FS, name, lang string) (*Catalog, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("tribune: catalogue %s: %w", name, err)
	}
	var raw catalogFile
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("tribune: catalogue %s: %w", name, err)
	}
	tag := strings.ToLower(cmp.Or(lang, raw.Tag))
	if tag == "" {
		return nil, fmt.Errorf("tribune: catalogue %s: no language tag", name)
	}
	pt, err := language.Parse(tag)
	if err != nil {
		return nil, fmt.Errorf("tribune: catalogue %s: language %q: %w", name, tag, err)
	}
	out := &Catalog{locales: maps.Clone(c.locales)}
	l := &Locale{tag: tag, msgs: map[string]string{}, plural: pt}
	if old, ok := c.locales[tag]; ok {
		cp := *old
		l = &cp
		l.msgs = maps.Clone(old.msgs)
	}
	l.name = cmp.Or(raw.Name, l.name, tag)
	l.thousands = cmp.Or(raw.Thousands, l.thousands, ",")
	switch {
	case len(raw.Months) == 12:
		copy(l.months[:], raw.Months)
	case len(raw.Months) != 0 || l.months[0] == "":
		return nil, fmt.Errorf("tribune: catalogue %s: a new language needs its 12 months", name)
	}
	maps.Copy(l.msgs, raw.Messages)
	out.locales[tag] = l
	return out, nil
}

// link points every locale but English at English for missing keys. A
// locale shared with the catalogue c was made from is never written to
// (another goroutine may be reading it): one that needs a new fallback
// is copied.
func (c *Catalog) link() {
	en := c.locales["en"]
	for tag, l := range c.locales {
		if tag != "en" && l.fallback != en {
			cp := *l
			cp.fallback = en
			c.locales[tag] = &cp
		}
	}
}

// Languages returns the catalog's language tags, sorted.
func (c *Catalog) Languages() []string {
	tags := slices.Collect(maps.Keys(c.locales))
	slices.Sort(tags)
	return tags
}

// Gaps returns the keys English has and language tag does not (they show
// in English), sorted: what a host's catalogue still has to translate.
func (c *Catalog) Gaps(tag string) []string {
	l, ok := c.lookup(tag)
	en := c.locales["en"]
	if !ok || en == nil {
		return nil
	}
	var gaps []string
	for k := range en.msgs {
		if _, ok := l.msgs[k]; !ok {
			gaps = append(gaps, k)
		}
	}
	slices.Sort(gaps)
	return gaps
}

// Locale returns the catalogue for a BCP 47 tag, matching on the primary
// language ("fr-CA" gives French), or the [DefaultLang] one.
func (c *Catalog) Locale(tag string) *Locale {
	if l, ok := c.lookup(tag); ok {
		return l
	}
	return c.locales[DefaultLang]
}

// Has reports whether the catalog has a language.
func (c *Catalog) Has(tag string) bool { _, ok := c.lookup(tag); return ok }

func (c *Catalog) lookup(tag string) (*Locale, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	l, ok := c.locales[tag]
	return l, ok
}

// Match picks the catalogue that best fits an Accept-Language header
// value, honouring q-values; it returns fallback's catalogue when nothing
// matches.
func (c *Catalog) Match(acceptLanguage, fallback string) *Locale {
	best, bestQ := (*Locale)(nil), 0.0
	for i, part := range strings.Split(acceptLanguage, ",") {
		if i >= 32 {
			break
		}
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				continue
			}
			q = f
		}
		if l, ok := c.lookup(tag); ok && q > bestQ {
			best, bestQ = l, q
		}
	}
	if best == nil {
		return c.Locale(fallback)
	}
	return best
}

// Languages returns the tags of the built-in catalogues, sorted.
func Languages() []string { return builtin.Languages() }

// For returns the built-in catalogue for a tag (see [Catalog.Locale]).
func For(tag string) *Locale { return builtin.Locale(tag) }

// Match picks a built-in catalogue for an Accept-Language header
// (see [Catalog.Match]).
func Match(acceptLanguage, fallback string) *Locale {
	return builtin.Match(acceptLanguage, fallback)
}

// Tag returns the locale's language tag, such as "fr".
func (l *Locale) Tag() string { return l.tag }

// Name returns the language's own name, such as "Français".
func (l *Locale) Name() string { return l.name }

// T returns the message for key with its {placeholders} filled from
// args, given as name, value pairs. A key the language lacks comes from
// English; one English lacks too returns the key itself, so a gap shows
// in tests rather than as a blank.
func (l *Locale) T(key string, args ...string) string {
	msg, ok := l.msgs[key]
	if !ok && l.fallback != nil {
		msg, ok = l.fallback.msgs[key]
	}
	if !ok {
		return key
	}
	if len(args) == 0 || !strings.Contains(msg, "{") {
		return msg
	}
	return fill(msg, args)
}

// fill replaces {name} placeholders with values from name, value pairs.
func fill(msg string, args []string) string {
	var b strings.Builder
	b.Grow(len(msg) + 16)
	for {
		i := strings.IndexByte(msg, '{')
		if i < 0 {
			b.WriteString(msg)
			return b.String()
		}
		j := strings.IndexByte(msg[i:], '}')
		if j < 0 {
			b.WriteString(msg)
			return b.String()
		}
		b.WriteString(msg[:i])
		name := msg[i+1 : i+j]
		found := false
		for k := 0; k+1 < len(args); k += 2 {
			if args[k] == name {
				b.WriteString(args[k+1])
				found = true
				break
			}
		}
		if !found {
			b.WriteString(msg[i : i+j+1])
		}
		msg = msg[i+j+1:]
	}
}

// Has reports whether the catalogue, or English behind it, has key.
func (l *Locale) Has(key string) bool {
	if _, ok := l.msgs[key]; ok {
		return true
	}
	if l.fallback != nil {
		_, ok := l.fallback.msgs[key]
		return ok
	}
	return false
}

// Keys returns every message key of the catalogue, sorted.
func (l *Locale) Keys() []string {
	keys := make([]string, 0, len(l.msgs))
	for k := range l.msgs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Count returns the comment count as words: "Aucun commentaire",
// "1 commentaire", "3 commentaires"; "No comments", "1 comment". The form
// follows the language's CLDR plural rule (golang.org/x/text): a
// catalogue gives count.zero (used for 0 when present) and whichever of
// count.one, count.two, count.few, count.many and count.other its
// language has ("5 komentarzy", "2 komentarze" in Polish).
func (l *Locale) Count(n int) string {
	if n <= 0 && l.Has("count.zero") {
		return l.T("count.zero")
	}
	key := "count." + pluralForm(l.plural, n)
	if _, ok := l.msgs[key]; !ok {
		key = "count.other"
	}
	return l.T(key, "n", l.Number(n))
}

// pluralForm is the CLDR cardinal category of the integer n in lang.
func pluralForm(lang language.Tag, n int) string {
	if n < 0 {
		n = -n
	}
	switch plural.Cardinal.MatchPlural(lang, n, 0, 0, 0, 0) {
	case plural.Zero:
		return "zero"
	case plural.One:
		return "one"
	case plural.Two:
		return "two"
	case plural.Few:
		return "few"
	case plural.Many:
		return "many"
	}
	return "other"
}

// Number formats n with the language's thousands separator.
func (l *Locale) Number(n int) string {
	s := strconv.Itoa(n)
	if len(s) <= 3 || n < 0 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteString(l.thousands)
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// DateTime formats t as the language writes a date and time:
// "12 février 2026 à 14 h 05", "February 12, 2026 at 2:05 pm".
func (l *Locale) DateTime(t time.Time) string { return l.date(t, "date.datetime") }

// Date formats t as a date alone: "12 février 2026", "February 12, 2026".
func (l *Locale) Date(t time.Time) string { return l.date(t, "date.date") }

func (l *Locale) date(t time.Time, key string) string {
	pattern := l.T(key)
	var b strings.Builder
	b.Grow(len(pattern) + 16)
	for {
		i := strings.IndexByte(pattern, '{')
		j := strings.IndexByte(pattern, '}')
		if i < 0 || j < i {
			b.WriteString(pattern)
			return b.String()
		}
		b.WriteString(pattern[:i])
		switch pattern[i+1 : j] {
		case "day":
			if t.Day() == 1 {
				b.WriteString(l.T("date.first_day"))
			} else {
				b.WriteString(strconv.Itoa(t.Day()))
			}
		case "month":
			b.WriteString(l.months[t.Month()-1])
		case "year":
			b.WriteString(strconv.Itoa(t.Year()))
		case "H":
			b.WriteString(strconv.Itoa(t.Hour()))
		case "h":
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(strconv.Itoa(h))
		case "MM":
			if t.Minute() < 10 {
				b.WriteByte('0')
			}
			b.WriteString(strconv.Itoa(t.Minute()))
		case "ampm":
			if t.Hour() < 12 {
				b.WriteString("am")
			} else {
				b.WriteString("pm")
			}
		default:
			b.WriteString(pattern[i : j+1])
		}
		pattern = pattern[j+1:]
	}
}

// FieldError returns the translated message for a failing field: the
// field's own message ("error.<field>.<code>") when the catalogue has
// one, else the code's ("error.<code>").
func (l *Locale) FieldError(fe tribune.FieldError) string {
	limit := l.Number(fe.Limit)
	if key := "error." + string(fe.Field) + "." + string(fe.Code); l.Has(key) {
		return l.T(key, "limit", limit)
	}
	return l.T("error."+string(fe.Code), "limit", limit)
}
