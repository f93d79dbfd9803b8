package scan

import "testing"

func TestOnlyKeepsTheUsersFindingsAndRecountsTheSummary(t *testing.T) {
	res, err := Evaluate(smallInventory(), evalParams(), nil, SourceFile, evalGenerated)
	if err != nil {
		t.Fatal(err)
	}
	sub := res.Only(func(u User) bool { return u.Name == "jenkins-legacy" })
	if len(sub.Users) != 1 || sub.Summary.Users != 1 || sub.Summary.Unused != 1 || sub.Summary.Findings != len(sub.Findings) || len(sub.Findings) != 2 {
		t.Errorf("subset %+v", sub.Summary)
	}
	for _, f := range sub.Findings {
		if f.UserName != "jenkins-legacy" {
			t.Errorf("finding of another user: %+v", f)
		}
	}
	if res.Summary.Users != 4 || sub.AccountID != res.AccountID {
		t.Error("the original changed or the header was lost")
	}
}
