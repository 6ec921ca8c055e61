package pii

import (
	"errors"
	"fmt"
	"testing"
)

func TestScan(t *testing.T) {
	tests := []struct {
		name, text string
		want       []Finding
	}{
		{"phone with a particle", "010-1234-5678로 연락주세요", []Finding{{Phone, 0, 13, 0.97}}},
		{"rrn inside a sentence", "주민번호는 900101-1234568이에요", []Finding{{RRN, 6, 20, 0.99}}},
		{"rrn with a wrong check digit", "주민번호는 900101-1234567이에요", nil},
		{"rrn issued after October 2020 has no check digit", "아이 번호 201105-3123456", []Finding{{RRN, 6, 20, 0.9}}},
		{"impossible date", "900231-1234568", nil},
		{"foreigner", "등록번호 900101-5234561", []Finding{{ForeignerRN, 5, 19, 0.99}}},
		{"full-width digits", "０１０－１２３４－５６７８", []Finding{{Phone, 0, 13, 0.97}}},
		{"+82", "+82 10-1234-5678 로 연락", []Finding{{Phone, 0, 16, 0.97}}},
		{"seoul", "02-123-4567", []Finding{{Phone, 0, 11, 0.97}}},
		{"1588", "1588-1234로 전화", []Finding{{Phone, 0, 9, 0.9}}},
		{"card in fours", "카드 4111 1111 1111 1111 입니다", []Finding{{Card, 3, 22, 0.98}}},
		{"card failing Luhn", "카드 4111 1111 1111 1112 입니다", nil},
		{"amex", "3782-822463-10005", []Finding{{Card, 0, 17, 0.97}}},
		{"account after a bank's name", "신한 110-123-456789 입금했어요", []Finding{{Account, 3, 17, 0.96}}},
		{"account shape without words about money", "110-123-456789", nil},
		{"email before a particle", "abc.def@naver.com으로 보내주세요", []Finding{{Email, 0, 17, 0.99}}},
		{"passport", "여권번호 M12345678", []Finding{{Passport, 5, 14, 0.97}}},
		{"passport-like product code", "상품 M12345678", nil},
		{"licence", "면허 11-12-345678-90", []Finding{{DriverLicense, 3, 18, 0.98}}},
		{"licence with a region's name", "서울 12-345678-90", []Finding{{DriverLicense, 0, 15, 0.95}}},
		{"order number", "주문번호 20240115-1234567", nil},
		{"order number with letters", "ORD-0101234567 배송 언제?", nil},
		{"price", "39,000원 결제했어요", nil},
		{"date", "2024-01-15에 주문", nil},
		{"tracking", "송장 612345678901 조회가 안 돼요", nil},
		{"business registration", "사업자등록번호 123-45-67890", nil},
		{"several", "010-1234-5678 / me@kakao.com", []Finding{{Phone, 0, 13, 0.97}, {Email, 16, 28, 0.99}}},
		// Formatted numbers listed with a slash or a comma, and a card's
		// expiry after a slash: each was missed whole, as if glued to a code.
		{"mobile and home with a slash", "연락처 010-2345-6789/02-123-4567 입니다", []Finding{{Phone, 4, 17, 0.97}, {Phone, 18, 29, 0.97}}},
		{"two mobiles with a comma", "010-2345-6789,010-9876-5432 둘 중 아무거나요", []Finding{{Phone, 0, 13, 0.97}, {Phone, 14, 27, 0.97}}},
		{"card and its expiry", "카드번호는 4111-1111-1111-1111/12/25 입니다", []Finding{{Card, 6, 25, 0.98}}},
		{"date range with a slash", "2024-01-15/2024-01-20 사이에 주문", nil},
		// A label written against the number: was read as a code.
		{"label and colon", "HP:010-2345-6789 로 연락 부탁드려요", []Finding{{Phone, 3, 16, 0.97}}},
		{"label and dot", "Tel.02-123-4567 (사무실)", []Finding{{Phone, 4, 15, 0.97}}},
		{"rrn after a label", "RRN:900101-1234568", []Finding{{RRN, 4, 18, 0.99}}},
		{"a time is not a label", "10:30-1234 예약", nil},
		{"a version is still a code", "앱 버전 v1.2.3-4567 문제", nil},
		{"amounts with commas", "1,234,567원 결제, 2,000원 환불", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Scan(tt.text)
			if len(got) != len(tt.want) {
				t.Fatalf("Scan(%q) = %v, want %v", tt.text, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("Scan(%q) = %v, want %v", tt.text, got, tt.want)
				}
			}
		})
	}
}

// TestScanFileName: a file's name is scanned with its underscores, and
// dots at a number's edge, read as spaces and its extension left out; what Scan leaves alone (a code, a
// number glued to letters) stays so.
func TestScanFileName(t *testing.T) {
	tests := []struct {
		name string
		want []Finding
	}{
		{"홍길동_010-1234-5678_주민등록증.jpg", []Finding{{Phone, 4, 17, 0.97}}},
		{"신분증_900101-1234568.png", []Finding{{RRN, 4, 18, 0.99}}},
		{"scan 010-1234-5678.jpeg", []Finding{{Phone, 5, 18, 0.97}}},
		{"kim@example.com.pdf", []Finding{{Email, 0, 15, 0.99}}},
		{"01012345678", []Finding{{Phone, 0, 11, 0.95}}},
		{"영수증＿010-1234-5678.HEIC", []Finding{{Phone, 4, 17, 0.97}}},
		{"order_A1234.png", nil},
		{"IMG_20260105_123456.jpg", nil},
		{"report.final.pdf", nil},
		{".env", nil},
		// Dots where a number starts or ends read as spaces; dots inside
		// a number, a word or an email address stay.
		{"scan.010-1234-5678.pdf", []Finding{{Phone, 5, 18, 0.97}}},
		{"홍길동．900101-1234568.jpg", []Finding{{RRN, 4, 18, 0.99}}},
		{"010.1234.5678.jpg", []Finding{{Phone, 0, 13, 0.97}}},
		{"hong.1234@example.com.png", []Finding{{Email, 0, 21, 0.99}}},
		{"v1.2.3.zip", nil},
		{"report.2026.12.05.pdf", nil},
	}
	for _, tt := range tests {
		got := ScanFileName(tt.name)
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("ScanFileName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestCheckSpan(t *testing.T) {
	text := []rune("좋아요 👍🏽 e\u0301 ᄒ\u1161\u11ab 🇰🇷")
	tests := []struct {
		start, end int
		want       error
	}{
		{0, 3, nil},
		{-1, 2, ErrOutOfRange},
		{2, 2, ErrOutOfRange},
		{0, len(text) + 1, ErrOutOfRange},
		{4, 5, ErrSplit},   // between the thumb and its skin tone
		{4, 6, nil},        // the whole emoji
		{7, 8, ErrSplit},   // e without its accent
		{10, 11, ErrSplit}, // a jamo syllable's first letter only
		{10, 13, nil},
		{14, 15, ErrSplit}, // half a flag
		{14, 16, nil},
	}
	for _, tt := range tests {
		if err := CheckSpan(text, tt.start, tt.end); !errors.Is(err, tt.want) && err != tt.want {
			t.Errorf("CheckSpan(%d, %d) = %v, want %v", tt.start, tt.end, err, tt.want)
		}
	}
}

func TestMergeApplyRestore(t *testing.T) {
	text := "전화 010-1234-5678 입니다"
	masks := Merge(nil, Span{3, 7, Phone})
	masks = Merge(masks, Span{6, 16, Phone})
	if len(masks) != 1 || masks[0] != (Span{3, 16, Phone}) {
		t.Fatalf("merged %v", masks)
	}
	masks = Merge(masks, Span{16, 20, Other})
	if len(masks) != 1 || masks[0] != (Span{3, 20, Other}) {
		t.Fatalf("touching spans merge: %v", masks)
	}
	first := Apply(text, []Span{{3, 7, Phone}})
	second := Apply(first, []Span{{6, 16, Phone}})
	if second != "전화 ************* 입니다" {
		t.Fatalf("applied %q", second)
	}
	pieces := []Piece{{3, "010-"}, {6, string([]rune(first)[6:16])}}
	if got := Restore(second, pieces); got != text {
		t.Fatalf("restored %q", got)
	}
}

func TestKeyring(t *testing.T) {
	k, err := NewKeyring(GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := k.Seal(1, 7, "900101-1234568")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := k.Open(1, 7, sealed); err != nil || got != "900101-1234568" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := k.Open(2, 7, sealed); !errors.Is(err, ErrOpen) {
		t.Fatalf("another workspace opened it: %v", err)
	}
	if _, err := k.Open(1, 8, sealed); !errors.Is(err, ErrOpen) {
		t.Fatalf("another conversation opened it: %v", err)
	}
	other, _ := NewKeyring(GenerateKey())
	if _, err := other.Open(1, 7, sealed); !errors.Is(err, ErrOpen) {
		t.Fatalf("another key opened it: %v", err)
	}
	if other.KeyID() == k.KeyID() {
		t.Fatal("two keys share an ID")
	}
	key := GenerateKey()
	if b, err := ParseKey(EncodeKey(key)); err != nil || string(b) != string(key) {
		t.Fatalf("ParseKey(EncodeKey) = %v", err)
	}
	if _, err := ParseKey("c2hvcnQ="); err == nil {
		t.Fatal("a short key parsed")
	}
}
