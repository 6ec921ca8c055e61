package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sodam-chat/sodam/internal/chat"
	"github.com/sodam-chat/sodam/internal/store/sqlite"
)

// neverStored fails when any of values is in a row of the database (read
// from a copy made with VACUUM INTO, which holds every row and nothing
// else), in its write-ahead log or in a stored event. The database file
// itself may keep bytes in the unused middle of a page SQLite rebuilt when
// it rebalanced a table, which no setting zeroes (operations.md, *What
// stays*), so its raw bytes are not what a mask promises.
func neverStored(t *testing.T, s *site, values ...string) {
	t.Helper()
	db := filepath.Join(s.dataDir, "sodam.db")
	rows := filepath.Join(t.TempDir(), "rows.db")
	if err := sqlite.Snapshot(context.Background(), db, rows); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{rows, db + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, v := range values {
			if bytes.Contains(b, []byte(v)) {
				t.Fatalf("%s holds %q%s", filepath.Base(f), v, rowsHolding(t, rows, v))
			}
		}
	}
	evs, err := s.node.Store.Events(context.Background(), s.ws.ID, chat.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		for _, v := range values {
			if bytes.Contains(ev.Encoded, []byte(v)) {
				t.Fatalf("event %d (%s) holds %q", ev.Seq, ev.Type, v)
			}
		}
	}
}

// rowsHolding names the table and row of the copy at path in which a
// value holds v, so that a failure says where the text stayed.
func rowsHolding(t *testing.T, path, v string) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return ": " + err.Error()
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return ": " + err.Error()
	}
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	var found []string
	for _, table := range tables {
		rows, err := db.Query(`SELECT rowid, * FROM "` + table + `"`)
		if err != nil {
			continue // a virtual table's shadow without a rowid, say
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for i, val := range vals {
				var b []byte
				switch x := val.(type) {
				case string:
					b = []byte(x)
				case []byte:
					b = x
				}
				if bytes.Contains(b, []byte(v)) {
					found = append(found, fmt.Sprintf("%s row %v column %s: %.300s", table, vals[0], cols[i], b))
				}
			}
		}
		rows.Close()
	}
	return "; in " + strings.Join(found, "; ")
}

// selectText selects the first occurrence of text in the last bubble of
// the console's thread that holds it, as a person dragging over it would.
func selectText(p *tab, text string) {
	p.t.Helper()
	p.do("select "+text, chromedp.Evaluate[chromedp.Void](`(() => {
		const want = `+js(text)+`;
		const bubble = [...document.querySelectorAll('[data-testid=messages] li[data-seq] .bubble[data-pii]')].reverse().find((b) => b.textContent.includes(want));
		for (const piece of bubble.querySelectorAll('span[data-start]')) {
			const at = piece.firstChild.data.indexOf(want);
			if (at < 0) continue;
			const r = document.createRange();
			r.setStart(piece.firstChild, at);
			r.setEnd(piece.firstChild, at + want.length);
			getSelection().removeAllRanges();
			getSelection().addRange(r);
			return;
		}
		throw new Error('no plain text ' + want);
	})()`))
}

const maskedSpans = `[...document.querySelectorAll('[data-testid=messages] [data-testid=masked-span]')]`

// TestBrowserPII is issue 15's "Done when": in automatic mode a visitor's
// resident registration number is masked before it is stored — not in the
// database file, not in an event — and the visitor sees it masked with a
// word on why; an agent masks a selection (with the keyboard and with the
// button) and is warned before sending a card number; a manager sees one
// original with a reason and restores another; the audit log shows it all.
func TestBrowserPII(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	s.configure(func(st *chat.Settings) { st.PII.Mode = chat.PIIAuto })
	s.addMember("kim@example.com", "김상담", "kim-password-2026", chat.RoleAgent)
	s.addMember("park@example.com", "박매니저", "park-password-2026", chat.RoleManager)
	root := browser(t)
	// An agent online first, or the widget offers to leave a message.
	kim := newTab(t, root, "agent 김상담")
	desktop(kim)
	signInAs(kim, s, "kim@example.com", "kim-password-2026")

	visitor := newTab(t, root, "visitor")
	phone(visitor)
	openWidget(visitor, s.host.URL)
	agree(visitor)
	const first = "본인확인 부탁드려요. 주민번호 900101-1234568 이고 연락처는 010-2345-6789 입니다"
	widgetSend(visitor, first)
	const masked = "본인확인 부탁드려요. 주민번호 ************** 이고 연락처는 ************* 입니다"
	widgetShows(visitor, "visitor", masked)
	visitor.waitFrame("the word on why it is masked", `[...d.querySelectorAll('[data-testid=widget-messages] li[data-sender=visitor] [data-testid=widget-masked-note]')].some((n) => n.checkVisibility() && n.textContent.includes('개인정보'))`)
	look(visitor, "pii-widget-masked-ko")
	neverStored(t, s, "900101-1234568", "9001011234568", "1234568", "010-2345-6789")

	const address = "배송지는 마포구 월드컵로 12길 34, 302호예요"
	widgetSend(visitor, address)
	widgetShows(visitor, "visitor", address)

	kim.click("[data-testid=tab-unassigned]") // agents start on their own chats
	id := firstRequest(kim)
	openAndAssign(kim, id)
	consoleShows(kim, "visitor", masked)
	kim.waitFor("two masked spans an agent may not open", maskedSpans+`.length === 2 && `+maskedSpans+`.every((b) => b.disabled && /^\*+$/.test(b.textContent))`)

	// A selection masked with the keyboard, then one with the button.
	selectText(kim, "마포구")
	kim.do("press Ctrl+Shift+M", chromedp.KeyEvent("M", chromedp.KeyModifiers(chromedp.ModifierCtrl, chromedp.ModifierShift)))
	consoleShows(kim, "visitor", "배송지는 *** 월드컵로 12길 34, 302호예요")
	selectText(kim, "월드컵로 12길 34, 302호")
	kim.waitFor("the mask button over the selection", `document.querySelector('[data-testid=mask-selection]').checkVisibility()`)
	look(kim, "pii-agent-selection-ko")
	kim.click("[data-testid=mask-selection]")
	const addressMasked = "배송지는 *** *****************예요"
	consoleShows(kim, "visitor", addressMasked)
	widgetShows(visitor, "visitor", addressMasked)
	neverStored(t, s, "월드컵로 12길")

	// The composer warns before a card number leaves; editing keeps the text.
	const card = "고객님 카드번호 4111-1111-1111-1111 맞으신가요?"
	// Typed whole and focused before Enter: a live re-render (the masking
	// above) may still move the focus while the keys arrive.
	consoleType(kim, card)
	kim.waitFor("the card number typed", `document.querySelector('[data-testid=composer-input]').value === `+js(card))
	// Enter, and again if nothing took it (the warning not open, the
	// composer not emptied), as a person presses it again: on a slow
	// machine a late re-render can still take the focus before the key.
	taken := `document.querySelector('[data-testid=pii-warning]').open || document.querySelector('[data-testid=composer-input]').value === ''`
	for range 3 {
		kim.do("focus the composer", chromedp.Focus(chromedp.CSS("[data-testid=composer-input]")))
		kim.keys("\r")
		if eval[bool](kim, until("() => ("+taken+")")) {
			break
		}
		t.Logf("Enter not taken: %s", eval[string](kim, `JSON.stringify({active: document.activeElement?.dataset?.testid ?? document.activeElement?.tagName, disabled: document.querySelector('[data-testid=composer-input]').disabled, reason: document.querySelector('[data-ref=reason]')?.dataset.reason, dialogs: [...document.querySelectorAll('dialog[open]')].map((d) => d.dataset.testid)})`))
	}
	kim.waitFor("the warning about the card number", `document.querySelector('[data-testid=pii-warning]').open && document.querySelector('[data-testid=pii-warning]').textContent.includes('카드번호')`)
	look(kim, "pii-composer-warning-ko")
	kim.click("[data-testid=pii-warning-cancel]")
	kim.waitFor("the text back in the composer", `!document.querySelector('[data-testid=pii-warning]').open && document.querySelector('[data-testid=composer-input]').value === `+js(card))

	// The manager sees the registration number for a moment, with a reason,
	// and restores the address for everyone.
	park := newTab(t, root, "manager 박매니저")
	desktop(park)
	signInAs(park, s, "park@example.com", "park-password-2026")
	park.click("[data-testid=tab-waiting]") // kim holds it, waiting for an answer
	openConversation(park, id)
	park.waitFor("masked spans the manager may open", `[...document.querySelectorAll('[data-testid=messages] [data-testid=masked-span]')].filter((b) => !b.disabled).length === 4`)
	park.click("[data-testid=messages] [data-testid=masked-span][data-kind=rrn]")
	park.waitFor("the unmask dialog", `document.querySelector('[data-testid=unmask-dialog]').open`)
	park.click("[data-testid=unmask-confirm]")
	park.waitFor("a reason asked for", `document.querySelector('[data-testid=unmask-error]').textContent !== '' && document.querySelector('[data-testid=unmask-dialog]').open`)
	fill(park, "[data-testid=unmask-reason]", "본인확인 서류와 대조")
	look(park, "pii-unmask-dialog-ko")
	park.click("[data-testid=unmask-confirm]")
	park.waitFor("the original shown to the manager", `document.querySelector('[data-testid=messages] [data-testid=revealed-span]')?.textContent === '900101-1234568'`)
	look(park, "pii-revealed-ko")
	neverStored(t, s, "900101-1234568", "1234568")

	park.click("[data-testid=messages] [data-testid=masked-span][data-start='9']")
	park.waitFor("the unmask dialog", `document.querySelector('[data-testid=unmask-dialog]').open`)
	fill(park, "[data-testid=unmask-reason]", "고객이 주소 공개에 동의")
	park.click("[data-testid=unmask-permanent]")
	park.click("[data-testid=unmask-confirm]")
	const restored = "배송지는 *** 월드컵로 12길 34, 302호예요"
	consoleShows(park, "visitor", restored)
	consoleShows(kim, "visitor", restored)
	widgetShows(visitor, "visitor", restored)

	// The audit log names each action, who and the conversation, never the value.
	admin := newTab(t, root, "master")
	desktop(admin)
	signIn(admin, s)
	openPage(admin, "audit")
	admin.waitFor("masks, the view and the unmask in the audit log", `['pii.mask', 'pii.view', 'pii.unmask'].every((a) => document.querySelector('[data-testid=audit-entry][data-action="' + a + '"]'))`+
		` && document.querySelectorAll('[data-testid=audit-entry][data-action="pii.mask"]').length === 3`)
	text := eval[string](admin, `document.querySelector('[data-testid=audit]').textContent`)
	for _, v := range []string{"1234568", "월드컵로", "마포구"} {
		if strings.Contains(text, v) {
			t.Fatalf("the audit log shows %q", v)
		}
	}
	look(admin, "pii-audit-ko")
}

// TestBrowserPIIPhone: on a phone, in English, in suggest mode, a master
// masks a finding with one tap, sees the original with a reason, and
// switches the workspace to automatic masking on the settings card.
func TestBrowserPIIPhone(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	root := browser(t)
	master := newTab(t, root, "master")
	phone(master)
	master.goTo(s.baseURL + "/console/")
	master.waitFor("the sign-in form", `!document.querySelector('#login').hidden`)
	choose(master, "[data-testid=login-language]", "en")
	master.waitFor("the sign-in form in English", `document.querySelector('[data-testid=login-submit]').textContent === 'Sign in'`)
	master.do("fill in the sign-in form",
		typeIn("[data-testid=login-email]", adminEmail),
		typeIn("[data-testid=login-password]", adminPassword))
	master.click("[data-testid=login-submit]")
	master.waitFor("the console live", `!document.querySelector('#app').hidden && document.querySelector('[data-testid=connection]').dataset.state === 'live'`)

	visitor := newTab(t, root, "visitor")
	openWidget(visitor, s.host.URL)
	agree(visitor)
	const text = "결제한 카드가 4111 1111 1111 1111 이에요. 메일은 minji@naver.com으로 주세요"
	widgetSend(visitor, text)
	widgetShows(visitor, "visitor", text) // suggest mode stores what was sent

	id := firstRequest(master)
	openAndAssign(master, id)
	master.waitFor("two findings underlined", `[...document.querySelectorAll('[data-testid=messages] [data-testid=pii-finding]')].map((f) => f.dataset.kind).join() === 'card,email'`)
	look(master, "pii-findings-phone-en")
	master.click("[data-testid=messages] [data-testid=pii-finding][data-kind=card]")
	const masked = "결제한 카드가 ******************* 이에요. 메일은 minji@naver.com으로 주세요"
	consoleShows(master, "visitor", masked)
	widgetShows(visitor, "visitor", masked)
	neverStored(t, s, "4111 1111 1111 1111")

	master.click("[data-testid=messages] [data-testid=masked-span][data-kind=card]")
	master.waitFor("the unmask dialog in English", `document.querySelector('[data-testid=unmask-dialog]').open && document.querySelector('[data-testid=unmask-dialog] h2').textContent === 'See masked text'`)
	fill(master, "[data-testid=unmask-reason]", "Checking the refund card")
	look(master, "pii-unmask-dialog-phone-en")
	master.click("[data-testid=unmask-confirm]")
	master.waitFor("the original shown", `document.querySelector('[data-testid=messages] [data-testid=revealed-span]')?.textContent === '4111 1111 1111 1111'`)

	// The settings card turns automatic masking on for cards only.
	master.do("open the settings", chromedp.Evaluate[chromedp.Void](`location.hash = '#/settings'`))
	master.waitFor("the personal-information card", `document.querySelector('[data-testid=pii-form]')?.checkVisibility() && document.querySelector('[data-testid=pii-mode-suggest]').checked`)
	master.click("[data-testid=pii-mode-auto]")
	// No kind at all is refused in the card, not saved as every kind.
	master.do("uncheck every kind", chromedp.Evaluate[chromedp.Void](`for (const box of document.querySelectorAll('[data-testid=pii-kinds] input')) box.checked = false`))
	master.click("[data-testid=pii-save]")
	master.waitFor("the refusal", `document.querySelector('[data-testid=pii-error]').textContent === 'Choose at least one kind, or choose Off.'`)
	if ws, err := s.node.Store.Workspace(context.Background(), s.ws.ID); err != nil || ws.Settings.PII.Mode != chat.PIISuggest || ws.Settings.PII.Kinds != nil {
		t.Fatalf("saved %+v after no kind was chosen (%v)", ws.Settings.PII, err)
	}
	master.do("keep only cards", chromedp.Evaluate[chromedp.Void](`for (const box of document.querySelectorAll('[data-testid=pii-kinds] input')) box.checked = box.value === 'card'`))
	master.click("[data-testid=pii-save]")
	toastSays(master, "Saved.")
	ws, err := s.node.Store.Workspace(context.Background(), s.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p := ws.Settings.PII; p.Mode != chat.PIIAuto || len(p.Kinds) != 1 || p.Kinds[0] != "card" {
		t.Fatalf("saved %+v", p)
	}
	look(master, "pii-settings-phone-en")
}

// TestBrowserPIIFileName: in automatic mode a visitor's document named
// "홍길동_010-1234-5678_주민등록증.pdf" reaches the console with the number
// masked in its name — in the live chat and in the history's panel — and
// never in the database; the master sees the original with a reason, and
// the file then downloads under it.
func TestBrowserPIIFileName(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	s.configure(func(st *chat.Settings) { st.PII.Mode = chat.PIIAuto })
	const name, masked = "홍길동_010-1234-5678_주민등록증.pdf", "홍길동_*************_주민등록증.pdf"
	agent, visitor, id := takenChat(t, s, "신분증 사본 보내드려요")
	desktop(agent)
	widgetChoose(visitor, writeFile(t, t.TempDir(), name, []byte("%PDF-1.4\n"+strings.Repeat("% 신분증 사본\n", 200))))
	file := `document.querySelector('[data-testid=messages] li[data-seq][data-sender=visitor][data-kind=file]')`
	agent.waitFor("the file with its name masked", `(() => { const li = `+file+`; const n = li?.querySelector('[data-testid=file-name]');`+
		` return n?.textContent === `+js(masked)+` && n.querySelector('[data-testid=masked-span][data-kind=phone]')?.textContent === '*************'`+
		` && li.querySelector('[data-testid=file-link]').getAttribute('download') === `+js(masked)+`; })()`)
	visitor.waitFrame("the visitor's file named as stored", `[...d.querySelectorAll('[data-testid=widget-messages] li[data-kind=file] .file-name')].some((n) => n.textContent === `+js(masked)+`)`)
	look(agent, "pii-file-name-ko")
	neverStored(t, s, "010-1234-5678", "1234-5678")
	if got := eval[string](agent, `fetch(`+file+`.querySelector('[data-testid=file-link]').href).then((r) => decodeURIComponent(r.headers.get('content-disposition').split("''")[1]))`); got != masked {
		agent.fail("the download is named %q, want %q", got, masked)
	}

	// The master sees the original for a reason; the link then saves the
	// file under it.
	agent.click("[data-testid=messages] [data-testid=file-name] [data-testid=masked-span]")
	agent.waitFor("the unmask dialog", `document.querySelector('[data-testid=unmask-dialog]').open`)
	fill(agent, "[data-testid=unmask-reason]", "신분증 사본 확인")
	agent.click("[data-testid=unmask-confirm]")
	agent.waitFor("the original name shown", `(() => { const li = `+file+`; return li.querySelector('[data-testid=file-name] [data-testid=revealed-span]')?.textContent === '010-1234-5678'`+
		` && li.querySelector('[data-testid=file-link]').getAttribute('download') === `+js(name)+`; })()`)
	look(agent, "pii-file-name-revealed-ko")
	neverStored(t, s, "010-1234-5678")

	// The history's panel shows it masked as well.
	api[any](agent, s, "POST", fmt.Sprintf("/conversations/%d/close", id), nil)
	agent.click("[data-testid=nav-history]")
	agent.waitFor("the chat among the results", fmt.Sprintf(`document.querySelector("[data-testid=history-result][data-conversation-id='%d'] button")`, id))
	agent.click(fmt.Sprintf("[data-testid=history-result][data-conversation-id='%d'] button", id))
	agent.waitFor("the masked name in the panel", `[...document.querySelectorAll('[data-testid=history-transcript] [data-testid=file-name]')].some((n) => n.textContent === `+js(masked)+` && n.querySelector('[data-testid=masked-span]'))`)
}
