package notify

import (
	"strings"
	"testing"
)

func TestParseReportLocation(t *testing.T) {
	for in, want := range map[string]string{
		"s3://b":          "b|",
		"s3://b/":         "b|",
		"s3://b/x":        "b|x/",
		"s3://b/x/y/":     "b|x/y/",
		"b/x":             "error",
		"s3://":           "error",
		"https://b.s3/x":  "error",
		"s3://b c/report": "error",
	} {
		b, p, err := ParseReportLocation(in)
		got := b + "|" + p
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("ParseReportLocation(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDigestLinksTheReport(t *testing.T) {
	d := Digest{AccountID: "123456789012", BySeverity: map[string]int{}, ReportURL: "https://reports.s3.amazonaws.com/r.html?X-Amz-Signature=ab&X-Amz-Expires=604800"}
	if !strings.Contains(d.Text(), "\nThe full report (HTML; the link expires within 7 days):\nhttps://reports.s3.amazonaws.com/r.html?X-Amz-Signature=ab&X-Amz-Expires=604800\n") {
		t.Errorf("e-mail text:\n%s", d.Text())
	}
	if !strings.Contains(slackText(d), "<https://reports.s3.amazonaws.com/r.html?X-Amz-Signature=ab&amp;X-Amz-Expires=604800|Full report (HTML)>") {
		t.Errorf("slack text:\n%s", slackText(d))
	}
	if !strings.Contains(string(d.JSON()), `"report_url":"https://reports.s3.amazonaws.com/r.html?X-Amz-Signature=ab\u0026X-Amz-Expires=604800"`) {
		t.Errorf("digest JSON: %s", d.JSON())
	}
	d.ReportURL = ""
	if strings.Contains(d.Text(), "full report") || strings.Contains(string(d.JSON()), "report_url") {
		t.Error("a digest without a report mentions one")
	}
}
