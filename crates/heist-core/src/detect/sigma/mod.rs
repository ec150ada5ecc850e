//! Sigma rules, run natively over the frame beside the shipped pack.

pub mod parse;
