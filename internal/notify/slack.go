package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/iamsweep/iamsweep/internal/textsafe"
)

// SlackTop is how many findings a Slack message lists: it should stay
// readable in a channel.
const SlackTop = 5

var severityEmoji = map[string]string{
	"critical": ":rotating_light:", "high": ":red_circle:", "medium": ":large_orange_circle:", "low": ":white_circle:", "info": ":information_source:",
}

// slackText is the compact mrkdwn message.
func slackText(d Digest) string {
	var b strings.Builder
	if d.AccountsTotal > 0 {
		fmt.Fprintf(&b, "*iamsweep* · %s · as of %s\n", d.where(), d.AsOf.UTC().Format("2006-01-02 15:04Z"))
	} else {
		fmt.Fprintf(&b, "*iamsweep* · account `%s` · as of %s\n", d.AccountID, d.AsOf.UTC().Format("2006-01-02 15:04Z"))
	}
	fmt.Fprintf(&b, "Users %d: %d in use, %d unused, %d excluded%s · Findings %d: %s",
		d.Users, d.InUse, d.Unused, d.Excluded, d.disabledPart(), d.Findings, d.severityLine())
	if d.ExcludedFindings > 0 {
		fmt.Fprintf(&b, " (+%d on excluded users)", d.ExcludedFindings)
	}
	b.WriteString("\n")
	d.ownersSlack(&b)
	d.accountsSlack(&b)
	for i, f := range d.Top {
		if i == SlackTop {
			break
		}
		fmt.Fprintf(&b, "• %s %s %s: %s\n", severityEmoji[f.Severity], textsafe.SlackCode(f.UserName), f.Rule, slackEscape(f.Message))
	}
	if more := d.Findings - min(len(d.Top), SlackTop); more > 0 {
		fmt.Fprintf(&b, "_and %d more_\n", more)
	}
	if len(d.Changes) > 0 {
		b.WriteString("*Changes made by this run:*\n")
		for _, c := range d.Changes {
			fmt.Fprintf(&b, "• %s\n", slackEscape(c))
		}
	}
	if d.ReportURL != "" {
		// Slack links are <URL|label>; a pre-signed URL holds no | or >.
		fmt.Fprintf(&b, "<%s|Full report (HTML)>\n", slackEscape(d.ReportURL))
	}
	return b.String()
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
func slackEscape(s string) string { return textsafe.Slack(textsafe.Fold(s)) }

// postSlack sends the message. Errors name the target by its redacted form
// and never wrap *url.Error, whose text contains the URL.
func postSlack(ctx context.Context, client *http.Client, webhook, name string, d Digest) error {
	body, _ := json.Marshal(map[string]string{"text": slackText(d)})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, webhook, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: invalid webhook URL (not shown: it is a secret)", name)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("%s: post failed: %s", name, scrub(err.Error(), webhook))
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s: slack answered %s: %s: check the webhook is still installed", name, resp.Status, scrub(strings.TrimSpace(string(msg)), webhook))
	}
	return nil
}

// scrub removes the webhook URL and its path from s, whatever wrapped it.
func scrub(s, webhook string) string {
	s = strings.ReplaceAll(s, webhook, "(webhook url)")
	if u, err := url.Parse(webhook); err == nil && len(u.Path) > 1 {
		s = strings.ReplaceAll(s, u.Path, "/(hidden)")
	}
	return s
}
