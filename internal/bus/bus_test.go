package bus

import (
	"context"
	"testing"
)

func TestMemory(t *testing.T) {
	b := NewMemory()
	var a, c []int64
	cancelA := b.Subscribe(func(m Message) { a = append(a, m.Seq) })
	b.Subscribe(func(m Message) { c = append(c, m.Seq) })
	for seq := int64(1); seq <= 3; seq++ {
		if err := b.Publish(context.Background(), Message{WorkspaceID: 1, Seq: seq}); err != nil {
			t.Fatal(err)
		}
		if seq == 2 {
			cancelA()
		}
	}
	if len(a) != 2 || len(c) != 3 || c[2] != 3 {
		t.Fatalf("a=%v c=%v", a, c)
	}
	b.Close()
	b.Publish(context.Background(), Message{Seq: 4})
	if len(c) != 3 {
		t.Fatal("closed bus still delivers")
	}
}
