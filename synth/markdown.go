package synth

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/folio/folio"
)

// markdown renders a document's body as Markdown (CommonMark with GitHub
// pipe tables), in element order, furniture left out: the title as the
// only level-1 heading, heading level n as level n+1 (at most 6), list items
// nested by level, tables as pipe tables (as HTML when they have spanning
// cells or several header rows; contents as lines), images linking their asset,
// captions in italics, code fenced and formulas in $$ blocks.
func markdown(doc folio.Document) []byte {
	var m mdWriter
	for i := range doc.Elements {
		m.element(&doc.Elements[i])
	}
	if m.b.Len() == 0 {
		return []byte{}
	}
	m.b.WriteByte('\n')
	return []byte(m.b.String())
}

// mdWriter accumulates Markdown blocks.
type mdWriter struct {
	b        strings.Builder
	lastList bool
	// lists holds the content column of the open list item at each level.
	lists []int
}

// block appends one block: separated from the one before by a blank line,
// or by a line break between items of one list.
func (m *mdWriter) block(s string, listItem bool) {
	if m.b.Len() > 0 {
		if listItem && m.lastList {
			m.b.WriteString("\n")
		} else {
			m.b.WriteString("\n\n")
		}
	}
	m.b.WriteString(s)
	m.lastList = listItem
	if !listItem {
		m.lists = m.lists[:0]
	}
}

func (m *mdWriter) element(el *folio.Element) {
	if el.Layer != "" && el.Layer != folio.LayerBody || el.Status == folio.StatusRejected {
		return
	}
	switch el.Type {
	case folio.Header, folio.Footer, folio.PageNumber:
		return
	case folio.TableType:
		if el.Table != nil && el.Table.Contents {
			// A table of contents reads as its lines: entry, page.
			for _, row := range el.Table.Rows {
				if line := oneLine(strings.Join(row, " ")); line != "" {
					m.block(escapeText(line), false)
				}
			}
			return
		}
		if el.Table != nil && el.Table.HTML != "" && needsHTML(el.Table) {
			// GitHub-flavoured Markdown allows raw HTML: the one way to
			// keep spanning cells and stacked header rows.
			m.block(el.Table.HTML, false)
			return
		}
		if el.Table != nil && len(el.Table.Rows) > 0 {
			m.block(pipeTable(el.Table), false)
			return
		}
	case folio.ImageType:
		if el.Image != nil && el.Image.File != "" {
			m.block("!["+escapeInline(oneLine(el.Image.Description))+"]("+linkPath(el.Image.File)+")", false)
			return
		}
		if el.Image != nil && el.Image.Description != "" {
			m.block("*"+escapeInline(oneLine(el.Image.Description))+"*", false)
			return
		}
	case folio.Code:
		if strings.TrimSpace(el.Text) != "" {
			m.block(fenced(el.Text), false)
		}
		return
	case folio.Formula:
		if t := strings.TrimSpace(el.Text); t != "" {
			m.block("$$\n"+t+"\n$$", false)
		}
		return
	}
	text := oneLine(el.Text)
	if text == "" {
		return
	}
	switch el.Type {
	case folio.Title:
		m.block("# "+headingText(escapeInline(text)), false)
	case folio.Heading:
		m.block(strings.Repeat("#", min(max(el.Level, 1)+1, 6))+" "+headingText(escapeInline(text)), false)
	case folio.ListItem:
		m.listItem(el.Level, el.Marker, escapeText(text))
	case folio.Caption:
		m.block("*"+escapeInline(text)+"*", false)
	default:
		m.block(escapeText(text), false)
	}
}

// maxListLevel bounds list nesting, so that a wild level cannot indent an
// item by thousands of spaces.
const maxListLevel = 8

// listItem writes an item at level (1-based), indented under the content
// of its parent item so that CommonMark nests it.
func (m *mdWriter) listItem(level int, marker, text string) {
	level = min(max(level, 1), maxListLevel)
	if !m.lastList {
		m.lists = m.lists[:0]
	}
	if len(m.lists) >= level {
		m.lists = m.lists[:level-1]
	}
	for len(m.lists) < level-1 { // a level without an item of its own
		last := 0
		if n := len(m.lists); n > 0 {
			last = m.lists[n-1]
		}
		m.lists = append(m.lists, last+2)
	}
	indent := 0
	if level > 1 {
		indent = m.lists[level-2]
	}
	mark, prefix := listMarker(marker)
	m.lists = append(m.lists, indent+len(mark)+1)
	m.block(strings.Repeat(" ", indent)+mark+" "+prefix+text, true)
}

// listMarker maps a list marker from the page to a Markdown one: numbers
// such as "2." or "3)" are kept, symbols become "-", and other markers
// ("a)", "iv.") become "-" with the marker kept as text.
func listMarker(marker string) (mark, prefix string) {
	marker = strings.TrimSpace(marker)
	if n := len(marker); n >= 2 && n <= 10 && digits(marker[:n-1]) && (marker[n-1] == '.' || marker[n-1] == ')') {
		return marker, ""
	}
	if strings.IndexFunc(marker, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) < 0 {
		return "-", ""
	}
	return "-", escapeInline(marker) + " "
}

// pipeTable renders t as a GitHub pipe table. The header row is the
// table's header rows joined per column, or its first row when it has none.
// needsHTML reports whether a pipe table would lose t's structure: a cell
// spans rows or columns, or the head has more than one row.
func needsHTML(t *folio.Table) bool {
	if t.HeaderRows > 1 {
		return true
	}
	for _, c := range t.Cells {
		if c.RowSpan > 1 || c.ColSpan > 1 {
			return true
		}
	}
	return false
}

func pipeTable(t *folio.Table) string {
	cols := 0
	for _, r := range t.Rows {
		cols = max(cols, len(r))
	}
	if cols == 0 {
		return ""
	}
	head := min(max(t.HeaderRows, 1), len(t.Rows))
	var b strings.Builder
	row := func(cells []string) {
		b.WriteString("|")
		for j := range cols {
			s := ""
			if j < len(cells) {
				s = cells[j]
			}
			b.WriteString(" " + strings.ReplaceAll(escapeInline(oneLine(s)), "|", `\|`) + " |")
		}
		b.WriteString("\n")
	}
	header := make([]string, cols)
	for _, r := range t.Rows[:head] {
		for j, s := range r {
			if s = strings.TrimSpace(s); s != "" {
				header[j] = strings.TrimSpace(header[j] + " " + s)
			}
		}
	}
	row(header)
	b.WriteString("|" + strings.Repeat(" --- |", cols) + "\n")
	for _, r := range t.Rows[head:] {
		row(r)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// fenced puts code in a fence longer than any backtick run inside it.
func fenced(code string) string {
	longest, run := 0, 0
	for i := range len(code) {
		if code[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + "\n" + strings.TrimRight(code, "\n") + "\n" + fence
}

// linkPath makes a relative file path a Markdown link destination: bytes
// that would end the destination or change its meaning as a URL (white
// space, controls, parentheses, angle and square brackets, quotes,
// backslash, "%", "#", "?") are percent-encoded; letters of any script stay
// readable.
func linkPath(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := range len(p) {
		c := p[i]
		if c <= ' ' || c == 0x7f || strings.IndexByte(`()<>[]"'\%#?`, c) >= 0 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// oneLine returns s with every run of white space turned into one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// headingText escapes a trailing run of "#" that CommonMark would take for
// a closing sequence.
func headingText(s string) string {
	t := strings.TrimRight(s, "#")
	if t != s && (t == "" || strings.HasSuffix(t, " ")) {
		return t + `\` + s[len(t):]
	}
	return s
}

// escapeText escapes s for a line of its own: escapeInline, and a leading
// block marker.
func escapeText(s string) string { return escapeLineStart(escapeInline(s)) }

// escapeInline backslash-escapes what Markdown would read as inline markup
// in single-line text: emphasis, code, links, HTML, entity references and
// strikethrough. An underscore inside a word is left alone, as CommonMark
// never reads it as emphasis.
func escapeInline(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	prev := rune(-1)
	for i, r := range s {
		switch r {
		case '\\', '`', '*', '[', ']', '<', '~':
			b.WriteByte('\\')
		case '_':
			next, _ := utf8.DecodeRuneInString(s[i+1:])
			if !(isWordRune(prev) && isWordRune(next)) {
				b.WriteByte('\\')
			}
		case '&':
			if entityAt(s[i:]) {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}

// escapeLineStart escapes a leading block marker: #, >, +, - or an
// ordered-list number such as "12." or "3)".
func escapeLineStart(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '#', '>', '+', '-':
		return `\` + s
	}
	n := 0
	for n < len(s) && n < 10 && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	if n > 0 && n < len(s) && (s[n] == '.' || s[n] == ')') && (n+1 == len(s) || s[n+1] == ' ') {
		return s[:n] + `\` + s[n:]
	}
	return s
}

func isWordRune(r rune) bool { return r >= 0 && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// entityAt reports whether s starts with an HTML entity reference such as
// "&amp;" or "&#169;", which Markdown would decode.
func entityAt(s string) bool {
	end := strings.IndexByte(s, ';')
	if end < 2 || end > 32 {
		return false
	}
	name := s[1:end]
	if name[0] == '#' {
		name = name[1:]
		if name != "" && (name[0] == 'x' || name[0] == 'X') {
			name = name[1:]
		}
	}
	if name == "" {
		return false
	}
	for _, r := range name {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
			return false
		}
	}
	return true
}
