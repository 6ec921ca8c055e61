package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The workbooks are read back with excelize, a full implementation of the
// format, and their parts parsed as XML.
func TestWriterReadBack(t *testing.T) {
	long := strings.Repeat("가", MaxCellChars-1) + "😀" // the emoji takes two code units: it is cut
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := w.WriteHeader("상담 번호", "고객", "평점", "메시지 수", "응답률"); err != nil {
		t.Fatal(err)
	}
	rows := [][]any{
		{"C-1042", "김민지 <min@example.com>", 5, int64(12), 0.875},
		{"C-1043", "", -1, int64(0), math.NaN()},
		{"=SUM(A1:A2)", "줄\n바꿈 & \"인용\" \x0b", 0, int64(1) << 40, 1e21},
		{long},
	}
	for _, r := range rows {
		if err := w.WriteRow(r...); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteHeader("늦은 머리글"); err == nil {
		t.Error("a header after the first row was taken")
	}
	if err := w.NewSheet("2월"); err != nil {
		t.Fatal(err)
	}
	// Columns past Z.
	wide := make([]any, 30)
	for i := range wide {
		wide[i] = i
	}
	if err := w.WriteRow(wide...); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRow("late"); err == nil {
		t.Error("a row after Close was taken")
	}
	wellFormed(t, buf.Bytes())

	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "Sheet1" || got[1] != "2월" {
		t.Fatalf("sheets %q", got)
	}
	got, err := f.GetRows("Sheet1", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"상담 번호", "고객", "평점", "메시지 수", "응답률"},
		{"C-1042", "김민지 <min@example.com>", "5", "12", "0.875"},
		{"C-1043", "", "-1", "0", "NaN"},
		{"=SUM(A1:A2)", "줄\n바꿈 & \"인용\" \uFFFD", "0", "1099511627776", "1e+21"},
		{strings.Repeat("가", MaxCellChars-1)},
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
			g, w := strings.Join(got[i], "|"), strings.Join(want[i], "|")
			t.Errorf("row %d: %.80q, want %.80q", i+1, g, w)
		}
	}
	// Numbers are numbers, text is text (a formula's text stays text).
	for cell, want := range map[string]excelize.CellType{"A2": excelize.CellTypeInlineString, "C2": excelize.CellTypeUnset,
		"E2": excelize.CellTypeUnset, "A4": excelize.CellTypeInlineString, "E3": excelize.CellTypeInlineString} {
		if got, err := f.GetCellType("Sheet1", cell); err != nil || got != want {
			t.Errorf("%s: type %v (%v), want %v", cell, got, err, want)
		}
	}
	if formula, _ := f.GetCellFormula("Sheet1", "A4"); formula != "" {
		t.Errorf("A4 has the formula %q", formula)
	}
	if v, _ := f.GetCellValue("2월", "AD1"); v != "29" {
		t.Errorf("AD1 = %q, want 29", v)
	}
	// The header is bold and frozen; the second sheet has none.
	for sheet, want := range map[string]bool{"Sheet1": true, "2월": false} {
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if frozen := panes.Freeze && panes.YSplit == 1; frozen != want {
			t.Errorf("%s: panes %+v, want frozen %v", sheet, panes, want)
		}
		id, err := f.GetCellStyle(sheet, "A1")
		if err != nil {
			t.Fatal(err)
		}
		style, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if bold := style.Font != nil && style.Font.Bold; bold != want {
			t.Errorf("%s: A1 bold %v, want %v", sheet, bold, want)
		}
	}
	if id, _ := f.GetCellStyle("Sheet1", "A2"); id != 0 {
		t.Errorf("A2 has style %d, want the plain one", id)
	}
}

// wellFormed parses every part of the archive as XML.
func wellFormed(t *testing.T, data []byte) {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range z.File {
		names[f.Name] = true
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(r)
		for {
			if _, err := d.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
		}
		r.Close()
	}
	for _, n := range []string{"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml"} {
		if !names[n] {
			t.Errorf("no part %s", n)
		}
	}
}

func TestEmptyWorkbook(t *testing.T) {
	var buf bytes.Buffer
	if err := NewWriter(&buf).Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if rows, err := f.GetRows("Sheet1"); err != nil || len(rows) != 0 {
		t.Errorf("rows %q, %v", rows, err)
	}
}

func TestRefusals(t *testing.T) {
	w := NewWriter(io.Discard)
	for _, name := range []string{"", "a/b", "[1]", strings.Repeat("가", 32)} {
		if err := w.NewSheet(name); err == nil {
			t.Errorf("sheet name %q taken", name)
		}
	}
	if err := w.NewSheet("상담"); err != nil {
		t.Fatal(err)
	}
	if err := w.NewSheet("상담"); err == nil {
		t.Error("a second sheet of the same name taken")
	}
	if err := w.WriteRow("a", true); err == nil {
		t.Error("a bool cell taken")
	}
	w.rows = MaxRows
	if err := w.WriteRow("one too many"); err != ErrSheetFull {
		t.Errorf("row past the limit: %v", err)
	}
	if err := w.NewSheet("Sheet2"); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteRow("goes on"); err != nil {
		t.Fatal(err)
	}
}

func TestColumn(t *testing.T) {
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 51: "AZ", 52: "BA", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := column(i); got != want {
			t.Errorf("column(%d) = %s, want %s", i, got, want)
		}
	}
}
