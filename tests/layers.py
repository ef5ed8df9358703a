#!/usr/bin/env python3
"""
make layers: the floor plan holds. Prints one line per violation
(file:line: rule: detail) and exits 1 if there is any.

 1. Includes (C, .S, NASM %include): a file includes only headers of its own
    layer, the layers below, and include/. Each #include is resolved as the
    compiler would (the file's folder, then every include folder), so
    "../../object/include/x.h" counts as object/. root/ may include include/,
    lib/ and root/; boot/efi/ include/, lib/, boot/include/ and boot/efi/;
    include/ only include/.
 2. Symbols (nm on the built objects): an undefined symbol of a kernel object
    is defined in its own layer or below. Symbols no kernel object defines
    (linker-script symbols, the weak kernel_selftest) are fine. A root task
    object is built from lib/ or root/ and uses no symbol only a kernel-only
    folder defines.
 3. VMCS: vmread/vmwrite (inline asm or .asm), vmcs_read*/vmcs_write* and
    VMCS_* field macros appear only in vmx/ (the field ids of the
    Hypervisor.framework API in root/hvf/ excepted); and no kernel object built from
    another folder holds a VMX instruction (objdump), so an inline function
    from a vmx/ header cannot carry one out either.
 4. No file cycles: among the kernel's objects, no two source files need
    each other (directly or round a longer loop) through the symbols they
    reference.

tests/kernel/ (the self-test) is exempt from all three, and so are the host
unit tests (tests/unit/) and the guest payloads (guest/), which are no part
of the hypervisor.

Inputs: LAYERS (bottom-up folder list), KOBJS and ROOT_OBJS (object files)
from the environment, as the Makefile passes them. Without them LAYERS is read
from the Makefile and the objects are found under build/.
"""
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SOURCE_EXTS = (".c", ".h", ".S", ".asm", ".inc")
EXEMPT = ("tests", "guest", "build", "scripts")

violations = []


def report(where, rule, detail):
    violations.append(f"{where}: {rule}: {detail}")


def read_layers():
    env = os.environ.get("LAYERS", "").split()
    if env:
        return env
    with open(os.path.join(ROOT, "Makefile")) as f:
        for line in f:
            m = re.match(r"\s*LAYERS\s*:?=\s*(.*)", line)
            if m:
                return m.group(1).split()
    sys.exit("layers: no LAYERS in the environment or the Makefile")


LAYERS = read_layers()
LAYER_NO = {l: i + 1 for i, l in enumerate(LAYERS)}     # 1-based, as in the Makefile


def under(path, folder):
    return path == folder or path.startswith(folder + "/")


# Folders that own files, longest first so boot/efi wins over boot.
OWNERS = sorted(set(LAYERS) | {"include", "root", "boot/efi", "tests/kernel", "tests/unit", "guest"},
                key=len, reverse=True)


def owner(path):
    for o in OWNERS:
        if under(path, o):
            return o
    return os.path.dirname(path) or "."


def describe(folder):
    return f"{folder}/ (layer {LAYER_NO[folder]})" if folder in LAYER_NO else f"{folder}/"


# ---- who may include what ------------------------------------------------------

def scope_of(path):
    """(scope folder, rule name, folders it may include, its -I folders) or None."""
    o = owner(path)
    if o in LAYER_NO:
        below = LAYERS[:LAYER_NO[o]]
        return (o, "upward include", ["include"] + below,
                ["include"] + [l + "/include" for l in below])
    if o == "root":
        return (o, "root task include", ["include", "lib", "root"],
                ["include", "lib/include", "root/include"])
    if o == "boot/efi":
        return (o, "EFI loader include", ["include", "lib", "boot/include", "boot/efi"],
                ["include", "lib/include", "boot/include"])
    if o == "include":
        return (o, "shared header include", ["include"], ["include"])
    return None


# Every include folder, to find where a header the build would not see lives.
ALL_INC = ["include"] + [l + "/include" for l in LAYERS] + ["root/include", "tests/kernel"]

C_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"]+)[>"]', re.M)
ASM_INCLUDE = re.compile(r'^[ \t]*%include[ \t]+(["<])([^">]+)[">]', re.M)


def resolve(path, inc, quoted, is_asm, inc_dirs):
    dirs = ([os.path.dirname(path)] if quoted or is_asm else [])
    dirs += (["."] if is_asm else []) + inc_dirs + [d for d in ALL_INC if d not in inc_dirs]
    for d in dirs:
        cand = os.path.normpath(os.path.join(d, inc))
        if not cand.startswith("..") and os.path.isfile(os.path.join(ROOT, cand)):
            return cand
    return None                         # a system header (stdint.h, efi.h)


def strip_c(text, keep_strings=True):
    """Blank out comments (and string/char literals unless keep_strings), keeping lines."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(text[i:j] if keep_strings else c + " " * (j - i - 2) + c)
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def strip_nasm(text):
    """Blank out ';' comments of NASM source (quotes respected)."""
    lines = []
    for line in text.split("\n"):
        q = None
        for k, ch in enumerate(line):
            if q:
                q = None if ch == q else q
            elif ch in "\"'`":
                q = ch
            elif ch == ";":
                line = line[:k]
                break
        lines.append(line)
    return "\n".join(lines)


def line_of(text, pos):
    return text.count("\n", 0, pos) + 1


def check_includes(path, text, is_asm):
    scope = scope_of(path)
    if not scope:
        return
    folder, rule, allowed, inc_dirs = scope
    pattern = ASM_INCLUDE if is_asm else C_INCLUDE
    for m in pattern.finditer(text):
        target = resolve(path, m.group(2), m.group(1) == '"', is_asm, inc_dirs)
        if target is None or under(target, "build") or any(under(target, a) for a in allowed):
            continue                    # a system header, a generated one, or allowed
        where = owner(target)
        outside = rule == "upward include" and where not in LAYER_NO
        report(f"{path}:{line_of(text, m.start())}", "include outside the layers" if outside else rule,
               f'"{m.group(2)}" is {target} in {describe(where)}; {describe(folder)} may include only '
               + ", ".join(a + "/" for a in allowed))


# ---- VMCS access only in vmx/ ----------------------------------------------------

VMX_INSN = re.compile(r"\bvm(read|write)\b", re.I)
VMCS_NAME = re.compile(r"\b(vmcs_(?:read|write)\w*|VMCS_[A-Z0-9_]+)\b")
ASM_STMT = re.compile(r"\b(?:__asm__|__asm|asm)\b[\w\s]*\(")
STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def asm_strings(code):
    """(offset, text) of each string literal inside an inline asm statement."""
    for m in ASM_STMT.finditer(code):
        depth, j = 1, m.end()
        while j < len(code) and depth:
            if code[j] == '"':
                s = STRING.match(code, j)
                if s:
                    yield s.start(), s.group(0)
                    j = s.end()
                    continue
            depth += {"(": 1, ")": -1}.get(code[j], 0)
            j += 1


def check_vmcs(path, text, is_asm):
    if under(path, "vmx"):
        return
    hits = {}
    if is_asm:
        code = strip_nasm(text)
        for m in VMX_INSN.finditer(code):
            hits.setdefault(line_of(code, m.start()), []).append(m.group(0))
    else:
        code = strip_c(text)
        for pos, s in asm_strings(code):
            for m in VMX_INSN.finditer(s):
                hits.setdefault(line_of(code, pos), []).append(m.group(0) + " (inline asm)")
        if path.endswith(".S"):
            for m in VMX_INSN.finditer(code):
                hits.setdefault(line_of(code, m.start()), []).append(m.group(0))
        # root/hvf/ is the Hypervisor.framework API for root-task programs: its
        # VMCS_* names are field ids passed to hypercalls, not VMCS accesses.
        bare = "" if under(path, "root/hvf") else strip_c(text, keep_strings=False)
        for m in VMCS_NAME.finditer(bare):
            hits.setdefault(line_of(bare, m.start()), []).append(m.group(1))
    for line, what in sorted(hits.items()):
        report(f"{path}:{line}", "VMCS access outside vmx/", ", ".join(dict.fromkeys(what)))


def scan_sources():
    for dirpath, dirnames, files in os.walk(ROOT):
        rel_dir = os.path.relpath(dirpath, ROOT)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".")
                             and os.path.normpath(os.path.join(rel_dir, d)) not in EXEMPT)
        for name in sorted(files):
            if not name.endswith(SOURCE_EXTS):
                continue
            path = os.path.normpath(os.path.join(rel_dir, name))
            with open(os.path.join(ROOT, path), errors="replace") as f:
                text = f.read()
            is_asm = name.endswith((".asm", ".inc"))
            check_includes(path, text, is_asm)
            check_vmcs(path, text, is_asm)


# ---- symbols: nm on the built objects --------------------------------------------

def nm(args, objs):
    """{object: [(type, symbol, rest of line)]} from one nm run over objs."""
    out = {o: [] for o in objs}
    if not objs:
        return out
    r = subprocess.run(["nm", "-A"] + args + objs, cwd=ROOT, capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"layers: nm: {r.stderr.strip()}")
    for line in r.stdout.splitlines():
        m = re.match(r"(\S+?):\s*(?:[0-9a-f]+\s+)?([A-Za-z])\s+(\S+)\s*(.*)", line)
        if m:
            out[m.group(1)].append((m.group(2), m.group(3), m.group(4)))
    return out


def defined(objs):
    """{object: {symbol: strong?}} of the global symbols each defines."""
    return {o: {sym: t not in "wWvV" for t, sym, _ in syms}
            for o, syms in nm(["-g", "--defined-only"], objs).items()}


def undefined(objs):
    """{object: [symbol]} of the symbols each uses but does not define."""
    return {o: [sym for _, sym, _ in syms] for o, syms in nm(["-u"], objs).items()}


def ref_line(obj, sym):
    """(source, line) nm -l finds for obj's first reference to sym (slow: only on a violation)."""
    for _, s, rest in nm(["-u", "-l"], [obj])[obj]:
        m = re.match(r"(\S+):(\d+)$", rest)
        if s == sym and m:
            return os.path.relpath(os.path.normpath(m.group(1)), ROOT), m.group(2)
    return None


def source_of(obj, build_dir):
    stem = os.path.relpath(obj, build_dir)[:-2]
    for ext in (".c", ".asm", ".S"):
        if os.path.isfile(os.path.join(ROOT, stem + ext)):
            return stem + ext
    return None


def objects(var, build_dir):
    """[(object, its source)]; without the variable, every object with a source."""
    listed = os.environ.get(var)
    objs = listed.split() if listed is not None else sorted(
        os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, build_dir, "**", "*.o"), recursive=True))
    out = []
    for o in objs:
        if not os.path.isfile(os.path.join(ROOT, o)):
            sys.exit(f"layers: {o} is missing: build first (make layers builds what it needs)")
        src = source_of(o, build_dir)
        if src or listed is not None:
            out.append((o, src or o))
    return out


def location(obj, sym, src):
    """file:line of obj's reference to sym (nm names NASM sources oddly: fall back to src)."""
    where = ref_line(obj, sym)
    if not where:
        return src
    path, line = where
    if not os.path.isfile(os.path.join(ROOT, path)):
        path = src
    return f"{path}:{line}" if path == src else f"{path}:{line} (in {src})"


def check_cycles(uses):
    """Report every strongly connected set of two or more source files (Tarjan)."""
    index, low, stack, on_stack, n = {}, {}, [], set(), [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(uses.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                report(sorted(scc)[0], "file cycle", " <-> ".join(sorted(scc)) +
                       " reference each other's symbols")

    for v in sorted(uses):
        if v not in index:
            visit(v)


VMX_OPCODES = re.compile(r"\t(vmread|vmwrite|vmptrld|vmptrst|vmclear|vmlaunch|vmresume|vmxon|"
                         r"vmxoff|invept|invvpid)\b")


def check_vmx_instructions(kobjs):
    """VMX instructions in the machine code of objects built outside vmx/."""
    objs = {o: s for o, s in kobjs if owner(s) != "vmx"}
    if not objs:
        return
    r = subprocess.run(["objdump", "-d", "--no-show-raw-insn"] + sorted(objs), cwd=ROOT,
                       capture_output=True, text=True)
    if r.returncode:
        sys.exit(f"layers: objdump: {r.stderr.strip()}")
    obj, func, seen = None, None, set()
    for line in r.stdout.splitlines():
        m = re.match(r"(\S+\.o):\s+file format", line)
        if m:
            obj = m.group(1)
            continue
        m = re.match(r"[0-9a-f]+ <(.+)>:", line)
        if m:
            func = m.group(1)
            continue
        m = VMX_OPCODES.search(line)
        if m and obj in objs and (obj, func) not in seen:
            seen.add((obj, func))
            report(objs[obj], "VMX instruction outside vmx/",
                   f"{m.group(1)} in {func} (an inline from a vmx/ header?)")


def check_symbols():
    kobjs = [(o, s) for o, s in objects("KOBJS", "build/k") if not under(s, "tests")]
    robjs = objects("ROOT_OBJS", "build/root")
    if not kobjs or not robjs:
        sys.exit("layers: no kernel or root task objects under build/: build first (make layers)")
    kdef, kundef = defined([o for o, _ in kobjs]), undefined([o for o, _ in kobjs])
    check_vmx_instructions(kobjs)
    rdef, rundef = defined([o for o, _ in robjs]), undefined([o for o, _ in robjs])

    defs = {}                           # symbol -> [(layer number, source, strong)]
    for obj, src in kobjs:
        for sym, strong in kdef[obj].items():
            defs.setdefault(sym, []).append((LAYER_NO.get(owner(src), 0), src, strong))

    uses = {}                           # source -> {source it references}
    for obj, src in kobjs:
        for sym in kundef[obj]:
            d = defs.get(sym)
            if d:
                uses.setdefault(src, set()).add(min([x for x in d if x[2]] or d)[1])
    check_cycles(uses)

    for obj, src in kobjs:
        mine = owner(src)
        if mine not in LAYER_NO:
            report(src, "kernel object outside the layers", f"{obj} is in none of {' '.join(LAYERS)}")
            continue
        for sym in kundef[obj]:
            d = defs.get(sym)           # none: a linker-script symbol or the weak kernel_selftest
            if not d:
                continue
            d = min([x for x in d if x[2]] or d)        # the strong definition wins the link
            if d[0] > LAYER_NO[mine]:
                report(location(obj, sym, src), "upward reference",
                       f"{describe(mine)} uses {sym}, defined in {d[1]} in {describe(owner(d[1]))}")

    root_defs = set()
    for obj, src in robjs:
        root_defs |= set(rdef[obj])
        if owner(src) not in ("lib", "root"):
            report(src, "root task object", f"{obj} is built from {describe(owner(src))}, a "
                   "kernel-only folder; the root task may use only include/, lib/, root/")
    for obj, src in robjs:
        for sym in rundef[obj]:
            d = defs.get(sym)
            if sym in root_defs or not d or all(owner(x[1]) == "lib" for x in d):
                continue
            report(location(obj, sym, src), "root task reference",
                   f"{sym} is defined only in the kernel ({d[0][1]}); the root task may use only "
                   "include/, lib/, root/")


def main():
    os.chdir(ROOT)
    scan_sources()
    check_symbols()
    for v in violations:
        print(v)
    if violations:
        print(f"layers: {len(violations)} violation(s) of the floor plan ({' < '.join(LAYERS)})")
        return 1
    print(f"layers: ok ({' < '.join(LAYERS)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
