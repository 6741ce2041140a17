#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""check_manifests - checks deploy/kubernetes/ without a cluster, and builds
the configurations a CNI runtime or Multus would hand the plugin from them.

  check_manifests.py check DIR
      one line per check: "ok DESCRIPTION" or "not ok DESCRIPTION: WHY"
      (exit 1 when any failed)
  check_manifests.py conflist-plugin FILE
      the plugin configuration libcni builds from a conflist's first
      tinytaptunnel plugin (name and cniVersion injected)
  check_manifests.py nad-config FILE
      a NetworkAttachmentDefinition's spec.config
  check_manifests.py multus-delegate NAD PODS INDEX
      the configuration Multus hands the plugin for the INDEX'th pod of PODS
      (args.cni from "cni-args", runtimeConfig from "ips"/"mac" for the
      capabilities the config declares)
  check_manifests.py pod-name PODS INDEX
      the INDEX'th pod's namespace/name (K8S_POD_NAMESPACE/K8S_POD_NAME)
  check_manifests.py pod-field PODS INDEX FIELD
      metadata.name, or the network selection's interface/ips.0

Standard library and PyYAML (python3-yaml) only.
"""
import base64
import json
import os
import sys

import yaml

NETWORKS = "k8s.v1.cni.cncf.io/networks"


class Checks:
    def __init__(self):
        self.failed = 0

    def __call__(self, desc, cond, why=""):
        if cond:
            print("ok " + desc)
        else:
            self.failed += 1
            print("not ok %s: %s" % (desc, why or "no"))
        return cond


def load_all(path):
    with open(path) as fh:
        return [d for d in yaml.safe_load_all(fh) if d is not None]


def get(doc, path, default=None):
    for part in path.split("."):
        if isinstance(doc, list):
            try:
                doc = doc[int(part)]
            except (ValueError, IndexError):
                return default
        elif isinstance(doc, dict):
            if part not in doc:
                return default
            doc = doc[part]
        else:
            return default
    return doc


def by_kind(docs, kind):
    return [d for d in docs if isinstance(d, dict) and d.get("kind") == kind]


def env_of(container):
    return {e.get("name"): e.get("value") for e in container.get("env") or []}


def check_identity(ck, doc, kind, api):
    name = get(doc, "metadata.name")
    ck("%s %s: apiVersion %s, kind %s" % (kind, name, api, kind),
       doc.get("apiVersion") == api and doc.get("kind") == kind,
       "apiVersion %r, kind %r" % (doc.get("apiVersion"), doc.get("kind")))
    ck("%s: metadata.name is set (%s)" % (kind, name), isinstance(name, str) and name != "")
    return name


RUN_DIR = "/run/tinytaptunnel"                          # the plugin's default stateDir
TEXTFILE_DIR = "/var/lib/node_exporter/textfile_collector"  # node_exporter's textfile dir


def check_container_common(ck, c, volumes):
    """What every container of the DaemonSet must be: root without any
    capability, read-only root, bounded resources, mounts of known volumes."""
    cname = c.get("name")
    ck("container %s: has a name and an image" % cname,
       isinstance(cname, str) and isinstance(c.get("image"), str) and c.get("image"))
    sc = c.get("securityContext") or {}
    caps = sc.get("capabilities") or {}
    ck("container %s: runAsUser 0 (root-owned host paths and sockets)" % cname,
       sc.get("runAsUser") == 0, "runAsUser %r" % sc.get("runAsUser"))
    ck("container %s: not privileged, no privilege escalation" % cname,
       sc.get("privileged") in (None, False) and sc.get("allowPrivilegeEscalation") is False)
    ck("container %s: readOnlyRootFilesystem true" % cname,
       sc.get("readOnlyRootFilesystem") is True)
    ck("container %s: drops ALL capabilities" % cname, "ALL" in (caps.get("drop") or []))
    added = caps.get("add") or []
    ck("container %s: adds back no capability beyond DAC_OVERRIDE/CHOWN/FOWNER (%s)"
       % (cname, ", ".join(added) or "none"),
       set(added) <= {"DAC_OVERRIDE", "CHOWN", "FOWNER"}, "adds %r" % added)
    ck("container %s: no NET_ADMIN/SYS_ADMIN (it only handles files and sockets)" % cname,
       not {"NET_ADMIN", "SYS_ADMIN"} & set(added))
    res = c.get("resources") or {}
    ck("container %s: cpu and memory requests and limits" % cname,
       all(get(res, "%s.%s" % (a, b)) for a in ("requests", "limits")
           for b in ("cpu", "memory")), "resources %r" % res)
    mounts = c.get("volumeMounts") or []
    ck("container %s: every volumeMount names a volume" % cname,
       all(m.get("name") in volumes for m in mounts))


def check_installer(ck, c, volumes, secret_name):
    cname = c.get("name")
    mounts = {m.get("mountPath"): m for m in c.get("volumeMounts") or []}
    env = env_of(c)
    host_root = env.get("HOST_ROOT", "/host")
    for host_path, var in (("/opt/cni/bin", "CNI_BIN_DIR"), ("/etc/tinytaptunnel", "KEY_DIR")):
        vol = [n for n, v in volumes.items() if get(v, "hostPath.path") == host_path]
        ck("DaemonSet: a hostPath volume for %s" % host_path, len(vol) == 1)
        if not vol:
            continue
        want = host_root + env.get(var, host_path)
        m = mounts.get(want)
        ck("container %s: mounts %s at %s (HOST_ROOT + %s), read-write" % (cname, host_path, want, var),
           m is not None and m.get("name") == vol[0] and not m.get("readOnly"),
           "mounts %r" % sorted(mounts))
        ck("DaemonSet: hostPath %s is a Directory[OrCreate]" % host_path,
           get(volumes[vol[0]], "hostPath.type") in ("Directory", "DirectoryOrCreate"))
    sec = [n for n, v in volumes.items() if "secret" in v]
    ok_sec = len(sec) == 1
    ck("DaemonSet: one Secret volume", ok_sec)
    if ok_sec:
        sv = volumes[sec[0]]["secret"]
        if secret_name:
            ck("DaemonSet: the Secret volume is %s (secret.example.yaml's)" % secret_name,
               sv.get("secretName") == secret_name, "secretName %r" % sv.get("secretName"))
        ck("DaemonSet: Secret files mode 0400", sv.get("defaultMode") == 0o400,
           "defaultMode %r" % sv.get("defaultMode"))
        m = mounts.get(env.get("SECRET_DIR", "/run/secrets/tinytaptunnel"))
        ck("container %s: mounts the Secret read-only at SECRET_DIR" % cname,
           m is not None and m.get("name") == sec[0] and m.get("readOnly") is True)
    probe = get(c, "readinessProbe.exec.command") or []
    ck("container %s: readiness probe runs ttt-install --check" % cname, "--check" in probe)


def option(cmd, name):
    """The value after name in a command list, or None."""
    return cmd[cmd.index(name) + 1] if name in cmd and cmd.index(name) + 1 < len(cmd) else None


def check_metrics(ck, c, volumes):
    """ttt metrics: reads the run directory (read-only), writes one .prom file
    into node_exporter's textfile directory, and mounts nothing else."""
    cname, cmd = c.get("name"), c.get("command") or []
    mounts = {m.get("mountPath"): m for m in c.get("volumeMounts") or []}
    host = {p: get(volumes.get(m.get("name")) or {}, "hostPath.path") for p, m in mounts.items()}
    ck("container %s: runs ttt metrics --dir --textfile --interval" % cname,
       cmd[:2] == ["/usr/sbin/ttt", "metrics"] and all(option(cmd, o) for o in
                                                        ("--dir", "--textfile", "--interval")),
       "command %r" % cmd)
    d, tf, iv = option(cmd, "--dir"), option(cmd, "--textfile") or "", option(cmd, "--interval")
    ck("container %s: --dir is the node's %s, mounted read-only" % (cname, RUN_DIR),
       d in mounts and host.get(d) == RUN_DIR and mounts[d].get("readOnly") is True,
       "--dir %r, mounts %r" % (d, host))
    tdir = os.path.dirname(tf)
    ck("container %s: --textfile is a .prom file in the node's %s, mounted read-write"
       % (cname, TEXTFILE_DIR),
       tf.endswith(".prom") and tdir in mounts and host.get(tdir) == TEXTFILE_DIR
       and not mounts[tdir].get("readOnly"), "--textfile %r, mounts %r" % (tf, host))
    ck("container %s: --interval is 1 to 3600 seconds" % cname,
       isinstance(iv, str) and iv.isdigit() and 1 <= int(iv) <= 3600, "--interval %r" % iv)
    ck("container %s: mounts nothing but those two" % cname, len(mounts) == 2, "mounts %r" % host)
    for p in (RUN_DIR, TEXTFILE_DIR):
        vol = [v for v in volumes.values() if get(v, "hostPath.path") == p]
        ck("DaemonSet: hostPath %s is a DirectoryOrCreate" % p,
           len(vol) == 1 and get(vol[0], "hostPath.type") == "DirectoryOrCreate")



def check_daemonset(ck, d, sa, secret_name):
    ds = by_kind(d, "DaemonSet")
    if not ck("daemonset.yaml holds one DaemonSet", len(ds) == 1, "found %d" % len(ds)):
        return
    ds = ds[0]
    name = check_identity(ck, ds, "DaemonSet", "apps/v1")
    ns = get(ds, "metadata.namespace")
    ck("DaemonSet: in kube-system (system-node-critical is only allowed there by default)",
       ns == "kube-system", "namespace %r" % ns)
    sel = get(ds, "spec.selector.matchLabels") or {}
    labels = get(ds, "spec.template.metadata.labels") or {}
    ck("DaemonSet: spec.selector.matchLabels is non-empty and matches the template's labels",
       isinstance(sel, dict) and sel and all(labels.get(k) == v for k, v in sel.items()),
       "matchLabels %r, template labels %r" % (sel, labels))
    ck("DaemonSet: updateStrategy RollingUpdate",
       get(ds, "spec.updateStrategy.type") == "RollingUpdate")
    spec = get(ds, "spec.template.spec") or {}
    ck("DaemonSet: hostNetwork true", spec.get("hostNetwork") is True)
    ck("DaemonSet: priorityClassName system-node-critical",
       spec.get("priorityClassName") == "system-node-critical")
    tol = spec.get("tolerations") or []
    ck("DaemonSet: tolerates every taint (operator Exists, no key, no effect)",
       any(t.get("operator") == "Exists" and "key" not in t and "effect" not in t for t in tol),
       "tolerations %r" % tol)
    ck("DaemonSet: no privileged pod-level host namespaces besides the network",
       not spec.get("hostPID") and not spec.get("hostIPC"))
    if sa is not None:
        ck("DaemonSet: uses the ServiceAccount (%s)" % get(sa, "metadata.name"),
           spec.get("serviceAccountName") == get(sa, "metadata.name")
           and get(sa, "metadata.namespace") == ns)
    ck("DaemonSet: automountServiceAccountToken false in the pod",
       spec.get("automountServiceAccountToken") is False)
    ck("DaemonSet: does not run in a user namespace (hostUsers not false)",
       spec.get("hostUsers", True) is not False)
    volumes = {v.get("name"): v for v in spec.get("volumes") or []}
    containers = spec.get("containers") or []
    if not ck("DaemonSet: has containers", containers):
        return
    all_containers = containers + (spec.get("initContainers") or [])
    for c in all_containers:
        check_container_common(ck, c, volumes)
    installers = [c for c in all_containers if not c.get("command")]
    ck("DaemonSet: one installer container (the image's entrypoint, ttt-install)",
       len(installers) == 1, "found %d" % len(installers))
    for c in installers:
        check_installer(ck, c, volumes, secret_name)
    metrics = [c for c in all_containers if (c.get("command") or [None])[0] == "/usr/sbin/ttt"]
    ck("DaemonSet: one metrics container (ttt metrics)", len(metrics) == 1, "found %d" % len(metrics))
    for c in metrics:
        check_metrics(ck, c, volumes)
    ck("DaemonSet: no container besides the installer and the metrics writer",
       len(all_containers) == len(installers) + len(metrics))
    ck("DaemonSet: no other hostPath volume",
       sorted(get(v, "hostPath.path") for v in volumes.values() if "hostPath" in v)
       == sorted(["/etc/tinytaptunnel", "/opt/cni/bin", RUN_DIR, TEXTFILE_DIR]))
    return name


def check_secret(ck, path):
    docs = load_all(path)
    with open(path) as fh:
        text = fh.read()
    s = by_kind(docs, "Secret")
    if not ck("secret.example.yaml holds one Secret", len(s) == 1):
        return None, {}
    s = s[0]
    name = check_identity(ck, s, "Secret", "v1")
    ck("Secret: in kube-system, beside the DaemonSet", get(s, "metadata.namespace") == "kube-system")
    entries = dict(s.get("stringData") or {})
    for k, v in (s.get("data") or {}).items():
        entries[k] = base64.b64decode(v).decode()
    ck("Secret: has key entries", entries)
    for k, v in entries.items():
        try:
            raw = base64.b64decode(v.strip(), validate=True)
        except ValueError:
            raw = b""
        ck("Secret: entry %s is base64 of an obviously fake key (%r)" % (k, raw.decode(errors="replace")),
           raw and b"FAKE" in raw)
    ck("Secret: says how to make a real key (head -c 32 /dev/urandom | base64)",
       "head -c 32 /dev/urandom | base64" in text)
    return name, entries


def key_name_ok(ck, where, key_file, entries):
    base = os.path.basename(key_file or "")
    names = {e if e.endswith(".key") else e + ".key" for e in entries}
    ck("%s: keyFile %s is where ttt-install puts a Secret entry" % (where, key_file),
       isinstance(key_file, str) and os.path.dirname(key_file) == "/etc/tinytaptunnel" and base in names,
       "Secret entries become %s" % sorted(names))


def check_plugin_conf(ck, where, conf, entries):
    ck("%s: type tinytaptunnel" % where, conf.get("type") == "tinytaptunnel")
    ck("%s: cniVersion and name" % where,
       isinstance(conf.get("cniVersion"), str) and isinstance(conf.get("name"), str))
    key_name_ok(ck, where, conf.get("keyFile"), entries)


def check(directory):
    ck = Checks()
    p = lambda f: os.path.join(directory, f)  # noqa: E731
    secret_name, entries = check_secret(ck, p("secret.example.yaml"))

    docs = load_all(p("daemonset.yaml"))
    if os.path.exists(p("serviceaccount.yaml")):
        docs += load_all(p("serviceaccount.yaml"))
    sa = by_kind(docs, "ServiceAccount")
    if ck("a ServiceAccount", len(sa) == 1):
        sa = sa[0]
        check_identity(ck, sa, "ServiceAccount", "v1")
        ck("ServiceAccount: automountServiceAccountToken false",
           sa.get("automountServiceAccountToken") is False)
    else:
        sa = None
    check_daemonset(ck, docs, sa, secret_name)

    nad_name = None
    nad = by_kind(load_all(p("multus-nad.yaml")), "NetworkAttachmentDefinition")
    if ck("multus-nad.yaml holds one NetworkAttachmentDefinition", len(nad) == 1):
        nad = nad[0]
        nad_name = check_identity(ck, nad, "NetworkAttachmentDefinition", "k8s.cni.cncf.io/v1")
        cfg = get(nad, "spec.config")
        why = ""
        try:
            conf = json.loads(cfg)
        except (TypeError, ValueError) as e:
            conf = None
            why = str(e)
        if ck("NAD: spec.config is a JSON string holding an object",
              isinstance(cfg, str) and isinstance(conf, dict), why):
            check_plugin_conf(ck, "NAD config", conf, entries)
            ck("NAD config: name is the NAD's name", conf.get("name") == nad_name)
            nad_links = conf.get("links")
            ck("NAD config: a links table", isinstance(nad_links, list) and nad_links)
            nad_links = {e.get("pod"): e for e in nad_links or [] if isinstance(e, dict)}
            ck("NAD config: pods choose no listen or peer (no podArgs)", "podArgs" not in conf)

    pods = by_kind(load_all(p("multus-pod.yaml")), "Pod")
    ck("multus-pod.yaml holds pods", pods)
    links_of = {}
    for pod in pods:
        pname = check_identity(ck, pod, "Pod", "v1")
        cs = get(pod, "spec.containers") or []
        ck("Pod %s: containers with images" % pname, cs and all(c.get("image") for c in cs))
        ann = get(pod, "metadata.annotations") or {}
        why = ""
        try:
            nets = json.loads(ann.get(NETWORKS, ""))
        except ValueError as e:
            nets, why = None, str(e)
        if not ck("Pod %s: %s is a JSON list" % (pname, NETWORKS), isinstance(nets, list) and nets,
                  why):
            continue
        full = "%s/%s" % (get(pod, "metadata.namespace") or "default", pname)
        entry = (nad_links or {}).get(full) or {}
        ck("Pod %s: the NAD's links table has its entry (%s) with link, listen and peer" % (pname, full),
           all(isinstance(entry.get(k), str) for k in ("link", "listen", "peer")), "entry %r" % entry)
        links_of[entry.get("link")] = links_of.get(entry.get("link"), 0) + 1
        for n in nets:
            ck("Pod %s: selects the NAD %s" % (pname, nad_name), n.get("name") == nad_name)
            ck("Pod %s: no cni-args (a pod's author chooses no listen or peer)" % pname,
               not n.get("cni-args"), "cni-args %r" % n.get("cni-args"))
            ck("Pod %s: an interface name" % pname, isinstance(n.get("interface"), str))

    ck("the two pods are the two ends of one link (%s)" % sorted(k for k in links_of if k),
       len(links_of) == 1 and list(links_of.values()) == [2])

    why = ""
    try:
        with open(p("10-tinytaptunnel.conflist")) as fh:
            cl = json.load(fh)
    except ValueError as e:
        cl, why = None, str(e)
    if ck("10-tinytaptunnel.conflist is JSON", isinstance(cl, dict), why):
        ck("conflist: cniVersion, name and a plugins list",
           isinstance(cl.get("cniVersion"), str) and isinstance(cl.get("name"), str)
           and isinstance(cl.get("plugins"), list))
        plugins = [x for x in cl.get("plugins") or [] if x.get("type") == "tinytaptunnel"]
        if ck("conflist: a tinytaptunnel plugin", len(plugins) == 1):
            key_name_ok(ck, "conflist", plugins[0].get("keyFile"), entries)
    return 1 if ck.failed else 0


def conflist_plugin(path):
    with open(path) as fh:
        cl = json.load(fh)
    plugin = next(x for x in cl["plugins"] if x.get("type") == "tinytaptunnel")
    conf = dict(plugin)
    conf["name"] = cl["name"]
    conf["cniVersion"] = cl["cniVersion"]
    return conf


def nad_config(path):
    nad = by_kind(load_all(path), "NetworkAttachmentDefinition")[0]
    return json.loads(nad["spec"]["config"])


def selection(pods_path, index):
    pod = by_kind(load_all(pods_path), "Pod")[index]
    return pod, json.loads(pod["metadata"]["annotations"][NETWORKS])[0]


def multus_delegate(nad_path, pods_path, index):
    conf = nad_config(nad_path)
    _, sel = selection(pods_path, index)
    if sel.get("cni-args"):
        conf.setdefault("args", {})["cni"] = sel["cni-args"]
    caps = conf.get("capabilities") or {}
    rc = {}
    if caps.get("ips") and sel.get("ips"):
        rc["ips"] = sel["ips"]
    if caps.get("mac") and sel.get("mac"):
        rc["mac"] = sel["mac"]
    if rc:
        conf["runtimeConfig"] = rc
    return conf


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "check":
        return check(argv[2])
    if cmd == "conflist-plugin":
        print(json.dumps(conflist_plugin(argv[2])))
    elif cmd == "nad-config":
        print(json.dumps(nad_config(argv[2])))
    elif cmd == "multus-delegate":
        print(json.dumps(multus_delegate(argv[2], argv[3], int(argv[4]))))
    elif cmd == "pod-name":
        pod, _ = selection(argv[2], int(argv[3]))
        print("%s/%s" % (get(pod, "metadata.namespace") or "default", get(pod, "metadata.name")))
    elif cmd == "pod-field":
        pod, sel = selection(argv[2], int(argv[3]))
        v = get(pod, argv[4]) if argv[4].startswith("metadata.") else get(sel, argv[4])
        if v is None:
            return 1
        print(v)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
