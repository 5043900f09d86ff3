"""The benchmark: a synthetic network generator and a runner (``invoke bench``)."""
