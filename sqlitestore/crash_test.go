package sqlitestore_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/sqlitestore"
)

const crashEnv = "TRIBUNE_CRASH_CHILD_DB"

// TestCrashChild is the child half of TestCrashSafety: it writes comments
// and prints each acknowledged ID until it is killed (or, bounded, after
// 100,000 comments).
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashEnv)
	if path == "" {
		t.Skip("run by TestCrashSafety only")
	}
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, path)
	if err != nil {
		fmt.Println("ERR", err)
		os.Exit(2)
	}
	a, err := tribune.NewArticle(tribune.ArticleInput{Title: "Crash", Slug: "crash"})
	if err != nil {
		os.Exit(2)
	}
	if err := s.CreateArticle(ctx, &a); err != nil {
		fmt.Println("ERR", err)
		os.Exit(2)
	}
	body := tribune.SanitizeComment("écrit avant le crash")
	out := bufio.NewWriter(os.Stdout)
	for i := range 100_000 {
		c := tribune.Comment{ID: uuid.New(), ArticleID: a.ID, AuthorName: fmt.Sprint("w", i), Body: body,
			Status: tribune.StatusApproved, Version: 1, Created: time.Now().UTC().Truncate(time.Microsecond),
			Email: tribune.StoredEmail("crash@example.org")}
		if err := s.CreateComment(ctx, &c, tribune.Guard{}); err != nil {
			fmt.Fprintln(out, "ERR", err)
			out.Flush()
			os.Exit(2)
		}
		fmt.Fprintln(out, c.ID)
		out.Flush() // acknowledged only once the ID is out
	}
	os.Exit(0)
}

// TestCrashSafety kills a writer with SIGKILL mid-stream and checks that
// every comment it acknowledged is in the reopened file, which is intact.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())

	var acked []uuid.UUID
	sc := bufio.NewScanner(stdout)
	for sc.Scan() && len(acked) < 300 {
		id, err := uuid.Parse(sc.Text())
		require.NoError(t, err, "child said %q", sc.Text())
		acked = append(acked, id)
	}
	require.NoError(t, cmd.Process.Kill()) // SIGKILL: no deferred code, no clean close
	// Drain what the child printed before it died: those were acknowledged too.
	for sc.Scan() {
		if id, err := uuid.Parse(sc.Text()); err == nil {
			acked = append(acked, id)
		}
	}
	_ = cmd.Wait()
	require.GreaterOrEqual(t, len(acked), 300)

	s, err := sqlitestore.Open(t.Context(), path)
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.IntegrityCheck(t.Context()))
	for _, id := range acked {
		_, err := s.Comment(t.Context(), id)
		require.NoError(t, err, "acknowledged comment %s lost", id)
	}
	t.Logf("%d acknowledged comments all survived SIGKILL", len(acked))
}
