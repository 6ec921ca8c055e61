package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/xuri/excelize/v2"
)

// TestExportHasSystemMessages: a messages export carries the system
// messages too — the greeting, the assignment, a transfer with its reason,
// the close — each a row where it happened, sender type and kind system,
// in the words the console shows in the reader's language (the export's
// language), at the workspace's time zone. It left them out, so an export
// lost who held a chat when, why it was transferred and how it ended.
func TestExportHasSystemMessages(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			master, kim, lee := e.login("master"), e.login("kim"), e.login("lee")
			master.json("PATCH", e.shopPath(), `{"settings":{"greeting":"안녕하세요, 소담샵입니다. 무엇을 도와드릴까요?"}}`, 200, nil)
			v := e.visitor("shop", "")
			c := v.start()
			conv := e.convPath(c.ID)
			kim.json("POST", conv+"/assign", "", 200, nil)
			v.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", c.ID), `{"client_msg_id":"v1","body":"반품하려면 어떻게 하나요?"}`, 201, nil)
			kim.json("POST", conv+"/messages", `{"client_msg_id":"k1","body":"담당자에게 연결해 드릴게요."}`, 201, nil)
			e.setStatus("lee", chat.StatusOnline)
			kim.json("POST", conv+"/transfer", fmt.Sprintf(`{"agent_id":%d,"reason":"반품 규정 담당"}`, e.agents["lee"].ID), 200, nil)
			lee.json("POST", conv+"/close", "", 200, nil)
			var msgs []chat.Message
			master.json("GET", conv+"/messages", "", 200, &msgs)

			read := func(body string) [][]string {
				t.Helper()
				var created struct{ ID int64 }
				master.json("POST", e.shopPath()+"/exports", body, 202, &created)
				e.runJobs()
				status, data := master.do("GET", fmt.Sprintf("%s/exports/%d/file", e.shopPath(), created.ID), "")
				if status != 200 {
					t.Fatalf("export: %d %s", status, data)
				}
				if strings.Contains(body, `"xlsx"`) {
					f, err := excelize.OpenReader(bytes.NewReader(data))
					must(t, err)
					rows, err := f.GetRows("Sheet1")
					must(t, err)
					return rows
				}
				recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
				must(t, err)
				return recs
			}
			seoul, _ := time.LoadLocation("Asia/Seoul")
			check := func(rows [][]string, want []string) {
				t.Helper()
				if len(rows) != len(msgs)+1 {
					t.Fatalf("%d rows for %d messages: %q", len(rows)-1, len(msgs), rows)
				}
				var got []string
				for i, m := range msgs {
					r := rows[i+1]
					if at := m.CreatedAt.In(seoul).Format(time.DateTime); r[1] != at {
						t.Errorf("row %d at %s, want %s (the workspace's time zone)", i+1, r[1], at)
					}
					got = append(got, r[2]+"|"+r[4]+"|"+r[5]+"|"+r[6])
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
			check(read(`{"format":"csv","layout":"messages","language":"en"}`), []string{
				"system|system|N|Greeting sent.\n안녕하세요, 소담샵입니다. 무엇을 도와드릴까요?",
				"system|system|N|kim took the conversation.",
				"visitor|text|N|반품하려면 어떻게 하나요?",
				"agent|text|N|담당자에게 연결해 드릴게요.",
				"system|system|N|Transferred from kim to lee.\nReason: 반품 규정 담당",
				"system|system|N|The conversation was closed · The agent",
			})
			// No language asked, none set, a Korean browser: Korean.
			check(read(`{"format":"xlsx","layout":"messages"}`), []string{
				"system|system|N|인사말을 보냈습니다.\n안녕하세요, 소담샵입니다. 무엇을 도와드릴까요?",
				"system|system|N|kim 님이 상담을 담당합니다.",
				"visitor|text|N|반품하려면 어떻게 하나요?",
				"agent|text|N|담당자에게 연결해 드릴게요.",
				"system|system|N|담당자가 kim 님에서 lee 님으로 바뀌었습니다.\n사유: 반품 규정 담당",
				"system|system|N|상담이 종료되었습니다 · 상담사가 종료",
			})

			// A language the console does not speak is refused, and no
			// export is made.
			before := e.exportCount()
			status, data := master.do("POST", e.shopPath()+"/exports", `{"format":"csv","layout":"messages","language":"ja"}`)
			if code, _ := errorBodyOf(t, data); status != 400 || code != chat.ErrInvalid || e.exportCount() != before {
				t.Fatalf("language ja: %d %s", status, data)
			}
		})
	}
}
