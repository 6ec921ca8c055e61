package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/app"
	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

type discard struct{}

func (discard) Publish(context.Context, []chat.Event) {}

// TestAutoMaskLatency measures what automatic masking adds to a visitor's
// message: the same sequence of sends (support-chat lines, half with a
// registration, card or phone number) timed with masking off and on, on
// SQLite, and the masking step itself. SODAM_PII_BENCH=1 runs it; docs/benchmarks.md has the figures.
func TestAutoMaskLatency(t *testing.T) {
	if os.Getenv("SODAM_PII_BENCH") == "" {
		t.Skip("SODAM_PII_BENCH=1 measures automatic masking's latency")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sodam.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	keys, err := pii.NewKeyring(pii.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, discard{}, nil)
	a.UsePII(keys)
	ws, err := app.NewWorkspace("지연 측정", "latency")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	lines := []string{
		"안녕하세요 주문한 상품이 아직 안 왔어요",
		"주문번호 20240115-1234567 배송 언제 오나요?",
		"환불은 언제 되나요? 벌써 3일 지났어요",
		"본인확인용 주민번호 900101-1234568 입니다",
		"카드 4111-1111-1111-1111 로 결제했는데 두 번 빠져나갔어요",
		"연락처 010-2345-6789 로 문자 주세요",
	}
	const n = 1500
	run := func(mode chat.PIIMode, customer string) []time.Duration {
		ws.Settings.PII.Mode = mode
		if _, err := db.UpdateWorkspace(ctx, ws, chat.Who{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		cu := &chat.Customer{WorkspaceID: ws.ID, ExternalID: customer}
		if err := db.UpsertCustomer(ctx, cu); err != nil {
			t.Fatal(err)
		}
		c, _, err := a.StartConversation(ctx, ws.ID, cu.ID, chat.ChannelWeb, "ko", "")
		if err != nil {
			t.Fatal(err)
		}
		out := make([]time.Duration, n)
		for i := range n {
			start := time.Now()
			if _, err := a.Send(ctx, ws.ID, c.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: fmt.Sprint(i), Body: lines[i%len(lines)]}); err != nil {
				t.Fatal(err)
			}
			out[i] = time.Since(start)
		}
		slices.Sort(out)
		return out
	}
	pct := func(d []time.Duration, p float64) time.Duration { return d[int(float64(len(d)-1)*p)] }
	off := run(chat.PIISuggest, "off")
	on := run(chat.PIIAuto, "on")
	t.Logf("%d sends each, half with personal information, SQLite (synchronous=FULL) on %s", n, t.TempDir())
	t.Logf("masking off:  p50 %v  p99 %v", pct(off, .5), pct(off, .99))
	t.Logf("masking auto: p50 %v  p99 %v", pct(on, .5), pct(on, .99))
	t.Logf("added: p50 %v  p99 %v", pct(on, .5)-pct(off, .5), pct(on, .99)-pct(off, .99))

	// The masking step alone, as the store runs it inside the batch (the
	// workspace's settings are already read there): scanning and sealing.
	var mask []time.Duration
	for i := range 20 * n {
		body := lines[i%len(lines)]
		start := time.Now()
		_, _, originals := ws.Settings.PII.AutoMask(body)
		for _, o := range originals {
			if _, err := keys.Seal(ws.ID, 1, o); err != nil {
				t.Fatal(err)
			}
		}
		mask = append(mask, time.Since(start))
	}
	slices.Sort(mask)
	t.Logf("scanning and sealing: p50 %v  p99 %v  max %v", pct(mask, .5), pct(mask, .99), mask[len(mask)-1])
}
