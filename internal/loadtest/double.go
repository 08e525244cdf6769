package loadtest

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// DoubleResult is what a double-submit run found.
type DoubleResult struct {
	Forms int
	// Mismatched counts forms whose two answers were not both a 303 to
	// the same comment.
	Mismatched int
	// Stored is how many of the run's comments the API lists.
	Stored int
}

// DoubleSubmit fills forms forms, each from its own visitor, and sends
// each twice at once (a double click, a resend after a lost answer). The
// site must approve comments at once (examples/blog -moderation none), so
// the JSON API lists them.
func DoubleSubmit(ctx context.Context, site Site, prefix string, forms int) (DoubleResult, error) {
	if err := site.CheckLoopback(); err != nil {
		return DoubleResult{}, err
	}
	forms = min(max(forms, 1), 10000)
	res := DoubleResult{Forms: forms}
	run := fmt.Sprintf("double-%d", rand64())
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	article := ""
	for i := range forms {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			v := NewVisitor(site, clientAddr(20000+i))
			form, err := postOnce(ctx, v, fmt.Sprintf("%s, formulaire %d", run, i))
			if err != nil {
				mu.Lock()
				res.Mismatched++
				mu.Unlock()
				return
			}
			ids := make([]string, 2)
			var pair sync.WaitGroup
			for k := range 2 {
				pair.Go(func() {
					if status, id, err := v.Post(ctx, form); err == nil && status == http.StatusSeeOther {
						ids[k] = id
					}
				})
			}
			pair.Wait()
			mu.Lock()
			article = form.Get("article")
			if ids[0] == "" || ids[0] != ids[1] {
				res.Mismatched++
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	if article == "" {
		return res, errPageWithoutForm
	}
	list, err := NewVisitor(site, clientAddr(0)).Comments(ctx, prefix, article)
	if err != nil {
		return res, err
	}
	for _, c := range list {
		if strings.Contains(c.HTML, run+",") {
			res.Stored++
		}
	}
	return res, nil
}
