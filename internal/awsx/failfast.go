package awsx

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/iamsweep/iamsweep/internal/progress"
)

// Some failures are the same on every attempt: nothing listens at the
// endpoint, the endpoint is a web server or an emulator without the API, or
// the service keeps answering 5xx. The SDK's standard retryer retries them
// all with backoff, which at 10 attempts turned one closed port into 104
// seconds of silence and one emulator without CloudTrail into 19 minutes.
// FailFast stops those at once (or, for a 5xx, after a second try) with an
// EndpointError a person can act on; the raw error stays inside for --debug.

// EndpointErrorKind says why retrying cannot help.
type EndpointErrorKind int

const (
	// Unreachable: connection refused, or the host name does not resolve.
	Unreachable EndpointErrorKind = iota + 1
	// NotImplemented: the endpoint answered an HTML page (a web server, a
	// proxy, an emulator without the operation) instead of the API.
	NotImplemented
	// Failing: the service answered 5xx on consecutive attempts.
	Failing
)

// ServerErrorAttempts is how many attempts a call answered 5xx gets before
// it fails as Failing: one retry covers a blip, and a failure that repeats
// is not worth eight more with backoff.
const ServerErrorAttempts = 2

// EndpointError is a failure retrying cannot fix.
type EndpointError struct {
	Kind     EndpointErrorKind
	Action   string // e.g. cloudtrail:LookupEvents, when known
	Endpoint string // host:port or URL, when known
	Status   int    // HTTP status, when there was an answer
	Err      error  // the SDK's error, for --debug
}

func (e *EndpointError) Error() string {
	action := e.Action
	if action == "" {
		action = "the call"
	}
	switch e.Kind {
	case Unreachable:
		where := "the endpoint"
		if e.Endpoint != "" {
			where = e.Endpoint
		}
		return fmt.Sprintf("cannot reach %s for %s (%s): check --endpoint-url, AWS_ENDPOINT_URL and the network", where, action, reachCause(e.Err))
	case NotImplemented:
		return fmt.Sprintf("the endpoint does not implement %s (it answered HTTP %d%s): point --endpoint-url at a service that has it", action, e.Status, e.answer())
	default:
		return fmt.Sprintf("%s failed: the service answered HTTP %d %d times in a row; try again later", action, e.Status, ServerErrorAttempts)
	}
}

func (e *EndpointError) Unwrap() error { return e.Err }

// answer describes what a NotImplemented endpoint sent back.
func (e *EndpointError) answer() string {
	if code := ErrorCode(e.Err); code != "" {
		return " " + code
	}
	return " with a web page, not the API"
}

// Detail is the raw SDK error, which --debug logs next to the message.
func (e *EndpointError) Detail() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func reachCause(err error) string {
	var dns *net.DNSError
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused: nothing listens there"
	case errors.As(err, &dns):
		return "host name " + dns.Name + " does not resolve"
	}
	return "no connection"
}

// AsEndpointError finds the EndpointError in err, or makes one when err is
// a failure retrying cannot fix, naming action; nil otherwise.
func AsEndpointError(action string, err error) *EndpointError {
	if err == nil {
		return nil
	}
	var ee *EndpointError
	if errors.As(err, &ee) {
		out := *ee
		if out.Action == "" {
			out.Action = action
		}
		if out.Err == nil {
			out.Err = err
		}
		return &out
	}
	if endpoint, ok := unreachable(err); ok {
		return &EndpointError{Kind: Unreachable, Action: action, Endpoint: endpoint, Err: err}
	}
	// AWS's own words for an operation the endpoint does not have (JSON
	// and query protocols), as emulators answer them too.
	if code := ErrorCode(err); code == "UnknownOperationException" || code == "InvalidAction" {
		status := 400
		var re *awshttp.ResponseError
		if errors.As(err, &re) {
			status = re.HTTPStatusCode()
		}
		return &EndpointError{Kind: NotImplemented, Action: action, Status: status, Err: err}
	}
	return nil
}

// unreachable reports a refused connection or an unknown host, and where.
func unreachable(err error) (string, bool) {
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return dns.Name, true
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		return "", false
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Addr != nil {
		return op.Addr.String(), true
	}
	return "", true
}

// serverStatus is the HTTP status of a 5xx answer in err, else 0.
func serverStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
		return re.HTTPStatusCode()
	}
	return 0
}

// FailFast wraps a retryer so that errors retrying cannot fix are not
// retried: unreachable endpoints and HTML answers at once, a 5xx after
// ServerErrorAttempts attempts. Throttling and everything else keep the
// wrapped retryer's behaviour.
func FailFast(r aws.Retryer) aws.RetryerV2 {
	return &failFastRetryer{RetryerV2: asV2(r)}
}

type failFastRetryer struct{ aws.RetryerV2 }

// Unwrap is the wrapped retryer (the account's adaptive one).
func (f *failFastRetryer) Unwrap() aws.RetryerV2 { return f.RetryerV2 }

func (f *failFastRetryer) IsErrorRetryable(err error) bool {
	var ee *EndpointError
	if errors.As(err, &ee) {
		return false
	}
	if _, ok := unreachable(err); ok {
		return false
	}
	return f.RetryerV2.IsErrorRetryable(err)
}

// RetryDelay is where the attempt number is known: a 5xx seen on the
// ServerErrorAttempts-th attempt ends the call instead of waiting. (The SDK
// passes the number of attempts made, or one less under its 2026 retry
// behaviour; either way a repeated 5xx stops within one extra attempt.)
func (f *failFastRetryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	if status := serverStatus(err); status != 0 && attempt >= ServerErrorAttempts {
		return 0, &EndpointError{Kind: Failing, Status: status, Err: err}
	}
	return f.RetryerV2.RetryDelay(attempt, err)
}

// asV2 adapts a plain Retryer, as aws.Config allows either.
func asV2(r aws.Retryer) aws.RetryerV2 {
	if v2, ok := r.(aws.RetryerV2); ok {
		return v2
	}
	return v2Adapter{r}
}

type v2Adapter struct{ aws.Retryer }

func (a v2Adapter) GetAttemptToken(context.Context) (func(error) error, error) {
	return a.GetInitialToken(), nil
}

// APIMiddleware recognises an HTML answer before the protocol decoder turns
// it into "deserialization failed ... invalid character '<'", and names the
// endpoint in a refused connection. Add it to aws.Config.APIOptions.
func APIMiddleware(stack *middleware.Stack) error {
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc("iamsweepNotAnAPI",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleDeserialize(ctx, in)
			action := ActionName(awsmiddleware.GetServiceID(ctx), awsmiddleware.GetOperationName(ctx))
			if err != nil {
				if endpoint, ok := unreachable(err); ok {
					if req, isHTTP := in.Request.(*smithyhttp.Request); isHTTP && req.URL != nil {
						endpoint = req.URL.Scheme + "://" + req.URL.Host
					}
					return out, md, &EndpointError{Kind: Unreachable, Action: action, Endpoint: endpoint, Err: err}
				}
				return out, md, err
			}
			// Only an error status: a success answered as text/html is an
			// API's (S3 and emulators label empty bodies so).
			// A gateway's 502-504 page is a proxy in trouble, not a missing
			// API: it takes the 5xx path (one retry, then Failing).
			resp, ok := out.RawResponse.(*smithyhttp.Response)
			if ok && resp.StatusCode < 300 && isHTMLPage(resp) {
				// HTTP 200 with a web page where the API should be: the
				// decoder would fail on '<' (issue 22). Same cause and
				// message as an error status with a page.
				_ = resp.Body.Close()
				return out, md, &EndpointError{Kind: NotImplemented, Action: action, Status: resp.StatusCode,
					Err: fmt.Errorf("%s: HTTP %d, Content-Type %s, an HTML page", action, resp.StatusCode, resp.Header.Get("Content-Type"))}
			}
			if !ok || resp.StatusCode < 400 || (resp.StatusCode >= 502 && resp.StatusCode <= 504) ||
				!strings.HasPrefix(strings.ToLower(resp.Header.Get("Content-Type")), "text/html") {
				return out, md, err
			}
			// Drain nothing: the body is a page for people, and the
			// connection is not worth keeping for an endpoint without the API.
			_ = resp.Body.Close()
			return out, md, &EndpointError{Kind: NotImplemented, Action: action, Status: resp.StatusCode,
				Err: fmt.Errorf("%s: HTTP %d, Content-Type %s", action, resp.StatusCode, resp.Header.Get("Content-Type"))}
		}), middleware.After)
}

// ThrottleMiddleware tells the progress display, through the context, that
// an attempt was throttled (and will be retried), so the live line of the
// stage that waits says why. It sits inside the retry loop, where each
// attempt's error passes; a stack without the retry middleware is left
// alone.
func ThrottleMiddleware(stack *middleware.Stack) error {
	if _, ok := stack.Finalize.Get("Retry"); !ok {
		return nil
	}
	return stack.Finalize.Insert(middleware.FinalizeMiddlewareFunc("iamsweepThrottleNote",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleFinalize(ctx, in)
			if err != nil && throttleCodes[ErrorCode(err)] {
				progress.FromContext(ctx).Throttled()
			}
			return out, md, err
		}), "Retry", middleware.After)
}

// isHTMLPage reports a text/html answer whose body starts as a web page
// ("<!doctype html", "<html"). Only the start is peeked; the body stays
// whole for the decoder, as S3 and emulators label API answers text/html.
func isHTMLPage(resp *smithyhttp.Response) bool {
	if resp.Body == nil || !strings.HasPrefix(strings.ToLower(resp.Header.Get("Content-Type")), "text/html") {
		return false
	}
	br := bufio.NewReaderSize(resp.Body, 512)
	resp.Body = struct {
		io.Reader
		io.Closer
	}{br, resp.Body}
	head, _ := br.Peek(512)
	head = bytes.ToLower(bytes.TrimLeft(head, " \t\r\n"))
	return bytes.HasPrefix(head, []byte("<!doctype html")) || bytes.HasPrefix(head, []byte("<html"))
}
