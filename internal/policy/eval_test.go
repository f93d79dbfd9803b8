package policy

import (
	"strings"
	"testing"
)

func doc(t *testing.T, s string) *Document {
	t.Helper()
	d, err := Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The cases follow AWS's documented evaluation logic ("Policy evaluation
// logic", "IAM JSON policy elements": Action, NotAction, Resource,
// NotResource, Condition operators).
func TestEvaluateDocumentedCases(t *testing.T) {
	const (
		allowS3All = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
		denyDelete = `{"Version":"2012-10-17","Statement":[
		  {"Effect":"Allow","Action":"s3:*","Resource":"*"},
		  {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::prod/*"}]}`
		notActionIAM  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}`
		denyNotAction = `{"Version":"2012-10-17","Statement":[
		  {"Effect":"Allow","Action":"*","Resource":"*"},
		  {"Effect":"Deny","NotAction":["iam:*","sts:GetSessionToken"],"Resource":"*",
		   "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}`
		getStar     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*"],"Resource":"arn:aws:iam::123456789012:user/*"}]}`
		objects     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}]}`
		question    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:queue-?"}]}`
		notResource = `{"Version":"2012-10-17","Statement":[
		  {"Effect":"Allow","Action":"s3:*","Resource":"*"},
		  {"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::home","arn:aws:s3:::home/*"]}]}`
		tagged = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:StartInstances","Resource":"*",
		  "Condition":{"StringEquals":{"aws:ResourceTag/team":["data","ml"]}}}]}`
		notEquals = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*",
		  "Condition":{"StringNotEquals":{"s3:x-amz-acl":"public-read"}}}]}`
		forAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"dynamodb:GetItem","Resource":"*",
		  "Condition":{"ForAllValues:StringEquals":{"dynamodb:Attributes":["id","name"]}}}]}`
		forAny = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*",
		  "Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":["env"]}}}]}`
		null = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
		  "Condition":{"Null":{"aws:TokenIssueTime":"true"}}},{"Effect":"Allow","Action":"*","Resource":"*"}]}`
		arnLike = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*",
		  "Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/ci-*"}}}]}`
	)
	cases := []struct {
		name   string
		policy string
		req    Request
		want   Decision
	}{
		{"no statement applies: implicit deny", allowS3All, Request{Action: "sqs:SendMessage", Resource: "*"}, ImplicitDeny},
		{"service wildcard", allowS3All, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, Allowed},
		{"actions are case-insensitive", allowS3All, Request{Action: "S3:getobject", Resource: "arn:aws:s3:::b/k"}, Allowed},
		{"explicit deny overrides allow", denyDelete, Request{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::prod/x"}, ExplicitDeny},
		{"deny elsewhere leaves allow", denyDelete, Request{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::dev/x"}, Allowed},
		{"NotAction allow grants others", notActionIAM, Request{Action: "s3:ListBucket", Resource: "arn:aws:s3:::b"}, Allowed},
		{"NotAction allow does not grant the listed", notActionIAM, Request{Action: "iam:CreateUser", Resource: "*"}, ImplicitDeny},
		{"deny NotAction without MFA", denyNotAction, Request{Action: "ec2:RunInstances", Resource: "*", Context: map[string][]string{"aws:MultiFactorAuthPresent": {"false"}}}, ExplicitDeny},
		{"deny NotAction: excluded action passes", denyNotAction, Request{Action: "iam:ChangePassword", Resource: "*", Context: map[string][]string{"aws:MultiFactorAuthPresent": {"false"}}}, Allowed},
		{"deny NotAction: with MFA", denyNotAction, Request{Action: "ec2:RunInstances", Resource: "*", Context: map[string][]string{"aws:MultiFactorAuthPresent": {"true"}}}, Allowed},
		{"BoolIfExists: key absent (long-term keys)", denyNotAction, Request{Action: "ec2:RunInstances", Resource: "*"}, ExplicitDeny},
		{"prefix wildcard in action", getStar, Request{Action: "iam:GetUser", Resource: "arn:aws:iam::123456789012:user/bob"}, Allowed},
		{"prefix wildcard does not match other verbs", getStar, Request{Action: "iam:DeleteUser", Resource: "arn:aws:iam::123456789012:user/bob"}, ImplicitDeny},
		{"resource wildcard spans slashes", objects, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket/a/b/c.txt"}, Allowed},
		{"bucket/* does not match the bucket", objects, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::bucket"}, ImplicitDeny},
		{"resources are case-sensitive", objects, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::Bucket/x"}, ImplicitDeny},
		{"? matches one character", question, Request{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:queue-a"}, Allowed},
		{"? matches exactly one", question, Request{Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:123456789012:queue-ab"}, ImplicitDeny},
		{"deny NotResource: outside home", notResource, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::other/x"}, ExplicitDeny},
		{"deny NotResource: inside home", notResource, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::home/x"}, Allowed},
		{"StringEquals: any of the values", tagged, Request{Action: "ec2:StartInstances", Resource: "*", Context: map[string][]string{"aws:ResourceTag/team": {"ml"}}}, Allowed},
		{"StringEquals: other value", tagged, Request{Action: "ec2:StartInstances", Resource: "*", Context: map[string][]string{"aws:ResourceTag/team": {"web"}}}, ImplicitDeny},
		{"StringEquals: key absent", tagged, Request{Action: "ec2:StartInstances", Resource: "*"}, ImplicitDeny},
		{"condition keys are case-insensitive", tagged, Request{Action: "ec2:StartInstances", Resource: "*", Context: map[string][]string{"AWS:resourcetag/team": {"data"}}}, Allowed},
		{"StringNotEquals: key absent holds", notEquals, Request{Action: "s3:PutObject", Resource: "*"}, Allowed},
		{"StringNotEquals: the value", notEquals, Request{Action: "s3:PutObject", Resource: "*", Context: map[string][]string{"s3:x-amz-acl": {"public-read"}}}, ImplicitDeny},
		{"ForAllValues: subset", forAll, Request{Action: "dynamodb:GetItem", Resource: "*", Context: map[string][]string{"dynamodb:Attributes": {"id"}}}, Allowed},
		{"ForAllValues: one outside", forAll, Request{Action: "dynamodb:GetItem", Resource: "*", Context: map[string][]string{"dynamodb:Attributes": {"id", "secret"}}}, ImplicitDeny},
		{"ForAllValues: absent key is true", forAll, Request{Action: "dynamodb:GetItem", Resource: "*"}, Allowed},
		{"ForAnyValue: one inside", forAny, Request{Action: "ec2:CreateTags", Resource: "*", Context: map[string][]string{"aws:TagKeys": {"owner", "env"}}}, Allowed},
		{"ForAnyValue: none inside", forAny, Request{Action: "ec2:CreateTags", Resource: "*", Context: map[string][]string{"aws:TagKeys": {"owner"}}}, ImplicitDeny},
		{"Null true: key absent", null, Request{Action: "s3:ListBucket", Resource: "*"}, ExplicitDeny},
		{"Null true: key present", null, Request{Action: "s3:ListBucket", Resource: "*", Context: map[string][]string{"aws:TokenIssueTime": {"2026-01-01T00:00:00Z"}}}, Allowed},
		{"ArnLike wildcard", arnLike, Request{Action: "iam:PassRole", Resource: "*", Context: map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/ci-deploy"}}}, Allowed},
		{"ArnLike no match", arnLike, Request{Action: "iam:PassRole", Resource: "*", Context: map[string][]string{"aws:PrincipalArn": {"arn:aws:iam::123456789012:role/admin"}}}, ImplicitDeny},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Evaluate([]*Document{doc(t, c.policy)}, c.req)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func TestDenyInAnotherDocumentWins(t *testing.T) {
	allow := doc(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	deny := doc(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)
	got, err := Evaluate([]*Document{allow, deny}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"})
	if err != nil || got != ExplicitDeny {
		t.Fatalf("got %s, %v; want explicitDeny (AWSDenyAll beside AdministratorAccess)", got, err)
	}
}

func TestUnsupportedIsAnError(t *testing.T) {
	for _, p := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLikeWithRegex":{"aws:username":"a"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/t":"${aws:username}"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:*"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"aws:SourceArn":"yes"}}}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"aws:MultiFactorAuthAge":"soon"}}}]}`,
	} {
		if _, err := Evaluate([]*Document{doc(t, p)}, Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::home/bob/x", Context: map[string][]string{"aws:PrincipalTag/t": {"x"}, "aws:MultiFactorAuthAge": {"5"}, "aws:SourceArn": {"arn:aws:s3:::b"}}}); err == nil {
			t.Errorf("want an error for %s", p)
		}
	}
}

// The edges AWS documents and an earlier evaluator got wrong.
func TestEvaluateAWSEdges(t *testing.T) {
	const q = "arn:aws:sqs:us-east-1:123456789012:q1"
	cond := func(c string) string {
		return `{"Version":"2012-10-17","Id":"edge","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*","Condition":` + c + `}]}`
	}
	res := func(r string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"` + r + `"}]}`
	}
	for _, c := range []struct {
		name, policy, resource string
		ctx                    map[string][]string
		want                   Decision
	}{
		{"ArnEquals has wildcards", cond(`{"ArnEquals":{"aws:SourceArn":"arn:aws:sqs:*:123456789012:q?"}}`), q, map[string][]string{"aws:SourceArn": {q}}, Allowed},
		{"ArnNotEquals has wildcards", cond(`{"ArnNotEquals":{"aws:SourceArn":"arn:aws:sqs:*:123456789012:q?"}}`), q, map[string][]string{"aws:SourceArn": {q}}, ImplicitDeny},
		{"ArnLike * stays in its component", cond(`{"ArnLike":{"aws:SourceArn":"arn:aws:sqs:us-*:*:q1"}}`), q, map[string][]string{"aws:SourceArn": {"arn:aws:sqs:us-east-1:123456789012:q1"}}, Allowed},
		{"ArnLike * does not reach the account", cond(`{"ArnLike":{"aws:SourceArn":"arn:aws:sqs:*2:*:q1"}}`), q, map[string][]string{"aws:SourceArn": {"arn:aws:sqs:us-east-1:123456789012:q1"}}, ImplicitDeny},
		{"ForAnyValue negated, key absent", cond(`{"ForAnyValue:StringNotEquals":{"aws:CalledVia":"x"}}`), q, nil, ImplicitDeny},
		{"ForAnyValue IfExists, key empty", cond(`{"ForAnyValue:StringEqualsIfExists":{"aws:CalledVia":"x"}}`), q, map[string][]string{"aws:CalledVia": {}}, ImplicitDeny},
		{"variable substituted", cond(`{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username}"}}`), q, map[string][]string{"aws:username": {"bob"}, "aws:PrincipalTag/owner": {"bob"}}, Allowed},
		{"variable default", cond(`{"StringEquals":{"aws:PrincipalTag/owner":"${aws:username, 'nobody'}"}}`), q, map[string][]string{"aws:PrincipalTag/owner": {"nobody"}}, Allowed},
		{"number kept as written", cond(`{"StringEquals":{"aws:PrincipalAccount":123456789012}}`), q, map[string][]string{"aws:PrincipalAccount": {"123456789012"}}, Allowed},
		{"Null is case-insensitive", cond(`{"Null":{"aws:SourceArn":"TRUE"}}`), q, nil, Allowed},
		{"IpAddress", cond(`{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`), q, map[string][]string{"aws:SourceIp": {"203.0.113.9"}}, Allowed},
		{"NotIpAddress", cond(`{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`), q, map[string][]string{"aws:SourceIp": {"203.0.113.9"}}, ImplicitDeny},
		{"DateLessThan", cond(`{"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}}`), q, map[string][]string{"aws:CurrentTime": {"2026-12-07T00:00:00Z"}}, Allowed},
		{"NumericLessThan exact", cond(`{"NumericLessThan":{"aws:MultiFactorAuthAge":3600}}`), q, map[string][]string{"aws:MultiFactorAuthAge": {"3599.999"}}, Allowed},
		{"Bool", cond(`{"Bool":{"aws:SecureTransport":true}}`), q, map[string][]string{"aws:SecureTransport": {"True"}}, Allowed},
		{"? is one rune", res("arn:aws:s3:::b/?.txt"), "arn:aws:s3:::b/ü.txt", nil, Allowed},
		{"${*} is a literal *", res("arn:aws:s3:::b/${*}"), "arn:aws:s3:::b/x", nil, ImplicitDeny},
		{"${*} matches *", res("arn:aws:s3:::b/${*}"), "arn:aws:s3:::b/*", nil, Allowed},
		{"resource * stays in its component", res("arn:aws:sqs:us-east-*:q1"), q, nil, ImplicitDeny},
		{"short ARN pattern", res("arn:aws:sqs:*"), q, nil, Allowed},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Evaluate([]*Document{doc(t, c.policy)}, Request{Action: "sqs:SendMessage", Resource: c.resource, Context: c.ctx})
			if err != nil || got != c.want {
				t.Errorf("got %s, %v; want %s", got, err, c.want)
			}
		})
	}
}

func TestNumbersRoundTrip(t *testing.T) {
	d := doc(t, `{"Version":"2012-10-17","Id":"x","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":123456789012}}}]}`)
	if got := string(d.JSON()); !strings.Contains(got, `"123456789012"`) || !strings.Contains(got, `"Id": "x"`) {
		t.Errorf("written back as %s", got)
	}
}

func TestParseRefuses(t *testing.T) {
	for _, p := range []string{
		`{"Version":"2008-10-17","Statement":[]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Extra":1}]}`,
	} {
		if _, err := Parse([]byte(p)); err == nil {
			t.Errorf("Parse accepted %s", p)
		}
	}
}

func TestGlob(t *testing.T) {
	for _, c := range []struct {
		p, v string
		want bool
	}{
		{"*", "", true}, {"a*b*c", "aXbYc", true}, {"a*b*c", "aXbY", false}, {"?", "ü", true}, {"${*}", "x", false}, {"${*}", "*", true}, {"a${?}", "a?", true}, {"*.txt", "a/b.txt", true},
		{"arn:aws:s3:::b/*", "arn:aws:s3:::b/", true}, {"a?c", "ac", false}, {"**", "x", true},
	} {
		if got := Glob(c.p, c.v, false); got != c.want {
			t.Errorf("Glob(%q, %q) = %v", c.p, c.v, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		if _, err := Parse(d.JSON()); err != nil {
			t.Fatalf("re-parse of written form: %v", err)
		}
	})
}

// FuzzGlob: matching never panics, and a pattern without wildcards or
// variables matches exactly itself.
func FuzzGlob(f *testing.F) {
	f.Add("arn:aws:s3:::b/${*}?", "arn:aws:s3:::b/*x")
	f.Add("a*b?c", "aXbüc")
	f.Fuzz(func(t *testing.T, p, v string) {
		Glob(p, v, false)
		arnLike(p, v, map[string][]string{"aws:username": {"u"}})
		if !strings.ContainsAny(p, "*?$") && Glob(p, v, false) != (p == v) && strings.ToValidUTF8(p, "") == p && strings.ToValidUTF8(v, "") == v {
			t.Fatalf("Glob(%q, %q)", p, v)
		}
	})
}
