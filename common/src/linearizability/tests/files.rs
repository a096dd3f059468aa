//! Files and pictures.
