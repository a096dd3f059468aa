//! Lab 1: MapReduce (to be built: see the Lab 1 issue).
