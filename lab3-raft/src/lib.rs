//! Lab 3: Raft (to be built: see the Lab 3A+3B and 3C+3D issues).
