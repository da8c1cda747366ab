import Testing
@testable import ChaosControl
