//! The pure ticketing model.
