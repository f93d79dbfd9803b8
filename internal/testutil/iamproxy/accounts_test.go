package iamproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// The proxy names the account moto's own lookup would find, and only
// that: the static test key, and keys AssumeRole handed out; any other key
// reaches moto without the header.
func TestAccountHeaderOnlyWhereTheProxyKnowsTheAccount(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]string{} // access key -> header moto got
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		key := credentialKey.FindStringSubmatch(r.Header.Get("Authorization"))[1]
		mu.Lock()
		seen[key] = r.Header.Get(accountHeader)
		mu.Unlock()
		if form.Get("Action") == "AssumeRole" {
			io.WriteString(w, `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAMEMBER</AccessKeyId></Credentials></AssumeRoleResult></AssumeRoleResponse>`)
			return
		}
		io.WriteString(w, "<ok/>")
	}))
	defer upstream.Close()
	p := Start(t, upstream.URL)
	call := func(key, form string) string {
		req, _ := http.NewRequest(http.MethodPost, p.URL, strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+key+"/20261207/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	call("ASIAMEMBER", "Action=GetCallerIdentity") // before any AssumeRole: unknown
	if got := seen["ASIAMEMBER"]; got != "" {
		t.Errorf("unknown key sent with account %q", got)
	}
	out := call("testing", "Action=AssumeRole&RoleArn="+url.QueryEscape("arn:aws:iam::210987654321:role/iamsweep"))
	if !strings.Contains(out, "ASIAMEMBER") {
		t.Fatalf("the AssumeRole answer did not reach the caller whole: %s", out)
	}
	if got := seen["testing"]; got != DefaultAccount {
		t.Errorf("static test key: account %q, want %s", got, DefaultAccount)
	}
	call("ASIAMEMBER", "Action=GetCallerIdentity")
	if got := seen["ASIAMEMBER"]; got != "210987654321" {
		t.Errorf("assumed key: account %q, want the role's 210987654321", got)
	}
	call("AKIAUSERKEY", "Action=ListUsers")
	if got := seen["AKIAUSERKEY"]; got != "" {
		t.Errorf("a user's own key sent with account %q; moto should look it up", got)
	}
}
