// swift-tools-version: 6.1
import Foundation
import PackageDescription

// librdkafka 2.8.0, built by `make deps` (scripts/librdkafka.sh) into .deps/librdkafka: linked
// from there, and found there at run time through the rpath (the checkout's absolute path, and
// the same folder relative to the built binary for a checkout that moved). Without the folder
// the linker skips the path and the system's librdkafka is used, which Sources/CRdKafka/shim.h
// accepts from 2.2 on. Not made conditional on the folder: SwiftPM caches a manifest's
// evaluation by its text (~/.cache/org.swift.swiftpm/manifests), so a `swift build` run before
// `make deps` kept the flags out of every later build ("cannot find -lrdkafka").
let librdkafkaLib = Context.packageDirectory + "/.deps/librdkafka/lib"
let librdkafkaLinking: [LinkerSetting] = [
  .unsafeFlags([
    "-L", librdkafkaLib, "-Xlinker", "-rpath", "-Xlinker", librdkafkaLib,
    "-Xlinker", "-rpath", "-Xlinker", "$ORIGIN/../../../.deps/librdkafka/lib",
  ])
]

let package = Package(
  name: "kafka-failover",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "failoverctl", targets: ["failoverctl"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    // Without its default ConfigurationSupport trait: nothing here reads swift-configuration, and
    // it was 48 files of every clean build.
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
  ],
  targets: [
    .systemLibrary(name: "CRdKafka"),
    .systemLibrary(
      name: "CCurl",
      pkgConfig: "libcurl",
      providers: [.apt(["libcurl4-openssl-dev"])]
    ),
    .systemLibrary(
      name: "COpenSSL",
      pkgConfig: "libcrypto",
      providers: [.apt(["libssl-dev"])]
    ),
    .target(
      name: "KafkaClient",
      dependencies: [
        "CRdKafka",
        .product(name: "NIOPosix", package: "swift-nio"),
      ],
      linkerSettings: librdkafkaLinking
    ),
    .target(
      name: "CurlHTTP",
      dependencies: [
        "CCurl",
        .product(name: "NIOPosix", package: "swift-nio"),
      ]
    ),
    .target(name: "MM2"),
    .target(name: "KafkaConnect", dependencies: ["CurlHTTP"]),
    .target(name: "Etcd", dependencies: ["CurlHTTP"]),
    .target(name: "DiscoveryClient", dependencies: ["CurlHTTP"]),
    .target(
      name: "Topology",
      dependencies: ["MM2", .product(name: "Yams", package: "Yams")]
    ),
    .target(
      name: "HealthProbes",
      dependencies: ["KafkaClient", "CurlHTTP", "KafkaConnect"]
    ),
    .target(
      name: "Orchestrator",
      dependencies: [
        "Topology", "KafkaClient", "KafkaConnect", "Etcd", "CurlHTTP", "HealthProbes", "MM2",
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "GRDBSQLite", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .target(
      name: "ControlService",
      dependencies: [
        "Topology", "Orchestrator", "HealthProbes", "CurlHTTP", "KafkaClient", "KafkaConnect", "Etcd",
        "DiscoveryClient", "COpenSSL",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdCore", package: "hummingbird"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
        .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
      ],
      // The console's files, compiled into the binary (ConsoleAsset).
      resources: [.embedInCode("Console/Assets")]
    ),
    .target(
      name: "KafkaLab",
      dependencies: [
        "Topology", "KafkaClient", "DiscoveryClient", "KafkaConnect", "MM2", "CurlHTTP",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Hummingbird", package: "hummingbird"),
      ]
    ),
    .target(name: "ControlServiceClient", dependencies: ["CurlHTTP", "Orchestrator"]),
    .target(
      name: "Demo",
      dependencies: [
        "Topology", "Orchestrator", "KafkaLab", "KafkaClient", "ControlService", "ControlServiceClient",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Yams", package: "Yams"),
      ]
    ),
    .executableTarget(
      name: "failoverctl",
      dependencies: [
        "Topology", "Orchestrator", "KafkaLab", "HealthProbes", "KafkaClient", "CurlHTTP", "MM2", "ControlService",
        "Etcd", "DiscoveryClient", "ControlServiceClient", "Demo",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .executableTarget(
      name: "failover-bench",
      dependencies: [
        "Topology", "Orchestrator", "KafkaClient", "KafkaConnect", "MM2", "HealthProbes", "KafkaLab", "CurlHTTP",
        "ControlService", "Etcd",
        .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ],
      path: "bench/FailoverBench"),
    .testTarget(name: "KafkaClientTests", dependencies: ["KafkaClient"]),
    .target(
      name: "TestSupport",
      dependencies: ["KafkaClient", "KafkaConnect", "KafkaLab", "Orchestrator", "Topology", "MM2"],
      path: "Tests/TestSupport"),
    .testTarget(name: "CurlHTTPTests", dependencies: ["CurlHTTP", "TestSupport"]),
    .testTarget(
      name: "OrchestratorTests",
      dependencies: [
        "Orchestrator", "Topology", "MM2", "TestSupport", "KafkaClient", "KafkaConnect", "HealthProbes",
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      exclude: ["Fixtures"]),
    .testTarget(name: "MM2Tests", dependencies: ["MM2"]),
    .testTarget(name: "DemoTests", dependencies: ["Demo", "Orchestrator"]),
    .testTarget(name: "DiscoveryClientTests", dependencies: ["DiscoveryClient"]),
    .testTarget(
      name: "CoordinationTests",
      dependencies: [
        "Orchestrator", "Topology", "Etcd", "KafkaLab", "KafkaClient", "TestSupport", "CurlHTTP", "HealthProbes",
        .product(name: "Logging", package: "swift-log"),
      ]),
    .testTarget(
      name: "HealthProbesTests", dependencies: ["HealthProbes", "CurlHTTP", "KafkaConnect", "TestSupport"]),
    .testTarget(
      name: "IntegrationTests",
      dependencies: ["Orchestrator", "Topology", "KafkaClient", "MM2", "HealthProbes", "KafkaLab", "TestSupport"]),
    .testTarget(
      name: "KafkaLabTests",
      dependencies: [
        "KafkaLab", "KafkaClient", "HealthProbes", "Orchestrator", "Topology", "CurlHTTP", "MM2", "TestSupport",
      ]),
    .testTarget(
      name: "EndToEndTests",
      dependencies: [
        "TestSupport", "Orchestrator", "Topology", "KafkaClient", "MM2", "ControlService", "CurlHTTP", "KafkaLab",
        "DiscoveryClient", .product(name: "Yams", package: "Yams"),
        .product(name: "GRDB", package: "GRDB.swift"),
      ]),
    .testTarget(
      name: "ControlServiceTests",
      dependencies: [
        "ControlService", "Orchestrator", "Topology", "CurlHTTP", "KafkaConnect", "HealthProbes", "TestSupport",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOEmbedded", package: "swift-nio"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
      ]),
  ],
  swiftLanguageModes: [.v6]
)

// The fuzz targets (`make fuzz`): each an executable whose main hands libFuzzer's driver its
// input check. Only with FAILOVERCTL_FUZZ set, and built with `--sanitize fuzzer --sanitize
// address` into .build-fuzz: a plain build has no libFuzzer to link them with.
if ProcessInfo.processInfo.environment["FAILOVERCTL_FUZZ"] != nil {
  package.targets.append(.target(name: "FuzzSupport", path: "fuzz/FuzzSupport"))
  for (name, path, dependency) in [
    ("fuzz-mm2-records", "MM2Records", "MM2"), ("fuzz-topology-yaml", "TopologyYAML", "Topology"),
    ("fuzz-policy-yaml", "PolicyYAML", "Orchestrator"), ("fuzz-prometheus-page", "PrometheusPage", "HealthProbes"),
    ("fuzz-request-body", "RequestBody", "ControlService"), ("fuzz-event-stream", "EventStream", "DiscoveryClient"),
  ] {
    package.targets.append(
      .executableTarget(
        name: name, dependencies: ["FuzzSupport", .target(name: dependency)], path: "fuzz/\(path)"))
  }
}
