package widget

import "testing"

func TestAcceptsGzip(t *testing.T) {
	for h, want := range map[string]bool{
		"":                          false,
		"gzip":                      true,
		"gzip, deflate, br":         true,
		"br;q=1.0, gzip;q=0.8":      true,
		"GZIP":                      true,
		"x-gzip":                    true,
		"*":                         true,
		"gzip;q=0":                  false,
		"gzip; q=0.0, br":           false,
		"identity":                  false,
		"deflate, br":               false,
		"gzipped":                   false,
		"gzip;q=abc":                true,
		" gzip ; q = 0.5 , deflate": true,
	} {
		if got := acceptsGzip(h); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", h, got, want)
		}
	}
}
