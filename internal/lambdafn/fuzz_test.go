package lambdafn

import (
	"testing"
)

// FuzzConfigEvent: any payload is parsed or refused without panicking,
// and an accepted one has a result token and a sane threshold.
func FuzzConfigEvent(f *testing.F) {
	f.Add(string(configEventJSON(`{"MaxCredentialUsageAge":"90"}`)))
	f.Add(string(configEventJSON(``)))
	f.Add(string(configEventJSON(`{"maxCredentialUsageAge":7}`)))
	f.Add(`{"invokingEvent":"{\"messageType\":\"ScheduledNotification\"}","resultToken":"t","ruleParameters":"{}"}`)
	f.Add(`{"resultToken":1}`)
	f.Fuzz(func(t *testing.T, payload string) {
		ev, _, maxAge, err := parseConfigEvent([]byte(payload))
		if err != nil {
			return
		}
		if ev.ResultToken == "" || maxAge < 0 {
			t.Errorf("accepted %q: token %q max age %d", payload, ev.ResultToken, maxAge)
		}
	})
}

// FuzzReadEnv: any environment is parsed or refused without panicking;
// accepted thresholds are unset (0) or at least one day.
func FuzzReadEnv(f *testing.F) {
	f.Add("90", "90", "info")
	f.Add("0", "-1", "LOUD")
	f.Add(" 7 ", "", "debug")
	f.Fuzz(func(t *testing.T, maxDays, rotation, level string) {
		env := map[string]string{EnvMaxUnusedDays: maxDays, EnvRotationDays: rotation, EnvLogLevel: level}
		e, err := ReadEnv(func(k string) string { return env[k] })
		if err != nil {
			return
		}
		if e.MaxUnusedDays < 0 || e.RotationDays < 0 {
			t.Errorf("accepted %q %q: %+v", maxDays, rotation, e)
		}
	})
}
