//! What every real server and client binary does the same way: parse a list of
//! addresses, make its ends, run on the real clock, stop on a signal.

use super::{CallConfig, ClusterKey, Faults, TcpTransport, Who};
use crate::labrpc::ClientEnd;
use crate::sim;
use std::sync::Arc;
use std::time::Duration;

/// Parses `host:port,host:port,...`: at least one, each with a port, no repeats.
///
/// # Errors
/// Says which item is wrong and why.
pub fn parse_addrs(list: &str) -> Result<Vec<String>, String> {
    let addrs: Vec<String> = list.split(',').map(|a| a.trim().to_string()).collect();
    for addr in &addrs {
        let Some((host, port)) = addr.rsplit_once(':') else {
            return Err(format!("{addr:?} is not HOST:PORT"));
        };
        if host.is_empty() {
            return Err(format!("{addr:?} has no host"));
        }
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => return Err(format!("{addr:?}: the port must be 1 to 65535")),
        }
    }
    for (i, addr) in addrs.iter().enumerate() {
        if addrs[..i].contains(addr) {
            return Err(format!("{addr} is listed twice"));
        }
    }
    Ok(addrs)
}

/// A parsed address list, for a command line's value parser ([`addrs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addrs(pub Vec<String>);

/// [`parse_addrs`] as a clap value parser.
///
/// # Errors
/// As [`parse_addrs`].
pub fn addrs(list: &str) -> Result<Addrs, String> {
    parse_addrs(list).map(Addrs)
}

/// The ends of Raft peer `me` to each peer of its cluster (its own included, never
/// called), subject to the fault hook.
pub fn peer_ends(
    peers: &[String],
    me: u32,
    key: &Arc<ClusterKey>,
    faults: &Faults,
    config: &CallConfig,
) -> Vec<ClientEnd> {
    (0u32..)
        .zip(peers)
        .map(|(i, addr)| {
            let t = TcpTransport::with_faults(
                addr.as_str(),
                Who::Peer(me),
                key.clone(),
                config.clone(),
                faults.clone(),
                i,
            );
            t.end()
        })
        .collect()
}

/// A client's ends, one per server.
pub fn client_ends(
    servers: &[String],
    key: &Arc<ClusterKey>,
    config: &CallConfig,
) -> Vec<ClientEnd> {
    servers
        .iter()
        .map(|addr| {
            TcpTransport::new(addr.as_str(), Who::Client, key.clone(), config.clone()).end()
        })
        .collect()
}

/// How long a real process may run: longer than anyone runs one (the world's limit
/// exists for tests).
const FOREVER: Duration = Duration::from_secs(365 * 24 * 3600);

/// Runs a binary's body on Tokio's multi-threaded runtime with the real clock (a world in
/// real-time mode, so the labs' code, which draws its randomness and sleeps through
/// [`crate::sim`], runs unchanged), with `RUST_LOG` logging.
///
/// # Errors
/// When a task of the process panicked (a server that cannot save its state stops so):
/// the panic's message.
pub fn run<F, Fut>(body: F) -> Result<Fut::Output, String>
where
    F: FnOnce() -> Fut,
    Fut: Future,
{
    sim::Builder::new()
        .realtime(true)
        .time_limit(FOREVER)
        .try_run(body)
        .map(|done| done.value)
        .map_err(|failure| failure.message)
}

/// Waits for SIGTERM or SIGINT (Ctrl-C).
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    biased;
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_lists_are_checked() {
        assert_eq!(
            parse_addrs("127.0.0.1:7001, localhost:7002").unwrap(),
            ["127.0.0.1:7001", "localhost:7002"]
        );
        for (bad, why) in [
            ("", "HOST:PORT"),
            ("127.0.0.1", "HOST:PORT"),
            (":7001", "no host"),
            ("a:0", "port"),
            ("a:70000", "port"),
            ("a:x", "port"),
            ("a:1,b:2,a:1", "twice"),
            ("a:1,,b:2", "HOST:PORT"),
        ] {
            let e = parse_addrs(bad).unwrap_err();
            assert!(e.contains(why), "{bad:?}: {e}");
        }
    }
}
