// Package k8s holds the Kubernetes manifests of newsflow (kustomize base,
// components and overlays) and the tests that render every overlay and check
// it against the code: strict decoding into the Kubernetes types, security
// and availability invariants, the KEDA triggers against the streams and
// consumers the pipeline declares, and the configuration against the
// binary's keys and flags. There is no Go API here.
package k8s
