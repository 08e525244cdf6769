package widget

import (
	"hash/crc32"
	"math/rand/v2"
	"testing"
)

func TestCRC32CombineIsTheCRCOfBoth(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range [][2]int{{0, 0}, {0, 5}, {5, 0}, {1, 1}, {3, 1000}, {77000, 31}, {12, 70000}, {1 << 20, 3}} {
		a, b := make([]byte, n[0]), make([]byte, n[1])
		for i := range a {
			a[i] = byte(r.Uint32())
		}
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		want := crc32.ChecksumIEEE(append(append([]byte{}, a...), b...))
		if got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), len(b)); got != want {
			t.Errorf("%d+%d bytes: %08x, want %08x", n[0], n[1], got, want)
		}
	}
}

func BenchmarkCRC32Combine(b *testing.B) {
	for b.Loop() {
		crc32Combine(0x12345678, 0x9abcdef0, 77000)
	}
}
