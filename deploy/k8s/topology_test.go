package k8s

import (
	"cmp"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/newsflow/newsflow/internal/bus"
)

// repo is the repository root, relative to this package.
const repo = "../.."

// consumer is a durable JetStream consumer on a stream.
type consumer struct {
	stream, name string
}

func (c consumer) String() string { return c.stream + "/" + c.name }

func compareConsumers(a, b consumer) int {
	return cmp.Or(cmp.Compare(a.stream, b.stream), cmp.Compare(a.name, b.name))
}

var (
	topologyOnce sync.Once
	topology     map[string][]consumer
	topologyErr  string
)

// codeTopology reads, from the binary's source, which stages it runs and
// the subject each consumes (the pipeline.Stage literals of
// cmd/newsflow/app.go), and maps each to its consumers the way the runtime
// declares them: the live consumer named after the stage on the subject's
// stream, and the replay lane's consumer.
func codeTopology(t *testing.T) map[string][]consumer {
	t.Helper()
	topologyOnce.Do(func() {
		consts := map[string]string{}
		for _, dir := range []string{"cmd/newsflow", "proto"} {
			files, err := filepath.Glob(filepath.Join(repo, dir, "*.go"))
			if err != nil {
				topologyErr = err.Error()
				return
			}
			for _, f := range files {
				if strings.HasSuffix(f, "_test.go") {
					continue
				}
				af, err := parser.ParseFile(token.NewFileSet(), f, nil, 0)
				if err != nil {
					topologyErr = err.Error()
					return
				}
				pkg := af.Name.Name
				for name, v := range stringConsts(af) {
					consts[pkg+"."+name] = v
				}
			}
		}
		af, err := parser.ParseFile(token.NewFileSet(), filepath.Join(repo, "cmd/newsflow/app.go"), nil, 0)
		if err != nil {
			topologyErr = err.Error()
			return
		}
		topology = map[string][]consumer{}
		ast.Inspect(af, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			var name, from string
			for _, e := range lit.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				switch key, _ := kv.Key.(*ast.Ident); {
				case key == nil:
				case key.Name == "Name":
					name = constValue(kv.Value, consts, "main")
				case key.Name == "From":
					from = constValue(kv.Value, consts, "main")
				}
			}
			if name == "" || from == "" {
				return true
			}
			live, err := bus.StreamFor(from)
			if err != nil {
				topologyErr = "stage " + name + ": " + err.Error()
				return false
			}
			replay, err := bus.StreamFor(bus.ReplaySubject(from))
			if err != nil {
				topologyErr = "stage " + name + " replay lane: " + err.Error()
				return false
			}
			cs := []consumer{{live, name}, {replay, bus.ReplayConsumer(name)}}
			slices.SortFunc(cs, compareConsumers)
			topology[name] = cs
			return true
		})
		if len(topology) == 0 {
			topologyErr = "found no pipeline.Stage{Name: …, From: …} literals in cmd/newsflow/app.go: update codeTopology"
		}
	})
	if topologyErr != "" {
		t.Fatal(topologyErr)
	}
	return topology
}

// stringConsts returns the string constants a file declares.
func stringConsts(f *ast.File) map[string]string {
	out := map[string]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, n := range vs.Names {
				if i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						if v, err := strconv.Unquote(lit.Value); err == nil {
							out[n.Name] = v
						}
					}
				}
			}
		}
	}
	return out
}

// constValue resolves an identifier (in pkg) or pkg.Name selector, or a
// string literal, to its value; "" when it cannot.
func constValue(e ast.Expr, consts map[string]string, pkg string) string {
	switch v := e.(type) {
	case *ast.Ident:
		return consts[pkg+"."+v.Name]
	case *ast.SelectorExpr:
		if x, ok := v.X.(*ast.Ident); ok {
			return consts[x.Name+"."+v.Sel.Name]
		}
	case *ast.BasicLit:
		if s, err := strconv.Unquote(v.Value); err == nil {
			return s
		}
	}
	return ""
}

// TestCodeTopology checks the reading of the code itself: four stages, and
// every consumer's stream is one the runtime declares.
func TestCodeTopology(t *testing.T) {
	top := codeTopology(t)
	if got := keys(top); !slices.Equal(got, []string{"clean", "extract", "fetch", "store"}) {
		t.Errorf("stages = %v; want clean, extract, fetch, store", got)
	}
	declared := map[string]bool{}
	for _, s := range bus.Streams(3) {
		declared[s.Name] = true
	}
	for stage, cs := range top {
		for _, c := range cs {
			if !declared[c.stream] {
				t.Errorf("stage %s: consumer %s is on stream %s, which bus.Streams does not declare", stage, c.name, c.stream)
			}
		}
	}
	if want := (consumer{bus.StreamFetched, "clean"}); !slices.Contains(top["clean"], want) {
		t.Errorf("clean consumes %v; want %v among them", top["clean"], want)
	}
}

// binaryFlags returns the subcommands of the binary (the keys of the map
// commands() returns, cmd/newsflow/main.go) and the common flags
// (common.register).
func binaryFlags(t *testing.T) (commands, flags []string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(repo, "cmd/newsflow/main.go"))
	if err != nil {
		t.Fatal(err)
	}
	af, err := parser.ParseFile(token.NewFileSet(), "main.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range af.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok {
			continue
		}
		switch fn.Name.Name {
		case "commands":
			ast.Inspect(fn, func(n ast.Node) bool {
				if lit, ok := n.(*ast.CompositeLit); ok {
					if _, ok := lit.Type.(*ast.MapType); ok {
						for _, e := range lit.Elts {
							if kv, ok := e.(*ast.KeyValueExpr); ok {
								if k := constValue(kv.Key, nil, ""); k != "" {
									commands = append(commands, k)
								}
							}
						}
					}
				}
				return true
			})
		case "register":
			ast.Inspect(fn, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) < 2 {
					return true
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && strings.HasSuffix(sel.Sel.Name, "Var") {
					if name := constValue(call.Args[1], nil, ""); name != "" {
						flags = append(flags, name)
					}
				}
				return true
			})
		}
	}
	if len(commands) == 0 || len(flags) == 0 {
		t.Fatalf("found no commands (%v) or common flags (%v) in cmd/newsflow/main.go: update binaryFlags", commands, flags)
	}
	return commands, flags
}
