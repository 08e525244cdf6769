package outbox

import (
	"strings"
	"testing"

	"github.com/tribune-go/tribune"
)

// TestRecipientBlankedWhateverItsCase: a server that echoes the address
// in another case (its domain has none) still has it blanked.
func TestRecipientBlankedWhateverItsCase(t *testing.T) {
	to, err := tribune.ParseEmail("Lea.Martin@Example.org")
	if err != nil {
		t.Fatal(err)
	}
	for _, answer := range []string{
		"550 5.1.1 <Lea.Martin@Example.org>: no such user",
		"550 5.1.1 <lea.martin@example.org>: no such user",
		"550 5.1.1 <LEA.MARTIN@EXAMPLE.ORG>: no such user",
		"550 5.1.1 <lea.martin@EXAMPLE.org>... user unknown (lea.Martin@example.ORG)",
	} {
		got := scrubAddress(answer, to)
		if strings.Contains(strings.ToLower(got), "lea.martin") || !strings.Contains(got, "550") {
			t.Errorf("scrubAddress(%q) = %q", answer, got)
		}
	}
	if got := scrubAddress("a.b+c@x.org and a_b+c@x.org", tribune.StoredEmail("a.b+c@x.org")); got != tribune.StoredEmail("x@example.org").String()+" and a_b+c@x.org" {
		t.Errorf("the address is matched literally, not as a pattern: %q", got)
	}
}
