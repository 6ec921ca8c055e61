package history

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"
)

// In XLSX the room number, rating and message count are numbers; the rest,
// a phone number with its leading 0 among them, stays text.
func TestXLSXNumbers(t *testing.T) {
	var buf bytes.Buffer
	x := newXLSX(&buf)
	row := make([]string, len(conversationHeader))
	row[0], row[8], row[15], row[17], row[18] = "1042", "01012345678", "5", "12", "환불 문의드립니다"
	noRating := make([]string, len(conversationHeader))
	noRating[0], noRating[17] = "1043", "3"
	for _, r := range [][]string{conversationHeader, row, noRating} {
		if err := x.Row(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for cell, want := range map[string]excelize.CellType{
		"A2": excelize.CellTypeUnset, "P2": excelize.CellTypeUnset, "R2": excelize.CellTypeUnset, // numbers
		"I2": excelize.CellTypeInlineString, "S2": excelize.CellTypeInlineString, "A1": excelize.CellTypeInlineString,
	} {
		if got, err := f.GetCellType("Sheet1", cell); err != nil || got != want {
			t.Errorf("%s: type %v (%v), want %v", cell, got, err, want)
		}
	}
	for cell, want := range map[string]string{"A2": "1042", "I2": "01012345678", "P2": "5", "R2": "12", "P3": "", "R3": "3"} {
		if got, _ := f.GetCellValue("Sheet1", cell); got != want {
			t.Errorf("%s = %q, want %q", cell, got, want)
		}
	}
}
