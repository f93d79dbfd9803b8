package awsref

import (
	"slices"
	"testing"
)

func TestSnapshotHasTheSupportedServices(t *testing.T) {
	r := Load()
	if r.Date == "" || r.Version == "" {
		t.Fatalf("snapshot without date or version: %+v", r)
	}
	for _, s := range Supported {
		if !r.Known(s) || len(r.Services[s].Actions) < 10 {
			t.Errorf("%s missing or nearly empty", s)
		}
	}
}

func TestActionLookup(t *testing.T) {
	r := Load()
	for name, want := range map[string]bool{
		"s3:GetObject": true, "S3:getobject": true, "s3:ListBucketMultipartUploads": true,
		"s3:ListMultipartUploads": false, "sqs:SendMessageBatch": false, "kms:ReEncryptFrom": true, "nosuch:Thing": false, "s3": false,
	} {
		if _, ok := r.Action(name); ok != want {
			t.Errorf("Action(%s) = %v, want %v", name, ok, want)
		}
	}
	for _, a := range []string{"dynamodb:ListStreams", "kms:ListAliases", "lambda:CreateEventSourceMapping", "s3:ListAllMyBuckets"} {
		if act, ok := r.Action(a); !ok || !act.WildcardOnly() {
			t.Errorf("%s: want a wildcard-only action, got %+v", a, act)
		}
	}
}

func TestFits(t *testing.T) {
	r := Load()
	for _, c := range []struct{ action, arn, want string }{
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/T/index/I", "index"},
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/T", "table"},
		{"dynamodb:Query", "arn:aws:dynamodb:us-east-1:123456789012:table/arn:aws:dynamodb:us-east-1:123456789012:table/T", ""},
		{"lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:123456789012:function:resize:live", "function"},
		{"lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:123456789012:function:resize", "function"},
		{"kms:Decrypt", "arn:aws:kms:us-east-1:123456789012:alias/app", ""},
		{"kms:Decrypt", "arn:aws-cn:kms:cn-north-1:123456789012:key/1234", "key"},
		{"s3:GetObject", "arn:aws:s3:::b/k/*", "object"},
		{"s3:GetObject", "arn:aws:s3:us-east-1:123456789012:accesspoint/ap/object/k", "accesspointobject"},
		{"s3:GetObject", "arn:aws:s3:::b", ""},
		{"ssm:SendCommand", "arn:aws:ssm:us-east-1:123456789012:document/AWS-RunShellScript", "document"},
		{"ssm:SendCommand", "arn:aws:ssm:us-east-1:123456789012:parameter/AWS-RunShellScript", ""},
		{"kms:ListAliases", "*", "*"},
		{"kms:ListAliases", "arn:aws:kms:us-east-1:123456789012:key/1", ""},
		{"sqs:SendMessage", "arn:aws-xx:sqs:us-east-1:123456789012:q", ""},
	} {
		if got := r.Fits(c.action, c.arn); got != c.want {
			t.Errorf("Fits(%s, %s) = %q, want %q", c.action, c.arn, got, c.want)
		}
	}
}

func TestBuildInPartition(t *testing.T) {
	r := Load()
	f := r.Format("dynamodb", "index")
	for region, want := range map[string]string{
		"us-east-1":     "arn:aws:dynamodb:us-east-1:123456789012:table/T/index/I",
		"cn-north-1":    "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/T/index/I",
		"us-gov-west-1": "arn:aws-us-gov:dynamodb:us-gov-west-1:123456789012:table/T/index/I",
	} {
		got, ok := Build(f, region, "123456789012", map[string]string{"TableName": "T", "IndexName": "I"})
		if !ok || got != want {
			t.Errorf("%s: %s %v, want %s", region, got, ok, want)
		}
	}
	if _, ok := Build(f, "us-east-1", "123456789012", map[string]string{"TableName": "T"}); ok {
		t.Error("Build without IndexName: want not ok")
	}
	if got := Variables(f); !slices.Equal(got, []string{"TableName", "IndexName"}) {
		t.Errorf("Variables = %v", got)
	}
}

func TestPartiQLAction(t *testing.T) {
	for stmt, want := range map[string][2]string{
		`SELECT * FROM "Orders" WHERE id = ?`:        {"dynamodb:PartiQLSelect", "Orders"},
		`select a from "Orders"."byDate"`:            {"dynamodb:PartiQLSelect", "Orders"},
		`INSERT INTO Orders VALUE {'id': 1}`:         {"dynamodb:PartiQLInsert", "Orders"},
		`UPDATE "Orders" SET a = 1 WHERE id = 2`:     {"dynamodb:PartiQLUpdate", "Orders"},
		`DELETE FROM "Orders" WHERE id = 2`:          {"dynamodb:PartiQLDelete", "Orders"},
		`EXISTS (SELECT * FROM "Orders" WHERE id=1)`: {"", ""},
		``: {"", ""},
	} {
		a, tbl := PartiQLAction(stmt)
		if a != want[0] || tbl != want[1] {
			t.Errorf("%q: %s %s, want %v", stmt, a, tbl, want)
		}
		if a != "" {
			if _, ok := Load().Action(a); !ok {
				t.Errorf("%s is not in the reference", a)
			}
		}
	}
}

func TestExceptionsNameRealActions(t *testing.T) {
	r := Load()
	for op, e := range exceptions {
		if (len(e.Actions) == 0) == (e.Unsupported == "") {
			t.Errorf("%s: want actions or a reason, not both or neither", op)
		}
		for _, a := range e.Actions {
			if _, ok := r.Action(a); !ok {
				t.Errorf("%s -> %s: not in the reference", op, a)
			}
		}
	}
}

func FuzzPartiQLAction(f *testing.F) {
	f.Add(`SELECT * FROM "Orders" WHERE id = ?`)
	f.Add(`UPDATE "T" SET a = 1`)
	f.Fuzz(func(t *testing.T, s string) {
		a, tbl := PartiQLAction(s)
		if a == "" && tbl != "" {
			t.Fatalf("%q: %q %q", s, a, tbl)
		}
		if a != "" {
			if _, ok := Load().Action(a); !ok {
				t.Fatalf("%q: %s is not AWS's", s, a)
			}
		}
	})
}
