package openai_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/folio/folio"
	"github.com/folio/folio/route/openai/oaitest"
	"github.com/google/go-cmp/cmp"
)

// A table request carries the table's text once: its grid, with the spans
// and the extent of each row and column, and no copy of the text or of the
// cells.
func TestTableRequestCarriesTextOnce(t *testing.T) {
	srv := oaitest.New(t)
	s := newSpecialist(t, srv, mini())
	task := tableTask()
	tb := task.Element.Table
	for i, row := range tb.Rows {
		for j, text := range row {
			x, y := 72+float64(j)*100, 100+float64(i)*20
			tb.Cells = append(tb.Cells, folio.Cell{Row: i, Col: j, RowSpan: 1, ColSpan: 1, Text: text,
				Box: folio.Box{x + 0.4, y + 0.6, x + 90.2, y + 15.5}})
		}
	}
	if _, err := s.Run(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	var body struct {
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(srv.Requests()[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	var user string
	for _, m := range body.Messages {
		if m.Role == "user" {
			if err := json.Unmarshal(m.Content, &user); err != nil {
				t.Fatalf("user content is not a string: %s", m.Content)
			}
		}
	}
	if n := strings.Count(user, "1,234"); n != 1 {
		t.Errorf("a cell's text appears %d times in the request, want once:\n%s", n, user)
	}
	var msg struct {
		Text  *string `json:"text"`
		Table struct {
			Rows [][]string `json:"rows"`
			ColX [][2]int   `json:"col_x"`
			RowY [][2]int   `json:"row_y"`
		} `json:"table"`
	}
	if err := json.Unmarshal([]byte(user), &msg); err != nil {
		t.Fatal(err)
	}
	want := [][2]int{{72, 163}, {172, 263}, {272, 363}}
	if msg.Text != nil || !cmp.Equal(msg.Table.ColX, want) || len(msg.Table.RowY) != 3 || msg.Table.RowY[0] != [2]int{100, 116} {
		t.Errorf("table message: text %v, col_x %v, row_y %v; want no text, col_x %v", msg.Text, msg.Table.ColX, msg.Table.RowY, want)
	}
}
