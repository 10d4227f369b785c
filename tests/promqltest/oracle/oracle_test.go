// Package oracle runs Pharos' PromQL test scripts (libs/promql/testdata/*.test) through
// Prometheus' own promqltest runner and engine, so that every expected value in them is what
// Prometheus computes. It is a test binary rather than a main program because promqltest
// needs a real *testing.T (it creates one subtest per eval command).
//
// Built and run by tests/promqltest/oracle.sh; see that script for the environment.
package oracle

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/promql/promqltest"
	"github.com/prometheus/prometheus/storage"
)

// newEngine returns the engine the scripts are checked against.
//
// Mode "server" (the default) is what a Prometheus 3.16 server computes with
// --enable-feature=promql-experimental-functions: the at modifier and negative offsets are
// on (as they always are since 2.33), delayed __name__ removal, start timestamps and binop
// fill modifiers are off (their server defaults), the lookback delta is the default 5m,
// subqueries without a step use the default 1m evaluation interval, and max samples is the
// server default.
//
// Mode "upstream" is promqltest.NewTestEngine, the configuration Prometheus runs its own
// testdata with; used to check that this harness reproduces upstream's results.
func newEngine(t *testing.T, mode string) *promql.Engine {
	switch mode {
	case "", "server":
		return promqltest.NewTestEngineWithOpts(t, promql.EngineOpts{
			MaxSamples:               50_000_000,
			Timeout:                  100 * time.Second,
			NoStepSubqueryIntervalFn: func(int64) int64 { return time.Minute.Milliseconds() },
			EnableAtModifier:         true,
			EnableNegativeOffset:     true,
			Parser:                   parser.NewParser(parser.Options{EnableExperimentalFunctions: true}),
		})
	case "upstream":
		return promqltest.NewTestEngine(t, false, 0, promqltest.DefaultMaxSamplesPerQuery)
	default:
		t.Fatalf("unknown PHAROS_ORACLE_ENGINE %q (want server or upstream)", mode)
		return nil
	}
}

// TestScripts runs every *.test file of PHAROS_PROMQLTEST_DIR (or the single file
// PHAROS_PROMQLTEST_FILE), one subtest per file.
func TestScripts(t *testing.T) {
	files := scriptFiles(t)
	mode := os.Getenv("PHAROS_ORACLE_ENGINE")
	engine := newEngine(t, mode)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			content, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if mode == "upstream" {
				// Upstream's suite needs start-timestamp storage (start_timestamps.test).
				promqltest.RunTestWithStorage(t, string(content), engine, func(tb testing.TB) storage.Storage {
					return promqltest.NewBuiltinTestStorage(tb)
				})
				return
			}
			promqltest.RunTest(t, string(content), engine)
		})
	}
}

func scriptFiles(t *testing.T) []string {
	if file := os.Getenv("PHAROS_PROMQLTEST_FILE"); file != "" {
		return []string{file}
	}
	dir := os.Getenv("PHAROS_PROMQLTEST_DIR")
	if dir == "" {
		t.Fatal("set PHAROS_PROMQLTEST_DIR (a directory of .test scripts) or PHAROS_PROMQLTEST_FILE")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".test") {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatalf("no .test scripts in %s", dir)
	}
	return files
}
