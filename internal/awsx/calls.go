package awsx

import (
	"context"
	"sort"
	"strings"
	"sync"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// CallLog counts API operations by IAM action name (iam:GetCredentialReport).
// Benchmarks read it to prove call counts, and tests compare it against the
// documented least-privilege policies.
type CallLog struct {
	mu    sync.Mutex
	calls map[string]int
}

// servicePrefixes maps SDK service IDs to IAM action prefixes where the two
// differ by more than case.
var servicePrefixes = map[string]string{
	"Config Service": "config",
	"AccessAnalyzer": "access-analyzer",
}

// operationActions maps operations authorized by an IAM action of another
// name: Access Analyzer's V2 finding operations need the V1 actions, and
// listing a bucket's objects is s3:ListBucket.
var operationActions = map[string]string{
	"s3:ListObjectsV2":               "s3:ListBucket",
	"access-analyzer:ListFindingsV2": "access-analyzer:ListFindings",
	"access-analyzer:GetFindingV2":   "access-analyzer:GetFinding",
}

// ActionName turns an SDK service ID and operation into an IAM action.
func ActionName(serviceID, operation string) string {
	p, ok := servicePrefixes[serviceID]
	if !ok {
		p = strings.ToLower(strings.ReplaceAll(serviceID, " ", ""))
	}
	a := p + ":" + operation
	if iamAction, ok := operationActions[a]; ok {
		return iamAction
	}
	return a
}

// Add records one call.
func (c *CallLog) Add(action string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[action]++
}

// Counts returns a copy of the counts.
func (c *CallLog) Counts() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.calls))
	for k, v := range c.calls {
		out[k] = v
	}
	return out
}

// Total is the number of calls made, retries not counted.
func (c *CallLog) Total(prefix string) int {
	n := 0
	for k, v := range c.Counts() {
		if strings.HasPrefix(k, prefix) {
			n += v
		}
	}
	return n
}

// Actions lists the distinct actions called, sorted.
func (c *CallLog) Actions() []string {
	var out []string
	for k := range c.Counts() {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Middleware counts each operation once, before retries.
func (c *CallLog) Middleware(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("iamsweepCallLog",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			c.Add(ActionName(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx)))
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}
