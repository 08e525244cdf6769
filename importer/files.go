package importer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
)

// readHead returns the first n bytes of a file, gunzipped if it is
// gzipped.
func readHead(path string, n int) ([]byte, error) {
	f, err := openFile(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := make([]byte, n)
	k, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return b[:k], nil
}

func fileSize(path string) int64 {
	if fi, err := os.Stat(path); err == nil {
		return fi.Size()
	}
	return 0
}

// file is an opened input: gunzipped when it is gzipped (Remark42's
// backups are), counting the bytes of the file read so far.
type file struct {
	*bufio.Reader
	f     *os.File
	count *countingReader
	gz    *gzip.Reader
}

func openFile(path string) (*file, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	cr := &countingReader{r: f}
	br := bufio.NewReaderSize(cr, 256<<10)
	out := &file{Reader: br, f: f, count: cr}
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		gz, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, err
		}
		out.gz = gz
		out.Reader = bufio.NewReaderSize(gz, 256<<10)
	}
	return out, nil
}

func (f *file) Close() error {
	if f.gz != nil {
		f.gz.Close()
	}
	return f.f.Close()
}

// Offset is how much of the file on disk has been read.
func (f *file) Offset() int64 { return f.count.n }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// bytesRead is how far a reader is in its file, when it can tell.
func bytesRead(r Reader) int64 {
	if o, ok := r.(interface{ Offset() int64 }); ok {
		return o.Offset()
	}
	return 0
}

// bufioFull is what ReadSlice says of a line longer than the buffer.
var bufioFull = bufio.ErrBufferFull
