package iamproxy

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Without help, moto finds a request's account by looking its access key
// up in every account's IAM backend in every partition, creating each
// backend it looks in. With AWS's managed policies loaded
// (MOTO_IAM_LOAD_MANAGED_POLICIES, which AWSDenyAll needs) that is eight
// IAM backends of 1,400 policies each after every reset: about a second of
// moto's CPU per test, most of what the retire tests spent (measured with
// cProfile inside moto_server). moto's documented x-moto-account-id header
// names the account instead. The proxy sets it only where it knows the
// answer moto's own lookup gives: the static test key is moto's default
// account, and a key AssumeRole handed out belongs to the role's account.
// Any other key (a user's own access key, say) is left to moto.

// DefaultAccount is moto's default account, where the static test key
// ("testing") acts.
const DefaultAccount = "123456789012"

const (
	accountHeader = "X-Moto-Account-Id"
	// roleAccountHeader carries an AssumeRole's account from the request
	// to its response (ModifyResponse); moto ignores it.
	roleAccountHeader = "X-Iamproxy-Role-Account"
)

var (
	credentialKey = regexp.MustCompile(`Credential=([^/,\s]+)/`)
	assumedKey    = regexp.MustCompile(`<AccessKeyId>([^<]+)</AccessKeyId>`)
	roleARN       = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}):role/`)
)

// markAccount names the request's account for moto where the proxy knows
// it, and marks an AssumeRole so its answer teaches the proxy the new key.
func (p *Proxy) markAccount(r *http.Request, form url.Values) {
	if form.Get("Action") == "AssumeRole" {
		if m := roleARN.FindStringSubmatch(form.Get("RoleArn")); m != nil {
			r.Header.Set(roleAccountHeader, m[1])
		}
	}
	if r.Header.Get(accountHeader) != "" {
		return // set by the caller or a proxy in front
	}
	m := credentialKey.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return
	}
	account := ""
	if m[1] == "testing" {
		account = DefaultAccount
	} else {
		p.mu.Lock()
		account = p.keyAccounts[m[1]]
		p.mu.Unlock()
	}
	if account != "" {
		r.Header.Set(accountHeader, account)
	}
}

// learnAssumedKey records the account of the key an AssumeRole answer
// hands out.
func (p *Proxy) learnAssumedKey(resp *http.Response) error {
	account := resp.Request.Header.Get(roleAccountHeader)
	if account == "" || resp.StatusCode != http.StatusOK {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	if m := assumedKey.FindSubmatch(body); m != nil {
		p.mu.Lock()
		p.keyAccounts[strings.TrimSpace(string(m[1]))] = account
		p.mu.Unlock()
	}
	return nil
}
