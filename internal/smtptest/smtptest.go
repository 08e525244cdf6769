// Package smtptest runs a real SMTP server on 127.0.0.1 for tests
// (github.com/emersion/go-smtp): it takes real SMTP sessions, with
// STARTTLS, implicit TLS and PLAIN authentication when asked, keeps every
// message it accepted, and can be told to refuse, for a while or for good.
package smtptest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Options says how the server behaves.
type Options struct {
	// TLS offers STARTTLS with a self-signed certificate (see
	// Server.ClientTLS); Implicit speaks TLS from the first byte.
	TLS, Implicit bool
	// User and Password, when set, require PLAIN authentication.
	User, Password string
}

// Received is one accepted message.
type Received struct {
	From   string
	To     []string
	Raw    []byte
	Header mail.Header
	// Text and HTML are the decoded parts of a multipart/alternative
	// message (or Text alone for a single part).
	Text, HTML string
}

// Server is a running SMTP server.
type Server struct {
	// Addr is host:port on 127.0.0.1.
	Addr string
	// ClientTLS trusts the server's certificate.
	ClientTLS *tls.Config

	opts    Options
	mu      sync.Mutex
	msgs    []Received
	refuse  int // an SMTP code to answer RCPT with, or 0
	delay   time.Duration
	slow    time.Duration
	blocked bool
	rcpts   chan struct{}
	arrived chan struct{}
}

// Start runs a server until the test ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{opts: opts, arrived: make(chan struct{}, 1024), rcpts: make(chan struct{}, 1024)}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	srv.MaxMessageBytes = 4 << 20
	srv.AllowInsecureAuth = !opts.TLS && !opts.Implicit
	var l net.Listener
	var err error
	if opts.TLS || opts.Implicit {
		cert, pool := selfSigned(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		s.ClientTLS = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	}
	if opts.Implicit {
		l, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = l.Addr().String()
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Refuse makes the server answer every recipient with code (451 for a
// temporary failure, 550 for a permanent one); 0 accepts again.
func (s *Server) Refuse(code int) {
	s.mu.Lock()
	s.refuse = code
	s.mu.Unlock()
}

// Block holds every session at its RCPT command while on, then answers
// it 451: a mail stays in flight, never accepted, as long as the test
// wants. RcptSeen tells when a session reached it.
func (s *Server) Block(on bool) {
	s.mu.Lock()
	s.blocked = on
	s.mu.Unlock()
}

// RcptSeen is signalled at each RCPT command.
func (s *Server) RcptSeen() <-chan struct{} { return s.rcpts }

// Delay makes the server wait d before accepting each message.
func (s *Server) Delay(d time.Duration) {
	s.mu.Lock()
	s.delay = d
	s.mu.Unlock()
}

// Slow makes the server wait d before answering each of MAIL, RCPT and
// DATA, as an overloaded or tarpitting server does.
func (s *Server) Slow(d time.Duration) {
	s.mu.Lock()
	s.slow = d
	s.mu.Unlock()
}

// pause waits the Slow delay.
func (s *Server) pause() {
	s.mu.Lock()
	d := s.slow
	s.mu.Unlock()
	time.Sleep(d)
}

// Messages returns a copy of the messages accepted so far.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Wait waits until at least n messages arrived, or fails the test after
// timeout.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if ms := s.Messages(); len(ms) >= n {
			return ms
		}
		select {
		case <-s.arrived:
		case <-deadline:
			t.Fatalf("smtptest: %d messages after %v, want %d", len(s.Messages()), timeout, n)
		}
	}
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (x *session) AuthMechanisms() []string {
	if x.s.opts.User == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (x *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != x.s.opts.User || pass != x.s.opts.Password {
			return errors.New("smtptest: bad credentials")
		}
		x.authed = true
		return nil
	}), nil
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.s.pause()
	if x.s.opts.User != "" && !x.authed {
		return smtp.ErrAuthRequired
	}
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.s.pause()
	select {
	case x.s.rcpts <- struct{}{}:
	default:
	}
	held := false
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		x.s.mu.Lock()
		b := x.s.blocked
		x.s.mu.Unlock()
		if !b {
			break
		}
		held = true
	}
	if held {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "held by the test"}
	}
	x.s.mu.Lock()
	code := x.s.refuse
	x.s.mu.Unlock()
	if code != 0 {
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 1, 1}, Message: "refused by the test: " + to}
	}
	x.to = append(x.to, to)
	return nil
}

func (x *session) Data(r io.Reader) error {
	x.s.pause()
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	delay := x.s.delay
	x.s.mu.Unlock()
	time.Sleep(delay)
	m := Received{From: x.from, To: x.to, Raw: raw}
	if msg, err := mail.ReadMessage(bytes.NewReader(raw)); err == nil {
		m.Header = msg.Header
		m.Text, m.HTML = parts(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, m)
	x.s.mu.Unlock()
	select {
	case x.s.arrived <- struct{}{}:
	default:
	}
	return nil
}

func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

// parts decodes a message's text and HTML parts.
func parts(ctype, enc string, body io.Reader) (text, html string) {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return "", ""
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err != nil {
				return text, html
			}
			t, h := parts(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p)
			text, html = text+t, html+h
		}
	}
	b, _ := io.ReadAll(decode(enc, body))
	if mt == "text/html" {
		return "", string(b)
	}
	return string(b), ""
}

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t testing.TB) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "smtptest"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}, pool
}
