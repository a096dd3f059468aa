//! Messages on a byte stream: each is a 4-byte big-endian length, then that many bytes of
//! the workspace codec. The reader checks the length before allocating, so a corrupt or
//! hostile peer gets an error, not a 4 GB buffer or a panic.

use serde::{Serialize, de::DeserializeOwned};
use std::io::{self, ErrorKind};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The largest frame accepted. The protocol's messages are a few dozen bytes; anything
/// near this is a corrupt stream.
pub const MAX_FRAME: usize = 64 * 1024;

/// Writes `message` as one frame.
///
/// # Errors
/// When the stream fails, or the message encodes to more than [`MAX_FRAME`] bytes.
pub async fn write<W, T>(stream: &mut W, message: &T) -> io::Result<()>
where
    W: AsyncWrite + Unpin,
    T: Serialize,
{
    let body =
        common::codec::encode(message).map_err(|e| io::Error::new(ErrorKind::InvalidData, e))?;
    if body.len() > MAX_FRAME {
        return Err(io::Error::new(
            ErrorKind::InvalidData,
            format!(
                "message of {} bytes exceeds the {MAX_FRAME}-byte frame limit",
                body.len()
            ),
        ));
    }
    let mut frame = Vec::with_capacity(4 + body.len());
    frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
    frame.extend_from_slice(&body);
    stream.write_all(&frame).await?;
    stream.flush().await
}

/// Reads one frame and decodes it. `Ok(None)` means the peer closed the stream cleanly,
/// between frames.
///
/// # Errors
/// When the stream fails or ends inside a frame, the length exceeds [`MAX_FRAME`], or the
/// bytes do not decode as a `T` (all as [`ErrorKind::InvalidData`] or
/// [`ErrorKind::UnexpectedEof`]).
pub async fn read<R, T>(stream: &mut R) -> io::Result<Option<T>>
where
    R: AsyncRead + Unpin,
    T: DeserializeOwned,
{
    let mut header = [0u8; 4];
    let mut got = 0;
    while got < header.len() {
        match stream.read(&mut header[got..]).await? {
            0 if got == 0 => return Ok(None),
            0 => return Err(ErrorKind::UnexpectedEof.into()),
            n => got += n,
        }
    }
    let len = u32::from_be_bytes(header) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            ErrorKind::InvalidData,
            format!("frame of {len} bytes exceeds the {MAX_FRAME}-byte limit"),
        ));
    }
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).await?;
    common::codec::decode(&body)
        .map(Some)
        .map_err(|e| io::Error::new(ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    // A message type of the tests' own: the framing serves any protocol (the student's
    // too), so it is tested apart from this lab's.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Request {
        GetTask,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Reply {
        Wait,
    }

    #[tokio::test]
    async fn messages_round_trip_and_a_clean_close_is_none() {
        let (mut a, mut b) = tokio::io::duplex(1024);
        write(&mut a, &Request::GetTask).await.unwrap();
        write(&mut a, &Reply::Wait).await.unwrap();
        drop(a);
        assert_eq!(
            read::<_, Request>(&mut b).await.unwrap(),
            Some(Request::GetTask)
        );
        assert_eq!(read::<_, Reply>(&mut b).await.unwrap(), Some(Reply::Wait));
        assert_eq!(read::<_, Reply>(&mut b).await.unwrap(), None);
    }

    #[tokio::test]
    async fn bad_frames_are_errors_not_panics() {
        let cases: [&[u8]; 4] = [
            &[0, 0],                   // cut inside the header
            &[0, 0, 0, 9, 1],          // cut inside the body
            &[0xff, 0xff, 0xff, 0xff], // absurd length
            &[0, 0, 0, 2, 0xff, 0xff], // not a Request
        ];
        for bytes in cases {
            let (mut a, mut b) = tokio::io::duplex(1024);
            a.write_all(bytes).await.unwrap();
            drop(a);
            let result = read::<_, Request>(&mut b).await;
            assert!(result.is_err(), "{bytes:?} gave {result:?}");
        }
    }
}
