//! One connection, either side: the handshake, then tagged [`Message`] frames each way.

use super::auth::{self, Binding, ClusterKey, Direction, Session};
use super::wire::{self, Handshake, Message, PROTOCOL, Who};
use futures::{SinkExt, StreamExt};
use std::fmt;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio_util::codec::{FramedRead, FramedWrite, LengthDelimitedCodec};

/// The largest handshake frame: a hello is under 100 bytes; a refusal's reason is short.
const HANDSHAKE_FRAME: usize = 1024;

/// Why a connection ended or could not open.
#[derive(Debug)]
pub enum ConnError {
    /// The socket failed, or a frame was malformed or too long (tokio-util reports both
    /// as I/O errors).
    Io(std::io::Error),
    /// A frame's bytes did not decode.
    Decode(crate::codec::CodecError),
    /// A frame's tag was wrong.
    Tag(auth::BadTag),
    /// The handshake failed: the other end does not hold the key, or is not allowed, or
    /// does not speak this protocol.
    Handshake(String),
    /// The other end sent nothing in time.
    TimedOut,
    /// The other end closed the connection.
    Closed,
}

impl fmt::Display for ConnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConnError::Io(e) => write!(f, "{e}"),
            ConnError::Decode(e) => write!(f, "undecodable frame: {e}"),
            ConnError::Tag(e) => write!(f, "{e}"),
            ConnError::Handshake(why) => write!(f, "handshake failed: {why}"),
            ConnError::TimedOut => write!(f, "nothing received in time"),
            ConnError::Closed => write!(f, "closed by the other end"),
        }
    }
}

/// The receiving half of an open connection.
pub struct Reader {
    frames: FramedRead<OwnedReadHalf, LengthDelimitedCodec>,
    session: Session,
}

/// The sending half of an open connection.
pub struct Writer {
    frames: FramedWrite<OwnedWriteHalf, LengthDelimitedCodec>,
    session: Session,
}

impl Reader {
    /// The next message; `Ok(None)` when the other end closed the connection cleanly.
    pub async fn next(&mut self) -> Result<Option<Message>, ConnError> {
        let Some(frame) = self.frames.next().await else {
            return Ok(None);
        };
        let frame = frame.map_err(ConnError::Io)?;
        let payload = self.session.open(&frame).map_err(ConnError::Tag)?;
        wire::decode(payload).map(Some).map_err(ConnError::Decode)
    }
}

impl Writer {
    /// Sends a message.
    pub async fn send(&mut self, message: &Message) -> Result<(), ConnError> {
        let payload = wire::encode(message).map_err(ConnError::Decode)?;
        let frame = self.session.seal(payload);
        self.frames
            .send(tokio_util::bytes::Bytes::from(frame))
            .await
            .map_err(ConnError::Io)
    }
}

async fn read_handshake(
    frames: &mut FramedRead<OwnedReadHalf, LengthDelimitedCodec>,
    within: Duration,
) -> Result<Handshake, ConnError> {
    match tokio::time::timeout(within, frames.next()).await {
        Err(_) => Err(ConnError::TimedOut),
        Ok(None) => Err(ConnError::Closed),
        Ok(Some(frame)) => {
            let frame = frame.map_err(ConnError::Io)?;
            wire::decode(&frame).map_err(ConnError::Decode)
        }
    }
}

async fn send_handshake(
    frames: &mut FramedWrite<OwnedWriteHalf, LengthDelimitedCodec>,
    message: &Handshake,
) -> Result<(), ConnError> {
    let bytes = wire::encode(message).map_err(ConnError::Decode)?;
    frames
        .send(tokio_util::bytes::Bytes::from(bytes))
        .await
        .map_err(ConnError::Io)
}

fn split(
    stream: TcpStream,
) -> (
    FramedRead<OwnedReadHalf, LengthDelimitedCodec>,
    FramedWrite<OwnedWriteHalf, LengthDelimitedCodec>,
) {
    let _ = stream.set_nodelay(true);
    let (read, write) = stream.into_split();
    (
        FramedRead::new(read, wire::framing(HANDSHAKE_FRAME)),
        FramedWrite::new(write, wire::framing(HANDSHAKE_FRAME)),
    )
}

fn open(
    mut read: FramedRead<OwnedReadHalf, LengthDelimitedCodec>,
    mut write: FramedWrite<OwnedWriteHalf, LengthDelimitedCodec>,
    max_frame: usize,
    receiving: Session,
    sending: Session,
) -> (Reader, Writer) {
    read.decoder_mut().set_max_frame_length(max_frame);
    write.encoder_mut().set_max_frame_length(max_frame);
    (
        Reader {
            frames: read,
            session: receiving,
        },
        Writer {
            frames: write,
            session: sending,
        },
    )
}

/// The server's side of the handshake: challenges the caller, checks its proof and asks
/// `allowed` whether it may connect. Everything the caller sends before it is accepted
/// is read within `within`, in frames of at most 1 KiB.
pub async fn accept(
    stream: TcpStream,
    key: &ClusterKey,
    allowed: impl FnOnce(Who) -> Result<(), String>,
    within: Duration,
    max_frame: usize,
) -> Result<(Who, Reader, Writer), ConnError> {
    let (mut read, mut write) = split(stream);
    let server_nonce = auth::nonce().map_err(ConnError::Io)?;
    let challenge = Handshake::Challenge {
        version: PROTOCOL,
        nonce: server_nonce,
    };
    send_handshake(&mut write, &challenge).await?;
    let Handshake::Hello { who, nonce, mac } = read_handshake(&mut read, within).await? else {
        return Err(ConnError::Handshake("expected a hello".into()));
    };
    let who_bytes = wire::encode(&who).map_err(ConnError::Decode)?;
    let binding = Binding {
        server_nonce: &server_nonce,
        client_nonce: &nonce,
        who: &who_bytes,
    };
    let refusal = if !auth::check_hello(key, &binding, &mac) {
        Some("the caller does not hold the cluster key".to_string())
    } else {
        allowed(who).err()
    };
    if let Some(why) = refusal {
        let _ = send_handshake(&mut write, &Handshake::Refused { why: why.clone() }).await;
        return Err(ConnError::Handshake(why));
    }
    let welcome = Handshake::Welcome {
        mac: auth::welcome_mac(key, &binding),
    };
    send_handshake(&mut write, &welcome).await?;
    let receiving = Session::new(key, &binding, Direction::ToServer);
    let sending = Session::new(key, &binding, Direction::ToClient);
    let (reader, writer) = open(read, write, max_frame, receiving, sending);
    Ok((who, reader, writer))
}

/// The caller's side: answers the server's challenge as `who`, and checks the server's
/// proof (a server without the key is not one to send requests to).
pub async fn connect(
    stream: TcpStream,
    key: &ClusterKey,
    who: Who,
    within: Duration,
    max_frame: usize,
) -> Result<(Reader, Writer), ConnError> {
    let (mut read, mut write) = split(stream);
    let Handshake::Challenge {
        version,
        nonce: server_nonce,
    } = read_handshake(&mut read, within).await?
    else {
        return Err(ConnError::Handshake("expected a challenge".into()));
    };
    if version != PROTOCOL {
        return Err(ConnError::Handshake(format!(
            "the server speaks protocol {version}, this build {PROTOCOL}"
        )));
    }
    let client_nonce = auth::nonce().map_err(ConnError::Io)?;
    let who_bytes = wire::encode(&who).map_err(ConnError::Decode)?;
    let binding = Binding {
        server_nonce: &server_nonce,
        client_nonce: &client_nonce,
        who: &who_bytes,
    };
    let hello = Handshake::Hello {
        who,
        nonce: client_nonce,
        mac: auth::hello_mac(key, &binding),
    };
    send_handshake(&mut write, &hello).await?;
    match read_handshake(&mut read, within).await? {
        Handshake::Welcome { mac } if auth::check_welcome(key, &binding, &mac) => {}
        Handshake::Welcome { .. } => {
            return Err(ConnError::Handshake(
                "the server does not hold the cluster key".into(),
            ));
        }
        Handshake::Refused { why } => return Err(ConnError::Handshake(format!("refused: {why}"))),
        _ => return Err(ConnError::Handshake("expected a welcome".into())),
    }
    let receiving = Session::new(key, &binding, Direction::ToClient);
    let sending = Session::new(key, &binding, Direction::ToServer);
    Ok(open(read, write, max_frame, receiving, sending))
}
