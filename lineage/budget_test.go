package lineage_test

import (
	"context"
	"testing"
	"time"

	"github.com/folio/folio/lineage"
)

// A period budget reads the spend of every run since the period began, or
// of the runs carrying a tag.
func TestSpentSince(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	now := t0.Add(-48 * time.Hour)
	db.Now = func() time.Time { return now }
	for i, run := range []string{"run_old", "run_new"} {
		if i == 1 {
			now = t0
		}
		if err := db.StartRun(ctx, sampleRun(run, now)); err != nil {
			t.Fatal(err)
		}
		if err := db.SetRunTags(ctx, run, map[string]string{"team": []string{"b", "a"}[i]}); err != nil {
			t.Fatal(err)
		}
		// Element 3 is a table a model answered for 1003 micro-dollars;
		// element 7's price is unknown.
		if err := db.RecordDocument(ctx, run, sampleDoc("s"+run, "cfg1", run+".pdf", 8), nil); err != nil {
			t.Fatal(err)
		}
	}
	_, day, err := lineage.PeriodOf("day", t0)
	if err != nil || !day.Equal(time.Date(2026, 3, 4, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("PeriodOf(day) = %v, %v", day, err)
	}
	_, month, _ := lineage.PeriodOf("month", t0)
	for _, tc := range []struct {
		since time.Time
		tag   string
		want  int64
	}{
		{day, "", 1003},
		{month, "", 2006},
		{month, "team=b", 1003},
		{month, "team=a", 1003},
		{month, "team=c", 0},
		{t0.Add(time.Second), "", 0},
	} {
		got, err := db.SpentSince(ctx, tc.since, tc.tag)
		if err != nil || got != tc.want {
			t.Errorf("SpentSince(%v, %q) = %d, %v; want %d", tc.since, tc.tag, got, err, tc.want)
		}
	}
	if _, err := db.SpentSince(ctx, month, "team"); err == nil {
		t.Error("a tag without a value was accepted")
	}
}
