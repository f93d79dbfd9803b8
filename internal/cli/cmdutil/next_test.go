package cmdutil

import (
	"testing"

	"github.com/iamsweep/iamsweep/internal/awsx"
)

func TestNextCommandCarriesTheAWSSettings(t *testing.T) {
	f := &Factory{AWSOptions: awsx.Options{Profile: "prod", EndpointURL: "http://127.0.0.1:4566"}}
	if got, want := f.NextCommand("apply", "my plan.json"), `iamsweep apply 'my plan.json' --profile prod --endpoint-url http://127.0.0.1:4566`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := (&Factory{}).NextCommand("apply", "plan.json"); got != "iamsweep apply plan.json" {
		t.Errorf("got %s", got)
	}
}
