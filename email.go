package tribune

import (
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
)

// MaxEmailLen is the longest email address accepted, in bytes (WordPress's limit).
const MaxEmailLen = 100

// hiddenEmail is what every printing path shows instead of an address.
const hiddenEmail = "[email hidden]"

// Email is a commenter's email address, private by construction: printing
// it with fmt (every verb), String, GoString, JSON or text marshalling,
// slog or html/template never reveals the address. Only [Email.Address]
// does; call it where the address is really needed (storage, moderation,
// personal-data export).
//
// The zero Email holds no address.
type Email struct {
	// addr is behind a pointer so that even reflection-based printing of a
	// struct that holds an Email in an unexported field shows a pointer,
	// never the address.
	addr *string
}

// ParseEmail validates s as one plain address (no display name, no list,
// at most [MaxEmailLen] bytes, a dotted domain) and returns it as an Email.
// Surrounding whitespace is trimmed. The empty string gives the zero Email
// and no error; required-ness is the caller's rule.
func ParseEmail(s string) (Email, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Email{}, nil
	}
	if code := checkLine(s, MaxEmailLen); code != "" {
		return Email{}, &ValidationError{Fields: []FieldError{{Field: FieldEmail, Code: code, Limit: MaxEmailLen}}}
	}
	if !validEmail(s) {
		return Email{}, &ValidationError{Fields: []FieldError{{Field: FieldEmail, Code: CodeEmail}}}
	}
	return Email{addr: &s}, nil
}

// StoredEmail wraps an address read back from storage. It is meant for
// [Store] implementations, which hand back what [ParseEmail] accepted
// earlier; it does not validate again, so a stored address always round
// trips even if the rules change.
func StoredEmail(addr string) Email {
	if addr == "" {
		return Email{}
	}
	return Email{addr: &addr}
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	local, domain := s[:at], s[at+1:]
	if local == "" || strings.ContainsAny(s, "\"\\ []()<>,;:") {
		return false
	}
	if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return false
	}
	for _, r := range domain {
		if !(r == '.' || r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 0x7f) {
			return false
		}
	}
	return true
}

// Address returns the address itself. It is the one way to read it.
func (e Email) Address() string {
	if e.addr == nil {
		return ""
	}
	return *e.addr
}

// IsZero reports whether e holds no address.
func (e Email) IsZero() bool { return e.addr == nil }

// Equal reports whether e and o hold the same address, ignoring case, as
// stores compare addresses.
func (e Email) Equal(o Email) bool { return e.Key() == o.Key() }

// Key returns the address in the form stores compare and index it by:
// lower case. Every store uses it, so they agree on who is who.
func (e Email) Key() string { return strings.ToLower(e.Address()) }

// String implements fmt.Stringer without the address.
func (e Email) String() string {
	if e.addr == nil {
		return ""
	}
	return hiddenEmail
}

// Format implements fmt.Formatter so that no verb, flag or width reveals
// the address (%#v included: it prints tribune.Email{[email hidden]}).
func (e Email) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprintf(f, "%q", e.String())
	case 'v':
		if f.Flag('#') {
			_, _ = f.Write([]byte("tribune.Email{" + e.String() + "}"))
			return
		}
		_, _ = f.Write([]byte(e.String()))
	default:
		_, _ = f.Write([]byte(e.String()))
	}
}

// MarshalText implements encoding.TextMarshaler without the address:
// encoding/json, encoding/xml and every text encoder use it, so an Email
// in JSON is the string "[email hidden]" (or "" when there is none).
func (e Email) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// LogValue implements slog.LogValuer without the address.
func (e Email) LogValue() slog.Value { return slog.StringValue(e.String()) }
