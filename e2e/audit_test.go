package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserAuditLayout: on a 1366×768 screen the audit log's target
// column is wide enough to read a long path or name, a settings change
// names its setting as the settings page does (the key on hover), and on a
// phone the entries fit the screen's width.
func TestBrowserAuditLayout(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	master := newTab(t, root, "master")
	master.do("size the page", chromedp.EmulateViewport(1366, 768))
	signIn(master, s)

	// A long change beside a long target: the change must not take the
	// target's width.
	consent := strings.Repeat("상담을 위해 이름, 연락처와 대화 내용을 수집하고 상담 기록으로 보관합니다. ", 6)
	api[any](master, s, "PATCH", "", map[string]any{"consent_text": consent, "settings": map[string]any{"pii": map[string]any{"mode": "auto"}}})
	api[any](master, s, "POST", "/tags", map[string]any{"kind": "conversation", "name": "해외 배송·반품 절차 안내 필요"})
	api[any](master, s, "POST", "/faq/articles", map[string]any{"title": "배송 기간과 해외 배송 가능 여부, 반품과 교환 절차를 자세히 알려 주세요", "body_html": "<p>이틀</p>"})
	// A refused attempt (the last master stepping down), whose target is
	// the path it tried.
	if code := eval[string](master, fmt.Sprintf(`import('/console/api.js').then((m) => m.call('PATCH', '/workspaces/%d/agents/%d', {role: 'agent'})).then(() => '', (e) => e.code)`, s.ws.ID, s.agentID(adminEmail))); code != "last_master" {
		master.fail("the refused attempt answered %q", code)
	}

	openPage(master, "audit")
	master.waitFor("the entries", `['workspace.update', 'tag.create', 'faq.article_create', 'member.role'].every((a) => document.querySelector('[data-testid=audit-entry][data-action="' + a + '"]'))`)
	widths := `[...document.querySelectorAll('[data-testid=audit-entry] .audit-target')].map((td) => Math.round(td.getBoundingClientRect().width))`
	if narrow := eval[[]int](master, widths+`.filter((w) => w < 160)`); len(narrow) > 0 {
		master.fail("target cells %v px wide (all: %v), want at least 160", narrow, eval[[]int](master, widths))
	}
	key := `document.querySelector('[data-testid=audit-entry][data-action="workspace.update"] .change-key[title="settings.pii.mode"]')`
	if got := eval[string](master, key+`.textContent + '|' + `+key+`.title`); got != "개인정보: 처리 방식: |settings.pii.mode" {
		master.fail("the settings change's key %q", got)
	}
	look(master, "audit-layout-ko")

	phone(master)
	master.waitFor("the entries within the phone's width, the target across it", `document.documentElement.scrollWidth <= innerWidth && [...document.querySelectorAll('[data-testid=audit-entry]')].every((tr) => tr.getBoundingClientRect().right <= innerWidth)`+
		` && [...document.querySelectorAll('[data-testid=audit-entry] .audit-target')].every((td) => td.getBoundingClientRect().width >= td.closest('tr').getBoundingClientRect().width - 40)`)
	look(master, "audit-layout-phone-ko")
}
