//! [`Ends`]: ends to other servers by name, made on first use with the course's
//! `make_end` and kept, for the clerk (to reach groups) and for servers (to reach other
//! groups during shard migration).

use common::labrpc::ClientEnd;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Makes an end to any server by name (the course's `make_end`).
pub type MakeEnd = Arc<dyn Fn(&str) -> ClientEnd + Send + Sync>;

/// Ends by server name. Cheap to clone; clones share the ends.
#[derive(Clone)]
pub struct Ends {
    make_end: MakeEnd,
    made: Arc<Mutex<BTreeMap<String, ClientEnd>>>,
}

impl Ends {
    /// Ends made by `make_end`.
    pub fn new(make_end: MakeEnd) -> Ends {
        Ends {
            make_end,
            made: Arc::new(Mutex::new(BTreeMap::new())),
        }
    }

    /// The end to `server`.
    pub fn get(&self, server: &str) -> ClientEnd {
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        made.entry(server.to_string())
            .or_insert_with(|| (self.make_end)(server))
            .clone()
    }
}
