import Testing
@testable import ChaosHistory
