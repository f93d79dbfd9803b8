// Package retire holds the end-to-end tests of the commands that change
// IAM users (disable, restore, delete, recreate, plan, apply), run through
// the whole command tree against moto: the lifecycle, the safety rails,
// kill-and-resume, a throttling storm. The commands live in their own
// packages under internal/cli.
package retire
