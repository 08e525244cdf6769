package loadtest_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tribune-go/tribune/internal/exampletest"
	"github.com/tribune-go/tribune/internal/loadtest"
)

const articlePath = "/articles/reunion-des-ministres-de-la-defense-de-l-otan-a-bruxelles-vers-une-otan-plus"

// scale is 1 by default (a short run in the test suite) and larger when
// TRIBUNE_LOADTEST holds a number (TRIBUNE_LOADTEST=10 for the README's
// figures).
func scale(t *testing.T) int {
	if testing.Short() {
		t.Skip("load test: builds and loads examples/blog")
	}
	n, err := strconv.Atoi(os.Getenv("TRIBUNE_LOADTEST"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

func newServer(t *testing.T) *loadtest.Server {
	bin := exampletest.BuildPackage(t, "../../examples/blog")
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	return &loadtest.Server{Bin: bin, Env: []string{"TRIBUNE_SECRET=" + hex.EncodeToString(secret), "TRIBUNE_ADMIN_PASSWORD=pw"},
		Args: []string{"-addr", "127.0.0.1:0", "-db", filepath.Join(t.TempDir(), "load.db"), "-moderation", "none",
			"-trusted-proxy", "127.0.0.1/32", "-min-submit-delay", "0"}}
}

func TestLoad(t *testing.T) {
	n := scale(t)
	ctx := context.Background()

	t.Run("Soak", func(t *testing.T) {
		srv := newServer(t)
		require.NoError(t, srv.Start())
		site := loadtest.Site{URL: srv.URL, ArticlePath: articlePath, PostPath: "/comments/post"}
		samples, err := loadtest.Soak(ctx, site, loadtest.SoakConfig{Duration: time.Duration(n) * 4 * time.Second, Interval: 2 * time.Second,
			Clients: 8, PostShare: 0.1, PID: srv.PID()}, func(s loadtest.Sample) { t.Log(s) })
		require.NoError(t, err)
		gets := 0
		for _, s := range samples {
			assert.Zero(t, s.Errors, "server errors at %s", s.At)
			gets += s.Gets
		}
		assert.NotZero(t, gets)
		code, err := srv.Stop()
		require.NoError(t, err)
		assert.Equal(t, 0, code, "exit status after SIGTERM")
	})

	t.Run("DoubleSubmit", func(t *testing.T) {
		srv := newServer(t)
		require.NoError(t, srv.Start())
		defer srv.Stop()
		site := loadtest.Site{URL: srv.URL, ArticlePath: articlePath, PostPath: "/comments/post"}
		res, err := loadtest.DoubleSubmit(ctx, site, "/comments", 50*n)
		require.NoError(t, err)
		t.Logf("%+v", res)
		assert.Equal(t, res.Forms, res.Stored, "one comment per form")
		assert.Zero(t, res.Mismatched, "both answers of a pair alike")
	})

	t.Run("KillRounds", func(t *testing.T) {
		res, err := loadtest.KillRounds(ctx, newServer(t), "/comments", 2*n, 4, articlePath)
		require.NoError(t, err)
		t.Logf("%+v", res)
		assert.NotZero(t, res.Acknowledged)
		assert.Zero(t, res.Lost, "acknowledged comments lost")
		assert.Zero(t, res.Doubled, "comments stored twice")
	})

	t.Run("NotLoopback", func(t *testing.T) {
		_, err := loadtest.Soak(ctx, loadtest.Site{URL: "http://192.0.2.1"}, loadtest.SoakConfig{}, nil)
		require.Error(t, err)
	})
}

func TestPercentileTakesPercents(t *testing.T) {
	ds := make([]time.Duration, 101)
	for i := range ds {
		ds[len(ds)-1-i] = time.Duration(i) * time.Millisecond
	}
	if got := loadtest.Percentile(ds, 50); got != 50*time.Millisecond {
		t.Errorf("p50 = %v", got)
	}
	if got := loadtest.Percentile(ds, 99); got != 99*time.Millisecond {
		t.Errorf("p99 = %v", got)
	}
}
