"""The test suite; ``tests.helpers`` holds what its modules share."""
