// Command tribune moves comments into and out of a Tribune database.
//
//	tribune import [-db D] [-format F] [-dry-run] [-map old=new]… FILE…
//	tribune export [-db D] -format json|wxr [-email ADDRESS] [-site-url U] > out
//
// -db is a SQLite file (default tribune.db), a postgres:// DSN or a
// mysql:// URL, as for examples/blog. Formats in, detected from the
// content unless -format names one: wxr (WordPress 1.0–1.2), disqus,
// remark42, isso, comentario (Comentario 3), commento (also Comentario
// 2's), tribune (Tribune's own JSON). Exit status: 0 on success, 1 on a bad file or database, 2 on a
// bad command line. The work is done by the importer package.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/importer"
	"github.com/tribune-go/tribune/internal/dbopen"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `tribune moves comments into and out of a Tribune database.

Usage:
  tribune import [-db D] [-format F] [-dry-run] [-map old=new]... FILE...
  tribune export [-db D] -format json|wxr [-email ADDRESS] [-site-url URL] > out

Run "tribune import -h" or "tribune export -h" for each command's flags.

Formats in (detected from the content; -format forces one):
  wxr       WordPress export (WXR 1.0, 1.1, 1.2)
  disqus    Disqus XML export
  remark42  Remark42 backup (JSON lines, gzipped or not)
  isso      Isso's SQLite database
  comentario Comentario 3's JSON export (gzipped or not)
  commento  Commento's JSON export, and Comentario 2's (gzipped or not)
  tribune   Tribune's own JSON (what "tribune export -format json" writes)

Importing the same file twice adds nothing; an import never changes or
deletes a comment it did not create; a malformed file writes nothing.
Exit status: 0 on success, 1 on a bad file or database, 2 on a bad
command line.
`

// usageError is a bad command line: exit status 2.
type usageError struct{ error }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	var err error
	switch args[0] {
	case "import":
		err = runImport(ctx, args[1:], stdout, stderr)
	case "export":
		err = runExport(ctx, args[1:], stdout, stderr)
	default:
		err = usageError{fmt.Errorf("unknown command %q (want import or export)", args[0])}
	}
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "tribune:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "tribune:", err)
		return 1
	}
}

// mapFlag is the repeatable -map old=new.
type mapFlag map[string]string

func (m mapFlag) String() string { return "" }

func (m mapFlag) Set(s string) error {
	// At the last "=": a URL's query has its own (?p=7=nouveau-slug);
	// a slug never does.
	i := strings.LastIndex(s, "=")
	old, new, ok := s[:max(i, 0)], s[i+1:], i >= 0
	if !ok || strings.TrimSpace(old) == "" || strings.TrimSpace(new) == "" {
		return errors.New("want old=new: a source article's URL, slug or ID, and the site's slug")
	}
	m[strings.TrimSpace(old)] = strings.TrimSpace(new)
	return nil
}

func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tribune import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "tribune.db", dbopen.Usage)
	format := fs.String("format", "", "the files' format: wxr, disqus, remark42, isso, comentario, commento or tribune (default: detected from the content)")
	dry := fs.Bool("dry-run", false, "read everything and print the full report, writing nothing")
	maps := mapFlag{}
	fs.Var(maps, "map", "old=new: send the source article with this URL, slug or ID to the site's article with slug new (repeatable)")
	batch := fs.Int("batch", 5000, "comments written in one transaction")
	maxComments := fs.Int("max-comments", importer.DefaultMaxComments, "the most comments one file may bring (bounds the import's memory)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: tribune import [-db D] [-format F] [-dry-run] [-map old=new]... FILE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() == 0 {
		return usageError{errors.New("import: name at least one file")}
	}
	if *format != "" {
		if _, err := importer.FormatByName(*format); err != nil {
			return usageError{err}
		}
	}
	store, closeStore, err := dbopen.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer closeStore()
	opts := importer.Options{Format: *format, DryRun: *dry, Map: maps, BatchSize: *batch, Progress: progress(stderr), MaxComments: *maxComments}
	start := time.Now()
	reports, err := importer.Import(ctx, store, fs.Args(), opts)
	for _, r := range reports {
		printReport(stdout, &r, *dry)
	}
	if err == nil {
		fmt.Fprintf(stdout, "done in %s\n", time.Since(start).Round(time.Millisecond))
	}
	return err
}

// progress shows how far an import is: a bar on a terminal, a line every
// few seconds otherwise (a log, a pipe).
func progress(stderr io.Writer) func(importer.Progress) {
	f, isFile := stderr.(*os.File)
	if isFile && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd())) {
		var bar *progressbar.ProgressBar
		var cur string
		return func(p importer.Progress) {
			key := fmt.Sprint(p.File, p.Pass)
			if bar == nil || key != cur {
				if bar != nil {
					_ = bar.Finish()
				}
				cur = key
				what := "checking"
				if p.Pass == 2 {
					what = "importing"
				}
				bar = progressbar.NewOptions64(max(p.Size, 1), progressbar.OptionSetWriter(stderr),
					progressbar.OptionSetDescription(what+" "+p.File), progressbar.OptionShowBytes(true),
					progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionOnCompletion(func() { fmt.Fprintln(stderr) }))
			}
			_ = bar.Set64(p.Bytes)
		}
	}
	last := time.Time{}
	return func(p importer.Progress) {
		if time.Since(last) < 2*time.Second && p.Bytes < p.Size {
			return
		}
		last = time.Now()
		pct := 0
		if p.Size > 0 {
			pct = int(p.Bytes * 100 / p.Size)
		}
		what := "checked"
		if p.Pass == 2 {
			what = "imported"
		}
		fmt.Fprintf(stderr, "%s: %s %d comments (%d%%)\n", p.File, what, p.Done, pct)
	}
}

func printReport(w io.Writer, r *importer.FileReport, dry bool) {
	verb := "imported"
	if dry {
		verb = "would import (dry run: nothing written)"
	}
	fmt.Fprintf(w, "%s (%s):\n", r.File, r.Format)
	fmt.Fprintf(w, "  articles: %d matched, %d created\n", r.ArticlesMatched, r.ArticlesCreated)
	var parts []string
	for _, s := range []tribune.Status{tribune.StatusApproved, tribune.StatusPending, tribune.StatusSpam, tribune.StatusTrash} {
		parts = append(parts, fmt.Sprintf("%d %s", r.Imported[s], s))
	}
	fmt.Fprintf(w, "  comments %s: %d (%s), %d of them replies\n", verb, r.Total(), strings.Join(parts, ", "), r.Replies)
	if r.AlreadyThere > 0 {
		fmt.Fprintf(w, "  already imported before: %d\n", r.AlreadyThere)
	}
	reasons := make([]string, 0, len(r.Skipped))
	for k := range r.Skipped {
		reasons = append(reasons, k)
	}
	slices.Sort(reasons)
	for _, k := range reasons {
		fmt.Fprintf(w, "  skipped, %s: %d\n", k, r.Skipped[k])
	}
	if r.Orphans > 0 {
		fmt.Fprintf(w, "  replies whose parent is missing, now top-level: %d\n", r.Orphans)
	}
	if r.BadDates > 0 {
		fmt.Fprintf(w, "  comments without a usable date: %d\n", r.BadDates)
	}
	if r.Fixed > 0 {
		fmt.Fprintf(w, "  comments with a field dropped (an invalid email or website): %d\n", r.Fixed)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(w, "    %s\n", n)
	}
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tribune export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := fs.String("db", "tribune.db", dbopen.Usage)
	format := fs.String("format", "", "json (Tribune's own, lossless) or wxr (WordPress WXR 1.2)")
	email := fs.String("email", "", "export only this person's comments and their articles (a personal-data export)")
	site := fs.String("site-url", "", "the site's address, for the articles' links (https://www.example.org)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: tribune export [-db D] -format json|wxr [-email ADDRESS] [-site-url URL] > out")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("export: unexpected arguments %q (the file goes to standard output)", fs.Args())}
	}
	if *format != "json" && *format != "wxr" {
		return usageError{errors.New("export: -format json or -format wxr")}
	}
	var opts importer.ExportOptions
	if *email != "" {
		e, err := tribune.ParseEmail(*email)
		if err != nil || e.IsZero() {
			return usageError{errors.New("export: -email is not an email address")}
		}
		opts.Email = e
	}
	siteURL := strings.TrimSuffix(*site, "/")
	opts.ArticleURL = func(a *tribune.Article) string { return siteURL + "/articles/" + a.Slug }
	store, closeStore, err := dbopen.Open(ctx, *db)
	if err != nil {
		return err
	}
	defer closeStore()
	if *format == "json" {
		return importer.ExportJSON(ctx, store, stdout, opts)
	}
	opts.ArticleURL = func(a *tribune.Article) string { return "/articles/" + a.Slug }
	return importer.ExportWXR(ctx, store, stdout, opts, siteURL)
}
