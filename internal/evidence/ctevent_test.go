package evidence

import (
	"testing"
)

func TestAttributable(t *testing.T) {
	alice := Target{Name: "alice", ARN: arnPrefix + "alice", KeyIDs: []string{"AKIAALICE"}}
	cases := []struct {
		rec  string
		want bool
	}{
		{`{"userIdentity":{"type":"IAMUser","userName":"alice"}}`, true},
		{`{"userIdentity":{"type":"IAMUser","userName":"other","arn":"arn:aws:iam::123456789012:user/alice"}}`, true},
		{`{"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/alice","accessKeyId":"ASIAX"}}`, false},
		{`{"userIdentity":{"type":"AssumedRole","accessKeyId":"AKIAALICE"}}`, true},
		{`{"userIdentity":{"type":"IAMUser","userName":"bob"}}`, false},
		{`{}`, true},
	}
	for _, c := range cases {
		r, err := parseTrailRecord(c.rec)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.attributable(alice); got != c.want {
			t.Errorf("%s: %v, want %v", c.rec, got, c.want)
		}
	}
}

func FuzzParseTrailRecord(f *testing.F) {
	f.Add(`{"eventName":"ListBuckets","userIdentity":{"type":"IAMUser","userName":"alice","accessKeyId":"AKIA"},"sourceIPAddress":"1.2.3.4","errorCode":"AccessDenied"}`)
	f.Add(`{"userIdentity":null}`)
	f.Add(`[1,2]`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseTrailRecord(s)
		if err != nil {
			return
		}
		// Attribution must never panic, whatever the record holds.
		_ = r.attributable(Target{Name: r.UserIdentity.UserName, KeyIDs: []string{r.UserIdentity.AccessKeyID}})
	})
}
