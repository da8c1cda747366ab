import Testing
@testable import ChaosCore
