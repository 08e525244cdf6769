package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/tribune-go/tribune"
)

func testArticleRoundTrip(t *testing.T, s ops) {
	a := NewArticle(t, "Réunion de l’OTAN à Bruxelles : vers une OTAN plus autonome ? 🇪🇺", base)
	a.Lang = "fr"
	a.Updated = base.Add(time.Hour)
	a.Body = `<h2>Intertitre</h2><p>« Texte » — עברית العربية</p>`
	if err := s.CreateArticle(ctx(t), &a); err != nil {
		t.Fatal(err)
	}
	got, err := s.Article(ctx(t), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameArticle(t, a, got)
	got, err = s.ArticleBySlug(ctx(t), a.Slug)
	if err != nil {
		t.Fatal(err)
	}
	sameArticle(t, a, got)

	closed := NewArticle(t, "Closed", base)
	closed.CommentsClosed = true
	if err := s.CreateArticle(ctx(t), &closed); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Article(ctx(t), closed.ID); !got.CommentsClosed {
		t.Error("CommentsClosed lost")
	}
}

func testArticleNotFound(t *testing.T, s ops) {
	_, err := s.Article(ctx(t), uuid.New())
	wantErr(t, "Article", err, tribune.ErrNotFound)
	_, err = s.ArticleBySlug(ctx(t), "nope")
	wantErr(t, "ArticleBySlug", err, tribune.ErrNotFound)
	a := NewArticle(t, "Ghost", base)
	wantErr(t, "UpdateArticle", s.UpdateArticle(ctx(t), &a), tribune.ErrNotFound)
}

func testArticleSlugConflict(t *testing.T, s ops) {
	a := mustArticle(t, s, "One", base)
	b := NewArticle(t, "Two", base)
	b.Slug = a.Slug
	wantErr(t, "same slug", s.CreateArticle(ctx(t), &b), tribune.ErrConflict)
	dup := a
	dup.Slug = "other-slug-" + uuid.NewString()[:8]
	wantErr(t, "same ID", s.CreateArticle(ctx(t), &dup), tribune.ErrConflict)

	c := mustArticle(t, s, "Three", base)
	c.Slug = a.Slug
	wantErr(t, "update to a taken slug", s.UpdateArticle(ctx(t), &c), tribune.ErrConflict)
}

func testArticlesNewestFirst(t *testing.T, s ops) {
	var want []uuid.UUID
	for i := range 7 {
		a := mustArticle(t, s, fmt.Sprintf("Article %d", i), base.Add(time.Duration(i)*time.Hour))
		want = append([]uuid.UUID{a.ID}, want...)
	}
	all, err := s.Articles(ctx(t), tribune.Span{})
	if err != nil {
		t.Fatal(err)
	}
	got := make([]uuid.UUID, len(all))
	for i, a := range all {
		got[i] = a.ID
	}
	sameIDs(t, "all", want, got)
	page, err := s.Articles(ctx(t), tribune.Span{Limit: 3, Offset: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 3 || page[0].ID != want[2] || page[2].ID != want[4] {
		t.Errorf("page 2..4 wrong: %d articles", len(page))
	}
	empty, err := s.Articles(ctx(t), tribune.Span{Limit: 3, Offset: 100})
	if err != nil || len(empty) != 0 {
		t.Errorf("past the end: %v, %d", err, len(empty))
	}
}

func testUpdateArticle(t *testing.T, s ops) {
	a := mustArticle(t, s, "Before", base)
	oldSlug := a.Slug
	a.Title, a.Slug, a.CommentsClosed, a.Updated = "After", "after-"+uuid.NewString()[:8], true, base.Add(24*time.Hour)
	if err := s.UpdateArticle(ctx(t), &a); err != nil {
		t.Fatal(err)
	}
	got, err := s.ArticleBySlug(ctx(t), a.Slug)
	if err != nil {
		t.Fatal(err)
	}
	sameArticle(t, a, got)
	_, err = s.ArticleBySlug(ctx(t), oldSlug)
	wantErr(t, "old slug", err, tribune.ErrNotFound)
}

func testDeleteArticle(t *testing.T, s ops) {
	a := mustArticle(t, s, "To delete", base)
	keep := mustArticle(t, s, "To keep", base)
	c1 := mustComment(t, s, NewComment(t, a.ID, "A", "a@example.org", "one", base))
	r := NewComment(t, a.ID, "B", "b@example.org", "reply", base.Add(time.Minute))
	r.ParentID = c1.ID
	r.Meta.Key = "delete-article-key"
	mustComment(t, s, r)
	other := mustComment(t, s, NewComment(t, keep.ID, "C", "c@example.org", "elsewhere", base))
	if err := s.DeleteArticle(ctx(t), a.ID); err != nil {
		t.Fatalf("DeleteArticle: %v", err)
	}
	_, err := s.Article(ctx(t), a.ID)
	wantErr(t, "deleted article", err, tribune.ErrNotFound)
	_, err = s.ArticleBySlug(ctx(t), a.Slug)
	wantErr(t, "deleted article by slug", err, tribune.ErrNotFound)
	for _, id := range []uuid.UUID{c1.ID, r.ID} {
		_, err := s.Comment(ctx(t), id)
		wantErr(t, "comment of a deleted article", err, tribune.ErrNotFound)
	}
	_, err = s.CommentByKey(ctx(t), "delete-article-key")
	wantErr(t, "key of a deleted comment", err, tribune.ErrNotFound)
	_, err = s.CommentsStamp(ctx(t), a.ID)
	wantErr(t, "stamp of a deleted article", err, tribune.ErrNotFound)
	if _, err := s.Comment(ctx(t), other.ID); err != nil {
		t.Errorf("another article's comment: %v", err)
	}
	wantErr(t, "deleting again", s.DeleteArticle(ctx(t), a.ID), tribune.ErrNotFound)
	// The slug is free again.
	again := NewArticle(t, "Again", base)
	again.Slug = a.Slug
	if err := s.CreateArticle(ctx(t), &again); err != nil {
		t.Errorf("slug of a deleted article: %v", err)
	}
}
