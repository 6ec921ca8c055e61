// Package xlsx writes spreadsheets in Office Open XML (.xlsx), row by row,
// straight into the zip archive on the way to its reader: nothing is held
// but the row being written.
//
// Sodam writes only what its exports need: sheets of text and numbers under
// a bold, frozen header row, with no other styles, no formulas and no
// shared strings (each text is an inline string).
// A full library (excelize) did this before; its package init built its
// formula and style tables, 1.5 MB of heap and 3–4 MB of mapped code and data
// in every node whether or not anyone exported (docs/benchmarks.md), and
// its stream writer spilled rows to a temporary file.
package xlsx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxRows is the number of rows a sheet holds in Excel.
const MaxRows = 1_048_576

// MaxCellChars is the length of text a cell holds in Excel, in UTF-16 code
// units; longer text is cut to it.
const MaxCellChars = 32_767

// ErrSheetFull is WriteRow's error once the sheet holds MaxRows rows.
var ErrSheetFull = errors.New("xlsx: the sheet already has the most rows a sheet holds")

// Writer writes one workbook. Rows go into the sheet last started; the
// first row starts "Sheet1" when no sheet was. Close must be called.
type Writer struct {
	zw     *zip.Writer
	sheet  io.Writer // the part of the sheet being written; nil before the first
	sheets []string
	rows   int  // rows in the sheet being written
	open   bool // whether the sheet's rows have begun (<sheetData>)
	row    bytes.Buffer
	err    error // the first error: the archive is unusable after it
}

// NewWriter returns a Writer that writes the workbook to w. It does not
// close w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{zw: zip.NewWriter(w)}
}

// NewSheet ends the sheet being written, if any, and starts one named
// name: 1–31 characters, none of : \ / ? * [ ], not used before in the
// workbook (compared as Excel does, ignoring case).
func (w *Writer) NewSheet(name string) error {
	if w.err != nil {
		return w.err
	}
	if err := checkSheetName(name); err != nil {
		return err
	}
	for _, s := range w.sheets {
		if strings.EqualFold(s, name) {
			return fmt.Errorf("xlsx: the workbook already has a sheet named %q", name)
		}
	}
	if err := w.endSheet(); err != nil {
		return err
	}
	w.sheets = append(w.sheets, name)
	w.rows, w.open = 0, false
	w.sheet, w.err = w.zw.Create(fmt.Sprintf("xl/worksheets/sheet%d.xml", len(w.sheets)))
	if w.err == nil {
		_, w.err = io.WriteString(w.sheet, xml.Header+`<worksheet xmlns="`+nsMain+`">`)
	}
	return w.err
}

// WriteHeader writes the first row of the sheet being written as its
// header: bold, and kept in view when the sheet scrolls (a frozen pane).
func (w *Writer) WriteHeader(cells ...string) error {
	if w.err == nil && w.sheet != nil && w.rows > 0 {
		return errors.New("xlsx: a header is a sheet's first row")
	}
	vals := make([]any, len(cells))
	for i, c := range cells {
		vals[i] = c
	}
	return w.write(true, vals)
}

// WriteRow appends a row of cells to the sheet being written. A cell is a
// string (written as text; an empty one leaves the cell empty), or an int,
// int64 or float64 (written as a number; a float that is not finite, as
// its text).
func (w *Writer) WriteRow(cells ...any) error { return w.write(false, cells) }

func (w *Writer) write(header bool, cells []any) error {
	if w.err != nil {
		return w.err
	}
	if w.sheet == nil {
		if err := w.NewSheet("Sheet1"); err != nil {
			return err
		}
	}
	if w.rows == MaxRows {
		return ErrSheetFull
	}
	b := &w.row
	b.Reset()
	if !w.open {
		if header {
			b.WriteString(`<sheetViews><sheetView workbookViewId="0">` +
				`<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`)
		}
		b.WriteString(`<sheetData>`)
	}
	style := ""
	if header {
		style = ` s="1"` // styles' second cell format: bold
	}
	r := strconv.Itoa(w.rows + 1)
	b.WriteString(`<row r="` + r + `">`)
	for i, c := range cells {
		ref := column(i) + r
		switch v := c.(type) {
		case string:
			if v != "" {
				b.WriteString(`<c r="` + ref + `"` + style + ` t="inlineStr"><is><t xml:space="preserve">`)
				xml.EscapeText(b, []byte(cut(v))) //nolint:errcheck // a bytes.Buffer does not fail
				b.WriteString(`</t></is></c>`)
			}
		case int:
			b.WriteString(`<c r="` + ref + `"><v>` + strconv.Itoa(v) + `</v></c>`)
		case int64:
			b.WriteString(`<c r="` + ref + `"><v>` + strconv.FormatInt(v, 10) + `</v></c>`)
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				b.WriteString(`<c r="` + ref + `" t="inlineStr"><is><t>` + strconv.FormatFloat(v, 'g', -1, 64) + `</t></is></c>`)
			} else {
				b.WriteString(`<c r="` + ref + `"><v>` + strconv.FormatFloat(v, 'g', -1, 64) + `</v></c>`)
			}
		default:
			return fmt.Errorf("xlsx: a cell of type %T", c)
		}
	}
	b.WriteString(`</row>`)
	w.rows++
	w.open = true
	_, w.err = w.sheet.Write(b.Bytes())
	return w.err
}

// Close ends the last sheet and writes the workbook's other parts and the
// archive's directory. A workbook with no rows gets one empty sheet.
func (w *Writer) Close() error {
	if w.err != nil {
		return w.err
	}
	if w.sheet == nil {
		if err := w.NewSheet("Sheet1"); err != nil {
			return err
		}
	}
	if err := w.endSheet(); err != nil {
		return err
	}
	var book, rels, types strings.Builder
	book.WriteString(xml.Header + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><sheets>`)
	rels.WriteString(xml.Header + `<Relationships xmlns="` + nsPkgRel + `">`)
	types.WriteString(xml.Header + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>`)
	for i, name := range w.sheets {
		n := strconv.Itoa(i + 1)
		book.WriteString(`<sheet name="`)
		xml.EscapeText(&book, []byte(name)) //nolint:errcheck // a strings.Builder does not fail
		book.WriteString(`" sheetId="` + n + `" r:id="rId` + n + `"/>`)
		rels.WriteString(`<Relationship Id="rId` + n + `" Type="` + nsRel + `/worksheet" Target="worksheets/sheet` + n + `.xml"/>`)
		types.WriteString(`<Override PartName="/xl/worksheets/sheet` + n + `.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`)
	}
	book.WriteString(`</sheets></workbook>`)
	rels.WriteString(`<Relationship Id="rIdStyles" Type="` + nsRel + `/styles" Target="styles.xml"/></Relationships>`)
	types.WriteString(`</Types>`)
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", types.String()},
		{"_rels/.rels", xml.Header + `<Relationships xmlns="` + nsPkgRel + `"><Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", book.String()},
		{"xl/_rels/workbook.xml.rels", rels.String()},
		{"xl/styles.xml", styles},
	}
	for _, p := range parts {
		f, err := w.zw.Create(p.name)
		if err == nil {
			_, err = io.WriteString(f, p.body)
		}
		if err != nil {
			w.err = err
			return err
		}
	}
	w.err = w.zw.Close()
	if w.err == nil {
		w.err = errors.New("xlsx: the workbook is closed")
		return nil
	}
	return w.err
}

func (w *Writer) endSheet() error {
	if w.sheet != nil {
		end := `</sheetData></worksheet>`
		if !w.open {
			end = `<sheetData/></worksheet>`
		}
		_, w.err = io.WriteString(w.sheet, end)
	}
	return w.err
}

const (
	nsMain   = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel    = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRel = "http://schemas.openxmlformats.org/package/2006/relationships"
)

// styles holds two cell formats: the plain one every cell has, and a bold
// one for headers.
const styles = xml.Header + `<styleSheet xmlns="` + nsMain + `">` +
	`<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>` +
	`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
	`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`

func checkSheetName(name string) error {
	if n := utf8.RuneCountInString(name); n == 0 || n > 31 {
		return fmt.Errorf("xlsx: a sheet's name has 1 to 31 characters, not %d", n)
	}
	if i := strings.IndexAny(name, `:\/?*[]`); i >= 0 {
		return fmt.Errorf("xlsx: a sheet's name cannot hold %q", name[i])
	}
	return nil
}

// column is the letters of the column at index i (0: A, 26: AA).
func column(i int) string {
	var b [4]byte
	n := len(b)
	for i++; i > 0; i = (i - 1) / 26 {
		n--
		b[n] = byte('A' + (i-1)%26)
	}
	return string(b[n:])
}

// cut shortens s to MaxCellChars UTF-16 code units, never splitting a
// character.
func cut(s string) string {
	if len(s) <= MaxCellChars {
		return s // at most one code unit a byte
	}
	units := 0
	for i, r := range s {
		units += utf16.RuneLen(r)
		if units > MaxCellChars {
			return s[:i]
		}
	}
	return s
}
