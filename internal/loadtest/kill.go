package loadtest

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

func rand64() uint64 {
	var b [8]byte
	_, _ = crand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:])
}

// KillResult is what a run of SIGKILL rounds found.
type KillResult struct {
	Rounds int
	// Acknowledged is how many posts got their 303; Resent how many had
	// no answer (cut by the kill) and were sent again after the restart.
	Acknowledged, Resent int
	// Lost counts acknowledged comments missing afterwards; Doubled,
	// comments stored more than once.
	Lost, Doubled int
}

// KillRounds posts comments from writers concurrent visitors, kills the
// server with SIGKILL after a random moment of each round, restarts it,
// sends again every form that got no answer (the same form: the same
// token), and at the end checks through the JSON API that every
// acknowledged comment is stored exactly once. The server must approve at
// once (-moderation none) and keep its secret across restarts
// (TRIBUNE_SECRET in srv.Env).
func KillRounds(ctx context.Context, srv *Server, prefix string, rounds, writers int, articlePath string) (KillResult, error) {
	rounds = min(max(rounds, 1), 100)
	writers = min(max(writers, 1), 64)
	res := KillResult{Rounds: rounds}
	run := fmt.Sprintf("kill-%d", rand64())
	acked := map[string]string{} // comment ID → text
	var pending []url.Values     // forms without an answer
	article := ""
	n := 0
	for round := range rounds {
		if err := srv.Start(); err != nil {
			return res, err
		}
		site := Site{URL: srv.URL, ArticlePath: articlePath, PostPath: prefix + "/post"}
		if err := site.CheckLoopback(); err != nil {
			srv.Kill()
			return res, err
		}
		// First the forms the last kill cut off, as a browser's resend.
		for _, form := range pending {
			v := NewVisitor(site, clientAddr(40000+n))
			n++
			status, id, err := v.Post(ctx, form)
			if err != nil || status != http.StatusSeeOther {
				srv.Kill()
				return res, fmt.Errorf("loadtest: round %d: resending a form: status %d, %v", round, status, err)
			}
			acked[id] = form.Get("comment")
			res.Resent++
		}
		pending = nil
		var mu sync.Mutex
		roundCtx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := 0; roundCtx.Err() == nil && i < 10000; i++ {
					mu.Lock()
					n++
					me := n
					mu.Unlock()
					v := NewVisitor(site, clientAddr(40000+me))
					form, err := postOnce(roundCtx, v, fmt.Sprintf("%s, écrivain %d, message %d", run, w, me))
					if err != nil {
						continue // the page died with the server: nothing sent
					}
					status, id, err := v.Post(context.Background(), form)
					mu.Lock()
					article = form.Get("article")
					switch {
					case err == nil && status == http.StatusSeeOther:
						acked[id] = form.Get("comment")
					case err != nil:
						pending = append(pending, form) // no answer: unknown
					}
					mu.Unlock()
				}
			})
		}
		time.Sleep(time.Duration(300+rand.IntN(900)) * time.Millisecond)
		srv.Kill()
		cancel()
		wg.Wait()
	}
	// A last start to resend and to read what is stored.
	if err := srv.Start(); err != nil {
		return res, err
	}
	defer srv.Stop()
	site := Site{URL: srv.URL, ArticlePath: articlePath, PostPath: prefix + "/post"}
	for _, form := range pending {
		v := NewVisitor(site, clientAddr(40000+n))
		n++
		if status, id, err := v.Post(ctx, form); err == nil && status == http.StatusSeeOther {
			acked[id] = form.Get("comment")
			res.Resent++
		}
	}
	res.Acknowledged = len(acked)
	list, err := NewVisitor(site, clientAddr(1)).Comments(ctx, prefix, article)
	if err != nil {
		return res, err
	}
	byID := map[string]bool{}
	byText := map[string]int{}
	for _, c := range list {
		if !strings.Contains(c.HTML, run+",") {
			continue
		}
		byID[c.ID] = true
		byText[c.HTML]++
	}
	for id := range acked {
		if !byID[id] {
			res.Lost++
		}
	}
	for _, k := range byText {
		if k > 1 {
			res.Doubled += k - 1
		}
	}
	return res, nil
}
