//! The real transport on loopback: calls, trust, bad input, restarts, time limits and the
//! fault hook. Real sockets and the real clock, outside any simulated world.

use common::labrpc::{ClientEnd, Rpc, RpcError, Server, Service};
use common::net::{CallConfig, ClusterKey, Faults, ServeConfig, TcpServer, TcpTransport, Who};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TWICE: Rpc<u64, u64> = Rpc::new("Echo", "Twice");
const NEVER: Rpc<u64, u64> = Rpc::new("Echo", "Never");
const VOTE: Rpc<u64, u64> = Rpc::new("Raft", "RequestVote");

fn key(b: u8) -> Arc<ClusterKey> {
    Arc::new(ClusterKey::new(vec![b; 32]).unwrap())
}

fn echo_server() -> Server {
    let server = Server::new();
    server.add_service(
        Service::new("Echo")
            .handle(TWICE, |x| async move { 2 * x })
            .handle(NEVER, |_| std::future::pending::<u64>()),
    );
    server.add_service(Service::new("Raft").handle(VOTE, |x| async move { x + 1 }));
    server
}

/// A server of a 3-peer cluster, as peer 0.
async fn start(config: impl FnOnce(&mut ServeConfig)) -> (TcpServer, Server) {
    let server = echo_server();
    let mut c = ServeConfig::new(key(7), 3, Some(0));
    config(&mut c);
    let tcp = TcpServer::start("127.0.0.1:0", server.clone(), c)
        .await
        .unwrap();
    (tcp, server)
}

fn end_to(tcp: &TcpServer, who: Who, key: Arc<ClusterKey>) -> ClientEnd {
    let config = CallConfig {
        timeout: Duration::from_millis(500),
        ..CallConfig::default()
    };
    TcpTransport::new(tcp.local_addr().to_string(), who, key, config).end()
}

#[allow(clippy::disallowed_methods)] // real sockets, real clock
async fn pause(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_reach_the_server_and_share_one_connection() {
    let (tcp, server) = start(|_| {}).await;
    let end = end_to(&tcp, Who::Client, key(7));
    let calls = (0..200u64).map(|i| {
        let end = end.clone();
        tokio::spawn(async move { end.call(TWICE, &i).await })
    });
    for (i, call) in calls.enumerate() {
        assert_eq!(call.await.unwrap(), Ok(2 * i as u64));
    }
    assert_eq!(server.count(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_without_the_key_reaches_no_handler() {
    let (tcp, server) = start(|_| {}).await;
    let stranger = end_to(&tcp, Who::Client, key(8));
    match stranger.call(TWICE, &1).await {
        Err(RpcError::Refused(why)) => assert!(why.contains("cluster key"), "{why}"),
        other => panic!("a caller with another key got {other:?}"),
    }
    let as_peer = end_to(&tcp, Who::Peer(1), key(8));
    assert!(matches!(
        as_peer.call(VOTE, &1).await,
        Err(RpcError::Refused(_))
    ));
    assert_eq!(
        server.count(),
        0,
        "nothing unauthenticated reaches the server"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_outside_the_configuration_or_a_client_at_the_peers_service_is_refused() {
    let (tcp, server) = start(|_| {}).await;
    for who in [Who::Peer(3), Who::Peer(u32::MAX), Who::Peer(0)] {
        match end_to(&tcp, who, key(7)).call(VOTE, &1).await {
            Err(RpcError::Refused(why)) => {
                assert!(
                    why.contains("outside") || why.contains("itself"),
                    "{who}: {why}"
                )
            }
            other => panic!("{who} got {other:?}"),
        }
    }
    match end_to(&tcp, Who::Client, key(7)).call(VOTE, &1).await {
        Err(RpcError::Refused(why)) => assert!(why.contains("peers"), "{why}"),
        other => panic!("a client calling Raft got {other:?}"),
    }
    assert_eq!(server.count(), 0);
    assert_eq!(
        end_to(&tcp, Who::Peer(2), key(7)).call(VOTE, &1).await,
        Ok(2)
    );
}

/// Reads the server's challenge frame off a raw connection.
async fn read_challenge(stream: &mut TcpStream) {
    let len = stream.read_u32().await.unwrap() as usize;
    assert!(len < 1024);
    let mut challenge = vec![0; len];
    stream.read_exact(&mut challenge).await.unwrap();
}

/// Whether the server closed the connection within a second.
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 64];
    matches!(
        tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buf)).await,
        Ok(Ok(0) | Err(_))
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_frames_close_their_connection_and_the_server_serves_on() {
    let (tcp, server) = start(|_| {}).await;
    let addr = tcp.local_addr();
    let bad_inputs: Vec<Vec<u8>> = vec![
        0xFFFF_FFF0u32.to_be_bytes().to_vec(), // a 4 GB frame announced
        [&5u32.to_be_bytes()[..], b"junk!"].concat(), // not a hello
        [&0u32.to_be_bytes()[..]].concat(),    // an empty frame
        [&2000u32.to_be_bytes()[..], &[0u8; 2000][..]].concat(), // over the 1 KiB of a handshake frame
    ];
    for bad in bad_inputs {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        read_challenge(&mut stream).await;
        stream.write_all(&bad).await.unwrap();
        assert!(
            closed_by_server(&mut stream).await,
            "after {:?}",
            &bad[..bad.len().min(8)]
        );
    }
    assert_eq!(server.count(), 0);
    assert_eq!(
        end_to(&tcp, Who::Client, key(7)).call(TWICE, &4).await,
        Ok(8)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_strangers_are_dropped_and_connections_are_bounded() {
    let (tcp, _server) = start(|c| {
        c.max_connections = 32;
        c.handshake_timeout = Duration::from_millis(300);
    })
    .await;
    let addr = tcp.local_addr();
    // Half-open strangers, many more than the limit: they connect and say nothing.
    let mut idle = Vec::new();
    for _ in 0..2000 {
        idle.push(TcpStream::connect(addr).await.unwrap());
    }
    // Past the handshake's time limit every one of them has been closed: those over the
    // limit at once, the others when their time ran out.
    pause(600).await;
    for stream in &mut idle {
        let mut buf = vec![0u8; 256];
        // Whatever the challenge, then the end.
        let closed = loop {
            match tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buf)).await {
                Ok(Ok(0) | Err(_)) => break true,
                Ok(Ok(_)) => continue,
                Err(_) => break false,
            }
        };
        assert!(closed, "an idle stranger's connection is still open");
    }
    assert_eq!(
        end_to(&tcp, Who::Client, key(7)).call(TWICE, &5).await,
        Ok(10)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_is_reached_again() {
    let (tcp, _) = start(|_| {}).await;
    let addr = tcp.local_addr();
    let end = end_to(&tcp, Who::Peer(1), key(7));
    assert_eq!(end.call(TWICE, &1).await, Ok(2));
    drop(tcp); // the process dies
    pause(50).await;
    let down = end.call(TWICE, &1).await;
    assert!(
        matches!(down, Err(RpcError::Unreachable | RpcError::ServerGone)),
        "{down:?}"
    );
    let server = echo_server();
    let tcp = TcpServer::start(
        &addr.to_string(),
        server,
        ServeConfig::new(key(7), 3, Some(0)),
    )
    .await
    .unwrap();
    assert_eq!(
        end.call(TWICE, &21).await,
        Ok(42),
        "the same end, a new connection"
    );
    drop(tcp);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_gives_up_at_its_time_limit() {
    let (tcp, _) = start(|_| {}).await;
    let end = end_to(&tcp, Who::Client, key(7));
    assert_eq!(end.call(NEVER, &1).await, Err(RpcError::TimedOut));
    assert_eq!(
        end.call(TWICE, &1).await,
        Ok(2),
        "the connection is still good"
    );
    // Nobody listening: unreachable at once.
    drop(tcp);
    pause(50).await;
    let refused =
        TcpTransport::new("127.0.0.1:1", Who::Client, key(7), CallConfig::default()).end();
    assert_eq!(refused.call(TWICE, &1).await, Err(RpcError::Unreachable));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fault_hook_cuts_chosen_peers_off_both_ways() {
    let faults = Faults::new();
    let hook = faults.clone();
    let (tcp, _) = start(move |c| c.faults = Some(hook)).await;
    let from_1 = end_to(&tcp, Who::Peer(1), key(7));
    let from_2 = end_to(&tcp, Who::Peer(2), key(7));
    faults.isolate([1]);
    assert_eq!(
        from_1.call(TWICE, &1).await,
        Err(RpcError::TimedOut),
        "dropped unanswered"
    );
    assert_eq!(from_2.call(TWICE, &1).await, Ok(2));
    // This process's own calls to an isolated peer time out too.
    let config = CallConfig {
        timeout: Duration::from_millis(200),
        ..CallConfig::default()
    };
    let addr = tcp.local_addr().to_string();
    let to_1 =
        TcpTransport::with_faults(&*addr, Who::Peer(2), key(7), config, faults.clone(), 1).end();
    assert_eq!(to_1.call(TWICE, &1).await, Err(RpcError::TimedOut));
    faults.isolate([]);
    assert_eq!(from_1.call(TWICE, &3).await, Ok(6), "healed");
    assert_eq!(to_1.call(TWICE, &3).await, Ok(6));
}
