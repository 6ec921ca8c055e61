package chat

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPlanWebRename(t *testing.T) {
	anon := Presence{ID: 1, ExternalID: "v1a2b", CustomerID: "v1a2b"}
	member := Presence{ID: 2, ExternalID: "kim", CustomerID: "kim"}
	kakao := Presence{ID: 3, ExternalID: "kakao4-u1", CustomerID: "kim", Messenger: true}
	legacy := Presence{ID: 4, ExternalID: "lee", CustomerID: "lee-2"} // named before identifiers followed the ID
	open := func(p Presence, room int64) Presence { p.OpenRoom = room; return p }
	blocked := func(p Presence) Presence { p.Blocked = true; return p }
	many := []Presence{member}
	for i := range MaxIdentifiers - 1 {
		many = append(many, Presence{ID: int64(100 + i), ExternalID: fmt.Sprint("kakao4-m", i), Messenger: true})
	}
	tests := []struct {
		name      string
		newID     string
		presences []Presence
		edited    int64
		named     *Presence
		want      WebRename
		code      string
		says      string // a part of the refusal's message
	}{
		{name: "a free ID renames the web identifier", newID: "hong", presences: []Presence{anon}, edited: 1,
			want: WebRename{Keep: 1, Rename: true}},
		{name: "the same ID changes nothing", newID: "kim", presences: []Presence{member}, edited: 2, named: &member,
			want: WebRename{Keep: 2}},
		{name: "a member's ID folds the visitor into the member", newID: "kim", presences: []Presence{anon, member, kakao}, edited: 1, named: &member,
			want: WebRename{Keep: 2, Fold: []int64{1}}},
		{name: "the visitor's open chat moves to the member", newID: "kim", presences: []Presence{open(anon, 7), member}, edited: 1, named: &member,
			want: WebRename{Keep: 2, Fold: []int64{1}}},
		{name: "the member's open chat stays", newID: "kim", presences: []Presence{anon, open(member, 3)}, edited: 1, named: &member,
			want: WebRename{Keep: 2, Fold: []int64{1}}},
		{name: "a messenger identifier is never renamed", newID: "park", presences: []Presence{kakao}, edited: 3,
			want: WebRename{}},
		{name: "a messenger's edit renames its customer ID's web identifier", newID: "park", presences: []Presence{member, kakao}, edited: 3,
			want: WebRename{Keep: 2, Rename: true}},
		{name: "two legacy web identifiers become the edited one", newID: "lee", presences: []Presence{anon, legacy}, edited: 1, named: &legacy,
			want: WebRename{Keep: 4, Fold: []int64{1}}},
		{name: "without one named so, the edited web identifier is kept", newID: "hong", presences: []Presence{member, anon}, edited: 1,
			want: WebRename{Keep: 1, Rename: true, Fold: []int64{2}}},
		{name: "both blocked may fold", newID: "kim", presences: []Presence{blocked(anon), blocked(member)}, edited: 1, named: &member,
			want: WebRename{Keep: 2, Fold: []int64{1}}},
		{name: "a blocked identifier alone may be renamed", newID: "hong", presences: []Presence{blocked(anon)}, edited: 1,
			want: WebRename{Keep: 1, Rename: true}},
		{name: "fifty after a fold", newID: "kim", presences: append([]Presence{anon}, many...), edited: 1, named: &member,
			want: WebRename{Keep: 2, Fold: []int64{1}}},

		{name: "both have an open chat", newID: "kim", presences: []Presence{open(anon, 7), open(member, 3)}, edited: 1, named: &member,
			code: ErrMergeOpenChats, says: "shop_v1a2b (room 7) and shop_kim (room 3)"},
		{name: "the member is blocked", newID: "kim", presences: []Presence{anon, blocked(member)}, edited: 1, named: &member,
			code: ErrMergeBlocked, says: "shop_kim is blocked"},
		{name: "the visitor is blocked", newID: "kim", presences: []Presence{blocked(anon), member}, edited: 1, named: &member,
			code: ErrMergeBlocked, says: "shop_v1a2b is blocked"},
		{name: "the name is another customer ID's", newID: "lee", presences: []Presence{anon}, edited: 1, named: &legacy,
			code: ErrIdentifierInUse, says: "customer ID lee-2"},
		{name: "the name is a messenger account's", newID: "kakao4-u1", presences: []Presence{anon, kakao}, edited: 1, named: &kakao,
			code: ErrIdentifierInUse, says: "messenger"},
		{name: "a messenger account's name no account has yet", newID: "kakao4-u2", presences: []Presence{kakao}, edited: 3,
			code: ErrInvalid, says: "no account has it yet"},
		{name: "a messenger account's name no account has yet, from the web", newID: "kakao4-u2", presences: []Presence{anon}, edited: 1,
			code: ErrInvalid, says: "messenger"},
		{name: "fifty-one identifiers", newID: "kim", presences: append(slices.Clone(many), Presence{ID: 99, ExternalID: "kakao4-x", Messenger: true}), edited: 99, named: &member,
			code: ErrTooManyIdentifiers, says: "51 identifiers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PlanWebRename("shop", tt.newID, tt.presences, tt.edited, tt.named)
			if tt.code != "" {
				if ErrorCode(err) != tt.code || !strings.Contains(err.Error(), tt.says) {
					t.Fatalf("got %+v, %v; want %s saying %q", got, err, tt.code, tt.says)
				}
				return
			}
			if err != nil || got.Keep != tt.want.Keep || got.Rename != tt.want.Rename || !slices.Equal(got.Fold, tt.want.Fold) {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestFoldPresence(t *testing.T) {
	early, late := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	member := Customer{ID: 2, Verified: true, Language: "ko-KR", CreatedAt: late, ConsentAt: &early, ConsentVersion: "old"}
	visitor := Customer{ID: 1, Language: "en", IP: "10.0.0.1", Device: "phone", CreatedAt: early, ConsentAt: &late, ConsentVersion: "new"}
	got := FoldPresence(member, visitor)
	if got.ID != 2 || !got.Verified || got.Language != "ko-KR" || got.IP != "10.0.0.1" || got.Device != "phone" ||
		!got.CreatedAt.Equal(early) || !got.ConsentAt.Equal(late) || got.ConsentVersion != "new" {
		t.Fatalf("folded %+v", got)
	}
	// An older consent does not replace a newer one; none replaces nothing.
	if got := FoldPresence(visitor, member); got.ConsentVersion != "new" || got.Verified != true {
		t.Fatalf("folded the other way %+v", got)
	}
	if got := FoldPresence(member, Customer{}); got.ConsentVersion != "old" || !got.CreatedAt.Equal(late) {
		t.Fatalf("folded an empty one %+v", got)
	}
}
