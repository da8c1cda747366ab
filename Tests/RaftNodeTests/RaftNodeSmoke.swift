import Testing
@testable import RaftNode
