package widget

// crc32Combine returns the CRC-32 (IEEE) of a+b from the CRC of a, the
// CRC of b and the length of b, without reading either: a page's cached
// pieces carry their CRC, so a gzipped page sums only its visitor's
// bytes. The arithmetic is that of polynomials over GF(2) modulo the
// CRC's polynomial, in its reflected bit order (as zlib's
// crc32_combine): appending len2 bytes multiplies a's CRC by x^(8·len2).
func crc32Combine(crc1, crc2 uint32, len2 int) uint32 {
	return multModP(xPow2nModP(uint64(len2), 3), crc1) ^ crc2
}

// crcPoly is the IEEE polynomial, reflected.
const crcPoly = 0xedb88320

// multModP returns a·b modulo the polynomial (bit 31 is x^0).
func multModP(a, b uint32) uint32 {
	m := uint32(1) << 31
	var p uint32
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				return p
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ crcPoly
		} else {
			b >>= 1
		}
	}
}

// xPow2n[k] is x^(2^k) modulo the polynomial.
var xPow2n = func() (t [32]uint32) {
	p := uint32(1) << 30 // x^1
	t[0] = p
	for k := 1; k < len(t); k++ {
		p = multModP(p, p)
		t[k] = p
	}
	return t
}()

// xPow2nModP returns x^(n·2^k) modulo the polynomial.
func xPow2nModP(n uint64, k uint) uint32 {
	p := uint32(1) << 31 // x^0
	for ; n != 0; n, k = n>>1, k+1 {
		if n&1 != 0 {
			p = multModP(xPow2n[k&31], p)
		}
	}
	return p
}
