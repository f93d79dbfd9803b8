// Package retire holds the commands that change IAM users: disable,
// restore, delete, recreate, plan and apply. All of them are dry runs
// unless confirmed with --yes or by typing the account ID at a terminal
// (cmdutil.Session). Each command file depends only on cmdutil, pipeline
// and the domain packages, so a command can move to a package of its own.
package retire
