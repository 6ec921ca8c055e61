package chat

import (
	"encoding/json"
	"testing"

	"github.com/sodam-chat/sodam/internal/pii"
)

func TestPIISettings(t *testing.T) {
	s := DefaultSettings()
	if p := s.PII; p.Mode != PIISuggest || len(p.Kinds) != 0 || p.ViewRole != RoleManager || p.RestoreRole != RoleManager {
		t.Fatalf("defaults %+v", p)
	}
	// A patch merges over the current settings, except that a pii object
	// without kinds means every kind.
	s.PII.Kinds = []pii.Kind{pii.RRN}
	s.PII.ViewRole = RoleAgent
	if err := json.Unmarshal([]byte(`{"pii":{"mode":"auto"}}`), &s); err != nil {
		t.Fatal(err)
	}
	if p := s.PII; p.Mode != PIIAuto || p.Kinds != nil || p.ViewRole != RoleAgent {
		t.Fatalf("after a patch %+v", p)
	}
	if err := json.Unmarshal([]byte(`{"pii":{"mode":"auto","colour":"red"}}`), &s); err == nil {
		t.Fatal("an unknown field was accepted")
	}
	for _, tt := range []struct {
		name string
		p    PIISettings
		ok   bool
	}{
		{"default", DefaultPIISettings(), true},
		{"kinds", PIISettings{Mode: PIIAuto, Kinds: []pii.Kind{pii.Card, pii.Phone}, ViewRole: RoleAgent, RestoreRole: RoleMaster}, true},
		{"no mode", PIISettings{ViewRole: RoleManager, RestoreRole: RoleManager}, false},
		{"unknown kind", PIISettings{Mode: PIIAuto, Kinds: []pii.Kind{"ssn"}, ViewRole: RoleManager, RestoreRole: RoleManager}, false},
		{"a kind twice", PIISettings{Mode: PIIAuto, Kinds: []pii.Kind{pii.Card, pii.Card}, ViewRole: RoleManager, RestoreRole: RoleManager}, false},
		{"other is not a kind to detect", PIISettings{Mode: PIIAuto, Kinds: []pii.Kind{pii.Other}, ViewRole: RoleManager, RestoreRole: RoleManager}, false},
		{"no role", PIISettings{Mode: PIIOff}, false},
	} {
		if err := tt.p.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v", tt.name, err)
		}
	}
}

func TestAutoMask(t *testing.T) {
	text := "주민번호 900101-1234568, 연락처 010-2345-6789"
	p := PIISettings{Mode: PIISuggest}
	if got, masks, _ := p.AutoMask(text); got != text || masks != nil {
		t.Fatalf("suggest mode masked %q", got)
	}
	p = PIISettings{Mode: PIIAuto, Kinds: []pii.Kind{pii.RRN}}
	got, masks, originals := p.AutoMask(text)
	if got != "주민번호 **************, 연락처 010-2345-6789" || len(masks) != 1 || originals[0] != "900101-1234568" {
		t.Fatalf("AutoMask = %q %v %v", got, masks, originals)
	}
	p.Kinds = nil
	if got, masks, _ := p.AutoMask(text); len(masks) != 2 || got != "주민번호 **************, 연락처 *************" {
		t.Fatalf("every kind: %q", got)
	}
	if !RoleMaster.Outranks(RoleManager) || RoleAgent.Outranks(RoleManager) || !RoleManager.Outranks(RoleManager) {
		t.Fatal("Outranks")
	}
}
