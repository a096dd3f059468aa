//! [`Lock`]: a lock whose only state is one key of the KV service: `""` when free, the
//! holder's random id when held. A versioned Put is a compare-and-swap, so of two clerks
//! that see the lock free only one takes it. `ErrMaybe` leaves a clerk unsure whether its
//! Put applied; it reads the key again, and its own id there means it holds the lock.

use common::kvtest::rpc::KvErr;
use common::kvtest::{KvClerk, rand_value};
use common::sim;
use std::sync::Arc;
use std::time::Duration;

/// How long to wait before looking again at a lock someone else holds.
const POLL: Duration = Duration::from_millis(10);

/// A named lock on the KV service behind a clerk (`MakeLock(ck, lockname)`).
pub struct Lock<C> {
    ck: Arc<C>,
    name: String,
    /// This lock holder's id, what the key holds while it holds the lock.
    id: String,
}

impl<C: KvClerk> Lock<C> {
    /// The lock `name`, taken and released through `ck`.
    pub fn new(ck: Arc<C>, name: &str) -> Lock<C> {
        Lock {
            ck,
            name: name.to_string(),
            id: rand_value(8),
        }
    }

    /// Waits until this holder has the lock (`Acquire`).
    pub async fn acquire(&self) {
        loop {
            let (value, version, err) = self.ck.get(&self.name).await;
            let free = match err {
                KvErr::ErrNoKey => true,
                KvErr::Ok if value == self.id => return,
                KvErr::Ok => value.is_empty(),
                _ => false,
            };
            if free {
                match self.ck.put(&self.name, &self.id, version).await {
                    KvErr::Ok => return,
                    // Applied or not: the next read tells.
                    KvErr::ErrMaybe => continue,
                    // Someone else took it first.
                    _ => {}
                }
            }
            sim::sleep(POLL).await;
        }
    }

    /// Gives the lock up (`Release`); only the holder may call it.
    pub async fn release(&self) {
        loop {
            let (value, version, err) = self.ck.get(&self.name).await;
            if err != KvErr::Ok || value != self.id {
                return;
            }
            match self.ck.put(&self.name, "", version).await {
                // With one holder, ErrMaybe means the Put applied.
                KvErr::Ok | KvErr::ErrMaybe => return,
                _ => {}
            }
        }
    }
}
