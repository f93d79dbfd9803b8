package remediate

import (
	"context"
	"time"
)

// BackupStore is where a delete (or delete-key) writes the backup of the
// user before anything is removed: a local directory for the CLI, a bucket
// for the Lambda. The change session holds one; the delete's first step
// puts the backup there, and the executor stops at that step if it fails,
// so nothing is removed without a backup.
type BackupStore interface {
	// Location names where the backup of user taken at would go (the dry
	// run prints it).
	Location(account, user string, at time.Time) string
	// Put stores b at location.
	Put(ctx context.Context, location string, b *Backup) error
}

// DirStore keeps backups as files under Dir/ACCOUNT/ (BackupPath).
type DirStore struct{ Dir string }

// Location is BackupPath under the store's directory.
func (d DirStore) Location(account, user string, at time.Time) string {
	return BackupPath(d.Dir, account, user, at)
}

// Put writes the backup file atomically (WriteBackup).
func (DirStore) Put(_ context.Context, location string, b *Backup) error {
	return WriteBackup(location, b)
}
