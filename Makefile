# chaos — the two commands that work on a fresh machine: `make demo` and `make test`.
# Each installs what is missing first (Debian packages via apt-get; idempotent).

SWIFT ?= swift
# Debian packages the project needs: pkg-config for the C shims' system libraries, libnl for netlink, time for
# benchmark figures, chromium for the report's browser test, etcd-server for `system: etcd` (its plans and
# tests), python3-venv for the workflow linters, libfuse3-dev and fuse3 for the disk layer (`disk: cached`); qemu,
# the cloud kernel (it has sch_netem as a module), static busybox and cpio for `make test-kernel`.
# The kernel test's packages only where they exist: Debian on amd64 (Ubuntu has no linux-image-cloud-amd64).
ARCH := $(shell dpkg --print-architecture 2>/dev/null)
KERNEL_PACKAGES := qemu-system-x86 linux-image-cloud-amd64 busybox-static cpio
KERNEL_TEST := $(if $(filter amd64,$(ARCH)),$(shell apt-cache show linux-image-cloud-amd64 >/dev/null 2>&1 && echo yes))
PACKAGES := pkg-config libnl-3-dev libnl-route-3-dev time chromium fonts-dejavu-core etcd-server python3-venv \
	libfuse3-dev fuse3 $(if $(KERNEL_TEST),$(KERNEL_PACKAGES))
PLAN ?= plans/quickstart.yaml

.PHONY: setup build release test test-kernel lint-workflows demo bench bench-node bench-check bench-net bench-freeze \
	bench-report bench-disk bench-controller bench-detect bench-judge nightly print-packages clean

print-packages:
	@echo $(PACKAGES)

# Installs missing Debian packages (needs root or sudo); a no-op when everything is there.
setup:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product chaos
	$(SWIFT) build -c release --product raft-node

# The test suite starts real processes (raft-node, the supervisor probe), so everything is built first.
# The kernel test runs first so that `swift test`'s summary stays the last thing printed; its failure still
# fails `make test`. It is skipped only outside CI on a machine without qemu.
test: build lint-workflows
	@kernel=0; \
	if [ -n "$(KERNEL_TEST)" ] && { [ -n "$$CI" ] || command -v qemu-system-x86_64 >/dev/null 2>&1; }; then \
		$(MAKE) --no-print-directory test-kernel || kernel=$$?; \
	else \
		echo "test-kernel skipped: needs Debian's linux-image-cloud-amd64 on amd64 and qemu (make setup installs them)"; \
	fi; \
	$(SWIFT) test --no-parallel || exit $$?; \
	if [ $$kernel != 0 ]; then echo "make test: test-kernel failed (console in .build/kernel/console.log)"; exit 1; fi

# The netem path on a real kernel: boots the Debian cloud kernel under qemu (TCG) with the checks in an
# initramfs; passes only on the VM's `KERNEL-TEST PASS` line (docs/kernel-test.md).
test-kernel: setup
	SWIFT=$(SWIFT) bash Tests/Kernel/test-kernel.sh

# The GitHub workflows, checked here so that a broken one fails before it reaches GitHub: the workflow schema
# (check-jsonschema) and zizmor's audits (pinned actions, permissions, injection). Both come from PyPI as wheels
# into a venv under .build/ (never committed); zizmor runs offline.
VENV := .build/venv
lint-workflows: setup
	@[ -x $(VENV)/bin/zizmor ] && [ -x $(VENV)/bin/check-jsonschema ] || \
		{ python3 -m venv $(VENV) && $(VENV)/bin/pip install -q --disable-pip-version-check check-jsonschema zizmor; }
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(VENV)/bin/zizmor --offline --no-progress .github/workflows

# Runs the quickstart plan against three real raft-node processes (release build: it is the speed users see).
demo: release
	.build/release/chaos run $(PLAN)

bench: release
	$(SWIFT) build -c release --product chaos-bench
	.build/release/chaos-bench recorder

# raft-node's own PUT throughput, then one chaos workload against raft-node and etcd: both ok/s and the ratio.
bench-node: release
	$(SWIFT) build -c release --product chaos-bench
	.build/release/chaos-bench node --binary .build/release/raft-node
	.build/release/chaos-bench systems --raft-node .build/release/raft-node

# The shared corpus (per-file and total times, peak memory); generated invalid histories (goal: each < 1 s and
# < 256 MiB) and the limits (exponential history: 2 s limit kept within 100 ms, memory limit within 10 %); then a
# real ~100k-op cas-register run checked offline (goal: < 10 s and < 1 GiB).
bench-check: release
	$(SWIFT) build -c release --product chaos-bench
	.build/release/chaos-bench check
	.build/release/chaos-bench check-invalid
	.build/release/chaos run plans/cas-100k.yaml --quiet --out .build/bench-runs
	/usr/bin/time -f "100k-op history checked offline: %e s wall, %M KiB peak RSS" \
		.build/release/chaos check .build/bench-runs/latest/history.jsonl --model cas-register

# Peak RSS of judging stored runs of 100k, 500k and 2M operations (`chaos analyze` in a child process per size):
# judging reads history.jsonl as a stream, so only the linearizability checker's batch of keys grows with the run.
bench-judge: release
	$(SWIFT) build -c release --product chaos-bench
	.build/release/chaos-bench judge-memory

# Log-informed checking on a real 100k-op run where many writes end `info` (leader slowed past the client timeout,
# paused): the check with the followed log.jsonl and without it (goal with the log: < 5 s, < 1 GiB).
bench-log: release
	$(SWIFT) build -c release --product chaos-bench
	.build/release/chaos run plans/cas-100k-info.yaml --quiet --out .build/bench-runs || true
	.build/release/chaos-bench log-check .build/bench-runs/latest
	/usr/bin/time -f "with the log (chaos check RUN): %e s wall, %M KiB peak RSS" \
		.build/release/chaos check .build/bench-runs/latest --model cas-register --registers-start-absent || true
	/usr/bin/time -f "without the log: %e s wall, %M KiB peak RSS" \
		.build/release/chaos check .build/bench-runs/latest/history.jsonl --model cas-register \
		--registers-start-absent || true

# Thread-freeze latency: decision -> every matching thread of a real raft-node confirmed in tracing stop.
bench-freeze: release
	$(SWIFT) build -c release --product chaos-bench
	.build/release/chaos-bench freeze --binary .build/release/raft-node

# raft-node PUTs/s with its data on chaos's FUSE disk layer vs the plain directory (goal >= 50 %), and the time a
# power failure takes to take effect (root: it mounts FUSE).
bench-disk: release
	$(SWIFT) build -c release --product chaos-bench
	.build/release/chaos-bench disk --binary .build/release/raft-node

# Time to detection of the two racy seed bugs with and without scheduling faults (docs/scheduling-faults.md):
# N runs each way (seeds varied), runs without them capped at CAP; per-run times, means, ratio, ok ops/s.
bench-detect: release
	N=$${N:-5} CAP=$${CAP:-10m} CHAOS=.build/release/chaos bash scripts/bench-detect.sh

# Fault-apply latency through netlink (p50/p99 over 300 applications) next to an `ip`/`tc` process (root).
bench-net: setup
	$(SWIFT) build -c release --product chaos-bench
	.build/release/chaos-bench net

# report.html for a synthetic 1-hour, 5-node run (36,000 samples per node, 1M ops): time and file size.
bench-report: setup
	$(SWIFT) build -c release --product chaos-bench
	.build/release/chaos-bench report

# The controller's own cost (issue 13): RSS while recording an hour's volume (goal < 50 MB), CPU per operation
# of the client path and of a whole `chaos run` unthrottled (goal <= 60 us) and at 500 ops/s (where each
# operation also pays the loop's wake-ups), RSS growth of that run per hour.
bench-controller: release
	$(SWIFT) build -c release --product chaos-bench
	.build/release/chaos-bench memory
	.build/release/chaos-bench client --raft-node .build/release/raft-node
	.build/release/chaos-bench controller --chaos .build/release/chaos --raft-node .build/release/raft-node
	.build/release/chaos-bench controller --chaos .build/release/chaos --raft-node .build/release/raft-node \
		--rate 0 --duration 30s

# Longer plans, every seed plan and a 10-minute soak on the release build (scripts/nightly.sh); fails when a
# plan does not end as expected. SOAK=1h for a longer soak; ONLY=REGEX runs only the plans whose path matches.
nightly: release
	bash scripts/nightly.sh

clean:
	rm -rf .build runs
