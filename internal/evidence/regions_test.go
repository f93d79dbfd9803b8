package evidence

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/account"
)

type deniedAccount struct{}

func (deniedAccount) ListRegions(context.Context, *account.ListRegionsInput, ...func(*account.Options)) (*account.ListRegionsOutput, error) {
	return nil, errors.New("access denied")
}

type fakeEC2 struct {
	regions []string
	err     error
}

func (f fakeEC2) DescribeRegions(context.Context) ([]string, error) {
	if f.err != nil {
		return nil, f.err
	}
	return f.regions, nil
}

func TestDiscoverRegionsFallsBackToDescribeRegions(t *testing.T) {
	got, err := DiscoverRegions(context.Background(), deniedAccount{}, fakeEC2{regions: []string{"us-east-1", "eu-west-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "eu-west-1,us-east-1" {
		t.Errorf("regions %v", got)
	}
	_, err = DiscoverRegions(context.Background(), deniedAccount{}, fakeEC2{err: errors.New("no ec2 either")})
	var re *RegionsError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "pass --regions") {
		t.Errorf("both failing: %v", err)
	}
	if _, err := DiscoverRegions(context.Background(), deniedAccount{}, nil); err == nil {
		t.Error("no fallback given and ListRegions denied: no error")
	}
}
