package storetest

import (
	"fmt"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// BenchFAQImport measures an FAQ import of 10,000 articles in 20
// categories (chat.MaxFAQArticles, the largest a workspace may hold) into
// an empty workspace ("create") and again over itself, every article and
// category by its ID ("update"): the one write transaction that, on
// SQLite, every other write of the node waits behind (docs/benchmarks.md,
// issue 12).
func BenchFAQImport(b *testing.B, open Opener) {
	for _, mode := range []string{"create", "update"} {
		b.Run(mode, func(b *testing.B) {
			s := open(b)
			by := chat.Who{Name: "bench", Address: "127.0.0.1"}
			b.StopTimer()
			for i := range b.N {
				ws := &chat.Workspace{SiteID: fmt.Sprintf("faqimport%d", i), Name: "bench", IdentitySecret: "s"}
				mustB(b, s.CreateWorkspace(ctx, ws))
				f := faqBenchFile()
				if mode == "update" {
					_, _, err := s.ImportFAQ(ctx, ws.ID, f, by)
					mustB(b, err)
					cs, err := s.FAQCategories(ctx, ws.ID)
					mustB(b, err)
					as, err := s.Articles(ctx, ws.ID, false)
					mustB(b, err)
					f = chat.FAQExport{Version: 1, Categories: cs, Articles: as}
					for j := range f.Articles {
						f.Articles[j].Title += " (수정)"
					}
				}
				b.StartTimer()
				created, updated, err := s.ImportFAQ(ctx, ws.ID, f, by)
				b.StopTimer()
				mustB(b, err)
				if created+updated != chat.MaxFAQArticles {
					b.Fatalf("created %d, updated %d", created, updated)
				}
			}
		})
	}
}

func faqBenchFile() chat.FAQExport {
	f := chat.FAQExport{Version: 1}
	for c := range 20 {
		f.Categories = append(f.Categories, chat.FAQCategory{ID: int64(-1 - c), Name: fmt.Sprintf("분류 %d", c+1), Position: c})
	}
	for i := range chat.MaxFAQArticles {
		f.Articles = append(f.Articles, chat.Article{CategoryID: int64(-1 - i%20), Lang: "ko", Published: i%10 != 0, Position: i,
			Title:    fmt.Sprintf("주문 %d번 배송은 언제 도착하나요?", i),
			BodyHTML: fmt.Sprintf("<p>결제 후 영업일 <b>%d일</b> 안에 출고됩니다. 주문내역의 배송 조회 버튼으로 운송장을 확인하세요.</p>", i%5+1),
			Keywords: []string{"배송", "운송장", fmt.Sprint("주문", i)}})
	}
	return f
}
