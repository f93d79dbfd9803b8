package iamproxy

import (
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// MaxUserTags is IAM's quota of tags per user, which moto does not
// enforce: the proxy answers LimitExceeded, as IAM does, to a TagUser
// that would take a user past it.
const MaxUserTags = 50

// tagQuotaExceeded reads the user's tags from upstream and reports the
// error message when the TagUser in form would exceed the quota. The read
// carries the TagUser's own signature and account header, so moto reads
// the user in the account the TagUser acts in.
func tagQuotaExceeded(upstream string, form url.Values, tagUser http.Header) (string, error) {
	user := form.Get("UserName")
	q := url.Values{"Action": {"ListUserTags"}, "Version": {"2010-05-08"}, "UserName": {user}, "MaxItems": {"1000"}}
	req, err := http.NewRequest(http.MethodPost, upstream, strings.NewReader(q.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	// moto routes by the signature's service and region, and does not
	// check signatures.
	req.Header.Set("Authorization", tagUser.Get("Authorization"))
	if a := tagUser.Get(accountHeader); a != "" {
		req.Header.Set(accountHeader, a)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", nil // no such user: let upstream answer
	}
	var out struct {
		Keys []string `xml:"ListUserTagsResult>Tags>member>Key"`
	}
	if err := xml.Unmarshal(body, &out); err != nil {
		return "", err
	}
	have := map[string]bool{}
	for _, k := range out.Keys {
		have[k] = true
	}
	n := len(have)
	for i := 1; ; i++ {
		k, ok := form["Tags.member."+fmt.Sprint(i)+".Key"]
		if !ok {
			break
		}
		if !have[k[0]] {
			have[k[0]] = true
			n++
		}
	}
	if n > MaxUserTags {
		return fmt.Sprintf("Cannot exceed quota for TagsPerUser: %d.", MaxUserTags), nil
	}
	return "", nil
}
