package report

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/iamsweep/iamsweep/internal/rules"
)

func marshalFinding(f *rules.Finding) (want, got string) {
	w, _ := json.MarshalIndent(f, "    ", "  ")
	return string(w), string(appendFinding(nil, f, "    "))
}

func TestFindingJSONEqualsMarshalIndent(t *testing.T) {
	when := time.Date(2025, 1, 3, 11, 2, 0, 123456789, time.UTC)
	days := -3
	cases := []rules.Finding{
		{},
		{AccountID: "123", UserName: "<root_account>", Rule: rules.RootAccessKey, Severity: rules.Critical, LastUsed: &when, DaysUnused: &days,
			Message: "quote \" backslash \\ tab \t nl \n cr \r ctl \x01 \x7f amp & lt < gt > ls \u2028 ps \u2029 bad \xff end é 日本", Excluded: true, ExclusionReason: "b\bf\f"},
		{UserName: "+admin,=x@y", Severity: rules.Low, ExclusionReason: "ok"},
	}
	for _, f := range cases {
		if want, got := marshalFinding(&f); got != want {
			t.Errorf("got\n%s\nwant\n%s", got, want)
		}
	}
}

func FuzzFindingJSON(f *testing.F) {
	f.Add("bob", "message <&> \u2028", "reason \x00", int64(0), int64(5), true)
	f.Fuzz(func(t *testing.T, name, msg, reason string, unix int64, days int64, excluded bool) {
		when := time.Unix(int64(uint64(unix)%253402300799), 0).UTC() // years 1970-9999, as encoding/json accepts
		d := int(days)
		fd := rules.Finding{UserName: name, Message: msg, ExclusionReason: reason, LastUsed: &when, DaysUnused: &d, Excluded: excluded, Severity: rules.High}
		if want, got := marshalFinding(&fd); got != want {
			t.Fatalf("got\n%s\nwant\n%s", got, want)
		}
	})
}
