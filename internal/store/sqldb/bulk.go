package sqldb

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sodam-chat/sodam/internal/chat"
)

// BulkConversation is a closed conversation to load in bulk: its customer
// (a new one), its agent and its messages, alternating customer and agent.
type BulkConversation struct {
	CustomerKey string
	Name, Phone string
	AgentID     int64
	AgentName   string
	CategoryID  int64
	Rating      int
	Start       time.Time
	Messages    []string
}

// BulkLoad stores closed conversations many at a time, their messages and
// their search index, without events: for benchmarks over millions of
// messages (docs/benchmarks.md), which the write path would take hours to
// build one message at a time. The index goes through indexMessages, the
// same code as every message's.
func (db *DB) BulkLoad(ctx context.Context, workspaceID int64, convs []BulkConversation) error {
	return db.tx(ctx, func(x q) error {
		var room int64
		if err := x.row(ctx, `UPDATE room_seqs SET seq = seq + ? WHERE workspace_id = ? RETURNING seq`, len(convs), workspaceID).Scan(&room); err != nil {
			return err
		}
		room -= int64(len(convs))
		for chunk := range slices.Chunk(convs, 200) {
			var args []any
			for _, c := range chunk {
				args = append(args, workspaceID, c.CustomerKey, c.Name, c.Phone, micros(c.Start), micros(c.Start))
			}
			rows, err := x.query(ctx, `INSERT INTO profiles (workspace_id, customer_key, name, phone, created_at, updated_at) VALUES `+
				strings.Repeat(`, (?, ?, ?, ?, ?, ?)`, len(chunk))[2:]+` RETURNING id, customer_key`, args...)
			if err != nil {
				return err
			}
			profiles := map[string]int64{}
			for rows.Next() {
				var id int64
				var key string
				if err := rows.Scan(&id, &key); err != nil {
					rows.Close()
					return err
				}
				profiles[key] = id
			}
			rows.Close()
			pids := make([]int64, 0, len(profiles))
			for _, id := range profiles {
				pids = append(pids, id)
			}
			if err := indexProfiles(ctx, x, pids); err != nil {
				return err
			}
			args = args[:0]
			for _, c := range chunk {
				args = append(args, workspaceID, c.CustomerKey, profiles[c.CustomerKey], micros(c.Start))
			}
			rows, err = x.query(ctx, `INSERT INTO customers (workspace_id, external_id, profile_id, created_at) VALUES `+
				strings.Repeat(`, (?, ?, ?, ?)`, len(chunk))[2:]+` RETURNING id, external_id`, args...)
			if err != nil {
				return err
			}
			customers := map[string]int64{}
			for rows.Next() {
				var id int64
				var key string
				if err := rows.Scan(&id, &key); err != nil {
					rows.Close()
					return err
				}
				customers[key] = id
			}
			rows.Close()
			args = args[:0]
			for _, c := range chunk {
				room++
				end := c.Start.Add(time.Duration(len(c.Messages)) * time.Minute)
				path := fmt.Sprintf(`[{"agent_id":%d,"name":%q}]`, c.AgentID, c.AgentName)
				var rating any
				if c.Rating > 0 {
					rating = c.Rating
				}
				args = append(args, workspaceID, room, customers[c.CustomerKey], c.AgentID, int64(len(c.Messages)), preview(c.Messages[len(c.Messages)-1]),
					micros(end), micros(c.Start), micros(end), path, micros(c.Start.Add(time.Minute)), nullID(c.CategoryID), rating)
			}
			rows, err = x.query(ctx, `INSERT INTO conversations (workspace_id, room_no, customer_id, channel, state, assignee_id, close_reason,
				last_seq, last_message, last_message_at, created_at, closed_at, agent_path, first_reply_at, category_id, rating_score)
				VALUES `+strings.Repeat(`, (?, ?, ?, 'web', 'closed', ?, 'agent', ?, ?, ?, ?, ?, ?, ?, ?, ?)`, len(chunk))[2:]+` RETURNING id, room_no`, args...)
			if err != nil {
				return err
			}
			byRoom := map[int64]int64{}
			for rows.Next() {
				var id, no int64
				if err := rows.Scan(&id, &no); err != nil {
					rows.Close()
					return err
				}
				byRoom[no] = id
			}
			rows.Close()
			first := room - int64(len(chunk))
			var msgs []chat.Message
			for i, c := range chunk {
				conv := byRoom[first+int64(i)+1]
				for j, body := range c.Messages {
					m := chat.Message{WorkspaceID: workspaceID, ConversationID: conv, Seq: int64(j + 1), SenderType: chat.SenderVisitor,
						ClientMsgID: fmt.Sprint("b", j), Kind: chat.KindText, Body: body, CreatedAt: c.Start.Add(time.Duration(j) * time.Minute)}
					if j%2 == 1 {
						m.SenderType, m.SenderID, m.SenderName = chat.SenderAgent, c.AgentID, c.AgentName
					}
					msgs = append(msgs, m)
				}
			}
			for part := range slices.Chunk(msgs, 100) {
				args = args[:0]
				for _, m := range part {
					args = append(args, m.WorkspaceID, m.ConversationID, m.Seq, m.SenderType, nullID(m.SenderID), m.SenderName, m.ClientMsgID, m.Body, micros(m.CreatedAt))
				}
				rows, err := x.query(ctx, `INSERT INTO messages (workspace_id, conversation_id, seq, sender_type, sender_id, sender_name, client_msg_id, kind, body, meta, internal, created_at)
					VALUES `+strings.Repeat(`, (?, ?, ?, ?, ?, ?, ?, 'text', ?, 'null', false, ?)`, len(part))[2:]+` RETURNING id, conversation_id, seq`, args...)
				if err != nil {
					return err
				}
				ids := map[[2]int64]int64{}
				for rows.Next() {
					var id, conv, seq int64
					if err := rows.Scan(&id, &conv, &seq); err != nil {
						rows.Close()
						return err
					}
					ids[[2]int64{conv, seq}] = id
				}
				rows.Close()
				for i := range part {
					part[i].ID = ids[[2]int64{part[i].ConversationID, part[i].Seq}]
				}
				if err := db.indexMessages(ctx, x, part); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
