package proto

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
)

// compressAbove is the body size from which SetBody compresses.
const compressAbove = 32 << 10

// ErrBodyTooLarge means a body decompresses to more than the allowed size.
var ErrBodyTooLarge = errors.New("body too large")

// SetBody stores body (UTF-8 page bytes) in f, gzip-compressed when large,
// and records its content hash.
func (f *Fetched) SetBody(body []byte) error {
	f.ContentHash = ContentHash(body)
	if len(body) < compressAbove {
		f.Body, f.BodyEncoding = body, BodyIdentity
		return nil
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return err
	}
	if _, err := zw.Write(body); err != nil {
		return fmt.Errorf("compress body: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress body: %w", err)
	}
	f.Body, f.BodyEncoding = buf.Bytes(), BodyGzip
	return nil
}

// RawBody returns the uncompressed body, refusing more than max bytes
// (max <= 0 means no limit).
func (f *Fetched) RawBody(max int64) ([]byte, error) {
	switch f.BodyEncoding {
	case BodyIdentity:
		if max > 0 && int64(len(f.Body)) > max {
			return nil, fmt.Errorf("%w: %d bytes", ErrBodyTooLarge, len(f.Body))
		}
		return f.Body, nil
	case BodyGzip:
		zr, err := gzip.NewReader(bytes.NewReader(f.Body))
		if err != nil {
			return nil, fmt.Errorf("%w: gzip body: %v", ErrMalformed, err)
		}
		defer zr.Close()
		var r io.Reader = zr
		if max > 0 {
			r = io.LimitReader(zr, max+1)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, fmt.Errorf("%w: gzip body: %v", ErrMalformed, err)
		}
		if max > 0 && int64(len(b)) > max {
			return nil, fmt.Errorf("%w: over %d bytes", ErrBodyTooLarge, max)
		}
		return b, nil
	default:
		return nil, fmt.Errorf("%w: body encoding %q", ErrMalformed, f.BodyEncoding)
	}
}
