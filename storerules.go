package tribune

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/google/uuid"
)

// This file holds the rules of comments that used to live in each store,
// written once over the core [Store] and its optional capabilities.

// errUnchanged tells UpdateComment that apply found nothing to change.
var errUnchanged = errors.New("tribune: unchanged")

// commentByKey returns the comment stored with Meta.Key == key, or
// ErrNotFound.
func commentByKey(ctx context.Context, s Store, key string) (Comment, error) {
	if key == "" {
		return Comment{}, fmt.Errorf("tribune: comment by key: %w", ErrNotFound)
	}
	cs, err := s.FindComments(ctx, Query{Key: key, Limit: 1})
	if err != nil {
		return Comment{}, err
	}
	if len(cs) == 0 {
		return Comment{}, fmt.Errorf("tribune: comment by key: %w", ErrNotFound)
	}
	return cs[0], nil
}

// update applies change to a stored comment and bumps its version, unless
// change returns errUnchanged: every change to a comment goes through it.
func update(ctx context.Context, s Store, id uuid.UUID, change func(*Comment) error) (Comment, error) {
	c, err := s.UpdateComment(ctx, id, func(c *Comment) error {
		if err := change(c); err != nil {
			return err
		}
		c.Version++
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return s.Comment(ctx, id)
	}
	return c, err
}

// setStatus changes a comment's status and bumps its version, or returns
// ErrNotFound; on one version of the comment when version is not 0 (a
// comment changed since is ErrConflict, checked atomically). It returns
// the comment as stored afterwards. Setting the status a comment already
// has changes nothing.
func setStatus(ctx context.Context, s Store, id uuid.UUID, version int, status Status) (Comment, error) {
	if !status.Valid() {
		return Comment{}, fmt.Errorf("tribune: status %q: %w", status, ErrInvalid)
	}
	return update(ctx, s, id, func(c *Comment) error {
		if version != 0 && c.Version != version {
			return fmt.Errorf("tribune: comment changed since version %d: %w", version, ErrConflict)
		}
		if c.Status == status {
			return errUnchanged
		}
		c.Status = status
		return nil
	})
}

// editBody replaces a comment's body (already sanitized: the output of
// [SanitizeComment]) and bumps its version, or returns ErrNotFound.
// [Service.Edit] validates and sanitizes first.
func editBody(ctx context.Context, s Store, id uuid.UUID, body string) (Comment, error) {
	return update(ctx, s, id, func(c *Comment) error {
		c.Body = body
		return nil
	})
}

// maxDeleteRounds bounds how often DeleteComment moves replies that
// arrive while it deletes.
const maxDeleteRounds = 8

// deleteComment removes a comment for good, or returns ErrNotFound. Its
// replies move up to its own parent first, as in WordPress, each with its
// version bumped; a reply posted meanwhile makes the store refuse the
// delete (ErrConflict), and it is moved up in turn. Every state in
// between is a valid thread: a reply is under its old parent or its new
// one, never orphaned.
func deleteComment(ctx context.Context, s Store, id uuid.UUID) error {
	for range maxDeleteRounds {
		c, err := s.Comment(ctx, id)
		if err != nil {
			return err
		}
		replies, err := s.FindComments(ctx, Query{ParentID: id})
		if err != nil {
			return err
		}
		for _, r := range replies {
			_, err := update(ctx, s, r.ID, func(r *Comment) error {
				if r.ParentID != id {
					return errUnchanged
				}
				r.ParentID = c.ParentID
				return nil
			})
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
		if err := s.DeleteComment(ctx, id); !errors.Is(err, ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("tribune: delete comment: replies keep arriving: %w", ErrConflict)
}

// anonymise blanks the personal data of a comment: name, email, website,
// the host's user ID, the client hash, the user agent and the duplicate
// key (a hash of the visitor). The text stays; renderers show the author
// as "Anonymous". It is what [EraseByEmail] does to each comment in
// [EraseAnonymise] mode.
func anonymise(c *Comment) {
	c.AuthorName, c.Email, c.Website, c.UserID = "", Email{}, "", ""
	c.Meta.ClientHash, c.Meta.UserAgent, c.Meta.DupKey = "", "", ""
}

// commentsByEmail lists every comment sent with the email (compared by
// [Email.Key]), oldest first: the personal-data export.
func commentsByEmail(ctx context.Context, s Store, email Email) ([]Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if email.IsZero() {
		return []Comment{}, nil
	}
	return s.FindComments(ctx, Query{EmailKey: email.Key()})
}

// eraseByEmail erases the personal data of every comment sent with the
// email and returns how many comments it touched. With [EraseAnonymise]
// each comment loses its name, email, website, user, client hash and user
// agent, and its version is bumped; with [EraseDelete] each is deleted, its replies moving up ([Service.Delete]).
// Each comment is one atomic change: an erasure cut short (a store that
// fails half way) leaves the rest untouched, and running it again
// finishes it. A store with an [AddressBook] forgets the address too:
// its verification, its reply subscriptions and its mails
// ([AddressBook.ForgetAddress]).
func eraseByEmail(ctx context.Context, s Store, email Email, mode EraseMode) (int, error) {
	if book, err := Addresses(s); err == nil && !email.IsZero() {
		if err := book.ForgetAddress(ctx, email.Key()); err != nil {
			return 0, err
		}
	}
	cs, err := commentsByEmail(ctx, s, email)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cs {
		if mode == EraseDelete {
			err = deleteComment(ctx, s, c.ID)
		} else {
			_, err = update(ctx, s, c.ID, func(c *Comment) error {
				if c.Email.Key() != email.Key() {
					return errUnchanged
				}
				anonymise(c)
				return nil
			})
		}
		switch {
		case errors.Is(err, ErrNotFound):
			continue // deleted meanwhile: nothing left to erase
		case err != nil:
			return n, err
		}
		n++
	}
	return n, nil
}

// countApproved returns the number of approved comments of each article;
// articles without any map to 0. It uses the store's [Pager] when it has
// one, and reads the approved comments otherwise.
func countApproved(ctx context.Context, s Store, articleIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	if c, ok := s.(Pager); ok {
		if n, err := c.CountApproved(ctx, articleIDs); !errors.Is(err, ErrNotSupported) {
			return n, err
		}
	}
	out := make(map[uuid.UUID]int, len(articleIDs))
	for _, id := range articleIDs {
		cs, err := s.FindComments(ctx, Query{ArticleID: id, Statuses: []Status{StatusApproved}})
		if err != nil {
			return nil, err
		}
		out[id] = len(cs)
	}
	return out, nil
}

// commentsStamp returns the article's revision (see [Stamp]); an unknown
// article is ErrNotFound. It uses the store's [Pager] when it has one:
// one read of one row. Otherwise it reads the article and every one of
// its comments and hashes what a change moves (the article's fields and
// each comment's ID, version, status and parent), so a cache keyed on it
// is still never stale, at the cost of reading the thread.
func commentsStamp(ctx context.Context, s Store, articleID uuid.UUID) (Stamp, error) {
	if st, ok := s.(Pager); ok {
		if v, err := st.CommentsStamp(ctx, articleID); !errors.Is(err, ErrNotSupported) {
			return v, err
		}
	}
	a, err := s.Article(ctx, articleID)
	if err != nil {
		return 0, err
	}
	cs, err := s.FindComments(ctx, Query{ArticleID: articleID})
	if err != nil {
		return 0, err
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%q %q %q %q %q %q %d %d %t|", a.Slug, a.Title, a.Summary, a.Body, a.Author, a.Lang,
		a.Published.UnixMicro(), a.Updated.UnixMicro(), a.CommentsClosed)
	var buf [8]byte
	for _, c := range cs {
		h.Write(c.ID[:])
		h.Write(c.ParentID[:])
		binary.BigEndian.PutUint64(buf[:], uint64(c.Version))
		h.Write(buf[:])
		h.Write([]byte(c.Status))
		// What a page shows, too: a change made without a new version
		// (a raw UpdateComment) still moves the stamp.
		fmt.Fprintf(h, "%q %q %q %q %d|", c.Body, c.AuthorName, c.Website, c.UserID, c.Edited.UnixMicro())
	}
	return Stamp(h.Sum64() >> 1), nil
}

// InsertComments stores comments as given, parents before their replies,
// for imports: in one transaction when the store is a [BulkInserter];
// otherwise one [Store.CreateComment] each, stopping at the first
// failure (the comments before it stay stored). No [Guard] applies.
func InsertComments(ctx context.Context, s Store, cs []Comment) error {
	if b, ok := s.(BulkInserter); ok {
		if err := b.InsertComments(ctx, cs); !errors.Is(err, ErrNotSupported) {
			return err
		}
	}
	for i := range cs {
		if err := s.CreateComment(ctx, &cs[i], Guard{}); err != nil {
			return fmt.Errorf("tribune: insert comment %d of %d: %w", i+1, len(cs), err)
		}
	}
	return nil
}
