package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/pii"
)

// TestRotatePIIKey: a visitor's number sealed under the first key opens
// after rotation under the new one, and a node given the old key refuses
// to start.
func TestRotatePIIKey(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { testRotatePIIKey(t, b) })
	}
}

func testRotatePIIKey(t *testing.T, b backend) {
	ctx := context.Background()
	data := b.args[1]
	m := startNode(t, b.args...)
	all, err := m.Store.AllWorkspaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ws := all[0]
	ws.Settings.PII.Mode = chat.PIIAuto
	if _, err := m.Store.UpdateWorkspace(ctx, &ws, chat.Who{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	cu := &chat.Customer{WorkspaceID: ws.ID, ExternalID: "rotate"}
	if err := m.Store.UpsertCustomer(ctx, cu); err != nil {
		t.Fatal(err)
	}
	conv, _, err := m.App.StartConversation(ctx, ws.ID, cu.ID, chat.ChannelWeb, "ko", "")
	if err != nil {
		t.Fatal(err)
	}
	sent, err := m.App.Send(ctx, ws.ID, conv.ID, chat.VisitorActor, chat.NewMessage{ClientMsgID: "v1", Body: "주민번호 900101-1234568 입니다"})
	if err != nil || len(sent.Message.Masks) != 1 {
		t.Fatalf("sent %+v %v", sent, err)
	}
	m.Close()
	oldKey, err := os.ReadFile(filepath.Join(data, "pii.key"))
	if err != nil {
		t.Fatal(err)
	}

	code, out, stderr := adminCmd(t, "", append([]string{"rotate-pii-key"}, b.args...)...)
	if code != exitOK || !strings.Contains(out, "Re-sealed 1 masked originals") {
		t.Fatalf("rotate: exit %d\n%s%s", code, out, stderr)
	}
	newKey, err := os.ReadFile(filepath.Join(data, "pii.key"))
	if err != nil || string(newKey) == string(oldKey) {
		t.Fatalf("the key file was not replaced: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(data, "pii.key.*")); len(left) > 0 {
		t.Fatalf("left behind: %v", left)
	}

	m = startNode(t, b.args...)
	mask := sent.Message.Masks[0]
	_, originals, err := m.App.UnmaskMessage(ctx, ws.ID, conv.ID, sent.Message.ID, chat.Unmask{Start: mask.Start, End: mask.End, Reason: "회전 확인"}, chat.Who{Name: "test"})
	if err != nil || len(originals) != 1 || originals[0].Text != "900101-1234568" {
		t.Fatalf("after rotation: %+v %v", originals, err)
	}
	m.Close()

	// The old key no longer starts a node.
	if err := os.WriteFile(filepath.Join(data, "pii.key"), oldKey, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = adminCmd(t, "", append([]string{"rotate-pii-key"}, b.args...)...)
	if code == exitOK || !strings.Contains(stderr, "not the key this database") {
		t.Fatalf("rotating from the wrong key: exit %d %s", code, stderr)
	}
	bad := t.TempDir() + "/bad"
	if err := os.WriteFile(bad, []byte(pii.EncodeKey(pii.GenerateKey())[:10]), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(data, "pii.key"), newKey, 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = adminCmd(t, "", append([]string{"rotate-pii-key", "--new-key-file", bad}, b.args...)...)
	if code == exitOK || !strings.Contains(stderr, "new-key-file") {
		t.Fatalf("a malformed new key: exit %d %s", code, stderr)
	}
}

// TestRotatePIIKeyRefusesWhileServing: rotating beside a running server
// went ahead — the server kept sealing new originals under the old key,
// which the new key file cannot open after its restart. A Sodam that
// answers at the configured address stops the command, key unchanged.
func TestRotatePIIKeyRefusesWhileServing(t *testing.T) {
	data := t.TempDir()
	m := startNode(t, "--data", data)
	defer m.Close()
	before, err := os.ReadFile(filepath.Join(data, "pii.key"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, stderr := adminCmd(t, "", "rotate-pii-key", "--data", data, "--addr", m.Addr())
	after, _ := os.ReadFile(filepath.Join(data, "pii.key"))
	if code != exitFail || !strings.Contains(stderr, "answers at http://"+m.Addr()) || !strings.Contains(stderr, "stop every node") || string(after) != string(before) {
		t.Fatalf("rotate beside a server: exit %d\n%s%s", code, out, stderr)
	}
}
