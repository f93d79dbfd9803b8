package motoserver

import (
	"encoding/json"
	"net/http"
	"testing"
)

// SNSSent returns what moto recorded as published to topic, one entry per
// message: [message id, body, subject, attributes, ...] as moto stores it.
// It reads moto's internal /moto-api/data.json, stable for the pinned 5.2.1.
// A topic moto does not know fails the test.
func (s *Server) SNSSent(t testing.TB, topic string) [][]json.RawMessage {
	t.Helper()
	resp, err := http.Get(s.URL + "/moto-api/data.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var data struct {
		SNS struct {
			Topic []struct {
				ARN  string              `json:"arn"`
				Sent [][]json.RawMessage `json:"sent_notifications"`
			} `json:"Topic"`
		} `json:"sns"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&data); err != nil {
		t.Fatal(err)
	}
	for _, tp := range data.SNS.Topic {
		if tp.ARN == topic {
			return tp.Sent
		}
	}
	t.Fatalf("topic %s not in moto", topic)
	return nil
}
