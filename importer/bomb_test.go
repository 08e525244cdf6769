package importer_test

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune/importer"
)

// TestDecompressionBombsStayBounded imports what the review found
// exhausting the machine: a 2 MB gzipped Commento export that expands to
// 1.75 GB (once loaded whole), and a WXR file with a 200 MB element. Each
// is refused with its reason and the import's heap stays far under
// 200 MiB. It writes the files first (about a minute): set
// TRIBUNE_IMPORT_BOMB=1 to run it.
func TestDecompressionBombsStayBounded(t *testing.T) {
	if os.Getenv("TRIBUNE_IMPORT_BOMB") == "" {
		t.Skip("set TRIBUNE_IMPORT_BOMB=1 to import a 1.75 GB gzip bomb and a 200 MB WXR element and check the heap")
	}
	dir := t.TempDir()
	bomb := filepath.Join(dir, "commento.json.gz")
	f, err := os.Create(bomb)
	require.NoError(t, err)
	gz, _ := gzip.NewWriterLevel(f, gzip.BestCompression)
	w := bufio.NewWriterSize(gz, 1<<20)
	fmt.Fprint(w, `{"version":1,"commenters":[],"comments":[`)
	var written int64
	for i := 0; written < 1750<<20; i++ {
		if i > 0 {
			w.WriteString(",")
		}
		n, _ := fmt.Fprintf(w, `{"commentHex":"%032x","domain":"d.example","url":"/p","commenterHex":"anonymous","markdown":"%s","parentHex":"root","state":"approved","creationDate":"2026-02-12T09:00:00Z"}`,
			i, strings.Repeat("a", 40))
		written += int64(n)
	}
	fmt.Fprint(w, `]}`)
	require.NoError(t, w.Flush())
	require.NoError(t, gz.Close())
	require.NoError(t, f.Close())
	fi, _ := os.Stat(bomb)
	t.Logf("gzip bomb: %d MB on disk, %d MB expanded", fi.Size()>>20, written>>20)

	wxr := filepath.Join(dir, "element.xml")
	f, err = os.Create(wxr)
	require.NoError(t, err)
	w = bufio.NewWriterSize(f, 1<<20)
	fmt.Fprint(w, `<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel><item><wp:post_id>1</wp:post_id><wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_content><![CDATA[`)
	chunk := strings.Repeat("<p>x</p>", 1<<17)
	for range (200 << 20) / len(chunk) {
		w.WriteString(chunk)
	}
	fmt.Fprint(w, `]]></wp:comment_content></wp:comment></item></channel></rss>`)
	require.NoError(t, w.Flush())
	require.NoError(t, f.Close())

	for _, tc := range []struct{ file, format, want string }{
		{bomb, "commento", "more than 1000000 comments in one file"},
		{wxr, "wxr", "more than 32 MiB"},
	} {
		runtime.GC()
		stop := make(chan struct{})
		peak := peakHeap(stop)
		_, err := importer.Import(t.Context(), sqliteStore(t), []string{tc.file}, importer.Options{Format: tc.format})
		close(stop)
		require.Error(t, err, tc.file)
		assert.Contains(t, err.Error(), tc.want)
		t.Logf("%s: refused (%v); peak heap %d MiB, process's peak RSS so far %d MiB", filepath.Base(tc.file), err, peak()>>20, processRSS()>>20)
		assert.Less(t, peak(), uint64(200<<20), "the import's heap stays bounded")
	}
}

// processRSS reads the process's resident set from /proc (Linux), or 0.
func processRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb)
			return kb << 10
		}
	}
	return 0
}
