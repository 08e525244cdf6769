package tribune

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"
)

// ModerationMode says which comments wait for a moderator.
type ModerationMode int

// The moderation modes, WordPress's choices.
const (
	// ModerateFirst holds a comment unless its author proves they are a
	// returning commenter: the visitor's browser names, in a signed cookie
	// ([Submission.Returning]), an approved comment of theirs with the
	// same email. Typing a regular's email is not enough. It is the zero
	// value, as in WordPress.
	ModerateFirst ModerationMode = iota
	// ModerateNone approves comments at once (unless another rule holds them).
	ModerateNone
	// ModerateAll holds every comment.
	ModerateAll
)

// ParseModerationMode reads "none", "first" or "all".
func ParseModerationMode(s string) (ModerationMode, error) {
	switch s {
	case "first":
		return ModerateFirst, nil
	case "none":
		return ModerateNone, nil
	case "all":
		return ModerateAll, nil
	}
	return 0, fmt.Errorf("tribune: unknown moderation mode %q (want none, first or all)", s)
}

// SpamChecker is a hook for an outside filter such as Akismet. Check
// reports whether the comment is spam; an error is logged by the caller's
// notifier and the comment is held for moderation rather than lost.
type SpamChecker interface {
	Check(ctx context.Context, c *Comment, sub *Submission) (spam bool, err error)
}

// Notifier is told about every stored comment (to send mail, bust a CDN
// cache...). It runs after the comment is stored; its error is returned by
// Submit wrapping [ErrNotNotified], the comment staying stored.
type Notifier interface {
	CommentStored(ctx context.Context, c Comment) error
}

// ModerationNotifier is what a [Notifier] may also implement to hear of
// moderation: [Service.Moderate] calls it after each status change, with
// the status the comment had before (reply mail goes out when a held
// reply is approved).
type ModerationNotifier interface {
	CommentModerated(ctx context.Context, before Status, c Comment) error
}

// Submission is one visitor's post: what they typed and where from.
type Submission struct {
	Input CommentInput
	// ClientAddr is the client's IP address, as the HTTP layer determined
	// it. It is hashed with the service's key before it is stored.
	ClientAddr string
	UserAgent  string
	// SuspectedSpam marks a post the HTTP layer caught (a filled
	// honeypot): it is stored as spam, where a moderator can still find it.
	SuspectedSpam bool
	// Key makes the submission idempotent: the HTTP layer passes the form
	// token, and a second submission with the same key for the same article
	// stores nothing and returns the comment the first one stored.
	Key string
	// Identity is the signed-in visitor, or nil: their name, email and
	// website replace the input's, the comment carries their UserID, and
	// their Trusted and Moderator flags count for moderation.
	Identity *Identity
	// Admit, when set, is called once the comment has passed validation
	// and before anything is stored; its error is returned as is. The HTTP
	// layer charges its per-client rate limit there, so that a visitor who
	// mistypes does not spend their posting budget.
	Admit func(context.Context) error
	// Returning lists comments this visitor wrote before, as their signed
	// cookie tells the HTTP layer: the proof of continuity ModerateFirst
	// asks for. Never fill it from what the visitor typed.
	Returning []uuid.UUID
	// Verified lists the addresses ([Address.ID]) this visitor proved
	// theirs by following a mailed link, as their signed cookie tells the
	// HTTP layer: for ModerateFirst, a verified address with an approved
	// comment is a returning commenter in any browser that followed the
	// link. Never fill it from what the visitor typed.
	Verified []uuid.UUID
	// NotifyReplies asks for mail about replies to this comment (the
	// form's notify_replies box). It is kept only with an email and a
	// store that has an [AddressBook].
	NotifyReplies bool
}

// notifyTimeout bounds a notifier's run.
const notifyTimeout = 30 * time.Second

// Service is the one entry point for a visitor's comment: input →
// validate → sanitize → decide the status → store → notify. The widget,
// the JSON API and a host's own handlers all go through it, so the same
// rules hold everywhere. Build it with [NewService]; it never changes
// afterwards and is safe for concurrent use.
type Service struct {
	store Store
	cfg   serviceConfig
}

type serviceConfig struct {
	mode        ModerationMode
	maxLinks    int
	modWords    []string
	blockWords  []string
	blockStatus Status
	flood       time.Duration
	required    []Field
	maxDepth    int
	reserved    map[string]bool // nameKeys of the reserved names
	spam        SpamChecker
	nameOwner   func(ctx context.Context, name string) (userID string, ok bool, err error)
	provenMail  bool
	notifiers   []Notifier
	key         []byte
	now         func() time.Time
}

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

// nameKeys are what two names share when they look alike: their
// confusable skeletons, taken after and before folding case (a capital I
// looks like an l, a Cyrillic В like a B), without accents.
func nameKeys(name string) []string {
	n := norm.NFKC.String(strings.TrimSpace(name))
	return []string{unaccent(confusables.Skeleton(strings.ToLower(n))), unaccent(strings.ToLower(confusables.Skeleton(n)))}
}

// unaccent drops the combining marks of s.
func unaccent(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, norm.NFD.String(s))
}

// reservedName reports whether name is, or looks like, a reserved one.
func (s *Service) reservedName(name string) bool {
	if len(s.cfg.reserved) == 0 || name == "" {
		return false
	}
	for _, k := range nameKeys(name) {
		if s.cfg.reserved[k] {
			return true
		}
	}
	return false
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

// NewService returns a Service over store.
func NewService(store Store, opts ...ServiceOption) (*Service, error) {
	if store == nil {
		return nil, errors.New("tribune: NewService needs a Store")
	}
	cfg := serviceConfig{maxLinks: 2, flood: 15 * time.Second, required: DefaultRequired(), maxDepth: DefaultMaxDepth, blockStatus: StatusTrash}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxLinks < 0 || cfg.flood < 0 || cfg.maxDepth < 1 {
		return nil, errors.New("tribune: negative limits")
	}
	if cfg.blockStatus != StatusTrash && cfg.blockStatus != StatusSpam {
		return nil, errors.New("tribune: WithWords takes StatusPending, StatusSpam or StatusTrash")
	}
	if cfg.mode < ModerateFirst || cfg.mode > ModerateAll {
		return nil, errors.New("tribune: unknown moderation mode")
	}
	if len(cfg.key) == 0 {
		cfg.key = make([]byte, 32)
		if _, err := rand.Read(cfg.key); err != nil {
			return nil, err
		}
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
	return &Service{store: store, cfg: cfg}, nil
}

// MaxDepth returns how deeply replies may nest.
func (s *Service) MaxDepth() int { return s.cfg.maxDepth }

// Required returns the required fields (a copy: the Service never changes).
func (s *Service) Required() []Field { return slices.Clone(s.cfg.required) }

// FloodInterval returns the shortest time between two comments of one
// client or email.
func (s *Service) FloodInterval() time.Duration { return s.cfg.flood }

// HashClient returns the keyed hash of a client address that is stored
// with comments in place of the address.
func (s *Service) HashClient(addr string) string {
	if addr == "" {
		return ""
	}
	return s.keyed("client", addr)
}

// keyed returns a keyed hash of the parts under the service's key, scoped
// by purpose.
func (s *Service) keyed(purpose string, parts ...string) string {
	m := hmac.New(sha256.New, s.cfg.key)
	m.Write([]byte(purpose))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// dupKey is what makes two comments the same comment: the article, the
// parent, the visitor and the sanitized body. The visitor is the host's
// signed-in user, else the client (so no answer tells whether someone
// else used an email), or, for comments posted without a client address
// by a host's own code, the email key or else the name.
func (s *Service) dupKey(c *Comment) string {
	visitor := "client:" + c.Meta.ClientHash
	switch {
	case c.UserID != "":
		visitor = "user:" + c.UserID
	case c.Meta.ClientHash != "":
	case !c.Email.IsZero():
		visitor = "email:" + c.Email.Key()
	default:
		visitor = "name:" + c.AuthorName
	}
	return s.keyed("dup", c.ArticleID.String(), c.ParentID.String(), visitor, c.Body)
}

// Submit runs a visitor's comment through every rule and stores it. It
// returns the stored comment, whose Status says whether it was approved,
// held (pending) or silently blocked (spam or trash). The errors, each
// for a different answer:
//   - *ValidationError (wraps ErrInvalid): bad fields, an unknown parent
//     or one nested too deeply;
//   - ErrNotFound: no such article;
//   - ErrClosed: the article's comments are closed;
//   - ErrParentNotApproved: a reply to a comment that is not approved;
//   - ErrDuplicate: the same comment again from the same visitor;
//   - ErrFlood: another comment from the same client too soon;
//   - ErrNotNotified: stored (the comment is returned), but the notifier
//     failed.
func (s *Service) Submit(ctx context.Context, sub Submission) (Comment, error) {
	a, err := s.store.Article(ctx, sub.Input.ArticleID)
	if err != nil {
		return Comment{}, err
	}
	if a.CommentsClosed {
		return Comment{}, ErrClosed
	}
	in := sub.Input
	if id := sub.Identity; id != nil {
		in.Name, in.Email, in.Website = id.Name, id.Email, id.Website
	}
	required := s.cfg.required
	if sub.NotifyReplies && !slices.Contains(required, FieldEmail) {
		// Mail about replies needs somewhere to go.
		required = append(slices.Clone(required), FieldEmail)
	}
	c, err := NewCommentWithRequired(in, required)
	if err != nil {
		return Comment{}, err
	}
	if sub.Identity != nil {
		c.UserID = sub.Identity.UserID
	}
	c.Created = s.cfg.now().UTC().Truncate(time.Microsecond)
	c.Meta = Meta{ClientHash: s.HashClient(sub.ClientAddr), UserAgent: truncateUTF8(sub.UserAgent, 255)}
	if c.ParentID != uuid.Nil {
		if err := s.checkParent(ctx, &c); err != nil {
			return Comment{}, err
		}
	}
	if err := s.checkName(ctx, &c, sub.Identity); err != nil {
		return Comment{}, err
	}
	if sub.Admit != nil {
		if err := sub.Admit(ctx); err != nil {
			return Comment{}, err
		}
	}
	if c.Status, err = s.decideStatus(ctx, &c, &sub); err != nil {
		return Comment{}, err
	}
	if sub.Key != "" {
		c.Meta.Key = s.keyed("key", a.ID.String(), sub.Key)
	}
	c.Meta.DupKey = s.dupKey(&c)
	var g Guard
	if s.cfg.flood > 0 {
		g.FloodSince = c.Created.Add(-s.cfg.flood)
	}
	if err := s.store.CreateComment(ctx, &c, g); err != nil {
		// The same form again (a double click, a resend after the flood
		// interval): answer with what the first one made. The key wins
		// over the duplicate and flood rules, whichever a store reports
		// first when several hold at once.
		if c.Meta.Key != "" && (errors.Is(err, ErrReplayed) || errors.Is(err, ErrDuplicate) || errors.Is(err, ErrFlood)) {
			first, ferr := commentByKey(ctx, s.store, c.Meta.Key)
			if ferr == nil {
				return first, nil
			}
			if !errors.Is(ferr, ErrNotFound) {
				return Comment{}, ferr
			}
		}
		return Comment{}, err
	}
	// The comment is stored: a visitor who goes away does not cancel
	// what follows from it.
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), notifyTimeout)
	defer cancel()
	var errs []error
	// A comment sent to spam or trash subscribes nobody: a bot that ticks
	// the box with someone's address gets no mail sent to them.
	if sub.NotifyReplies && !c.Email.IsZero() && (c.Status == StatusApproved || c.Status == StatusPending) {
		errs = append(errs, s.subscribe(nctx, &c, &sub))
	}
	for _, n := range s.cfg.notifiers {
		errs = append(errs, n.CommentStored(nctx, c))
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("%w: %w", ErrNotNotified, err)
	}
	return c, nil
}

// checkName refuses a name that is reserved: one of the site's own
// (WithReservedNames) for anyone not signed in, a member's
// (WithMemberNames) for anyone but that member.
func (s *Service) checkName(ctx context.Context, c *Comment, id *Identity) error {
	reserved := &ValidationError{Fields: []FieldError{{Field: FieldName, Code: CodeReserved}}}
	if id == nil && s.reservedName(c.AuthorName) {
		return reserved
	}
	if s.cfg.nameOwner == nil || c.AuthorName == "" || id != nil && id.UserID != "" && id.Name == c.AuthorName {
		return nil
	}
	owner, ok, err := s.cfg.nameOwner(ctx, c.AuthorName)
	if err != nil {
		return err
	}
	if ok && (id == nil || id.UserID != owner) {
		return reserved
	}
	return nil
}

// subscribe records the comment's wish for reply mail. The subscription
// is confirmed at once only when the visitor proved the address (a
// signed-in identity owns it, or this browser followed a mailed link for
// it); else it waits for the confirmation mailed for this comment
// (outbox.ConfirmationDue), and sends nothing before. An owner who proves the
// address and asks again lifts an earlier "stop all mail".
func (s *Service) subscribe(ctx context.Context, c *Comment, sub *Submission) error {
	book, err := Addresses(s.store)
	if err != nil {
		return nil
	}
	rec := Subscription{CommentID: c.ID, EmailKey: c.Email.Key(), Created: c.Created, Active: true}
	addr, proved, err := s.proved(ctx, c, sub)
	if err != nil {
		return err
	}
	if proved {
		rec.Confirmed = c.Created
		if !addr.OptedOut.IsZero() || addr.Verified.IsZero() {
			if _, err := book.UpdateAddress(ctx, rec.EmailKey, func(a *Address) error {
				a.OptedOut = time.Time{}
				if a.Verified.IsZero() {
					a.Verified = c.Created // a host's identity vouches for its address
				}
				return nil
			}); err != nil {
				return err
			}
		}
	}
	return book.SaveSubscription(ctx, rec)
}

// proved reports whether the visitor of sub proved the comment's address
// theirs: they are signed in with an identity whose address it is, or
// their signed list of verified addresses names it and the store has it
// verified. It returns the stored address when there is one.
func (s *Service) proved(ctx context.Context, c *Comment, sub *Submission) (Address, bool, error) {
	if c.Email.IsZero() {
		return Address{}, false, nil
	}
	book, err := Addresses(s.store)
	if err != nil {
		return Address{}, false, nil
	}
	a, err := book.Address(ctx, c.Email.Key())
	if errors.Is(err, ErrNotFound) {
		a, err = Address{Key: c.Email.Key()}, nil
	}
	if err != nil {
		return Address{}, false, err
	}
	if sub.Identity != nil {
		return a, true, nil // the comment's address is the identity's own (Submit put it there)
	}
	return a, a.ID != uuid.Nil && !a.Verified.IsZero() && slices.Contains(sub.Verified, a.ID), nil
}

// checkParent enforces the parent rules: same article, approved, and not
// nested deeper than the limit.
func (s *Service) checkParent(ctx context.Context, c *Comment) error {
	p, err := s.store.Comment(ctx, c.ParentID)
	if errors.Is(err, ErrNotFound) || (err == nil && p.ArticleID != c.ArticleID) {
		return &ValidationError{Fields: []FieldError{{Field: FieldParent, Code: CodeNoParent}}}
	}
	if err != nil {
		return err
	}
	if p.Status != StatusApproved {
		return ErrParentNotApproved
	}
	depth, err := s.depth(ctx, p)
	if err != nil {
		return err
	}
	if depth >= s.cfg.maxDepth {
		return &ValidationError{Fields: []FieldError{{Field: FieldParent, Code: CodeTooDeep, Limit: s.cfg.maxDepth}}}
	}
	return nil
}

// depth is how deeply c nests (a top-level comment has depth 1), counted
// no further than the limit.
func (s *Service) depth(ctx context.Context, c Comment) (int, error) {
	depth := 1
	for anc := c; anc.ParentID != uuid.Nil && depth <= s.cfg.maxDepth; depth++ {
		var err error
		if anc, err = s.store.Comment(ctx, anc.ParentID); errors.Is(err, ErrNotFound) {
			break
		} else if err != nil {
			return 0, err
		}
	}
	return depth, nil
}

// CanReply reports whether a reply to p would be taken: p is approved and
// not nested at the depth limit. The widget offers a reply form only then.
func (s *Service) CanReply(ctx context.Context, p Comment) (bool, error) {
	if p.Status != StatusApproved {
		return false, nil
	}
	depth, err := s.depth(ctx, p)
	return err == nil && depth < s.cfg.maxDepth, err
}

// decideStatus applies the block list, the spam hook and the moderation
// rules, in WordPress's order.
func (s *Service) decideStatus(ctx context.Context, c *Comment, sub *Submission) (Status, error) {
	fields := []string{c.AuthorName, c.Email.Address(), c.Website, sub.Input.Body, c.Body, sub.ClientAddr, sub.UserAgent}
	if matchAny(fields, s.cfg.blockWords) {
		return s.cfg.blockStatus, nil
	}
	if sub.SuspectedSpam {
		return StatusSpam, nil
	}
	if sub.Identity != nil && sub.Identity.Moderator {
		return StatusApproved, nil
	}
	held := false
	if s.cfg.spam != nil {
		spam, err := s.cfg.spam.Check(ctx, c, sub)
		switch {
		case err != nil:
			held = true // the filter is down: hold, do not lose
		case spam:
			return StatusSpam, nil
		}
	}
	if held || matchAny(fields, s.cfg.modWords) || (s.cfg.maxLinks > 0 && linkCount(c.Body) >= s.cfg.maxLinks) {
		return StatusPending, nil
	}
	switch s.cfg.mode {
	case ModerateAll:
		return StatusPending, nil
	case ModerateFirst:
		if sub.Identity != nil && sub.Identity.Trusted {
			break
		}
		ok, err := false, error(nil)
		if c.Email.IsZero() || !s.cfg.provenMail {
			ok, err = s.returning(ctx, c, sub.Returning)
		}
		if err == nil && !ok {
			ok, err = s.verifiedRegular(ctx, c, sub)
		}
		if err != nil {
			return "", err
		}
		if !ok {
			return StatusPending, nil
		}
	}
	return StatusApproved, nil
}

// returning reports whether one of the visitor's earlier comments (by
// their signed list) is approved and was sent with the same email, or,
// for a comment without an email, the same name.
func (s *Service) returning(ctx context.Context, c *Comment, earlier []uuid.UUID) (bool, error) {
	if len(earlier) == 0 {
		return false, nil
	}
	mine, err := s.store.FindComments(ctx, Query{IDs: earlier})
	if err != nil {
		return false, err
	}
	for _, p := range mine {
		if p.Status != StatusApproved {
			continue
		}
		if c.Email.IsZero() && p.Email.IsZero() && p.AuthorName == c.AuthorName && c.AuthorName != "" ||
			!c.Email.IsZero() && p.Email.Equal(c.Email) {
			return true, nil
		}
	}
	return false, nil
}

// verifiedRegular reports whether the visitor proved the comment's
// address theirs (see proved) and it has an approved comment.
func (s *Service) verifiedRegular(ctx context.Context, c *Comment, sub *Submission) (bool, error) {
	if _, ok, err := s.proved(ctx, c, sub); err != nil || !ok {
		return false, err
	}
	mine, err := s.store.FindComments(ctx, Query{EmailKey: c.Email.Key(), Statuses: []Status{StatusApproved}, Limit: 1})
	return len(mine) > 0, err
}

func matchAny(fields, words []string) bool {
	if len(words) == 0 {
		return false
	}
	for _, f := range fields {
		if f == "" {
			continue
		}
		lf := strings.ToLower(f)
		for _, w := range words {
			if strings.Contains(lf, w) {
				return true
			}
		}
	}
	return false
}

func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return strings.ToValidUTF8(s, "")
	}
	s = s[:n]
	return strings.ToValidUTF8(s, "")
}

// Own returns those of the comments own names that belong to the
// article, whatever their status, in one read by their IDs.
func (s *Service) Own(ctx context.Context, articleID uuid.UUID, own []uuid.UUID) ([]Comment, error) {
	if len(own) == 0 {
		return nil, nil
	}
	return s.store.FindComments(ctx, Query{ArticleID: articleID, IDs: own})
}

// Moderate sets a comment's status (approve, spam, trash, or back to
// pending) and returns it as stored.
func (s *Service) Moderate(ctx context.Context, id uuid.UUID, status Status) (Comment, error) {
	return s.moderate(ctx, id, 0, status)
}

// ModerateVersion is Moderate on the version of the comment a moderator
// saw (a mailed link's): if the comment was edited or moderated since,
// it changes nothing and returns ErrConflict.
func (s *Service) ModerateVersion(ctx context.Context, id uuid.UUID, version int, status Status) (Comment, error) {
	if version < 1 {
		return Comment{}, fmt.Errorf("tribune: moderate: version %d: %w", version, ErrInvalid)
	}
	return s.moderate(ctx, id, version, status)
}

func (s *Service) moderate(ctx context.Context, id uuid.UUID, version int, status Status) (Comment, error) {
	before, err := s.store.Comment(ctx, id)
	if err != nil {
		return Comment{}, err
	}
	c, err := setStatus(ctx, s.store, id, version, status)
	if err != nil || c.Status == before.Status {
		return c, err
	}
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), notifyTimeout)
	defer cancel()
	var errs []error
	for _, n := range s.cfg.notifiers {
		if mn, ok := n.(ModerationNotifier); ok {
			errs = append(errs, mn.CommentModerated(nctx, before.Status, c))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return c, fmt.Errorf("%w: %w", ErrNotNotified, err)
	}
	return c, nil
}

// Edit replaces a comment's text with newly sanitized text.
func (s *Service) Edit(ctx context.Context, id uuid.UUID, text string) (Comment, error) {
	c, err := s.store.Comment(ctx, id)
	if err != nil {
		return Comment{}, err
	}
	in := CommentInput{ArticleID: c.ArticleID, Body: text}
	checked, err := NewCommentWithRequired(in, []Field{FieldBody})
	if err != nil {
		return Comment{}, err
	}
	return editBody(ctx, s.store, id, checked.Body)
}

// Delete removes a comment for good; its replies move up.
func (s *Service) Delete(ctx context.Context, id uuid.UUID) error {
	return deleteComment(ctx, s.store, id)
}

// EditOwn replaces the text of a comment at its author's request: the
// text is validated and sanitized as a new one, goes through the spam hook
// and the moderation rules again (block words send it to trash or spam; links,
// moderation words or ModerateAll hold an approved comment for a
// moderator) and the comment is marked as edited. Only a pending or
// approved comment can be edited (ErrNotFound otherwise). Who may edit,
// and until when, is the caller's rule (the widget's edit window).
func (s *Service) EditOwn(ctx context.Context, id uuid.UUID, text string) (Comment, error) {
	c, err := s.store.Comment(ctx, id)
	if err != nil {
		return Comment{}, err
	}
	checked, err := NewCommentWithRequired(CommentInput{ArticleID: c.ArticleID, Body: text}, []Field{FieldBody})
	if err != nil {
		return Comment{}, err
	}
	now := s.cfg.now().UTC().Truncate(time.Microsecond)
	// The new text goes through the spam hook as a post would (outside
	// the store's atomic update: the hook may call a service).
	spam, held := false, false
	if s.cfg.spam != nil {
		probe := c
		probe.Body, probe.Edited = checked.Body, now
		isSpam, err := s.cfg.spam.Check(ctx, &probe, &Submission{Input: CommentInput{ArticleID: c.ArticleID, ParentID: c.ParentID,
			Name: c.AuthorName, Email: c.Email.Address(), Website: c.Website, Body: text}})
		spam, held = err == nil && isSpam, err != nil
	}
	return update(ctx, s.store, id, func(c *Comment) error {
		if c.Status != StatusApproved && c.Status != StatusPending {
			return fmt.Errorf("tribune: edit: comment is %s: %w", c.Status, ErrNotFound)
		}
		c.Body, c.Edited = checked.Body, now
		fields := []string{c.AuthorName, c.Email.Address(), c.Website, text, c.Body}
		switch {
		case matchAny(fields, s.cfg.blockWords):
			c.Status = s.cfg.blockStatus
		case spam:
			c.Status = StatusSpam
		case held || s.cfg.mode == ModerateAll || matchAny(fields, s.cfg.modWords) || (s.cfg.maxLinks > 0 && linkCount(c.Body) >= s.cfg.maxLinks):
			c.Status = StatusPending
		}
		if c.Meta.DupKey != "" {
			c.Meta.DupKey = s.dupKey(c)
		}
		return nil
	})
}
