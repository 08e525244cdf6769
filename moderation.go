package tribune

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
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
