package awsx

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

func ec2Config(url string) aws.Config {
	return aws.Config{Region: "eu-west-1", BaseEndpoint: aws.String(url), Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", "")}
}

// The request is a signed EC2 Query call; the answer's region names come
// back, and an error document becomes an error Classify recognises.
func TestDescribeRegionsSignsAndParses(t *testing.T) {
	var form, auth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		form, auth = string(b), r.Header.Get("Authorization")
		if strings.Contains(auth, "AKIDDENIED") {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>not allowed</Message></Error></Errors><RequestID>x</RequestID></Response>`)
			return
		}
		io.WriteString(w, `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>x</requestId><regionInfo>
<item><regionName>eu-west-1</regionName><regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint></item>
<item><regionName>us-east-1</regionName></item></regionInfo></DescribeRegionsResponse>`)
	}))
	defer srv.Close()
	calls := &CallLog{}
	got, err := (&EC2Regions{Config: ec2Config(srv.URL), Calls: calls}).DescribeRegions(context.Background())
	if err != nil || strings.Join(got, ",") != "eu-west-1,us-east-1" {
		t.Fatalf("regions %v, %v", got, err)
	}
	if !strings.Contains(form, "Action=DescribeRegions") || !strings.Contains(auth, "/eu-west-1/ec2/aws4_request") {
		t.Errorf("request %q signed %q", form, auth)
	}
	if calls.Counts()["ec2:DescribeRegions"] != 1 {
		t.Errorf("calls %v", calls.Counts())
	}
	cfg := ec2Config(srv.URL)
	cfg.Credentials = credentials.NewStaticCredentialsProvider("AKIDDENIED", "secret", "")
	_, err = (&EC2Regions{Config: cfg}).DescribeRegions(context.Background())
	var pe *PermissionError
	if !errors.As(Classify("ec2:DescribeRegions", err), &pe) {
		t.Errorf("denied: %v", err)
	}
}

func TestEC2EndpointIsTheRegionsWithoutOverride(t *testing.T) {
	for region, want := range map[string]string{"eu-west-1": "https://ec2.eu-west-1.amazonaws.com/", "cn-north-1": "https://ec2.cn-north-1.amazonaws.com.cn/"} {
		if got := ec2Endpoint(aws.Config{Region: region}); got != want {
			t.Errorf("%s: %s, want %s", region, got, want)
		}
	}
}

func FuzzParseDescribeRegions(f *testing.F) {
	f.Add([]byte(`<DescribeRegionsResponse><regionInfo><item><regionName>us-east-1</regionName></item></regionInfo></DescribeRegionsResponse>`))
	f.Add([]byte(`<Response><Errors><Error><Code>X</Code></Error></Errors></Response>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		regions, err := ParseDescribeRegions(b)
		for _, r := range regions {
			if r == "" || strings.TrimSpace(r) != r {
				t.Errorf("region %q", r)
			}
		}
		_ = err
		_ = parseEC2Error(400, b)
	})
}
