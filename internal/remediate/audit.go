package remediate

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// DefaultAuditLog is where changes are recorded unless --audit-log says.
const DefaultAuditLog = "iamsweep-audit.jsonl"

// Record is one line of the audit log: one change attempted on one user.
type Record struct {
	Time    time.Time `json:"time"`
	Caller  string    `json:"caller"`
	Account string    `json:"account"`
	// RunID tells runs apart: two runs on one account write the same
	// changes with different IDs.
	RunID string `json:"run_id"`
	User  string `json:"user"`
	// Operation is disable, restore, delete, recreate, deactivate-key,
	// delete-key or claim (a run taking or releasing ownership of the user).
	Operation string `json:"operation"`
	// Action is the IAM action (iam:UpdateAccessKey) or iamsweep:WriteBackup.
	Action string `json:"action"`
	Target string `json:"target,omitempty"`
	Before any    `json:"before"`
	After  any    `json:"after"`
	// Result is ok, already-done (the change was found made) or error.
	Result string `json:"result"`
	Error  string `json:"error,omitempty"`
}

// AuditLog appends records to a JSON-lines file, one fsync per record, so
// a crash loses at most the record being written.
type AuditLog struct {
	mu sync.Mutex
	f  *os.File
	// sink, when set, receives each record instead of the file (the
	// Lambda writes them to its log: its /tmp does not outlive it).
	sink func(Record) error
}

// NewAuditSink returns an audit log that hands every record to fn.
func NewAuditSink(fn func(Record) error) *AuditLog { return &AuditLog{sink: fn} }

// OpenAuditLog opens (creating, 0600) path for appending.
func OpenAuditLog(path string) (*AuditLog, error) {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("audit log %s: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open audit log %s: %w (choose another with --audit-log)", path, err)
	}
	return &AuditLog{f: f}, nil
}

// Write appends one record and syncs it to disk.
func (a *AuditLog) Write(r Record) error {
	if a == nil {
		return nil
	}
	if a.sink != nil {
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.sink(r)
	}
	line, err := json.Marshal(r)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write audit log: %w", err)
	}
	if err := a.f.Sync(); err != nil {
		return fmt.Errorf("sync audit log: %w", err)
	}
	return nil
}

// Close closes the file.
func (a *AuditLog) Close() error {
	if a == nil || a.f == nil {
		return nil
	}
	return a.f.Close()
}
