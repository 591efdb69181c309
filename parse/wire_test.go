package parse

import (
	"reflect"
	"testing"
)

// Every Options field reaches a worker as the supervisor set it, except
// the three the worker sets itself: a field added to Options needs no
// change here or in the wire code.
func TestWorkerStartCarriesEveryOption(t *testing.T) {
	var in Options
	v := reflect.ValueOf(&in).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		switch f.Kind() {
		case reflect.Int, reflect.Int64:
			f.SetInt(int64(i + 7))
		case reflect.Float64:
			f.SetFloat(float64(i) + 0.5)
		case reflect.String:
			f.SetString(v.Type().Field(i).Name + "-value")
		case reflect.Bool:
			f.SetBool(true)
		case reflect.Pointer:
			// The Logger stays behind.
		default:
			t.Fatalf("Options.%s is a %s, which the test does not fill", v.Type().Field(i).Name, f.Kind())
		}
	}
	in.NoInterrupt = false
	msg, err := newWorkerStart(in, -4)
	if err != nil {
		t.Fatal(err)
	}
	out, err := msg.options()
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.Instances, want.NoInterrupt = 1, true
	if !reflect.DeepEqual(out, want) {
		t.Errorf("worker options\n%+v\nwant\n%+v", out, want)
	}
	if msg.LogLevel != -4 {
		t.Errorf("log level %d, want -4", msg.LogLevel)
	}
}
