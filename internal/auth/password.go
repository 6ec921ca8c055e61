package auth

import (
	"strings"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn"

	"github.com/sodam-chat/sodam/internal/chat"
)

// minStrength is zxcvbn's score a new password needs: 3 is "safely
// unguessable: moderate protection from offline slow-hash scenarios".
const minStrength = 3

// CheckNewPassword refuses a password a person should not choose: shorter
// than chat.MinPasswordLength, longer than 256 characters, containing the
// email address (or its name part), or guessable — common, a keyboard
// pattern, a date, a variation of the person's name. Guessability is
// zxcvbn's estimate, a well-kept model of how passwords are cracked, not a
// list of our own.
func CheckNewPassword(password, email, name string) error {
	n := utf8.RuneCountInString(password)
	if n < chat.MinPasswordLength {
		return chat.Errorf(chat.ErrWeakPassword, "a password needs at least %d characters", chat.MinPasswordLength)
	}
	if n > 256 {
		return chat.Errorf(chat.ErrWeakPassword, "a password has at most 256 characters")
	}
	lower := strings.ToLower(password)
	email = strings.ToLower(strings.TrimSpace(email))
	local, _, _ := strings.Cut(email, "@")
	if email != "" && strings.Contains(lower, email) || len(local) >= 3 && strings.Contains(lower, local) {
		return chat.Errorf(chat.ErrWeakPassword, "a password must not contain your email address")
	}
	inputs := []string{email, local, name, "sodam", "소담"}
	if zxcvbn.PasswordStrength(password, inputs).Score < minStrength {
		return chat.Errorf(chat.ErrWeakPassword, "this password is too easy to guess; use a longer phrase or mix unrelated words")
	}
	return nil
}
