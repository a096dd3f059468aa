//! Lab 5: sharded key/value service (to be built: see the Lab 5A and 5B issues).
