package smtpmail_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/smtptest"
	"github.com/tribune-go/tribune/outbox"
	"github.com/tribune-go/tribune/smtpmail"
	"github.com/tribune-go/tribune/sqlitestore"
)

// An outbox on a SQLite store, sending through an SMTP server (here a
// test server on loopback; in production, STARTTLS to a relay with
// Username and Password).
func ExampleNew() {
	t := &testing.T{}
	srv := smtptest.Start(t, smtptest.Options{})
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, filepath.Join(dir, "site.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	mailer, err := smtpmail.New(smtpmail.Config{Addr: srv.Addr, Security: smtpmail.Plain, From: "commentaires@example.org"})
	if err != nil {
		log.Fatal(err)
	}
	ob, err := outbox.New(store, mailer, outbox.Config{})
	if err != nil {
		log.Fatal(err)
	}
	to, _ := tribune.ParseEmail("lea@example.org")
	queued, err := ob.Queue(ctx, &outbox.Mail{Key: "welcome:lea", Kind: "welcome",
		Message: outbox.Message{To: to, From: "Le Quotidien", Subject: "Bienvenue", Text: "Bonjour Léa.", Lang: "fr"}})
	if err != nil {
		log.Fatal(err)
	}
	sent, err := ob.Drain(ctx) // a host runs ob.Run(ctx) instead
	if err != nil {
		log.Fatal(err)
	}
	m := srv.Wait(t, 1, 5*time.Second)[0]
	fmt.Println(queued, sent, m.To, m.Header.Get("Subject"))
	// Output: true 1 [lea@example.org] Bienvenue
}
