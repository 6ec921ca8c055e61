package postgres_test

import (
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/history"
	"github.com/sodam-chat/sodam/internal/store/postgres"
)

// TestGramCodesMigration: migration 0023 rewrites every stored message's
// text grams into codes with an SQL function; it must encode exactly as
// history.NormCodes does on the write path, or an upgraded database's old
// messages would not be found.
func TestGramCodesMigration(t *testing.T) {
	url := os.Getenv(postgres.TestURLVar)
	if url == "" {
		t.Skip(postgres.TestURLVar + " is not set")
	}
	mig, err := os.ReadFile("migrations/0023_conversation_list_bucket.sql")
	if err != nil {
		t.Fatal(err)
	}
	text := string(mig)
	start := strings.Index(text, "CREATE FUNCTION pg_temp.gram_codes")
	end := strings.Index(text[max(start, 0):], "$$;")
	if start < 0 || end < 0 {
		t.Fatal("migration 0023 has no gram_codes function")
	}
	fn := text[start : start+end+3]
	ctx := context.Background()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx) // pg_temp is the session's
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, fn); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{
		"", "!!", "a", "환불", "환불은 언제 되나요?", "안녕하세요, 주문번호 A2026-1183 환불은 언제 되나요? 배송이 너무 늦어서 취소하고 싶어요.",
		"Galaxy S25 케이스 010-1234-5678", "ÉCOLE école e\u0301cole", "이모지 😀 하나, 한자 𠀀𠀁 둘", "\xff잘못된\xfe 바이트", "aa aa aaa", "ﬁ 끝",
		"Ünïcödé ΑΒΓ ДЖЗ ١٢٣ ｆｕｌｌ　ｗｉｄｔｈ",
	} {
		grams := history.GramSet(s) // text grams, as 0009–0022 stored them
		_, want := history.NormCodes(s)
		var same bool
		var got string
		if err := conn.QueryRowContext(ctx, `SELECT c = CAST($2 AS BIGINT[]), CAST(c AS TEXT)
			FROM (SELECT pg_temp.gram_codes(CAST($1 AS TEXT[])) AS c) AS x`, grams, want).Scan(&same, &got); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if !same {
			t.Errorf("%q: the migration's codes %s, the write path's %v", s, got, want)
		}
	}
}
