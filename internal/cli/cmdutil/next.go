package cmdutil

import (
	"strings"
)

// NextCommand spells the command a person should run next, with the AWS
// settings this run was given (a plan made with --profile prod is applied
// with --profile prod), each word quoted for a POSIX shell when needed.
func (f *Factory) NextCommand(args ...string) string {
	words := append([]string{"iamsweep"}, args...)
	o := f.AWSOptions
	for _, kv := range [][2]string{{"--profile", o.Profile}, {"--region", o.Region}, {"--endpoint-url", o.EndpointURL}, {"--role-arn", o.RoleARN}} {
		if kv[1] != "" {
			words = append(words, kv[0], kv[1])
		}
	}
	for i, w := range words {
		words[i] = shellQuote(w)
	}
	return strings.Join(words, " ")
}

// shellQuote leaves plain words alone and single-quotes the rest.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@,+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
