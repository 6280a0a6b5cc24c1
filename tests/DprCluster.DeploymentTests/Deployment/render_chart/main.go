// Command render_chart renders a Helm chart's templates the way `helm template` does, for machines without helm:
// Go's text/template with missingkey=zero, Sprig's function map (minus env and expandenv), and Helm's own functions
// include, tpl, required, fail, toYaml, fromYaml, toJson and fromJson. Sprig and sigs.k8s.io/yaml are the libraries
// Helm itself uses (Debian packages golang-github-masterminds-sprig-dev and golang-k8s-sigs-yaml-dev).
//
//	render_chart -chart helm/dprcluster [-values extra.yaml]... [-release NAME] [-namespace NS] [-json] [-out FILE]
//
// Values files are merged over the chart's values.yaml (maps deeply, everything else replaced). Output: every
// non-empty rendered manifest under a "# Source: <chart>/templates/<file>" line, documents separated by "---"; with
// -json, a JSON array of {"source": file, "object": manifest} instead, one entry per YAML document; to standard output
// or -out. NOTES.txt is rendered too, to catch its errors, and printed to stderr. Exits 1 on any template or YAML error.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"sigs.k8s.io/yaml"
)

type valueFiles []string

func (v *valueFiles) String() string        { return strings.Join(*v, ",") }
func (v *valueFiles) Set(file string) error { *v = append(*v, file); return nil }

func main() {
	chart := flag.String("chart", "", "chart directory")
	release := flag.String("release", "dprcluster", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	asJSON := flag.Bool("json", false, "print a JSON array of the rendered objects")
	outFile := flag.String("out", "", "file to write instead of standard output")
	var overrides valueFiles
	flag.Var(&overrides, "values", "values file merged over values.yaml (repeatable)")
	flag.Parse()
	if *chart == "" {
		fail(errors.New("-chart is required"))
	}
	out, notes, err := render(*chart, *release, *namespace, overrides)
	if err != nil {
		fail(err)
	}
	if *asJSON {
		objects, err := toObjects(out)
		if err != nil {
			fail(err)
		}
		out = objects
	}
	if *outFile == "" {
		os.Stdout.WriteString(out)
	} else if err := os.WriteFile(*outFile, []byte(out), 0o644); err != nil {
		fail(err)
	}
	os.Stderr.WriteString(notes)
}

// toObjects parses rendered manifests (as render returns them) into a JSON array of {source, object}.
func toObjects(manifests string) (string, error) {
	type entry struct {
		Source string      `json:"source"`
		Object interface{} `json:"object"`
	}
	entries := []entry{}
	for _, document := range strings.Split(manifests, "---\n")[1:] {
		header, body, _ := strings.Cut(document, "\n")
		source := strings.TrimPrefix(header, "# Source: ")
		// One template file may hold several documents of its own.
		for _, part := range strings.Split("\n"+body, "\n---\n") {
			var object interface{}
			if err := yaml.Unmarshal([]byte(part), &object); err != nil {
				return "", fmt.Errorf("%s: %w", source, err)
			}
			if object != nil {
				entries = append(entries, entry{source, object})
			}
		}
	}
	data, err := json.MarshalIndent(entries, "", "  ")
	return string(data) + "\n", err
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "render_chart:", err)
	os.Exit(1)
}

func render(chartDir, release, namespace string, overrides []string) (string, string, error) {
	var meta map[string]interface{}
	if err := readYAML(filepath.Join(chartDir, "Chart.yaml"), &meta); err != nil {
		return "", "", err
	}
	values := map[string]interface{}{}
	for _, file := range append([]string{filepath.Join(chartDir, "values.yaml")}, overrides...) {
		var layer map[string]interface{}
		if err := readYAML(file, &layer); err != nil {
			return "", "", err
		}
		values = merge(values, layer)
	}
	name, _ := meta["name"].(string)
	// .Chart carries Chart.yaml's fields under Helm's Go names (Name, Version, AppVersion, ...).
	chartObject := map[string]interface{}{}
	for key, value := range meta {
		chartObject[strings.ToUpper(key[:1])+key[1:]] = value
	}
	top := map[string]interface{}{
		"Values":       values,
		"Chart":        chartObject,
		"Release":      map[string]interface{}{"Name": release, "Namespace": namespace, "Service": "Helm", "IsInstall": true, "IsUpgrade": false, "Revision": 1},
		"Capabilities": map[string]interface{}{"KubeVersion": map[string]interface{}{"Version": "v1.30.0", "Major": "1", "Minor": "30"}},
	}

	files, err := filepath.Glob(filepath.Join(chartDir, "templates", "*"))
	if err != nil {
		return "", "", err
	}
	sort.Strings(files)
	root := template.New("chart").Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	// include and tpl need the template set itself, so they are bound to root.
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var buf bytes.Buffer
		err := root.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		if _, err := t.New("tpl").Parse(text); err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = t.ExecuteTemplate(&buf, "tpl", data)
		return buf.String(), err
	}
	funcs["required"] = func(message string, value interface{}) (interface{}, error) {
		if value == nil || value == "" {
			return nil, errors.New(message)
		}
		return value, nil
	}
	funcs["fail"] = func(message string) (string, error) { return "", errors.New(message) }
	funcs["toYaml"] = func(v interface{}) string {
		data, err := yaml.Marshal(v)
		if err != nil {
			return ""
		}
		return strings.TrimSuffix(string(data), "\n")
	}
	funcs["fromYaml"] = func(text string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(text), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	funcs["toJson"] = func(v interface{}) string {
		data, err := json.Marshal(v)
		if err != nil {
			return ""
		}
		return string(data)
	}
	funcs["fromJson"] = func(text string) map[string]interface{} {
		m := map[string]interface{}{}
		if err := json.Unmarshal([]byte(text), &m); err != nil {
			m["Error"] = err.Error()
		}
		return m
	}
	root.Funcs(funcs)

	var names []string
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			return "", "", err
		}
		templateName := name + "/templates/" + filepath.Base(file)
		if _, err := root.New(templateName).Parse(string(text)); err != nil {
			return "", "", err
		}
		names = append(names, templateName)
	}

	var out, notes strings.Builder
	for _, templateName := range names {
		base := filepath.Base(templateName)
		if strings.HasPrefix(base, "_") {
			continue
		}
		data := copyMap(top)
		data["Template"] = map[string]interface{}{"Name": templateName, "BasePath": name + "/templates"}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, templateName, data); err != nil {
			return "", "", err
		}
		text := strings.ReplaceAll(buf.String(), "<no value>", "")
		if base == "NOTES.txt" {
			notes.WriteString(text)
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", templateName, strings.TrimSpace(text))
	}
	return out.String(), notes.String(), nil
}

func readYAML(path string, into *map[string]interface{}) error {
	text, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := yaml.Unmarshal(text, into); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if *into == nil {
		*into = map[string]interface{}{}
	}
	return nil
}

// merge lays over onto base: maps merge key by key, any other value replaces the base's.
func merge(base, over map[string]interface{}) map[string]interface{} {
	result := copyMap(base)
	for key, value := range over {
		if overMap, ok := value.(map[string]interface{}); ok {
			if baseMap, ok := result[key].(map[string]interface{}); ok {
				result[key] = merge(baseMap, overMap)
				continue
			}
		}
		result[key] = value
	}
	return result
}

func copyMap(m map[string]interface{}) map[string]interface{} {
	result := make(map[string]interface{}, len(m))
	for key, value := range m {
		result[key] = value
	}
	return result
}
