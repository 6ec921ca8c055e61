package storetest

import (
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/outbox"
)

// testChannelUserLanguage: the language a bridge gives for its user is
// kept on the identifier — a message without one keeps it — and read back
// with the messenger account, which the outbox words its texts in.
func testChannelUserLanguage(t *testing.T, s chat.Store) {
	f := setup(t, s, "chlang")
	ob := outboxOf(t, s)
	ch := &outbox.Endpoint{WorkspaceID: f.ws.ID, Kind: outbox.KindChannel, ChannelKind: "telegram", URL: "https://bridge.example.com/chlang",
		Events: outbox.ChannelEvents, SealedSecret: "v1:sealed", QuietStart: -1, QuietEnd: -1}
	must(t, ob.CreateEndpoint(ctx, ch, "channel-token-chlang", chat.Who{}))
	for _, step := range []struct{ given, want string }{{"", ""}, {"en", "en"}, {"", "en"}, {"ko", "ko"}} {
		cu, err := ob.ChannelCustomer(ctx, *ch, "tg_1", outbox.ChannelProfile{Language: step.given})
		must(t, err)
		u, err := ob.ChannelUserOf(ctx, f.ws.ID, cu.ID)
		must(t, err)
		if cu.Language != step.want || u.Language != step.want || u.ExternalUserID != "tg_1" || u.ChannelID != ch.ID {
			t.Fatalf("given %q: customer %q, channel user %+v; want %q", step.given, cu.Language, u, step.want)
		}
	}
}
