// SPDX-License-Identifier: MIT
//
// host-local for the bare-node test: the host-local IPAM plugin's own
// allocator and lease store (Debian's golang-github-containernetworking-
// plugins-dev, the sources of Debian's /usr/lib/cni/host-local), behind a
// main that follows upstream's. Built with CGO_ENABLED=0 into a static
// binary, because Debian's host-local is linked against glibc and would
// not run in a root that holds no C library. No resolvConf support (the
// tests give none); ranges, requested IPs, routes and leases as upstream.
package main

import (
	"fmt"
	"net"
	"strings"

	"github.com/containernetworking/cni/pkg/skel"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
	"github.com/containernetworking/cni/pkg/version"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/allocator"
	"github.com/containernetworking/plugins/plugins/ipam/host-local/backend/disk"
)

func main() {
	skel.PluginMain(cmdAdd, cmdCheck, cmdDel, version.All, "host-local (static, for tests)")
}

func cmdAdd(args *skel.CmdArgs) error {
	conf, confVersion, err := allocator.LoadIPAMConfig(args.StdinData, args.Args)
	if err != nil {
		return err
	}
	if conf.ResolvConf != "" {
		return fmt.Errorf("host-local (static, for tests): resolvConf is not supported")
	}
	store, err := disk.New(conf.Name, conf.DataDir)
	if err != nil {
		return err
	}
	defer store.Close()

	result := &current.Result{CNIVersion: current.ImplementedSpecVersion}
	requested := map[string]net.IP{}
	for _, ip := range conf.IPArgs {
		requested[ip.String()] = ip
	}
	var allocs []*allocator.IPAllocator
	for idx := range conf.Ranges {
		rs := conf.Ranges[idx]
		alloc := allocator.NewIPAllocator(&rs, store, idx)
		var want net.IP
		for k, ip := range requested {
			if rs.Contains(ip) {
				want = ip
				delete(requested, k)
				break
			}
		}
		ipConf, err := alloc.Get(args.ContainerID, args.IfName, want)
		if err != nil {
			for _, a := range allocs {
				_ = a.Release(args.ContainerID, args.IfName)
			}
			return fmt.Errorf("failed to allocate for range %d: %v", idx, err)
		}
		allocs = append(allocs, alloc)
		result.IPs = append(result.IPs, ipConf)
	}
	if len(requested) != 0 {
		for _, a := range allocs {
			_ = a.Release(args.ContainerID, args.IfName)
		}
		var left []string
		for k := range requested {
			left = append(left, k)
		}
		return fmt.Errorf("failed to allocate all requested IPs: %s", strings.Join(left, ", "))
	}
	result.Routes = conf.Routes
	return types.PrintResult(result, confVersion)
}

func cmdDel(args *skel.CmdArgs) error {
	conf, _, err := allocator.LoadIPAMConfig(args.StdinData, args.Args)
	if err != nil {
		return err
	}
	store, err := disk.New(conf.Name, conf.DataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	var errs []string
	for idx := range conf.Ranges {
		rs := conf.Ranges[idx]
		if err := allocator.NewIPAllocator(&rs, store, idx).Release(args.ContainerID, args.IfName); err != nil {
			errs = append(errs, err.Error())
		}
	}
	if errs != nil {
		return fmt.Errorf("%s", strings.Join(errs, ";"))
	}
	return nil
}

func cmdCheck(args *skel.CmdArgs) error {
	conf, _, err := allocator.LoadIPAMConfig(args.StdinData, args.Args)
	if err != nil {
		return err
	}
	store, err := disk.New(conf.Name, conf.DataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	if !store.FindByID(args.ContainerID, args.IfName) {
		return fmt.Errorf("host-local: Failed to find address added by container %v", args.ContainerID)
	}
	return nil
}
