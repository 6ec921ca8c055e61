package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/storetest"
)

// TestTranscriptPages: a chat of more than a page of messages
// (chat.MaxMessagePage) reads whole through every route that gives a
// transcript — the conversation's messages from either end, the widget's,
// a past chat in the customer's history and a ticket's — each page saying
// where the rest is; bad paging is refused.
func TestTranscriptPages(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			kim, lee, olga := e.login("kim"), e.login("lee"), e.login("olga")
			shop := e.shopPath()

			// A long chat kim serves and closes; the customer comes back
			// and lee takes the new one.
			vis := e.visitor("shop", "")
			past := vis.start()
			kim.json("POST", e.convPath(past.ID)+"/assign", "", 200, nil)
			vis.json("POST", fmt.Sprintf("/api/v1/widget/conversations/%d/messages", past.ID), `{"client_msg_id":"first","body":"처음 문의드립니다"}`, 201, nil)
			storetest.Fill(t, e.store, e.shop.ID, past.ID, chat.Actor{Kind: chat.SenderVisitor, CustomerID: past.CustomerID}, chat.MaxMessagePage+20,
				func(i int) string { return fmt.Sprintf("추가 문의 %d", i) })
			kim.json("POST", e.convPath(past.ID)+"/messages", `{"client_msg_id":"last","body":"마지막 답변입니다"}`, 201, nil)
			kim.json("POST", e.convPath(past.ID)+"/close", "", 200, nil)
			var closed detail
			kim.json("GET", e.convPath(past.ID), "", 200, &closed)
			total := closed.Conversation.LastSeq
			if total < chat.MaxMessagePage+22 {
				t.Fatalf("the chat has %d messages", total)
			}
			now := vis.start()
			lee.json("POST", e.convPath(now.ID)+"/assign", "", 200, nil)

			// readAll follows the pages from path: next or prev links, or
			// an object's earlier; it checks every message is read once,
			// each page in order, and returns the messages by seq.
			readAll := func(as *client, path string) map[int64]chat.Message {
				t.Helper()
				bodies := map[int64]chat.Message{}
				for pages := 0; path != ""; pages++ {
					if pages > 20 {
						t.Fatalf("more pages than the transcript holds, at %s", path)
					}
					resp, data := as.get(path)
					if resp.StatusCode != 200 {
						t.Fatalf("GET %s: %d %s", path, resp.StatusCode, data)
					}
					var page []chat.Message
					var object struct {
						Messages []chat.Message `json:"messages"`
						Earlier  *int64         `json:"earlier"`
					}
					if data[0] == '[' {
						must(t, json.Unmarshal(data, &page))
					} else {
						must(t, json.Unmarshal(data, &object))
						if object.Earlier == nil {
							t.Fatalf("GET %s: no earlier field in %.200s", path, data)
						}
						page = object.Messages
					}
					if len(page) == 0 || len(page) > chat.MaxMessagePage {
						t.Fatalf("GET %s: a page of %d messages", path, len(page))
					}
					for i, m := range page {
						if i > 0 && m.Seq != page[i-1].Seq+1 {
							t.Fatalf("GET %s: seq %d after %d", path, m.Seq, page[i-1].Seq)
						}
						if _, ok := bodies[m.Seq]; ok {
							t.Fatalf("GET %s: seq %d read twice", path, m.Seq)
						}
						bodies[m.Seq] = m
					}
					path = ""
					switch link := resp.Header.Get("Link"); {
					case object.Earlier != nil && *object.Earlier != 0:
						if *object.Earlier != page[0].Seq || link != "" {
							t.Fatalf("earlier %d, the page starts at %d; Link %q", *object.Earlier, page[0].Seq, link)
						}
						u := mustURL(resp.Request.URL.String())
						q := u.Query()
						q.Set("before", strconv.FormatInt(*object.Earlier, 10))
						u.RawQuery = q.Encode()
						path = u.RequestURI()
					case link != "":
						m := regexp.MustCompile(`^<([^>]+)>; rel="(next|prev)"$`).FindStringSubmatch(link)
						if m == nil {
							t.Fatalf("GET %s: Link %q", path, link)
						}
						path = m[1]
					}
				}
				seen := map[string]bool{}
				for _, m := range bodies {
					seen[m.Body] = true
				}
				if int64(len(bodies)) != total || !seen["처음 문의드립니다"] || !seen["마지막 답변입니다"] || !seen[fmt.Sprintf("추가 문의 %d", chat.MaxMessagePage+20)] {
					t.Fatalf("read %d of %d messages, or not the first, the last and the filled ones", len(bodies), total)
				}
				return bodies
			}

			// The conversation's messages: from the start, a page of 1000
			// then a link to the rest; from the end, pages of 300 back to
			// the first, each linking the one before.
			resp, data := kim.get(e.convPath(past.ID) + "/messages?after=0")
			var first []chat.Message
			must(t, json.Unmarshal(data, &first))
			wantLink := fmt.Sprintf(`<%s/conversations/%d/messages?after=%d&limit=%d>; rel="next"`, shop, past.ID, chat.MaxMessagePage, chat.MaxMessagePage)
			if len(first) != chat.MaxMessagePage || first[0].Seq != 1 || resp.Header.Get("Link") != wantLink {
				t.Fatalf("the first page: %d messages from seq %d, Link %q; want %d from 1, Link %q",
					len(first), first[0].Seq, resp.Header.Get("Link"), chat.MaxMessagePage, wantLink)
			}
			forward := readAll(kim, e.convPath(past.ID)+"/messages")
			resp, data = kim.get(e.convPath(past.ID) + "/messages?before=0&limit=300")
			var last []chat.Message
			must(t, json.Unmarshal(data, &last))
			wantLink = fmt.Sprintf(`<%s/conversations/%d/messages?before=%d&limit=300>; rel="prev"`, shop, past.ID, total-299)
			if len(last) != 300 || last[299].Seq != total || resp.Header.Get("Link") != wantLink {
				t.Fatalf("the last page: %d messages to seq %d, Link %q; want 300 to %d, Link %q", len(last), last[len(last)-1].Seq, resp.Header.Get("Link"), total, wantLink)
			}
			backward := readAll(kim, e.convPath(past.ID)+"/messages?before=0&limit=300")
			if fmt.Sprint(forward) != fmt.Sprint(backward) {
				t.Fatal("the transcript read from the end differs from the one read from the start")
			}
			resp, _ = kim.get(e.convPath(past.ID) + fmt.Sprintf("/messages?after=%d", total-5))
			if resp.Header.Get("Link") != "" {
				t.Fatalf("the last page links %q", resp.Header.Get("Link"))
			}

			// The customer reads their own chat through the widget.
			readAll(vis, fmt.Sprintf("/api/v1/widget/conversations/%d/messages?after=0", past.ID))
			readAll(vis, fmt.Sprintf("/api/v1/widget/conversations/%d/messages?before=0&limit=500", past.ID))

			// The past chat in the customer's history, from its end: lee,
			// whose chat it never was.
			var item struct {
				Messages []chat.Message `json:"messages"`
				Earlier  int64          `json:"earlier"`
			}
			history := fmt.Sprintf("%s/history/%d", e.convPath(now.ID), past.ID)
			lee.json("GET", history, "", 200, &item)
			if len(item.Messages) != chat.MaxMessagePage || item.Messages[len(item.Messages)-1].Seq != total || item.Earlier != item.Messages[0].Seq {
				t.Fatalf("the past chat: %d messages, earlier %d", len(item.Messages), item.Earlier)
			}
			readAll(lee, history)
			readAll(lee, history+"?limit=250")

			// The ticket made from it.
			var tk struct{ ID int64 }
			kim.json("POST", shop+"/tickets", fmt.Sprintf(`{"subject":"긴 상담","conversation_id":%d}`, past.ID), 201, &tk)
			transcript := fmt.Sprintf("%s/tickets/%d/transcript", shop, tk.ID)
			readAll(lee, transcript)
			readAll(lee, transcript+"?limit=100")

			// The history's export holds every message: a row each in the
			// messages layout, their number in the conversations layout.
			manager := e.login("manager")
			export := func(layout string) [][]string {
				t.Helper()
				var created struct{ ID int64 }
				manager.json("POST", shop+"/exports", `{"format":"csv","layout":"`+layout+`","filter":{"q":"처음 문의드립니다"}}`, 202, &created)
				e.runJobs()
				var ex struct {
					State       string `json:"state"`
					DownloadURL string `json:"download_url"`
				}
				manager.json("GET", fmt.Sprintf("%s/exports/%d", shop, created.ID), "", 200, &ex)
				status, data := manager.do("GET", ex.DownloadURL, "")
				if ex.State != "done" || status != 200 {
					t.Fatalf("the %s export: %s, download %d", layout, ex.State, status)
				}
				recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
				must(t, err)
				return recs
			}
			texts := 0
			for _, m := range forward {
				if m.Kind != chat.KindSystem {
					texts++
				}
			}
			rows := export("messages")
			seen := map[string]bool{}
			for _, r := range rows[1:] {
				if r[0] != strconv.FormatInt(past.RoomNo, 10) || seen[r[6]] {
					t.Fatalf("an exported row %q (room %d), or a text twice", r, past.RoomNo)
				}
				seen[r[6]] = true
			}
			// Every message is a row, the system messages too; the
			// conversations layout counts the texts alone.
			if len(rows)-1 != len(forward) || texts < chat.MaxMessagePage+22 || !seen["처음 문의드립니다"] || !seen["마지막 답변입니다"] {
				t.Fatalf("the messages export has %d rows, want %d", len(rows)-1, len(forward))
			}
			if rows = export("conversations"); len(rows) != 2 || rows[1][17] != strconv.Itoa(texts) {
				t.Fatalf("the conversations export: %q", rows)
			}

			// Bad paging is refused; another company reads nothing.
			var scenarios []scenario
			for _, route := range []struct {
				as   *client
				path string
			}{{kim, e.convPath(past.ID) + "/messages?"}, {lee, history + "?"}, {lee, transcript + "?"}} {
				for _, q := range []string{"before=-1", "before=x", "limit=0", "limit=1001", "limit=ten", "limit=-3"} {
					scenarios = append(scenarios, scenario{name: route.path + q, as: route.as, method: "GET", path: route.path + q, status: 400, code: chat.ErrInvalid})
				}
			}
			scenarios = append(scenarios,
				scenario{name: "after and before", as: kim, method: "GET", path: e.convPath(past.ID) + "/messages?after=3&before=9", status: 400, code: chat.ErrInvalid},
				scenario{name: "a history item read onwards", as: lee, method: "GET", path: history + "?after=0", status: 400, code: chat.ErrInvalid},
				scenario{name: "a ticket's transcript read onwards", as: lee, method: "GET", path: transcript + "?after=10", status: 400, code: chat.ErrInvalid},
				scenario{name: "the widget's after and before", as: vis, method: "GET", path: fmt.Sprintf("/api/v1/widget/conversations/%d/messages?after=1&before=5", past.ID), status: 400, code: chat.ErrInvalid},
				scenario{name: "another company", as: olga, method: "GET", path: e.convPath(past.ID) + "/messages?before=0", status: 404, code: chat.ErrWorkspaceNotFound},
				scenario{name: "another company's own workspace", as: olga, method: "GET", path: fmt.Sprintf("/api/v1/workspaces/%d/conversations/%d/messages?before=0", e.other.ID, past.ID), status: 404, code: chat.ErrConversationNotFound},
			)
			e.run(scenarios)
		})
	}
}
