//! `etcd-load`: the load of `kv bench` (puts of small values from N clients at once, each
//! waiting for its answer before the next) against an etcd server, for
//! `scripts/bench_cluster.sh`'s side-by-side table. It speaks etcd's HTTP/JSON gateway
//! (`POST /v3/kv/put`), one kept-alive connection per client: the Debian packages ship no
//! load tool, and a gRPC client would be a dependency for one benchmark. The gateway's
//! JSON costs etcd a little per request, which the table says.
//!
//! A tool, not simulated code: real threads, real sockets, the real clock.
#![allow(clippy::disallowed_methods)]

use clap::Parser;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// Puts of small values against an etcd server from many clients at once.
#[derive(Parser)]
#[command(name = "etcd-load", version)]
struct Args {
    /// The etcd client address (HOST:PORT), best its leader's
    #[arg(long)]
    endpoint: String,
    /// Clients at once
    #[arg(long, default_value = "1", value_parser = clap::value_parser!(u64).range(1..=1024))]
    clients: u64,
    /// How long to run
    #[arg(long, default_value = "5", value_parser = clap::value_parser!(u64).range(1..=3600))]
    seconds: u64,
    /// Bytes per value
    #[arg(long, default_value = "16", value_parser = clap::value_parser!(u64).range(0..=1 << 20))]
    value_bytes: u64,
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Sends one put and reads its answer; says why it failed.
fn put(conn: &mut BufReader<TcpStream>, host: &str, key: &str, value: &str) -> Result<(), String> {
    let body = format!(
        r#"{{"key":"{}","value":"{}"}}"#,
        base64(key.as_bytes()),
        base64(value.as_bytes())
    );
    let request = format!(
        "POST /v3/kv/put HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    conn.get_mut()
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    let mut status = String::new();
    conn.read_line(&mut status).map_err(|e| e.to_string())?;
    if !status.starts_with("HTTP/1.1 200") {
        return Err(format!("etcd answered {}", status.trim()));
    }
    let (mut length, mut chunked) = (0usize, false);
    loop {
        let mut line = String::new();
        conn.read_line(&mut line).map_err(|e| e.to_string())?;
        let line = line.trim().to_ascii_lowercase();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("content-length:") {
            length = v
                .trim()
                .parse()
                .map_err(|_| "a bad Content-Length".to_string())?;
        }
        if line.starts_with("transfer-encoding:") && line.contains("chunked") {
            chunked = true;
        }
    }
    // An answer to a put is a few hundred bytes: a larger length is refused, not allocated.
    const MOST: usize = 1 << 20;
    if !chunked {
        if length > MOST {
            return Err(format!("etcd announced a {length}-byte answer"));
        }
        let mut body = vec![0; length];
        return conn.read_exact(&mut body).map_err(|e| e.to_string());
    }
    loop {
        let mut size = String::new();
        conn.read_line(&mut size).map_err(|e| e.to_string())?;
        let size = usize::from_str_radix(size.trim(), 16)
            .ok()
            .filter(|size| *size <= MOST)
            .ok_or_else(|| "a bad or oversize chunk".to_string())?;
        let mut chunk = vec![0; size + 2];
        conn.read_exact(&mut chunk).map_err(|e| e.to_string())?;
        if size == 0 {
            return Ok(());
        }
    }
}

fn main() {
    let args = Args::parse();
    let run_for = Duration::from_secs(args.seconds);
    let value = "v".repeat(args.value_bytes as usize);
    let start = Instant::now();
    let clients: Vec<_> = (0..args.clients)
        .map(|c| {
            let (endpoint, value) = (args.endpoint.clone(), value.clone());
            std::thread::spawn(move || -> Result<Vec<Duration>, String> {
                let stream =
                    TcpStream::connect(&endpoint).map_err(|e| format!("{endpoint}: {e}"))?;
                let _ = stream.set_nodelay(true);
                let mut conn = BufReader::new(stream);
                let mut latencies = Vec::new();
                let mut n = 0u64;
                while start.elapsed() < run_for {
                    let key = format!("bench-{c}-{}", n % 100);
                    n += 1;
                    let t = Instant::now();
                    put(&mut conn, &endpoint, &key, &value)?;
                    latencies.push(t.elapsed());
                }
                Ok(latencies)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    for client in clients {
        match client.join() {
            Ok(Ok(l)) => latencies.extend(l),
            Ok(Err(e)) => {
                eprintln!("etcd-load: {e}");
                std::process::exit(1);
            }
            Err(_) => {
                eprintln!("etcd-load: a client thread panicked");
                std::process::exit(1);
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    println!(
        "clients {}  puts {}  in {secs:.1} s  throughput {:.0} ops/s  p50 {:.2} ms  p99 {:.2} ms",
        args.clients,
        latencies.len(),
        latencies.len() as f64 / secs,
        at(0.50),
        at(0.99)
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_as_rfc_4648() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foo"), "Zm9v");
        assert_eq!(super::base64(b"foobar"), "Zm9vYmFy");
    }
}
