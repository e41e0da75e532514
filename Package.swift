// swift-tools-version: 6.0
import PackageDescription

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
    .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
  ],
  targets: [
    .systemLibrary(
      name: "CRdKafka",
      pkgConfig: "rdkafka",
      providers: [.apt(["librdkafka-dev"])]
    ),
    .systemLibrary(
      name: "CCurl",
      pkgConfig: "libcurl",
      providers: [.apt(["libcurl4-openssl-dev"])]
    ),
    .target(
      name: "KafkaClient",
      dependencies: [
        "CRdKafka",
        .product(name: "NIOPosix", package: "swift-nio"),
      ]
    ),
    .target(
      name: "CurlHTTP",
      dependencies: [
        "CCurl",
        .product(name: "NIOPosix", package: "swift-nio"),
      ]
    ),
    .target(name: "MM2"),
    .target(
      name: "HealthProbes",
      dependencies: ["KafkaClient", "CurlHTTP", .product(name: "Logging", package: "swift-log")]
    ),
    .target(
      name: "Orchestrator",
      dependencies: [
        "KafkaClient", "CurlHTTP", "HealthProbes", "MM2",
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .target(
      name: "ControlService",
      dependencies: [
        "Orchestrator", "HealthProbes", "CurlHTTP",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .target(
      name: "KafkaLab",
      dependencies: [
        "KafkaClient", "Orchestrator", "HealthProbes", "MM2", "CurlHTTP",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Hummingbird", package: "hummingbird"),
      ]
    ),
    .executableTarget(
      name: "failoverctl",
      dependencies: [
        "Orchestrator", "KafkaLab", "HealthProbes", "KafkaClient", "CurlHTTP", "MM2", "ControlService",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]
    ),
    .executableTarget(
      name: "failover-bench",
      dependencies: [
        "Orchestrator", "KafkaClient", "MM2", "HealthProbes", "KafkaLab", "CurlHTTP", "ControlService",
        .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ],
      path: "bench/FailoverBench"),
    .testTarget(name: "KafkaClientTests", dependencies: ["KafkaClient", "KafkaLab"]),
    .target(name: "TestSupport", dependencies: ["KafkaClient"], path: "Tests/TestSupport"),
    .testTarget(name: "CurlHTTPTests", dependencies: ["CurlHTTP", "TestSupport"]),
    .testTarget(
      name: "OrchestratorTests",
      dependencies: ["Orchestrator", "MM2", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
      exclude: ["Fixtures"]),
    .testTarget(name: "MM2Tests", dependencies: ["MM2"]),
    .testTarget(name: "HealthProbesTests", dependencies: ["HealthProbes", "CurlHTTP", "TestSupport"]),
    .testTarget(name: "IntegrationTests", dependencies: ["Orchestrator", "KafkaClient", "MM2", "HealthProbes"]),
    .testTarget(
      name: "KafkaLabTests",
      dependencies: ["KafkaLab", "KafkaClient", "HealthProbes", "Orchestrator", "CurlHTTP", "MM2"]),
    .testTarget(
      name: "EndToEndTests",
      dependencies: [
        "TestSupport", "Orchestrator", "KafkaClient", "MM2", "ControlService", "CurlHTTP", "KafkaLab",
        .product(name: "Yams", package: "Yams"),
      ]),
    .testTarget(name: "ControlServiceTests", dependencies: ["ControlService", "Orchestrator", "CurlHTTP"]),
  ],
  swiftLanguageModes: [.v6]
)
