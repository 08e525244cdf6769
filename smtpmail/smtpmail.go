// Package smtpmail sends Tribune's mails over SMTP, on
// github.com/wneessen/go-mail: STARTTLS, implicit TLS or (for a relay on
// loopback) plain, with authentication when a user name is given. A
// [Mailer] is a [outbox.Mailer]; an [outbox.Outbox] drives it.
//
//	m, err := smtpmail.New(smtpmail.Config{Addr: "smtp.example.org:587",
//		Username: "tribune", Password: os.Getenv("TRIBUNE_SMTP_PASSWORD"),
//		From: "commentaires@example.org"})
//	ob, err := outbox.New(store, m, outbox.Config{})
//	go ob.Run(ctx)
package smtpmail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/tribune-go/tribune/outbox"
)

// Security says how the connection to the server is protected.
type Security int

// The connection securities.
const (
	// StartTLS connects in clear and requires the server to upgrade with
	// STARTTLS before anything is sent (port 587): the default.
	StartTLS Security = iota
	// ImplicitTLS speaks TLS from the first byte (port 465).
	ImplicitTLS
	// Plain sends in clear: only for a relay on loopback or a private
	// network.
	Plain
)

// ParseSecurity reads "starttls", "tls" or "plain".
func ParseSecurity(s string) (Security, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "starttls", "":
		return StartTLS, nil
	case "tls", "ssl", "implicit":
		return ImplicitTLS, nil
	case "plain", "none":
		return Plain, nil
	}
	return 0, fmt.Errorf("smtpmail: unknown security %q (want starttls, tls or plain)", s)
}

// Config is where and how to send.
type Config struct {
	// Addr is the server's host:port.
	Addr     string
	Security Security
	// Username and Password authenticate, when Username is set, with the
	// best mechanism the server offers.
	Username, Password string
	// From is the sender's address; the message's From names the site
	// before it.
	From string
	// TLSConfig, when set, replaces the default (the server's name
	// checked against the system's roots).
	TLSConfig *tls.Config
	// Timeout bounds the connection and each command (default 30 s).
	Timeout time.Duration
}

// Mailer sends each message on a connection of its own.
type Mailer struct {
	cfg    Config
	host   string
	port   int
	domain string // of From, for Message-IDs
}

var _ outbox.Mailer = (*Mailer)(nil)

// New checks the configuration and returns a Mailer. It does not
// connect: a server that is down is seen at the first send, and retried.
func New(cfg Config) (*Mailer, error) {
	host, p, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" {
		return nil, fmt.Errorf("smtpmail: server address %q: want host:port", cfg.Addr)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 1 || port > 65535 {
		return nil, fmt.Errorf("smtpmail: server port %q", p)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil || from.Name != "" {
		return nil, fmt.Errorf("smtpmail: sender %q: want a plain address", cfg.From)
	}
	if cfg.Security < StartTLS || cfg.Security > Plain {
		return nil, errors.New("smtpmail: unknown security")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	cfg.From = from.Address
	return &Mailer{cfg: cfg, host: host, port: port, domain: cfg.From[strings.LastIndexByte(cfg.From, '@')+1:]}, nil
}

// Send implements outbox.Mailer: one SMTP session for one message. A
// permanent refusal (a 5xx answer) wraps outbox.ErrRejected; every
// other failure is worth a retry.
func (m *Mailer) Send(ctx context.Context, msg *outbox.Message) error {
	gm, err := m.message(msg)
	if err != nil {
		return fmt.Errorf("smtpmail: %w: %w", outbox.ErrRejected, err)
	}
	opts := []gomail.Option{gomail.WithPort(m.port), gomail.WithTimeout(m.cfg.Timeout)}
	switch m.cfg.Security {
	case StartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case ImplicitTLS:
		opts = append(opts, gomail.WithSSL())
	case Plain:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if m.cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(m.cfg.TLSConfig))
	}
	if m.cfg.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if m.cfg.Security == Plain {
			// A password in clear, which the caller chose for a relay on
			// loopback or a private network.
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth),
			gomail.WithUsername(m.cfg.Username), gomail.WithPassword(m.cfg.Password))
	}
	c, err := gomail.NewClient(m.host, opts...)
	if err != nil {
		return fmt.Errorf("smtpmail: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, gm); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return fmt.Errorf("smtpmail: %w: %w", outbox.ErrRejected, err)
		}
		return fmt.Errorf("smtpmail: %w", err)
	}
	return nil
}

// message builds the multipart mail: text first, HTML as its alternative.
func (m *Mailer) message(msg *outbox.Message) (*gomail.Msg, error) {
	gm := gomail.NewMsg()
	if err := gm.FromFormat(msg.From, m.cfg.From); err != nil {
		return nil, err
	}
	if err := gm.To(msg.To.Address()); err != nil {
		return nil, errors.New("bad recipient") // the error would quote the address
	}
	gm.Subject(msg.Subject)
	gm.SetMessageIDWithValue(msg.ID.String() + "@" + m.domain)
	gm.SetDate()
	if msg.Lang != "" {
		gm.SetGenHeader(gomail.HeaderContentLang, msg.Lang)
	}
	// Mail sent by a program, not a person: no out-of-office answers.
	gm.SetGenHeader("Auto-Submitted", "auto-generated")
	gm.SetGenHeader("X-Auto-Response-Suppress", "All")
	if msg.Unsubscribe != "" {
		gm.SetGenHeader(gomail.HeaderListUnsubscribe, "<"+msg.Unsubscribe+">")
		gm.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	gm.SetBodyString(gomail.TypeTextPlain, msg.Text)
	if msg.HTML != "" {
		gm.AddAlternativeString(gomail.TypeTextHTML, msg.HTML)
	}
	return gm, nil
}
