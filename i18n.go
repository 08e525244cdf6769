package tribune

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"
)

//go:embed locales/*.json
var localeFS embed.FS

// DefaultLang is the language used when nothing better matches: the seed
// site is French.
const DefaultLang = "fr"

// Locale is one language's message catalogue, plural rule and date forms.
// Locales are loaded once from the embedded catalogues and never change,
// so they are safe for concurrent use.
type Locale struct {
	tag       string
	name      string
	months    [12]string
	thousands string
	msgs      map[string]string
}

var locales = mustLoadLocales(localeFS)

func mustLoadLocales(fsys fs.FS) map[string]*Locale {
	files, err := fs.Glob(fsys, "locales/*.json")
	if err != nil || len(files) == 0 {
		panic("tribune: no embedded locales")
	}
	out := make(map[string]*Locale, len(files))
	for _, f := range files {
		data, err := fs.ReadFile(fsys, f)
		if err != nil {
			panic(err)
		}
		var raw struct {
			Tag       string            `json:"tag"`
			Name      string            `json:"name"`
			Months    []string          `json:"months"`
			Thousands string            `json:"thousands"`
			Messages  map[string]string `json:"messages"`
		}
		if err := json.Unmarshal(data, &raw); err != nil {
			panic(fmt.Sprintf("tribune: locale %s: %v", f, err))
		}
		if len(raw.Months) != 12 {
			panic("tribune: locale " + f + " needs 12 months")
		}
		l := &Locale{tag: raw.Tag, name: raw.Name, thousands: raw.Thousands, msgs: raw.Messages}
		copy(l.months[:], raw.Months)
		out[raw.Tag] = l
	}
	return out
}

// Languages returns the tags of the built-in catalogues, sorted.
func Languages() []string {
	tags := make([]string, 0, len(locales))
	for t := range locales {
		tags = append(tags, t)
	}
	slices.Sort(tags)
	return tags
}

// LocaleFor returns the catalogue for a BCP 47 tag, matching on the
// primary language ("fr-CA" gives French), or the [DefaultLang] one.
func LocaleFor(tag string) *Locale {
	if l, ok := lookupLocale(tag); ok {
		return l
	}
	return locales[DefaultLang]
}

func lookupLocale(tag string) (*Locale, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	l, ok := locales[tag]
	return l, ok
}

// MatchLocale picks the catalogue that best fits an Accept-Language header
// value, honouring q-values; it returns fallback's catalogue when nothing
// matches.
func MatchLocale(acceptLanguage, fallback string) *Locale {
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
		if l, ok := lookupLocale(tag); ok && q > bestQ {
			best, bestQ = l, q
		}
	}
	if best == nil {
		return LocaleFor(fallback)
	}
	return best
}

// Tag returns the locale's language tag, such as "fr".
func (l *Locale) Tag() string { return l.tag }

// Name returns the language's own name, such as "Français".
func (l *Locale) Name() string { return l.name }

// T returns the message for key with its {placeholders} filled from
// args, given as name, value pairs. A missing key returns the key itself,
// so a gap shows in tests rather than as a blank.
func (l *Locale) T(key string, args ...string) string {
	msg, ok := l.msgs[key]
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

// Has reports whether the catalogue has key.
func (l *Locale) Has(key string) bool { _, ok := l.msgs[key]; return ok }

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
// "1 commentaire", "3 commentaires"; "No comments", "1 comment".
func (l *Locale) Count(n int) string {
	switch {
	case n <= 0:
		return l.T("count.zero")
	case n == 1 || (n < 2 && l.tag == "fr"):
		return l.T("count.one", "n", l.Number(n))
	default:
		return l.T("count.other", "n", l.Number(n))
	}
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
	pattern := l.msgs[key]
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
				b.WriteString(l.msgs["date.first_day"])
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
// field's own message when the catalogue has one, else the code's.
func (l *Locale) FieldError(fe FieldError) string {
	limit := l.Number(fe.Limit)
	if key := fe.MessageKey(); l.Has(key) {
		return l.T(key, "limit", limit)
	}
	return l.T("error."+string(fe.Code), "limit", limit)
}
