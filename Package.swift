// swift-tools-version: 6.1
import PackageDescription

/// Strict settings for every target (Swift 6 language mode is the default for tools 6.x).
let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let nio: [Target.Dependency] = [
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
]

let package = Package(
    name: "chaos",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "chaos", targets: ["chaos"]),
        .executable(name: "raft-node", targets: ["raft-node"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
    ],
    targets: [
        // The command line: argument parsing only.
        .executableTarget(
            name: "chaos",
            dependencies: ["ChaosCore", "ChaosCommands", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),
        // The commands other than `run`, each in a folder named for it: validate, doctor, check, analyze, report
        // and lag. They read plans and run directories; the run itself is ChaosCore.
        .target(
            name: "ChaosCommands",
            dependencies: ["ChaosCore", "ChaosPlan", "ChaosControl", "ChaosNet", "ChaosNemesis", "ChaosHistory",
                           "ChaosChecker", "ChaosReport", "ChaosSupport"],
            swiftSettings: strict),
        // Wires a run end to end: plan -> cluster -> workload/nemesis/sampler -> checkers -> reports.
        .target(
            name: "ChaosCore",
            dependencies: ["ChaosPlan", "ChaosControl", "ChaosNet", "ChaosNemesis", "ChaosWorkload", "ChaosSampler",
                           "ChaosHistory", "ChaosChecker", "ChaosReport", "ChaosSupport"],
            swiftSettings: strict),
        // ChaosChecker for the names of checkers and models a plan may use (`CheckName`, `ModelName`).
        .target(name: "ChaosPlan", dependencies: ["ChaosChecker", "ChaosSupport", .product(name: "Yams", package: "Yams")],
                swiftSettings: strict),
        // The small helpers every module shares (durations, the EINTR loop, PATH search, quoting, the dedicated
        // thread), once.
        .target(name: "ChaosSupport", dependencies: ["CChaosSys"], swiftSettings: strict),
        .target(name: "CChaosSys"),
        // The durability layer's FUSE file system (libfuse3, Debian's libfuse3-dev); see docs/disk.md.
        .target(name: "CChaosFuse", linkerSettings: [.linkedLibrary("fuse3")]),
        // libnl-route-3 for every network change (no ip/tc subprocesses); the shim functions live in its header.
        .systemLibrary(name: "CNetlink", pkgConfig: "libnl-route-3.0",
                       providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]),
        .target(name: "ChaosNet", dependencies: ["CNetlink", "CChaosSys", "ChaosControl", "ChaosPlan", "ChaosSupport"],
                swiftSettings: strict),
        // ChaosPlan for the declarative adapter definitions (`system: custom`) that ChaosControl runs.
        .target(name: "ChaosControl",
                dependencies: ["CChaosSys", "CChaosFuse", "ChaosHistory", "ChaosPlan", "ChaosSupport"] + nio,
                swiftSettings: strict),
        .target(name: "ChaosNemesis",
                dependencies: ["ChaosPlan", "ChaosControl", "ChaosNet", "CChaosSys", "ChaosHistory", "ChaosSupport"],
                swiftSettings: strict),
        // The clients: one session per workload process and system (raft-node, etcd, custom), following the leader.
        .target(name: "ChaosClient", dependencies: ["ChaosControl", "ChaosHistory", "ChaosPlan", "ChaosSupport"] + nio,
                swiftSettings: strict),
        .target(name: "ChaosWorkload",
                dependencies: ["ChaosClient", "ChaosPlan", "ChaosControl", "ChaosHistory", "ChaosSupport"],
                swiftSettings: strict),
        // Polls every node's status API and /proc during a run into samples.jsonl.
        .target(name: "ChaosSampler", dependencies: ["ChaosControl", "ChaosHistory", "ChaosSupport"],
                swiftSettings: strict),
        .target(name: "ChaosHistory", dependencies: ["ChaosSupport"], swiftSettings: strict),
        .target(name: "ChaosChecker", dependencies: ["ChaosHistory", "ChaosSupport"], swiftSettings: strict),
        .target(name: "ChaosReport", dependencies: ["ChaosChecker", "ChaosHistory", "ChaosSupport"],
                swiftSettings: strict),

        // The reference system under test.
        .target(name: "RaftNode", dependencies: ["ChaosSupport"] + nio, swiftSettings: strict),
        .executableTarget(
            name: "raft-node",
            dependencies: ["RaftNode", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict),

        // Benchmarks print figures; they are never timed unit tests.
        .executableTarget(
            name: "chaos-bench",
            dependencies: ["ChaosCore", "ChaosHistory", "ChaosChecker", "ChaosReport", "RaftNode", "RaftNodeHarness",
                           "ChaosControl", "ChaosNet", "ChaosNemesis", "ChaosPlan", "ChaosSupport",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Benchmarks/chaos-bench",
            swiftSettings: strict),

        // Test support: real raft-node processes on loopback and a small blocking HTTP client, for the raft-node
        // tests and benchmarks (kept out of the product).
        .target(name: "RaftNodeHarness", dependencies: ["RaftNode"], path: "Tests/Support/RaftNodeHarness",
                swiftSettings: strict),

        // Test support: the malloc heap in use, for tests that measure what a streaming reader keeps.
        .target(name: "CHeapProbe", path: "Tests/Support/CHeapProbe"),

        // Test support: a stand-in controller that the ChaosControl tests SIGKILL (children must die too).
        .executableTarget(name: "chaos-probe", dependencies: ["ChaosControl"], path: "Tests/Support/chaos-probe",
                          swiftSettings: strict),

        // Test support: a stand-in controller holding a lab, SIGKILLed by the ChaosNet tests (the lab must go too).
        .executableTarget(name: "chaos-net-probe", dependencies: ["ChaosNet", "ChaosPlan"],
                          path: "Tests/Support/chaos-net-probe", swiftSettings: strict),

        // Runs inside the qemu VM of `make test-kernel`: proves netem and partitions on a kernel that has them.
        .executableTarget(name: "chaos-kernel-check", dependencies: ["ChaosNet", "ChaosControl"],
                          path: "Tests/Kernel/chaos-kernel-check", swiftSettings: strict),

        .testTarget(name: "ChaosPlanTests", dependencies: ["ChaosPlan"], swiftSettings: strict),
        .testTarget(name: "ChaosHistoryTests", dependencies: ["ChaosHistory"], swiftSettings: strict),
        // Fixtures/ holds samples recorded from real runs, read by path.
        .testTarget(name: "ChaosCheckerTests", dependencies: ["ChaosChecker", "ChaosHistory", "CHeapProbe"], exclude: ["Fixtures"],
                    swiftSettings: strict),
        .testTarget(name: "ChaosControlTests", dependencies: ["ChaosControl", "CChaosSys"], swiftSettings: strict),
        .testTarget(name: "RaftNodeTests", dependencies: ["RaftNode", "RaftNodeHarness", "ChaosControl"],
                    swiftSettings: strict),
        .testTarget(name: "ChaosNetTests",
                    dependencies: ["ChaosNet", "ChaosNemesis", "ChaosControl", "CChaosSys", "ChaosPlan"],
                    swiftSettings: strict),
        .testTarget(name: "ChaosCoreTests", dependencies: ["ChaosCore", "ChaosCommands"], swiftSettings: strict),
        .testTarget(name: "ChaosSupportTests", dependencies: ["ChaosSupport"], swiftSettings: strict),
        .testTarget(name: "ChaosWorkloadTests",
                    dependencies: ["ChaosWorkload", "ChaosClient", "ChaosControl", "ChaosHistory", "ChaosPlan"],
                    swiftSettings: strict),
        .testTarget(name: "ChaosNemesisTests", dependencies: ["ChaosNemesis", "ChaosNet", "ChaosPlan"],
                    swiftSettings: strict),
        // docs/ checked against the code: the architecture drawing names every source folder, links resolve.
        .testTarget(name: "DocsTests", swiftSettings: strict),
        .testTarget(name: "ChaosReportTests",
                    dependencies: ["ChaosReport", "ChaosCore", "ChaosCommands", "ChaosChecker", "ChaosHistory", "ChaosPlan"],
                    swiftSettings: strict),
    ]
)
