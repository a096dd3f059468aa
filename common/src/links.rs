//! [`Links`]: which servers of a replicated service can reach which, through the ends each
//! server calls its peers by; the course's `connect`, `disconnect`, `ConnectAll` and
//! `partition`, shared by the 2024 testers' cluster and the 2026 framework's groups.
//!
//! Server `i` calls server `j` through end `end_names[i][j]`. Connecting `i` enables its
//! ends to the connected servers and theirs to it; a partition leaves each side enabled
//! within itself and cut off from the other.

use crate::labrpc::Network;

/// The links of `n` servers. Not shared: its owner keeps it beside the servers, under the
/// same lock.
pub struct Links {
    net: Network,
    connected: Vec<bool>,
    end_names: Vec<Vec<String>>,
}

impl Links {
    /// `n` servers, none connected and none with ends yet.
    pub fn new(net: &Network, n: usize) -> Links {
        Links {
            net: net.clone(),
            connected: vec![false; n],
            end_names: vec![Vec::new(); n],
        }
    }

    /// Server `i`'s ends to its peers, by name in peer order (a restart makes new ones).
    pub fn set_ends(&mut self, i: usize, names: Vec<String>) {
        self.end_names[i] = names;
    }

    /// Server `i`'s ends to its peers.
    pub fn end_names(&self, i: usize) -> &[String] {
        &self.end_names[i]
    }

    /// Whether server `i` is connected.
    pub fn is_connected(&self, i: usize) -> bool {
        self.connected[i]
    }

    /// Every server's connected flag.
    pub fn connected(&self) -> &[bool] {
        &self.connected
    }

    /// Marks server `i` connected or not, without touching its ends.
    pub fn set_connected(&mut self, i: usize, connected: bool) {
        self.connected[i] = connected;
    }

    /// Enables (or disables) the end from `i` to `j` and the one from `j` to `i`.
    pub fn set_link(&self, i: usize, j: usize, on: bool) {
        if let Some(name) = self.end_names[i].get(j) {
            self.net.enable(name, on);
        }
        if let Some(name) = self.end_names[j].get(i) {
            self.net.enable(name, on);
        }
    }

    /// Connects `i` to every connected server (Lab 3's `connect(i)`, `ConnectOne`).
    pub fn connect(&mut self, i: usize) {
        self.connected[i] = true;
        for j in 0..self.connected.len() {
            if self.connected[j] {
                self.set_link(i, j, true);
            }
        }
    }

    /// Cuts `i` off from every server (Lab 3's `disconnect(i)`).
    pub fn disconnect(&mut self, i: usize) {
        self.connected[i] = false;
        for j in 0..self.connected.len() {
            self.set_link(i, j, false);
        }
    }

    /// Every server reaches every other (`ConnectAll`).
    pub fn connect_all(&mut self) {
        self.connected.fill(true);
        let n = self.connected.len();
        for i in 0..n {
            for j in 0..n {
                self.set_link(i, j, true);
            }
        }
    }

    /// Servers talk within their side only; every server in either counts as connected
    /// afterwards (`partition(p1, p2)`).
    pub fn partition(&mut self, p1: &[usize], p2: &[usize]) {
        for &i in p1.iter().chain(p2) {
            self.connected[i] = true;
        }
        for (side, other) in [(p1, p2), (p2, p1)] {
            for &i in side {
                for &j in other {
                    self.set_link(i, j, false);
                }
                for &j in side {
                    self.set_link(i, j, true);
                }
            }
        }
    }
}
