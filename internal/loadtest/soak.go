package loadtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// SoakConfig sets a mixed soak.
type SoakConfig struct {
	// Duration of the soak (at most an hour) and Interval between samples.
	Duration, Interval time.Duration
	// Clients is how many visitors run at once (at most 256).
	Clients int
	// PostShare is the share of requests that post a comment (0.1: 90 %
	// page views, 10 % posts).
	PostShare float64
	// PID is the server's process, for RSS (0: not sampled).
	PID int
}

// Sample is one interval of a soak.
type Sample struct {
	At                 time.Duration // since the start
	Gets, Posts        int
	GetP50, GetP99     time.Duration
	PostP50, PostP99   time.Duration
	Errors, Refused    int // 5xx and transport errors; 4xx answers
	RSS                int64
	CommentsAfterwards int64 // comments posted so far (acknowledged)
}

// String formats a sample as one line of the report.
func (s Sample) String() string {
	return fmt.Sprintf("%6.0fs  GET %6d  p50 %7.2fms  p99 %7.2fms | POST %5d  p50 %7.2fms  p99 %7.2fms | 5xx %d  4xx %d | comments %6d | RSS %6.1f MiB",
		s.At.Seconds(), s.Gets, ms(s.GetP50), ms(s.GetP99), s.Posts, ms(s.PostP50), ms(s.PostP99), s.Errors, s.Refused, s.CommentsAfterwards, float64(s.RSS)/(1<<20))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// Soak runs the mix for cfg.Duration and calls report with a sample every
// cfg.Interval, then returns the samples.
func Soak(ctx context.Context, site Site, cfg SoakConfig, report func(Sample)) ([]Sample, error) {
	if err := site.CheckLoopback(); err != nil {
		return nil, err
	}
	cfg.Duration = min(max(cfg.Duration, time.Second), time.Hour)
	cfg.Clients = min(max(cfg.Clients, 1), 256)
	if cfg.Interval <= 0 {
		cfg.Interval = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var gets, posts Latencies
	var nGet, nPost, nErr, nRefused, acknowledged, visitors atomic.Int64
	var wg sync.WaitGroup
	for w := range cfg.Clients {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			reader := NewVisitor(site, clientAddr(w))
			for ctx.Err() == nil {
				if rng.Float64() >= cfg.PostShare {
					start := time.Now()
					status, _, err := reader.Page(ctx)
					if ctx.Err() != nil {
						return
					}
					gets.Add(time.Since(start))
					nGet.Add(1)
					count(status, err, &nErr, &nRefused)
					continue
				}
				// Each post comes from a new visitor: flood control and
				// rate limits are per client, as for real readers.
				n := int(visitors.Add(1))
				v := NewVisitor(site, clientAddr(1000+n))
				form, err := postOnce(ctx, v, fmt.Sprintf("Commentaire de charge numéro %d, posté à %s.", n, time.Now().Format(time.RFC3339Nano)))
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					nErr.Add(1)
					continue
				}
				start := time.Now()
				status, _, err := v.Post(ctx, form)
				if ctx.Err() != nil {
					return
				}
				posts.Add(time.Since(start))
				nPost.Add(1)
				if status == http.StatusSeeOther {
					acknowledged.Add(1)
				} else {
					count(status, err, &nErr, &nRefused)
				}
			}
		})
	}
	var samples []Sample
	start := time.Now()
	tick := time.NewTicker(cfg.Interval)
	defer tick.Stop()
	sample := func() {
		g, p := gets.Take(), posts.Take()
		s := Sample{At: time.Since(start), Gets: len(g), Posts: len(p),
			GetP50: Percentile(g, 50), GetP99: Percentile(g, 99), PostP50: Percentile(p, 50), PostP99: Percentile(p, 99),
			Errors: int(nErr.Swap(0)), Refused: int(nRefused.Swap(0)), CommentsAfterwards: acknowledged.Load()}
		if cfg.PID > 0 {
			s.RSS, _ = RSS(cfg.PID)
		}
		samples = append(samples, s)
		if report != nil {
			report(s)
		}
	}
	for done := false; !done; {
		select {
		case <-tick.C:
			sample()
		case <-ctx.Done():
			done = true
		}
	}
	wg.Wait()
	if g, p := len(gets.d), len(posts.d); g+p > 0 {
		sample() // what finished after the last tick
	}
	return samples, nil
}

func count(status int, err error, errs, refused *atomic.Int64) {
	switch {
	case err != nil || status >= 500:
		errs.Add(1)
	case status >= 400:
		refused.Add(1)
	}
}
