package widget

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/i18n"
	"github.com/tribune-go/tribune/outbox"
)

// Mail is what the widget's mail needs beyond the outbox (see [WithMail]).
type Mail struct {
	// SiteName names the site in every mail: the sender's display name
	// and the subjects (default: the host of WithSiteURL).
	SiteName string
	// Moderators are the addresses mailed about each comment held for
	// moderation, with signed links to approve, mark as spam or trash it.
	Moderators []string
	// DailyReplies is how many reply mails one address gets in a day at
	// most, counted in the store across instances (default
	// DefaultDailyReplies; negative: no limit).
	DailyReplies int
}

// WithMail turns the commenters' mail on: the form offers "notify me of
// replies by email" (confirmed by a mailed link before anything else is
// sent), subscribers hear of each approved reply with a one-click
// unsubscribe (RFC 8058), moderators hear of held comments, and authors
// may ask for a link to manage their comments. Mails are queued in the
// outbox, in the store; the host runs outbox.Run. It needs WithSiteURL
// (mails carry absolute links) and a store with an outbox and an address
// book (the SQL stores, memstore). Without WithMail, no mail feature
// shows and nothing is queued.
func WithMail(ob *outbox.Outbox, m Mail) Option {
	return func(c *config) error {
		if ob == nil {
			return errors.New("widget: WithMail needs an outbox")
		}
		c.outbox, c.mail = ob, m
		switch {
		case m.DailyReplies == 0:
			c.dailyReplies = DefaultDailyReplies
		case m.DailyReplies < 0:
			c.dailyReplies = 0
		default:
			c.dailyReplies = m.DailyReplies
		}
		c.moderators = nil
		for _, s := range m.Moderators {
			e, err := tribune.ParseEmail(s)
			if err != nil || e.IsZero() {
				return errors.New("widget: a moderator address is not a valid email address")
			}
			c.moderators = append(c.moderators, e)
		}
		return nil
	}
}

// WithEditWindow sets how long after posting an author may edit or delete
// their comment from the browser they posted it with (default 15
// minutes); 0 turns editing off. After it, a verified author manages
// their comments through a mailed link (with WithMail).
func WithEditWindow(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return errors.New("widget: negative edit window")
		}
		c.editWindow = d
		return nil
	}
}

// DefaultDailyReplies is how many reply mails one address gets in a day
// (UTC) at most; the replies past it are on the page, not in the mailbox.
const DefaultDailyReplies = 10

// defaultDailyManage is the same for manage links (each asked for on the
// site by whoever types the address).
const defaultDailyManage = 3

// DefaultEditWindow is how long an author may edit their comment.
const DefaultEditWindow = 15 * time.Minute

// How long mailed links last. An unsubscribe link never expires: it
// must work in a mail read months later.
const (
	confirmLinkTTL  = 7 * 24 * time.Hour
	moderateLinkTTL = 7 * 24 * time.Hour
	manageLinkTTL   = 24 * time.Hour
	// manageEvery is the same for manage links.
	manageEvery = 10 * time.Minute
)

// The kinds of mailed links, each signed for its own purpose.
const (
	linkConfirm     = "confirm"
	linkUnsubscribe = "unsubscribe"
	linkModerate    = "moderate"
	linkManage      = "manage"
	// linkStop opens the "stop all mail" page of an address.
	linkStop = "stop"
)

var (
	errLinkBad     = errors.New("widget: bad link")
	errLinkExpired = errors.New("widget: link expired")
)

// linkToken is the opaque part of a mailed link: an ID (of an address or
// a comment), an expiry, the version of the comment it was sent for (0
// when it names no version) and a MAC scoped to the kind. It names no
// address, name or text. A zero expiry never expires.
func (h *Handler) linkToken(kind string, id uuid.UUID, version int64, expires time.Time) string {
	var raw [32]byte
	copy(raw[:16], id[:])
	if !expires.IsZero() {
		binary.BigEndian.PutUint64(raw[16:24], uint64(expires.Unix()))
	}
	binary.BigEndian.PutUint64(raw[24:], uint64(version))
	p := base64.RawURLEncoding.EncodeToString(raw[:])
	return p + "." + h.sign("link:"+kind, p)
}

// linkClaim is what a checked link token says.
type linkClaim struct {
	ID      uuid.UUID
	Version int64
	Expires time.Time // zero: never
	// Use names this one token among the uses counted in the store, for
	// single-use links.
	Use string
}

// readLinkToken checks a link token of the kind and returns its claim.
// Tokens of 24 bytes (mailed before versions were signed) still read,
// with version 0.
func (h *Handler) readLinkToken(kind, tok string) (linkClaim, error) {
	p, mac, ok := strings.Cut(tok, ".")
	if !ok || (len(p) != 32 && len(p) != 43) || !h.verify(mac, "link:"+kind, p) {
		return linkClaim{}, errLinkBad
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || len(raw) != 24 && len(raw) != 32 {
		return linkClaim{}, errLinkBad
	}
	c := linkClaim{ID: uuid.UUID(raw[:16]), Use: "link:" + kind + ":" + mac}
	if exp := int64(binary.BigEndian.Uint64(raw[16:24])); exp != 0 {
		if h.now().Unix() > exp {
			return linkClaim{}, errLinkExpired
		}
		c.Expires = time.Unix(exp, 0)
	}
	if len(raw) == 32 {
		c.Version = int64(binary.BigEndian.Uint64(raw[24:]))
	}
	return c, nil
}

// spendLink uses a single-use link up, in the store (so on every
// instance): false when it was used before.
func (h *Handler) spendLink(ctx context.Context, c linkClaim) (bool, error) {
	window := 400 * 24 * time.Hour
	if !c.Expires.IsZero() {
		window = time.Until(c.Expires) + time.Minute
	}
	return h.uses.Spend(ctx, c.Use, 1, window, h.now())
}

// mailLink is the absolute link of a mail to one of the link pages,
// valid for ttl (0: for ever).
func (h *Handler) mailLink(kind string, id uuid.UUID, ttl time.Duration) string {
	return h.mailLinkVersion(kind, id, 0, ttl)
}

// mailLinkVersion is mailLink for one version of a comment.
func (h *Handler) mailLinkVersion(kind string, id uuid.UUID, version int64, ttl time.Duration) string {
	var exp time.Time
	if ttl > 0 {
		exp = h.now().Add(ttl)
	}
	return h.absolute(h.cfg.prefix + "/mail/" + kind + "/" + h.linkToken(kind, id, version, exp))
}

// RedactPath returns an URL path with the secret part of a mailed link
// (the token after /mail/<kind>/) replaced by "REDACTED", for access
// logs: a token is its bearer's authority and must not sit in a log
// file. Every log line the widget writes goes through it; a host's
// access log should too (examples/blog's does).
func RedactPath(path string) string {
	i := strings.Index(path, "/mail/")
	if i < 0 {
		return path
	}
	rest := path[i+len("/mail/"):]
	kind, tok, ok := strings.Cut(rest, "/")
	if !ok || tok == "" {
		return path
	}
	return path[:i] + "/mail/" + kind + "/REDACTED"
}

// verifiedCookie holds the addresses this browser proved, signed.
const (
	verifiedCookie = "tribune_verified"
	maxVerified    = 5
)

func (h *Handler) verifiedIDs(r *http.Request) []uuid.UUID {
	return h.visitOf(r).verifiedIDs()
}

func (h *Handler) addVerified(w http.ResponseWriter, r *http.Request, id uuid.UUID) {
	h.addToIDCookie(w, r, verifiedCookie, "verified", maxVerified, 365*24*3600, id)
}

// mailNotifier queues the mails that follow from comments: it is the
// Service's notifier when mail is on.
type mailNotifier struct{ h *Handler }

var (
	_ tribune.Notifier           = (*mailNotifier)(nil)
	_ tribune.ModerationNotifier = (*mailNotifier)(nil)
)

// CommentStored implements tribune.Notifier.
func (n *mailNotifier) CommentStored(ctx context.Context, c tribune.Comment) error {
	var errs []error
	if c.Status == tribune.StatusPending {
		errs = append(errs, n.moderators(ctx, &c))
	}
	errs = append(errs, n.confirm(ctx, &c))
	if c.Status == tribune.StatusApproved {
		errs = append(errs, n.reply(ctx, &c))
	}
	return errors.Join(errs...)
}

// CommentModerated implements tribune.ModerationNotifier: a held reply
// that is approved is news for its parent's author.
func (n *mailNotifier) CommentModerated(ctx context.Context, before tribune.Status, c tribune.Comment) error {
	if c.Status != tribune.StatusApproved || before == tribune.StatusApproved {
		return nil
	}
	return n.reply(ctx, &c)
}

// confirm mails a confirmation link to an address that asked for reply
// mail and has not proved itself yet (outbox.ConfirmationDue).
func (n *mailNotifier) confirm(ctx context.Context, c *tribune.Comment) error {
	h := n.h
	now := h.now().UTC()
	addr, due, err := outbox.ConfirmationDue(ctx, h.store, *c, now)
	if err != nil || !due {
		return err
	}
	a, err := h.store.Article(ctx, c.ArticleID)
	if err != nil {
		return err
	}
	l := h.renderer.Catalog().Locale(a.Lang)
	// The link names the comment: following it confirms this one
	// subscription (and proves the address), nothing another visitor
	// typed the same address into.
	m := mailView{L: l, Site: h.siteName(),
		Paragraphs: []string{l.T("mail.confirm.intro", "title", a.Title), l.T("mail.confirm.why")},
		Action:     mailLink{l.T("mail.confirm.action"), h.mailLink(linkConfirm, c.ID, confirmLinkTTL)},
		Footer:     []string{l.T("mail.confirm.ignore")},
		Links:      []mailLink{{l.T("mail.stop_all"), h.mailLink(linkStop, addr.ID, 0)}}}
	return h.queueMail(ctx, "confirm", fmt.Sprintf("confirm:%s:%d", addr.ID, now.Unix()/86400), c.Email,
		l.T("mail.confirm.subject", "site", h.siteName()), &m)
}

// reply mails the author of the comment answered, if the rules of reply
// mail say so (outbox.ReplyRecipient).
func (n *mailNotifier) reply(ctx context.Context, c *tribune.Comment) error {
	h := n.h
	parent, ok, err := outbox.ReplyRecipient(ctx, h.store, *c)
	if err != nil || !ok {
		return err
	}
	if ok, err := h.withinBudget(ctx, "reply", parent.Email, h.cfg.dailyReplies); err != nil || !ok {
		return err // past the recipient's daily budget: nothing more today
	}
	a, l, name, err := h.mailAbout(ctx, c)
	if err != nil {
		return err
	}
	unsubscribe := h.mailLink(linkUnsubscribe, parent.ID, 0)
	m := mailView{L: l, Site: h.siteName(),
		Paragraphs: []string{l.T("mail.reply.intro", "name", name, "title", a.Title)},
		Quote:      &mailQuote{Author: name, Body: c.Body},
		Action:     mailLink{l.T("mail.reply.action"), h.absolute(h.Permalink(c))},
		Footer:     []string{l.T("mail.reply.why")},
		Links:      []mailLink{{l.T("mail.reply.unsubscribe"), unsubscribe}}}
	return h.queueMail(ctx, "reply", "reply:"+c.ID.String()+":"+parent.ID.String(), parent.Email,
		l.T("mail.reply.subject", "title", a.Title), &m, unsubscribe)
}

// moderators mails each moderator about a held comment.
func (n *mailNotifier) moderators(ctx context.Context, c *tribune.Comment) error {
	h := n.h
	if len(h.cfg.moderators) == 0 {
		return nil
	}
	a, l, name, err := h.mailAbout(ctx, c)
	if err != nil {
		return err
	}
	link := h.mailLinkVersion(linkModerate, c.ID, int64(c.Version), moderateLinkTTL)
	m := mailView{L: l, Site: h.siteName(),
		Paragraphs: []string{l.T("mail.moderate.intro", "name", name, "title", a.Title)},
		Quote:      &mailQuote{Author: name, Body: c.Body},
		Action:     mailLink{l.T("admin.approve"), link + "?action=approve"},
		Links: []mailLink{{l.T("admin.mark_spam"), link + "?action=spam"}, {l.T("admin.mark_trash"), link + "?action=trash"},
			{l.T("mail.moderate.screen"), h.absolute(h.cfg.prefix + "/admin/")}},
		Footer: []string{l.T("mail.moderate.expires")}}
	var errs []error
	for _, mod := range h.cfg.moderators {
		errs = append(errs, h.queueMail(ctx, "moderate", "moderate:"+c.ID.String()+":"+mod.Key(), mod,
			l.T("mail.moderate.subject", "title", a.Title), &m))
	}
	return errors.Join(errs...)
}

// withinBudget spends one mail of kind to the address from its daily
// budget, counted in the store (so across instances) under a keyed hash
// of the address: false once the day's budget is spent, until the next
// day (UTC). A budget of 0 or less has no limit.
func (h *Handler) withinBudget(ctx context.Context, kind string, to tribune.Email, perDay int) (bool, error) {
	if perDay <= 0 {
		return true, nil
	}
	now := h.now().UTC()
	day := now.Truncate(24 * time.Hour)
	key := "mail:" + kind + ":" + h.sign("budget:"+kind, to.Key(), day.Format(time.DateOnly))
	return h.uses.Spend(ctx, key, perDay, day.Add(24*time.Hour).Sub(now), now)
}

// mailAbout is what a mail about a comment is written with: its
// article, the article's language, and the author's name as the thread
// shows it.
func (h *Handler) mailAbout(ctx context.Context, c *tribune.Comment) (tribune.Article, *i18n.Locale, string, error) {
	a, err := h.store.Article(ctx, c.ArticleID)
	if err != nil {
		return a, nil, "", err
	}
	l := h.renderer.Catalog().Locale(a.Lang)
	name := c.AuthorName
	if name == "" {
		name = l.T("thread.anonymous")
	}
	return a, l, name, nil
}

// queueMail renders a mail and puts it in the outbox under key.
func (h *Handler) queueMail(ctx context.Context, kind, key string, to tribune.Email, subject string, m *mailView, unsubscribe ...string) error {
	text, html, err := renderMail(m)
	if err != nil {
		return err
	}
	msg := &outbox.Mail{Kind: kind, Key: key,
		Message: outbox.Message{To: to, From: h.siteName(), Subject: subject, Text: text, HTML: html, Lang: m.L.Tag()}}
	if len(unsubscribe) > 0 {
		msg.Unsubscribe = unsubscribe[0]
	}
	_, err = h.cfg.outbox.Queue(ctx, msg)
	return err
}

func (h *Handler) siteName() string {
	if h.cfg.mail.SiteName != "" {
		return h.cfg.mail.SiteName
	}
	return h.cfg.siteURL.Host
}
