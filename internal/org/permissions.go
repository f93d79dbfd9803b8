package org

// CentralPermissions are the calls an organization run makes as the
// caller (the management or a delegated administrator account): listing
// accounts and entering them. deploy/policies/org-central.json grants
// them; the moto test holds the calls it makes to this list.
var CentralPermissions = []string{
	"organizations:ListAccounts", "organizations:ListAccountsForParent", "organizations:ListChildren",
	"sts:AssumeRole",
}
