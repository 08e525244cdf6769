package importer_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/importer"
	"github.com/tribune-go/tribune/sqlitestore"
)

// Import a WordPress export into a SQLite store, twice: the second run
// finds everything imported already.
func ExampleImport() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, filepath.Join(dir, "site.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	for range 2 {
		reports, err := importer.Import(ctx, store, []string{"testdata/wordpress-1.2.xml"}, importer.Options{})
		if err != nil {
			log.Fatal(err)
		}
		r := reports[0]
		fmt.Println(r.Format, r.Total(), "new,", r.Imported[tribune.StatusApproved], "approved,", r.AlreadyThere, "there before,",
			r.Skipped["pingback"], "pingback skipped")
	}
	// Output:
	// wxr 8 new, 4 approved, 0 there before, 1 pingback skipped
	// wxr 0 new, 0 approved, 8 there before, 1 pingback skipped
}

// Export a store as Tribune's JSON, then only one person's data.
func ExampleExportJSON() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, filepath.Join(dir, "site.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	if _, err := importer.Import(ctx, store, []string{"testdata/disqus.xml"}, importer.Options{}); err != nil {
		log.Fatal(err)
	}
	claire, _ := tribune.ParseEmail("claire@example.org")
	out, err := os.Create(filepath.Join(dir, "claire.json"))
	if err != nil {
		log.Fatal(err)
	}
	defer out.Close()
	if err := importer.ExportJSON(ctx, store, out, importer.ExportOptions{Email: claire}); err != nil {
		log.Fatal(err)
	}
	fmt.Println("written")
	// Output: written
}
