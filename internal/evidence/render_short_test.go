package evidence

import (
	"strings"
	"testing"
)

func TestShortError(t *testing.T) {
	sdk := "cloudtrail:LookupEvents: operation error CloudTrail: LookupEvents, https response error StatusCode: 500, RequestID: 7f0c, api error InternalFailure: deserialization failed, failed to decode response body, invalid character '<' looking for beginning of value"
	cases := map[string]string{
		sdk: "cloudtrail:LookupEvents: InternalFailure, HTTP 500",
		"the endpoint does not implement cloudtrail:LookupEvents (it answered HTTP 500 with a web page, not the API): point --endpoint-url at a service that has it": "the endpoint does not implement cloudtrail:LookupEvents",
		"missing permission iam:GenerateServiceLastAccessedDetails: grant it to the caller (see the README's IAM policy): operation error IAM":                       "missing permission iam:GenerateServiceLastAccessedDetails",
		"not read within the source's time budget of 1m30s":              "not read within the source's time budget of 1m30s",
		"access advisor job job-5 failed: InternalFailure: fake failure": "access advisor job job-5 failed: InternalFailure: fake failure",
	}
	for in, want := range cases {
		if got := shortError(in); got != want {
			t.Errorf("shortError(%.40q...) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("x", 300)
	if got := shortError(long); len([]rune(got)) != maxErrorCell || !strings.HasSuffix(got, "…") {
		t.Errorf("a long error is not cut: %d runes", len([]rune(got)))
	}
}

func TestTableKeepsErrorsShortAndJSONWhole(t *testing.T) {
	sdk := "cloudtrail:LookupEvents: operation error CloudTrail: LookupEvents, https response error StatusCode: 500, RequestID: 7f0c, api error InternalFailure: " + strings.Repeat("detail ", 50)
	u := UserDossier{Name: "ci", Verdict: VerdictUnknown, Unknown: []SourceError{{Source: SourceCloudTrail, Region: "us-east-1", Error: sdk}}}
	decideReasonForTest(&u)
	d := &Dossier{Users: []UserDossier{u}}
	var text, js strings.Builder
	if err := Render(&text, "table", d); err != nil {
		t.Fatal(err)
	}
	if err := Render(&js, "json", d); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text.String(), "detail detail") {
		t.Errorf("the table carries the SDK chain:\n%s", text.String())
	}
	if !strings.Contains(js.String(), strings.Repeat("detail ", 49)) {
		t.Error("the JSON lost the full error")
	}
}

func decideReasonForTest(u *UserDossier) {
	decide(u, nil, Window{})
}
