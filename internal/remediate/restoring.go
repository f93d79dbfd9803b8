package remediate

// StateRestoring is the iamsweep:state restore writes before undoing
// anything: the user is no longer marked disabled (so nothing deletes it
// while it works again), and the record of what to undo stays until the
// restore finishes, so one that stopped half-way is run again.
const StateRestoring = "restoring"
