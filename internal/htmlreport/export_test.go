package htmlreport

// For the external tests (package htmlreport_test), which may import
// internal/report (it imports this package) to write organization files
// with the real writers.
var (
	Chromium    = chromium
	NewBrowser  = newBrowser
	ArtifactDir = artifactDir
	EvalInt     = eval[int]
	EvalString  = eval[string]
)
