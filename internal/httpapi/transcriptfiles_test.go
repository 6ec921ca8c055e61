package httpapi_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
)

// TestTranscriptFiles: a past chat in the customer's history and a
// ticket's transcript give their files' links, and those links let
// whoever may see that history or ticket download the file (a colleague
// whose chat it never was), nobody else.
func TestTranscriptFiles(t *testing.T) {
	t.Parallel()
	for _, kind := range stores {
		t.Run(kind, func(t *testing.T) {
			e := newEnvOn(t, kind, nil)
			kim, lee, olga := e.login("kim"), e.login("lee"), e.login("olga")
			shop := fmt.Sprintf("/api/v1/workspaces/%d", e.shop.ID)

			// The customer sends a photo in a chat kim serves and closes,
			// then comes back; lee takes the new chat, and another
			// customer's.
			vis, other := e.visitor("shop", ""), e.visitor("shop", "")
			past := vis.start()
			kim.json("POST", fmt.Sprintf("%s/conversations/%d/assign", shop, past.ID), "", 200, nil)
			photo := pngOf(t, 400, 300)
			status, data := vis.upload(fmt.Sprintf("/api/v1/widget/conversations/%d/files", past.ID), "p-1", "영수증.png", bytes.NewReader(photo))
			if status != 201 {
				t.Fatalf("upload: %d %s", status, data)
			}
			aid := decodeMessage(t, data).Attachment.ID
			kim.json("POST", fmt.Sprintf("%s/conversations/%d/close", shop, past.ID), "", 200, nil)
			now := vis.start()
			lee.json("POST", fmt.Sprintf("%s/conversations/%d/assign", shop, now.ID), "", 200, nil)
			stranger := other.start()
			lee.json("POST", fmt.Sprintf("%s/conversations/%d/assign", shop, stranger.ID), "", 200, nil)

			file := func(ms []fileMessage) *chat.Attachment {
				for _, m := range ms {
					if m.Attachment != nil {
						return m.Attachment
					}
				}
				t.Fatalf("no file among %+v", ms)
				return nil
			}
			console := fmt.Sprintf("%s/attachments/%d", shop, aid)

			// The history panel's view of the past chat.
			var history struct{ Messages []fileMessage }
			lee.json("GET", fmt.Sprintf("%s/conversations/%d/history/%d", shop, now.ID, past.ID), "", 200, &history)
			a := file(history.Messages)
			throughChat := fmt.Sprintf("?conversation=%d", now.ID)
			if a.URL != console+throughChat || a.ThumbnailURL != console+"/thumbnail"+throughChat {
				t.Fatalf("the past chat's file links %q %q", a.URL, a.ThumbnailURL)
			}

			// The ticket's transcript.
			var tk struct{ ID int64 }
			kim.json("POST", shop+"/tickets", fmt.Sprintf(`{"subject":"영수증 재발급","conversation_id":%d}`, past.ID), 201, &tk)
			var otherTicket struct{ ID int64 }
			lee.json("POST", shop+"/tickets", fmt.Sprintf(`{"subject":"배송","conversation_id":%d}`, stranger.ID), 201, &otherTicket)
			var transcript struct{ Messages []fileMessage }
			lee.json("GET", fmt.Sprintf("%s/tickets/%d/transcript", shop, tk.ID), "", 200, &transcript)
			a = file(transcript.Messages)
			throughTicket := fmt.Sprintf("?ticket=%d", tk.ID)
			if a.URL != console+throughTicket || a.ThumbnailURL != console+"/thumbnail"+throughTicket {
				t.Fatalf("the ticket's file links %q %q", a.URL, a.ThumbnailURL)
			}

			for _, tt := range []struct {
				name   string
				as     *client
				path   string
				status int
				code   string
			}{
				{"lee through the customer's history", lee, console + throughChat, 200, ""},
				{"lee's thumbnail through the history", lee, console + "/thumbnail" + throughChat, 200, ""},
				{"lee through the ticket", lee, console + throughTicket, 200, ""},
				{"lee's thumbnail through the ticket", lee, console + "/thumbnail" + throughTicket, 200, ""},
				{"kim, whose chat it was", kim, console, 200, ""},
				{"lee with no item named", lee, console, 404, chat.ErrAttachmentNotFound},
				{"lee through the file's own chat", lee, fmt.Sprintf("%s?conversation=%d", console, past.ID), 404, chat.ErrAttachmentNotFound},
				{"lee through another customer's chat", lee, fmt.Sprintf("%s?conversation=%d", console, stranger.ID), 404, chat.ErrAttachmentNotFound},
				{"lee through another chat's ticket", lee, fmt.Sprintf("%s?ticket=%d", console, otherTicket.ID), 404, chat.ErrAttachmentNotFound},
				{"lee through a ticket that is not there", lee, console + "?ticket=999999", 404, chat.ErrAttachmentNotFound},
				{"lee through a chat that is not there", lee, console + "?conversation=999999", 404, chat.ErrAttachmentNotFound},
				{"an item ID that is not one", lee, console + "?ticket=abc", 400, chat.ErrInvalid},
				{"another company through the shop's workspace", olga, console + throughTicket, 404, chat.ErrWorkspaceNotFound},
				{"another company through its own workspace", olga, fmt.Sprintf("/api/v1/workspaces/%d/attachments/%d%s", e.other.ID, aid, throughTicket), 404, chat.ErrAttachmentNotFound},
			} {
				t.Run(tt.name, func(t *testing.T) {
					resp, body := tt.as.get(tt.path)
					if tt.status == 200 {
						if resp.StatusCode != 200 || (!strings.Contains(tt.path, "/thumbnail") && !bytes.Equal(body, photo)) {
							t.Fatalf("GET %s: %d %.200s", tt.path, resp.StatusCode, body)
						}
						return
					}
					if resp.StatusCode != tt.status || !strings.Contains(string(body), `"`+tt.code+`"`) || bytes.Contains(body, photo[:32]) {
						t.Fatalf("GET %s: %d %s, want %d %s", tt.path, resp.StatusCode, body, tt.status, tt.code)
					}
				})
			}
		})
	}
}
