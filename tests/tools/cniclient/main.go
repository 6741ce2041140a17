// SPDX-License-Identifier: MIT
// cniclient drives CNI plugins through libcni, the library containerd,
// CRI-O and podman use, as Debian packages it (golang-github-appc-cni-dev),
// so the integration tests run our plugin under an unmodified CNI client.
//
// Usage: cniclient <ADD|CHECK|DEL|VERSION> <conflist> <container id> <netns path> <ifname> [CNI_ARGS]
//
// Environment: CNI_PATH (plugin directories), CNI_CACHE_DIR (libcni's cache;
// required, so tests never write to /var/lib/cni), CNI_CAPABILITY_ARGS
// (JSON object, e.g. {"mac":"02:00:00:00:00:01"}, for runtimeConfig).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containernetworking/cni/libcni"
)

func parseArgs(s string) ([][2]string, error) {
	var out [][2]string
	for _, kv := range strings.Split(s, ";") {
		if kv == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("CNI_ARGS element %q is not K=V", kv)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

func runtimeConf() (*libcni.RuntimeConf, error) {
	rt := &libcni.RuntimeConf{ContainerID: os.Args[3], NetNS: os.Args[4], IfName: os.Args[5]}
	if len(os.Args) == 7 {
		args, err := parseArgs(os.Args[6])
		if err != nil {
			return nil, err
		}
		rt.Args = args
	}
	if s := os.Getenv("CNI_CAPABILITY_ARGS"); s != "" {
		if err := json.Unmarshal([]byte(s), &rt.CapabilityArgs); err != nil {
			return nil, fmt.Errorf("CNI_CAPABILITY_ARGS: %w", err)
		}
	}
	return rt, nil
}

func run() error {
	if len(os.Args) < 6 || len(os.Args) > 7 {
		return errors.New("usage: cniclient <ADD|CHECK|DEL|VERSION> <conflist> <container id> <netns> <ifname> [CNI_ARGS]")
	}
	cache := os.Getenv("CNI_CACHE_DIR")
	if cache == "" {
		return errors.New("CNI_CACHE_DIR must be set")
	}
	list, err := libcni.ConfListFromFile(os.Args[2])
	if err != nil {
		return err
	}
	rt, err := runtimeConf()
	if err != nil {
		return err
	}
	cni := libcni.NewCNIConfigWithCacheDir(filepath.SplitList(os.Getenv("CNI_PATH")), cache, nil)
	ctx := context.Background()
	switch strings.ToUpper(os.Args[1]) {
	case "ADD":
		res, err := cni.AddNetworkList(ctx, list, rt)
		if err != nil {
			return err
		}
		if err := res.Print(); err != nil {
			return err
		}
		fmt.Println()
		return nil
	case "CHECK":
		return cni.CheckNetworkList(ctx, list, rt)
	case "DEL":
		return cni.DelNetworkList(ctx, list, rt)
	case "VERSION":
		info, err := cni.GetVersionInfo(ctx, list.Plugins[0].Network.Type)
		if err != nil {
			return err
		}
		return json.NewEncoder(os.Stdout).Encode(info.SupportedVersions())
	}
	return fmt.Errorf("unknown command %q", os.Args[1])
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "cniclient:", err)
		os.Exit(1)
	}
}
