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

// WithMaxLinks holds comments with n links or more (default 2, as
// WordPress); 0 disables the rule. Bare URLs made into links count.
func WithMaxLinks(n int) ServiceOption { return func(c *serviceConfig) { c.maxLinks = n } }

// WithWords gives status to comments whose name, email, website, text,
// client address or user agent contains one of the words, compared
// without regard to case (none by default): StatusPending holds them for
// a moderator (WordPress's moderation words); StatusSpam or StatusTrash
// sends them there with no error shown to the visitor (its disallowed
// words). Each status's words are set once; block words win over
// moderation words.
func WithWords(status Status, words ...string) ServiceOption {
	return func(c *serviceConfig) {
		if status == StatusPending {
			c.modWords = lowerWords(words)
			return
		}
		c.blockWords, c.blockStatus = lowerWords(words), status
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

// WithReservedNames refuses a comment whose name is one of names, or looks
// like one (case aside, and by Unicode's confusables: a Cyrillic "Аdmin"
// is "Admin"), with a [CodeReserved] error on the name: the site's
// byline, "admin", its moderators. The comparison folds what Unicode
// TR39 calls a skeleton (github.com/mtibben/confusables).
func WithReservedNames(names ...string) ServiceOption {
	return func(c *serviceConfig) {
		if c.reserved == nil {
			c.reserved = map[string]bool{}
		}
		for _, n := range names {
			if strings.TrimSpace(n) != "" {
				for _, k := range nameKeys(n) {
					c.reserved[k] = true
				}
			}
		}
	}
}

// WithMemberNames reserves the names of a host's members: owner says
// whether a name belongs to a member, and which (their user ID, as
// [Identity.UserID]). A comment under a member's name is refused with a
// [CodeReserved] error on the name unless its visitor is signed in as
// that member; a signed-in member's comments carry their own name from
// their [Identity]. owner sees the name as typed, trimmed; compare it as
// the host's accounts do (folding case, for one).
func WithMemberNames(owner func(ctx context.Context, name string) (userID string, ok bool, err error)) ServiceOption {
	return func(c *serviceConfig) { c.nameOwner = owner }
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
