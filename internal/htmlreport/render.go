package htmlreport

import (
	"bufio"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"io"
)

//go:embed assets/page.tmpl assets/style.css assets/app.js
var assets embed.FS

var (
	pageTmpl = template.Must(template.New("page.tmpl").ParseFS(assets, "assets/page.tmpl"))
	styleCSS = mustRead("assets/style.css")
	appJS    = mustRead("assets/app.js")
	// csp allows exactly the page's own style and script, by hash, and
	// nothing else: no network request, no inline event handler, no
	// injected <script> or <style> even if escaping ever failed. A meta
	// tag because the page is a file (opened from disk or a mail), with
	// no server to send a header.
	csp = "default-src 'none'; style-src " + hash(styleCSS) + "; script-src " + hash(appJS) +
		"; img-src 'none'; base-uri 'none'; form-action 'none'"
)

func mustRead(name string) string {
	b, err := assets.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// CSP is the page's Content-Security-Policy.
func CSP() string { return csp }

type pageData struct {
	P   *Page
	CSP string
	// CSS and JS are trusted constants embedded in the binary; marking
	// them so makes html/template insert them verbatim, which the
	// hashes in the CSP require.
	CSS template.CSS
	JS  template.JS
}

// Write renders a built page.
func Write(w io.Writer, p *Page) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if err := pageTmpl.Execute(bw, pageData{P: p, CSP: csp, CSS: template.CSS(styleCSS), JS: template.JS(appJS)}); err != nil {
		return err
	}
	return bw.Flush()
}

// Render builds the page from in and writes it.
func Render(w io.Writer, in Input) error {
	p, err := Build(in)
	if err != nil {
		return err
	}
	return Write(w, p)
}
