package notify

import (
	"fmt"
	"strings"

	"github.com/iamsweep/iamsweep/internal/textsafe"
)

// MaxAccountLines bounds the per-account lines a digest carries: failed
// accounts come first (AccountLines), so they are never the ones cut.
const MaxAccountLines = 50

// AccountLine is one account of an organization run as a digest shows it.
type AccountLine struct {
	ID, Name, Status, Error string
	Users, Findings         int
}

// String is "111111111111 (prod): ok, 250 users, 12 findings" or
// "222222222222 (dev): failed: <reason>".
func (a AccountLine) String() string {
	s := a.ID
	if a.Name != "" {
		s += " (" + a.Name + ")"
	}
	if a.Status != "ok" {
		return s + ": " + a.Status + ": " + a.Error
	}
	return fmt.Sprintf("%s: ok, %s, %s", s, plural(a.Users, "user"), plural(a.Findings, "finding"))
}

// accountLines orders the lines failed first, then the others, each in
// the given (account) order.
func accountLines(accts []AccountLine) []string {
	var bad, good []string
	for _, a := range accts {
		if a.Status != "ok" {
			bad = append(bad, a.String())
		} else {
			good = append(good, a.String())
		}
	}
	return append(bad, good...)
}

// WithAccounts returns d with a line per account of an organization run
// (failed first), the excess summarised; none leaves d as it is.
func (d Digest) WithAccounts(accts []AccountLine) Digest {
	d.Accounts, d.AccountsTotal, d.AccountsFailed = nil, len(accts), 0
	for _, a := range accts {
		if a.Status != "ok" {
			d.AccountsFailed++
		}
	}
	lines := accountLines(accts)
	for i, l := range lines {
		if i == MaxAccountLines-1 && len(lines) > MaxAccountLines {
			d.Accounts = append(d.Accounts, fmt.Sprintf("... and %d more accounts in the function's response", len(lines)-i))
			break
		}
		d.Accounts = append(d.Accounts, l)
	}
	return d
}

// where is "3 AWS accounts (1 failed)", for organization digests.
func (d Digest) where() string {
	s := plural(d.AccountsTotal, "AWS account")
	if d.AccountsFailed > 0 {
		s += fmt.Sprintf(" (%d failed)", d.AccountsFailed)
	}
	return s
}

func (d Digest) accountsText(b *strings.Builder) {
	if len(d.Accounts) == 0 {
		return
	}
	b.WriteString("\nAccounts (findings name the account before the user):\n")
	for _, l := range d.Accounts {
		fmt.Fprintf(b, "  %s\n", textsafe.Fold(l))
	}
}

func (d Digest) accountsSlack(b *strings.Builder) {
	if len(d.Accounts) == 0 {
		return
	}
	for _, l := range d.Accounts {
		fmt.Fprintf(b, "• %s\n", slackEscape(l))
	}
}
