package analysis_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestContractStandsAlone keeps the dependency rule of the analysis
// packages: the contract imports nothing of Resonant's, and the LLM
// adapters import only the contract (never the store, the queue or the
// worker).
func TestContractStandsAlone(t *testing.T) {
	const module = "github.com/resonant-journal/resonant/"
	allowed := map[string][]string{
		".":      nil,
		"gemini": {module + "internal/analysis"},
		"openai": {module + "internal/analysis"},
	}
	for dir, ok := range allowed {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s (%v)", dir, err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if !strings.HasPrefix(path, module) {
					continue
				}
				allowedHere := false
				for _, a := range ok {
					allowedHere = allowedHere || path == a
				}
				if !allowedHere {
					t.Errorf("%s imports %s", name, path)
				}
			}
		}
	}
}
