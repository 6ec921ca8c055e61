package outbox

import (
	"context"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/event"
)

// Alert is one alert's wording, the same for every target kind.
type Alert struct {
	To        string // an email alert's address
	Title     string
	Text      string
	Link      string
	LinkLabel string
}

// InQuiet reports whether minute-of-day m falls in the quiet hours
// [start, end), which may wrap past midnight. start < 0: none.
func InQuiet(start, end, m int) bool {
	switch {
	case start < 0 || end < 0 || start == end:
		return false
	case start < end:
		return m >= start && m < end
	default:
		return m >= start || m < end
	}
}

// alert words delivery d for target ep, or returns nil when the target's
// quiet hours hold it back.
func (w *Worker) alert(ctx context.Context, ep *Endpoint, d Delivery) (*Alert, error) {
	ws, err := w.Reader.Workspace(ctx, d.WorkspaceID)
	if err != nil {
		return nil, err
	}
	now := w.Now().In(ws.Settings.Location())
	if InQuiet(ep.QuietStart, ep.QuietEnd, now.Hour()*60+now.Minute()) {
		return nil, nil
	}
	a := &Alert{To: ep.URL, LinkLabel: "상담 콘솔에서 열기 / Open in the console"}
	if ep.AgentID != 0 {
		ag, err := w.Reader.Agent(ctx, ep.AgentID)
		if err != nil {
			return nil, err
		}
		a.To = ag.Email
	}
	var c *chat.Conversation
	var tk *chat.Ticket
	if d.EventType == AlertWaiting {
		if c, err = w.Reader.Conversation(ctx, d.WorkspaceID, d.ConversationID); err != nil {
			return nil, err
		}
	} else {
		stored, err := w.Store.StoredEvent(ctx, d.WorkspaceID, d.EventSeq)
		if err != nil {
			return nil, err
		}
		ev, err := event.Decode(stored)
		if err != nil {
			return nil, err
		}
		c, tk = ev.Conversation, ev.Ticket
	}
	name := func(c *chat.Conversation) string {
		if c.CustomerName != "" {
			return c.CustomerName
		}
		return "고객 #" + strconv.FormatInt(c.RoomNo, 10)
	}
	switch {
	case d.EventType == AlertTicket && tk != nil:
		a.Title = fmt.Sprintf("[%s] 새 부재 메시지: %s / New left message", ws.Name, tk.Name)
		a.Text = fmt.Sprintf("%s (%s)\n%s", tk.Name, tk.Contact, clip(tk.Message, 300))
		a.Link = w.BaseURL + "/console/#/tickets"
	case c == nil:
		return nil, fmt.Errorf("delivery %d: nothing to alert about", d.ID)
	case d.EventType == AlertNewChat:
		a.Title = fmt.Sprintf("[%s] 새 상담 요청: %s / New chat request", ws.Name, name(c))
		a.Text = fmt.Sprintf("%s님이 상담을 요청했습니다 (%s, %s).", name(c), c.Channel, c.CreatedAt.In(ws.Settings.Location()).Format("15:04"))
	case d.EventType == AlertWaiting:
		waited := int(w.Now().Sub(c.CreatedAt) / time.Minute)
		a.Title = fmt.Sprintf("[%s] %d분째 대기 중: %s / Waiting %d min", ws.Name, waited, name(c), waited)
		a.Text = fmt.Sprintf("%s님이 %d분째 상담원 배정을 기다리고 있습니다.", name(c), waited)
	case d.EventType == AlertAssignedAway:
		a.Title = fmt.Sprintf("[%s] 자리 비움 중 배정: %s / Assigned while away", ws.Name, name(c))
		a.Text = fmt.Sprintf("자리 비움 상태인 %s님에게 %s님의 상담이 배정되었습니다.", c.AssigneeName, name(c))
	default:
		return nil, fmt.Errorf("delivery %d: unknown alert %q", d.ID, d.EventType)
	}
	if c != nil {
		if c.LastMessage != "" && d.EventType != AlertAssignedAway {
			a.Text += "\n“" + clip(c.LastMessage, 200) + "”"
		}
		a.Link = w.BaseURL + "/console/#/c/" + strconv.FormatInt(c.ID, 10)
	}
	return a, nil
}

// clip shortens s to n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
