package importer

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// MaxValueBytes bounds one value of an export file: a JSON string, a
// JSON object or array inside the top-level lists (one comment, one
// commenter), an XML text, CDATA section or tag. The readers decode one
// value at a time, so this, not the file's size, bounds the memory an
// import needs: a file with a larger value (no real export has one; a
// decompression bomb does) is refused, naming the byte where it starts.
// A comment's text above the store's limit (tribune.MaxStoredBodyLen) but
// within this one is read, reported and skipped.
const MaxValueBytes = 32 << 20

// valueLimit is MaxValueBytes, lowered by the package's tests.
var valueLimit int64 = MaxValueBytes

// jsonBounds wraps a JSON stream and fails it at the first value larger
// than max: it follows strings (and their escapes) and nesting, byte by
// byte, as the stream is read.
type jsonBounds struct {
	r        io.Reader
	max      int64
	pos      int64
	inString bool
	escaped  bool
	depth    int
	start    int64 // where the value at depth 3 began
	run      int64 // bytes of the current string or bare token
}

func (j *jsonBounds) Read(p []byte) (int, error) {
	n, err := j.r.Read(p)
	for i := range n {
		b := p[i]
		j.pos++
		if j.inString {
			j.run++
			switch {
			case j.escaped:
				j.escaped = false
			case b == '\\':
				j.escaped = true
			case b == '"':
				j.inString = false
				j.run = 0
			}
		} else {
			switch b {
			case '"':
				j.inString, j.run = true, 0
			case '{', '[':
				j.depth++
				if j.depth == 3 {
					j.start = j.pos
				}
				j.run = 0
			case '}', ']':
				j.depth--
				j.run = 0
			case ',', ':', ' ', '\t', '\n', '\r':
				j.run = 0
			default:
				j.run++
			}
		}
		if j.run > j.max {
			return i, &offsetError{j.pos - j.run, fmt.Errorf("a JSON string or token of more than %s", mib(j.max))}
		}
		if j.depth >= 3 && j.pos-j.start > j.max {
			return i, &offsetError{j.start, fmt.Errorf("a JSON value of more than %s", mib(j.max))}
		}
	}
	return n, err
}

// xmlBounds wraps an XML stream and fails it at the first text, CDATA
// section or tag larger than max.
type xmlBounds struct {
	r     io.Reader
	max   int64
	pos   int64
	state int // 0 text, 1 tag, 2 CDATA
	run   int64
	tag   [8]byte // the start of the current tag, to see "<![CDATA["
	tagN  int
	end   int // "]]" seen in CDATA
}

func (x *xmlBounds) Read(p []byte) (int, error) {
	n, err := x.r.Read(p)
	for i := range n {
		b := p[i]
		x.pos++
		x.run++
		switch x.state {
		case 0:
			if b == '<' {
				x.state, x.run, x.tagN = 1, 0, 0
			}
		case 1:
			if x.tagN < len(x.tag) {
				x.tag[x.tagN] = b
				x.tagN++
				if x.tagN == len(x.tag) && string(x.tag[:]) == "![CDATA[" {
					x.state, x.run, x.end = 2, 0, 0
					continue
				}
			}
			if b == '>' {
				x.state, x.run = 0, 0
			}
		case 2:
			switch {
			case b == ']':
				x.end = min(x.end+1, 2)
			case b == '>' && x.end == 2:
				x.state, x.run = 0, 0
			default:
				x.end = 0
			}
		}
		if x.run > x.max {
			return i, &offsetError{x.pos - x.run, fmt.Errorf("an XML text, CDATA section or tag of more than %s", mib(x.max))}
		}
	}
	return n, err
}

// bound puts a file's decoded stream behind one of the bounds.
func (f *file) bound(wrap func(io.Reader) io.Reader) {
	f.Reader = bufio.NewReaderSize(wrap(f.Reader), 256<<10)
}

// openJSON opens a JSON export, bounded by MaxValueBytes.
func openJSON(path string) (*file, error) {
	f, err := openFile(path)
	if err == nil {
		f.bound(func(r io.Reader) io.Reader { return &jsonBounds{r: r, max: valueLimit} })
	}
	return f, err
}

// openXML opens an XML export, bounded by MaxValueBytes.
func openXML(path string) (*file, error) {
	f, err := openFile(path)
	if err == nil {
		f.bound(func(r io.Reader) io.Reader { return &xmlBounds{r: r, max: valueLimit} })
	}
	return f, err
}

// skipValue reads past the JSON value the decoder is on, token by token,
// so that a large value is never held whole.
func skipValue(d *json.Decoder) error {
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// maxKeptBytes bounds what a reader keeps in memory from a first pass
// over a file (Commento's commenters, Comentario's pages and
// commenters), counted by the bytes of their strings.
const maxKeptBytes = 64 << 20

// eachElement decodes the JSON array the decoder is on, one element at a
// time, into a fresh T passed to each.
func eachElement[T any](d *json.Decoder, each func(*T) error) error {
	tok, err := d.Token()
	if err != nil {
		return &offsetError{d.InputOffset(), err}
	}
	if tok != json.Delim('[') {
		return &offsetError{d.InputOffset(), fmt.Errorf("not an array")}
	}
	for d.More() {
		var v T
		if err := d.Decode(&v); err != nil {
			return &offsetError{d.InputOffset(), err}
		}
		if err := each(&v); err != nil {
			return &offsetError{d.InputOffset(), err}
		}
	}
	_, err = d.Token()
	return err
}

// keptBudget counts what a first pass keeps, and fails past maxKeptBytes.
type keptBudget int64

func (k *keptBudget) add(what string, ss ...string) error {
	for _, s := range ss {
		*k += keptBudget(len(s) + 16)
	}
	if *k > maxKeptBytes {
		return fmt.Errorf("the %s of this file hold more than %d MiB: more than any real export", what, maxKeptBytes>>20)
	}
	return nil
}

// mib writes a size in MiB, or KiB below one.
func mib(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d MiB", n>>20)
}
