"""Provincial-scale data generator (`bench.generate`) and benchmark (`bench.run`); see docs/performance.md."""
