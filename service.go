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

	"github.com/google/uuid"
)

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
	// stores nothing and returns the comment the first one stored, when it
	// is the same comment (parent, name, email, website and text). Another
	// comment under a key already used (a form kept in a browser's cache
	// and sent twice, from two tabs) is refused with ErrReplayed: a form
	// is good for one comment, and the caller shows the text again with a
	// fresh form.
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
		return nil, errors.New("tribune: Filters.BlockAs takes StatusSpam or StatusTrash")
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

// Now returns the Service's time (time.Now unless [WithClock] says
// otherwise): what a host or an adapter dates things by, so that one
// clock moves them all in tests.
func (s *Service) Now() time.Time { return s.cfg.now() }

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
				if !sameComment(&first, &c) {
					return Comment{}, ErrReplayed
				}
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

// sameComment reports whether a submission sent again under a key is the
// comment the key already made: the same parent, author and text.
func sameComment(stored, sent *Comment) bool {
	return stored.ParentID == sent.ParentID && stored.AuthorName == sent.AuthorName &&
		stored.Email.Key() == sent.Email.Key() && stored.Website == sent.Website && stored.Body == sent.Body
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
