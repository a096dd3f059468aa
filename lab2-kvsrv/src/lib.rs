//! Lab 2: single-server key/value service (to be built: see the Lab 2 issue).
