#!/usr/bin/env bash
# make test-kernel: build chaos, raft-node and chaos-kernel-check (release, static Swift stdlib), pack them with
# busybox, their shared libraries and the network modules into an initramfs, boot the Debian cloud kernel under
# qemu (TCG) and judge the console: `KERNEL-TEST PASS` exits 0, anything else (a FAIL line, no line, the
# timeout) exits 1. Everything it makes lives in .build/kernel/.
#
# Environment: SWIFT (swift), KERNEL (/boot/vmlinuz-*-cloud-amd64, newest), VM_TIMEOUT (900 s for the boot and
# the checks), CHECK_TIMEOUT (600 s for chaos-kernel-check inside the VM), PRODUCTS (what goes into the VM;
# chaos-kernel-check and raft-node are required), SKIP_BUILD=1 (reuse the release binaries already built).
set -euo pipefail
cd "$(dirname "$0")/../.."
SWIFT=${SWIFT:-swift}
VM_TIMEOUT=${VM_TIMEOUT:-900}
PRODUCTS=${PRODUCTS:-chaos-kernel-check raft-node chaos}
CHECK_TIMEOUT=${CHECK_TIMEOUT:-600}
OUT=.build/kernel
ROOT=$OUT/root
started=$(date +%s)
say() { echo "test-kernel: $*"; }
fail() { say "FAIL: $*"; exit 1; }

KERNEL=${KERNEL:-$(ls -1 /boot/vmlinuz-*-cloud-amd64 2>/dev/null | sort -V | tail -1 || true)}
[ -n "$KERNEL" ] && [ -r "$KERNEL" ] || fail "no cloud kernel in /boot; apt-get install linux-image-cloud-amd64"
VERSION=${KERNEL#*/vmlinuz-}
MODULES=/lib/modules/$VERSION
[ -r "$MODULES/modules.dep" ] || fail "no $MODULES/modules.dep for kernel $VERSION"
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 missing; apt-get install qemu-system-x86"
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 || fail "no static busybox; apt-get install busybox-static"

# 1. The binaries: release, Swift runtime linked in, so only glibc and libnl remain to copy.
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    for product in $PRODUCTS; do
        say "building $product"
        "$SWIFT" build -c release --static-swift-stdlib --product "$product"
    done
fi
BIN=$("$SWIFT" build -c release --static-swift-stdlib --show-bin-path)
built=$(date +%s)

# 2. The root file system.
rm -rf "$ROOT"
mkdir -p "$ROOT"/{bin,etc,proc,sys,dev,tmp,lib/modules}
cp "$BUSYBOX" "$ROOT/bin/busybox"
ln -s busybox "$ROOT/bin/sh"
for product in $PRODUCTS; do
    # Symbols are half the size of a Swift binary and the VM unpacks every byte under emulation.
    strip -o "$ROOT/bin/$product" "$BIN/$product"
    # ldd lists `name => /path (addr)` and the loader as `/path (addr)`: copy each to the same path.
    ldd "$BIN/$product" | awk '/=> \// {print $3} /^\t\// {print $1}' | while read -r library; do
        mkdir -p "$ROOT$(dirname "$library")"
        cp -L "$library" "$ROOT$library"
    done
done
cp Tests/Kernel/init "$ROOT/init"
mkdir -p "$ROOT/etc/chaos-plans"
cp Tests/Kernel/plans/*.yaml "$ROOT/etc/chaos-plans/"
chmod +x "$ROOT/init"
echo "$CHECK_TIMEOUT" > "$ROOT/etc/chaos-check-timeout"

# 3. The modules, each after the modules it needs (modules.dep: `path: dep1 dep2 ...`).
ordered=()
add_module() {
    local path=$1 dependency
    for seen in "${ordered[@]}"; do [ "$seen" = "$path" ] && return 0; done
    for dependency in $(awk -v m="$path:" '$1 == m { $1 = ""; print }' "$MODULES/modules.dep"); do
        add_module "$dependency"
    done
    ordered+=("$path")
}
for name in veth bridge sch_htb cls_u32 sch_netem sch_tbf sch_prio; do
    path=$(awk -F: -v n="/$name.ko" 'index($1, n) && substr($1, length($1) - length(n) + 1) == n {print $1}' \
        "$MODULES/modules.dep" | head -1)
    if [ -z "$path" ]; then
        # Built into the kernel: nothing to load.
        grep -q "/$name.ko$" "$MODULES/modules.builtin" 2>/dev/null || fail "module $name not in $MODULES"
        continue
    fi
    add_module "$path"
done
: > "$ROOT/etc/chaos-modules"
for path in "${ordered[@]}"; do
    mkdir -p "$ROOT/lib/modules/$(dirname "$path")"
    case "$path" in
        *.xz) xz -dc "$MODULES/$path" > "$ROOT/lib/modules/${path%.xz}"; path=${path%.xz} ;;
        *.zst) zstd -qdc "$MODULES/$path" > "$ROOT/lib/modules/${path%.zst}"; path=${path%.zst} ;;
        *) cp "$MODULES/$path" "$ROOT/lib/modules/$path" ;;
    esac
    echo "$path" >> "$ROOT/etc/chaos-modules"
done
say "modules in load order: $(tr '\n' ' ' < "$ROOT/etc/chaos-modules")"

# 4. The initramfs.
(cd "$ROOT" && find . | cpio -o -H newc --quiet) | gzip -1 > "$OUT/initramfs.cpio.gz"
say "initramfs $(du -h "$OUT/initramfs.cpio.gz" | cut -f1) (root $(du -sh "$ROOT" | cut -f1)), kernel $VERSION"
packed=$(date +%s)

# 5. Boot. KVM hangs on this host, so TCG; the console is the serial port, kept in console.log.
LOG=$OUT/console.log
set +e
timeout --kill-after=10 "$VM_TIMEOUT" qemu-system-x86_64 -accel tcg -m 2048 -smp 2 -nographic -no-reboot -nic none \
    -kernel "$KERNEL" -initrd "$OUT/initramfs.cpio.gz" -append "console=ttyS0 panic=-1 quiet" \
    < /dev/null 2>&1 | tee "$LOG"
qemu_status=${PIPESTATUS[0]}
set -e
finished=$(date +%s)
say "build $((built - started)) s, pack $((packed - built)) s, VM $((finished - packed)) s," \
    "total $((finished - started)) s"

result=$(grep -a -o 'KERNEL-TEST [A-Z].*' "$LOG" | tr -d '\r' | tail -1 || true)
if [ "$result" = "KERNEL-TEST PASS" ]; then
    say "PASS"
    exit 0
elif [ -n "$result" ]; then
    fail "${result#KERNEL-TEST FAIL: }"
elif [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; then
    fail "no result within $VM_TIMEOUT s (console in $LOG)"
else
    fail "the VM ended without a result line (qemu exit $qemu_status; console in $LOG)"
fi
