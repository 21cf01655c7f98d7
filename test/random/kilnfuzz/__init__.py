"""Random-graph differential testing of Kiln (see test/random/README.md)."""
