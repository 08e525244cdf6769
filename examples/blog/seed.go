package main

import (
	"context"
	_ "embed"
	"errors"
	"strings"
	"time"

	"github.com/tribune-go/tribune"
	"github.com/tribune-go/tribune/internal/articletext"
)

// seedText is the article the site starts with, as the newsroom sent it.
//
//go:embed seed/nato-article.fr.txt
var seedText string

// ensureSeed stores the seed article on first start; later starts find it
// by its slug and leave it alone.
func ensureSeed(ctx context.Context, store tribune.Store, paris *time.Location) (tribune.Article, error) {
	// The text ends with the comment block of the page it came from:
	// the widget draws that part.
	text, _, _ := strings.Cut(seedText, "\nLaisser un commentaire")
	in := articletext.Article(text, "fr")
	in.Published = time.Date(2026, 2, 12, 18, 30, 0, 0, paris)
	in.Author = "La rédaction"
	in.Summary = articletext.FrenchTypography("Les ministres de la Défense des 32 pays de l’Alliance réunis au siège de l’OTAN : défense collective, Arctique, Ukraine et partage du fardeau.")
	a, err := tribune.NewArticle(in)
	if err != nil {
		return tribune.Article{}, err
	}
	existing, err := store.ArticleBySlug(ctx, a.Slug)
	if err == nil {
		return existing, nil
	}
	if !errors.Is(err, tribune.ErrNotFound) {
		return tribune.Article{}, err
	}
	if err := store.CreateArticle(ctx, &a); err != nil {
		if errors.Is(err, tribune.ErrConflict) { // another instance was quicker
			return store.ArticleBySlug(ctx, a.Slug)
		}
		return tribune.Article{}, err
	}
	return a, nil
}
