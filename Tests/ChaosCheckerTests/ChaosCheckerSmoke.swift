import Testing
@testable import ChaosChecker
