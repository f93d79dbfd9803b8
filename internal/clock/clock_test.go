package clock

import (
	"testing"
	"time"
)

func TestDaysSinceRoundsDownLikeTimedelta(t *testing.T) {
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		t    time.Time
		want int
	}{
		{now, 0},
		{now.Add(-89*Day - 23*time.Hour), 89},
		{now.Add(-90 * Day), 90},
		{now.Add(-90*Day - time.Second), 90},
		{now.Add(time.Second), -1}, // timedelta(seconds=-1).days == -1
		{now.Add(25 * time.Hour), -2},
	}
	for _, c := range cases {
		if got := DaysSince(c.t, now); got != c.want {
			t.Errorf("DaysSince(%v) = %d, want %d", c.t, got, c.want)
		}
	}
}

func TestParseAsOf(t *testing.T) {
	fixed := func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("x", 3600)) }
	cases := map[string]time.Time{
		"":                          time.Date(2030, 1, 2, 2, 4, 5, 0, time.UTC),
		"2026-03-01":                time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		"2026-03-01T12:00:00+09:00": time.Date(2026, 3, 1, 3, 0, 0, 0, time.UTC),
	}
	for in, want := range cases {
		got, err := ParseAsOf(in, fixed)
		if err != nil || !got.Equal(want) || got.Location() != time.UTC {
			t.Errorf("ParseAsOf(%q) = %v, %v; want %v UTC", in, got, err, want)
		}
	}
	if _, err := ParseAsOf("yesterday", fixed); err == nil {
		t.Error("ParseAsOf(yesterday) succeeded, want an error")
	}
}
