package htmlcheck

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// CorpusEnv names a file of XSS payloads, one per line, in the format of
// the team's shared corpus (shared/security/xss-vectors.txt).
const CorpusEnv = "TRIBUNE_XSS_CORPUS"

// LoadCorpus reads the shared XSS corpus: the file named by CorpusEnv, or
// shared/security/xss-vectors.txt in a folder above the working directory.
// It returns os.ErrNotExist when neither is there.
func LoadCorpus() ([]string, error) {
	path := os.Getenv(CorpusEnv)
	if path == "" {
		dir, _ := os.Getwd()
		for range 6 {
			p := filepath.Join(dir, "..", "shared", "security", "xss-vectors.txt")
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
			dir = filepath.Dir(dir)
		}
	}
	if path == "" {
		return nil, os.ErrNotExist
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
