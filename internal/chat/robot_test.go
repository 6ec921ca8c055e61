package chat

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestWantsAgent: what visitors type to reach a person hands over, however
// they space and punctuate it; questions that mention 상담 or a person stay
// the robot's.
func TestWantsAgent(t *testing.T) {
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"상담원", true},
		{"상담사님!", true},
		{"사람", true},
		{"직원요", true},
		{"상담원 연결", true},
		{"상담원연결해주세요", true},
		{"상담사 연결해주세요", true},
		{"상담원 불러주세요", true},
		{"사람이랑 얘기하고 싶어요", true},
		{"상담사님 연결 부탁드립니다", true},
		{"상담사님, 연결 부탁드립니다.", true},
		{"상담원으로 바꿔 주세요", true},
		{"그냥 사람하고 통화하고 싶어요", true},
		{"직원분이랑 대화할 수 있을까요?", true},
		{"매니저 좀 불러주세요", true},
		{"담당자한테 연락 주세요", true},
		{"상담원 연결이요~!!", true},
		{"상 담 원   연 결", true},
		{"진짜 사람이랑 이야기하고 싶다고요", true},
		{"Agent", true},
		{"agent please", true},
		{"human", true},
		{"talk to a person", true},
		{"Can I talk to someone?", true},
		{"I want to speak with a human.", true},
		{"connect me to an agent", true},
		{"I need a real person", true},

		{"상담 시간이 어떻게 되나요?", false},
		{"상담 가능 시간", false},
		{"주말에도 상담 되나요", false},
		{"너 사람이야?", false},
		{"받는 사람 주소 바꿔주세요", false},
		{"받는 사람 바꿔주세요", false},
		{"주문한 사람 이름 변경", false},
		{"주소 모르는 사람한테 선물 보내는 법", false},
		{"카카오 계정 연결하는 방법", false},
		{"환불은 언제 되나요", false},
		{"customer service hours", false},
		{"are you a robot", false},
		{"how do I change the recipient's name", false},
	} {
		t.Run(tt.text, func(t *testing.T) {
			if got := WantsAgent(tt.text); got != tt.want {
				t.Fatalf("WantsAgent(%q) = %v", tt.text, got)
			}
		})
	}
}

// TestWantsAgentEvalSet: none of the robot's evaluation questions (package
// faq's testdata) is taken for a request for a person.
func TestWantsAgentEvalSet(t *testing.T) {
	for _, name := range []string{"../faq/testdata/questions.txt", "../faq/testdata/heldout.txt"} {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if _, q, ok := strings.Cut(sc.Text(), " | "); ok && !strings.HasPrefix(sc.Text(), "#") && WantsAgent(q) {
				t.Errorf("%s: %q taken for a request for a person", name, q)
			}
		}
	}
}
