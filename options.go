package tribune

import (
	"context"
	"strings"
	"time"
)

// ServiceOption configures a [Service].
type ServiceOption func(*serviceConfig)

// WithModeration sets the moderation mode (default ModerateFirst).
func WithModeration(m ModerationMode) ServiceOption {
	return func(c *serviceConfig) { c.mode = m }
}

// Filters are the content rules that hold a comment for a moderator or
// set it aside, as WordPress's discussion settings. A zero field keeps its
// default; the zero Filters is the defaults.
type Filters struct {
	// MaxLinks holds comments with this many links or more (default 2,
	// as WordPress); a negative MaxLinks turns the rule off. Bare URLs
	// made into links count.
	MaxLinks int
	// HoldWords hold a comment for a moderator when its name, email,
	// website, text, client address or user agent contains one of them,
	// compared without regard to case (WordPress's moderation words;
	// none by default).
	HoldWords []string
	// BlockWords, compared the same way, send a comment to BlockAs with
	// no error shown to the visitor (WordPress's disallowed words; none
	// by default). They win over HoldWords.
	BlockWords []string
	// BlockAs is StatusTrash (the default) or StatusSpam.
	BlockAs Status
}

// WithFilters sets the content rules (see [Filters]).
func WithFilters(f Filters) ServiceOption {
	return func(c *serviceConfig) {
		switch {
		case f.MaxLinks < 0:
			c.maxLinks = 0
		case f.MaxLinks > 0:
			c.maxLinks = f.MaxLinks
		}
		c.modWords, c.blockWords = lowerWords(f.HoldWords), lowerWords(f.BlockWords)
		if f.BlockAs != "" {
			c.blockStatus = f.BlockAs
		}
	}
}

// WithFloodInterval refuses a new comment from the same client or email
// within d of the last one (default 15 s, as WordPress); 0 disables it.
func WithFloodInterval(d time.Duration) ServiceOption {
	return func(c *serviceConfig) { c.flood = d }
}

// WithRequired sets the required fields (default [DefaultRequired]);
// WithRequired() requires none, and the form then marks none.
func WithRequired(fields ...Field) ServiceOption {
	return func(c *serviceConfig) { c.required = append([]Field{}, fields...) }
}

// WithReplyDepth sets how deeply replies nest (default [DefaultMaxDepth]).
func WithReplyDepth(n int) ServiceOption { return func(c *serviceConfig) { c.maxDepth = n } }

// Names are the names a comment may not be posted under (see
// [WithNames]).
type Names struct {
	// Reserved are refused, and so is anything that looks like one
	// (case aside, and by Unicode's confusables: a Cyrillic "Аdmin" is
	// "Admin"), with a [CodeReserved] error on the name: the site's
	// byline, "admin", its moderators. The comparison folds what Unicode
	// TR39 calls a skeleton (github.com/mtibben/confusables).
	Reserved []string
	// Member says whether a name belongs to one of a host's members, and
	// which (their user ID, as [Identity.UserID]). A comment under a
	// member's name is refused with a [CodeReserved] error on the name
	// unless its visitor is signed in as that member; a signed-in
	// member's comments carry their own name from their [Identity].
	// Member sees the name as typed, trimmed; compare it as the host's
	// accounts do (folding case, for one).
	Member func(ctx context.Context, name string) (userID string, ok bool, err error)
}

// WithNames keeps names for the site and for a host's members (none by
// default).
func WithNames(n Names) ServiceOption {
	return func(c *serviceConfig) {
		c.reserved = map[string]bool{}
		for _, name := range n.Reserved {
			if strings.TrimSpace(name) != "" {
				for _, k := range nameKeys(name) {
					c.reserved[k] = true
				}
			}
		}
		c.nameOwner = n.Member
	}
}

// WithProvenAddresses makes ModerateFirst trust a comment that carries an
// email only from a visitor who proved the address theirs (a mailed link
// followed in this browser: [Submission.Verified]) or a trusted
// [Identity]: a browser that posted an approved comment under an address
// it never proved earns nothing for that address. The widget turns it on
// with mail (widget.WithMail), where addresses can be proved; without
// mail, ModerateFirst trusts a returning browser, as WordPress trusts a
// returning name and email.
func WithProvenAddresses(on bool) ServiceOption {
	return func(c *serviceConfig) { c.provenMail = on }
}

// WithSpamChecker plugs an outside spam filter in.
func WithSpamChecker(s SpamChecker) ServiceOption { return func(c *serviceConfig) { c.spam = s } }

// WithNotifier is told about each stored comment (and, if it is a
// [ModerationNotifier], of each status change). Each WithNotifier adds
// one: they run in the order given.
func WithNotifier(n Notifier) ServiceOption {
	return func(c *serviceConfig) {
		if n != nil {
			c.notifiers = append(c.notifiers, n)
		}
	}
}

// WithClientKey sets the key client addresses are hashed with. Instances
// that share a database must share it, or flood control sees each client
// as new on each instance. The default is random for each process.
func WithClientKey(key []byte) ServiceOption { return func(c *serviceConfig) { c.key = key } }

// WithClock replaces time.Now, for tests.
func WithClock(now func() time.Time) ServiceOption { return func(c *serviceConfig) { c.now = now } }

func lowerWords(words []string) []string {
	var out []string
	for _, w := range words {
		if w = strings.ToLower(strings.TrimSpace(w)); w != "" {
			out = append(out, w)
		}
	}
	return out
}
