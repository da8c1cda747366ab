# chaos — the two commands that work on a fresh machine: `make demo` and `make test`.
# Each installs what is missing first (Debian packages via apt-get; idempotent).

SWIFT ?= swift
# Debian packages the project needs: pkg-config for the C shims' system libraries; chromium for the report's
# browser test.
PACKAGES := pkg-config chromium
PLAN ?= plans/quickstart.yaml

.PHONY: setup build release test demo bench bench-node bench-check print-packages clean

print-packages:
	@echo $(PACKAGES)

# Installs missing Debian packages (needs root or sudo); a no-op when everything is there.
setup:
	@missing=$$(for p in $(PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing: $$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: setup
	$(SWIFT) build

release: setup
	$(SWIFT) build -c release --product chaos
	$(SWIFT) build -c release --product raft-node

# The test suite starts real processes (raft-node, the supervisor probe), so everything is built first.
test: build
	$(SWIFT) test

# Runs the quickstart plan against three real raft-node processes (release build: it is the speed users see).
demo: release
	.build/release/chaos run $(PLAN)

bench: release
	$(SWIFT) build -c release --product chaos-bench
	.build/release/chaos-bench recorder

bench-node: release
	$(SWIFT) build -c release --product chaos-bench
	.build/release/chaos-bench node --binary .build/release/raft-node

bench-check: setup
	$(SWIFT) build -c release --product chaos-bench
	.build/release/chaos-bench check

clean:
	rm -rf .build runs
