//! Synthetic bundles: the sample incident in `samples/` and the benchmark corpus.
