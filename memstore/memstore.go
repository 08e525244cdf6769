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
}

var _ tribune.Store = (*Store)(nil)

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

// CreateArticle implements tribune.ArticleStore.
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
	s.articles[a.ID] = *a
	s.slugs[a.Slug] = a.ID
	return nil
}

// Article implements tribune.ArticleStore.
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

// ArticleBySlug implements tribune.ArticleStore.
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

// Articles implements tribune.ArticleStore.
func (s *Store) Articles(ctx context.Context, page tribune.Page) ([]tribune.Article, error) {
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

func paged[T any](list []T, p tribune.Page) []T {
	if p.Offset >= len(list) {
		return []T{}
	}
	list = list[p.Offset:]
	return list[:min(len(list), p.Limit)]
}

// UpdateArticle implements tribune.ArticleStore.
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
	s.articles[a.ID] = *a
	s.rev[a.ID]++
	return nil
}

// DeleteArticle implements tribune.ArticleStore.
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
		s.deleteLocked(cid)
	}
	delete(s.byArticle, id)
	delete(s.slugs, a.Slug)
	delete(s.articles, id)
	delete(s.rev, id)
	return nil
}

// CreateComment implements tribune.CommentStore: the checks and the
// insert run under the store's lock.
func (s *Store) CreateComment(ctx context.Context, c *tribune.Comment, g tribune.Guard) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.articles[c.ArticleID]; !ok {
		return notFound("article", c.ArticleID)
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
	if h := c.Meta.ClientHash; h != "" {
		if last, ok := s.lastByClient[h]; ok && !g.FloodSince.IsZero() && last.After(g.FloodSince) {
			return fmt.Errorf("memstore: create comment: %w", tribune.ErrFlood)
		}
		if last := s.lastByClient[h]; c.Created.After(last) {
			s.lastByClient[h] = c.Created
		}
	}
	s.comments[c.ID] = *c
	s.byArticle[c.ArticleID] = append(s.byArticle[c.ArticleID], c.ID)
	if c.Meta.Key != "" {
		s.byKey[c.Meta.Key] = c.ID
	}
	if c.Meta.DupKey != "" {
		s.byDup[c.Meta.DupKey] = c.ID
	}
	s.rev[c.ArticleID]++
	return nil
}

// CommentByKey implements tribune.CommentStore.
func (s *Store) CommentByKey(ctx context.Context, key string) (tribune.Comment, error) {
	if err := ctx.Err(); err != nil {
		return tribune.Comment{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byKey[key]
	if !ok || key == "" {
		return tribune.Comment{}, notFound("comment", "key")
	}
	return s.comments[id], nil
}

// CommentsByIDs implements tribune.CommentStore.
func (s *Store) CommentsByIDs(ctx context.Context, articleID uuid.UUID, ids []uuid.UUID) ([]tribune.Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	out := []tribune.Comment{}
	for _, id := range ids[:min(len(ids), 100)] {
		if c, ok := s.comments[id]; ok && (articleID == uuid.Nil || c.ArticleID == articleID) && !slices.ContainsFunc(out, func(o tribune.Comment) bool { return o.ID == id }) {
			out = append(out, c)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, threadOrder)
	return out, nil
}

// Comment implements tribune.CommentStore.
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

// Comments implements tribune.CommentStore.
func (s *Store) Comments(ctx context.Context, articleID uuid.UUID, statuses ...tribune.Status) ([]tribune.Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	ids := s.byArticle[articleID]
	out := make([]tribune.Comment, 0, len(ids))
	for _, id := range ids {
		c := s.comments[id]
		if len(statuses) == 0 || slices.Contains(statuses, c.Status) {
			out = append(out, c)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, threadOrder)
	return out, nil
}

// update applies fn to a stored comment and bumps its version.
func (s *Store) update(ctx context.Context, id uuid.UUID, fn func(*tribune.Comment)) (tribune.Comment, error) {
	if err := ctx.Err(); err != nil {
		return tribune.Comment{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.comments[id]
	if !ok {
		return tribune.Comment{}, notFound("comment", id)
	}
	fn(&c)
	c.Version++
	s.comments[id] = c
	s.rev[c.ArticleID]++
	return c, nil
}

// SetStatus implements tribune.CommentStore.
func (s *Store) SetStatus(ctx context.Context, id uuid.UUID, status tribune.Status) (tribune.Comment, error) {
	if !status.Valid() {
		return tribune.Comment{}, fmt.Errorf("memstore: status %q: %w", status, tribune.ErrInvalid)
	}
	return s.update(ctx, id, func(c *tribune.Comment) { c.Status = status })
}

// EditBody implements tribune.CommentStore.
func (s *Store) EditBody(ctx context.Context, id uuid.UUID, body string) (tribune.Comment, error) {
	return s.update(ctx, id, func(c *tribune.Comment) { c.Body = body })
}

// DeleteComment implements tribune.CommentStore.
func (s *Store) DeleteComment(ctx context.Context, id uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.comments[id]; !ok {
		return notFound("comment", id)
	}
	s.deleteLocked(id)
	return nil
}

func (s *Store) deleteLocked(id uuid.UUID) {
	c := s.comments[id]
	for _, rid := range s.byArticle[c.ArticleID] {
		if r := s.comments[rid]; r.ParentID == id {
			r.ParentID = c.ParentID
			s.comments[rid] = r
		}
	}
	delete(s.comments, id)
	if c.Meta.Key != "" {
		delete(s.byKey, c.Meta.Key)
	}
	if c.Meta.DupKey != "" {
		delete(s.byDup, c.Meta.DupKey)
	}
	s.rev[c.ArticleID]++
	s.byArticle[c.ArticleID] = slices.DeleteFunc(s.byArticle[c.ArticleID], func(x uuid.UUID) bool { return x == id })
}

// CountApproved implements tribune.CommentStore.
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

// filter returns the comments that match keep, sorted by order.
func (s *Store) filter(keep func(*tribune.Comment) bool, order func(a, b tribune.Comment) int) []tribune.Comment {
	s.mu.RLock()
	out := []tribune.Comment{}
	for _, c := range s.comments {
		if keep(&c) {
			out = append(out, c)
		}
	}
	s.mu.RUnlock()
	slices.SortFunc(out, order)
	return out
}

// CommentsStamp implements tribune.CommentStore.
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

// LatestApproved implements tribune.CommentStore.
func (s *Store) LatestApproved(ctx context.Context, articleID uuid.UUID, limit int) ([]tribune.Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := s.filter(func(c *tribune.Comment) bool {
		return c.Status == tribune.StatusApproved && (articleID == uuid.Nil || c.ArticleID == articleID)
	}, newestFirst)
	return paged(out, tribune.Page{Limit: limit}.Norm()), nil
}

// CommentsByStatus implements tribune.CommentStore.
func (s *Store) CommentsByStatus(ctx context.Context, status tribune.Status, page tribune.Page) ([]tribune.Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := s.filter(func(c *tribune.Comment) bool { return c.Status == status }, newestFirst)
	return paged(out, page.Norm()), nil
}

// HasApproved implements tribune.ModerationStore.
func (s *Store) HasApproved(ctx context.Context, email tribune.Email) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if email.IsZero() {
		return false, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, c := range s.comments {
		if c.Status == tribune.StatusApproved && c.Email.Equal(email) {
			return true, nil
		}
	}
	return false, nil
}

// CommentsByEmail implements tribune.PrivacyStore.
func (s *Store) CommentsByEmail(ctx context.Context, email tribune.Email) ([]tribune.Comment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if email.IsZero() {
		return []tribune.Comment{}, nil
	}
	out := s.filter(func(c *tribune.Comment) bool { return c.Email.Equal(email) }, threadOrder)
	return out, nil
}

// EraseByEmail implements tribune.PrivacyStore.
func (s *Store) EraseByEmail(ctx context.Context, email tribune.Email, mode tribune.EraseMode) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if email.IsZero() {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, c := range s.comments {
		if !c.Email.Equal(email) {
			continue
		}
		n++
		if mode == tribune.EraseDelete {
			s.deleteLocked(id)
			continue
		}
		c.AuthorName, c.Email, c.Website, c.UserID = "", tribune.Email{}, "", ""
		c.Meta.ClientHash, c.Meta.UserAgent = "", ""
		c.Version++
		s.comments[id] = c
		s.rev[c.ArticleID]++
	}
	return n, nil
}
