package scan

// Only returns the part of r about the users keep accepts: those users,
// their findings, and the summary recounted. The header (account, times,
// parameters) is r's. It is how one owner is sent only their own users.
func (r *Result) Only(keep func(User) bool) *Result {
	out := *r
	out.Users = []User{}
	names := map[string]bool{}
	for _, u := range r.Users {
		if keep(u) {
			out.Users = append(out.Users, u)
			names[u.Name] = true
		}
	}
	out.Findings = nil
	for _, f := range r.Findings {
		if names[f.UserName] {
			out.Findings = append(out.Findings, f)
		}
	}
	out.Summary = summarize(&out)
	return &out
}
