package awsx

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go"
)

// EC2Regions makes the one EC2 call iamsweep needs, DescribeRegions (the
// fallback when account:ListRegions is denied), as a signed Query request
// with the SDK's core signer. The EC2 service package it replaces was about
// a third of the binary for this single call, and the Lambda ships the
// binary: its zip size and cold start are what users wait for.
type EC2Regions struct {
	Config aws.Config
	Calls  *CallLog
}

// EC2Regions returns the DescribeRegions caller.
func (f *Factory) EC2Regions() *EC2Regions { return &EC2Regions{Config: f.Config, Calls: f.Calls} }

// ec2Attempts bounds the attempts of a call answered 5xx or not answered
// at all, as FailFast does for the SDK's clients.
const ec2Attempts = ServerErrorAttempts

// DescribeRegions lists the regions enabled for the account (AllRegions
// false), sorted as EC2 answers them.
func (e *EC2Regions) DescribeRegions(ctx context.Context) ([]string, error) {
	if e.Calls != nil {
		e.Calls.Add("ec2:DescribeRegions")
	}
	var lastErr error
	for attempt := range ec2Attempts {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			}
		}
		status, body, err := e.post(ctx, "Action=DescribeRegions&Version=2016-11-15&AllRegions=false")
		switch {
		case err != nil:
			lastErr = err
			continue
		case status >= 500:
			lastErr = &EndpointError{Kind: Failing, Action: "ec2:DescribeRegions", Status: status, Err: parseEC2Error(status, body)}
			continue
		case status >= 300:
			return nil, parseEC2Error(status, body)
		}
		return ParseDescribeRegions(body)
	}
	return nil, lastErr
}

func (e *EC2Regions) post(ctx context.Context, form string) (int, []byte, error) {
	endpoint := ec2Endpoint(e.Config)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if e.Config.Credentials == nil {
		return 0, nil, &CredentialsError{Err: fmt.Errorf("no credential provider")}
	}
	creds, err := e.Config.Credentials.Retrieve(ctx)
	if err != nil {
		return 0, nil, &CredentialsError{Err: err}
	}
	sum := sha256.Sum256([]byte(form))
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "ec2", e.Config.Region, time.Now().UTC()); err != nil {
		return 0, nil, err
	}
	client := e.Config.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, body, err
}

// ec2Endpoint is --endpoint-url (AWS_ENDPOINT_URL) when given, else the
// region's public endpoint.
func ec2Endpoint(cfg aws.Config) string {
	if cfg.BaseEndpoint != nil && *cfg.BaseEndpoint != "" {
		u, err := url.Parse(*cfg.BaseEndpoint)
		if err == nil && (u.Path == "" || u.Path == "/") {
			u.Path = "/"
			return u.String()
		}
		return *cfg.BaseEndpoint
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(cfg.Region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	return "https://ec2." + cfg.Region + "." + suffix + "/"
}

// ParseDescribeRegions reads EC2's DescribeRegions answer.
func ParseDescribeRegions(body []byte) ([]string, error) {
	var out struct {
		Regions []string `xml:"regionInfo>item>regionName"`
	}
	if err := xml.NewDecoder(bytes.NewReader(body)).Decode(&out); err != nil {
		return nil, fmt.Errorf("read ec2:DescribeRegions answer: %w", err)
	}
	var regions []string
	for _, r := range out.Regions {
		if r = strings.TrimSpace(r); r != "" {
			regions = append(regions, r)
		}
	}
	return regions, nil
}

// parseEC2Error turns EC2's error document into the SDK's API error, so
// Classify names a denied action or bad credentials as for any client.
func parseEC2Error(status int, body []byte) error {
	var doc struct {
		Code    string `xml:"Errors>Error>Code"`
		Message string `xml:"Errors>Error>Message"`
	}
	if xml.Unmarshal(body, &doc) != nil || doc.Code == "" {
		return fmt.Errorf("ec2:DescribeRegions: HTTP %d", status)
	}
	return &smithy.GenericAPIError{Code: doc.Code, Message: doc.Message}
}
