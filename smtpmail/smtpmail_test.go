package smtpmail_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/smtptest"
	"github.com/tribune-go/tribune/outbox"
	"github.com/tribune-go/tribune/smtpmail"
)

func message(t *testing.T) *outbox.Message {
	to, err := tribune.ParseEmail("Lea.Martin@example.org")
	require.NoError(t, err)
	return &outbox.Message{ID: uuid.New(), To: to, From: "Le Quotidien « Test »", Subject: "Réponse à votre commentaire — OTAN",
		Text: "Bonjour,\nUne réponse : « d’accord ».\n", HTML: "<p>Bonjour,</p><p>Une réponse : « d’accord ».</p>",
		Lang: "fr", Unsubscribe: "https://example.org/comments/mail/unsubscribe/TOKEN"}
}

func TestSendSecurities(t *testing.T) {
	cases := []struct {
		name string
		opts smtptest.Options
		sec  smtpmail.Security
	}{
		{"plain", smtptest.Options{}, smtpmail.Plain},
		{"plain with auth", smtptest.Options{User: "tribune", Password: "s3cret"}, smtpmail.Plain},
		{"starttls with auth", smtptest.Options{TLS: true, User: "tribune", Password: "s3cret"}, smtpmail.StartTLS},
		{"implicit tls", smtptest.Options{Implicit: true}, smtpmail.ImplicitTLS},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := smtptest.Start(t, tc.opts)
			m, err := smtpmail.New(smtpmail.Config{Addr: srv.Addr, Security: tc.sec, Username: tc.opts.User,
				Password: tc.opts.Password, From: "commentaires@example.org", TLSConfig: srv.ClientTLS, Timeout: 5 * time.Second})
			require.NoError(t, err)
			msg := message(t)
			require.NoError(t, m.Send(t.Context(), msg))
			got := srv.Wait(t, 1, 5*time.Second)[0]
			assert.Equal(t, []string{"Lea.Martin@example.org"}, got.To)
			assert.Equal(t, "commentaires@example.org", got.From)
			h := got.Header
			dec := new(mimeDecoder)
			assert.Equal(t, msg.Subject, dec.header(t, h.Get("Subject")))
			assert.Contains(t, dec.header(t, h.Get("From")), "Le Quotidien")
			assert.Equal(t, "<"+msg.ID.String()+"@example.org>", h.Get("Message-Id"))
			assert.Equal(t, "<https://example.org/comments/mail/unsubscribe/TOKEN>", h.Get("List-Unsubscribe"))
			assert.Equal(t, "List-Unsubscribe=One-Click", h.Get("List-Unsubscribe-Post"))
			assert.Equal(t, "fr", h.Get("Content-Language"))
			assert.Equal(t, "auto-generated", h.Get("Auto-Submitted"))
			assert.Contains(t, h.Get("Content-Type"), "multipart/alternative")
			assert.Equal(t, strings.ReplaceAll(msg.Text, "\n", "\r\n"), got.Text)
			assert.Equal(t, msg.HTML, got.HTML)
		})
	}
}

func TestSendRefusals(t *testing.T) {
	srv := smtptest.Start(t, smtptest.Options{})
	m, err := smtpmail.New(smtpmail.Config{Addr: srv.Addr, Security: smtpmail.Plain, From: "c@example.org", Timeout: 5 * time.Second})
	require.NoError(t, err)

	srv.Refuse(550)
	err = m.Send(t.Context(), message(t))
	require.Error(t, err)
	assert.ErrorIs(t, err, outbox.ErrRejected, "a 5xx answer is permanent")

	srv.Refuse(451)
	err = m.Send(t.Context(), message(t))
	require.Error(t, err)
	assert.NotErrorIs(t, err, outbox.ErrRejected, "a 4xx answer is worth a retry")

	down, err := smtpmail.New(smtpmail.Config{Addr: "127.0.0.1:1", Security: smtpmail.Plain, From: "c@example.org", Timeout: time.Second})
	require.NoError(t, err)
	err = down.Send(t.Context(), message(t))
	require.Error(t, err)
	assert.NotErrorIs(t, err, outbox.ErrRejected, "a server that is down is retried")

	// STARTTLS is required by default: a server without it gets nothing.
	clear, err := smtpmail.New(smtpmail.Config{Addr: srv.Addr, From: "c@example.org", Timeout: 5 * time.Second})
	require.NoError(t, err)
	srv.Refuse(0)
	require.Error(t, clear.Send(t.Context(), message(t)))
	assert.Empty(t, srv.Messages())
}

func TestNewChecksTheConfig(t *testing.T) {
	for _, cfg := range []smtpmail.Config{
		{Addr: "localhost", From: "a@example.org"},
		{Addr: "localhost:0", From: "a@example.org"},
		{Addr: "localhost:25", From: "Site <a@example.org>"},
		{Addr: "localhost:25", From: "not an address"},
	} {
		_, err := smtpmail.New(cfg)
		assert.Error(t, err, "%+v", cfg)
	}
	for in, want := range map[string]smtpmail.Security{"starttls": smtpmail.StartTLS, "tls": smtpmail.ImplicitTLS, "plain": smtpmail.Plain} {
		got, err := smtpmail.ParseSecurity(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := smtpmail.ParseSecurity("ssl3")
	assert.True(t, err != nil && !errors.Is(err, outbox.ErrRejected))
}
