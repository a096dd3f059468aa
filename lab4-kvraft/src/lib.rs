//! Lab 4: fault-tolerant key/value service on Raft (to be built: see the Lab 4 issue).
