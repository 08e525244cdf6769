package htmlcheck

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// CorpusEnv names a file of XSS payloads, one per line, in the corpus's
// format, to use instead of the repository's copy.
const CorpusEnv = "TRIBUNE_XSS_CORPUS"

// CorpusPath is where the repository keeps its copy of the public XSS
// corpus, relative to the module's root (the folder holding go.mod).
const CorpusPath = "testdata/xss/xss-vectors.txt"

// LoadCorpus reads the XSS corpus: the file named by CorpusEnv, else the
// repository's copy at CorpusPath under the module root found above the
// working directory. A missing corpus is an error, never a reason to
// skip: a fresh clone carries it.
func LoadCorpus() ([]string, error) {
	path := os.Getenv(CorpusEnv)
	if path == "" {
		root, err := moduleRoot()
		if err != nil {
			return nil, err
		}
		path = filepath.Join(root, filepath.FromSlash(CorpusPath))
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			out = append(out, unescape(line))
		}
	}
	if len(out) == 0 {
		return nil, errors.New("htmlcheck: empty corpus")
	}
	return out, sc.Err()
}

// moduleRoot is the nearest folder at or above the working directory
// that holds a go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("htmlcheck: no go.mod above the working directory: %w", os.ErrNotExist)
		}
		dir = parent
	}
}

// unescape decodes the corpus line format: \n, \r, \t, \0 and \\; any
// other backslash is literal.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case 'r':
				b.WriteByte('\r')
				i++
				continue
			case 't':
				b.WriteByte('\t')
				i++
				continue
			case '0':
				b.WriteByte(0)
				i++
				continue
			case '\\':
				b.WriteByte('\\')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
