// Package blob stores the bytes of attachments. Keys are chosen by Sodam
// (random, never a user's file name); a blob is written completely or not
// at all.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// ErrNotFound is returned for a key that holds no blob.
var ErrNotFound = errors.New("blob not found")

// Store keeps blobs by key. Implementations must be safe for concurrent use.
type Store interface {
	// Put streams r into a new blob under key and returns its size. If r
	// fails, nothing is kept and r's error is returned; an existing key is
	// never overwritten.
	Put(ctx context.Context, key string, r io.Reader) (int64, error)
	// Open returns the blob for reading; ErrNotFound if there is none.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, error)
	// Delete removes the blob; deleting a missing blob is not an error.
	Delete(ctx context.Context, key string) error
}

// validKey: slash-separated segments of lower-case letters, digits, dots,
// dashes and underscores, each starting with a letter or digit, so a key
// can name neither a parent directory nor the temporary directory.
var validKey = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*$`)

// tmpDir holds blobs being written; it starts with a dot so that no key
// can name it.
const tmpDir = ".tmp"

// staleAfter is when a temporary file left by a crash is removed. Nodes of
// a cluster may share the directory, so a young one may be another node's
// upload in progress.
const staleAfter = 24 * time.Hour

// Disk keeps blobs as files under a directory: the key is the path.
type Disk struct {
	dir string
}

var _ Store = (*Disk)(nil)

// NewDisk opens (creating it if needed) a blob directory and removes
// temporary files that crashed uploads left behind.
func NewDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(filepath.Join(dir, tmpDir), 0o700); err != nil {
		return nil, fmt.Errorf("uploads directory: %w", err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, tmpDir))
	if err != nil {
		return nil, fmt.Errorf("uploads directory: %w", err)
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleAfter {
			os.Remove(filepath.Join(dir, tmpDir, e.Name()))
		}
	}
	return &Disk{dir: dir}, nil
}

func (d *Disk) path(key string) (string, error) {
	if !validKey.MatchString(key) || len(key) > 200 {
		return "", fmt.Errorf("invalid blob key %q", key)
	}
	return filepath.Join(d.dir, filepath.FromSlash(key)), nil
}

// Put writes r to a temporary file, syncs it and links it under key, so a
// reader never sees half a blob and a crash leaves only a temporary file.
func (d *Disk) Put(ctx context.Context, key string, r io.Reader) (int64, error) {
	path, err := d.path(key)
	if err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	tmp, err := os.CreateTemp(filepath.Join(d.dir, tmpDir), "put-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // after the link, or on failure
	n, err := io.Copy(tmp, r)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return n, err
	}
	// A link, unlike a rename, fails rather than replace an existing blob.
	if err := os.Link(tmp.Name(), path); err != nil {
		return n, fmt.Errorf("store blob %s: %w", key, err)
	}
	return n, nil
}

// Open opens the blob's file.
func (d *Disk) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	path, err := d.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	return f, err
}

// Delete removes the blob's file.
func (d *Disk) Delete(ctx context.Context, key string) error {
	path, err := d.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// Keys lists every stored blob's key, for tests and maintenance.
func (d *Disk) Keys() ([]string, error) {
	var keys []string
	err := filepath.WalkDir(d.dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(d.dir, path)
		if e.IsDir() && rel == tmpDir {
			return filepath.SkipDir
		}
		if !e.IsDir() {
			keys = append(keys, filepath.ToSlash(rel))
		}
		return nil
	})
	return keys, err
}

// Temporary lists the files of uploads in progress (or crashed ones).
func (d *Disk) Temporary() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(d.dir, tmpDir))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names, err
}
