package smtpmail_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/smtptest"
	"github.com/tribune-go/tribune/outbox"
	"github.com/tribune-go/tribune/pgstore"
	"github.com/tribune-go/tribune/smtpmail"
	"github.com/tribune-go/tribune/sqlitestore"
)

func sqlite(t *testing.T) tribune.Store {
	s, err := sqlitestore.Open(t.Context(), filepath.Join(t.TempDir(), "outbox.db"))
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func mailer(t *testing.T, srv *smtptest.Server) *smtpmail.Mailer {
	m, err := smtpmail.New(smtpmail.Config{Addr: srv.Addr, Security: smtpmail.Plain, From: "c@example.org", Timeout: 5 * time.Second})
	require.NoError(t, err)
	return m
}

func queued(t *testing.T, key, to string) *outbox.Mail {
	e, err := tribune.ParseEmail(to)
	require.NoError(t, err)
	return &outbox.Mail{Message: outbox.Message{To: e, From: "Site", Subject: "Sujet " + key, Text: "texte " + key, HTML: "<p>" + key + "</p>", Lang: "fr"},
		Key: key, Kind: "test"}
}

func TestOutboxSendsWhatIsQueued(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	store := sqlite(t)
	ob, err := outbox.New(store, mailer(t, srv), outbox.Config{Poll: time.Hour})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- ob.Run(ctx) }()
	for i := range 3 {
		ok, err := ob.Queue(t.Context(), queued(t, fmt.Sprint("k", i), fmt.Sprintf("r%d@example.org", i)))
		require.NoError(t, err)
		require.True(t, ok)
	}
	ok, err := ob.Queue(t.Context(), queued(t, "k0", "r0@example.org"))
	require.NoError(t, err)
	assert.False(t, ok, "the same key is not queued twice")
	got := srv.Wait(t, 3, 10*time.Second)
	cancel()
	require.NoError(t, <-done)
	assert.Len(t, got, 3, "queuing wakes the worker: no poll needed")
	q, _ := outbox.QueueOf(store)
	sent, err := q.Mails(t.Context(), outbox.Sent, tribune.Span{})
	require.NoError(t, err)
	assert.Len(t, sent, 3)
}

func TestOutboxRetriesAndGivesUp(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	store := sqlite(t)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	ob, err := outbox.New(store, mailer(t, srv), outbox.Config{Now: clock, Attempts: 3, Backoff: func(int) time.Duration { return 10 * time.Minute }})
	require.NoError(t, err)
	q, _ := outbox.QueueOf(store)

	_, err = ob.Queue(t.Context(), queued(t, "temp", "Temp.Person@example.org"))
	require.NoError(t, err)
	srv.Refuse(451)
	n, err := ob.Drain(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 0, n)
	n, _ = ob.Drain(t.Context())
	assert.Equal(t, 0, n, "a failed mail waits for its retry time")
	srv.Refuse(0)
	advance(11 * time.Minute)
	n, err = ob.Drain(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 1, n, "retried once due")

	// A permanent refusal is recorded at once, without the address.
	_, err = ob.Queue(t.Context(), queued(t, "perm", "Perm.Person@example.org"))
	require.NoError(t, err)
	srv.Refuse(550)
	_, err = ob.Drain(t.Context())
	require.NoError(t, err)
	failed, err := q.Mails(t.Context(), outbox.Failed, tribune.Span{})
	require.NoError(t, err)
	require.Len(t, failed, 1)
	assert.Contains(t, failed[0].LastError, "550")
	assert.NotContains(t, strings.ToLower(failed[0].LastError), "perm.person@example.org", "the server's answer quoted the address: it is blanked")

	// Temporary failures end after the last attempt.
	_, err = ob.Queue(t.Context(), queued(t, "tries", "t@example.org"))
	require.NoError(t, err)
	srv.Refuse(451)
	for range 3 {
		_, err = ob.Drain(t.Context())
		require.NoError(t, err)
		advance(11 * time.Minute)
	}
	failed, err = q.Mails(t.Context(), outbox.Failed, tribune.Span{})
	require.NoError(t, err)
	assert.Len(t, failed, 2, "out of attempts")

	// Sent and failed mails go after the retention (30 days by default).
	n, err = ob.Purge(t.Context())
	require.NoError(t, err)
	assert.Zero(t, n, "nothing is old yet")
	advance(31 * 24 * time.Hour)
	n, err = ob.Purge(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 3, n, "the sent mail and the two failed ones")
}

// TestOutboxInstancesShareTheQueue runs several outboxes on one database,
// as several instances of a site would: every mail arrives once.
func TestOutboxInstancesShareTheQueue(t *testing.T) {
	stores := map[string]func(t *testing.T) []tribune.Store{
		"sqlite": func(t *testing.T) []tribune.Store {
			path := filepath.Join(t.TempDir(), "shared.db")
			var out []tribune.Store
			for range 3 {
				s, err := sqlitestore.Open(t.Context(), path)
				require.NoError(t, err)
				t.Cleanup(func() { s.Close() })
				out = append(out, s)
			}
			return out
		},
		"postgres": func(t *testing.T) []tribune.Store {
			dsn := os.Getenv("TRIBUNE_TEST_POSTGRES")
			if dsn == "" {
				t.Skip("set TRIBUNE_TEST_POSTGRES to a postgres:// DSN to run this against PostgreSQL")
			}
			schema := "outbox_" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
			conn, err := pgx.Connect(t.Context(), dsn)
			require.NoError(t, err)
			_, err = conn.Exec(t.Context(), "CREATE SCHEMA "+schema)
			conn.Close(context.Background())
			require.NoError(t, err)
			var out []tribune.Store
			for range 3 {
				s, err := pgstore.Open(t.Context(), dsn, pgstore.WithSchema(schema))
				require.NoError(t, err)
				t.Cleanup(s.Close)
				out = append(out, s)
			}
			t.Cleanup(func() {
				if conn, err := pgx.Connect(context.Background(), dsn); err == nil {
					_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
					conn.Close(context.Background())
				}
			})
			return out
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			srv := smtptest.Start(t, smtptest.Options{})
			srv.Delay(2 * time.Millisecond)
			instances := open(t)
			const n = 60
			first, err := outbox.New(instances[0], mailer(t, srv), outbox.Config{})
			require.NoError(t, err)
			for i := range n {
				_, err := first.Queue(t.Context(), queued(t, fmt.Sprint("m", i), fmt.Sprintf("p%d@example.org", i)))
				require.NoError(t, err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			var wg sync.WaitGroup
			for _, s := range instances {
				ob, err := outbox.New(s, mailer(t, srv), outbox.Config{Poll: 20 * time.Millisecond})
				require.NoError(t, err)
				wg.Go(func() { _ = ob.Run(ctx) })
			}
			srv.Wait(t, n, 30*time.Second)
			time.Sleep(200 * time.Millisecond) // room for a mail sent twice to arrive
			cancel()
			wg.Wait()
			seen := map[string]int{}
			for _, m := range srv.Messages() {
				seen[m.Header.Get("Message-Id")]++
			}
			assert.Len(t, seen, n)
			for id, k := range seen {
				assert.Equal(t, 1, k, "mail %s sent %d times", id, k)
			}
		})
	}
}

// TestSlowServerGetsEachMailOnce: a server that takes longer than the
// lease over each mail (it answers MAIL, RCPT and DATA after 400 ms, with
// a 300 ms lease) still gets each mail, once, with three workers on the
// store: the lease is renewed while the mail is in flight, and the send
// has its own deadline.
func TestSlowServerGetsEachMailOnce(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	srv.Slow(400 * time.Millisecond)
	store := sqlite(t)
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	for range 3 {
		ob, err := outbox.New(store, mailer(t, srv), outbox.Config{Lease: 300 * time.Millisecond, Poll: 50 * time.Millisecond, Logger: quiet()})
		require.NoError(t, err)
		wg.Go(func() { _ = ob.Run(ctx) })
		if len(srv.Messages()) == 0 {
			for i := range 2 {
				_, err := ob.Queue(t.Context(), queued(t, fmt.Sprint("slow-", i), fmt.Sprintf("slow%d@example.org", i)))
				require.NoError(t, err)
			}
		}
	}
	srv.Wait(t, 2, 20*time.Second)
	time.Sleep(2 * time.Second) // room for a double send to show
	cancel()
	wg.Wait()
	got := srv.Messages()
	assert.Len(t, got, 2, "each mail once: none sent again while in flight")
	q, _ := outbox.QueueOf(store)
	sent, err := q.Mails(t.Context(), outbox.Sent, tribune.Span{})
	require.NoError(t, err)
	assert.Len(t, sent, 2, "and recorded as sent")
	for _, m := range sent {
		assert.Equal(t, 1, m.Attempts, "one attempt each")
	}
}

// TestOutageSpendsOneAttemptAndResumes: while the server refuses for a
// passing reason, a drain tries one mail and leaves the others' attempts
// alone; once a mail goes through, the mail pushed back is due at once.
func TestOutageSpendsOneAttemptAndResumes(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	store := sqlite(t)
	ob, err := outbox.New(store, mailer(t, srv), outbox.Config{Logger: quiet()})
	require.NoError(t, err)
	for i := range 5 {
		_, err := ob.Queue(t.Context(), queued(t, fmt.Sprint("out-", i), fmt.Sprintf("out%d@example.org", i)))
		require.NoError(t, err)
	}
	srv.Refuse(451)
	n, err := ob.Drain(t.Context())
	require.NoError(t, err)
	assert.Zero(t, n)
	q, _ := outbox.QueueOf(store)
	waiting, err := q.Mails(t.Context(), outbox.Queued, tribune.Span{})
	require.NoError(t, err)
	tried := 0
	for _, m := range waiting {
		tried += m.Attempts
	}
	assert.Equal(t, 1, tried, "one attempt spent during the outage, not five")

	srv.Refuse(0)
	n, err = ob.Drain(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 5, n, "the server is back: all five go, the one pushed back (1 min) included")
	assert.Len(t, srv.Messages(), 5)
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }
