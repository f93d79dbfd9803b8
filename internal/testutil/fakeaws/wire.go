package fakeaws

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	return b, err
}

func restoreBody(r *http.Request, b []byte) {
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
}

// errorStatus is the HTTP status AWS pairs with an error code.
func errorStatus(code string) int {
	switch code {
	case "AccessDenied", "AccessDeniedException":
		return http.StatusForbidden
	case "NoSuchEntity", "ResourceNotFoundException":
		return http.StatusNotFound
	case "ThrottlingException", "Throttling":
		return http.StatusBadRequest
	}
	return http.StatusBadRequest
}

// jsonError writes a JSON 1.1 / REST-JSON error.
func jsonError(w http.ResponseWriter, contentType, code string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(errorStatus(code))
	fmt.Fprintf(w, `{"__type":%q,"message":"fakeaws: %s"}`, code, code)
}

func writeJSON(w http.ResponseWriter, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// xmlError writes a query-protocol error.
func xmlError(w http.ResponseWriter, code, action string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(errorStatus(code))
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>%s</Code><Message>fakeaws: %s on iam:%s</Message></Error><RequestId>fake</RequestId></ErrorResponse>`, code, code, action)
}
