package importer_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/importer"
)

// writeWXR writes a WXR 1.2 file of n comments over n/1000 posts, one in
// three a reply, with a few pingbacks and spam.
func writeWXR(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Bench</title><link>https://bench.example.org</link><language>fr-FR</language>
<wp:base_site_url>https://bench.example.org</wp:base_site_url>
`)
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	id := 0
	perPost := 1000
	for p := 0; id < n; p++ {
		fmt.Fprintf(w, "<item><title>Article %d</title><link>https://bench.example.org/article-%d/</link><wp:post_id>%d</wp:post_id>"+
			"<wp:post_date_gmt>%s</wp:post_date_gmt><wp:post_name>article-%d</wp:post_name><wp:post_type>post</wp:post_type>\n",
			p, p, p+1, base.Add(time.Duration(p)*time.Hour).Format(time.DateTime), p)
		first := id
		for k := 0; k < perPost && id < n; k++ {
			id++
			parent := 0
			if k%3 == 2 {
				parent = first + 1 + (k-2)/3
			}
			status, typ := "1", "comment"
			switch {
			case k%97 == 0:
				typ = "pingback"
			case k%50 == 0:
				status = "spam"
			case k%20 == 0:
				status = "0"
			}
			at := base.Add(time.Duration(p)*time.Hour + time.Duration(k)*time.Second).Format(time.DateTime)
			fmt.Fprintf(w, "<wp:comment><wp:comment_id>%d</wp:comment_id><wp:comment_author><![CDATA[Lecteur %d]]></wp:comment_author>"+
				"<wp:comment_author_email>lecteur%d@example.org</wp:comment_author_email><wp:comment_author_url>https://lecteur.example.org/%d</wp:comment_author_url>"+
				"<wp:comment_date>%s</wp:comment_date><wp:comment_date_gmt>%s</wp:comment_date_gmt>"+
				"<wp:comment_content><![CDATA[Très bonne synthèse, merci. Voir https://example.org/dossier/%d pour le contexte.\n\nMais la vraie question reste celle du financement : %d.]]></wp:comment_content>"+
				"<wp:comment_approved>%s</wp:comment_approved><wp:comment_type>%s</wp:comment_type><wp:comment_parent>%d</wp:comment_parent></wp:comment>\n",
				id, id%5000, id%20000, id, at, at, id, id, status, typ, parent)
		}
		fmt.Fprint(w, "</item>\n")
	}
	fmt.Fprint(w, "</channel></rss>\n")
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
}

// peakHeap samples the heap in use until stop is closed.
func peakHeap(stop chan struct{}) func() uint64 {
	var mu sync.Mutex
	var peak uint64
	done := make(chan struct{})
	go func() {
		defer close(done)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			mu.Lock()
			peak = max(peak, m.HeapInuse)
			mu.Unlock()
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { <-done; mu.Lock(); defer mu.Unlock(); return peak }
}

// BenchmarkImportWXR imports a WXR file of $TRIBUNE_BENCH_IMPORT comments
// (default 100,000) into an empty store, reporting comments a second and
// the peak heap.
func BenchmarkImportWXR(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("TRIBUNE_BENCH_IMPORT")); err == nil && v > 0 {
		n = v
	}
	path := filepath.Join(b.TempDir(), "bench.xml")
	writeWXR(b, path, n)
	fi, _ := os.Stat(path)
	for name, open := range map[string]func(testing.TB) tribune.Store{"sqlite": sqliteStore, "postgres": postgresStore} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				s := open(b)
				runtime.GC()
				stop := make(chan struct{})
				peak := peakHeap(stop)
				b.StartTimer()
				reps, err := importer.Import(b.Context(), s, []string{path}, importer.Options{})
				b.StopTimer()
				close(stop)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(reps[0].Total())/b.Elapsed().Seconds(), "comments/s")
				b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(fi.Size())/(1<<20), "file-MiB")
				b.StartTimer()
			}
		})
	}
}

// TestWriteBenchWXR writes the benchmark's WXR file of
// $TRIBUNE_BENCH_IMPORT comments to $TRIBUNE_BENCH_WXR, to time the
// tribune command on it (README, "Moving in").
func TestWriteBenchWXR(t *testing.T) {
	path := os.Getenv("TRIBUNE_BENCH_WXR")
	if path == "" {
		t.Skip("set TRIBUNE_BENCH_WXR to a file name to write the benchmark's WXR file")
	}
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("TRIBUNE_BENCH_IMPORT")); err == nil && v > 0 {
		n = v
	}
	writeWXR(t, path, n)
}
