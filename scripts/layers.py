#!/usr/bin/env python3
"""make layers: checks the folder rules of docs/architecture.md.

Reads every source and header under src/ and include/ (and, when given,
the object files of a build) and fails when
  * a folder includes a project header of a folder its rule does not allow
    (an upward include, or a sideways one the table does not list);
  * a file includes a system header that belongs to another folder
    (curses outside console/, mongoc or bson outside store/, curl outside
    net/http.c, yaml outside config/, microhttpd outside api/ and sim/,
    zlib outside output/, pthread in base/ or model/);
  * modules include each other in a circle (a module is foo.c with its
    foo.h; a folder's private *_internal.h counts as its folder's module);
  * with --objects DIR: modules call each other's functions in a circle
    (read with nm from DIR/<folder>/<module>.o).
Prints one line per finding and exits 1 when there is any.
"""
import os
import re
import subprocess
import sys

# Each folder and the folders whose headers it may include (its own always).
# Keep this table and the one in docs/architecture.md the same.
ALLOWED = {
    "base": set(),
    "model": {"base"},
    "config": {"base", "model"},
    "net": {"base"},
    "provider": {"base", "model", "net"},
    "sim": {"base", "model", "provider"},
    "store": {"base", "model"},
    "output": {"base", "model"},
    "engine": {"base", "model", "config", "net", "provider", "store", "output"},
    "api": {"base", "model"},
    "console": {"base", "model", "config", "engine", "api"},
    "cmd": {"base", "model", "config", "net", "provider", "sim", "store", "output",
            "engine", "api", "console"},
}

# System headers that only some places may include: header -> (allowed
# folders, allowed files or None for the whole folder).
SYSTEM = [
    (re.compile(r"^n?curses(w)?/|^n?curses\.h$|^term\.h$"), {"console"}, None),
    (re.compile(r"^mongoc/|^bson/|^mongoc\.h$|^bson\.h$"), {"store"}, None),
    (re.compile(r"^curl/"), {"net"}, {"src/net/http.c", "src/net/smtp.c"}),
    (re.compile(r"^yaml\.h$"), {"config"}, None),
    (re.compile(r"^microhttpd\.h$"), {"api", "sim"}, None),
    (re.compile(r"^zlib\.h$"), {"output"}, None),
]
NO_THREADS = {"base", "model"}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def folder_of(path):
    parts = path.split("/")
    return parts[1] if len(parts) > 2 else None


def module_of(path):
    name = os.path.splitext(os.path.basename(path))[0]
    if name.endswith("_internal"):
        return folder_of(path) + "/" + name[: -len("_internal")]
    return folder_of(path) + "/" + name


def sources(root):
    out = []
    for top in ("src", "include"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in sorted(files):
                if f.endswith((".c", ".h")):
                    out.append(os.path.relpath(os.path.join(dirpath, f), root))
    return sorted(out)


def circles(graph):
    """Strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def edge_list(graph, comp):
    s = set(comp)
    return ", ".join(
        "%s -> %s" % (a, b) for a in sorted(comp) for b in sorted(graph.get(a, ())) if b in s)


def check(root, objdir):
    bad = []
    files = sources(root)
    known = {}  # "folder/name.h" -> path
    for p in files:
        if p.startswith("include/") and folder_of(p):
            known[folder_of(p) + "/" + os.path.basename(p)] = p
    graph = {}
    for p in files:
        folder = folder_of(p)
        if folder is None:
            bad.append("%s: not in a layer folder" % p)
            continue
        if folder not in ALLOWED:
            bad.append("%s: folder %s has no rule in scripts/layers.py" % (p, folder))
            continue
        mod = module_of(p)
        graph.setdefault(mod, set())
        text = open(os.path.join(root, p), encoding="utf-8", errors="replace").read()
        for m in INCLUDE.finditer(text):
            kind, name = m.group(1), m.group(2)
            line = text.count("\n", 0, m.start()) + 1
            if kind == "<":
                for pat, folders, only in SYSTEM:
                    if pat.search(name) and (folder not in folders or
                                             (only is not None and p.startswith("src/") and
                                              p not in only)):
                        bad.append("%s:%d: <%s> is not for %s/" % (p, line, name, folder))
                if name == "pthread.h" and folder in NO_THREADS:
                    bad.append("%s:%d: <pthread.h> in %s/ (no threads below the edge)" %
                               (p, line, folder))
                continue
            if "/" not in name:
                # a private header beside the file (store_internal.h)
                if os.path.exists(os.path.join(root, os.path.dirname(p), name)):
                    graph[mod].add(module_of(os.path.join(os.path.dirname(p), name)))
                    continue
                bad.append('%s:%d: "%s" does not name its layer (write "folder/%s")' %
                           (p, line, name, name))
                continue
            target = name.split("/")[0]
            if name not in known:
                bad.append('%s:%d: "%s" is not a header of include/' % (p, line, name))
                continue
            if target != folder and target not in ALLOWED[folder]:
                bad.append('%s:%d: %s/ may not include "%s" (allowed: %s)' %
                           (p, line, folder, name, ", ".join(sorted(ALLOWED[folder])) or "none"))
            tmod = module_of(known[name])
            if tmod != mod:
                graph[mod].add(tmod)
    for comp in circles(graph):
        bad.append("include circle: %s (%s)" % (" ".join(comp), edge_list(graph, comp)))

    if objdir:
        defs, uses = {}, {}
        for dirpath, _, fs in os.walk(objdir):
            for f in sorted(fs):
                if not f.endswith(".o"):
                    continue
                path = os.path.join(dirpath, f)
                mod = os.path.relpath(path, objdir)[:-2]
                if "/" not in mod or mod.split("/")[0] not in ALLOWED:
                    continue  # not a layer's object (a stale one from an older layout)
                out = subprocess.run(["nm", path], capture_output=True, text=True,
                                     check=True).stdout
                for ln in out.splitlines():
                    parts = ln.split()
                    if len(parts) == 2 and parts[0] == "U":
                        uses.setdefault(mod, set()).add(parts[1])
                    elif len(parts) == 3 and parts[1] in "TDBRC":
                        defs[parts[2]] = mod
        calls = {}
        for mod, syms in uses.items():
            calls.setdefault(mod, set())
            for s in syms:
                if s in defs and defs[s] != mod:
                    calls[mod].add(defs[s])
        for mod, targets in sorted(calls.items()):
            folder = mod.split("/")[0]
            for t in sorted(targets):
                tf = t.split("/")[0]
                if folder in ALLOWED and tf != folder and tf not in ALLOWED[folder]:
                    bad.append("%s.o calls into %s (not allowed for %s/)" % (mod, t, folder))
        for comp in circles(calls):
            bad.append("call circle: %s (%s)" % (" ".join(comp), edge_list(calls, comp)))
    return bad


def main():
    root = "."
    objdir = None
    args = sys.argv[1:]
    while args:
        a = args.pop(0)
        if a == "--objects":
            objdir = args.pop(0)
        else:
            root = a
    bad = check(root, objdir)
    for b in bad:
        print("layers: " + b)
    if bad:
        print("layers: %d finding(s); the rules are in docs/architecture.md" % len(bad))
        return 1
    print("layers: ok (%d files)" % len(sources(root)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
