//! [`Lock`]: a lock built on the key/value service (the course's `kvsrv1/lock/lock.go`).
//! Its only state is the key named by the lock, read and written through the clerk:
//! locks with different names are independent, and a versioned Put is what lets two
//! clients that both see the lock free not both take it. Clients never crash, so there
//! are no leases.

use common::kvtest::KvClerk;
use common::kvtest::rand_value;
use std::sync::Arc;

/// A named lock on the KV service behind a clerk (`MakeLock(ck, lockname)`).
#[allow(dead_code)] // Lab 2: the fields are yours to use.
pub struct Lock<C> {
    ck: Arc<C>,
    name: String,
    /// This holder's id (the course suggests `kvtest.RandValue(8)`).
    id: String,
}

impl<C: KvClerk> Lock<C> {
    /// The lock `name`, taken and released through `ck`. Called by the tests.
    pub fn new(ck: Arc<C>, name: &str) -> Lock<C> {
        Lock {
            ck,
            name: name.to_string(),
            id: rand_value(8),
        }
    }

    /// Waits until this holder has the lock (`Acquire`). Mind `ErrMaybe`: a Put that may
    /// have applied may mean this holder already has it.
    pub async fn acquire(&self) {
        todo!("Lab 2: Lock::acquire")
    }

    /// Gives the lock up (`Release`).
    pub async fn release(&self) {
        todo!("Lab 2: Lock::release")
    }
}
