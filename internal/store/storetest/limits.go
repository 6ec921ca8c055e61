package storetest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// ListLimitsAcrossNodes: nodes creating a workspace's tags at once never
// pass its limit. Each node counts and inserts in one transaction; on
// PostgreSQL, without the workspace's lists lock, two nodes each counted
// the other's insert out and both went over (chat.MaxTagsPerKind).
func ListLimitsAcrossNodes(t *testing.T, nodes ...chat.Store) {
	s := nodes[0]
	f := setup(t, s, "list-limits")
	// Up to a few under the limit, many at a time (each node batches them).
	const left = 6
	create := func(s chat.Store, names <-chan string, errs chan<- error) {
		for name := range names {
			_, err := s.CreateTag(ctx, f.ws.ID, chat.TagCustomer, name, chat.Who{})
			errs <- err
		}
	}
	run := func(stores []chat.Store, n, workers int, prefix string) (made, refused int) {
		t.Helper()
		names := make(chan string, n)
		for i := range n {
			names <- fmt.Sprintf("%s-%04d", prefix, i)
		}
		close(names)
		errs := make(chan error, n)
		var wg sync.WaitGroup
		for _, st := range stores {
			for range workers {
				wg.Go(func() { create(st, names, errs) })
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			switch {
			case err == nil:
				made++
			case chat.ErrorCode(err) == chat.ErrLimitReached:
				refused++
			default:
				t.Fatal(err)
			}
		}
		return made, refused
	}
	if made, _ := run(nodes[:1], chat.MaxTagsPerKind-left, 16, "고객"); made != chat.MaxTagsPerKind-left {
		t.Fatalf("filled %d tags, want %d", made, chat.MaxTagsPerKind-left)
	}
	made, refused := run(nodes, 20*left, 8, "동시")
	tags, err := s.Tags(ctx, f.ws.ID, chat.TagCustomer)
	must(t, err)
	if made != left || refused != 20*left-left || len(tags) != chat.MaxTagsPerKind {
		t.Fatalf("at once from %d nodes: %d made, %d refused, %d tags; want %d made and %d tags", len(nodes), made, refused, len(tags), left, chat.MaxTagsPerKind)
	}
}
