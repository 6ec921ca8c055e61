package httpapi_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestHistoryChannels: history filters by every channel statistics know
// (one list, chat.Channels), a Telegram chat included, and by both flags
// at once; an unknown channel is refused by both alike.
func TestHistoryChannels(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			ctx := context.Background()
			manager := e.login("manager")
			byChannel := map[chat.Channel]int64{}
			for i, ch := range chat.Channels {
				cu := &chat.Customer{WorkspaceID: e.shop.ID, ExternalID: fmt.Sprintf("%s-%d", ch, i)}
				must(t, e.store.UpsertCustomer(ctx, cu))
				c, _, err := e.app.StartConversation(ctx, e.shop.ID, cu.ID, ch, "ko", "")
				must(t, err)
				byChannel[ch] = c.ID
			}
			if len(byChannel) < 5 || byChannel["telegram"] == 0 {
				t.Fatalf("channels %v", chat.Channels)
			}
			search := func(q url.Values) []int64 {
				t.Helper()
				var a historyAnswer
				manager.json("GET", e.shopPath()+"/history?"+q.Encode(), "", 200, &a)
				var ids []int64
				for _, c := range a.Conversations {
					ids = append(ids, c.ID)
				}
				return ids
			}
			for ch, id := range byChannel {
				if got := search(url.Values{"channel": {string(ch)}}); len(got) != 1 || got[0] != id {
					t.Errorf("channel %s: %v, want [%d]", ch, got, id)
				}
			}
			// Statistics take the same channels. Their days end yesterday
			// in the workspace's zone: two days ago here is one in every
			// zone.
			d := time.Now().AddDate(0, 0, -2).Format(time.DateOnly)
			manager.json("GET", e.shopPath()+"/stats?channel=telegram&from="+d+"&to="+d, "", 200, nil)

			// Both flags: only the conversation that is important and on hold.
			web, telegram := byChannel[chat.ChannelWeb], byChannel["telegram"]
			manager.json("POST", e.convPath(web)+"/assign", "", 200, nil)
			manager.json("POST", e.convPath(telegram)+"/assign", "", 200, nil)
			manager.json("POST", e.convPath(web)+"/messages", `{"client_msg_id":"r1","body":"안녕하세요"}`, 201, nil) // in progress, so it may be on hold
			manager.json("POST", e.convPath(web)+"/important", `{"on":true}`, 200, nil)
			manager.json("POST", e.convPath(web)+"/hold", `{"on":true}`, 200, nil)
			manager.json("POST", e.convPath(telegram)+"/important", `{"on":true}`, 200, nil)
			if got := search(url.Values{"important": {"true"}, "on_hold": {"true"}}); len(got) != 1 || got[0] != web {
				t.Errorf("important and on hold: %v, want [%d]", got, web)
			}

			status, body := manager.do("GET", e.shopPath()+"/history?channel=fax", "")
			if status != 400 || !strings.Contains(string(body), `"`+chat.ErrInvalid+`"`) || !strings.Contains(string(body), "telegram") {
				t.Errorf("an unknown channel: %d %s", status, body)
			}
			status, body = manager.do("GET", e.shopPath()+"/stats?channel=fax&from="+d+"&to="+d, "")
			if status != 400 || !strings.Contains(string(body), `"`+chat.ErrInvalid+`"`) {
				t.Errorf("an unknown channel in statistics: %d %s", status, body)
			}
		})
	}
}
