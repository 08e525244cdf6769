// Package memstore keeps Tribune's articles and comments in memory: for
// tests, demos and the smallest hosts. Everything is lost when the process
// ends. A Store is safe for concurrent use and behaves like the SQL stores
// (the storetest suite checks it).
package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/outbox"
)

// Store is an in-memory tribune.Store.
type Store struct {
	mu       sync.RWMutex
	articles map[uuid.UUID]tribune.Article
	slugs    map[string]uuid.UUID
	comments map[uuid.UUID]tribune.Comment
	// byArticle keeps each article's comment IDs.
	byArticle map[uuid.UUID][]uuid.UUID
	// rev is each article's revision (the Stamp).
	rev map[uuid.UUID]tribune.Stamp
	// byKey and byDup index the comments' idempotency and duplicate keys.
	byKey, byDup map[string]uuid.UUID
	// lastByClient is the newest creation time seen for each client hash.
	lastByClient map[string]time.Time
	// mail holds the outbox and the address book, under their own lock.
	mail   mailBook
	limits limits
}

var (
	_ tribune.Store        = (*Store)(nil)
	_ tribune.BulkInserter = (*Store)(nil)
	_ outbox.Queue         = (*Store)(nil)
	_ tribune.AddressBook  = (*Store)(nil)
)

// New returns an empty Store.
func New() *Store {
	return &Store{
		articles:  map[uuid.UUID]tribune.Article{},
		slugs:     map[string]uuid.UUID{},
		comments:  map[uuid.UUID]tribune.Comment{},
		byArticle: map[uuid.UUID][]uuid.UUID{},
		rev:       map[uuid.UUID]tribune.Stamp{},
		byKey:     map[string]uuid.UUID{},
		byDup:     map[string]uuid.UUID{},

		lastByClient: map[string]time.Time{},
	}
}

func notFound(what string, id any) error {
	return fmt.Errorf("memstore: %s %v: %w", what, id, tribune.ErrNotFound)
}

// CreateArticle implements tribune.Store.
func (s *Store) CreateArticle(ctx context.Context, a *tribune.Article) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.articles[a.ID]; ok {
		return fmt.Errorf("memstore: article %s: %w", a.ID, tribune.ErrConflict)
	}
	if _, ok := s.slugs[a.Slug]; ok {
		return fmt.Errorf("memstore: slug taken: %w", tribune.ErrConflict)
	}
	s.articles[a.ID] = articleTimes(*a)
	s.slugs[a.Slug] = a.ID
	return nil
}

// Article implements tribune.Store.
func (s *Store) Article(ctx context.Context, id uuid.UUID) (tribune.Article, error) {
	if err := ctx.Err(); err != nil {
		return tribune.Article{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.articles[id]
	if !ok {
		return tribune.Article{}, notFound("article", id)
	}
	return a, nil
}

// ArticleBySlug implements tribune.Store.
func (s *Store) ArticleBySlug(ctx context.Context, slug string) (tribune.Article, error) {
	if err := ctx.Err(); err != nil {
		return tribune.Article{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.slugs[slug]
	if !ok {
		return tribune.Article{}, notFound("article", "slug")
	}
	return s.articles[id], nil
}

// Articles implements tribune.Store.
func (s *Store) Articles(ctx context.Context, page tribune.Span) ([]tribune.Article, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	page = page.Norm()
	s.mu.RLock()
	out := make([]tribune.Article, 0, len(s.articles))
	for _, a := range s.articles {
		out = append(out, a)
	}
	s.mu.RUnlock()
	slices.SortFunc(out, func(a, b tribune.Article) int {
		if c := b.Published.Compare(a.Published); c != 0 {
			return c
		}
		return strings.Compare(a.ID.String(), b.ID.String())
	})
	return paged(out, page), nil
}

func paged[T any](list []T, p tribune.Span) []T {
	if p.Offset >= len(list) {
		return []T{}
	}
	list = list[p.Offset:]
	return list[:min(len(list), p.Limit)]
}

// UpdateArticle implements tribune.Store.
func (s *Store) UpdateArticle(ctx context.Context, a *tribune.Article) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.articles[a.ID]
	if !ok {
		return notFound("article", a.ID)
	}
	if id, ok := s.slugs[a.Slug]; ok && id != a.ID {
		return fmt.Errorf("memstore: slug taken: %w", tribune.ErrConflict)
	}
	delete(s.slugs, old.Slug)
	s.slugs[a.Slug] = a.ID
	s.articles[a.ID] = articleTimes(*a)
	s.rev[a.ID]++
	return nil
}

// DeleteArticle implements tribune.Store.
func (s *Store) DeleteArticle(ctx context.Context, id uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.articles[id]
	if !ok {
		return notFound("article", id)
	}
	for _, cid := range slices.Clone(s.byArticle[id]) {
		s.removeLocked(cid)
	}
	delete(s.byArticle, id)
	delete(s.slugs, a.Slug)
	delete(s.articles, id)
	delete(s.rev, id)
	return nil
}

// CreateComment implements tribune.Store: the checks and the
// insert run under the store's lock.
func (s *Store) CreateComment(ctx context.Context, c *tribune.Comment, g tribune.Guard) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.insertLocked(c, g)
}

// check reports why c cannot be stored, or nil.
func (s *Store) check(c *tribune.Comment, g tribune.Guard) error {
	if _, ok := s.articles[c.ArticleID]; !ok {
		return notFound("article", c.ArticleID)
	}
	if _, ok := s.comments[c.ParentID]; !ok && c.ParentID != uuid.Nil {
		return notFound("parent comment", c.ParentID)
	}
	if _, ok := s.comments[c.ID]; ok {
		return fmt.Errorf("memstore: comment %s: %w", c.ID, tribune.ErrConflict)
	}
	if _, ok := s.byKey[c.Meta.Key]; ok && c.Meta.Key != "" {
		return fmt.Errorf("memstore: create comment: %w", tribune.ErrReplayed)
	}
	if _, ok := s.byDup[c.Meta.DupKey]; ok && c.Meta.DupKey != "" {
		return fmt.Errorf("memstore: create comment: %w", tribune.ErrDuplicate)
	}
	if last, ok := s.lastByClient[c.Meta.ClientHash]; ok && c.Meta.ClientHash != "" && !g.FloodSince.IsZero() && last.After(g.FloodSince) {
		return fmt.Errorf("memstore: create comment: %w", tribune.ErrFlood)
	}
	return nil
}

func (s *Store) insertLocked(c *tribune.Comment, g tribune.Guard) error {
	if err := s.check(c, g); err != nil {
		return err
	}
	if h := c.Meta.ClientHash; h != "" && c.Created.After(s.lastByClient[h]) {
		s.lastByClient[h] = c.Created
	}
	s.comments[c.ID] = commentTimes(*c)
	s.byArticle[c.ArticleID] = append(s.byArticle[c.ArticleID], c.ID)
	s.index(c)
	s.rev[c.ArticleID]++
	return nil
}

// index records c's keys; unindex forgets them.
func (s *Store) index(c *tribune.Comment) {
	if c.Meta.Key != "" {
		s.byKey[c.Meta.Key] = c.ID
	}
	if c.Meta.DupKey != "" {
		s.byDup[c.Meta.DupKey] = c.ID
	}
}

func (s *Store) unindex(c *tribune.Comment) {
	if c.Meta.Key != "" {
		delete(s.byKey, c.Meta.Key)
	}
	if c.Meta.DupKey != "" {
		delete(s.byDup, c.Meta.DupKey)
	}
}

// InsertComments implements tribune.BulkInserter: all or nothing, under
// the lock.
func (s *Store) InsertComments(ctx context.Context, cs []tribune.Comment) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range cs {
		if err := s.insertLocked(&cs[i], tribune.Guard{}); err != nil {
			for j := i - 1; j >= 0; j-- {
				s.removeLocked(cs[j].ID)
			}
			return fmt.Errorf("memstore: insert comment %d of %d: %w", i+1, len(cs), err)
		}
	}
	return nil
}

// Comment implements tribune.Store.
func (s *Store) Comment(ctx context.Context, id uuid.UUID) (tribune.Comment, error) {
	if err := ctx.Err(); err != nil {
		return tribune.Comment{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.comments[id]
	if !ok {
		return tribune.Comment{}, notFound("comment", id)
	}
	return c, nil
}

func threadOrder(a, b tribune.Comment) int {
	if c := a.Created.Compare(b.Created); c != 0 {
		return c
	}
	return strings.Compare(a.ID.String(), b.ID.String())
}

func newestFirst(a, b tribune.Comment) int { return threadOrder(b, a) }

// FindComments implements tribune.Store.
func (s *Store) FindComments(ctx context.Context, q tribune.Query) ([]tribune.Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ids := slices.Clone(q.IDs[:min(len(q.IDs), tribune.MaxQueryIDs)])
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	ids = slices.Compact(ids)
	keep := func(c *tribune.Comment) bool {
		return (q.ArticleID == uuid.Nil || c.ArticleID == q.ArticleID) &&
			(len(ids) == 0 || slices.Contains(ids, c.ID)) &&
			(q.ParentID == uuid.Nil || c.ParentID == q.ParentID) &&
			(len(q.Statuses) == 0 || slices.Contains(q.Statuses, c.Status)) &&
			(q.EmailKey == "" || c.Email.Key() == q.EmailKey) &&
			(!q.Edited || !c.Edited.IsZero()) &&
			(q.Key == "" || c.Meta.Key == q.Key)
	}
	s.mu.RLock()
	var candidates []uuid.UUID // the smallest set the indexes give
	switch {
	case q.Key != "":
		if id, ok := s.byKey[q.Key]; ok {
			candidates = []uuid.UUID{id}
		}
	case len(ids) > 0:
		candidates = ids
	case q.ArticleID != uuid.Nil:
		candidates = s.byArticle[q.ArticleID]
	case q.ParentID != uuid.Nil:
		candidates = s.byArticle[s.comments[q.ParentID].ArticleID]
	default:
		candidates = make([]uuid.UUID, 0, len(s.comments))
		for id := range s.comments {
			candidates = append(candidates, id)
		}
	}
	out := make([]tribune.Comment, 0, min(len(candidates), 1024))
	for _, id := range candidates {
		if c, ok := s.comments[id]; ok && keep(&c) {
			out = append(out, c)
		}
	}
	s.mu.RUnlock()
	if q.Newest {
		slices.SortFunc(out, newestFirst)
	} else {
		slices.SortFunc(out, threadOrder)
	}
	if q.Limit > 0 || q.Offset > 0 {
		limit := q.Limit
		if limit <= 0 {
			limit = len(out)
		}
		out = paged(out, tribune.Span{Limit: limit, Offset: max(q.Offset, 0)})
	}
	return out, nil
}

// UpdateComment implements tribune.Store: apply runs under the
// store's lock.
func (s *Store) UpdateComment(ctx context.Context, id uuid.UUID, apply func(*tribune.Comment) error) (tribune.Comment, error) {
	if err := ctx.Err(); err != nil {
		return tribune.Comment{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.comments[id]
	if !ok {
		return tribune.Comment{}, notFound("comment", id)
	}
	c := old
	if err := apply(&c); err != nil {
		return tribune.Comment{}, err
	}
	c.ID, c.ArticleID, c.Created = old.ID, old.ArticleID, old.Created
	if _, ok := s.comments[c.ParentID]; !ok && c.ParentID != uuid.Nil {
		return tribune.Comment{}, notFound("parent comment", c.ParentID)
	}
	if other, ok := s.byKey[c.Meta.Key]; ok && c.Meta.Key != "" && other != id {
		return tribune.Comment{}, fmt.Errorf("memstore: update comment: %w", tribune.ErrReplayed)
	}
	if other, ok := s.byDup[c.Meta.DupKey]; ok && c.Meta.DupKey != "" && other != id {
		return tribune.Comment{}, fmt.Errorf("memstore: update comment: %w", tribune.ErrDuplicate)
	}
	s.unindex(&old)
	s.index(&c)
	c = commentTimes(c)
	s.comments[id] = c
	s.rev[c.ArticleID]++
	return c, nil
}

// DeleteComment implements tribune.Store.
func (s *Store) DeleteComment(ctx context.Context, id uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.comments[id]
	if !ok {
		return notFound("comment", id)
	}
	for _, rid := range s.byArticle[c.ArticleID] {
		if s.comments[rid].ParentID == id {
			return fmt.Errorf("memstore: delete comment %s: it has replies: %w", id, tribune.ErrConflict)
		}
	}
	s.removeLocked(id)
	return nil
}

// removeLocked forgets one comment and its keys.
func (s *Store) removeLocked(id uuid.UUID) {
	c := s.comments[id]
	delete(s.comments, id)
	s.unindex(&c)
	s.rev[c.ArticleID]++
	s.byArticle[c.ArticleID] = slices.DeleteFunc(s.byArticle[c.ArticleID], func(x uuid.UUID) bool { return x == id })
}

// CountApproved implements tribune.Pager.
func (s *Store) CountApproved(ctx context.Context, articleIDs []uuid.UUID) (map[uuid.UUID]int, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[uuid.UUID]int, len(articleIDs))
	for _, aid := range articleIDs {
		n := 0
		for _, id := range s.byArticle[aid] {
			if s.comments[id].Status == tribune.StatusApproved {
				n++
			}
		}
		out[aid] = n
	}
	return out, nil
}

// CommentsStamp implements tribune.Pager.
func (s *Store) CommentsStamp(ctx context.Context, articleID uuid.UUID) (tribune.Stamp, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.articles[articleID]; !ok {
		return 0, notFound("article", articleID)
	}
	return s.rev[articleID], nil
}

// stored is a time as the SQL stores keep it: in UTC, to the
// microsecond (the zero time stays zero).
func stored(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

func articleTimes(a tribune.Article) tribune.Article {
	a.Published, a.Updated = stored(a.Published), stored(a.Updated)
	return a
}

func commentTimes(c tribune.Comment) tribune.Comment {
	c.Created, c.Edited = stored(c.Created), stored(c.Edited)
	return c
}
