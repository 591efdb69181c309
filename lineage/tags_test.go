package lineage_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/folio/folio/lineage"
	"github.com/google/go-cmp/cmp"
)

func TestCheckTag(t *testing.T) {
	tests := []struct {
		name       string
		key, value string
		wantErr    string // "" for a valid tag
	}{
		{name: "plain", key: "team", value: "finance"},
		{name: "empty value", key: "reviewed", value: ""},
		{name: "spaces and punctuation", key: "cost-centre.id", value: "R&D / Paris 2"},
		{name: "key at the limit in characters", key: strings.Repeat("é", lineage.MaxTagKey), value: "x"},
		{name: "value at the limit in characters", key: "k", value: strings.Repeat("é", lineage.MaxTagValue)},
		{name: "empty key", key: "", value: "x", wantErr: "empty key"},
		{name: "long key", key: strings.Repeat("k", lineage.MaxTagKey+1), value: "x", wantErr: "key longer than 64"},
		{name: "long value", key: "k", value: strings.Repeat("v", lineage.MaxTagValue+1), wantErr: "value longer than 256"},
		{name: "equals sign in key", key: "a=b", value: "x", wantErr: `key contains "="`},
		{name: "newline in key", key: "te\nam", value: "x", wantErr: "key contains a control character"},
		{name: "tab in value", key: "team", value: "fin\tance", wantErr: "value contains a control character"},
		{name: "escape in value", key: "team", value: "\x1b[31mred", wantErr: "value contains a control character"},
		{name: "C1 control in value", key: "team", value: "a\u0085b", wantErr: "value contains a control character"},
		{name: "invalid UTF-8 key", key: "te\xffam", value: "x", wantErr: "key is not UTF-8"},
		{name: "invalid UTF-8 value", key: "team", value: "\xff", wantErr: "value is not UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := lineage.CheckTag(tt.key, tt.value)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("CheckTag(%q, %q) = %v, want nil", tt.key, tt.value, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("CheckTag(%q, %q) = %v, want an error containing %q", tt.key, tt.value, err, tt.wantErr)
			}
		})
	}
}

func TestSetRunTags(t *testing.T) {
	db := newDB(t)
	ctx := context.Background()
	raw := rawDB(t, db)
	for _, id := range []string{"run_1", "run_2"} {
		if err := db.StartRun(ctx, sampleRun(id, t0)); err != nil {
			t.Fatal(err)
		}
	}
	tags := func() []string {
		return query(t, raw, `SELECT run || ' ' || key || '=' || value FROM run_tags ORDER BY run, key`)
	}

	steps := []struct {
		name    string
		run     string
		tags    map[string]string
		wantErr bool
		want    []string
	}{
		{name: "set", run: "run_1", tags: map[string]string{"team": "finance", "project": "q1"},
			want: []string{"run_1 project=q1", "run_1 team=finance"}},
		{name: "another run", run: "run_2", tags: map[string]string{"team": "legal"},
			want: []string{"run_1 project=q1", "run_1 team=finance", "run_2 team=legal"}},
		{name: "replace", run: "run_1", tags: map[string]string{"team": "ops"},
			want: []string{"run_1 team=ops", "run_2 team=legal"}},
		{name: "one invalid tag changes nothing", run: "run_1", tags: map[string]string{"team": "x", "bad\n": "y"}, wantErr: true,
			want: []string{"run_1 team=ops", "run_2 team=legal"}},
		{name: "none clears", run: "run_2", tags: nil,
			want: []string{"run_1 team=ops"}},
	}
	for _, st := range steps {
		err := db.SetRunTags(ctx, st.run, st.tags)
		if (err != nil) != st.wantErr {
			t.Errorf("%s: SetRunTags = %v, want error %v", st.name, err, st.wantErr)
		}
		if diff := cmp.Diff(st.want, tags()); diff != "" {
			t.Errorf("%s: tags (-want +got):\n%s", st.name, diff)
		}
	}

	if err := db.SetRunTags(ctx, "run_missing", map[string]string{"team": "x"}); !errors.Is(err, lineage.ErrNotFound) {
		t.Errorf("SetRunTags of an unknown run = %v, want ErrNotFound", err)
	}
	if err := db.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}
