package widget

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune/memstore"
)

func TestLinkTokens(t *testing.T) {
	h, err := New(memstore.New(), WithSecret([]byte("a test secret of at least 32 bytes!")))
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.New()
	tok := h.linkToken(linkModerate, id, 7, time.Now().Add(time.Hour))
	if got, err := h.readLinkToken(linkModerate, tok); err != nil || got.ID != id || got.Version != 7 {
		t.Fatalf("a fresh token: %v %v", got, err)
	}
	if strings.Contains(tok, id.String()) {
		t.Error("the token shows the ID as is")
	}
	if _, err := h.readLinkToken(linkUnsubscribe, tok); !errors.Is(err, errLinkBad) {
		t.Errorf("a moderation token read as an unsubscribe one: %v", err)
	}
	p, mac, _ := strings.Cut(tok, ".")
	altered := []byte(p)
	altered[3] ^= 1 // another ID
	if _, err := h.readLinkToken(linkModerate, string(altered)+"."+mac); !errors.Is(err, errLinkBad) {
		t.Errorf("an altered token: %v", err)
	}
	version := []byte(p)
	version[len(version)-2] ^= 1 // another version
	if _, err := h.readLinkToken(linkModerate, string(version)+"."+mac); !errors.Is(err, errLinkBad) {
		t.Errorf("a token with another version: %v", err)
	}
	other, _ := New(memstore.New(), WithSecret([]byte("another secret, also of 32 bytes!!")))
	if _, err := other.readLinkToken(linkModerate, tok); !errors.Is(err, errLinkBad) {
		t.Errorf("a token of another site: %v", err)
	}
	if _, err := h.readLinkToken(linkModerate, h.linkToken(linkModerate, id, 1, time.Now().Add(-2*time.Second))); !errors.Is(err, errLinkExpired) {
		t.Errorf("an expired token: %v", err)
	}
	if got, err := h.readLinkToken(linkUnsubscribe, h.linkToken(linkUnsubscribe, id, 0, time.Time{})); err != nil || got.ID != id || !got.Expires.IsZero() {
		t.Errorf("a token without expiry: %v %v", got, err)
	}
	for _, bad := range []string{"", ".", "x.y", strings.Repeat("A", 32) + "."} {
		if _, err := h.readLinkToken(linkModerate, bad); !errors.Is(err, errLinkBad) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

func TestRedactPath(t *testing.T) {
	for in, want := range map[string]string{
		"/comments/mail/confirm/AAAA.bbbb":       "/comments/mail/confirm/REDACTED",
		"/comments/mail/manage/AAAA.bbbb":        "/comments/mail/manage/REDACTED",
		"/mail/unsubscribe/x":                    "/mail/unsubscribe/REDACTED",
		"/comments/mail/manage":                  "/comments/mail/manage",
		"/comments/articles/otan":                "/comments/articles/otan",
		"/comments/mail/moderate/tok/extra/bits": "/comments/mail/moderate/REDACTED",
	} {
		if got := RedactPath(in); got != want {
			t.Errorf("RedactPath(%q) = %q, want %q", in, got, want)
		}
	}
}
