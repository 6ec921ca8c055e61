package history

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// In XLSX the room number, rating and message count are numbers; the rest,
// a phone number with its leading 0 among them, stays text.
func TestXLSXNumbers(t *testing.T) {
	row := make([]string, len(conversationHeader))
	row[0], row[8], row[15], row[17], row[18] = "1042", "01012345678", "5", "12", "환불 문의드립니다"
	noRating := make([]string, len(conversationHeader))
	noRating[0], noRating[17] = "1043", "3"
	f := openXLSX(t, conversationHeader, row, noRating)
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

// TestExportCellsNeverFormulas: what customers and agents typed (a name,
// a message, a tag) never becomes a formula. In CSV a cell that starts
// like one gets a leading apostrophe; in XLSX every text is an inline
// string, which a spreadsheet shows as it is.
func TestExportCellsNeverFormulas(t *testing.T) {
	typed := []string{`=HYPERLINK("http://evil.example","x")`, "+82 10 1234 5678", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "안녕하세요", ""}
	want := []string{`'=HYPERLINK("http://evil.example","x")`, "'+82 10 1234 5678", "'-2+3", "'@SUM(A1)", "'\t=1+1", "'\r=1+1", "안녕하세요", ""}
	var buf bytes.Buffer
	c := newCSV(&buf)
	if err := c.Row(typed); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).Read()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("csv cells %q, want %q", got, want)
	}

	f := openXLSX(t, messageHeader, []string{"1042", "2026-12-01 10:00:00", "visitor", typed[0], "text", "N", typed[3]})
	for _, cell := range []string{"D2", "G2"} {
		if formula, _ := f.GetCellFormula("Sheet1", cell); formula != "" {
			t.Errorf("%s holds the formula %q", cell, formula)
		}
		if typ, _ := f.GetCellType("Sheet1", cell); typ != excelize.CellTypeInlineString {
			t.Errorf("%s: type %v", cell, typ)
		}
	}
	if v, _ := f.GetCellValue("Sheet1", "D2"); v != typed[0] {
		t.Errorf("D2 = %q", v)
	}
}

// openXLSX writes rows as an export does and opens the workbook.
func openXLSX(t *testing.T, rows ...[]string) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	x := newXLSX(&buf)
	for _, r := range rows {
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
	t.Cleanup(func() { f.Close() })
	return f
}
