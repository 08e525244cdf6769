package tribune_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoDriverInImportGraph keeps the root package, the renderer, the
// catalogues and the widget free of stores and database drivers (the host
// passes a Store), and all but the widget free of
// HTTP.
func TestNoDriverInImportGraph(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	for _, pkg := range []string{".", "./render", "./i18n", "./outbox", "./widget"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			if strings.Contains(string(out), "no Go files") || strings.Contains(string(out), "cannot find") || strings.Contains(string(out), "directory not found") {
				continue
			}
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			if dep == "database/sql" {
				t.Errorf("%s imports database/sql", pkg)
			}
			if dep == "net/http" && pkg != "./widget" {
				t.Errorf("%s imports net/http", pkg)
			}
			for _, banned := range []string{"modernc.org/", "github.com/jackc/", "github.com/go-sql-driver/", "github.com/chromedp/",
				"github.com/stretchr/", "github.com/go-chi/", "/memstore", "/sqlitestore", "/pgstore", "/mysqlstore", "/storetest"} {
				if strings.Contains(dep, banned) {
					t.Errorf("%s imports %s", pkg, dep)
				}
			}
		}
	}
}
