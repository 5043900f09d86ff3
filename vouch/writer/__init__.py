"""Build machinery: one run's state, the staged writer and swap, the fork helper, the render cache."""
